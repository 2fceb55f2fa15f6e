"""`POST /v1/devices/{id}/journal`: every check of SYNC_PROTOCOL.md in order, then one transaction per batch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Engine, case, func, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DataError, IntegrityError

from sync.protocol.batch import MAX_BODY_BYTES, ValidBatch, parse_body, unchecked_batch, validate_body
from sync.protocol.compression import DECOMPRESS_ERRORS, gzip_decompressor
from sync.protocol.errors import ProtocolError
from sync.protocol.receipts import build_ack
from sync.server.clock import rfc3339, utc_now
from sync.server.device_auth import DeviceRecord, device_for_token
from sync.server.effects import collect_facts, utc_text, write_facts
from sync.server.errors import ApiError
from sync.server.ingest_sql import finish_batch, store_rows
from sync.server.store.schema import device, flag, journal_event, master_version, upload_batch
from sync.server.succession import carried_hashes, carried_prefix, carry_over

MAX_DECOMPRESSED: Final = 16 << 20
"""A gzip body may expand to at most 16 MiB (a day's upload is ~650 kB); more is a bomb → 413."""


class _Conflict(Exception):
    """A 409 whose flag must outlive the rolled-back ingest transaction (recorded in its own transaction)."""

    def __init__(self, device: DeviceRecord, error: ApiError, kind: str, seq: int, detail: str) -> None:
        super().__init__(error.detail)
        self.device, self.error, self.kind, self.seq, self.detail = device, error, kind, seq, detail  # fork | gap


def gunzip(raw: bytes, limit: int = MAX_DECOMPRESSED) -> bytes:
    """Decompress gzip (several members allowed) without ever holding more than `limit` bytes of output."""
    parts: list[bytes] = []
    total = 0
    data = raw
    try:
        while True:
            inflater = gzip_decompressor()
            while True:
                # At most one byte past the limit per call: a bomb is caught without inflating it.
                chunk = inflater.decompress(data, limit - total + 1)
                total += len(chunk)
                if total > limit:
                    raise ApiError(413, "too_large", f"gzip body expands beyond {limit} bytes")
                parts.append(chunk)
                data = inflater.unconsumed_tail
                if inflater.eof:
                    break
                if not data and not chunk:
                    raise ApiError(400, "bad_json", "gzip body is truncated")
            data = inflater.unused_data
            if not data.strip(b"\x00"):
                break
    except DECOMPRESS_ERRORS as exc:
        raise ApiError(400, "bad_json", f"body is not valid gzip: {exc}") from None
    return b"".join(parts)


def decode_body(raw_body: bytes, content_encoding: str | None) -> bytes:
    """The request bytes as JSON text: identity or gzip (`415` for anything else), size-capped (`413`)."""
    if len(raw_body) > MAX_BODY_BYTES:
        raise ApiError(413, "too_large", f"body is {len(raw_body)} bytes; at most {MAX_BODY_BYTES} per batch")
    encoding = (content_encoding or "identity").strip().lower()
    if encoding in ("", "identity"):
        return raw_body
    if encoding == "gzip":
        return gunzip(raw_body)
    raise ApiError(415, "unsupported_encoding", f"Content-Encoding {content_encoding[:40]!r}: use gzip or none"
                   if content_encoding else "unsupported Content-Encoding")


def ingest_upload(engine: Engine, *, device_id: str, authorization: str | None, raw_body: bytes,
                  content_encoding: str | None, server_key: Ed25519PrivateKey,
                  now: datetime | None = None) -> dict[str, Any]:
    """Store a signed batch exactly once and return the signed `200` body; ApiError for every refusal.

    Order (SYNC_PROTOCOL.md), all in one transaction with the device row locked: token and device status, body
    encoding and size, JSON, shape, signature, hashes and chain, batch ↔ URL device/outlet; then duplicates /
    fork / gap, the new rows, their effects, the device's position and the batch record.
    A fork or gap refuses the whole batch; its flag (and a fork's `forked_at_seq`) is then written in a
    separate small transaction — those are the only writes a refused upload leaves, none of its events.

    Decisions: a forked device needs no extra state — it is refused for as long as it sends the conflicting
    seqs (their hashes still differ), while events that link to the stored chain are accepted; an open gap
    flag is resolved when the device's chain continues; `batch_id` is an audit record only (a reused id
    with other events still stores them); a duplicates-only batch is a `200` acknowledging the device's
    last stored seq; an event_id already held by another device/seq is `409 duplicate_event_id`.
    """
    now = now or utc_now()
    try:
        # One transaction, the device row locked from the token check on (an upload of the same device waits;
        # other devices do not), so the checks and the storing see the same device and cost one round of
        # BEGIN/COMMIT. A refusal raised anywhere rolls it back: nothing of the batch stays.
        with engine.begin() as connection:
            caller = device_for_token(connection, authorization, device_id, lock=True)
            body = _parsed(decode_body(raw_body, content_encoding))
            sent = unchecked_batch(body)
            if sent is None:  # not spelled canonically: checked before anything else
                batch, check = _checked_batch(caller, body), None
            else:  # checked while PostgreSQL stores the rows; nothing is kept unless the checks pass
                batch, check = sent, partial(_checked_batch, caller, body)
            acked_through, last_hash, master = _ingest(connection, batch, caller, now, check)
    except _Conflict as conflict:
        _record_conflict(engine, conflict.device.id, conflict.device.outlet_id, conflict, now)
        raise conflict.error from None
    except IntegrityError:
        # Only a concurrent upload of another device carrying one of these event_ids gets here.
        raise ApiError(409, "duplicate_event_id", "an event_id of this batch is already stored for another "
                                                  "device or seq") from None
    except DataError:
        # PostgreSQL refusing a value (a running total pushed past BIGINT by absurd signed figures).
        raise ApiError(422, "bad_shape", "a figure in this batch is out of range for the city's totals") from None
    return build_ack(server_key, device_id=caller.id, acked_through=acked_through, last_hash=last_hash,
                     server_time=rfc3339(now), master_latest_version=master)


def _parsed(data: bytes) -> Any:
    try:
        return parse_body(data)
    except ProtocolError as exc:
        raise ApiError.from_protocol(exc) from None


def _checked_batch(caller: DeviceRecord, body: Any) -> ValidBatch:
    """The parsed body put through every protocol check, then matched to the caller's device and outlet."""
    try:
        batch = validate_body(body, caller.public_key)
    except ProtocolError as exc:
        raise ApiError.from_protocol(exc) from None
    if batch.device_id != caller.id:
        raise ApiError(403, "forbidden", "batch.device_id is not the device of the URL and token")
    if batch.outlet_id != caller.outlet_id:
        raise ApiError(403, "forbidden", "batch.outlet_id is not this device's outlet")
    for event in batch.events:
        if "\x00" in event["type"]:
            raise ApiError(422, "bad_shape", f"seq {event['seq']}: type contains a NUL character")
    return batch


def _ingest(connection: Connection, batch: ValidBatch, current: DeviceRecord, now: datetime,
            check: Callable[[], object] | None = None) -> tuple[int, str, int]:
    """Store `batch` and its effects; with `check`, `batch` is as sent and `check` runs the protocol's checks
    while the rows are copied, or, should anything fail before they ran, first: a malformed batch is answered
    as its first failed check says, never by what its malformation did to the storing. Nothing is kept
    either way unless the checks pass (the caller's transaction)."""
    checked = check is None

    def ensure_checked() -> None:
        nonlocal checked
        if not checked:
            checked = True
            assert check is not None
            check()

    try:
        result = _store(connection, batch, current, now, ensure_checked)
        ensure_checked()  # a batch of duplicates only stores nothing, yet is answered only once checked
    except Exception:
        ensure_checked()
        raise
    return result


def _store(connection: Connection, batch: ValidBatch, current: DeviceRecord, now: datetime,
           ensure_checked: Callable[[], None]) -> tuple[int, str, int]:
    last_seq, last_hash = current.last_seq, current.last_hash
    new: Sequence[dict[str, Any]] = batch.events
    if batch.from_seq <= last_seq:
        upto = min(batch.to_seq, last_seq)
        stored = dict(connection.execute(
            select(journal_event.c.seq, journal_event.c.hash).where(
                journal_event.c.device_id == current.id, journal_event.c.seq.between(batch.from_seq, upto))
        ).all())
        if batch.from_seq <= current.inherited_seq:
            stored.update(carried_hashes(connection, outlet_id=current.outlet_id, events=[
                event for event in batch.events if event["seq"] <= current.inherited_seq]))
        for event in batch.events[:upto - batch.from_seq + 1]:
            if stored.get(event["seq"]) != event["hash"]:
                seq = event["seq"]
                refused = ApiError(409, "fork", f"seq {seq} is already stored with a different hash: the device's "
                                                "journal has forked", seq=seq)
                raise _Conflict(current, refused,
                                "fork", seq, f"Journal perangkat bercabang pada seq {seq}: hash berbeda dari "
                                             "yang tersimpan. Unggahan ditolak; periksa apakah basis data gerai "
                                             "dipulihkan dari cadangan lama.")
        new = batch.events[upto - batch.from_seq + 1:]
    received = rfc3339(now)
    if new:
        first = new[0]
        if first["seq"] != last_seq + 1 or first["prev_hash"] != last_hash:
            why = (f"batch starts at seq {first['seq']}" if first["seq"] != last_seq + 1
                   else f"seq {first['seq']} does not link to the stored hash of seq {last_seq}")
            refused = ApiError(409, "gap", f"{why}; expected seq {last_seq + 1}", expected_seq=last_seq + 1)
            raise _Conflict(current, refused, "gap", last_seq + 1,
                            f"Celah journal: {why}; server menunggu seq {last_seq + 1}.")
        if last_seq == current.inherited_seq:
            # Nothing of its own stored yet: a till restored from a backup may be sending what the city already
            # holds under the device it was before.
            carried, source = carried_prefix(connection, outlet_id=current.outlet_id, device_id=current.id,
                                             events=new)
            if carried:
                last_seq, last_hash = new[carried - 1]["seq"], new[carried - 1]["hash"]
                carry_over(connection, outlet_id=current.outlet_id, device_id=current.id, source=source or "",
                           seq=last_seq, hash_=last_hash, now=received)
                new = new[carried:]
    if new:
        skip = len(batch.events) - len(new)  # the canonical body text was cut out when the batch was checked
        rows = [_row(event, batch.canonical_body(skip + i), batch, current.outlet_id, received)
                for i, event in enumerate(new)]
        collected: list[Any] = []

        def collect() -> None:  # while PostgreSQL stores the rows
            ensure_checked()
            collected.append(collect_facts(outlet_id=current.outlet_id, device_id=current.id, events=new, now=now))

        if store_rows(connection, rows, meanwhile=collect) != len(rows):
            raise ApiError(409, "duplicate_event_id", "an event_id of this batch is already stored for another "
                                                      "device or seq")
        write_facts(connection, collected[0])
        last_seq, last_hash = new[-1]["seq"], new[-1]["hash"]
    if connection.dialect.name == "postgresql":
        # The same four writes and read as below, in one round trip.
        master = finish_batch(connection, outlet_id=current.outlet_id, device_id=current.id,
                              batch_id=batch.batch_id, from_seq=batch.from_seq, to_seq=batch.to_seq,
                              stored=len(new), last_seq=last_seq, last_hash=last_hash,
                              last_device_time=utc_text(new[-1]["device_time"]) if new else None, now=received)
        return last_seq, last_hash, master
    if new:
        # The chain continues where the server expected it: an open gap flag of this device has healed.
        connection.execute(update(flag).where(
            flag.c.outlet_id == current.outlet_id, flag.c.resolved_at.is_(None), flag.c.device_id == current.id,
            flag.c.kind == "gap").values(resolved_at=received))
        connection.execute(update(device).where(device.c.id == current.id).values(
            last_seq=last_seq, last_hash=last_hash, last_sync_at=received,
            last_device_time=utc_text(new[-1]["device_time"])))
    else:
        connection.execute(update(device).where(device.c.id == current.id).values(last_sync_at=received))
    # batch_id is an audit record only (the events are the truth): a reused id keeps its first record.
    connection.execute(sqlite.insert(upload_batch).values(
        batch_id=batch.batch_id, device_id=current.id, from_seq=batch.from_seq, to_seq=batch.to_seq,
        stored=len(new), received_at=received).on_conflict_do_nothing())
    master = connection.execute(select(func.coalesce(func.max(master_version.c.version), 0))).scalar_one()
    return last_seq, last_hash, int(master)


def _row(event: dict[str, Any], body: str, batch: ValidBatch, outlet_id: str, received: str) -> dict[str, Any]:
    return {
        "device_id": batch.device_id, "seq": event["seq"], "event_id": event["event_id"], "outlet_id": outlet_id,
        "type": event["type"], "schema_v": event["schema_v"], "device_time": event["device_time"],
        "master_version": event["master_version"], "body": body,
        "prev_hash": event["prev_hash"], "hash": event["hash"], "batch_id": batch.batch_id, "received_at": received,
    }


def _record_conflict(engine: Engine, device_id: str, outlet_id: str, conflict: _Conflict, now: datetime) -> None:
    """The fork/gap flag (one open flag per device and kind — per seq for a fork) and a fork's marker."""
    with engine.begin() as connection:
        locked = select(device.c.id).where(device.c.id == device_id)
        if connection.dialect.name == "postgresql":
            locked = locked.with_for_update()
        connection.execute(locked)
        if conflict.kind == "fork":
            connection.execute(update(device).where(device.c.id == device_id).values(forked_at_seq=case(
                (device.c.forked_at_seq.is_(None) | (device.c.forked_at_seq > conflict.seq), conflict.seq),
                else_=device.c.forked_at_seq)))
        open_flag = select(flag.c.id).where(flag.c.device_id == device_id, flag.c.kind == conflict.kind,
                                            flag.c.resolved_at.is_(None))
        if conflict.kind == "fork":
            open_flag = open_flag.where(flag.c.seq == conflict.seq)
        if connection.execute(open_flag.limit(1)).first() is None:
            connection.execute(flag.insert().values(
                outlet_id=outlet_id, device_id=device_id, seq=conflict.seq, kind=conflict.kind,
                detail=conflict.detail, created_at=rfc3339(now)))
