"""The logbook screen after elpiji refunds: net pieces with what came back, a line returned in full not pending."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kkmp_pos.services.context import PosContext
from kkmp_pos.ui.lpg_logbook_dialog import LpgLogbookDialog
from kkmp_pos.ui.main_window import MainWindow
from tests.services.test_lpg_refund import return_sample
from tests.ui.helpers import open_dialog, wait_closed

PIECES, RECEIPT, MAP = 5, 9, 10


def test_the_logbook_screen_shows_returns_and_refuses_to_mark_a_line_returned_in_full(
        qtbot: QtBot, window: MainWindow, ctx: PosContext) -> None:
    sales = return_sample(ctx)
    window.open_lpg_logbook()
    dialog = open_dialog(qtbot, window.till, LpgLogbookDialog)
    assert dialog.pending_label.text() == "Belum diinput ke MAP: 1 baris"
    shown = {dialog.model.index(row, RECEIPT).data(): row for row in range(dialog.model.rowCount())}
    partly, whole, marked = (shown[sales[key].receipt_no] for key in ("partly", "whole", "marked"))
    assert [dialog.model.index(row, PIECES).data() for row in (partly, whole, marked)] == [
        "1 (retur 1)", "0 (retur 1)", "0 (retur 1)"]
    assert dialog.model.index(partly, MAP).data() == "Belum"
    assert dialog.model.index(whole, MAP).data() == "Diretur, tidak diinput"
    assert dialog.model.index(marked, MAP).data().startswith("Sudah (")  # typed into MAP before it came back

    dialog.view.selectRow(whole)
    dialog.mark_button.click()
    assert dialog.messages.text() == "Baris yang dipilih sudah diretur seluruhnya, jadi tidak perlu diinput ke MAP."
    assert dialog.model.index(whole, MAP).data() == "Diretur, tidak diinput"
    dialog.close_button.click()
    wait_closed(qtbot, window.till)
