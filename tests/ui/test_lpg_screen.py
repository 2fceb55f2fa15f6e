"""The LPG screen: a manager records a delivery from the agen, sets the allocation; a kasir cannot open it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from kkmp_pos.domain.cylinders import CylinderStock
from kkmp_pos.i18n import set_language
from kkmp_pos.services.auth import login
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.cylinders import cylinder_stock, list_deliveries, lpg_month_summary
from kkmp_pos.services.demo import DEMO_PINS
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.ui.lpg_dialog import LpgDialog
from kkmp_pos.ui.main_window import MainWindow
from tests.ui.helpers import open_dialog, wait_closed


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


def _cell(dialog: LpgDialog, row: int, column: int) -> str:
    model = dialog.deliveries_model
    return str(model.data(model.index(row, column)))


def test_a_manager_records_a_delivery_and_sets_the_allocation(qtbot: QtBot, manager_window: MainWindow,
                                                               ctx: PosContext) -> None:
    till = manager_window.till
    assert manager_window.lpg_action.isEnabled()
    manager_window.lpg_action.trigger()
    dialog = open_dialog(qtbot, till, LpgDialog)
    summary = dialog.summary_model
    assert [summary.data(summary.index(0, c)) for c in range(3)] == ["3 kg", "50", "30"]  # the demo opening

    qtbot.keyClicks(dialog.do_input, "DO/LPK/2026/118")
    dialog.date_input.setDate(QDate(2026, 11, 29))
    qtbot.keyClicks(dialog.agen_input, "PT Agen Mahakam")
    dialog.full_spin.setValue(40)
    dialog.empties_spin.setValue(31)  # one more empty than the outlet holds
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert "lebih banyak dari yang ada di gerai (30)" in dialog.messages.text()
    assert list_deliveries(ctx) == []

    dialog.empties_spin.setValue(30)
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert dialog.messages.text() == "Pengiriman DO DO/LPK/2026/118 tercatat: 40 isi masuk, 30 kosong keluar."
    assert cylinder_stock(ctx)["3kg"] == CylinderStock(full=90, empty=0)
    assert [_cell(dialog, 0, c) for c in range(6)] == ["29-11-2026", "DO/LPK/2026/118", "PT Agen Mahakam", "3 kg",
                                                        "40", "30"]
    assert [summary.data(summary.index(0, c)) for c in range(5)] == ["3 kg", "90", "0", "0", "40"]
    assert dialog.do_input.text() == "" and dialog.full_spin.value() == 0

    dialog.allocation_spin.setValue(250)
    qtbot.mouseClick(dialog.allocation_button, Qt.MouseButton.LeftButton)
    assert lpg_month_summary(ctx).allocation == 250
    assert summary.data(summary.index(0, 6)) == "210"  # remaining = 250 allocated - 40 received
    assert verify_journal(ctx.engine) is None

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    wait_closed(qtbot, till)


def test_a_kasir_cannot_open_the_lpg_screen(window: MainWindow) -> None:
    assert not window.lpg_action.isEnabled()
