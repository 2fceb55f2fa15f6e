"""The 3 kg LPG logbook screen: filters, rows marked "sudah diinput ke MAP", the month's CSV/PDF and the HET notice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.clock import business_date, format_wita
from kkmp_pos.domain.lpg import CATEGORY_LABELS
from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.domain.roles import Role
from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.lpg_logbook import (
    MARK_ROLES,
    WHOLE_NIK_ROLES,
    LogbookFilter,
    LogbookRow,
    export_het_notice,
    export_month_csv,
    export_month_pdf,
    list_logbook,
    mark_map_entered,
    month_bounds,
    pending_count,
)
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.tasks import TaskManager
from kkmp_pos.ui.widgets import action_button, configure_list_view

MONTHS_BACK = 12
"""The month list reaches a year back: the agen reconciles monthly, older months are rarely needed."""


def map_status_text(row: LogbookRow) -> str:
    if row.returned_in_full and row.map_entered_at is None:
        return tr("Diretur, tidak diinput")
    if row.pending:
        return tr("Belum")
    return tr("Sudah ({when}, {who})", when=format_wita(row.map_entered_at), who=row.map_entered_by or "")  # type: ignore[arg-type]


def logbook_columns() -> list[Column[LogbookRow]]:
    return [
        Column(tr("Waktu"), lambda r: format_wita(r.sold_at)),
        Column(tr("NIK"), lambda r: r.nik),
        Column(tr("Nama"), lambda r: r.name),
        Column(tr("Alamat"), lambda r: r.address),
        Column(tr("Kategori"), lambda r: tr(r.category_label)),
        Column(tr("Jumlah"), lambda r: tr("{pieces} (retur {returned})", pieces=r.pieces, returned=r.returned)
               if r.returned else str(r.pieces), right=True),
        Column(tr("Harga"), lambda r: format_rupiah(r.unit_price), right=True),
        Column(tr("No. DO"), lambda r: r.do_number),
        Column(tr("Kasir"), lambda r: r.cashier_name),
        Column(tr("No. struk"), lambda r: r.receipt_no),
        Column(tr("Input MAP"), map_status_text),
    ]


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _recent_months(today: date) -> list[str]:
    months = []
    year, month = today.year, today.month
    for _ in range(MONTHS_BACK):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


class LpgLogbookDialog(QDialog):
    """Every filter change reloads the rows; marking is the only change this screen makes, and it is final."""

    def __init__(self, ctx: PosContext, viewer: Cashier, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._viewer = viewer
        self._tasks = tasks
        self.setWindowTitle(tr("Logbook elpiji 3 kg"))
        today = business_date(ctx.clock())
        first, _ = month_bounds(today.isoformat()[:7])

        self.month_combo = QComboBox()
        for month in _recent_months(today):
            self.month_combo.addItem(month, month)
        self.first_day_edit = QDateEdit(_qdate(first))
        self.last_day_edit = QDateEdit(_qdate(today))
        for edit in (self.first_day_edit, self.last_day_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd-MM-yyyy")
        self.category_combo = QComboBox()
        self.category_combo.addItem(tr("Semua kategori"), None)
        for code, label in CATEGORY_LABELS.items():
            self.category_combo.addItem(tr(label), code)
        self.text_edit = QLineEdit()
        self.text_edit.setPlaceholderText(tr("Cari NIK atau nama"))
        self.pending_check = QCheckBox(tr("Hanya yang belum diinput ke MAP"))

        self.model: ListTableModel[LogbookRow] = ListTableModel(logbook_columns(), self)
        self.view = QTableView()
        self.view.setModel(self.model)
        configure_list_view(self.view)
        # Rows are typed into MAP in batches: several may be marked at once.
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.pending_label = QLabel()
        self.messages = MessageBar()

        role = Role(viewer.role)
        self.mark_button = action_button(tr("Tandai sudah diinput ke MAP"))
        self.mark_button.setEnabled(role in MARK_ROLES)
        self.mark_button.clicked.connect(lambda *_args: self.mark_selected())
        self.csv_button = action_button(tr("Ekspor CSV untuk agen…"))
        self.csv_button.setEnabled(role in WHOLE_NIK_ROLES)
        self.csv_button.clicked.connect(lambda *_args: self.export_csv())
        self.pdf_button = action_button(tr("Logbook PDF…"))
        self.pdf_button.clicked.connect(lambda *_args: self.export_pdf())
        self.het_button = action_button(tr("Pengumuman HET (PDF)…"))
        self.het_button.clicked.connect(lambda *_args: self.export_het())
        self.close_button = action_button(tr("Tutup (Esc)"))
        self.close_button.clicked.connect(self.reject)

        self.month_combo.currentIndexChanged.connect(lambda *_args: self._month_chosen())
        for edit in (self.first_day_edit, self.last_day_edit):
            edit.dateChanged.connect(self.refresh)
        self.category_combo.currentIndexChanged.connect(self.refresh)
        self.text_edit.textChanged.connect(self.refresh)
        self.pending_check.toggled.connect(self.refresh)

        filters = QHBoxLayout()
        filters.addWidget(QLabel(tr("Bulan")))
        filters.addWidget(self.month_combo)
        filters.addWidget(QLabel(tr("Dari")))
        filters.addWidget(self.first_day_edit)
        filters.addWidget(QLabel(tr("sampai")))
        filters.addWidget(self.last_day_edit)
        filters.addWidget(self.category_combo)
        filters.addWidget(self.text_edit, 1)
        filters.addWidget(self.pending_check)
        buttons = QHBoxLayout()
        buttons.addWidget(self.pending_label)
        buttons.addStretch(1)
        for button in (self.mark_button, self.csv_button, self.pdf_button, self.het_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.messages)
        layout.addLayout(buttons)
        self.resize(1200, 640)
        self.refresh()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    def selected_month(self) -> str:
        return str(self.month_combo.currentData())

    def _month_chosen(self) -> None:
        first, last = month_bounds(self.selected_month())
        # One reload for both edits, not one per edit.
        for edit in (self.first_day_edit, self.last_day_edit):
            edit.blockSignals(True)
        self.first_day_edit.setDate(_qdate(first))
        self.last_day_edit.setDate(_qdate(last))
        for edit in (self.first_day_edit, self.last_day_edit):
            edit.blockSignals(False)
        self.refresh()

    def current_filter(self) -> LogbookFilter:
        return LogbookFilter(
            first_day=self.first_day_edit.date().toPython(),  # type: ignore[arg-type]
            last_day=self.last_day_edit.date().toPython(),  # type: ignore[arg-type]
            category=self.category_combo.currentData(),
            text=self.text_edit.text(),
            pending_only=self.pending_check.isChecked(),
        )

    @guarded
    def refresh(self) -> None:
        rows = list_logbook(self._ctx, self.current_filter(), viewer_id=self._viewer.id)
        self.model.set_rows(rows)
        self.pending_label.setText(tr("Belum diinput ke MAP: {n} baris", n=pending_count(self._ctx)))

    def selected_rows(self) -> list[LogbookRow]:
        chosen = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [self.model.row_at(row) for row in chosen]

    @guarded
    def mark_selected(self) -> None:
        marked = mark_map_entered(self._ctx, [r.sale_line_id for r in self.selected_rows()],
                                  user_id=self._viewer.id)
        self.refresh()
        if marked:
            self.messages.show_success(tr("{n} baris ditandai sudah diinput ke MAP.", n=marked))
        else:
            self.messages.show_info(tr("Baris yang dipilih sudah ditandai sebelumnya."))

    # -- files ------------------------------------------------------------------------------------------------

    def _ask_path(self, title: str, name: str, kind: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self, title, str(Path.home() / name), kind)
        return Path(chosen) if chosen else None

    def _in_background(self, work: Callable[[], object], done_text: str) -> None:
        """Writing a month's PDF can take a moment on a slow laptop: off the GUI thread."""
        self.messages.show_info(tr("Menyimpan…"))
        self._tasks.run(work, lambda _result: self.messages.show_success(done_text), self.show_exception)

    @guarded
    def export_csv(self, path: Path | None = None) -> None:
        month = self.selected_month()
        path = path or self._ask_path(tr("Simpan logbook CSV"), f"logbook-elpiji-{month}.csv", "CSV (*.csv)")
        if path is None:
            return
        viewer = self._viewer.id
        self._in_background(lambda: export_month_csv(self._ctx, month, path, viewer_id=viewer),
                            tr("Logbook {month} disimpan ke {path}.", month=month, path=str(path)))

    @guarded
    def export_pdf(self, path: Path | None = None) -> None:
        month = self.selected_month()
        path = path or self._ask_path(tr("Simpan logbook PDF"), f"logbook-elpiji-{month}.pdf", "PDF (*.pdf)")
        if path is None:
            return
        viewer = self._viewer.id
        self._in_background(lambda: export_month_pdf(self._ctx, month, path, viewer_id=viewer),
                            tr("Logbook {month} disimpan ke {path}.", month=month, path=str(path)))

    @guarded
    def export_het(self, path: Path | None = None) -> None:
        path = path or self._ask_path(tr("Simpan pengumuman HET"), "pengumuman-het-elpiji.pdf", "PDF (*.pdf)")
        if path is None:
            return
        self._in_background(lambda: export_het_notice(self._ctx, path),
                            tr("Pengumuman HET disimpan ke {path}. Cetak dan tempel di gerai.", path=str(path)))
