"""Today's sales (F5): list, filter by receipt number, receipt preview and reprint marked SALINAN."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QHBoxLayout, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from kkmp_pos.domain.clock import business_date
from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.history import SaleSummary, sales_of_day
from kkmp_pos.services.receipts import receipt_preview
from kkmp_pos.ui.formatting import methods_text, time_wita
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.messages import Level, MessageBar, guarded
from kkmp_pos.ui.print_jobs import PrintJobs
from kkmp_pos.ui.receipt_preview import ReceiptPreview
from kkmp_pos.ui.widgets import (
    NavigableLineEdit,
    action_button,
    configure_list_view,
    move_selection,
    select_row,
    selected_row,
)


def sale_columns() -> list[Column[SaleSummary]]:
    """The day's sales, newest first: receipt number, time (WITA), total, payment methods."""
    return [
        Column(tr("No. struk"), lambda s: s.receipt_no),
        Column(tr("Waktu"), lambda s: time_wita(s.created_at)),
        Column(tr("Total"), lambda s: format_rupiah(s.total), right=True),
        Column(tr("Pembayaran"), lambda s: methods_text(s.methods)),
    ]


class HistoryDialog(QDialog):
    """Type part of a receipt number to filter; Down/Up choose; Ctrl+P reprints a copy."""

    def __init__(self, ctx: PosContext, print_jobs: PrintJobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._print_jobs = print_jobs
        day = business_date(ctx.clock())
        self.setWindowTitle(tr("Riwayat penjualan hari ini ({day})", day=day.strftime("%d-%m-%Y")))

        self.filter_input = NavigableLineEdit()
        self.filter_input.setPlaceholderText(tr("Cari nomor struk, misalnya 000123"))
        self.filter_input.setStyleSheet("font-size:18px; padding:4px;")
        self.sales_model: ListTableModel[SaleSummary] = ListTableModel(sale_columns(), self)
        self.sales_view = QTableView()
        self.sales_view.setModel(self.sales_model)
        configure_list_view(self.sales_view)
        self.sales_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.sales_view.horizontalHeader().setStretchLastSection(True)
        self.count_label = QLabel()
        self.preview = ReceiptPreview()
        self.messages = MessageBar()
        self.reprint_button = action_button(tr("Cetak ulang salinan (Ctrl+P)"))
        self.close_button = action_button(tr("Tutup (Esc)"))

        self.filter_input.textChanged.connect(self.refresh)
        self.filter_input.navigate.connect(self._move)
        self.sales_view.selectionModel().currentRowChanged.connect(self._show_selected)
        self.reprint_button.clicked.connect(self.reprint_selected)
        self.close_button.clicked.connect(self.reject)
        self._reprint_shortcut = QShortcut(QKeySequence("Ctrl+P"), self)
        self._reprint_shortcut.activated.connect(self.reprint_selected)
        self._print_jobs.finished.connect(self._on_print_finished)
        self._listening = True

        left = QVBoxLayout()
        left.addWidget(self.filter_input)
        left.addWidget(self.sales_view, 1)
        left.addWidget(self.count_label)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addWidget(self.preview, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.reprint_button)
        layout.addLayout(buttons)
        self.resize(980, 560)
        self.refresh("")
        self.filter_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    def done(self, result: int) -> None:
        # Stop listening before the dialog goes: later print results belong to the till only.
        if self._listening:
            self._listening = False
            self._print_jobs.finished.disconnect(self._on_print_finished)
        super().done(result)

    @guarded
    def refresh(self, text: str) -> None:
        sales = sales_of_day(self._ctx, receipt_filter=text)
        self.sales_model.set_rows(sales)
        self.count_label.setText(tr("{n} transaksi", n=len(sales)))
        if sales:
            select_row(self.sales_view, 0)
        else:
            self.preview.show_lines([])

    @guarded
    def _move(self, step: int) -> None:
        move_selection(self.sales_view, step)

    def selected_sale(self) -> SaleSummary | None:
        row = selected_row(self.sales_view)
        return self.sales_model.row_at(row) if row >= 0 else None

    @guarded
    def _show_selected(self) -> None:
        sale = self.selected_sale()
        if sale is None:
            self.preview.show_lines([])
            return
        self.preview.show_lines(receipt_preview(self._ctx, sale.sale_id, copy=False))

    @guarded
    def reprint_selected(self) -> None:
        sale = self.selected_sale()
        if sale is None:
            self.messages.show_warning(tr("Pilih dulu struk yang akan dicetak ulang."))
            return
        self.messages.show_info(tr("Mencetak salinan struk {receipt_no}…", receipt_no=sale.receipt_no))
        self._print_jobs.print_receipt(sale.sale_id, sale.receipt_no, copy=True)

    def _on_print_finished(self, text: str, level: Level) -> None:
        self.messages.show_message(text, level)
