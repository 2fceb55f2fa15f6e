"""Upgrades: older data directories open in the current version, are backed up first, migrate and sell on.

The main old directory is real: tests/data/upgrade_0006/ holds the database file and pin.key that release (schema
0006_shifts) wrote when it seeded its demo outlet, sold three times (one elpiji 3 kg to a buyer known by NIK),
registered a member with a NIK and closed the shift with a Z report; make_fixture.py there regenerates it
from that release's code.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.services import catalog, sales
from kkmp_pos.services.auth import login
from kkmp_pos.services.backup import list_backups
from kkmp_pos.services.context import PosContext, open_context
from kkmp_pos.services.journal_check import check_journal
from kkmp_pos.services.lpg_buyers import find_buyer
from kkmp_pos.services.members import search_members
from kkmp_pos.services.shifts import open_shift
from kkmp_pos.store.backup_file import BACKUP_DIRNAME
from kkmp_pos.store.db import DB_FILENAME, HEAD_REVISION, current_revision, make_engine, migrate, open_store

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "upgrade_0006"
OLD_REVISION = "0006_shifts"
MEMBER_NIK, BUYER_NIK = "6472054101900001", "6472054101900002"
OLD_RECEIPTS = [("LPK-01-000001", 31_400), ("LPK-01-000002", 18_000), ("LPK-01-000003", 15_700)]
MINYAKITA, REFILL_3KG = "8999900000055", "8999900000420"
NEXT_DAY = datetime(2026, 6, 2, 1, 0, tzinfo=timezone.utc)  # the morning after the old release's last shift


def make_old_data_dir(target: Path) -> Path:
    """A fresh copy of the old release's data directory (the fixture itself is never opened for writing)."""
    target.mkdir(parents=True)
    shutil.copyfile(FIXTURE / "kkmp_pos-0006.db", target / DB_FILENAME)
    for key in FIXTURE.glob("*.key"):
        shutil.copyfile(key, target / key.name)
        os.chmod(target / key.name, 0o600)
    return target


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute(sql).fetchall()
    db.close()
    return rows


def _revision(path: Path) -> str | None:
    engine = make_engine(path)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


def _sell(ctx: PosContext, code: str, cashier_id: str, **line: object) -> sales.CompletedSale:
    product = catalog.find_by_barcode(ctx, code)
    assert product is not None
    cart = Cart()
    cart.add(product, 1000, **line)  # type: ignore[arg-type]
    return sales.complete_sale(ctx, cart, [cash_payment(cart.total, cart.total)], cashier_id=cashier_id)


def test_the_fixture_is_the_old_release_with_clear_niks(tmp_path: Path) -> None:
    data = make_old_data_dir(tmp_path / "old")
    db = data / DB_FILENAME
    assert _revision(db) == OLD_REVISION
    assert _rows(db, "SELECT nik FROM member") == [(MEMBER_NIK,)]
    assert _rows(db, "SELECT nik FROM lpg_buyer") == [(BUYER_NIK,)]
    assert _rows(db, "SELECT receipt_no, total FROM sale ORDER BY receipt_no") == OLD_RECEIPTS


def test_migration_first_copies_the_old_database_into_backups(tmp_path: Path) -> None:
    data = make_old_data_dir(tmp_path / "old")
    engine = open_store(data / DB_FILENAME)
    assert current_revision(engine) == HEAD_REVISION
    engine.dispose()
    copies = sorted((data / BACKUP_DIRNAME).glob("*.sqlite3"))
    assert len(copies) == 1
    copy = copies[0]
    # The copy is the database as it was before the migration: old schema, every sale, checked.
    assert _revision(copy) == OLD_REVISION
    assert _rows(copy, "PRAGMA integrity_check") == [("ok",)]
    assert _rows(copy, "SELECT receipt_no, total FROM sale ORDER BY receipt_no") == OLD_RECEIPTS
    assert _rows(copy, "SELECT nik FROM member") == [(MEMBER_NIK,)]


def test_the_new_version_opens_the_old_directory_and_carries_on(tmp_path: Path) -> None:
    data = make_old_data_dir(tmp_path / "old")
    ctx = open_context(data, clock=fixed_clock(NEXT_DAY))
    try:
        assert current_revision(ctx.engine) == HEAD_REVISION
        # NIKs are sealed with a new nik.key; no clear NIK is left, in the database or in a backup copy.
        assert (data / "nik.key").stat().st_size == 32
        db = data / DB_FILENAME
        for table in ("member", "lpg_buyer"):
            ((nik, enc, masked),) = _rows(db, f"SELECT nik, nik_enc, nik_masked FROM {table}")
            assert nik is None and str(enc).startswith("v1:") and str(masked).startswith("6472********")
        assert not [b for b in list_backups(ctx) if b.reason == "pre-migration"]  # it held the NIKs in clear
        # Found again by NIK through the blind index.
        assert [m.name for m in search_members(ctx, MEMBER_NIK)] == ["Rina Wati"]
        buyer = find_buyer(ctx, BUYER_NIK)
        assert buyer is not None and buyer.name == "Siti Aminah"

        # The old users log in with their old PINs; the old sales, journal and Z report check.
        kasir = login(ctx, "kasir", "1111")
        assert login(ctx, "manajer", "2222").role == "manajer"
        assert _rows(db, "SELECT receipt_no, total FROM sale ORDER BY receipt_no") == OLD_RECEIPTS
        before = check_journal(ctx)
        assert before.ok, before.problems
        assert before.z_checked == 1 and before.events >= 14

        # And the till sells on: a new shift, a sale, and an elpiji refill for the buyer registered before.
        open_shift(ctx, cashier_id=kasir.id, counts={50_000: 2})
        oil = _sell(ctx, MINYAKITA, kasir.id)
        _sell(ctx, REFILL_3KG, kasir.id, lpg_buyer=buyer.ref())
        assert oil.receipt_no == "LPK-01-000004"
        after = check_journal(ctx)
        assert after.ok, after.problems
        assert after.last_seq > before.last_seq
    finally:
        ctx.close()

    # Opened again, the current schema is left alone: no second copy, nothing to migrate.
    ctx = open_context(data, clock=fixed_clock(NEXT_DAY))
    try:
        assert not list((data / BACKUP_DIRNAME).glob("*.sqlite3"))
        assert _rows(data / DB_FILENAME, "SELECT count(*) FROM sale") == [(5,)]
    finally:
        ctx.close()


def test_an_older_directory_without_niks_keeps_its_pre_migration_copy(tmp_path: Path) -> None:
    # A till that never stored a NIK (schema 0003, before the elpiji logbook): its copy has nothing to hide.
    data = tmp_path / "old"
    data.mkdir()
    engine = make_engine(data / DB_FILENAME)
    migrate(engine, "0003_full_till")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO product (id, sku, name, name_norm, category, unit, sold_by_weight, price, ppn, active,"
            " updated_at) VALUES (7, 'GLA-1', 'Gula Pasir 1 kg', 'gula pasir 1 kg', 'Gula', 'pcs', 0, 18000,"
            " 'bebas', 1, '2026-01-01T00:00:00.000000+00:00')")
    engine.dispose()
    ctx = open_context(data)
    try:
        copies = [b for b in list_backups(ctx) if b.reason == "pre-migration"]
        assert len(copies) == 1 and copies[0].integrity == "ok"
        assert _revision(copies[0].path) == "0003_full_till"
        assert _rows(copies[0].path, "SELECT name FROM product") == [("Gula Pasir 1 kg",)]
        assert catalog.find_by_sku(ctx, "GLA-1") is not None
    finally:
        ctx.close()


FIRST_RELEASE_SALE = [
    "INSERT INTO journal_event (seq, event_id, type, schema_v, device_time, master_version, body, prev_hash, hash)"
    " VALUES (1, 'e1', 'sale', 1, '2026-01-05T01:00:00Z', 0, '{}', '0000', 'h1')",
    "INSERT INTO outlet (id, code, koperasi_name, gerai_name, address, kelurahan_code, created_at) VALUES"
    " ('o1', 'LPK-01', 'KKMP Lempake', 'Gerai Lempake', 'Jl. Lempake', '64.72.05.1003', '2026-01-01')",
    "INSERT INTO app_user (id, outlet_id, username, full_name, role, pin_hash, active, created_at) VALUES"
    " ('u1', 'o1', 'kasir', 'Siti', 'kasir', NULL, 1, '2026-01-01')",
    "INSERT INTO product (id, sku, name, name_norm, category, unit, sold_by_weight, price, ppn, active, updated_at)"
    " VALUES (7, 'GLA-1', 'Gula Pasir 1 kg', 'gula pasir 1 kg', 'Gula', 'pcs', 0, 18000, 'bebas', 1, '2026-01-01')",
    "INSERT INTO sale (id, outlet_id, receipt_no, receipt_seq, cashier_id, member_id, created_at, business_date,"
    " total, line_count, status, master_version, journal_seq) VALUES ('s1', 'o1', 'LPK-01-000001', 1, 'u1', NULL,"
    " '2026-01-05T01:00:00Z', '2026-01-05', 36000, 1, 'selesai', 0, 1)",
    "INSERT INTO sale_line (id, sale_id, line_no, product_id, sku, name, unit, sold_by_weight, qty_milli,"
    " unit_price, total) VALUES ('l1', 's1', 1, 7, 'GLA-1', 'Gula Pasir 1 kg', 'pcs', 0, 2000, 18000, 36000)",
    "INSERT INTO payment (id, sale_id, method, amount, tendered, change, reference, status) VALUES"
    " ('p1', 's1', 'tunai', 36000, 50000, 14000, NULL, 'selesai')",
]


def test_a_first_release_database_with_a_sale_migrates_through_every_table_rebuild(tmp_path: Path) -> None:
    # Schema 0002 (name search): later migrations rebuild `sale`, `payment` and `lpg_buyer`, which other
    # tables refer to; the sale, its line and its payment must come through, references intact.
    path = tmp_path / DB_FILENAME
    engine = make_engine(path)
    migrate(engine, "0002_product_search")
    with engine.begin() as connection:
        for statement in FIRST_RELEASE_SALE:
            connection.exec_driver_sql(statement)
    engine.dispose()
    engine = open_store(path)
    assert current_revision(engine) == HEAD_REVISION
    engine.dispose()
    assert _rows(path, "SELECT receipt_no, total FROM sale") == [("LPK-01-000001", 36_000)]
    assert _rows(path, "SELECT sale_id, qty_milli FROM sale_line") == [("s1", 2000)]
    assert _rows(path, "SELECT sale_id, amount, change FROM payment") == [("s1", 36_000, 14_000)]
    assert _rows(path, "PRAGMA foreign_key_check") == []
