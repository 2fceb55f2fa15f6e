"""Storing a batch's new journal rows set-wise: COPY + INSERT … SELECT on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from sync.server.store.schema import journal_event

COLUMNS: Final = tuple(column.name for column in journal_event.columns)
USE_COPY = True
"""PostgreSQL: COPY into a session temp table, then one INSERT … SELECT … ON CONFLICT DO NOTHING.

Measured here for 500 sale events: COPY + INSERT 11.5 ms, executemany (insertmanyvalues + RETURNING)
39.5 ms, one `.values(list)` statement 150 ms (SQLAlchemy compiling 6,500 bind parameters).
"""

_STAGING = "kkmp_journal_staging"
_CREATE_STAGING = (
    f"CREATE TEMP TABLE IF NOT EXISTS {_STAGING} (LIKE journal_event INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
)
_COPY = f"COPY {_STAGING} ({', '.join(COLUMNS)}) FROM STDIN"
_MOVE = (f"INSERT INTO journal_event ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} FROM {_STAGING} "
         f"ORDER BY seq ON CONFLICT DO NOTHING")


def store_rows(connection: Connection, rows: Sequence[dict[str, Any]], *, use_copy: bool | None = None) -> int:
    """Insert `rows` (journal_event columns) skipping conflicts; returns how many were stored.

    A conflict can only be another device's event with the same `event_id` (the device row is locked and
    its seqs checked): the caller compares the count with `len(rows)` and refuses the batch.
    """
    if not rows:
        return 0
    if connection.dialect.name == "postgresql" and (USE_COPY if use_copy is None else use_copy):
        return _copy(connection, rows)
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    # executemany of one cached statement: SQLAlchemy batches it into multi-row VALUES ("insertmanyvalues")
    # itself. Building `.values(list)` instead costs ~75–150 ms per 500 rows just to compile. RETURNING
    # counts what was stored (psycopg's executemany rowcount is -1).
    stmt = dialect.insert(journal_event).on_conflict_do_nothing().returning(journal_event.c.seq)
    return len(connection.execute(stmt, list(rows)).all())


def _copy(connection: Connection, rows: Sequence[dict[str, Any]]) -> int:
    raw = connection.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor:
        # Per pooled session; ON COMMIT DELETE ROWS empties it and a rollback takes the rows (or the table) back.
        cursor.execute(_CREATE_STAGING)
        with cursor.copy(_COPY) as copy:
            for row in rows:
                copy.write_row(tuple(row[name] for name in COLUMNS))
        cursor.execute(_MOVE)
        return int(cursor.rowcount)
