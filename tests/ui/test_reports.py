"""The Laporan penjualan screen: a day's report with tables and charts, CSV export, cancelling a running report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCharts import QChartView
from pytestqt.qtbot import QtBot

from kkmp_pos.services.context import PosContext
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.reports_dialog import ReportsDialog
from tests.services.test_reports import day  # noqa: F401 - the fixture with the day's trade
from tests.ui.helpers import open_dialog
from tests.ui.test_stock_count import quit_app, start_app


def test_the_cashier_cannot_open_reports_but_the_supervisor_can(qtbot: QtBot, window: MainWindow,
                                                                ctx: PosContext) -> None:
    assert not window.reports_action.isEnabled()
    supervisor = start_app(qtbot, ctx, "pengawas")
    try:
        assert supervisor.reports_action.isEnabled()
    finally:
        quit_app(supervisor)


def test_a_days_report_shows_tables_and_charts_and_exports_csv(qtbot: QtBot, day: PosContext,  # noqa: F811
                                                               tmp_path: Path) -> None:
    main = start_app(qtbot, day, "manajer")
    try:
        main.reports_action.trigger()
        dialog = open_dialog(qtbot, main.till, ReportsDialog)
        assert not dialog.csv_button.isEnabled()  # nothing to export before a report has run
        dialog.run_report()
        qtbot.waitUntil(lambda: dialog.report is not None and not dialog.is_running())
        assert dialog.report.net == 129_143 and dialog.progress.value() == dialog.progress.maximum()
        titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
        assert titles[:3] == ["Ringkasan", "Grafik", "Per hari"] and "Per produk" in titles
        summary = dialog.tabs.widget(0).model()
        cells = {summary.index(r, 0).data(): summary.index(r, 1).data() for r in range(summary.rowCount())}
        assert cells["Penjualan bersih"] == "Rp129.143" and cells["Diskon"] == "Rp1.953"
        charts = dialog.tabs.widget(1).findChildren(QChartView)
        assert [c.chart().title() for c in charts] == ["Penjualan per hari", "Penjualan per jam (WITA)",
                                                        "Produk terlaris", "Metode pembayaran"]
        assert charts[3].chart().series()[0].count() == 2  # tunai and QRIS
        path = tmp_path / "hari-ini.csv"
        dialog.export_csv(path)
        qtbot.waitUntil(lambda: path.exists() and "disimpan" in dialog.messages.text())
        assert "Penjualan bersih,129143" in path.read_text(encoding="utf-8-sig")
        dialog.reject()
    finally:
        quit_app(main)


def test_a_running_report_can_be_cancelled(qtbot: QtBot, day: PosContext) -> None:  # noqa: F811
    main = start_app(qtbot, day, "manajer")
    try:
        dialog = main.open_reports()
        assert dialog is not None
        dialog.first_day_edit.setDate(date(2026, 1, 1))  # a long period: a dozen product chunks
        dialog.run_report()
        assert dialog.is_running() and dialog.cancel_button.isEnabled()
        dialog.cancel_button.click()
        assert not dialog.is_running() and dialog.run_button.isEnabled()
        assert "dibatalkan" in dialog.messages.text()
        assert main.tasks.wait_for_done(10_000)
        qtbot.waitUntil(main.tasks.is_idle)
        assert dialog.report is None and dialog.tabs.count() == 0  # the late answer was dropped
        dialog.reject()
    finally:
        quit_app(main)
