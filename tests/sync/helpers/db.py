"""Reading the city database back in tests: what is stored, per device, and a fingerprint of every write."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from sync.server.store.schema import device, flag, journal_event, upload_batch


def stored_chain(engine: Engine, device_id: str) -> list[tuple[int, str]]:
    """(seq, hash) of every stored event of the device, in seq order."""
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(journal_event.c.seq, journal_event.c.hash).where(journal_event.c.device_id == device_id)
            .order_by(journal_event.c.seq))]


def device_position(engine: Engine, device_id: str) -> tuple[int, str, int | None]:
    with engine.connect() as connection:
        row = connection.execute(select(device.c.last_seq, device.c.last_hash, device.c.forked_at_seq)
                                 .where(device.c.id == device_id)).one()
    return row[0], row[1], row[2]


def write_fingerprint(engine: Engine) -> dict[str, Any]:
    """Counts of every table an upload writes, and every device's position: equal before and after = no write."""
    with engine.connect() as connection:
        counts = {table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                  for table in (journal_event, upload_batch, flag)}
        positions = sorted(tuple(row) for row in connection.execute(
            select(device.c.id, device.c.last_seq, device.c.last_hash, device.c.last_sync_at,
                   device.c.forked_at_seq, device.c.status)))
    return {**counts, "devices": positions}
