"""Till behaviour one action at a time: search keys, quantities, removal, refusals, focus."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kkmp_pos.services.context import PosContext
from kkmp_pos.services.history import sales_of_day
from kkmp_pos.ui.cart_model import LINE_ROLE
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.messages import Level
from kkmp_pos.ui.payment_dialog import PaymentDialog
from kkmp_pos.ui.quantity_dialog import QuantityDialog
from kkmp_pos.ui.search_dialog import SearchDialog
from tests.ui.helpers import approve, open_dialog, press, scan, wait_closed

MINYAKITA = "8999900000055"
INDOMIE = "8999900000222"


def test_search_from_two_characters_with_keyboard_navigation(qtbot: QtBot, window: MainWindow) -> None:
    till = window.till
    press(qtbot, till, Qt.Key.Key_F2)
    search = open_dialog(qtbot, till, SearchDialog)
    qtbot.keyClicks(search.query_input, "m")
    assert search.results_model.rowCount() == 0  # one character is not a search yet
    qtbot.keyClicks(search.query_input, "I")  # case does not matter
    names = [search.results_model.row_at(row).name for row in range(search.results_model.rowCount())]
    assert len(names) >= 3 and all(name.lower().startswith("mi") for name in names)
    assert search.selected_product() == search.results_model.row_at(0)
    qtbot.keyClick(search.query_input, Qt.Key.Key_Down)
    qtbot.keyClick(search.query_input, Qt.Key.Key_Down)
    qtbot.keyClick(search.query_input, Qt.Key.Key_Up)
    wanted = search.results_model.row_at(1)
    assert search.selected_product() == wanted
    assert search.query_input.hasFocus()  # the arrows moved the list, not the focus
    qtbot.keyClick(search.query_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)
    assert till.cart_model.rowCount() == 1
    assert till.cart_model.line(0).product.id == wanted.id


def test_search_is_accent_insensitive_and_escape_closes(qtbot: QtBot, window: MainWindow) -> None:
    till = window.till
    till.open_search()
    search = open_dialog(qtbot, till, SearchDialog)
    qtbot.keyClicks(search.query_input, "KÉCAP")
    assert [search.results_model.row_at(r).sku for r in range(search.results_model.rowCount())] == ["KCP-BNG-520"]
    qtbot.keyClick(search.query_input, Qt.Key.Key_Escape)
    wait_closed(qtbot, till)
    assert till.cart_model.rowCount() == 0


def test_multiplier_quantity_change_and_removal_update_the_total(qtbot: QtBot, window: MainWindow) -> None:
    till = window.till
    scan(qtbot, till, INDOMIE)
    scan(qtbot, till, f"3*{MINYAKITA}")
    assert till.cart_model.index(1, 1).data() == "3"
    assert till.total_label.text() == "Rp50.600"  # 3.500 + 3 x 15.700
    scan(qtbot, till, INDOMIE)  # the same product again joins its line
    assert till.cart_model.rowCount() == 2 and till.total_label.text() == "Rp54.100"

    press(qtbot, till, Qt.Key.Key_Up)  # from the last scanned line up to Indomie
    assert till.cart_view.currentIndex().row() == 0
    press(qtbot, till, Qt.Key.Key_F3)
    dialog = open_dialog(qtbot, till, QuantityDialog)
    assert dialog.quantity_input.text() == "2"
    qtbot.keyClicks(dialog.quantity_input, "1,5")  # pieces: refused, dialog stays
    qtbot.keyClick(dialog.quantity_input, Qt.Key.Key_Return)
    assert "bilangan bulat" in dialog.messages.text() and dialog.isVisible()
    dialog.quantity_input.clear()
    qtbot.keyClicks(dialog.quantity_input, "4")
    qtbot.keyClick(dialog.quantity_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)
    assert till.cart_model.line(0).qty_milli == 4000
    assert till.total_label.text() == "Rp61.100"  # 4 x 3.500 + 47.100
    assert till.item_count_label.text().startswith("7 barang")

    press(qtbot, till, Qt.Key.Key_Delete)  # Delete in the empty scan field removes the selected line
    approve(qtbot, till)  # a scanned line comes off only with a manager's approval
    assert till.cart_model.rowCount() == 1
    assert till.cart_model.index(0, 0).data(LINE_ROLE).product.name == "Minyakita 1 L"
    assert till.total_label.text() == "Rp47.100"
    assert till.scan_input.hasFocus()
    press(qtbot, till, Qt.Key.Key_F4)
    approve(qtbot, till)
    assert till.cart_model.rowCount() == 0 and till.total_label.text() == "Rp0"
    assert till.scan_input.hasFocus()


def test_multiplier_before_an_unknown_barcode_applies_to_the_product_found_by_name(
        qtbot: QtBot, window: MainWindow) -> None:
    till = window.till
    scan(qtbot, till, "2*8991234567892")
    assert till.cart_model.rowCount() == 0 and "8991234567892" in till.messages.text()
    search = open_dialog(qtbot, till, SearchDialog)
    search.query_input.clear()
    qtbot.keyClicks(search.query_input, "indomie goreng 85")
    qtbot.keyClick(search.query_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)
    assert till.cart_model.line(0).product.sku == "MIE-IDG" and till.cart_model.line(0).qty_milli == 2000
    assert till.total_label.text() == "Rp7.000"


def test_weighed_product_weight_with_dot_and_three_decimals(qtbot: QtBot, window: MainWindow) -> None:
    till = window.till
    till.open_search("telur ayam ras")
    search = open_dialog(qtbot, till, SearchDialog)
    while search.selected_product() is not None and search.selected_product().sku != "TLR-KG":
        qtbot.keyClick(search.query_input, Qt.Key.Key_Down)
    qtbot.keyClick(search.query_input, Qt.Key.Key_Return)
    dialog = open_dialog(qtbot, till, QuantityDialog)
    qtbot.keyClicks(dialog.quantity_input, "0.3333")
    qtbot.keyClick(dialog.quantity_input, Qt.Key.Key_Return)
    assert "3 angka" in dialog.messages.text()
    dialog.quantity_input.clear()
    qtbot.keyClicks(dialog.quantity_input, "0.333")
    qtbot.keyClick(dialog.quantity_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)
    assert till.cart_model.index(0, 1).data() == "0,333 kg"
    assert till.total_label.text() == "Rp9.990"  # 30.000 x 0,333, whole rupiah


def test_payment_refused_when_received_is_less_than_total(qtbot: QtBot, window: MainWindow,
                                                           ctx: PosContext) -> None:
    till = window.till
    scan(qtbot, till, MINYAKITA)
    press(qtbot, till, Qt.Key.Key_F12)
    payment = open_dialog(qtbot, till, PaymentDialog)
    qtbot.keyClicks(payment.received_input, "10000")
    assert payment.change_label.text() == "Kurang Rp5.700"
    qtbot.keyClick(payment.received_input, Qt.Key.Key_Return)
    assert "kurang dari total Rp15.700" in payment.messages.text()
    assert payment.isVisible() and till.active_dialog is payment
    assert sales_of_day(ctx) == []
    qtbot.keyClick(payment.received_input, Qt.Key.Key_Escape)
    wait_closed(qtbot, till)
    assert till.cart_model.rowCount() == 1  # back at the cart, nothing lost


def test_quick_notes_add_up_and_exact_amount(qtbot: QtBot, window: MainWindow) -> None:
    till = window.till
    scan(qtbot, till, f"2*{MINYAKITA}")
    till.pay()
    payment = open_dialog(qtbot, till, PaymentDialog)
    qtbot.mouseClick(payment.note_buttons[20_000], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(payment.note_buttons[10_000], Qt.MouseButton.LeftButton)
    assert payment.received() == 30_000 and payment.change_label.text() == "Kurang Rp1.400"
    qtbot.mouseClick(payment.note_buttons[2_000], Qt.MouseButton.LeftButton)
    assert payment.change_label.text() == "Kembalian Rp600"
    qtbot.mouseClick(payment.exact_button, Qt.MouseButton.LeftButton)
    assert payment.received() == 31_400 and payment.change_label.text() == "Kembalian Rp0"
    assert payment.received_input.hasFocus()
    qtbot.keyClick(payment.received_input, Qt.Key.Key_Escape)
    wait_closed(qtbot, till)


def test_empty_cart_cannot_be_paid_and_f9_needs_a_second_press(qtbot: QtBot, window: MainWindow) -> None:
    till = window.till
    press(qtbot, till, Qt.Key.Key_F12)
    assert till.active_dialog is None
    assert "Keranjang masih kosong" in till.messages.text()
    scan(qtbot, till, MINYAKITA)
    press(qtbot, till, Qt.Key.Key_F9)
    assert till.cart_model.rowCount() == 1 and till.messages.level is Level.WARNING
    press(qtbot, till, Qt.Key.Key_F9)
    assert till.cart_model.rowCount() == 1  # a kasir's cart is cancelled only with a manager's approval
    approve(qtbot, till, reason="Pembeli batal")
    assert till.cart_model.rowCount() == 0 and till.total_label.text() == "Rp0"
    assert till.scan_input.hasFocus()


def test_buttons_work_with_the_mouse_and_keep_the_focus(qtbot: QtBot, window: MainWindow) -> None:
    till = window.till
    scan(qtbot, till, MINYAKITA)
    assert "F12" in till.buttons["F12"].text() and till.buttons["F12"].height() >= 48
    qtbot.mouseClick(till.buttons["F4"], Qt.MouseButton.LeftButton)
    approve(qtbot, till)
    assert till.cart_model.rowCount() == 0
    assert till.scan_input.hasFocus()
    qtbot.mouseClick(till.buttons["F2"], Qt.MouseButton.LeftButton)
    search = open_dialog(qtbot, till, SearchDialog)
    assert search.query_input.text() == ""
    qtbot.mouseClick(search.close_button, Qt.MouseButton.LeftButton)
    wait_closed(qtbot, till)


def test_status_bar_shows_outlet_cashier_and_wita_clock(window: MainWindow) -> None:
    assert "KKMP Lempake" in window.outlet_label.text()
    assert window.cashier_label.text() == "Kasir: Siti Rahmawati"
    assert window.clock_label.text() == "30-11-2026 10:15 WITA"
