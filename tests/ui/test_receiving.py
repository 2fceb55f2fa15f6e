"""The goods receipt screen: a manager scans a product, picks the karung unit, saves, sees and prints the receipt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kkmp_pos.i18n import set_language
from kkmp_pos.services import catalog, stock
from kkmp_pos.services.auth import login
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.demo import DEMO_PINS
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.receiving import recent_goods_receipts
from kkmp_pos.services.suppliers import list_suppliers
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.receiving_dialog import ReceivingDialog
from kkmp_pos.ui.suppliers_dialog import SuppliersDialog
from tests.ui.helpers import open_dialog, use_file_printer, wait_closed


@pytest.fixture
def manager_window(qtbot: QtBot, ctx: PosContext) -> Iterator[MainWindow]:
    set_language("id")
    main = MainWindow(ctx, login(ctx, "manajer", DEMO_PINS["manajer"]))
    qtbot.addWidget(main)
    main.show()
    main.activateWindow()
    qtbot.waitUntil(lambda: main.till.scan_input.hasFocus())
    yield main
    main.close()
    assert main.tasks.wait_for_done(10_000)


def _on_hand(ctx: PosContext, sku: str) -> int:
    product = catalog.find_by_sku(ctx, sku)
    assert product is not None
    return stock.on_hand(ctx, [product.id])[product.id]


def test_a_manager_receives_two_karung_by_scanning_and_prints_the_receipt(
        qtbot: QtBot, manager_window: MainWindow, ctx: PosContext, tmp_path: Path) -> None:
    till = manager_window.till
    assert manager_window.receiving_action.isEnabled()
    before = _on_hand(ctx, "BRS-CURAH")
    manager_window.receiving_action.trigger()
    dialog = open_dialog(qtbot, till, ReceivingDialog)

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "Pilih pemasoknya dulu" in dialog.messages.text()

    dialog.select_supplier("CV Sumber Rezeki Samarinda")
    qtbot.keyClicks(dialog.reference_input, "INV/SRS/2026/0457")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "belum punya baris" in dialog.messages.text()

    dialog.scan_input.setFocus()
    qtbot.keyClicks(dialog.scan_input, "BRS-CURAH")  # loose rice has no barcode: its SKU is scanned
    qtbot.keyClick(dialog.scan_input, Qt.Key.Key_Return)
    assert "Beras Curah Medium" in dialog.product_label.text()
    assert dialog.qty_input.hasFocus()
    assert [dialog.unit_combo.itemData(i) for i in range(dialog.unit_combo.count())] == ["kg", "karung"]
    dialog.select_unit("karung")
    qtbot.keyClicks(dialog.qty_input, "2")
    qtbot.keyClick(dialog.qty_input, Qt.Key.Key_Return)
    assert dialog.cost_input.hasFocus()
    qtbot.keyClicks(dialog.cost_input, "-300000")
    qtbot.keyClick(dialog.cost_input, Qt.Key.Key_Return)
    assert "tidak dapat dibaca" in dialog.messages.text() and dialog.lines_model.rowCount() == 0
    dialog.cost_input.clear()
    qtbot.keyClicks(dialog.expiry_input, "30-06-2027")
    qtbot.keyClicks(dialog.cost_input, "300.000")
    qtbot.keyClick(dialog.cost_input, Qt.Key.Key_Return)
    assert dialog.lines_model.rowCount() == 1
    assert [dialog.lines_model.data(dialog.lines_model.index(0, c)) for c in range(5)] == [
        "Beras Curah Medium", "2 karung", "Rp300.000", "Rp600.000", "30-06-2027"]
    assert "total Rp600.000" in dialog.total_label.text()

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "LPK-01-B000001 tersimpan" in dialog.messages.text(), dialog.messages.text()
    assert _on_hand(ctx, "BRS-CURAH") - before == 50_000
    assert [r.reference for r in recent_goods_receipts(ctx)] == ["INV/SRS/2026/0457"]
    assert dialog.lines_model.rowCount() == 0
    printed = "\n".join(dialog.preview.lines())
    for expected in ("PENERIMAAN BARANG", "LPK-01-B000001", "INV/SRS/2026/0457", "2 karung x Rp300.000",
                     "= 50,000 kg", "Rp600.000"):
        assert expected in printed, expected

    paper = tmp_path / "printer.bin"
    use_file_printer(ctx, paper)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "LPK-01-B000001 dicetak" in dialog.messages.text())
    assert b"PENERIMAAN BARANG" in paper.read_bytes()
    assert verify_journal(ctx.engine) is None

    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    wait_closed(qtbot, till)


def test_a_new_supplier_and_a_new_pack_unit_from_the_receipt_screen(
        qtbot: QtBot, manager_window: MainWindow, ctx: PosContext) -> None:
    dialog = manager_window.open_receiving()
    assert dialog is not None
    open_dialog(qtbot, manager_window.till, ReceivingDialog)
    qtbot.mouseClick(dialog.suppliers_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(isinstance(w, SuppliersDialog) and w.isVisible() for w in dialog.children()))
    suppliers = next(w for w in dialog.children() if isinstance(w, SuppliersDialog))
    qtbot.keyClicks(suppliers.name_input, "CV Sumber Rezeki Samarinda")
    qtbot.mouseClick(suppliers.add_button, Qt.MouseButton.LeftButton)
    assert "sudah ada" in suppliers.messages.text()
    suppliers.name_input.clear()
    qtbot.keyClicks(suppliers.name_input, "UD Mahakam Jaya")
    qtbot.keyClicks(suppliers.phone_input, "0812 5555 123")
    qtbot.keyClick(suppliers.phone_input, Qt.Key.Key_Return)
    assert "UD Mahakam Jaya ditambahkan" in suppliers.messages.text()
    assert dialog.supplier_combo.currentText() == "UD Mahakam Jaya"
    assert len(list_suppliers(ctx)) == 2
    suppliers.reject()

    qtbot.keyClicks(dialog.scan_input, "8999900000222")  # Indomie Goreng's barcode
    qtbot.keyClick(dialog.scan_input, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.new_unit_input, "renceng")
    qtbot.keyClicks(dialog.new_factor_input, "10")
    qtbot.keyClick(dialog.new_factor_input, Qt.Key.Key_Return)
    assert "renceng ditambahkan" in dialog.messages.text()
    assert dialog.unit_combo.currentData() == "renceng"
    qtbot.keyClicks(dialog.qty_input, "0,25")  # 2,5 pcs cannot be received
    qtbot.keyClicks(dialog.cost_input, "31000")
    qtbot.keyClick(dialog.cost_input, Qt.Key.Key_Return)
    assert "bilangan bulat" in dialog.messages.text() and dialog.lines_model.rowCount() == 0
    dialog.reject()


def test_a_kasir_cannot_open_receiving(window: MainWindow) -> None:
    assert not window.receiving_action.isEnabled()
