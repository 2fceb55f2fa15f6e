"""A full disk during a sale: a plain Indonesian message, nothing half-written, the same cart sells once freed.

The disk is "filled" with SQLite's own limit, `PRAGMA max_page_count`, set on every connection the pool
hands out: the database may not grow by a single page, exactly what a full disk means to SQLite.
"""

from __future__ import annotations

import errno
import os
import random
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError

from kkmp_pos.bench.audit import audit_sales
from kkmp_pos.bench.carts import random_cart
from kkmp_pos.bench.crash_child import _products
from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.errors import StorageError, StorageFull
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.services.catalog import find_by_barcode
from kkmp_pos.services.context import PosContext, open_context
from kkmp_pos.services.demo import seed_demo
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.maintenance import checkpoint_wal
from kkmp_pos.services.outlet import default_cashier
from kkmp_pos.services.sales import CompletedSale, complete_sale
from kkmp_pos.services.shifts import current_shift, open_shift
from kkmp_pos.services.uow import reading, storage_problem
from kkmp_pos.store.db import DB_FILENAME
from tests.conftest import OPENING_FLOAT, TEST_MOMENT

BIG_CART = ("8999900000055", "8999900000222", "8999900000239", "8999900000253", "8999900000260",
            "8999900000284", "8999900000291", "8999900000307", "8999900000314", "8999900000338",
            "8999900000345", "8999900000352", "8999900000369", "8999900000376", "8999900000390")
"""Fifteen lines: the sale's journal event alone is longer than a 4 KiB page, so it needs a new page."""

FULL_MESSAGE = ("Penyimpanan penuh: disk komputer kasir tidak punya ruang lagi, jadi transaksi ini belum "
                "tersimpan (tidak ada yang setengah tertulis). Kosongkan ruang disk lalu coba lagi.")


class Disk:
    """How many pages the database may have; None means as many as the disk holds."""

    def __init__(self) -> None:
        self.max_pages: int | None = None


@contextmanager
def limited_disk(ctx: PosContext) -> Iterator[Disk]:
    """Every connection checked out of the pool gets `PRAGMA max_page_count` from `disk` (a huge one when freed)."""
    disk = Disk()

    def on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        limit = disk.max_pages if disk.max_pages is not None else 1_073_741_823
        dbapi_connection.execute(f"PRAGMA max_page_count={limit}")

    event.listen(ctx.engine.pool, "checkout", on_checkout)
    try:
        yield disk
    finally:
        event.remove(ctx.engine.pool, "checkout", on_checkout)


def fill_disk(ctx: PosContext, disk: Disk) -> int:
    """No free page left inside the file and none allowed beyond it: the next page a write needs fails."""
    with reading(ctx.engine) as connection:
        connection.exec_driver_sql("VACUUM")  # free pages inside the file would still take a few writes
        pages = int(connection.exec_driver_sql("PRAGMA page_count").scalar_one())
        assert connection.exec_driver_sql("PRAGMA freelist_count").scalar_one() == 0
    disk.max_pages = pages
    return pages


def big_cart(ctx: PosContext) -> Cart:
    cart = Cart()
    for code in BIG_CART:
        product = find_by_barcode(ctx, code)
        assert product is not None
        cart.add(product, 2_000)
    return cart


def sell(ctx: PosContext, cart: Cart) -> CompletedSale:
    return complete_sale(ctx, cart, [cash_payment(cart.total, cart.total)], cashier_id=default_cashier(ctx).id)


def counts(ctx: PosContext) -> dict[str, int]:
    with reading(ctx.engine) as connection:
        return {table: int(connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())
                for table in ("sale", "sale_line", "payment", "stock_movement", "journal_event")}


def test_a_full_disk_refuses_the_sale_whole_and_the_same_cart_sells_once_space_is_freed(ctx: PosContext) -> None:
    first = sell(ctx, big_cart(ctx))  # receipt 1, before the disk fills
    cart = big_cart(ctx)
    lines_before = [(line.product.sku, line.qty_milli) for line in cart.lines]
    with limited_disk(ctx) as disk:
        pages = fill_disk(ctx, disk)
        before = counts(ctx)

        with pytest.raises(StorageFull) as caught:
            sell(ctx, cart)

        assert str(caught.value) == FULL_MESSAGE
        assert "database or disk is full" in str(caught.value.__cause__)  # SQLite's own error underneath
        # Nothing of it written: not a line, a payment, a stock movement or a journal event.
        assert counts(ctx) == before
        with reading(ctx.engine) as connection:
            assert connection.exec_driver_sql("PRAGMA page_count").scalar_one() == pages
        assert verify_journal(ctx.engine) is None
        assert audit_sales(ctx.data_dir / DB_FILENAME, [first.sale_id]).ok
        # The cart the cashier is holding is untouched, ready to try again.
        assert [(line.product.sku, line.qty_milli) for line in cart.lines] == lines_before
        with pytest.raises(StorageFull):  # still full: refused again, the same way
            sell(ctx, cart)

        disk.max_pages = None  # the cashier deleted some old files
        again = sell(ctx, cart)

    assert again.receipt_no.endswith("-000002")  # the next number: the refused tries used none
    after = counts(ctx)
    assert after["sale"] == before["sale"] + 1 and after["sale_line"] == before["sale_line"] + len(BIG_CART)
    audit = audit_sales(ctx.data_dir / DB_FILENAME, [first.sale_id, again.sale_id])
    assert audit.ok, audit.to_dict()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_selling_into_a_filling_disk_stops_cleanly_and_resumes_with_no_gap(ctx: PosContext, seed: int) -> None:
    """Ordinary carts until the disk is full (each sale may or may not need a new page): every refusal is
    whole, every acknowledged sale is kept, and selling resumes with the next receipt number."""
    rng = random.Random(seed)
    products = _products(ctx)
    acknowledged: list[str] = []
    refusals = 0
    with limited_disk(ctx) as disk:
        disk.max_pages = fill_disk(ctx, disk) + 8  # a little room left, then full
        for _ in range(400):
            cart = random_cart(rng, products, rng.randint(1, 6))
            before = counts(ctx)
            try:
                acknowledged.append(sell(ctx, cart).sale_id)
            except StorageFull:
                refusals += 1
                assert counts(ctx) == before
                if refusals == 5:
                    break
        assert refusals == 5 and acknowledged  # some sold, then the disk filled
        audit = audit_sales(ctx.data_dir / DB_FILENAME, acknowledged)
        assert audit.ok, audit.to_dict()
        assert audit.sales == len(acknowledged)

        disk.max_pages = None
        for _ in range(3):
            acknowledged.append(sell(ctx, random_cart(rng, products, 6)).sale_id)

    audit = audit_sales(ctx.data_dir / DB_FILENAME, acknowledged)
    assert audit.ok, audit.to_dict()
    assert audit.sales == len(acknowledged)  # receipts 1..n with no gap (checked by the audit)


def test_other_writes_get_the_same_message_and_a_full_disk_does_not_stop_reading(ctx: PosContext) -> None:
    with limited_disk(ctx) as disk:
        fill_disk(ctx, disk)
        # Any other write through the unit of work: many rows at once.
        with pytest.raises(StorageFull), ctx.unit_of_work() as uow:
            uow.connection.exec_driver_sql("INSERT INTO setting (key, value) "
                                           "SELECT 'filler.' || id, hex(randomblob(2000)) FROM product")
            uow.commit()
        # Looking things up still works at a full till (scans, history, reports need no new pages).
        assert find_by_barcode(ctx, BIG_CART[0]) is not None
        assert current_shift(ctx) is not None


def test_sqlite_errors_that_are_not_about_storage_are_left_alone(ctx: PosContext) -> None:
    with pytest.raises(Exception) as caught, ctx.unit_of_work() as uow:
        uow.connection.exec_driver_sql("SELECT * FROM no_such_table")
    assert not isinstance(caught.value, StorageFull | StorageError)
    assert storage_problem(caught.value) is None


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 16 MiB filesystem (tmpfs), so the full disk is the kernel's ENOSPC; needs root, as in CI."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount_point)],
                                           capture_output=True, check=False).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root with CAP_SYS_ADMIN")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def _fill(path: Path) -> None:
    """A file that takes every free byte of its filesystem, as a full Downloads folder would."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 1 << 16, 1 << 12, 1 << 9, 1):
            while True:
                try:
                    os.write(descriptor, b"\0" * size)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    break
    finally:
        os.close(descriptor)


def test_a_really_full_filesystem_refuses_whole_sales_and_selling_resumes_once_a_file_is_deleted(
        small_disk: Path) -> None:
    ctx = open_context(small_disk / "data", clock=fixed_clock(TEST_MOMENT))
    try:
        seed_demo(ctx)
        open_shift(ctx, cashier_id=default_cashier(ctx).id, counts=OPENING_FLOAT)
        checkpoint_wal(ctx)
        rng = random.Random(5)
        products = _products(ctx)
        filler = small_disk / "unduhan.bin"
        _fill(filler)
        acknowledged: list[str] = []
        refused: Cart | None = None
        for _ in range(2_000):  # the WAL file's already allocated pages take a few sales first
            cart = random_cart(rng, products, 6)
            before = counts(ctx)
            try:
                acknowledged.append(sell(ctx, cart).sale_id)
            except (StorageFull, StorageError) as exc:
                assert str(exc) == FULL_MESSAGE if isinstance(exc, StorageFull) else "disk" in str(exc)
                assert counts(ctx) == before
                refused = cart
                break
        assert refused is not None, "the filesystem never filled up"
        audit = audit_sales(ctx.data_dir / DB_FILENAME, acknowledged)
        assert audit.ok, audit.to_dict()

        filler.unlink()  # the cashier deletes a big download
        again = sell(ctx, refused)
        audit = audit_sales(ctx.data_dir / DB_FILENAME, [*acknowledged, again.sale_id])
        assert audit.ok, audit.to_dict()
        assert audit.sales == len(acknowledged) + 1
    finally:
        ctx.close()


def test_io_errors_get_their_own_message_naming_sqlites_code() -> None:
    """A real I/O error needs a failing disk; its classification is checked on the exception SQLite raises."""
    failing = sqlite3.OperationalError("disk I/O error")
    failing.sqlite_errorcode = sqlite3.SQLITE_IOERR | (2 << 8)  # type: ignore[attr-defined]  # IOERR_SHORT_READ
    failing.sqlite_errorname = "SQLITE_IOERR_SHORT_READ"  # type: ignore[attr-defined]
    problem = storage_problem(DBAPIError("COMMIT", None, failing))
    assert isinstance(problem, StorageError)
    assert str(problem).startswith("Gagal membaca atau menulis disk (SQLITE_IOERR_SHORT_READ): transaksi ini belum "
                                   "tersimpan.")
    assert isinstance(storage_problem(sqlite3.OperationalError("database or disk is full")), StorageFull)
    assert storage_problem(sqlite3.IntegrityError("UNIQUE constraint failed: sale.id")) is None
    assert storage_problem(ValueError("disk I/O error")) is None  # only SQLite's own errors
