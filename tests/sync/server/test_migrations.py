"""The Alembic migrations build exactly `schema.metadata` on SQLite and PostgreSQL, and can be undone."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from sync.server.store.db import make_engine, migrate
from sync.server.store.schema import metadata


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", "sync.server.store:migrations")
    return config


def _diff(engine) -> list:  # type: ignore[no-untyped-def]
    # Server defaults are compared on PostgreSQL only: SQLite reflects '' as "''" and alembic calls that a change.
    opts = {"compare_type": True, "compare_server_default": engine.dialect.name == "postgresql"}
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection, opts=opts), metadata)


HEAD = "0004"


def test_one_head() -> None:
    script = ScriptDirectory.from_config(_config())
    assert script.get_heads() == [HEAD]


def test_empty_database_migrates_to_exactly_the_metadata(city_db_url: str) -> None:
    engine = make_engine(city_db_url)
    try:
        migrate(engine)
        assert _diff(engine) == []
        tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert tables == set(metadata.tables)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD
    finally:
        engine.dispose()


def test_migrate_twice_is_a_no_op_and_keeps_rows(city_db_url: str) -> None:
    engine = make_engine(city_db_url)
    try:
        migrate(engine)
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO server_setting (key, value) VALUES ('k', 'v')"))
        migrate(engine)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT value FROM server_setting")).scalar_one() == "v"
    finally:
        engine.dispose()


def test_downgrade_to_base_and_up_again(city_db_url: str) -> None:
    engine = make_engine(city_db_url)
    try:
        migrate(engine)
        config = _config()
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
            connection.commit()
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate(engine)
        assert _diff(engine) == []
    finally:
        engine.dispose()


def test_env_refuses_to_run_without_a_connection() -> None:
    with pytest.raises(RuntimeError, match="migrate"):
        command.upgrade(_config(), "head")


def test_a_0001_database_with_a_device_upgrades_and_keeps_it(city_db_url: str) -> None:
    engine = make_engine(city_db_url)
    try:
        config = _config()
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")
            connection.execute(text(
                "INSERT INTO outlet (id, name, kelurahan_code, created_at) VALUES "
                "('00000000-0000-4000-8000-000000000001', 'KKMP Lempake', '64.72.05.1003', '2026-11-30T00:00:00Z')"))
            connection.execute(text(
                "INSERT INTO device (id, outlet_id, name, public_key, token_hash, enrolled_at, last_seq) VALUES "
                "('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'Kasir 1', "
                "'k', 'h', '2026-11-30T00:00:00Z', 7)"))
            connection.commit()
        migrate(engine)
        assert _diff(engine) == []
        with engine.connect() as connection:
            row = connection.execute(text("SELECT last_seq, inherited_seq, inherited_hash, inherited_from "
                                          "FROM device")).one()
        assert tuple(row) == (7, 0, "0" * 64, None)
    finally:
        engine.dispose()
