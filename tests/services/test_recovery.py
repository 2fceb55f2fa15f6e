"""A damaged database is found at start-up and replaced by the newest good backup; the till must re-enrol."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kkmp_pos.domain.errors import PosError
from kkmp_pos.services.backup import make_backup
from kkmp_pos.services.context import PosContext, open_context
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.recovery import DAMAGED_DIRNAME, LAST_RESTORE, recover, restore_file, startup_check
from kkmp_pos.services.sync_link import (
    DEVICE_ID,
    OUTLET_ID,
    SERVER_URL,
    Identity,
    link_status,
    load_sync_settings,
    save_identity,
    write_settings,
)
from kkmp_pos.store.db import DB_FILENAME
from sync.protocol.keys import generate_private_key
from tests.services.test_backup import INDOMIE, MINYAKITA, count_sales, sell, ticking_clock
from tests.store.test_backup_file import damage

OLD_DEVICE = "0b7f6f4e-1111-4c0e-9d5e-000000000001"


def _link(ctx: PosContext) -> None:
    """A till linked to the city, as enrolment leaves it (identity file + sync settings)."""
    save_identity(ctx, Identity(device_id=OLD_DEVICE, token="t0ken", private_key=generate_private_key()))
    with ctx.unit_of_work() as uow:
        write_settings(uow.connection, {SERVER_URL: "http://127.0.0.1:9", OUTLET_ID: OLD_DEVICE,
                                        DEVICE_ID: OLD_DEVICE})
        uow.commit()


def test_a_damaged_file_is_restored_from_the_newest_good_backup(ctx: PosContext) -> None:
    data_dir = ctx.data_dir
    ctx.clock = ticking_clock()
    _link(ctx)
    assert link_status(ctx).enrolled
    sell(ctx, MINYAKITA)
    make_backup(ctx, "periodic")
    sell(ctx, INDOMIE)
    newest = make_backup(ctx, "z")
    sell(ctx, MINYAKITA, INDOMIE)  # after the last backup: the city holds it, this PC loses it
    ctx.close()
    damage(data_dir / DB_FILENAME)

    check = startup_check(data_dir)
    assert not check.ok and check.result
    restored = recover(data_dir, clock=ticking_clock())

    assert restored.backup.path == newest.path and restored.old_device_id == OLD_DEVICE
    assert startup_check(data_dir).ok
    assert restored.damaged_copy is not None and restored.damaged_copy.parent == data_dir / DAMAGED_DIRNAME
    assert restored.damaged_copy.exists()  # never deleted
    assert count_sales(data_dir) == 2
    reopened = open_context(data_dir)
    try:
        assert verify_journal(reopened.engine) is None
        assert not link_status(reopened).enrolled  # the next enrolment makes a new device
        settings = load_sync_settings(reopened)
        assert DEVICE_ID not in settings
        with reopened.unit_of_work() as uow:
            raw = uow.connection.exec_driver_sql("SELECT value FROM setting WHERE key = ?", (LAST_RESTORE,)).scalar()
        record = json.loads(raw)
        assert record["old_device_id"] == OLD_DEVICE and record["backup"] == str(newest.path)
    finally:
        reopened.close()
    assert not (data_dir / "sync_identity.json").exists()
    assert list((data_dir / DAMAGED_DIRNAME).glob("sync_identity-*.json"))  # kept for the record


def test_with_no_good_backup_recovery_refuses_and_touches_nothing(ctx: PosContext) -> None:
    data_dir = ctx.data_dir
    sell(ctx, MINYAKITA)
    ctx.close()
    damage(data_dir / DB_FILENAME)
    damaged = (data_dir / DB_FILENAME).read_bytes()
    with pytest.raises(PosError, match="Tidak ada cadangan yang baik"):
        recover(data_dir)
    assert (data_dir / DB_FILENAME).read_bytes() == damaged


def test_a_damaged_backup_is_not_restored(ctx: PosContext) -> None:
    data_dir = ctx.data_dir
    result = make_backup(ctx, "manual")
    ctx.close()
    damage(result.path)
    with pytest.raises(PosError, match="ternyata rusak"):
        restore_file(data_dir, result.path)
    assert startup_check(data_dir).ok


def test_a_missing_database_is_a_new_installation_not_damage(tmp_path: Path) -> None:
    assert startup_check(tmp_path / "new").ok


def test_the_command_line_backs_up_and_restores_with_confirmation(ctx: PosContext, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from kkmp_pos.cli import main

    data_dir = ctx.data_dir
    sell(ctx, MINYAKITA)
    ctx.close()
    stick = tmp_path / "usb"
    assert main(["backup", "--data-dir", str(data_dir), "--to", str(stick)]) == 0
    out = capsys.readouterr().out
    assert "Cadangan dibuat" in out and "integrity_check: ok" in out and "pin.key" in out
    (backup,) = stick.glob("kkmp_pos-*-manual.sqlite3")

    again = open_context(data_dir)
    sell(again, INDOMIE)
    again.close()
    assert main(["restore", str(backup), "--data-dir", str(data_dir)]) == 2
    assert "--yes" in capsys.readouterr().err
    assert count_sales(data_dir) == 2  # nothing changed without the confirmation
    assert main(["restore", str(backup), "--data-dir", str(data_dir), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Dipulihkan dari" in out and "didaftarkan ulang" in out
    assert count_sales(data_dir) == 1
    assert list((data_dir / DAMAGED_DIRNAME).glob("kkmp_pos-damaged-*.sqlite3"))


def test_the_command_line_says_in_indonesian_when_the_folder_cannot_be_written(
        ctx: PosContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kkmp_pos.cli import main

    ctx.close()
    blocker = tmp_path / "stick.txt"
    blocker.write_text("x")
    assert main(["backup", "--data-dir", str(ctx.data_dir), "--to", str(blocker / "cadangan")]) == 1
    assert "tidak dapat ditulisi" in capsys.readouterr().err


def test_after_a_restore_the_city_keeps_the_old_chain_and_never_counts_a_sale_twice(tmp_path: Path) -> None:
    from sqlalchemy import text

    from kkmp_pos.services.sync_link import enroll
    from kkmp_pos.services.sync_round import run_sync_round
    from kkmp_pos.services.sync_upload import last_seq as last_journal_seq
    from tests.services.sync_server import linked_demo_till, quick_client, running_city

    with running_city(tmp_path) as city:
        data_dir = tmp_path / "data"
        ctx, outlet, old = linked_demo_till(city, data_dir, ticking_clock())
        sell(ctx, MINYAKITA)
        make_backup(ctx, "manual")
        sell(ctx, INDOMIE)  # reaches the city, then the disk fails before the next backup
        assert run_sync_round(ctx, quick_client).upload.acked_through > 0
        ctx.close()
        held = city.events(old)
        damage(data_dir / DB_FILENAME)

        restored = recover(data_dir, clock=ticking_clock())
        assert restored.old_device_id == old
        ctx = open_context(data_dir, clock=ticking_clock())
        try:
            new = enroll(ctx, city.url, city.new_code(outlet["outlet_id"]), "Kasir 1",
                         client_factory=quick_client).device_id
            assert new != old
            sell(ctx, INDOMIE)
            outcome = run_sync_round(ctx, quick_client)
            # The new device continues the old one's journal: what the city holds is carried, not sent twice.
            assert outcome.state == "online" and outcome.upload.acked_through == last_journal_seq(ctx)
        finally:
            ctx.close()
        assert city.events(old) == held  # the old device's chain is untouched
        assert 0 < city.events(new) < held
        assert city.scalar("SELECT count(*) FROM flag WHERE kind = 'restored' AND device_id = :d", d=new) == 1
        with city.engine.connect() as connection:
            bodies = connection.execute(text("SELECT body FROM journal_event WHERE type = 'sale'")).scalars().all()
        sale_ids = [json.loads(body)["sale_id"] for body in bodies]
        assert len(sale_ids) == len(set(sale_ids)) == 3  # never double-counted, the lost sale kept
