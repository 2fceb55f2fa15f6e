"""Periksa jurnal (the three-way journal check, off the GUI thread) and Ekspor audit (a period's audit CSV)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.clock import business_date
from kkmp_pos.i18n import tr
from kkmp_pos.services.audit import check_viewer
from kkmp_pos.services.audit_export import export_audit_csv
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal_check import JournalCheck, check_journal, summary_lines
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.tasks import TaskManager
from kkmp_pos.ui.widgets import action_button


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class JournalCheckDialog(QDialog):
    """Runs `check_journal` as soon as it opens; "Periksa lagi" runs it again. Reads only."""

    def __init__(self, ctx: PosContext, viewer: Cashier, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        check_viewer(ctx, viewer.id)
        self._ctx = ctx
        self._tasks = tasks
        self._running = False
        self.result: JournalCheck | None = None
        self.setWindowTitle(tr("Periksa jurnal"))
        self.report_view = QPlainTextEdit()
        self.report_view.setReadOnly(True)
        self.messages = MessageBar()
        self.again_button = action_button(tr("Periksa lagi"))
        self.again_button.clicked.connect(lambda *_args: self.run_check())
        self.close_button = action_button(tr("Tutup (Esc)"))
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.again_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("Rantai hash jurnal gerai diperiksa, lalu dicocokkan dengan tanda terima "
                                   "bertanda tangan dari server kota dan dengan setiap laporan Z.")))
        layout.addWidget(self.report_view, 1)
        layout.addWidget(self.messages)
        layout.addLayout(buttons)
        self.resize(760, 420)
        self.run_check()

    def is_running(self) -> bool:
        return self._running

    def run_check(self) -> None:
        if self._running:
            return
        self._running = True
        self.again_button.setEnabled(False)
        self.messages.show_info(tr("Memeriksa jurnal…"))
        self._tasks.run(lambda: check_journal(self._ctx), self._finished, self._failed)

    def _finished(self, result: JournalCheck) -> None:
        self._running = False
        self.again_button.setEnabled(True)
        self.result = result
        self.report_view.setPlainText("\n".join(summary_lines(result)))
        if result.ok:
            self.messages.show_success(tr("Jurnal utuh: tidak ada peristiwa yang diubah atau dihapus."))
        elif result.first_bad_seq is None:
            self.messages.show_warning(tr("Jurnal tidak lolos pemeriksaan. Hubungi pengawas dan Dinas Koperasi."))
        else:
            self.messages.show_warning(tr("Jurnal rusak mulai seq {seq}. Hubungi pengawas dan Dinas Koperasi.",
                                          seq=result.first_bad_seq))

    def _failed(self, exc: BaseException) -> None:
        self._running = False
        self.again_button.setEnabled(True)
        self.messages.show_exception(exc)


class AuditExportDialog(QDialog):
    """Pick WITA days, then a file: every journal event of the period goes to a CSV for the pengawas and Dinas."""

    def __init__(self, ctx: PosContext, viewer: Cashier, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        check_viewer(ctx, viewer.id)
        self._ctx = ctx
        self._viewer = viewer
        self._tasks = tasks
        self.saved: Path | None = None
        self.setWindowTitle(tr("Ekspor audit (CSV)"))
        today = business_date(ctx.clock())
        self.first_day_edit = QDateEdit(_qdate(today.replace(day=1)))
        self.last_day_edit = QDateEdit(_qdate(today))
        for edit in (self.first_day_edit, self.last_day_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd-MM-yyyy")
        self.export_button = action_button(tr("Ekspor CSV…"))
        self.export_button.clicked.connect(lambda *_args: self.export_csv())
        self.close_button = action_button(tr("Tutup (Esc)"))
        self.close_button.clicked.connect(self.reject)
        self.messages = MessageBar()
        period = QHBoxLayout()
        period.addWidget(QLabel(tr("Dari")))
        period.addWidget(self.first_day_edit)
        period.addWidget(QLabel(tr("sampai")))
        period.addWidget(self.last_day_edit)
        period.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        note = QLabel(tr("Semua peristiwa jurnal pada periode ini (waktu WITA, jenis, oleh siapa, jumlah, hash) "
                         "beserta persetujuan dan alasannya, untuk pengawas dan Dinas Koperasi."))
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addLayout(period)
        layout.addWidget(self.messages)
        layout.addLayout(buttons)

    def period(self) -> tuple[date, date]:
        return (self.first_day_edit.date().toPython(),  # type: ignore[return-value]
                self.last_day_edit.date().toPython())

    @guarded
    def export_csv(self, path: Path | None = None) -> None:
        first_day, last_day = self.period()
        if path is None:
            name = f"audit-jurnal-{first_day.isoformat()}-{last_day.isoformat()}.csv"
            chosen, _ = QFileDialog.getSaveFileName(self, tr("Simpan ekspor audit"), str(Path.home() / name),
                                                    "CSV (*.csv)")
            if not chosen:
                return
            path = Path(chosen)
        target = path
        self.export_button.setEnabled(False)
        self.messages.show_info(tr("Menyimpan…"))
        self._tasks.run(
            lambda: export_audit_csv(self._ctx, first_day, last_day, target, viewer_id=self._viewer.id),
            lambda count: self._saved(target, count), self._failed)

    def _saved(self, path: Path, count: int) -> None:
        self.export_button.setEnabled(True)
        self.saved = path
        self.messages.show_success(tr("Ekspor audit disimpan ke {path}: {count} peristiwa.", path=str(path),
                                      count=count))

    def _failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.messages.show_exception(exc)
