"""Backups: checked online copies while selling, the folder choice, rotation, and a folder that can't be written."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.errors import PosError
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.services.backup import (
    CONFIG_FILE,
    KEEP,
    BackupConfig,
    choose_folder,
    default_folder,
    list_backups,
    load_config,
    make_backup,
    needs_backup,
    newest_good_backup,
    save_config,
)
from kkmp_pos.services.catalog import find_by_barcode
from kkmp_pos.services.context import PosContext, open_context
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.outlet import default_cashier
from kkmp_pos.services.sales import complete_sale
from kkmp_pos.store.backup_file import quick_check
from kkmp_pos.store.db import DB_FILENAME
from tests.conftest import TEST_MOMENT

MINYAKITA, INDOMIE = "8999900000055", "8999900000222"


def sell(ctx: PosContext, *codes: str) -> str:
    cart = Cart()
    for code in codes:
        product = find_by_barcode(ctx, code)
        assert product is not None
        cart.add(product)
    return complete_sale(ctx, cart, [cash_payment(cart.total, cart.total)],
                         cashier_id=default_cashier(ctx).id).sale_id


def ticking_clock(start: datetime = TEST_MOMENT, step: timedelta = timedelta(minutes=1)) -> Callable[[], datetime]:
    """A clock that moves on a minute each time it is read, so backups get distinct times."""
    moments = iter(start + i * step for i in range(1_000_000))
    return lambda: next(moments)


def count_sales(data_dir: Path) -> int:
    ctx = open_context(data_dir)
    try:
        with ctx.unit_of_work() as uow:
            return int(uow.connection.exec_driver_sql("SELECT count(*) FROM sale").scalar_one())
    finally:
        ctx.close()


def test_a_backup_is_named_checked_and_listed(ctx: PosContext) -> None:
    sell(ctx, MINYAKITA)
    result = make_backup(ctx, "manual")
    assert result.ok and result.size > 0
    assert result.path.parent == default_folder(ctx.data_dir)
    assert result.path.name == "kkmp_pos-20261130-101500-manual.sqlite3"  # WITA wall time
    listed = list_backups(ctx)
    assert [b.path for b in listed] == [result.path]
    assert listed[0].integrity == "ok" and listed[0].reason == "manual" and listed[0].created_at == TEST_MOMENT
    assert listed[0].last_seq == result.last_seq > 0
    assert newest_good_backup(ctx.data_dir) == listed[0]
    # Only the database: the PIN pepper and the sync identity never travel in the backup folder.
    assert sorted(p.name for p in result.path.parent.iterdir()) == [result.path.name, result.path.name + ".json"]


def test_a_backup_taken_while_another_thread_sells_is_consistent(ctx: PosContext, tmp_path: Path) -> None:
    stop = threading.Event()
    sold: list[str] = []
    errors: list[BaseException] = []

    def keep_selling() -> None:
        try:
            while not stop.is_set() or len(sold) < 20:
                sold.append(sell(ctx, MINYAKITA, INDOMIE))
        except BaseException as exc:  # noqa: BLE001 - carried to the test thread
            errors.append(exc)

    seller = threading.Thread(target=keep_selling)
    seller.start()
    ctx.clock = ticking_clock()
    try:
        results = [make_backup(ctx, "periodic") for _ in range(5)]
    finally:
        stop.set()
        seller.join(60)
    assert errors == [] and len(sold) >= 20
    for number, result in enumerate(results):
        assert result.ok, result.integrity
        copy_dir = tmp_path / f"copy{number}"
        copy_dir.mkdir()
        (copy_dir / DB_FILENAME).write_bytes(result.path.read_bytes())
        copy = open_context(copy_dir)
        try:
            assert verify_journal(copy.engine) is None
            with copy.unit_of_work() as uow:
                seq = uow.connection.exec_driver_sql("SELECT coalesce(max(seq), 0) FROM journal_event").scalar()
            assert seq == result.last_seq
        finally:
            copy.close()


def test_periodic_backups_only_when_the_journal_moved_on(ctx: PosContext) -> None:
    ctx.clock = ticking_clock()
    assert needs_backup(ctx)
    make_backup(ctx, "periodic")
    assert not needs_backup(ctx)
    sell(ctx, INDOMIE)
    assert needs_backup(ctx)


def test_rotation_keeps_the_newest_of_each_kind(ctx: PosContext) -> None:
    ctx.clock = ticking_clock()
    periodic = [make_backup(ctx, "periodic").path for _ in range(KEEP["periodic"] + 3)]
    z = [make_backup(ctx, "z").path for _ in range(KEEP["z"] + 2)]
    names = {b.path for b in list_backups(ctx)}
    assert names == set(periodic[3:]) | set(z[2:])
    for gone in periodic[:3] + z[:2]:
        assert not gone.exists() and not gone.with_name(gone.name + ".json").exists()


def test_a_usb_folder_can_be_chosen_and_backups_go_there(ctx: PosContext, tmp_path: Path) -> None:
    stick = tmp_path / "usb" / "KKMP"
    assert choose_folder(ctx, str(stick)) == stick
    result = make_backup(ctx, "manual")
    assert result.path.parent == stick and result.ok
    assert load_config(ctx.data_dir).folder == str(stick)


def test_an_unwritable_folder_is_refused_in_indonesian_and_nothing_is_lost(ctx: PosContext, tmp_path: Path) -> None:
    sell(ctx, MINYAKITA)
    before = make_backup(ctx, "manual")
    not_a_folder = tmp_path / "stick.txt"
    not_a_folder.write_text("x")
    with pytest.raises(PosError, match="tidak dapat ditulisi"):
        choose_folder(ctx, str(not_a_folder / "cadangan"))
    assert load_config(ctx.data_dir).folder == ""
    # The stick was chosen earlier and has since been pulled out (or is read-only): the backup fails cleanly.
    (ctx.data_dir / CONFIG_FILE).write_text(json.dumps({"folder": str(not_a_folder / "cadangan")}))
    with pytest.raises(PosError, match="Folder cadangan .* tidak dapat ditulisi"):
        make_backup(ctx, "manual")
    sell(ctx, INDOMIE)  # the till sells on
    assert quick_check(ctx.data_dir / DB_FILENAME) == "ok"
    assert before.path.exists() and newest_good_backup(ctx.data_dir) is not None
    ctx.close()
    assert count_sales(ctx.data_dir) == 2


def test_the_interval_setting_is_checked(empty_ctx: PosContext) -> None:
    with pytest.raises(PosError, match="menit"):
        save_config(empty_ctx.data_dir, BackupConfig(every_minutes=-1))
    save_config(empty_ctx.data_dir, BackupConfig(every_minutes=15))
    assert load_config(empty_ctx.data_dir).every_minutes == 15


def test_a_disk_that_fills_up_during_the_copy_fails_cleanly_and_the_next_backup_works(ctx: PosContext) -> None:
    import resource
    import signal

    sell(ctx, MINYAKITA)
    folder = default_folder(ctx.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    size = (ctx.data_dir / DB_FILENAME).stat().st_size
    # A real write failure from the kernel (EFBIG) once a file passes half the database's size: the copy hits
    # it the way it would hit a full USB stick.
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size // 2, hard))
    try:
        with pytest.raises(PosError) as failure:
            make_backup(ctx, "manual")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert "Cadangan gagal dibuat" in str(failure.value)
    assert list(folder.iterdir()) == []  # no partial file left with a backup's name, or at all
    assert quick_check(ctx.data_dir / DB_FILENAME) == "ok"
    sell(ctx, INDOMIE)
    assert make_backup(ctx, "manual").ok
