"""A till restored from a backup and enrolled again as a new device continues its old device's journal.

Its journal's first events are already in the city under the device it was before: recognised by event id,
seq and hash (a hash covers the whole chain before it), they are acknowledged without being stored or counted
again, and the new device's own events link on from there. The old device's events after that point, which the
restored till no longer has, stay where they are; a `restored` flag tells the Dinas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select, update

from sync.server.store.schema import device, flag, journal_event


def carried_prefix(connection: Connection, *, outlet_id: str, device_id: str,
                   events: Sequence[dict[str, Any]]) -> tuple[int, str | None]:
    """How many leading `events` another device of the outlet already holds with the same id, seq and hash,
    and which device holds the last of them."""
    columns = (journal_event.c.event_id, journal_event.c.device_id, journal_event.c.seq, journal_event.c.hash)
    # Every new device's first upload asks; almost always the first event is not carried, and one key lookup says
    # so (the IN list of a whole batch cost ~8 ms on PostgreSQL).
    if not events or connection.execute(select(journal_event.c.event_id).where(
            journal_event.c.event_id == events[0]["event_id"], journal_event.c.outlet_id == outlet_id)).first() is None:
        return 0, None
    rows = connection.execute(select(*columns).where(
        journal_event.c.event_id.in_([event["event_id"] for event in events]),
        journal_event.c.outlet_id == outlet_id)).all()
    found = {row.event_id: row for row in rows}
    count, source = 0, None
    for event in events:
        row = found.get(event["event_id"])
        if row is None or row.device_id == device_id or row.seq != event["seq"] or row.hash != event["hash"]:
            break
        count, source = count + 1, row.device_id
    return count, source


def carried_hashes(connection: Connection, *, outlet_id: str, events: Sequence[dict[str, Any]]) -> dict[int, str]:
    """`{seq: hash}` as the outlet's devices hold these events (by id): a resent carried event is a duplicate when
    its seq and hash match, a fork otherwise."""
    return dict(connection.execute(select(journal_event.c.seq, journal_event.c.hash).where(
        journal_event.c.event_id.in_([event["event_id"] for event in events]),
        journal_event.c.outlet_id == outlet_id)).all())


def carry_over(connection: Connection, *, outlet_id: str, device_id: str, source: str, seq: int, hash_: str,
               now: str) -> None:
    """Record that `device_id` continues `source`'s journal through `seq`, and flag it once for the Dinas."""
    connection.execute(update(device).where(device.c.id == device_id).values(
        inherited_seq=seq, inherited_hash=hash_, inherited_from=source, last_seq=seq, last_hash=hash_))
    flagged = connection.execute(select(func.count()).select_from(flag).where(
        flag.c.device_id == device_id, flag.c.kind == "restored")).scalar_one()
    if flagged:
        return
    names = dict(connection.execute(select(device.c.id, device.c.name).where(device.c.id.in_([device_id, source]))
                                    ).all())
    old_last = connection.execute(select(device.c.last_seq).where(device.c.id == source)).scalar_one()
    connection.execute(flag.insert().values(
        outlet_id=outlet_id, device_id=device_id, seq=seq, kind="restored", created_at=now,
        detail=f"Perangkat {names.get(device_id, device_id)!r} melanjutkan jurnal perangkat "
               f"{names.get(source, source)!r} dari seq {seq} (basis data gerai dipulihkan dari cadangan). "
               f"{max(old_last - seq, 0)} peristiwa perangkat lama sesudah seq {seq} tidak ada di cadangan itu; "
               "semuanya tetap tersimpan di server, gerai dapat mengambilnya kembali, dan tidak ada yang "
               "dihitung ganda."))
