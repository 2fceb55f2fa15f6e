"""Stock opname at the screen: start, scan, close the app, resume, give reasons, approve, print the berita acara."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from kkmp_pos.i18n import set_language
from kkmp_pos.services import stock
from kkmp_pos.services.auth import login
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.demo import DEMO_PINS
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.stock_count_dialog import StockCountDialog
from tests.printing.test_count_report_pdf import pdf_text
from tests.services.test_stock_count import OIL, RICE, product_id
from tests.ui.helpers import open_dialog, wait_closed


def start_app(qtbot: QtBot, ctx: PosContext, user: str) -> MainWindow:
    """The app as it is after the user logs in with their PIN."""
    set_language("id")
    main = MainWindow(ctx, login(ctx, user, DEMO_PINS[user]))
    qtbot.addWidget(main)
    main.show()
    main.activateWindow()
    qtbot.waitUntil(lambda: main.till.scan_input.hasFocus())
    return main


def quit_app(main: MainWindow) -> None:
    main.close()
    assert main.tasks.wait_for_done(10_000)


def type_enter(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def choose(dialog: StockCountDialog, sku: str) -> None:
    row = next(i for i in range(dialog.model.rowCount()) if dialog.model.row_at(i).sku == sku)
    dialog.view.selectRow(row)


def test_a_cashier_has_no_stock_count_menu(window: MainWindow) -> None:
    assert not window.stock_count_action.isEnabled()


def test_count_scan_resume_after_restart_give_reasons_approve_and_print(
        qtbot: QtBot, ctx: PosContext, tmp_path: Path) -> None:
    main = start_app(qtbot, ctx, "manajer")
    main.stock_count_action.trigger()
    dialog = open_dialog(qtbot, main.till, StockCountDialog)
    assert dialog.totals_label.text().startswith("Belum ada stok opname terbuka")
    dialog.scope_combo.setCurrentIndex(dialog.scope_combo.findData("list"))
    qtbot.keyClicks(dialog.skus_input, f"{OIL}, {RICE}, GLA-1")
    dialog.start_button.click()
    assert dialog.messages.text() == "Stok opname LPK-01-O000001 dimulai. Pindai barangnya."

    type_enter(qtbot, dialog.scan_input, "8999900000055")
    type_enter(qtbot, dialog.scan_input, "8999900000055")  # scanned again: added, not replaced
    assert dialog.messages.text() == "Minyakita 1 L: dihitung 2 pcs."
    type_enter(qtbot, dialog.scan_input, "45*8999900000055")
    assert dialog.messages.text() == "Minyakita 1 L: dihitung 47 pcs."
    type_enter(qtbot, dialog.scan_input, RICE)  # weighed: the weight is typed
    assert dialog.qty_input.hasFocus() and dialog.selected_line().sku == RICE  # type: ignore[union-attr]
    type_enter(qtbot, dialog.qty_input, "49,250")
    assert dialog.messages.text() == "Beras Curah Medium: dihitung 49,250 kg."
    type_enter(qtbot, dialog.scan_input, "9999999999999")
    assert "tidak ada di katalog" in dialog.messages.text()
    dialog.close_button.click()
    wait_closed(qtbot, main.till)
    quit_app(main)

    main = start_app(qtbot, ctx, "manajer")  # the app was closed: the count waits in the database
    assert main.open_stock_count() is not None
    dialog = open_dialog(qtbot, main.till, StockCountDialog)
    assert dialog.count_combo.currentText() == "LPK-01-O000001 · Daftar pilihan: MGR-MKT-1, BRS-CURAH, GLA-1"
    assert dialog.totals_label.text() == ("Dihitung 2 dari 3 produk · 2 berselisih · lebih Rp0 · kurang -Rp51.375 · "
                                          "selisih -Rp51.375")
    dialog.filter_combo.setCurrentIndex(dialog.filter_combo.findData("no_reason"))
    assert [dialog.model.row_at(i).sku for i in range(dialog.model.rowCount())] == [RICE, OIL]
    assert dialog.model.index(1, 4).data() == "-3 pcs" and dialog.model.index(1, 5).data() == "-Rp42.300"

    qtbot.keyClicks(dialog.counter_input, "Andi Saputra")
    qtbot.keyClicks(dialog.witness_input, "Budi Santoso")
    dialog.approve_button.click()  # reasons still missing: refused, nothing posted
    assert "Isi alasan selisih untuk: Beras Curah Medium, Minyakita 1 L" in dialog.messages.text()

    choose(dialog, OIL)
    dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData("hilang"))
    dialog.reason_button.click()
    assert dialog.messages.text() == "Alasan untuk Minyakita 1 L disimpan."
    choose(dialog, RICE)
    dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData("lainnya"))
    type_enter(qtbot, dialog.note_input, "Tumpah saat menimbang")
    assert dialog.model.rowCount() == 0  # no line left without a reason

    dialog.approve_button.click()
    assert dialog.messages.text() == ("Stok opname LPK-01-O000001 disetujui: 2 koreksi stok dicatat. Cetak berita "
                                      "acaranya.")
    assert not dialog.scan_input.isEnabled() and not dialog.approve_button.isEnabled()  # read-only now
    oil, rice, sugar = product_id(ctx, OIL), product_id(ctx, RICE), product_id(ctx, "GLA-1")
    assert stock.on_hand(ctx, [oil, rice, sugar]) == {oil: 47_000, rice: 49_250, sugar: 50_000}  # GLA-1 left out

    pdf = tmp_path / "berita-acara.pdf"
    dialog.export_report(pdf)
    qtbot.waitUntil(lambda: dialog.messages.text().startswith("Berita acara disimpan"))
    text = pdf_text(pdf)
    for expected in ("LPK-01-O000001", "Minyakita 1 L", "-3 pcs", "-Rp42.300", "Hilang", "-0,750 kg",
                     "Lainnya: Tumpah saat menimbang", "(Andi Saputra)", "(Budi Santoso)", "Ketua koperasi"):
        assert expected in text, expected
    dialog.close_button.click()
    wait_closed(qtbot, main.till)
    quit_app(main)
