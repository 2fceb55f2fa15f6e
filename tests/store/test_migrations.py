"""Migrations: an empty file and an old file both end at the current schema, which equals the models."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from kkmp_pos.store.db import (
    HEAD_REVISION,
    current_revision,
    head_revision,
    include_name,
    make_engine,
    migrate,
    open_store,
)
from kkmp_pos.store.models import Base


def _schema_diff(path: Path) -> list[object]:
    engine = make_engine(path)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name, "render_as_batch": True}
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    return list(diff)


def test_the_start_up_check_knows_the_newest_migration() -> None:
    assert head_revision() == HEAD_REVISION


def test_empty_file_migrates_to_a_schema_equal_to_the_models(tmp_path: Path) -> None:
    engine = open_store(tmp_path / "pos.sqlite3")
    assert current_revision(engine) == head_revision()
    engine.dispose()
    assert _schema_diff(tmp_path / "pos.sqlite3") == []


def test_pragmas_are_set_on_every_connection(tmp_path: Path) -> None:
    engine = open_store(tmp_path / "pos.sqlite3")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    engine.dispose()


def test_old_file_with_data_is_upgraded_and_its_products_become_searchable(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = make_engine(path)
    migrate(engine, "0001_initial")  # a database written by the first release, before name search existed
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO product (id, sku, name, name_norm, category, unit, sold_by_weight, price, ppn, active,"
            " updated_at) VALUES (7, 'GLA-1', 'Gula Pasir 1 kg', 'gula pasir 1 kg', 'Gula', 'pcs', 0, 18000,"
            " 'bebas', 1, '2026-01-01T00:00:00.000000+00:00')"
        ))
    engine.dispose()
    assert current_revision(make_engine(path)) == "0001_initial"

    engine = open_store(path)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        found = connection.exec_driver_sql(
            "SELECT rowid FROM product_search WHERE product_search MATCH '\"pasir\"'").scalars().all()
    engine.dispose()
    assert found == [7]
    assert _schema_diff(path) == []


def test_search_index_follows_inserts_updates_and_deletes(tmp_path: Path) -> None:
    engine = open_store(tmp_path / "pos.sqlite3")
    engine.dispose()
    db = sqlite3.connect(tmp_path / "pos.sqlite3")
    db.execute("INSERT INTO product (id, sku, name, name_norm, category, unit, sold_by_weight, price, ppn, active,"
               " updated_at) VALUES (1, 'A', 'Kecap', 'kecap', 'Bumbu', 'pcs', 0, 1, 'bebas', 1, 'x')")
    match = "SELECT rowid FROM product_search WHERE product_search MATCH ?"
    assert db.execute(match, ('"kecap"',)).fetchall() == [(1,)]
    db.execute("UPDATE product SET name_norm = 'saus' WHERE id = 1")
    assert db.execute(match, ('"kecap"',)).fetchall() == []
    assert db.execute(match, ('"saus"',)).fetchall() == [(1,)]
    db.execute("DELETE FROM product WHERE id = 1")
    assert db.execute(match, ('"saus"',)).fetchall() == []
    # FTS5 raises SQLITE_CORRUPT_VTAB here if the index and the product table disagree.
    db.execute("INSERT INTO product_search(product_search) VALUES ('integrity-check')")
    db.close()
