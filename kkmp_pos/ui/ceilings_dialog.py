"""Regulated prices (Menu > Batas harga): the HET/HAP in force and upcoming, and importing a new ceilings file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.ceiling_import import CeilingFileInvalid
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.domain.roles import APPROVER_ROLES, Role
from kkmp_pos.i18n import tr
from kkmp_pos.services.ceilings import CeilingView, ceiling_overview, import_ceilings_csv
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import action_button, configure_list_view


def ceiling_columns() -> list[Column[CeilingView]]:
    return [
        Column(tr("Barang"), lambda c: c.product_name or c.sku),
        Column(tr("Jenis"), lambda c: c.kind),
        Column(tr("Batas"), lambda c: format_rupiah(c.amount), right=True),
        Column(tr("Berlaku mulai"), lambda c: c.effective_from.strftime("%d-%m-%Y")),
        Column(tr("Status"), lambda c: tr("Akan berlaku") if c.upcoming else tr("Berlaku")),
        Column(tr("Wilayah"), lambda c: c.region),
        Column(tr("Sumber"), lambda c: c.source),
    ]


class CeilingsDialog(QDialog):
    """Everyone may look; a manajer or admin imports a CSV file (all rows or none, errors by line and column)."""

    def __init__(self, ctx: PosContext, cashier: Cashier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._cashier = cashier
        self.file_dialog: QFileDialog | None = None
        self.setWindowTitle(tr("Batas harga (HET/HAP)"))
        intro = QLabel(tr("HET membatasi harga jual (di atasnya perlu persetujuan manajer); HAP hanya acuan "
                          "(peringatan). Batas baru berlaku mulai tanggalnya."))
        intro.setWordWrap(True)
        self.ceilings_model: ListTableModel[CeilingView] = ListTableModel(ceiling_columns(), self)
        self.ceilings_view = QTableView()
        self.ceilings_view.setModel(self.ceilings_model)
        configure_list_view(self.ceilings_view)
        self.ceilings_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.ceilings_view.horizontalHeader().setStretchLastSection(True)
        self.problems_view = QPlainTextEdit()
        self.problems_view.setReadOnly(True)
        self.problems_view.setVisible(False)
        self.messages = MessageBar()
        self.import_button = action_button(tr("Impor file CSV…"))
        self.import_button.setEnabled(Role(cashier.role) in APPROVER_ROLES)
        self.close_button = action_button(tr("Tutup (Esc)"))
        self.import_button.clicked.connect(self.choose_file)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.ceilings_view, 1)
        layout.addWidget(self.problems_view)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.import_button)
        layout.addLayout(buttons)
        self.resize(1000, 560)
        self.refresh()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    @guarded
    def refresh(self) -> None:
        self.ceilings_model.set_rows(ceiling_overview(self._ctx))

    @guarded
    def choose_file(self) -> None:
        dialog = QFileDialog(self, tr("Pilih file batas harga (CSV)"))
        dialog.setNameFilter(tr("File CSV (*.csv)"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)  # the same dialog on every PC, testable
        dialog.fileSelected.connect(self.import_file)
        dialog.finished.connect(dialog.deleteLater)
        self.file_dialog = dialog
        dialog.open()

    @guarded
    def import_file(self, path: str) -> None:
        """Import `path`; a bad file lists every problem below the table and changes nothing."""
        if Role(self._cashier.role) not in APPROVER_ROLES:
            raise InvalidInput("Hanya manajer atau admin yang dapat mengimpor batas harga.")
        self.problems_view.setVisible(False)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InvalidInput("File {path} tidak ditemukan. Periksa nama dan foldernya.", path=path) from None
        except UnicodeDecodeError:
            raise InvalidInput("File {path} bukan teks UTF-8. Simpan ulang sebagai CSV UTF-8 lalu impor lagi.",
                               path=path) from None
        try:
            result = import_ceilings_csv(self._ctx, text)
        except CeilingFileInvalid as invalid:
            self.problems_view.setPlainText(invalid.report(limit=200))
            self.problems_view.setVisible(True)
            self.messages.show_exception(invalid)
            return
        self.refresh()
        self.messages.show_success(tr("Batas harga diimpor: {added} baru, {unchanged} sudah ada.",
                                      added=result.added, unchanged=result.unchanged))
