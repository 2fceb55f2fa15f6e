"""At the till, a full disk during payment: the message says what happened, the cart stays, Enter again sells."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kkmp_pos.bench.audit import audit_sales
from kkmp_pos.services.context import PosContext
from kkmp_pos.store.db import DB_FILENAME
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.messages import Level
from kkmp_pos.ui.payment_dialog import PaymentDialog
from tests.services.test_disk_full import BIG_CART, FULL_MESSAGE, counts, fill_disk, limited_disk
from tests.ui.helpers import open_dialog, press, scan, use_file_printer, wait_closed


def test_a_full_disk_keeps_the_cart_and_the_payment_open_until_space_is_freed(
        qtbot: QtBot, window: MainWindow, ctx: PosContext, tmp_path: Path) -> None:
    use_file_printer(ctx, tmp_path / "printer.bin")
    till = window.till
    for code in BIG_CART:
        scan(qtbot, till, f"2*{code}")
    assert len(till.cart_model.cart.lines) == len(BIG_CART)
    total = till.cart_model.cart.total
    with limited_disk(ctx) as disk:
        fill_disk(ctx, disk)
        before = counts(ctx)
        press(qtbot, till, Qt.Key.Key_F12)
        payment = open_dialog(qtbot, till, PaymentDialog)
        payment.set_exact()
        qtbot.keyClick(payment.received_input, Qt.Key.Key_Return)

        # Refused whole: the cashier reads why and what to do, in the dialog that stays open.
        assert payment.messages.text() == FULL_MESSAGE
        assert payment.messages.level is Level.WARNING
        assert till.active_dialog is payment and payment.isVisible()
        assert len(till.cart_model.cart.lines) == len(BIG_CART) and till.cart_model.cart.total == total
        assert till.last_sale is None
        assert counts(ctx) == before

        disk.max_pages = None  # space freed: the same Enter on the same cart
        qtbot.keyClick(payment.received_input, Qt.Key.Key_Return)
        wait_closed(qtbot, till)

    sale = till.last_sale
    assert sale is not None and sale.total == total and sale.receipt_no.endswith("-000001")
    assert till.cart_model.cart.is_empty()
    assert audit_sales(ctx.data_dir / DB_FILENAME, [sale.sale_id]).ok
