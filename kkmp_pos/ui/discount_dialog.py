"""Giving a discount (F8): on the chosen line or on the whole cart, as rupiah (`5000`) or percent (`10%`)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kkmp_pos.domain.cart import Cart, Discount
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah, format_rupiah, parse_rupiah
from kkmp_pos.domain.roles import DISCOUNT_LIMIT_BP, Role
from kkmp_pos.i18n import tr
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import action_button

WHOLE_CART = -1
"""The `target` of a discount on the whole cart (a line discount names its row)."""


def parse_discount(text: str) -> Discount | None:
    """`10%`, `12,5 %` -> percent (basis points); `5000`, `Rp5.000` -> rupiah; empty or zero -> no discount."""
    cleaned = text.strip().replace(" ", "")
    if not cleaned:
        return None
    if cleaned.endswith("%"):
        number = cleaned[:-1].replace(",", ".")
        whole, _, fraction = number.partition(".")
        if not (whole or fraction) or not (whole or "0").isdigit() or (fraction and not fraction.isdigit()) \
                or len(fraction) > 2:
            raise InvalidInput("Persen '{text}' tidak dapat dibaca. Contoh: 10% atau 2,5%.", text=text.strip())
        basis_points = int(whole or "0") * 100 + int(fraction.ljust(2, "0") or "0")
        return Discount(percent_bp=basis_points) if basis_points else None
    amount = parse_rupiah(cleaned)
    return Discount(amount=amount) if amount else None


def percent_text(basis_points: int) -> str:
    """`500` -> `5%`, `1250` -> `12,5%`."""
    whole, rest = divmod(basis_points, 100)
    return f"{whole}%" if not rest else f"{whole},{rest:02d}".rstrip("0") + "%"


class DiscountDialog(QDialog):
    """Type the discount, Enter to give it; the preview shows what it takes off and the user's own limit."""

    discount_chosen = Signal(int, object)
    """(target row or WHOLE_CART, Discount or None to remove it), emitted after the dialog has closed."""

    def __init__(self, cart: Cart, selected_row: int, role: Role | str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cart = cart
        self.setWindowTitle(tr("Diskon (F8)"))
        self.target_combo = QComboBox()
        if 0 <= selected_row < len(cart.lines):
            self.target_combo.addItem(tr("Baris: {name}", name=cart.lines[selected_row].product.name), selected_row)
        self.target_combo.addItem(tr("Seluruh belanja"), WHOLE_CART)
        self.discount_input = QLineEdit()
        self.discount_input.setPlaceholderText(tr("misalnya 5000 atau 10%"))
        self.discount_input.setStyleSheet("font-size:22px; padding:4px;")
        self.preview_label = QLabel()
        self.preview_label.setWordWrap(True)
        limit = QLabel(tr("Batas diskon Anda {limit}; lebih dari itu perlu persetujuan manajer. Kosongkan atau "
                          "ketik 0 untuk menghapus diskon.", limit=percent_text(DISCOUNT_LIMIT_BP[Role(role)])))
        limit.setWordWrap(True)
        self.messages = MessageBar()
        self.ok_button = action_button(tr("Berikan (Enter)"))
        self.cancel_button = action_button(tr("Batal (Esc)"))

        self.target_combo.currentIndexChanged.connect(self._target_changed)
        self.discount_input.textChanged.connect(self._preview)
        self.discount_input.returnPressed.connect(self.confirm)
        self.ok_button.clicked.connect(self.confirm)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("Diskon untuk")))
        layout.addWidget(self.target_combo)
        layout.addWidget(self.discount_input)
        layout.addWidget(self.preview_label)
        layout.addWidget(limit)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        layout.addLayout(buttons)
        self.setMinimumWidth(460)
        self._target_changed()
        self.discount_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)
        self.discount_input.setFocus()

    @property
    def target(self) -> int:
        return int(self.target_combo.currentData())

    def choose_whole_cart(self) -> None:
        self.target_combo.setCurrentIndex(self.target_combo.findData(WHOLE_CART))

    def _base_and_current(self) -> tuple[Rupiah, Discount | None]:
        if self.target == WHOLE_CART:
            return self._cart.subtotal, self._cart.discount
        line = self._cart.lines[self.target]
        return line.gross, line.discount

    def _target_changed(self) -> None:
        _base, current = self._base_and_current()
        if current is None:
            self.discount_input.clear()
        elif current.percent_bp:
            self.discount_input.setText(percent_text(current.percent_bp))
        else:
            self.discount_input.setText(str(current.amount))
        self.discount_input.selectAll()
        self._preview(self.discount_input.text())

    def _preview(self, text: str) -> None:
        self.messages.clear_message()
        base, _current = self._base_and_current()
        try:
            discount = parse_discount(text)
        except InvalidInput:
            self.preview_label.setText(tr("Ketik rupiah (5000) atau persen (10%)."))
            return
        off = discount.of(base) if discount else 0
        self.preview_label.setText(tr("Dari {base}: diskon {off}, menjadi {after}.", base=format_rupiah(base),
                                      off=format_rupiah(off), after=format_rupiah(base - off)))

    @guarded
    def confirm(self) -> None:
        discount = parse_discount(self.discount_input.text())
        base, _current = self._base_and_current()
        if discount is not None and discount.amount > base:
            raise InvalidInput("Diskon {amount} lebih besar dari {base}.", amount=format_rupiah(discount.amount),
                               base=format_rupiah(base))
        target = self.target
        self.accept()
        self.discount_chosen.emit(target, discount)
