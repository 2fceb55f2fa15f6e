"""The logbook screen: a cashier sees masked NIKs, filters what is still pending, marks a row, the count drops."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kkmp_pos.services.context import PosContext
from kkmp_pos.ui.lpg_logbook_dialog import LpgLogbookDialog
from kkmp_pos.ui.main_window import MainWindow
from tests.services.test_lpg_logbook import sell_sample
from tests.ui.helpers import open_dialog, wait_closed


def test_a_cashier_filters_pending_rows_and_marks_one_entered_into_map(
        qtbot: QtBot, window: MainWindow, ctx: PosContext, tmp_path: Path) -> None:
    sell_sample(ctx)  # the clock now stands at 1 Dec 00:30 WITA: the screen opens on December
    window.open_lpg_logbook()
    dialog = open_dialog(qtbot, window.till, LpgLogbookDialog)
    assert dialog.model.rowCount() == 1
    assert dialog.pending_label.text() == "Belum diinput ke MAP: 4 baris"
    assert not dialog.csv_button.isEnabled()  # the whole-NIK export is for the manajer

    dialog.month_combo.setCurrentIndex(dialog.month_combo.findData("2026-11"))
    assert dialog.model.rowCount() == 3
    assert dialog.model.index(0, 1).data() == "6472********0001"  # masked for a cashier
    qtbot.mouseClick(dialog.pending_check, Qt.MouseButton.LeftButton)
    assert dialog.pending_check.isChecked() and dialog.model.rowCount() == 3

    dialog.view.selectRow(1)
    qtbot.mouseClick(dialog.mark_button, Qt.MouseButton.LeftButton)
    assert dialog.messages.text() == "1 baris ditandai sudah diinput ke MAP."
    assert dialog.pending_label.text() == "Belum diinput ke MAP: 3 baris"
    assert dialog.model.rowCount() == 2  # the marked row left the pending filter
    qtbot.mouseClick(dialog.pending_check, Qt.MouseButton.LeftButton)
    assert dialog.model.index(1, 10).data().startswith("Sudah (01-12-2026 00:30 WITA, Siti Rahmawati)")

    pdf = tmp_path / "logbook.pdf"
    dialog.export_pdf(pdf)
    qtbot.waitUntil(lambda: dialog.messages.text().startswith("Logbook 2026-11 disimpan"))
    assert pdf.read_bytes().startswith(b"%PDF-")
    dialog.close_button.click()
    wait_closed(qtbot, window.till)
