"""The bench's floor: the same journal rows bulk-loaded the bare way (PostgreSQL `COPY`, SQLite one executemany)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    select,
)

from sync.server.store.db import is_postgres
from sync.server.store.schema import journal_event

FLOOR_TABLE = "bench_floor_journal"
COLUMNS = tuple(column.name for column in journal_event.columns)


def floor_table(name: str = FLOOR_TABLE) -> Table:
    """A table shaped like journal_event with the same keys and index (no foreign key: the floor is bare)."""
    return Table(
        name, MetaData(),
        *(Column(column.name, column.type, nullable=column.nullable) for column in journal_event.columns),
        PrimaryKeyConstraint("device_id", "seq", name=f"pk_{name}"),
        UniqueConstraint("event_id", name=f"uq_{name}_event_id"),
        Index(f"ix_{name}_outlet_type", "outlet_id", "type"),
    )


def stored_rows(engine: Engine, device_ids: Sequence[str]) -> list[tuple[Any, ...]]:
    """The journal_event rows the server stored for these devices, in column order."""
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(*journal_event.columns).where(journal_event.c.device_id.in_(list(device_ids)))
            .order_by(journal_event.c.device_id, journal_event.c.seq))]


def _fresh(engine: Engine) -> Table:
    table = floor_table()
    table.drop(engine, checkfirst=True)
    table.create(engine)
    return table


def copy_seconds(engine: Engine, rows: Sequence[tuple[Any, ...]]) -> float:
    """Seconds to load `rows` into a fresh empty floor table and commit: `COPY` on PostgreSQL, else executemany."""
    table = _fresh(engine)
    try:
        raw = engine.raw_connection()
        try:
            driver = raw.driver_connection
            if is_postgres(engine):
                started = time.perf_counter()
                statement = f"COPY {FLOOR_TABLE} ({', '.join(COLUMNS)}) FROM STDIN"
                with driver.cursor() as cursor, cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
                driver.commit()
                return time.perf_counter() - started
            cursor = driver.cursor()
            marks = ", ".join("?" for _ in COLUMNS)
            started = time.perf_counter()
            cursor.execute("BEGIN IMMEDIATE")
            cursor.executemany(f"INSERT INTO {FLOOR_TABLE} ({', '.join(COLUMNS)}) VALUES ({marks})", rows)
            cursor.execute("COMMIT")
            elapsed = time.perf_counter() - started
            cursor.close()
            return elapsed
        finally:
            raw.close()
    finally:
        table.drop(engine, checkfirst=True)
