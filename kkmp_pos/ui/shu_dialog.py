"""SHU & RAT: the manager enters the RAT's pool and percentages, sees each member's share, exports CSV/PDF/RAT pack."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.clock import business_date
from kkmp_pos.domain.money import format_rupiah, parse_rupiah
from kkmp_pos.domain.roles import Role
from kkmp_pos.domain.shu import ShuRates, ShuShare, parse_percent_bp
from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.rat_pack import write_rat_pack
from kkmp_pos.services.shu import (
    FIRST_YEAR,
    LAST_YEAR,
    ShuTable,
    compute_year_shu,
    export_shu_csv,
    export_shu_pdf,
    remainder_rule_text,
)
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.tasks import TaskManager
from kkmp_pos.ui.widgets import action_button, configure_list_view

SHU_ROLES = frozenset({Role.MANAJER, Role.PENGAWAS, Role.ADMIN})
"""Who opens this screen: the manager computes, the pengawas (supervisory board) checks."""


def shu_columns() -> list[Column[ShuShare]]:
    return [
        Column(tr("No. anggota"), lambda s: s.member.member_no),
        Column(tr("Nama"), lambda s: s.member.name),
        Column(tr("Belanja bersih"), lambda s: format_rupiah(s.member.purchases), right=True),
        Column(tr("Simpanan"), lambda s: format_rupiah(s.member.savings), right=True),
        Column(tr("Jasa usaha"), lambda s: format_rupiah(s.purchase_share), right=True),
        Column(tr("Jasa modal"), lambda s: format_rupiah(s.savings_share), right=True),
        Column(tr("SHU diterima"), lambda s: format_rupiah(s.total), right=True),
    ]


class ShuDialog(QDialog):
    """Nothing is stored: the table is computed from the year's records each time and written only to files."""

    def __init__(self, ctx: PosContext, viewer: Cashier, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._viewer = viewer
        self._tasks = tasks
        self.table: ShuTable | None = None
        self.setWindowTitle(tr("SHU & RAT"))

        self.year_input = QSpinBox()
        self.year_input.setRange(FIRST_YEAR, LAST_YEAR)
        # The RAT meets early in the year about the year just closed.
        self.year_input.setValue(business_date(ctx.clock()).year - 1)
        self.pool_input = QLineEdit()
        self.pool_input.setPlaceholderText(tr("mis. 25.000.000"))
        self.purchase_input = QLineEdit()
        self.purchase_input.setPlaceholderText(tr("mis. 40"))
        self.savings_input = QLineEdit()
        self.savings_input.setPlaceholderText(tr("kosongkan bila tidak dipakai"))
        form = QFormLayout()
        form.addRow(tr("Tahun buku"), self.year_input)
        form.addRow(tr("Dana SHU (keputusan RAT)"), self.pool_input)
        form.addRow(tr("Jasa anggota / belanja (%)"), self.purchase_input)
        form.addRow(tr("Jasa modal / simpanan (%)"), self.savings_input)

        self.model: ListTableModel[ShuShare] = ListTableModel(shu_columns(), self)
        self.view = QTableView()
        self.view.setModel(self.model)
        configure_list_view(self.view)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.totals_label = QLabel()
        self.rule_label = QLabel(remainder_rule_text())
        self.rule_label.setWordWrap(True)
        self.messages = MessageBar()

        self.compute_button = action_button(tr("Hitung"))
        self.compute_button.setDefault(True)
        self.compute_button.clicked.connect(lambda *_args: self.compute())
        self.csv_button = action_button(tr("Ekspor CSV…"))
        self.csv_button.clicked.connect(lambda *_args: self.export_csv())
        self.pdf_button = action_button(tr("PDF…"))
        self.pdf_button.clicked.connect(lambda *_args: self.export_pdf())
        self.rat_button = action_button(tr("Bahan RAT…"))
        self.rat_button.clicked.connect(lambda *_args: self.export_rat_pack())
        self.close_button = action_button(tr("Tutup (Esc)"))
        self.close_button.clicked.connect(self.reject)
        for button in (self.csv_button, self.pdf_button):
            button.setEnabled(False)

        buttons = QHBoxLayout()
        buttons.addWidget(self.compute_button)
        buttons.addStretch(1)
        for button in (self.csv_button, self.pdf_button, self.rat_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.totals_label)
        layout.addWidget(self.rule_label)
        layout.addWidget(self.messages)
        layout.addLayout(buttons)
        self.resize(1000, 640)
        self.pool_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    def rates(self) -> ShuRates:
        return ShuRates(pool=parse_rupiah(self.pool_input.text()),
                        purchase_bp=parse_percent_bp(self.purchase_input.text()),
                        savings_bp=parse_percent_bp(self.savings_input.text()))

    @guarded
    def compute(self) -> None:
        self.table = None
        self.model.set_rows([])
        for button in (self.csv_button, self.pdf_button):
            button.setEnabled(False)
        table = compute_year_shu(self._ctx, self.year_input.value(), self.rates())
        self.table = table
        result = table.result
        self.model.set_rows(result.shares)
        self.totals_label.setText(tr(
            "Dibagikan {total}: jasa usaha {purchase} dari {purchase_part}, jasa modal {savings} dari "
            "{savings_part}; {members} anggota.", total=format_rupiah(result.total),
            purchase=format_rupiah(result.purchase_total), purchase_part=format_rupiah(result.rates.purchase_part),
            savings=format_rupiah(result.savings_total), savings_part=format_rupiah(result.rates.savings_part),
            members=len(result.shares)))
        for button in (self.csv_button, self.pdf_button):
            button.setEnabled(True)
        if table.notice:
            self.messages.show_warning(table.notice)
        else:
            self.messages.show_success(tr("SHU tahun buku {year} dihitung.", year=table.year))

    # -- files ------------------------------------------------------------------------------------------------

    def _ask_path(self, title: str, name: str, kind: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self, title, str(Path.home() / name), kind)
        return Path(chosen) if chosen else None

    def _in_background(self, work: Callable[[], object], done_text: str) -> None:
        """A PDF of a few thousand members takes a moment on a slow laptop: off the GUI thread."""
        self.messages.show_info(tr("Menyimpan…"))
        self._tasks.run(work, lambda _result: self.messages.show_success(done_text), self.show_exception)

    @guarded
    def export_csv(self, path: Path | None = None) -> None:
        table = self.table
        if table is None:
            return
        path = path or self._ask_path(tr("Simpan SHU sebagai CSV"), f"shu-{table.year}.csv", "CSV (*.csv)")
        if path is None:
            return
        self._in_background(lambda: export_shu_csv(table, path), tr("SHU disimpan ke {path}.", path=str(path)))

    @guarded
    def export_pdf(self, path: Path | None = None) -> None:
        table = self.table
        if table is None:
            return
        path = path or self._ask_path(tr("Simpan SHU sebagai PDF"), f"shu-{table.year}.pdf", "PDF (*.pdf)")
        if path is None:
            return
        ctx = self._ctx
        self._in_background(lambda: export_shu_pdf(ctx, table, path), tr("SHU disimpan ke {path}.", path=str(path)))

    @guarded
    def export_rat_pack(self, folder: Path | None = None) -> None:
        """The RAT pack of the chosen year into a folder; the SHU table goes in when computed for that year."""
        year = self.year_input.value()
        if folder is None:
            chosen = QFileDialog.getExistingDirectory(self, tr("Pilih folder untuk bahan RAT"), str(Path.home()))
            if not chosen:
                return
            folder = Path(chosen)
        ctx, table, target = self._ctx, self.table, folder
        self._in_background(lambda: write_rat_pack(ctx, year, target, table),
                            tr("Bahan RAT {year} disimpan ke {path}.", year=year, path=str(target)))
