"""Changing a line's price by hand (F11): shows the catalogue price and the HET/HAP in force as it is typed."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kkmp_pos.domain.cart import CartLine
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import format_rupiah, parse_rupiah
from kkmp_pos.domain.sale_rules import Ceiling
from kkmp_pos.i18n import tr
from kkmp_pos.ui.formatting import unit_price_text
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import action_button


def ceiling_text(ceiling: Ceiling | None) -> str:
    """`HET Rp15.700 (Permendag 18/2024 ...)`, or a note that the product has no regulated price."""
    if ceiling is None:
        return tr("Tidak ada HET/HAP untuk barang ini.")
    return tr("{kind} {amount} ({source})", kind=ceiling.kind, amount=format_rupiah(ceiling.amount),
              source=ceiling.source)


def ceiling_warning(price: int, ceiling: Ceiling | None) -> str:
    """What a price above the ceiling means: a HET needs a manager, a HAP is only a warning."""
    if ceiling is None or price <= ceiling.amount:
        return ""
    if ceiling.kind == "HET":
        return tr("Di atas HET {amount}: dilarang kecuali disetujui manajer.", amount=format_rupiah(ceiling.amount))
    return tr("Di atas HAP {amount} (harga acuan): hanya peringatan, boleh dijual.",
              amount=format_rupiah(ceiling.amount))


class PriceDialog(QDialog):
    """Type the new unit price, Enter to use it; every manual price needs a manager's approval."""

    price_chosen = Signal(int)
    """The new unit price in rupiah, emitted after the dialog has closed."""

    def __init__(self, line: CartLine, ceiling: Ceiling | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._line = line
        self._ceiling = ceiling
        product = line.product
        weighed, unit = product.sold_by_weight, product.unit
        self.setWindowTitle(tr("Ubah harga (F11)"))
        name = QLabel(product.name)
        name.setStyleSheet("font-size:16px; font-weight:bold;")
        prices = QLabel(tr("Harga sekarang {now} · harga katalog {catalogue}",
                           now=unit_price_text(line.unit_price, weighed=weighed, unit=unit),
                           catalogue=unit_price_text(line.list_price, weighed=weighed, unit=unit)))
        self.ceiling_label = QLabel(ceiling_text(ceiling))
        self.ceiling_label.setWordWrap(True)
        self.price_input = QLineEdit(str(line.unit_price))
        self.price_input.selectAll()
        self.price_input.setStyleSheet("font-size:22px; padding:4px;")
        self.warning_label = QLabel()
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet("color:#8a1111; font-weight:bold;")
        note = QLabel(tr("Harga manual perlu persetujuan manajer."))
        self.messages = MessageBar()
        self.ok_button = action_button(tr("Pakai harga (Enter)"))
        self.cancel_button = action_button(tr("Batal (Esc)"))

        self.price_input.textChanged.connect(self._warn)
        self.price_input.returnPressed.connect(self.confirm)
        self.ok_button.clicked.connect(self.confirm)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(name)
        layout.addWidget(prices)
        layout.addWidget(self.ceiling_label)
        layout.addWidget(QLabel(tr("Harga baru per {unit}", unit=unit)))
        layout.addWidget(self.price_input)
        layout.addWidget(self.warning_label)
        layout.addWidget(note)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        layout.addLayout(buttons)
        self.setMinimumWidth(460)
        self._warn(self.price_input.text())
        self.price_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)
        self.price_input.setFocus()

    def _warn(self, text: str) -> None:
        self.messages.clear_message()
        try:
            price = parse_rupiah(text)
        except InvalidInput:
            self.warning_label.clear()
            return
        self.warning_label.setText(ceiling_warning(price, self._ceiling))

    @guarded
    def confirm(self) -> None:
        price = parse_rupiah(self.price_input.text())
        if price == self._line.unit_price:
            raise InvalidInput("Harga sama dengan harga sekarang. Ketik harga baru atau tekan Esc.")
        self.accept()
        self.price_chosen.emit(price)
