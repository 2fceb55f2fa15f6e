"""Menu > Stok: on-hand and value per product, "perlu dipesan", thresholds, and the "segera kedaluwarsa" list."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.domain.quantity import parse_quantity
from kkmp_pos.domain.roles import APPROVER_ROLES, Role
from kkmp_pos.i18n import tr
from kkmp_pos.services import catalog
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.stock_views import (
    EXPIRY_DAYS,
    ExpiringLine,
    StockList,
    StockRow,
    expiring_soon,
    set_low_stock,
    stock_list,
)
from kkmp_pos.ui.adjustment_dialog import AdjustmentDialog
from kkmp_pos.ui.formatting import quantity_text
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.stock_card_dialog import StockCardDialog
from kkmp_pos.ui.widgets import (
    NavigableLineEdit,
    action_button,
    configure_list_view,
    move_selection,
    selected_row,
)


def _qty(row: StockRow, milli: int | None) -> str:
    return "" if milli is None else quantity_text(milli, weighed=row.weighed, unit=row.unit)


def stock_columns() -> list[Column[StockRow]]:
    return [
        Column(tr("Barang"), lambda r: r.name),
        Column(tr("SKU"), lambda r: r.sku),
        Column(tr("Kategori"), lambda r: r.category),
        Column(tr("Stok"), lambda r: _qty(r, r.on_hand_milli), right=True),
        Column(tr("Batas minimum"), lambda r: _qty(r, r.low_stock_milli), right=True),
        Column(tr("Nilai (HPP)"), lambda r: format_rupiah(r.value) if r.cost_price is not None else "", right=True),
        Column(tr("Status"), lambda r: tr("Perlu dipesan") if r.needs_order else ""),
    ]


def expiry_columns() -> list[Column[ExpiringLine]]:
    return [
        Column(tr("Kedaluwarsa"), lambda e: e.expiry_date.strftime("%d-%m-%Y")),
        Column(tr("Sisa hari"), lambda e: str(e.days_left), right=True),
        Column(tr("Barang"), lambda e: e.name),
        Column(tr("Diterima"), lambda e: quantity_text(e.received_milli, weighed=e.weighed, unit=e.unit), right=True),
        Column(tr("Stok sekarang"), lambda e: quantity_text(e.on_hand_milli, weighed=e.weighed, unit=e.unit),
               right=True),
        Column(tr("Penerimaan"), lambda e: f"{e.receipt_no} ({e.received_on})"),
    ]


def _table(model: ListTableModel) -> QTableView:  # type: ignore[type-arg]
    view = QTableView()
    view.setModel(model)
    configure_list_view(view)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class ExpiryDialog(QDialog):
    """Receipt lines expiring within N days (or already past) of goods still on hand."""

    def __init__(self, ctx: PosContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setWindowTitle(tr("Segera kedaluwarsa"))
        self.days_input = QSpinBox()
        self.days_input.setRange(0, 730)
        self.days_input.setValue(EXPIRY_DAYS)
        self.days_input.setSuffix(tr(" hari"))
        self.expiry_model: ListTableModel[ExpiringLine] = ListTableModel(expiry_columns(), self)
        self.expiry_view = _table(self.expiry_model)
        self.messages = MessageBar()
        close = action_button(tr("Tutup (Esc)"))
        close.clicked.connect(self.reject)
        self.days_input.valueChanged.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Kedaluwarsa dalam")))
        top.addWidget(self.days_input)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.expiry_view, 1)
        layout.addWidget(self.messages)
        layout.addWidget(close)
        self.resize(900, 480)
        self.refresh()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    @guarded
    def refresh(self) -> None:
        lines = expiring_soon(self._ctx, self.days_input.value())
        self.expiry_model.set_rows(lines)
        if lines:
            self.messages.show_warning(tr("{n} baris penerimaan segera kedaluwarsa.", n=len(lines)))
        else:
            self.messages.show_info(tr("Tidak ada barang yang segera kedaluwarsa."))


class StockListDialog(QDialog):
    """Search by name, SKU or category; the first few hundred matches are listed, totals cover all of them."""

    def __init__(self, ctx: PosContext, cashier: Cashier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._cashier = cashier
        self.listing = StockList(rows=(), matching=0, total_value=0)
        self.child: QDialog | None = None
        self.setWindowTitle(tr("Stok"))
        self.search_input = NavigableLineEdit()
        self.search_input.setPlaceholderText(tr("Cari nama, SKU atau kategori"))
        self.needs_order_input = QCheckBox(tr("Perlu dipesan saja"))
        self.stock_model: ListTableModel[StockRow] = ListTableModel(stock_columns(), self)
        self.stock_view = _table(self.stock_model)
        self.totals_label = QLabel()
        self.threshold_input = QLineEdit()
        self.threshold_input.setPlaceholderText(tr("Batas minimum (kosong = tanpa batas)"))
        self.threshold_button = action_button(tr("Simpan batas minimum"))
        may_set = Role(cashier.role) in APPROVER_ROLES
        self.threshold_input.setEnabled(may_set)
        self.threshold_button.setEnabled(may_set)
        self.messages = MessageBar()
        self.card_button = action_button(tr("Kartu stok…"))
        self.adjust_button = action_button(tr("Penyesuaian…"))
        self.expiry_button = action_button(tr("Segera kedaluwarsa…"))
        self.close_button = action_button(tr("Tutup (Esc)"))
        self.search_input.textChanged.connect(self.refresh)
        self.search_input.navigate.connect(lambda step: move_selection(self.stock_view, step))
        self.search_input.returnPressed.connect(self.open_card)
        self.needs_order_input.toggled.connect(self.refresh)
        self.stock_view.doubleClicked.connect(self.open_card)
        self.threshold_button.clicked.connect(self.save_threshold)
        self.card_button.clicked.connect(self.open_card)
        self.adjust_button.clicked.connect(self.open_adjustment)
        self.expiry_button.clicked.connect(self.open_expiry)
        self.close_button.clicked.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(self.search_input, 1)
        top.addWidget(self.needs_order_input)
        threshold = QHBoxLayout()
        threshold.addWidget(self.totals_label, 1)
        threshold.addWidget(self.threshold_input)
        threshold.addWidget(self.threshold_button)
        buttons = QHBoxLayout()
        for button in (self.close_button, self.expiry_button, self.adjust_button, self.card_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stock_view, 1)
        layout.addLayout(threshold)
        layout.addWidget(self.messages)
        layout.addLayout(buttons)
        self.resize(1100, 640)
        self.search_input.setFocus()
        self.refresh()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    @guarded
    def refresh(self) -> None:
        chosen = self._chosen_id()
        self.listing = stock_list(self._ctx, self.search_input.text(), needs_order=self.needs_order_input.isChecked())
        self.stock_model.set_rows(self.listing.rows)
        shown = len(self.listing.rows)
        self.totals_label.setText(tr("{shown} dari {matching} barang · nilai stok {value}", shown=shown,
                                     matching=self.listing.matching, value=format_rupiah(self.listing.total_value)))
        ids = [row.product_id for row in self.listing.rows]
        if shown:
            self.stock_view.selectRow(ids.index(chosen) if chosen in ids else 0)

    def _chosen_id(self) -> int | None:
        row = selected_row(self.stock_view)
        return self.listing.rows[row].product_id if 0 <= row < len(self.listing.rows) else None

    def _chosen(self) -> StockRow:
        row = selected_row(self.stock_view)
        if not 0 <= row < len(self.listing.rows):
            raise InvalidInput("Pilih barang dulu di daftar.")
        return self.listing.rows[row]

    def _open_child(self, dialog: QDialog) -> None:
        dialog.finished.connect(lambda _result: self.refresh())
        dialog.finished.connect(dialog.deleteLater)
        self.child = dialog
        dialog.open()

    @guarded
    def open_card(self) -> None:
        self._open_child(StockCardDialog(self._ctx, self._cashier, self._chosen().product_id, self))

    @guarded
    def open_adjustment(self) -> None:
        row = selected_row(self.stock_view)
        product = catalog.find_by_sku(self._ctx, self.listing.rows[row].sku) if row >= 0 else None
        self._open_child(AdjustmentDialog(self._ctx, self._cashier, product, self))

    @guarded
    def open_expiry(self) -> None:
        self._open_child(ExpiryDialog(self._ctx, self))

    @guarded
    def save_threshold(self) -> None:
        row = self._chosen()
        typed = self.threshold_input.text().strip()
        threshold = parse_quantity(typed, weighed=row.weighed) if typed else None
        set_low_stock(self._ctx, row.product_id, threshold, user_role=self._cashier.role, user_id=self._cashier.id)
        self.threshold_input.clear()
        self.refresh()
        self.messages.show_success(tr("Batas minimum {name} disimpan.", name=row.name))
