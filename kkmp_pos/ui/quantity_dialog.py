"""Asking how much: pieces as a whole number, weighed goods up to 3 decimals with comma or dot."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kkmp_pos.domain.product import Product
from kkmp_pos.domain.quantity import format_quantity, parse_quantity
from kkmp_pos.i18n import tr
from kkmp_pos.ui.formatting import unit_price_text
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import action_button


class QuantityDialog(QDialog):
    """Type a quantity, Enter to accept, Esc to cancel; a bad entry is explained and the dialog stays."""

    quantity_chosen = Signal(int)
    """The quantity in thousandths, emitted after the dialog has closed."""

    def __init__(self, product: Product, parent: QWidget | None = None, *,
                 current_milli: int | None = None) -> None:
        super().__init__(parent)
        self.product = product
        weighed = product.sold_by_weight
        self.setWindowTitle(tr("Berat barang") if weighed else tr("Ubah jumlah"))
        name = QLabel(f"{product.name} — {unit_price_text(product.price, weighed=weighed, unit=product.unit)}")
        name.setStyleSheet("font-size:16px; font-weight:bold;")
        if weighed:
            hint = tr("Ketik berat dalam {unit}, sampai 3 angka di belakang koma (contoh: 1,250).",
                      unit=product.unit)
        else:
            hint = tr("Ketik jumlah {unit} (bilangan bulat).", unit=product.unit)
        self.quantity_input = QLineEdit()
        self.quantity_input.setStyleSheet("font-size:22px; padding:4px;")
        if current_milli is not None:
            self.quantity_input.setText(format_quantity(current_milli, weighed=weighed))
            self.quantity_input.selectAll()
        self.quantity_input.returnPressed.connect(self.confirm)
        self.messages = MessageBar()
        self.ok_button = action_button(tr("Simpan (Enter)"))
        self.ok_button.clicked.connect(self.confirm)
        self.cancel_button = action_button(tr("Batal (Esc)"))
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(name)
        layout.addWidget(QLabel(hint))
        layout.addWidget(self.quantity_input)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        layout.addLayout(buttons)
        self.setMinimumWidth(420)
        self.quantity_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)
        self.quantity_input.setFocus()

    @guarded
    def confirm(self) -> None:
        qty_milli = parse_quantity(self.quantity_input.text(), weighed=self.product.sold_by_weight)
        self.accept()
        self.quantity_chosen.emit(qty_milli)
