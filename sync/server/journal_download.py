"""`GET /v1/outlets/{id}/journal`: a device's stored events, signed, for a till restored from a backup.

An extension of SYNC_PROTOCOL.md version 1 (README "Taking back the city's events after a restore"). A till
restored from an old backup and enrolled again as a new device asks for the events its old device uploaded
after the backup, so the sales, stock and cash the city already holds come back to the till. Only a current (active) device of
the same outlet may read, and only devices of its own outlet. Every event is rebuilt exactly as it was
uploaded: the body is stored as its canonical text, so parsing it back gives the same `canon` bytes and the
event's hash verifies; the client checks the chain and the server's signature before applying anything.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Engine, select

from sync.protocol.keys import Ed25519PrivateKey, sign
from sync.server.device_auth import device_for_token
from sync.server.errors import ApiError
from sync.server.store.schema import device, journal_event

MAX_PAGE = 500
"""Events per page, as a batch upload's limit."""

_EVENT_COLUMNS = (journal_event.c.seq, journal_event.c.event_id, journal_event.c.type, journal_event.c.schema_v,
                  journal_event.c.device_time, journal_event.c.master_version, journal_event.c.body,
                  journal_event.c.prev_hash, journal_event.c.hash)


def journal_page(engine: Engine, *, outlet_id: str, authorization: str | None, device_id: str, after: int,
                 limit: int, server_key: Ed25519PrivateKey) -> dict[str, Any]:
    """The signed body: `device_id`'s events with seq > `after`, at most `limit` of them, in seq order.

    401 unknown token; 403 a revoked caller, a caller of another outlet, or a device that is not of the
    caller's outlet (an unknown id answers the same: nothing about another outlet leaks).
    """
    limit = max(1, min(limit, MAX_PAGE))
    if "\x00" in device_id:
        raise ApiError(422, "bad_request", "device contains a NUL character")  # PostgreSQL text refuses NUL
    with engine.connect() as connection:
        caller = device_for_token(connection, authorization)
        if caller.outlet_id != outlet_id:
            raise ApiError(403, "forbidden", "the token belongs to a device of another outlet")
        owner = connection.execute(select(device.c.outlet_id, device.c.last_seq).where(device.c.id == device_id)
                                   ).first()
        if owner is None or owner.outlet_id != outlet_id:
            # The same answer for "no such device" and "a device of another outlet": nothing leaks across.
            raise ApiError(403, "forbidden", "no device of this outlet has that id")
        rows: list[Any] = []
        for holder, lower, upper in _segments(connection, device_id, after, outlet_id):
            query = (select(*_EVENT_COLUMNS).where(journal_event.c.device_id == holder, journal_event.c.seq > lower)
                     .order_by(journal_event.c.seq).limit(limit + 1 - len(rows)))
            if upper is not None:
                query = query.where(journal_event.c.seq <= upper)
            rows.extend(connection.execute(query).all())
            if len(rows) > limit:
                break
    more = len(rows) > limit
    events = [_event(row) for row in rows[:limit]]
    body: dict[str, Any] = {"device_id": device_id, "events": events, "last_seq": int(owner.last_seq),
                            "more": more}
    body["sig"] = sign(server_key, body)
    return body


def _segments(connection: Connection, device_id: str, after: int, outlet_id: str) -> list[tuple[str, int, int | None]]:
    """`(holder, after, through)` in seq order: the device's journal is its own rows above `inherited_seq`
    and, below it, the rows of the device it continued (itself perhaps a restored till: followed back)."""
    chain: list[tuple[str, int, int | None]] = []
    current, upper, seen = device_id, None, set()
    while current not in seen:
        seen.add(current)
        row = connection.execute(select(device.c.inherited_seq, device.c.inherited_from, device.c.outlet_id)
                                 .where(device.c.id == current)).first()
        if row is None or row.outlet_id != outlet_id:
            break
        lower = int(row.inherited_seq)
        chain.append((current, max(after, lower), upper))
        if after >= lower or not row.inherited_from:
            break
        current, upper = row.inherited_from, lower
    return list(reversed(chain))


def _event(row: Any) -> dict[str, Any]:
    """One stored event in the protocol's shape; the body parsed back from its canonical text."""
    return {"seq": int(row.seq), "event_id": row.event_id, "type": row.type, "schema_v": int(row.schema_v),
            "device_time": row.device_time, "master_version": int(row.master_version),
            "body": json.loads(row.body), "prev_hash": row.prev_hash, "hash": row.hash}
