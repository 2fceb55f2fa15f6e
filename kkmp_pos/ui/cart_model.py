"""The cart as a Qt table model: the till's view of a domain Cart, which keeps every rule and total."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from kkmp_pos.domain.cart import Cart, CartLine, Discount, MemberRef
from kkmp_pos.domain.lpg import CATEGORY_LABELS, LpgBuyerRef
from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.domain.product import Product
from kkmp_pos.i18n import tr
from kkmp_pos.ui.formatting import quantity_text, unit_price_text

NAME, QUANTITY, PRICE, LINE_TOTAL = range(4)
LINE_ROLE = Qt.ItemDataRole.UserRole + 1
"""data(index, LINE_ROLE) gives the CartLine itself (tests and the quantity dialog use it)."""

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
AnyIndex = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()


class CartTableModel(QAbstractTableModel):
    """Rows are cart lines; every change goes through here so the view and the totals stay in step."""

    changed = Signal()
    """After any change of lines, quantities or total."""

    def __init__(self, cart: Cart | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cart = cart if cart is not None else Cart()

    @property
    def cart(self) -> Cart:
        return self._cart

    def line(self, row: int) -> CartLine:
        return self._cart.lines[row]

    def rowCount(self, parent: AnyIndex = NO_PARENT) -> int:  # noqa: N802 (Qt override)
        return 0 if parent.isValid() else len(self._cart.lines)

    def columnCount(self, parent: AnyIndex = NO_PARENT) -> int:  # noqa: N802 (Qt override)
        return 0 if parent.isValid() else 4

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._cart.lines):
            return None
        line = self._cart.lines[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(line, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if index.column() == NAME else _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == NAME:
            return f"{line.product.name} ({line.product.sku})"
        if role == LINE_ROLE:
            return line
        return None

    @staticmethod
    def _display(line: CartLine, column: int) -> str:
        product = line.product
        if column == NAME:
            if line.lpg_buyer is not None:  # the 3 kg buyer, NIK masked as on the receipt
                return f"{product.name} · {line.lpg_buyer.nik_masked} ({tr(CATEGORY_LABELS[line.lpg_buyer.category])})"
            return product.name
        if column == QUANTITY:
            return quantity_text(line.qty_milli, weighed=product.sold_by_weight, unit=product.unit)
        if column == PRICE:
            return unit_price_text(line.unit_price, weighed=product.sold_by_weight, unit=product.unit)
        return format_rupiah(line.total)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt override)
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return (tr("Barang"), tr("Jumlah"), tr("Harga"), tr("Total"))[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if section == NAME else _RIGHT
        return None

    def add(self, product: Product, qty_milli: int, *, lpg_buyer: LpgBuyerRef | None = None) -> int:
        """Add to the cart (same piece product joins its line); returns the row that changed."""
        before = len(self._cart.lines)
        # Validate on a throwaway copy first so a refused quantity never half-updates the view.
        probe = Cart(lines=list(self._cart.lines), member=self._cart.member, discount=self._cart.discount)
        row = probe.add(product, qty_milli, lpg_buyer=lpg_buyer)
        if row >= before:
            self.beginInsertRows(QModelIndex(), row, row)
            self._cart.lines[:] = probe.lines
            self.endInsertRows()
        else:
            self._cart.lines[:] = probe.lines
            self._row_changed(row)
        self.changed.emit()
        return row

    def set_quantity(self, row: int, qty_milli: int) -> None:
        self._cart.set_quantity(row, qty_milli)
        self._row_changed(row)
        self.changed.emit()

    def remove(self, row: int) -> CartLine:
        self.beginRemoveRows(QModelIndex(), row, row)
        line = self._cart.remove(row)
        self.endRemoveRows()
        self.changed.emit()
        return line

    def set_member(self, member: MemberRef | None) -> None:
        """Attach or detach the buyer; every line may change price (member prices)."""
        self.beginResetModel()
        self._cart.set_member(member)
        self.endResetModel()
        self.changed.emit()

    def set_price(self, row: int, unit_price: int) -> None:
        self._cart.set_price(row, unit_price)
        self._row_changed(row)
        self.changed.emit()

    def set_line_discount(self, row: int, discount: Discount | None) -> None:
        self._cart.set_line_discount(row, discount)
        self._row_changed(row)
        self.changed.emit()

    def set_cart_discount(self, discount: Discount | None) -> None:
        self._cart.discount = discount
        self.changed.emit()

    def clear(self) -> None:
        self.beginResetModel()
        self._cart.clear()
        self.endResetModel()
        self.changed.emit()

    def load(self, cart: Cart) -> None:
        """Take over `cart`'s lines, buyer and discount (a recalled held cart, or a change undone because a
        manager did not approve it); the model keeps its own Cart object, which the till holds on to."""
        self.beginResetModel()
        self._cart.lines[:] = cart.lines
        self._cart.member = cart.member
        self._cart.discount = cart.discount
        self.endResetModel()
        self.changed.emit()

    def _row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
