"""One upload round: unacknowledged journal events, in seq order, as signed batches to the city server."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.sync_link import (
    ACKED_THROUGH,
    BLOCKED,
    DEVICE_ID,
    LAST_ERROR,
    LAST_SUCCESS_AT,
    OUTLET_ID,
    PENDING_BATCH,
    SERVER_PUBLIC_KEY,
    SERVER_URL,
    ClientFactory,
    Identity,
    default_client,
    json_setting,
    load_identity,
    load_sync_settings,
    require_manager,
    write_settings,
)
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import JournalEvent
from sync.client.errors import BadRequest, Fork, Gap, Refused, SyncError
from sync.client.transport import CityClient, compress_body
from sync.protocol.batch import MAX_BODY_BYTES, MAX_EVENTS, signed_wire
from sync.protocol.errors import ProtocolError
from sync.protocol.receipts import verify_ack

log = logging.getLogger(__name__)

ONLINE, OFFLINE, BLOCKED_STATE, NOT_ENROLLED = "online", "offline", "blocked", "not_enrolled"
MAX_GAP_RESENDS = 3
LAST_RECEIPT = "sync.last_receipt"
"""The newest signed receipt as JSON (device_id, acked_through, last_hash, server_time, receipt_sig): evidence,
checked by journal_check, that the city holds the chain up to there — a journal cut shorter is caught."""
"""Gap answers followed within one round; more means something is wrong: try again next round."""

_journal = JournalEvent.__table__
_EVENT_COLUMNS = [_journal.c[name] for name in
                  ("seq", "event_id", "type", "schema_v", "device_time", "master_version", "body", "prev_hash",
                   "hash")]


def utc_text(moment: datetime) -> str:
    """RFC 3339 in UTC with `Z`, as stored."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    state: str
    """online, offline, blocked or not_enrolled."""
    sent: int = 0
    """Events acknowledged in this round."""
    acked_through: int = 0
    contacted: bool = False
    """Whether the server answered at all (nothing waiting: no request was made)."""
    detail: str = ""
    master_latest_version: int | None = None


def last_seq(ctx: PosContext) -> int:
    with reading(ctx.engine) as connection:
        return int(connection.execute(select(func.coalesce(func.max(_journal.c.seq), 0))).scalar_one())


def read_pending(ctx: PosContext, start: int, limit: int = MAX_EVENTS) -> tuple[list[dict[str, Any]], list[str]]:
    """Up to `limit` events from seq `start` on, as protocol dicts (never edited, never deleted), and each body's
    canonical text as the journal stores it: what the batch carries."""
    with reading(ctx.engine) as connection:
        rows = connection.execute(
            select(*_EVENT_COLUMNS).where(_journal.c.seq >= start).order_by(_journal.c.seq).limit(limit)
        ).mappings().all()
    return [{**row, "body": json.loads(row["body"])} for row in rows], [row["body"] for row in rows]


def _batch_body(identity: Identity, outlet_id: str, events: list[dict[str, Any]], texts: list[str],
                pending: dict[str, Any] | None, now: datetime) -> tuple[bytes, list[dict[str, Any]], dict[str, Any]]:
    """The signed request bytes, the events they carry and their pending record; a batch that went unanswered
    is rebuilt byte for byte."""
    while True:
        if pending and pending.get("from_seq") == events[0]["seq"] and 0 < pending.get("count", 0) <= len(events):
            events, texts = events[:pending["count"]], texts[:pending["count"]]
            batch_id, sent_at = pending["batch_id"], pending["sent_at"]
        else:
            pending = None
            batch_id, sent_at = str(uuid.uuid4()), utc_text(now)
        wire = signed_wire(identity.private_key, device_id=identity.device_id, outlet_id=outlet_id, events=events,
                           batch_id=batch_id, sent_at=sent_at, body_texts=texts)
        if len(events) == 1 or len(compress_body(wire)) <= MAX_BODY_BYTES:
            record = {"batch_id": batch_id, "sent_at": sent_at, "from_seq": events[0]["seq"],
                      "count": len(events)}
            return wire, events, record
        pending = None
        events, texts = events[:len(events) // 2], texts[:len(texts) // 2]


def _save(ctx: PosContext, values: dict[str, str]) -> None:
    with ctx.unit_of_work() as uow:
        write_settings(uow.connection, values)
        uow.commit()


def block(ctx: PosContext, kind: str, detail: str, seq: int | None = None) -> str:
    """Stop uploading until a manager resolves it; returns the stored JSON."""
    reason = json.dumps({"kind": kind, "seq": seq, "detail": detail, "at": utc_text(ctx.clock())},
                        sort_keys=True, ensure_ascii=False)
    _save(ctx, {BLOCKED: reason, PENDING_BATCH: ""})
    log.warning("sync blocked: %s", reason)
    return reason


def clear_block(ctx: PosContext, user: Cashier) -> None:
    """The manager's "Selesaikan": uploading resumes at the next round (a fork will come back unless fixed)."""
    require_manager(user)
    if not json_setting(load_sync_settings(ctx).get(BLOCKED)):
        raise InvalidInput("Sinkronisasi tidak sedang terhenti; tidak ada yang perlu diselesaikan.")
    _save(ctx, {BLOCKED: "", LAST_ERROR: ""})


def upload_round(ctx: PosContext, client_factory: ClientFactory = default_client, *,
                 max_batches: int | None = None) -> UploadOutcome:
    """Send everything waiting, batch after batch, until done, offline or blocked."""
    values = load_sync_settings(ctx)
    identity = load_identity(ctx)
    if identity is None or not values.get(DEVICE_ID):
        return UploadOutcome(state=NOT_ENROLLED)
    acked = int(values.get(ACKED_THROUGH) or 0)
    if json_setting(values.get(BLOCKED)):
        return UploadOutcome(state=BLOCKED_STATE, acked_through=acked, detail=values.get(BLOCKED, ""))
    with client_factory(values[SERVER_URL], identity.token) as client:
        return _upload(ctx, client, identity, values, acked, max_batches)


def _upload(ctx: PosContext, client: CityClient, identity: Identity, values: dict[str, str], acked: int,
            max_batches: int | None) -> UploadOutcome:
    server_key, outlet_id = values[SERVER_PUBLIC_KEY], values[OUTLET_ID]
    pending = json_setting(values.get(PENDING_BATCH))
    sent = batches = gaps = 0
    resume_from: int | None = None
    contacted = False
    master_latest: int | None = None
    while max_batches is None or batches < max_batches:
        events, texts = read_pending(ctx, resume_from or acked + 1)
        if not events:
            break
        wire, events, record = _batch_body(identity, outlet_id, events, texts, pending, ctx.clock())
        _save(ctx, {PENDING_BATCH: json.dumps(record, sort_keys=True)})
        try:
            answer = client.upload(identity.device_id, wire)
        except Gap as gap:
            contacted, pending = True, None
            gaps += 1
            if gaps > MAX_GAP_RESENDS:
                _save(ctx, {LAST_ERROR: f"gap: {gap}", PENDING_BATCH: ""})
                return UploadOutcome(state=OFFLINE, sent=sent, acked_through=acked, contacted=True,
                                     detail=str(gap))
            if gap.expected_seq == events[0]["seq"] > 1:
                # We sent exactly what it expects, yet it does not link to the stored chain: resend one stored
                # event with it, so the server compares that event's hash and answers fork (or accepts).
                resume_from = gap.expected_seq - 1
                _save(ctx, {PENDING_BATCH: ""})
            elif gap.expected_seq <= acked + 1:
                # The server lost what it acknowledged (restored from a backup): send it again.
                acked, resume_from = max(gap.expected_seq - 1, 0), None
                _save(ctx, {ACKED_THROUGH: str(acked), PENDING_BATCH: ""})
            else:
                resume_from = gap.expected_seq  # the cursor only moves forward on a signed receipt
                _save(ctx, {PENDING_BATCH: ""})
            continue
        except Fork as fork:
            detail = block(ctx, "fork", fork.detail or str(fork), fork.seq)
            return UploadOutcome(state=BLOCKED_STATE, sent=sent, acked_through=acked, contacted=True, detail=detail)
        except (Refused, BadRequest) as exc:
            kind = "refused" if isinstance(exc, Refused) else "bad_request"
            detail = block(ctx, kind, f"{exc.status} {exc.code}: {exc.detail}")
            return UploadOutcome(state=BLOCKED_STATE, sent=sent, acked_through=acked, contacted=True, detail=detail)
        except SyncError as exc:  # offline, 5xx/429 after retries, TLS, an odd answer: try again next round
            _save(ctx, {LAST_ERROR: str(exc)})
            return UploadOutcome(state=OFFLINE, sent=sent, acked_through=acked, contacted=contacted,
                                 detail=str(exc))
        contacted = True
        try:
            receipt = verify_ack(server_key, device_id=identity.device_id, ack=answer)
        except ProtocolError as exc:
            # Not acknowledged, so nothing is marked sent; the same events go again next round. A garbled
            # answer heals by itself; one that keeps failing stays visible as the last error.
            _save(ctx, {LAST_ERROR: f"bad_receipt: {exc.detail}"})
            return UploadOutcome(state=OFFLINE, sent=sent, acked_through=acked, contacted=True,
                                 detail=f"bad_receipt: {exc.detail}")
        first, last = events[0]["seq"], events[-1]["seq"]
        if first <= receipt.acked_through <= last and \
                events[receipt.acked_through - first]["hash"] != receipt.last_hash:
            detail = block(ctx, "fork", "acknowledged hash differs from this device's journal",
                           receipt.acked_through)
            return UploadOutcome(state=BLOCKED_STATE, sent=sent, acked_through=acked, contacted=True, detail=detail)
        new_acked = min(receipt.acked_through, last)
        sent += max(new_acked - acked, 0)
        master_latest = receipt.master_latest_version
        signed = {"device_id": receipt.device_id, "acked_through": receipt.acked_through,
                  "last_hash": receipt.last_hash, "server_time": receipt.server_time,
                  "receipt_sig": receipt.receipt_sig}
        _save(ctx, {ACKED_THROUGH: str(new_acked), LAST_SUCCESS_AT: utc_text(ctx.clock()), LAST_ERROR: "",
                    PENDING_BATCH: "", LAST_RECEIPT: json.dumps(signed, sort_keys=True)})
        pending, resume_from = None, None
        batches += 1
        stalled = new_acked < last
        acked = new_acked
        if stalled:
            log.warning("server acknowledged through %d of %d..%d; stopping this round", new_acked, first, last)
            break
    return UploadOutcome(state=ONLINE, sent=sent, acked_through=acked, contacted=contacted,
                         master_latest_version=master_latest)
