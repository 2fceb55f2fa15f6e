"""The online backup copy, its integrity check, and the pre-migration copy made when an old file is opened."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from kkmp_pos.store.backup_file import (
    BACKUP_DIRNAME,
    copy_database,
    integrity_check,
    quick_check,
    read_sidecar,
)
from kkmp_pos.store.db import HEAD_REVISION, current_revision, make_engine, migrate, open_store


def _small_db(path: Path, rows: int = 2_000) -> None:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    db.execute("CREATE INDEX ix_item_name ON item(name)")
    db.executemany("INSERT INTO item (name) VALUES (?)", [(f"barang nomor {i} " * 4,) for i in range(rows)])
    db.commit()
    db.close()


def damage(path: Path) -> None:
    """Overwrite bytes in the middle of a closed database file, as a failing disk would."""
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size // 2)
        handle.write(b"\xde\xad\xbe\xef" * 1024)


def test_a_copy_is_a_single_checked_file_with_the_same_rows(tmp_path: Path) -> None:
    source = tmp_path / "live.sqlite3"
    _small_db(source)
    report = copy_database(source, tmp_path / "out" / "copy.sqlite3")
    assert report.ok and report.size > 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["copy.sqlite3"]  # no -wal, no partial
    db = sqlite3.connect(report.path)
    assert db.execute("SELECT count(*) FROM item").fetchone() == (2_000,)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    db.close()


def test_overwritten_bytes_fail_quick_check_and_integrity_check(tmp_path: Path) -> None:
    path = tmp_path / "live.sqlite3"
    _small_db(path)
    assert quick_check(path) == "ok"
    damage(path)
    assert quick_check(path) != "ok"
    assert integrity_check(path) != "ok"


def test_a_file_that_is_not_a_database_is_reported_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"not a database at all" * 100)
    assert "not a database" in quick_check(path)


def test_a_copy_that_cannot_be_written_leaves_no_partial_file(tmp_path: Path) -> None:
    source = tmp_path / "live.sqlite3"
    _small_db(source)
    blocker = tmp_path / "stick"
    blocker.write_text("a file where a folder should be")
    try:
        copy_database(source, blocker / "copy.sqlite3")
    except OSError:
        pass
    else:
        raise AssertionError("copying into a file path must fail")
    assert blocker.read_text() == "a file where a folder should be"


def test_opening_an_old_revision_file_makes_a_checked_pre_migration_copy_first(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = make_engine(path)
    migrate(engine, "0001_initial")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO product (id, sku, name, name_norm, category, unit, sold_by_weight, price, ppn, active,"
            " updated_at) VALUES (7, 'GLA-1', 'Gula Pasir 1 kg', 'gula pasir 1 kg', 'Gula', 'pcs', 0, 18000,"
            " 'bebas', 1, '2026-01-01T00:00:00.000000+00:00')"))
    engine.dispose()

    engine = open_store(path)
    assert current_revision(engine) == HEAD_REVISION
    engine.dispose()
    copies = sorted((tmp_path / BACKUP_DIRNAME).glob("kkmp_pos-*-pre-migration.sqlite3"))
    assert len(copies) == 1
    record = read_sidecar(copies[0])
    assert record is not None and record["integrity"] == "ok" and record["reason"] == "pre-migration"
    old = make_engine(copies[0])
    assert current_revision(old) == "0001_initial"  # the copy is the file as it was before the upgrade
    with old.connect() as connection:
        assert connection.exec_driver_sql("SELECT name FROM product").scalar() == "Gula Pasir 1 kg"
    old.dispose()


def test_a_new_file_and_an_up_to_date_file_make_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "pos.sqlite3"
    open_store(path).dispose()
    open_store(path).dispose()
    assert not (tmp_path / BACKUP_DIRNAME).exists()


def test_copies_with_clear_niks_are_discarded_and_others_kept(tmp_path: Path) -> None:
    import sqlite3

    from kkmp_pos.store.backup_file import discard_clear_nik_copies, holds_clear_niks, sidecar_path

    def database(name: str, nik: str | None, *, sealed: bool = False) -> Path:
        path = tmp_path / name
        db = sqlite3.connect(path)
        columns = "id TEXT, nik TEXT" + (", nik_enc TEXT" if sealed else "")
        db.execute(f"CREATE TABLE member ({columns})")
        db.execute("CREATE TABLE lpg_buyer (id TEXT, nik TEXT)")
        db.execute("INSERT INTO member (id, nik) VALUES ('m1', ?)", (nik,))
        db.commit()
        db.close()
        sidecar_path(path).write_text("{}")
        return path

    clear = database("kkmp_pos-20261101-080000-pre-migration.sqlite3", "6472054101900001")
    sealed = database("kkmp_pos-20261130-080000-manual.sqlite3", None, sealed=True)
    (tmp_path / "notes.sqlite3").write_bytes(b"not a database at all")
    assert holds_clear_niks(clear) and not holds_clear_niks(sealed)
    assert discard_clear_nik_copies(tmp_path) == [clear]
    assert not clear.exists() and not sidecar_path(clear).exists()
    assert sealed.exists() and (tmp_path / "notes.sqlite3").exists()
