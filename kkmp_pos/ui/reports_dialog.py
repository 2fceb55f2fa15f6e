"""Laporan penjualan: pick a day or period, run the report off the GUI thread, see tables and charts, export."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QObject, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.i18n import tr
from kkmp_pos.printing.report_pdf import ReportTable
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.reports import ReportCancelled, SalesReport, sales_report, today
from kkmp_pos.services.reports_export import export_report_csv, export_report_pdf, margin_note, report_tables
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.report_charts import chart_view, report_charts
from kkmp_pos.ui.tasks import TaskManager
from kkmp_pos.ui.widgets import action_button, configure_list_view

Row = tuple[str, ...]


class _ProgressRelay(QObject):
    """Emitted on the worker thread, delivered (queued) on the GUI thread where the relay lives."""

    progressed = Signal(int, int)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _table_view(table: ReportTable, parent: QObject) -> QTableView:
    columns = [Column(title, (lambda row, i=i: row[i]), right=i in table.right)
               for i, title in enumerate(table.headers)]
    model: ListTableModel[Row] = ListTableModel(columns, parent)
    model.set_rows(list(table.rows))
    view = QTableView()
    view.setModel(model)
    configure_list_view(view)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class ReportsDialog(QDialog):
    """One report at a time; a new run or Batal stops the one running (its answer is then dropped)."""

    def __init__(self, ctx: PosContext, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._tasks = tasks
        self._stop: threading.Event | None = None
        self.report: SalesReport | None = None
        self.setWindowTitle(tr("Laporan penjualan"))
        day = today(ctx)
        self.first_day_edit = QDateEdit(_qdate(day))
        self.last_day_edit = QDateEdit(_qdate(day))
        for edit in (self.first_day_edit, self.last_day_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd-MM-yyyy")
        self.run_button = action_button(tr("Tampilkan"))
        self.run_button.clicked.connect(lambda *_args: self.run_report())
        self.cancel_button = action_button(tr("Batalkan laporan"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(lambda *_args: self.cancel_report())
        self.csv_button = action_button(tr("Ekspor CSV…"))
        self.csv_button.clicked.connect(lambda *_args: self.export_csv())
        self.pdf_button = action_button(tr("Ekspor PDF…"))
        self.pdf_button.clicked.connect(lambda *_args: self.export_pdf())
        self.close_button = action_button(tr("Tutup (Esc)"))
        self.close_button.clicked.connect(self.reject)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self._relay = _ProgressRelay(self)
        self._relay.progressed.connect(self._show_progress)
        self.tabs = QTabWidget()
        self.note_label = QLabel(margin_note())
        self.note_label.setWordWrap(True)
        self.messages = MessageBar()
        self._set_exportable(False)

        filters = QHBoxLayout()
        filters.addWidget(QLabel(tr("Dari")))
        filters.addWidget(self.first_day_edit)
        filters.addWidget(QLabel(tr("sampai")))
        filters.addWidget(self.last_day_edit)
        filters.addWidget(self.run_button)
        filters.addWidget(self.cancel_button)
        filters.addWidget(self.progress, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.csv_button, self.pdf_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.note_label)
        layout.addWidget(self.messages)
        layout.addLayout(buttons)
        self.resize(1200, 720)

    def _set_exportable(self, enabled: bool) -> None:
        self.csv_button.setEnabled(enabled)
        self.pdf_button.setEnabled(enabled)

    def period(self) -> tuple[date, date]:
        return (self.first_day_edit.date().toPython(),  # type: ignore[return-value]
                self.last_day_edit.date().toPython())

    def is_running(self) -> bool:
        return self._stop is not None

    @guarded
    def run_report(self) -> None:
        self.cancel_report(quiet=True)
        first_day, last_day = self.period()
        stop = threading.Event()
        self._stop = stop
        relay = self._relay
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.messages.show_info(tr("Menyusun laporan…"))
        self._tasks.run(
            lambda: sales_report(self._ctx, first_day, last_day, progress=relay.progressed.emit,
                                 cancelled=stop.is_set),
            lambda report: self._finished(stop, report),
            lambda exc: self._failed(stop, exc))

    def cancel_report(self, *, quiet: bool = False) -> None:
        """Stop the running report: the worker stops at its next step; any answer still coming is dropped."""
        if self._stop is None:
            return
        self._stop.set()
        self._stop = None
        self._idle()
        if not quiet:
            self.messages.show_info(tr("Laporan dibatalkan."))

    def _idle(self) -> None:
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def _show_progress(self, done: int, steps: int) -> None:
        if self._stop is not None:
            self.progress.setRange(0, steps)
            self.progress.setValue(done)

    def _finished(self, stop: threading.Event, report: SalesReport) -> None:
        if stop.is_set() or stop is not self._stop:
            return
        self._stop = None
        self._idle()
        self.show_report(report)
        self.messages.show_success(tr("Laporan {first} – {last}: {n} transaksi.",
                                      first=report.first_day.strftime("%d-%m-%Y"),
                                      last=report.last_day.strftime("%d-%m-%Y"), n=report.sale_count))

    def _failed(self, stop: threading.Event, exc: BaseException) -> None:
        if stop is not self._stop:
            return  # cancelled or replaced: the message about that is already shown
        self._stop = None
        self._idle()
        if not isinstance(exc, ReportCancelled):
            self.messages.show_exception(exc)

    def show_report(self, report: SalesReport) -> None:
        self.report = report
        self.tabs.clear()
        charts = QWidget()
        grid = QGridLayout(charts)
        for index, chart in enumerate(report_charts(report)):
            grid.addWidget(chart_view(chart), index // 2, index % 2)
        tables = report_tables(report)
        self.tabs.addTab(_table_view(tables[0], self), tables[0].title)
        self.tabs.addTab(charts, tr("Grafik"))
        for table in tables[1:]:
            self.tabs.addTab(_table_view(table, self), table.title)
        self._set_exportable(True)

    # -- files ------------------------------------------------------------------------------------------------

    def _ask_path(self, title: str, name: str, kind: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self, title, str(Path.home() / name), kind)
        return Path(chosen) if chosen else None

    def _file_name(self, suffix: str) -> str:
        assert self.report is not None
        return f"laporan-penjualan-{self.report.first_day.isoformat()}-{self.report.last_day.isoformat()}.{suffix}"

    def _save(self, work: Callable[[], object], path: Path) -> None:
        self.messages.show_info(tr("Menyimpan…"))
        self._tasks.run(work, lambda _result: self.messages.show_success(
            tr("Laporan disimpan ke {path}.", path=str(path))), self.messages.show_exception)

    @guarded
    def export_csv(self, path: Path | None = None) -> None:
        report = self.report
        if report is None:
            return
        path = path or self._ask_path(tr("Simpan laporan CSV"), self._file_name("csv"), "CSV (*.csv)")
        if path is not None:
            self._save(lambda: export_report_csv(report, path), path)

    @guarded
    def export_pdf(self, path: Path | None = None) -> None:
        report = self.report
        if report is None:
            return
        path = path or self._ask_path(tr("Simpan laporan PDF"), self._file_name("pdf"), "PDF (*.pdf)")
        if path is not None:
            self._save(lambda: export_report_pdf(self._ctx, report, path), path)

    def reject(self) -> None:
        self.cancel_report(quiet=True)
        super().reject()
