"""Opening the outlet database: engine, PRAGMAs, explicit transactions, migrations at start-up."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported only when a migration has to run: its import costs ~0.13 s of every start-up.
# A test checks this constant against the migration scripts' head.
HEAD_REVISION = "0007_nik_encrypted"

BUSY_TIMEOUT_MS = 5_000
DB_FILENAME = "kkmp_pos.sqlite3"

WAL_AUTOCHECKPOINT_PAGES = 4_000
"""SQLite's own checkpoint runs inside whichever commit crosses this many WAL pages (~16 MB): only a cap for a
till that never idles. Normally the idle checkpoint (services.maintenance) empties the WAL long before, so
no sale at the counter pays for a checkpoint (SQLite's default, 1,000 pages, hit a sale every ~40)."""
JOURNAL_SIZE_LIMIT_BYTES = 4 * 1024 * 1024
"""Once checkpointed, the WAL file is cut back to this size when it restarts, instead of keeping its peak."""

# Applied on every new connection: durable commits (power cuts are normal) and enforced references.
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}",
    f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT_BYTES}",
)

BEGIN_OPTION = "sqlite_begin"
"""Execution option: "IMMEDIATE" for writers (take the write lock up front, no upgrade deadlock),
"DEFERRED" for reads that need a snapshot, None for autocommit reads (no BEGIN at all)."""


# Virtual tables and their shadow tables are made by hand in migrations; schema comparison skips them.
SEARCH_TABLE_PREFIX = "product_search"


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    """Alembic filter: everything but the full-text search tables."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_TABLE_PREFIX))


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # We issue BEGIN ourselves (SQLAlchemy's pysqlite recipe) so BEGIN IMMEDIATE is possible.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _on_begin(connection: Connection) -> None:
    mode = connection.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
    if mode is not None:
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(path: Path) -> Engine:
    """An engine on the SQLite file at `path` with the outlet's PRAGMAs; does not migrate."""
    url = URL.create("sqlite+pysqlite", database=str(path))
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "kkmp_pos.store:migrations")
    return config


def head_revision() -> str:
    """The newest migration script's revision (reads the scripts; tests and migrations only)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the file is at, or None for a new (or pre-Alembic) file."""
    with engine.connect() as connection:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except OperationalError:  # no alembic_version table yet
            return None


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` in one transaction (SQLite DDL is transactional).

    Batch migrations rebuild tables (copy, DROP, rename); with foreign keys on, dropping a table that rows of
    another table refer to fails ("FOREIGN KEY constraint failed": every till with a sale could not upgrade).
    SQLite's own recipe (sqlite.org/lang_altertable.html, "other kinds of table schema changes"): keys off
    outside the transaction, `foreign_key_check` before the commit, keys back on for the pooled connection.
    """
    from alembic import command

    config = alembic_config()
    with engine.connect() as connection:
        connection.execution_options(**{BEGIN_OPTION: None})  # PRAGMA foreign_keys is a no-op inside BEGIN
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        try:
            connection.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration to {revision} left broken references: {broken[:5]}")
            connection.commit()
        finally:
            connection.rollback()  # no-op after the commit; undoes everything after a failure
            connection.execution_options(**{BEGIN_OPTION: None})
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def open_store(path: Path) -> Engine:
    """Open (creating if needed) the database at `path` and migrate it to the current schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(path)
    revision = current_revision(engine)
    if revision != HEAD_REVISION:
        if revision is not None:
            backup_before_migration(path)
        migrate(engine)
    return engine


def backup_before_migration(path: Path) -> Path:
    """A checked copy of a file with data in `<its folder>/backups` before its schema changes (never skipped:
    a migration that goes wrong on a shop's only copy would lose the shop's history)."""
    from datetime import datetime, timezone

    from kkmp_pos.store.backup_file import BACKUP_DIRNAME, make_named_backup

    report, _record = make_named_backup(path, path.parent / BACKUP_DIRNAME, datetime.now(timezone.utc),
                                        "pre-migration")
    return report.path
