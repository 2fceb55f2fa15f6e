"""A cashier's day at the till: open a shift with a count, sell, cash out, X report, close short, Z printed and saved."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kkmp_pos.i18n import set_language
from kkmp_pos.services.auth import login
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.demo import DEMO_PINS
from kkmp_pos.services.shifts import current_shift
from kkmp_pos.store.models import CashMovement, Shift
from kkmp_pos.ui.app import TillLauncher
from kkmp_pos.ui.approval_dialog import ApprovalDialog
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.payment_dialog import PaymentDialog
from kkmp_pos.ui.shift_dialogs import CashMovementDialog, CloseShiftDialog, OpenShiftDialog
from tests.ui.helpers import open_dialog, press, scan, use_file_printer, wait_closed

MINYAKITA = "8999900000055"  # Rp15.700


@pytest.fixture
def day_window(qtbot: QtBot, closed_ctx: PosContext) -> Iterator[MainWindow]:
    """The kasir logged in at a till whose drawer has no open shift yet."""
    set_language("id")
    main = MainWindow(closed_ctx, login(closed_ctx, "kasir", DEMO_PINS["kasir"]))
    qtbot.addWidget(main)
    main.show()
    main.activateWindow()
    qtbot.waitUntil(lambda: main.till.scan_input.hasFocus())
    yield main
    main.close()
    assert main.tasks.wait_for_done(10_000)


def manager_approves(qtbot: QtBot, approval: ApprovalDialog | None, reason: str) -> None:
    assert approval is not None
    qtbot.waitUntil(approval.isVisible)
    qtbot.keyClicks(approval.reason_input, reason)
    qtbot.keyClick(approval.reason_input, Qt.Key.Key_Return)
    approval.select_approver("manajer")
    qtbot.keyClicks(approval.pin_input, DEMO_PINS["manajer"])
    qtbot.keyClick(approval.pin_input, Qt.Key.Key_Return)
    assert approval.grant is not None, approval.messages.text()


def printed(qtbot: QtBot, window: MainWindow, path: Path) -> bytes:
    qtbot.waitUntil(lambda: path.exists() and path.stat().st_size > 0)
    assert window.tasks.wait_for_done(10_000)
    return path.read_bytes()


def test_open_sell_cash_out_x_report_close_short_and_the_z(qtbot: QtBot, day_window: MainWindow,
                                                           closed_ctx: PosContext, tmp_path: Path) -> None:
    ctx, till = closed_ctx, day_window.till

    # No shift yet: nothing can be sold, and the till says why.
    scan(qtbot, till, MINYAKITA)
    assert till.cart_model.rowCount() == 0 and "Belum ada shift kas" in till.messages.text()

    # After login the open-shift dialog comes first; the float is counted note by note.
    assert till.ensure_shift() is not None
    opening = open_dialog(qtbot, till, OpenShiftDialog)
    opening.grid.set_count(50_000, 2)
    opening.grid.set_count(10_000, 5)
    assert opening.grid.total_label.text() == "Rp150.000"
    qtbot.mouseClick(opening.open_button, Qt.MouseButton.LeftButton)
    wait_closed(qtbot, till)
    shift = current_shift(ctx)
    assert shift is not None and shift.opening_float == 150_000 and till.shift == shift

    # Sell one Minyakita for cash (its receipt prints to a file printer).
    use_file_printer(ctx, tmp_path / "struk.bin")
    scan(qtbot, till, MINYAKITA)
    press(qtbot, till, Qt.Key.Key_F12)
    payment = open_dialog(qtbot, till, PaymentDialog)
    qtbot.mouseClick(payment.note_buttons[20_000], Qt.MouseButton.LeftButton)
    qtbot.keyClick(payment.received_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)
    printed(qtbot, day_window, tmp_path / "struk.bin")

    # Cash out Rp100.000 to the bank: more than the drawer holds is refused first, then a manager approves.
    dialog = till.open_cash_movement()
    assert isinstance(dialog, CashMovementDialog) and "Rp165.700" in dialog.expected_label.text()
    qtbot.keyClicks(dialog.amount_input, "200000")
    qtbot.keyClicks(dialog.reason_input, "setor ke bank")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "melebihi uang" in dialog.messages.text() and dialog.approval_dialog is None
    dialog.amount_input.clear()
    qtbot.keyClicks(dialog.amount_input, "100.000")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    manager_approves(qtbot, dialog.approval_dialog, "setor harian")
    wait_closed(qtbot, till)
    assert till.messages.text() == "Kas keluar dicatat."
    with ctx.engine.connect() as connection:
        assert connection.execute(select(CashMovement.direction, CashMovement.amount)).one() == ("out", 100_000)

    # The X report on the receipt printer: the figures so far; the shift stays open.
    use_file_printer(ctx, tmp_path / "x.bin")
    day_window.tasks.wait_for_done(10_000)
    till.print_x_report()
    x = printed(qtbot, day_window, tmp_path / "x.bin")
    assert b"LAPORAN X" in x and b"Rp65.700" in x and b"Rp100.000" in x
    assert current_shift(ctx) is not None

    # Close with Rp65.000 counted: Rp700 short, shown before the manager approves.
    use_file_printer(ctx, tmp_path / "z.bin")
    closing = till.open_close_shift()
    assert isinstance(closing, CloseShiftDialog) and "Rp65.700" in closing.expected_label.text()
    closing.grid.set_count(50_000, 1)
    closing.grid.set_count(10_000, 1)
    closing.grid.set_count(5_000, 1)
    assert closing.difference_label.text() == "Kurang Rp700"
    qtbot.mouseClick(closing.close_shift_button, Qt.MouseButton.LeftButton)
    manager_approves(qtbot, closing.approval_dialog, "tutup hari")
    wait_closed(qtbot, till)
    z = printed(qtbot, day_window, tmp_path / "z.bin")
    assert b"LAPORAN Z" in z and b"Rp65.700" in z and b"Rp65.000" in z and b"-Rp700" in z
    assert shift.shift_no.encode() in z
    with ctx.engine.connect() as connection:
        row = connection.execute(select(Shift.__table__).where(Shift.id == shift.id)).one()
    assert (row.status, row.expected_cash, row.counted_cash) == ("closed", 65_700, 65_000)

    # The PDF under <data_dir>/laporan/ says the same.
    assert till.last_z_pdf is not None and Path(till.last_z_pdf).parent == ctx.data_dir / "laporan"
    text = subprocess.run(["pdftotext", "-layout", till.last_z_pdf, "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "LAPORAN Z" in text and "Kurang" in text and "-Rp700" in text and "Rp15.700" in text

    # Closed is final: the till sells nothing until a new shift is opened.
    scan(qtbot, till, MINYAKITA)
    assert till.cart_model.rowCount() == 0 and "Belum ada shift kas" in till.messages.text()


def test_after_login_the_open_shift_dialog_comes_first(qtbot: QtBot, closed_ctx: PosContext) -> None:
    set_language("id")
    launcher = TillLauncher(closed_ctx)
    qtbot.addWidget(launcher.login)
    launcher.show()
    launcher.login.logged_in.emit(login(closed_ctx, "kasir", DEMO_PINS["kasir"]))
    launcher.login.accept()
    window = launcher.window
    assert window is not None
    qtbot.addWidget(window)
    opening = open_dialog(qtbot, window.till, OpenShiftDialog)
    opening.grid.set_count(100_000, 1)
    qtbot.mouseClick(opening.open_button, Qt.MouseButton.LeftButton)
    wait_closed(qtbot, window.till)
    assert current_shift(closed_ctx) is not None
    launcher.close()
    assert window.tasks.wait_for_done(10_000)
