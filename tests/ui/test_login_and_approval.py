"""Login at start, switching user, the idle lock, manager approvals at the till, the audit and users screens."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kkmp_pos.domain.clock import business_date
from kkmp_pos.domain.roles import Action
from kkmp_pos.i18n import set_language
from kkmp_pos.printing.escpos_render import render_drawer_kick
from kkmp_pos.services import auth
from kkmp_pos.services.approvals import ApprovalGrant
from kkmp_pos.services.audit import AuditFilter, list_approvals
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.settings import load_settings, save_settings
from kkmp_pos.ui.app import TillLauncher
from kkmp_pos.ui.approval_dialog import ApprovalDialog, ask_approval
from kkmp_pos.ui.audit_dialog import AuditDialog
from kkmp_pos.ui.login_dialog import LoginDialog
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.payment_dialog import PaymentDialog
from kkmp_pos.ui.quantity_dialog import QuantityDialog
from kkmp_pos.ui.users_dialog import UsersDialog
from tests.ui.helpers import (
    approve,
    open_dialog,
    open_settings_as_admin,
    press,
    scan,
    switch_user,
    type_pin,
    use_file_printer,
    wait_closed,
)

MINYAKITA = "8999900000055"
INDOMIE = "8999900000222"


@pytest.fixture
def launcher(qtbot: QtBot, ctx: PosContext) -> Iterator[TillLauncher]:
    set_language("id")
    started = TillLauncher(ctx)
    qtbot.addWidget(started.login)
    started.show()
    yield started
    window = started.window
    started.close()
    if window is not None:
        assert window.tasks.wait_for_done(10_000)


def test_login_at_start_refuses_a_wrong_pin_then_opens_the_till(qtbot: QtBot, launcher: TillLauncher) -> None:
    login = launcher.login
    qtbot.waitUntil(login.is_ready)  # what the cold-start probe waits for
    assert launcher.window is None
    assert [login.user_combo.itemText(i) for i in range(login.user_combo.count())] == [
        "Siti Rahmawati (Kasir)", "Budi Santoso (Manajer / Ketua)", "Dewi Lestari (Pengawas)",
        "Admin Demo (Admin)"]
    assert login.pin_input.echoMode() == login.pin_input.EchoMode.Password
    type_pin(qtbot, login, "1112")
    assert login.messages.text() == "PIN salah. Sisa percobaan: 4"
    assert login.pin_input.text() == "" and login.isVisible() and launcher.window is None
    qtbot.keyClick(login.pin_input, Qt.Key.Key_Escape)  # a slip of the Esc key closes nothing
    assert login.isVisible()
    type_pin(qtbot, login, "1111")
    qtbot.waitUntil(lambda: launcher.window is not None)
    window = launcher.window
    assert window is not None
    qtbot.addWidget(window)
    qtbot.waitUntil(window.till.scan_input.hasFocus)
    assert not login.isVisible()
    assert window.cashier_label.text() == "Kasir: Siti Rahmawati"
    assert window.till.cashier.username == "kasir"


def test_the_login_remembers_who_logged_in_last(qtbot: QtBot, ctx: PosContext) -> None:
    auth.login(ctx, "manajer", "2222")
    dialog = LoginDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.user_combo.currentData() == "manajer"


def test_switch_user_keeps_the_cart_and_changes_who_sells(qtbot: QtBot, window: MainWindow) -> None:
    till = window.till
    scan(qtbot, till, MINYAKITA)
    assert not window.login.audit_action.isEnabled()  # a kasir does not read the audit
    assert not window.settings_action.isEnabled()  # nor change the printer or the PIN rules
    qtbot.keyClick(till.scan_input, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.login.lock_dialog is not None)
    lock = window.login.lock_dialog
    assert lock is not None and lock.user_combo.currentData() == "kasir"
    qtbot.waitUntil(lock.is_ready)
    assert not window.is_ready()
    qtbot.keyClick(lock.pin_input, Qt.Key.Key_Escape)  # a lock screen cannot be dismissed
    assert lock.isVisible()
    qtbot.keyClick(lock.pin_input, Qt.Key.Key_Down)
    type_pin(qtbot, lock, "2222")
    qtbot.waitUntil(lambda: window.login.lock_dialog is None)
    qtbot.waitUntil(till.scan_input.hasFocus)  # the keyboard is back at the till
    assert window.cashier_label.text() == "Manajer / Ketua: Budi Santoso"
    assert till.cashier.username == "manajer" and till.cart_model.rowCount() == 1
    assert window.login.audit_action.isEnabled() and not window.login.users_action.isEnabled()
    assert not window.settings_action.isEnabled()  # settings are the admin's alone
    assert "Budi Santoso" in till.messages.text()
    # A manager's own void needs no second person: no dialog, recorded as their own authority.
    press(qtbot, till, Qt.Key.Key_F4)
    assert till.cart_model.rowCount() == 0 and till.active_dialog is None, till.messages.text()


def test_a_kasir_voiding_a_line_needs_a_manager_and_the_audit_shows_it(
        qtbot: QtBot, window: MainWindow, ctx: PosContext) -> None:
    till = window.till
    scan(qtbot, till, INDOMIE)
    scan(qtbot, till, f"2*{MINYAKITA}")
    press(qtbot, till, Qt.Key.Key_F4)
    dialog = open_dialog(qtbot, till, ApprovalDialog)
    assert dialog.action_label.text() == "Batalkan barang yang sudah dipindai"
    assert dialog.subject_label.text() == "MGR-MKT-1"
    assert dialog.change_label.text() == "barang Minyakita 1 L, jumlah 2, total Rp31.400 → jumlah 0, total Rp0"
    assert dialog.reason_input.hasFocus()
    qtbot.keyClicks(dialog.reason_input, "Salah pindai")
    qtbot.keyClick(dialog.reason_input, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.pin_input, "9999")  # the admin's PIN, but the manager is the one chosen
    qtbot.keyClick(dialog.pin_input, Qt.Key.Key_Return)
    assert dialog.messages.text() == "PIN salah. Sisa percobaan: 4"
    assert dialog.isVisible() and dialog.pin_input.text() == "" and till.cart_model.rowCount() == 2
    qtbot.keyClicks(dialog.pin_input, "2222")
    qtbot.keyClick(dialog.pin_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)
    assert till.cart_model.rowCount() == 1 and till.cart_model.line(0).product.sku == "MIE-IDG"
    assert till.messages.text() == "Baris dihapus: Minyakita 1 L."
    assert verify_journal(ctx.engine) is None

    # The kasir cannot open the audit; the manager can, and sees the refusal and the approval.
    window.login.open_audit()
    assert till.active_dialog is None and till.messages.text() == "Audit hanya untuk manajer, pengawas dan admin."
    switch_user(qtbot, window, "manajer", "2222")
    window.login.audit_action.trigger()
    audit = open_dialog(qtbot, till, AuditDialog)
    rows = [[audit.approvals_model.index(r, c).data() for c in range(audit.approvals_model.columnCount())]
            for r in range(audit.approvals_model.rowCount())]
    assert rows == [
        ["30-11-2026 10:15 WITA", "Batalkan barang yang sudah dipindai", "MGR-MKT-1", "Siti Rahmawati",
         "Budi Santoso", "Disetujui", "Salah pindai",
         "barang Minyakita 1 L, jumlah 2, total Rp31.400 → jumlah 0, total Rp0"],
        ["30-11-2026 10:15 WITA", "Batalkan barang yang sudah dipindai", "MGR-MKT-1", "Siti Rahmawati",
         "Budi Santoso", "Ditolak: PIN salah", "Salah pindai",
         "barang Minyakita 1 L, jumlah 2, total Rp31.400 → jumlah 0, total Rp0"],
    ]
    assert audit.tabs.tabText(0) == "Persetujuan (2)"
    audit.outcome_combo.setCurrentIndex(audit.outcome_combo.findData("refused"))
    assert audit.approvals_model.rowCount() == 1
    attempts = [[audit.attempts_model.index(r, c).data() for c in (1, 2, 3)]
                for r in range(audit.attempts_model.rowCount())]
    assert attempts == [["Budi Santoso", "Persetujuan: Batalkan barang yang sudah dipindai", "Ditolak: PIN salah"]]
    audit.outcome_combo.setCurrentIndex(0)
    audit.action_combo.setCurrentIndex(audit.action_combo.findData(Action.OPEN_DRAWER.value))
    assert audit.approvals_model.rowCount() == 0
    audit.action_combo.setCurrentIndex(0)
    # Newest first: the manager's login (Ctrl+L), their two approval PINs, the kasir's login.
    assert [audit.attempts_model.index(r, 2).data() for r in range(audit.attempts_model.rowCount())] == [
        "Masuk", "Persetujuan: Batalkan barang yang sudah dipindai",
        "Persetujuan: Batalkan barang yang sudah dipindai", "Masuk"]
    qtbot.keyClick(audit, Qt.Key.Key_Escape)
    wait_closed(qtbot, till)


def test_less_of_a_line_is_a_void_too_and_cancelling_keeps_the_line(qtbot: QtBot, window: MainWindow) -> None:
    till = window.till
    scan(qtbot, till, f"3*{MINYAKITA}")
    press(qtbot, till, Qt.Key.Key_F3)
    quantity = open_dialog(qtbot, till, QuantityDialog)
    quantity.quantity_input.clear()
    qtbot.keyClicks(quantity.quantity_input, "1")
    qtbot.keyClick(quantity.quantity_input, Qt.Key.Key_Return)
    dialog = open_dialog(qtbot, till, ApprovalDialog)
    assert dialog.change_label.text() == "barang Minyakita 1 L, jumlah 3, total Rp47.100 → jumlah 1"
    qtbot.keyClick(dialog.reason_input, Qt.Key.Key_Escape)
    wait_closed(qtbot, till)
    assert till.cart_model.line(0).qty_milli == 3000
    press(qtbot, till, Qt.Key.Key_F3)
    quantity = open_dialog(qtbot, till, QuantityDialog)
    quantity.quantity_input.clear()
    qtbot.keyClicks(quantity.quantity_input, "1")
    qtbot.keyClick(quantity.quantity_input, Qt.Key.Key_Return)
    approve(qtbot, till, reason="Pembeli hanya ambil satu")
    assert till.cart_model.line(0).qty_milli == 1000 and till.total_label.text() == "Rp15.700"


def test_pengawas_can_read_but_never_sell(qtbot: QtBot, window: MainWindow, ctx: PosContext) -> None:
    till = window.till
    switch_user(qtbot, window, "pengawas", "3333")
    assert window.cashier_label.text() == "Pengawas: Dewi Lestari"
    scan(qtbot, till, MINYAKITA)
    assert till.cart_model.rowCount() == 0
    assert till.messages.text() == ("Dewi Lestari masuk sebagai pengawas: hanya dapat melihat, tidak dapat "
                                    "berjualan. Ganti pengguna (Ctrl+L) untuk berjualan.")
    press(qtbot, till, Qt.Key.Key_F12)
    assert till.active_dialog is None and "pengawas" in till.messages.text()
    assert not window.login.drawer_action.isEnabled()
    press(qtbot, till, Qt.Key.Key_F5)  # the history is for reading: open
    qtbot.waitUntil(lambda: till.active_dialog is not None)
    till.active_dialog.reject()
    wait_closed(qtbot, till)
    window.login.open_audit()
    open_dialog(qtbot, till, AuditDialog).reject()
    wait_closed(qtbot, till)


def test_idle_time_locks_the_till_and_the_cart_waits_for_the_pin(qtbot: QtBot, window: MainWindow,
                                                                  ctx: PosContext) -> None:
    till = window.till
    settings = open_settings_as_admin(qtbot, window)  # the admin sets it; the session reads it when idle
    assert settings.idle_lock_spin.value() == 10  # the default
    settings.idle_lock_spin.setValue(2)
    settings.save()
    wait_closed(qtbot, till)
    switch_user(qtbot, window, "kasir", "1111")  # back to the cashier, who sells
    scan(qtbot, till, MINYAKITA)
    press(qtbot, till, Qt.Key.Key_F12)
    payment = open_dialog(qtbot, till, PaymentDialog)
    assert window.login.lock_if_idle(119_999) is False
    assert window.login.lock_if_idle(120_000) is True
    lock = window.login.lock_dialog
    assert lock is not None and "2 menit" in lock.messages.text()
    qtbot.waitUntil(lambda: till.active_dialog is None)  # the payment was cancelled, nothing recorded
    assert not payment.isVisible()
    qtbot.waitUntil(lock.is_ready)
    type_pin(qtbot, lock, "1111")
    qtbot.waitUntil(lambda: window.login.lock_dialog is None)
    qtbot.waitUntil(till.scan_input.hasFocus)
    assert till.cart_model.rowCount() == 1 and till.cashier.username == "kasir"
    save_settings(ctx, replace(load_settings(ctx), idle_lock_minutes=0))
    assert window.login.lock_if_idle(10 * 60 * 60_000) is False  # 0 = never


def test_opening_the_drawer_without_a_sale_needs_approval_and_kicks_the_printer(
        qtbot: QtBot, window: MainWindow, ctx: PosContext, tmp_path: Path) -> None:
    till = window.till
    window.login.drawer_action.trigger()
    assert till.active_dialog is None and "laci uang tidak dapat dibuka" in till.messages.text()
    printer = tmp_path / "printer.bin"
    use_file_printer(ctx, printer)
    window.login.drawer_action.trigger()
    grant = approve(qtbot, till, reason="Tukar uang receh")
    assert grant.action is Action.OPEN_DRAWER
    qtbot.waitUntil(lambda: till.messages.text() == "Laci uang dibuka.")
    assert printer.read_bytes() == render_drawer_kick(32)
    assert b"\x1bp" in printer.read_bytes()  # ESC p: the drawer-kick pulse, and no text printed


def test_ask_approval_outside_the_till_opens_over_its_parent(qtbot: QtBot, ctx: PosContext) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    kasir = auth.login(ctx, "kasir", "1111")
    granted: list[ApprovalGrant] = []
    dialog = ask_approval(parent, ctx, kasir, Action.KASBON_OVER_LIMIT, "A-0001", {"limit": 500_000},
                          {"kasbon": 650_000}, granted.append)
    assert dialog is not None and dialog.isVisible()
    assert dialog.change_label.text() == "batas Rp500.000 → kasbon Rp650.000"
    qtbot.keyClicks(dialog.reason_input, "Pelanggan lama")
    dialog.select_approver("admin")
    qtbot.keyClicks(dialog.pin_input, "9999")
    qtbot.keyClick(dialog.pin_input, Qt.Key.Key_Return)
    assert [g.approver_name for g in granted] == ["Admin Demo"] and granted[0].subject == "A-0001"
    # A manager's own act: recorded at once, no dialog.
    manajer = auth.login(ctx, "manajer", "2222")
    assert ask_approval(parent, ctx, manajer, Action.REFUND, "LPK-01-000001", None, None, granted.append) is None
    assert granted[-1].approver_name == "Budi Santoso"
    today = business_date(ctx.clock())
    entries = list_approvals(ctx, AuditFilter(first_day=today, last_day=today), viewer_id=manajer.id)
    assert [e.own_authority for e in entries] == [True, False]


def test_the_admin_adds_a_user_who_can_then_log_in(qtbot: QtBot, window: MainWindow, ctx: PosContext) -> None:
    till = window.till
    switch_user(qtbot, window, "admin", "9999")
    assert window.login.users_action.isEnabled()
    window.login.users_action.trigger()
    users = open_dialog(qtbot, till, UsersDialog)
    assert users.users_model.rowCount() == 4
    qtbot.keyClicks(users.username_input, "Rudi.H")
    qtbot.keyClicks(users.full_name_input, "Rudi Hartono")
    qtbot.keyClicks(users.new_pin_input, "1234")
    qtbot.keyClicks(users.new_pin_again_input, "1234")
    qtbot.keyClick(users.new_pin_again_input, Qt.Key.Key_Return)
    assert "terlalu mudah ditebak" in users.messages.text() and users.username_input.text() == "Rudi.H"
    qtbot.keyClicks(users.new_pin_input, "4826")
    qtbot.keyClicks(users.new_pin_again_input, "4826")
    qtbot.keyClick(users.new_pin_again_input, Qt.Key.Key_Return)
    assert users.messages.text() == "Pengguna rudi.h (Rudi Hartono) ditambahkan."
    assert users.selected_user().username == "rudi.h" and users.users_model.rowCount() == 5
    assert auth.login(ctx, "rudi.h", "4826").role == "kasir"
    qtbot.mouseClick(users.toggle_button, Qt.MouseButton.LeftButton)
    assert "dinonaktifkan" in users.messages.text()
    with pytest.raises(auth.LoginRefused, match="dinonaktifkan"):
        auth.login(ctx, "rudi.h", "4826")
    users.reject()
    wait_closed(qtbot, till)


def test_closing_the_window_while_locked_lets_the_lock_screen_go(qtbot: QtBot, window: MainWindow) -> None:
    lock = window.login.lock()
    assert window.login.lock() is lock  # locking twice shows one lock screen
    qtbot.waitUntil(lock.is_ready)
    window.close()
    assert not lock.isVisible() and not window.isVisible()
