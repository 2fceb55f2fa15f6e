"""Sistem → Cadangan, the automatic backups of the main window, and the start-up recovery screen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kkmp_pos.services.backup import list_backups, make_backup
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.recovery import startup_check
from kkmp_pos.store.db import DB_FILENAME
from kkmp_pos.ui.app import recover_if_damaged
from kkmp_pos.ui.backup_dialog import BackupDialog
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.recovery_dialog import RecoveryDialog
from kkmp_pos.ui.tasks import TaskManager
from tests.services.test_backup import INDOMIE, count_sales, sell, ticking_clock
from tests.store.test_backup_file import damage
from tests.ui.helpers import open_dialog


def test_backups_are_for_the_manager_not_the_cashier(window: MainWindow) -> None:
    assert not window.backup_action.isEnabled()


def test_backup_now_makes_a_checked_copy_and_lists_it(qtbot: QtBot, window: MainWindow) -> None:
    dialog = window.open_backups()
    assert dialog is not None
    dialog = open_dialog(qtbot, window.till, BackupDialog)
    assert dialog.table.rowCount() == 0
    qtbot.mouseClick(dialog.backup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.table.rowCount() == 1)
    assert dialog.table.item(0, 1).text() == "Manual"
    assert dialog.table.item(0, 3).text() == "Baik"
    assert "Cadangan dibuat dan diperiksa" in dialog.messages.text()


def test_an_unwritable_folder_is_explained_and_the_old_folder_kept(qtbot: QtBot, window: MainWindow,
                                                                   tmp_path: Path) -> None:
    window.open_backups()
    dialog = open_dialog(qtbot, window.till, BackupDialog)
    before = dialog.folder_label.text()
    blocker = tmp_path / "stick.txt"
    blocker.write_text("x")
    dialog.use_folder(str(blocker / "cadangan"))
    assert "tidak dapat ditulisi" in dialog.messages.text()
    assert dialog.folder_label.text() == before
    stick = tmp_path / "usb"
    dialog.use_folder(str(stick))
    assert str(stick) in dialog.folder_label.text()


def test_a_z_close_and_the_timer_make_backups_only_when_there_is_something_new(
        qtbot: QtBot, window: MainWindow, ctx: PosContext) -> None:
    ctx.clock = ticking_clock()
    window.till.shift_closed.emit(None)
    qtbot.waitUntil(lambda: not window.backup_running and window.last_backup is not None)
    assert window.last_backup is not None and window.last_backup.reason == "z" and window.last_backup.ok
    assert window.periodic_backup()
    qtbot.waitUntil(lambda: not window.backup_running)
    assert [b.reason for b in list_backups(ctx)] == ["z"]  # nothing sold since the Z copy: no new file
    sell(ctx, INDOMIE)
    assert window.periodic_backup()
    qtbot.waitUntil(lambda: not window.backup_running)
    assert [b.reason for b in list_backups(ctx)] == ["periodic", "z"]


def test_the_recovery_screen_restores_the_newest_good_backup(qtbot: QtBot, ctx: PosContext) -> None:
    data_dir = ctx.data_dir
    sell(ctx, INDOMIE)
    make_backup(ctx, "manual")
    sell(ctx, INDOMIE)
    ctx.close()
    damage(data_dir / DB_FILENAME)
    tasks = TaskManager()
    dialog = RecoveryDialog(data_dir, startup_check(data_dir), tasks)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "rusak" in dialog.explanation.text() and dialog.restore_button.isEnabled()
    with qtbot.waitSignal(dialog.accepted):
        dialog.restore_button.click()
    assert dialog.restored is not None
    assert startup_check(data_dir).ok and count_sales(data_dir) == 1
    tasks.shutdown()


def test_with_no_backup_the_screen_only_offers_to_quit(qtbot: QtBot, ctx: PosContext) -> None:
    data_dir = ctx.data_dir
    ctx.close()
    damage(data_dir / DB_FILENAME)
    tasks = TaskManager()
    dialog = RecoveryDialog(data_dir, startup_check(data_dir), tasks)
    qtbot.addWidget(dialog)
    assert not dialog.restore_button.isEnabled()
    assert "Tidak ada cadangan yang baik" in dialog.backup_label.text()
    tasks.shutdown()


def test_start_up_shows_the_recovery_screen_only_for_a_damaged_file(qtbot: QtBot, ctx: PosContext) -> None:
    data_dir = ctx.data_dir
    make_backup(ctx, "manual")
    ctx.close()
    assert recover_if_damaged(data_dir)  # healthy: straight on, no dialog
    damage(data_dir / DB_FILENAME)
    seen: list[RecoveryDialog] = []

    def click_restore() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, RecoveryDialog):
            QTimer.singleShot(10, click_restore)
            return
        seen.append(dialog)
        dialog.restore_button.click()

    QTimer.singleShot(0, click_restore)
    assert recover_if_damaged(data_dir)
    assert len(seen) == 1 and startup_check(data_dir).ok
