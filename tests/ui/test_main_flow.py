"""The issue's main flow, end to end: unknown, scanned and weighed items, cash, change, the database, the receipt."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kkmp_pos.services.catalog import find_by_barcode, find_by_sku
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.history import load_sale, sales_of_day
from kkmp_pos.services.journal import iter_events, verify_journal
from kkmp_pos.services.stock import on_hand
from kkmp_pos.services.uow import reading
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.messages import Level
from kkmp_pos.ui.payment_dialog import PaymentDialog
from kkmp_pos.ui.quantity_dialog import QuantityDialog
from kkmp_pos.ui.search_dialog import SearchDialog
from tests.ui.helpers import open_dialog, press, scan, use_file_printer, wait_closed

UNKNOWN = "8991234567892"
MINYAKITA = "8999900000055"


def test_scan_search_weigh_pay_and_everything_is_recorded(qtbot: QtBot, window: MainWindow, ctx: PosContext,
                                                          tmp_path: Path) -> None:
    printer_file = tmp_path / "struk.bin"
    use_file_printer(ctx, printer_file)
    till = window.till

    # 1. An unknown barcode: a message in the till, the search opens pre-filled, nothing is added.
    scan(qtbot, till, UNKNOWN)
    assert UNKNOWN in till.messages.text() and "tidak dikenal" in till.messages.text()
    assert till.messages.level is Level.WARNING
    search = open_dialog(qtbot, till, SearchDialog)
    assert search.query_input.text() == UNKNOWN
    assert till.cart_model.rowCount() == 0
    qtbot.keyClick(search.query_input, Qt.Key.Key_Escape)
    wait_closed(qtbot, till)
    assert till.cart_model.rowCount() == 0 and till.total_label.text() == "Rp0"

    # 2. A known barcode, as a scanner types it.
    scan(qtbot, till, MINYAKITA)
    assert till.cart_model.rowCount() == 1
    assert till.total_label.text() == "Rp15.700"
    assert till.scan_input.hasFocus() and till.scan_input.text() == ""

    # 3. Loose rice by name (F2), weighed 1,250 kg.
    press(qtbot, till, Qt.Key.Key_F2)
    search = open_dialog(qtbot, till, SearchDialog)
    qtbot.keyClicks(search.query_input, "beras curah")
    assert search.selected_product() is not None and search.selected_product().sku == "BRS-CURAH"
    qtbot.keyClick(search.query_input, Qt.Key.Key_Return)
    weight = open_dialog(qtbot, till, QuantityDialog)
    assert weight.product.sku == "BRS-CURAH"
    qtbot.keyClicks(weight.quantity_input, "1,250")
    qtbot.keyClick(weight.quantity_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)
    model = till.cart_model
    assert model.rowCount() == 2
    assert [model.index(1, c).data() for c in range(4)] == [
        "Beras Curah Medium", "1,250 kg", "Rp13.500/kg", "Rp16.875"]
    assert till.total_label.text() == "Rp32.575"
    assert till.item_count_label.text().startswith("2 barang")

    # 4. Pay cash (F12) with a Rp50.000 note button; the change shows as it is entered.
    press(qtbot, till, Qt.Key.Key_F12)
    payment = open_dialog(qtbot, till, PaymentDialog)
    assert payment.total_label.text() == "Rp32.575"
    qtbot.mouseClick(payment.note_buttons[50_000], Qt.MouseButton.LeftButton)
    assert payment.change_label.text() == "Kembalian Rp17.425"
    qtbot.keyClick(payment.received_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)

    # The till is ready for the next customer at once, the change large on screen.
    assert till.cart_model.rowCount() == 0
    assert till.total_label.text() == "Rp0"
    assert till.change_label.text() == "Kembalian Rp17.425"
    assert "LPK-01-000001" in till.last_receipt_label.text()

    # The receipt is printed by a worker, after the commit.
    qtbot.waitUntil(lambda: window.tasks.is_idle() and printer_file.exists(), timeout=10_000)
    assert till.messages.text() == "Struk LPK-01-000001 dicetak."
    assert till.scan_input.hasFocus()

    # The database, through the services: the sale, its lines and payment, stock and the journal.
    sales = sales_of_day(ctx)
    assert [(s.receipt_no, s.total, s.methods) for s in sales] == [("LPK-01-000001", 32_575, "tunai")]
    sale = load_sale(ctx, sales[0].sale_id)
    assert [(line.sku, line.qty_milli, line.unit_price, line.total) for line in sale.lines] == [
        ("MGR-MKT-1", 1000, 15_700, 15_700), ("BRS-CURAH", 1250, 13_500, 16_875)]
    assert [(p.method, p.amount, p.tendered, p.change) for p in sale.payments] == [
        ("tunai", 32_575, 50_000, 17_425)]
    oil, rice = find_by_barcode(ctx, MINYAKITA), find_by_sku(ctx, "BRS-CURAH")
    assert oil is not None and rice is not None
    assert on_hand(ctx, [oil.id, rice.id]) == {oil.id: 49_000, rice.id: 48_750}
    assert verify_journal(ctx.engine) is None
    with reading(ctx.engine) as connection:
        events = list(iter_events(connection))
    sale_event = events[-1]
    assert sale_event["type"] == "sale" and sale_event["seq"] == sale.journal_seq
    assert sale_event["hash"] == sale.journal_hash
    assert sale_event["body"]["sale_id"] == sale.id and sale_event["body"]["total"] == 32_575

    # The receipt bytes: ESC/POS, this sale, not a copy.
    data = printer_file.read_bytes()
    assert data.startswith(b"\x1b@")
    assert b"LPK-01-000001" in data and b"Minyakita 1 L" in data and b"Beras Curah Medium" in data
    assert b"Kembalian" in data and b"17.425" in data
    assert b"SALINAN" not in data
