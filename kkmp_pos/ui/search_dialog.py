"""Finding a product by name as the cashier types: at most 50 rows from the indexed search, never more."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from kkmp_pos.domain.product import Product
from kkmp_pos.domain.text import search_key
from kkmp_pos.i18n import tr
from kkmp_pos.services.catalog import MIN_SEARCH_CHARS, SEARCH_LIMIT, search_products
from kkmp_pos.services.context import PosContext
from kkmp_pos.ui.formatting import unit_price_text
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import (
    NavigableLineEdit,
    action_button,
    configure_list_view,
    move_selection,
    select_row,
    selected_row,
)


def product_columns() -> list[Column[Product]]:
    """The products of one search: name, SKU, price (per kg for loose goods)."""
    return [
        Column(tr("Barang"), lambda p: p.name),
        Column(tr("SKU"), lambda p: p.sku),
        Column(tr("Harga"), lambda p: unit_price_text(p.price, weighed=p.sold_by_weight, unit=p.unit), right=True),
    ]


class SearchDialog(QDialog):
    """Type 2+ characters; Down/Up move through the results, Enter picks, Esc closes."""

    product_chosen = Signal(object)
    """The picked Product, emitted after the dialog has closed."""

    def __init__(self, ctx: PosContext, parent: QWidget | None = None, initial_text: str = "") -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setWindowTitle(tr("Cari barang (F2)"))
        self.query_input = NavigableLineEdit()
        self.query_input.setPlaceholderText(tr("Ketik nama barang atau SKU, minimal 2 huruf"))
        self.query_input.setStyleSheet("font-size:20px; padding:4px;")
        self.results_model: ListTableModel[Product] = ListTableModel(product_columns(), self)
        self.results_view = QTableView()
        self.results_view.setModel(self.results_model)
        configure_list_view(self.results_view)
        header = self.results_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.status_label = QLabel()
        self.messages = MessageBar()
        self.pick_button = action_button(tr("Pilih (Enter)"))
        self.close_button = action_button(tr("Tutup (Esc)"))

        self.query_input.textChanged.connect(self.search)
        self.query_input.navigate.connect(self._move)
        self.query_input.returnPressed.connect(self.pick_current)
        self.results_view.doubleClicked.connect(self.pick_current)
        self.pick_button.clicked.connect(self.pick_current)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.query_input)
        layout.addWidget(self.status_label)
        layout.addWidget(self.results_view, 1)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.pick_button)
        layout.addLayout(buttons)
        self.resize(720, 480)

        self.query_input.setText(initial_text)
        self.query_input.selectAll()  # typing replaces a pre-filled unknown barcode
        if not initial_text:
            self.search("")
        self.query_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    @guarded
    def search(self, text: str) -> None:
        self.messages.clear_message()
        if len(search_key(text)) < MIN_SEARCH_CHARS:
            self.results_model.set_rows([])
            self.status_label.setText(tr("Ketik minimal {n} huruf untuk mencari.", n=MIN_SEARCH_CHARS))
            return
        products = search_products(self._ctx, text, limit=SEARCH_LIMIT)
        self.results_model.set_rows(products)
        if not products:
            self.status_label.setText(tr("Tidak ada barang yang cocok dengan '{text}'.", text=text.strip()))
            return
        select_row(self.results_view, 0)
        if len(products) >= SEARCH_LIMIT:
            self.status_label.setText(tr("{n} barang pertama ditampilkan; ketik lebih lengkap untuk "
                                         "mempersempit.", n=len(products)))
        else:
            self.status_label.setText(tr("{n} barang ditemukan. Panah atas/bawah memilih, Enter mengambil.",
                                         n=len(products)))

    @guarded
    def _move(self, step: int) -> None:
        move_selection(self.results_view, step)

    def selected_product(self) -> Product | None:
        row = selected_row(self.results_view)
        return self.results_model.row_at(row) if row >= 0 else None

    @guarded
    def pick_current(self) -> None:
        product = self.selected_product()
        if product is None:
            self.messages.show_warning(tr("Belum ada barang yang dipilih. Ketik nama barang dulu."))
            return
        self.accept()
        self.product_chosen.emit(product)
