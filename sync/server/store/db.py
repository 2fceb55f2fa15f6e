"""Opening the city database from a URL: PostgreSQL (psycopg 3) in production, an SQLite file for a demo."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

DB_ENV = "KKMP_CITY_DB"
DEFAULT_SQLITE_NAME = "kkmp_city.sqlite3"


def default_url() -> str:
    """The embedded default: an SQLite file in the current directory, so a demo needs nothing else."""
    return f"sqlite+pysqlite:///{Path.cwd() / DEFAULT_SQLITE_NAME}"


def database_url(cli_value: str | None = None) -> str:
    """`--db URL`, else `KKMP_CITY_DB`, else the embedded SQLite default."""
    return cli_value or os.environ.get(DB_ENV) or default_url()


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # We issue BEGIN ourselves so every write transaction is BEGIN IMMEDIATE: ingest reads the device's last
    # seq and then writes; two server processes must not both read the same last seq.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON",
                   "PRAGMA busy_timeout=30000"):
        cursor.execute(pragma)
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """An engine for `url` (does not migrate). SQLite gets WAL and IMMEDIATE transactions."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed, pool_size=10, max_overflow=20, pool_pre_ping=True)
    raise ValueError(f"unsupported database URL {url!r}: use postgresql+psycopg://… or sqlite:///…")


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (a no-op when it is there already)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "sync.server.store:migrations")
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()


def open_database(url: str | None = None) -> Engine:
    """`database_url(url)` opened and migrated."""
    engine = make_engine(database_url(url))
    migrate(engine)
    return engine
