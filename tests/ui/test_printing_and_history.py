"""After the sale: printing off-thread, an offline printer, today's history, reprints, settings."""

from __future__ import annotations

import socket
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kkmp_pos.services.context import PosContext
from kkmp_pos.services.history import sales_of_day
from kkmp_pos.services.settings import load_settings
from kkmp_pos.ui.history_dialog import HistoryDialog
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.messages import Level
from kkmp_pos.ui.payment_dialog import PaymentDialog
from kkmp_pos.ui.till import TillWidget
from tests.ui.helpers import (
    open_dialog,
    open_settings_as_admin,
    press,
    scan,
    use_file_printer,
    use_printer,
    wait_closed,
)

MINYAKITA = "8999900000055"
INDOMIE = "8999900000222"


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sell_exact(qtbot: QtBot, window: MainWindow, *barcodes: str) -> None:
    till: TillWidget = window.till
    for code in barcodes:
        scan(qtbot, till, code)
    press(qtbot, till, Qt.Key.Key_F12)
    payment = open_dialog(qtbot, till, PaymentDialog)
    qtbot.mouseClick(payment.exact_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(payment.received_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)
    qtbot.waitUntil(window.tasks.is_idle, timeout=15_000)


def test_offline_printer_keeps_the_sale_and_says_what_to_do(qtbot: QtBot, window: MainWindow,
                                                            ctx: PosContext) -> None:
    use_printer(ctx, f"tcp://127.0.0.1:{closed_port()}")
    sell_exact(qtbot, window, MINYAKITA)
    till = window.till
    text = till.messages.text()
    assert text.startswith("Struk tidak tercetak: ") and text.endswith("Cetak ulang dari Riwayat (F5).")
    assert "menolak sambungan" in text
    assert till.messages.level is Level.WARNING
    assert [s.receipt_no for s in sales_of_day(ctx)] == ["LPK-01-000001"]
    assert till.cart_model.rowCount() == 0 and till.change_label.text() == "Kembalian Rp0"
    assert till.scan_input.hasFocus()
    # The till goes on selling while the printer is off.
    scan(qtbot, till, INDOMIE)
    assert till.total_label.text() == "Rp3.500"


def test_without_a_printer_the_till_says_so(qtbot: QtBot, window: MainWindow, ctx: PosContext) -> None:
    assert load_settings(ctx).printer_uri == "none"
    sell_exact(qtbot, window, INDOMIE)
    assert "belum ada printer" in window.till.messages.text()
    assert len(sales_of_day(ctx)) == 1


def test_history_lists_today_filters_previews_and_reprints_a_copy(qtbot: QtBot, window: MainWindow,
                                                                  ctx: PosContext, tmp_path: Path) -> None:
    printer_file = tmp_path / "struk.bin"
    use_file_printer(ctx, printer_file)
    sell_exact(qtbot, window, MINYAKITA)
    sell_exact(qtbot, window, INDOMIE, INDOMIE)
    assert b"SALINAN" not in printer_file.read_bytes()
    till = window.till

    press(qtbot, till, Qt.Key.Key_F5)
    history = open_dialog(qtbot, till, HistoryDialog)
    model = history.sales_model
    rows = [[model.index(r, c).data() for c in range(4)] for r in range(model.rowCount())]
    assert rows == [["LPK-01-000002", "10:15 WITA", "Rp7.000", "Tunai"],
                    ["LPK-01-000001", "10:15 WITA", "Rp15.700", "Tunai"]]
    preview = history.preview.lines()
    assert any("LPK-01-000002" in line for line in preview)
    assert any("Indomie Goreng" in line for line in preview)
    assert not any("SALINAN" in line for line in preview)

    qtbot.keyClicks(history.filter_input, "0001")
    assert model.rowCount() == 1 and model.index(0, 0).data() == "LPK-01-000001"
    assert any("Minyakita 1 L" in line for line in history.preview.lines())
    qtbot.keyClicks(history.filter_input, "9")
    assert model.rowCount() == 0 and history.preview.lines() == []
    history.filter_input.clear()
    qtbot.keyClick(history.filter_input, Qt.Key.Key_Down)
    assert history.selected_sale() is not None and history.selected_sale().receipt_no == "LPK-01-000001"

    qtbot.keyClick(history.filter_input, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.tasks.is_idle, timeout=10_000)
    data = printer_file.read_bytes()
    assert b"SALINAN" in data and b"LPK-01-000001" in data and b"Minyakita 1 L" in data
    assert history.messages.text() == "Salinan struk LPK-01-000001 dicetak."
    qtbot.keyClick(history.filter_input, Qt.Key.Key_Escape)
    wait_closed(qtbot, till)


def test_reprint_to_an_offline_printer_is_reported_in_the_history(qtbot: QtBot, window: MainWindow,
                                                                   ctx: PosContext) -> None:
    sell_exact(qtbot, window, MINYAKITA)
    use_printer(ctx, f"tcp://127.0.0.1:{closed_port()}")
    window.till.open_history()
    history = open_dialog(qtbot, window.till, HistoryDialog)
    qtbot.mouseClick(history.reprint_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.tasks.is_idle, timeout=15_000)
    assert history.messages.text().startswith("Salinan struk LPK-01-000001 tidak tercetak:")
    assert history.messages.level is Level.WARNING
    history.reject()
    wait_closed(qtbot, window.till)


def test_settings_refuse_a_bad_printer_address_and_keep_what_was_typed(qtbot: QtBot, window: MainWindow,
                                                                       ctx: PosContext, tmp_path: Path) -> None:
    till = window.till
    dialog = open_settings_as_admin(qtbot, window)
    dialog.printer_uri_input.setText("lpt1")
    dialog.paper_combo.setCurrentIndex(dialog.paper_combo.findData(80))
    dialog.footer_input.setText("Sampai jumpa")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "lpt1" in dialog.messages.text() and dialog.isVisible()
    assert dialog.printer_uri_input.text() == "lpt1" and dialog.footer_input.text() == "Sampai jumpa"
    assert dialog.paper_combo.currentData() == 80
    assert load_settings(ctx).printer_uri == "none"

    printer_file = tmp_path / "uji.bin"
    dialog.printer_uri_input.setText(f"file:{printer_file}")
    qtbot.mouseClick(dialog.test_print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.tasks.is_idle, timeout=10_000)
    assert dialog.messages.text() == "Halaman uji dicetak."
    assert printer_file.stat().st_size > 0
    qtbot.keyClick(dialog.printer_uri_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)
    stored = load_settings(ctx)
    assert (stored.printer_uri, stored.paper_mm, stored.receipt_footer) == (
        f"file:{printer_file}", 80, "Sampai jumpa")
    assert till.messages.text() == "Pengaturan disimpan."


def test_settings_store_the_logo_and_drawer_choice_and_refuse_a_missing_logo(
        qtbot: QtBot, window: MainWindow, ctx: PosContext, tmp_path: Path) -> None:
    from PIL import Image

    till = window.till
    dialog = open_settings_as_admin(qtbot, window)
    dialog.logo_input.setText(str(tmp_path / "tidak-ada.png"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "tidak ditemukan" in dialog.messages.text() and dialog.isVisible()
    logo = tmp_path / "logo.png"
    Image.new("1", (64, 32), 0).save(logo)
    dialog.logo_input.setText(str(logo))
    dialog.drawer_check.setChecked(False)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_closed(qtbot, till)
    stored = load_settings(ctx)
    assert (stored.logo_path, stored.open_drawer_on_cash) == (str(logo), False)
