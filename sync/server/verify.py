"""`verify --outlet`: re-hash every stored event of each of an outlet's devices and report the first bad seq."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Final

from sqlalchemy import Connection, Engine, func, select

from sync.protocol.canonical import first_bad_seq
from sync.server.store.schema import device, journal_event

CHUNK: Final = 2000
"""Rows fetched per query: a device with years of events is walked in constant memory."""
_EVENT_COLUMNS: Final = ("seq", "event_id", "type", "schema_v", "device_time", "master_version", "body",
                         "prev_hash", "hash")


def _stored_events(connection: Connection, device_id: str, seen: list[Any]) -> Iterator[dict[str, Any]]:
    """The device's stored rows in seq order as protocol events (the body parsed back from its canon text).

    Each chunk is its own short transaction: stored events never change, and on SQLite (where every
    transaction is BEGIN IMMEDIATE) a long verify must not hold the write lock against ingest.
    """
    columns = [journal_event.c[name] for name in _EVENT_COLUMNS]
    after = 0
    while True:
        rows = connection.execute(
            select(*columns).where(journal_event.c.device_id == device_id, journal_event.c.seq > after)
            .order_by(journal_event.c.seq).limit(CHUNK)
        ).mappings().all()
        connection.commit()
        if not rows:
            return
        for row in rows:
            event = dict(row)
            try:
                event["body"] = json.loads(event["body"])
            except ValueError:
                event["body"] = None  # not even JSON: the chain check below reports this seq
            seen[0], seen[1] = event["seq"], event["hash"]
            yield event
        after = rows[-1]["seq"]


def verify_device(connection: Connection, device_id: str) -> dict[str, Any]:
    """One device's chain from seq 1 (or from where it continues another device's journal, whose stored event
    there must still carry the hash it was continued from): events walked, first bad seq (None when it holds)."""
    position = connection.execute(select(
        device.c.last_seq, device.c.last_hash, device.c.inherited_seq, device.c.inherited_hash,
        device.c.inherited_from).where(device.c.id == device_id)).one()
    count = connection.execute(select(func.count()).select_from(journal_event)
                               .where(journal_event.c.device_id == device_id)).scalar_one()
    base_seq, base_hash = position.inherited_seq, position.inherited_hash
    carried_intact = base_seq == 0 or connection.execute(select(func.count()).select_from(journal_event).where(
        journal_event.c.device_id == position.inherited_from, journal_event.c.seq == base_seq,
        journal_event.c.hash == base_hash)).scalar_one() == 1
    connection.commit()
    if not carried_intact:
        return {"device_id": device_id, "events": int(count), "first_bad_seq": base_seq, "ok": False}
    seen: list[Any] = [base_seq, base_hash]
    bad = first_bad_seq(_stored_events(connection, device_id, seen), start_hash=base_hash, start_seq=base_seq + 1)
    if bad is None and (seen[0], seen[1]) != (position.last_seq, position.last_hash):
        # The chain holds but stops short of (or runs past) what the device row says was acknowledged.
        bad = min(seen[0], position.last_seq) + 1
    return {"device_id": device_id, "events": int(count), "first_bad_seq": bad, "ok": bad is None}


def verify_outlet(engine: Engine, outlet_id: str) -> dict[str, Any]:
    """`{"outlet_id", "devices": [{"device_id", "events", "first_bad_seq", "ok"}], "ok"}` for every device.

    `events` is the number of stored rows of the device. Read-only.
    """
    with engine.connect() as connection:
        devices = connection.execute(
            select(device.c.id).where(device.c.outlet_id == outlet_id).order_by(device.c.enrolled_at, device.c.id)
        ).scalars().all()
        results = [verify_device(connection, device_id) for device_id in devices]
        connection.rollback()
    return {"outlet_id": outlet_id, "devices": results, "ok": all(item["ok"] for item in results)}
