"""The SHU & RAT screen: pool and percentages typed, the table sums to the allocated pool, CSV and RAT pack saved."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.i18n import set_language
from kkmp_pos.services.auth import login
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.demo import DEMO_PINS
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.shu_dialog import ShuDialog
from tests.services.test_shu import OIL, RICE, anggota, sell
from tests.ui.helpers import open_dialog


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


def test_the_kasir_cannot_open_shu(window: MainWindow) -> None:
    assert not window.shu_action.isEnabled()


def test_compute_the_table_and_export_csv_and_the_rat_pack(qtbot: QtBot, ctx: PosContext,
                                                           manager_window: MainWindow, tmp_path: Path) -> None:
    siti = anggota(ctx, "Siti Aminah", "6472054101900001", date(2025, 3, 1))
    budi = anggota(ctx, "Budi Santoso", "6472050101850002", date(2026, 2, 10))
    anggota(ctx, "Ani Lestari", "6472054505920003", date(2026, 6, 1))
    sell(ctx, [(OIL, 3000)], siti)
    sell(ctx, [(RICE, 2000)], budi)
    assert manager_window.shu_action.isEnabled()
    manager_window.shu_action.trigger()
    dialog = open_dialog(qtbot, manager_window.till, ShuDialog)
    assert not dialog.csv_button.isEnabled()  # nothing to export before the table is computed

    dialog.year_input.setValue(2026)
    qtbot.keyClicks(dialog.pool_input, "1.000.001")
    qtbot.keyClicks(dialog.purchase_input, "33,33")
    qtbot.mouseClick(dialog.compute_button, Qt.MouseButton.LeftButton)
    assert dialog.model.rowCount() == 3, dialog.messages.text()
    allocated = 1_000_001 * 3_333 // 10_000
    shown = [dialog.model.data(dialog.model.index(row, 6)) for row in range(3)]
    assert sum(int(text.replace("Rp", "").replace(".", "")) for text in shown) == allocated
    assert shown[2] == "Rp0"  # Ani bought nothing
    assert format_rupiah(allocated) in dialog.totals_label.text()

    dialog.export_csv(tmp_path / "shu.csv")
    qtbot.waitUntil(lambda: "disimpan" in dialog.messages.text())
    rows = list(csv.reader((tmp_path / "shu.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert [r[0] for r in rows[1:]] == ["A-000001", "A-000002", "A-000003", "Jumlah"]
    assert int(rows[-1][6]) == allocated == sum(int(r[6]) for r in rows[1:4])

    dialog.export_rat_pack(tmp_path / "rat")
    qtbot.waitUntil(lambda: "Bahan RAT 2026" in dialog.messages.text())
    assert (tmp_path / "rat" / "rat-2026.pdf").exists() and (tmp_path / "rat" / "rat-2026-shu.csv").exists()


def test_bad_input_says_what_is_wrong(qtbot: QtBot, manager_window: MainWindow) -> None:
    manager_window.open_shu()
    dialog = open_dialog(qtbot, manager_window.till, ShuDialog)
    qtbot.keyClicks(dialog.pool_input, "5000000")
    qtbot.keyClicks(dialog.purchase_input, "80")
    qtbot.keyClicks(dialog.savings_input, "30")
    qtbot.mouseClick(dialog.compute_button, Qt.MouseButton.LeftButton)
    assert "lebih dari 100 %" in dialog.messages.text() and dialog.model.rowCount() == 0
    dialog.savings_input.clear()
    qtbot.mouseClick(dialog.compute_button, Qt.MouseButton.LeftButton)
    assert "Tidak ada anggota yang berbelanja" in dialog.messages.text()
