"""What a cashier's hands do in the UI tests: scan, press keys, find the dialog that opened."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from kkmp_pos.i18n import set_language
from kkmp_pos.services.approvals import ApprovalGrant
from kkmp_pos.services.auth import login
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.demo import DEMO_PINS
from kkmp_pos.services.settings import load_settings, save_settings
from kkmp_pos.services.sync_link import ClientFactory
from kkmp_pos.ui.approval_dialog import ApprovalDialog
from kkmp_pos.ui.login_dialog import LoginDialog
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.settings_dialog import SettingsDialog
from kkmp_pos.ui.till import TillWidget

D = TypeVar("D", bound=QDialog)


def scan(qtbot: QtBot, till: TillWidget, text: str) -> None:
    """Like a keyboard-wedge scanner: the characters, then Enter."""
    qtbot.keyClicks(till.scan_input, text)
    qtbot.keyClick(till.scan_input, Qt.Key.Key_Return)


def press(qtbot: QtBot, till: TillWidget, key: Qt.Key) -> None:
    """A key pressed at the till, where the focus always is: the scan field."""
    qtbot.keyClick(till.scan_input, key)


def open_dialog(qtbot: QtBot, till: TillWidget, kind: type[D]) -> D:
    qtbot.waitUntil(lambda: isinstance(till.active_dialog, kind))
    dialog = till.active_dialog
    assert isinstance(dialog, kind)
    qtbot.waitUntil(dialog.isActiveWindow)  # activation is a queued window-system event
    return dialog


def wait_closed(qtbot: QtBot, till: TillWidget) -> None:
    """The dialog is gone and the keyboard is back in the scan field."""
    qtbot.waitUntil(lambda: till.active_dialog is None)
    qtbot.waitUntil(till.scan_input.hasFocus)


def approve(qtbot: QtBot, till: TillWidget, *, manager: str = "manajer", pin: str = "2222",
            reason: str = "Salah pindai") -> ApprovalGrant:
    """A manager comes over: the reason is typed, Enter, the manager picks their name and types the PIN, Enter."""
    dialog = open_dialog(qtbot, till, ApprovalDialog)
    qtbot.keyClicks(dialog.reason_input, reason)
    qtbot.keyClick(dialog.reason_input, Qt.Key.Key_Return)
    assert dialog.pin_input.hasFocus()
    dialog.select_approver(manager)
    qtbot.keyClicks(dialog.pin_input, pin)
    qtbot.keyClick(dialog.pin_input, Qt.Key.Key_Return)
    grant = dialog.grant
    assert grant is not None, dialog.messages.text()
    wait_closed(qtbot, till)
    return grant


def use_printer(ctx: PosContext, uri: str) -> None:
    save_settings(ctx, replace(load_settings(ctx), printer_uri=uri))


def use_file_printer(ctx: PosContext, path: Path) -> None:
    use_printer(ctx, f"file:{path}")


def logged_in_window(qtbot: QtBot, ctx: PosContext, username: str,
                     client_factory: ClientFactory | None = None) -> MainWindow:
    """The till window of a demo user (by their demo PIN), shown, with the keyboard at the scan field."""
    set_language("id")
    main = MainWindow(ctx, login(ctx, username, DEMO_PINS[username]))
    if client_factory is not None:
        main.sync_status.client_factory = client_factory
    qtbot.addWidget(main)
    main.show()
    main.activateWindow()
    qtbot.waitUntil(lambda: main.till.scan_input.hasFocus())
    return main


def type_pin(qtbot: QtBot, dialog: LoginDialog, pin: str) -> None:
    qtbot.keyClicks(dialog.pin_input, pin)
    qtbot.keyClick(dialog.pin_input, Qt.Key.Key_Return)


def switch_user(qtbot: QtBot, window: MainWindow, username: str, pin: str) -> None:
    """Ctrl+L, pick the user with the arrow keys, PIN, Enter."""
    qtbot.keyClick(window.till.scan_input, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.login.lock_dialog is not None)
    dialog = window.login.lock_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.is_ready)
    target = dialog.user_combo.findData(username)
    assert target >= 0, f"{username} is not offered"
    while dialog.user_combo.currentIndex() != target:
        key = Qt.Key.Key_Down if dialog.user_combo.currentIndex() < target else Qt.Key.Key_Up
        qtbot.keyClick(dialog.pin_input, key)
    type_pin(qtbot, dialog, pin)
    qtbot.waitUntil(lambda: window.login.lock_dialog is None)
    qtbot.waitUntil(window.till.scan_input.hasFocus)


def open_settings_as_admin(qtbot: QtBot, window: MainWindow) -> SettingsDialog:
    """Switch the till to the demo admin (Ctrl+L, PIN) and open Sistem → Pengaturan: only an admin may save."""
    switch_user(qtbot, window, "admin", DEMO_PINS["admin"])
    window.settings_action.trigger()
    return open_dialog(qtbot, window.till, SettingsDialog)
