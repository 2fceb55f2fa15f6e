"""Taking cash: amount received, quick note buttons, "Uang pas", and the change shown large as typed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah, format_rupiah, group_thousands, parse_rupiah
from kkmp_pos.domain.payment import QUICK_NOTES, Payment, cash_payment
from kkmp_pos.i18n import tr
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import action_button

CompleteSale = Callable[[Payment], None]
"""Records the sale; raises a PosError (shown in the dialog, which then stays open) if it cannot."""


class PaymentDialog(QDialog):
    """Cash payment of `total`; Enter completes, Esc goes back to the cart."""

    def __init__(self, total: Rupiah, complete: CompleteSale, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.total = total
        self._complete = complete
        self.setWindowTitle(tr("Bayar tunai (F12)"))

        total_caption = QLabel(tr("Total belanja"))
        self.total_label = QLabel(format_rupiah(total))
        self.total_label.setStyleSheet("font-size:30px; font-weight:bold;")
        self.received_input = QLineEdit()
        self.received_input.setPlaceholderText(tr("Uang diterima, misalnya 50000"))
        self.received_input.setStyleSheet("font-size:26px; padding:4px;")
        self.received_input.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.change_label = QLabel()
        self.change_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.messages = MessageBar()

        self.note_buttons: dict[Rupiah, QPushButton] = {}
        notes = QGridLayout()
        for position, note in enumerate(QUICK_NOTES):
            button = action_button(f"+{format_rupiah(note)}")
            button.clicked.connect(lambda _checked=False, note=note: self.add_note(note))
            notes.addWidget(button, position // 3, position % 3)
            self.note_buttons[note] = button
        self.exact_button = action_button(tr("Uang pas"))
        self.exact_button.clicked.connect(self.set_exact)
        self.reset_button = action_button(tr("Hapus jumlah"))
        self.reset_button.clicked.connect(self.received_input.clear)
        self.confirm_button = action_button(tr("Selesai (Enter)"))
        self.confirm_button.setStyleSheet("font-size:18px; font-weight:bold;")
        self.cancel_button = action_button(tr("Kembali (Esc)"))

        self.received_input.textChanged.connect(self._update_change)
        self.received_input.returnPressed.connect(self.confirm)
        self.confirm_button.clicked.connect(self.confirm)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(total_caption)
        layout.addWidget(self.total_label)
        layout.addWidget(QLabel(tr("Uang diterima")))
        layout.addWidget(self.received_input)
        layout.addLayout(notes)
        extra = QHBoxLayout()
        extra.addWidget(self.exact_button)
        extra.addWidget(self.reset_button)
        layout.addLayout(extra)
        layout.addWidget(self.change_label)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.confirm_button)
        layout.addLayout(buttons)
        self.setMinimumWidth(480)
        self._update_change("")
        self.received_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)
        self.received_input.setFocus()

    def received(self) -> Rupiah | None:
        """What has been typed so far, or None while it is empty or not a number."""
        try:
            return parse_rupiah(self.received_input.text())
        except InvalidInput:
            return None

    @guarded
    def add_note(self, note: Rupiah) -> None:
        """Each press adds one note to what is already there (a 50.000 and a 20.000: press both)."""
        self._set_received((self.received() or 0) + note)

    @guarded
    def set_exact(self) -> None:
        self._set_received(self.total)

    def _set_received(self, amount: Rupiah) -> None:
        self.received_input.setText(group_thousands(amount))
        self.received_input.setFocus()

    @guarded
    def _update_change(self, _text: str) -> None:
        self.messages.clear_message()
        received = self.received()
        if received is None:
            self._show_change(tr("Kembalian —"), "#555555")
        elif received < self.total:
            self._show_change(tr("Kurang {short}", short=format_rupiah(self.total - received)), "#b00020")
        else:
            self._show_change(tr("Kembalian {change}", change=format_rupiah(received - self.total)), "#135c2b")

    def _show_change(self, text: str, colour: str) -> None:
        self.change_label.setText(text)
        self.change_label.setStyleSheet(f"font-size:34px; font-weight:bold; color:{colour};")

    @guarded
    def confirm(self) -> None:
        if not self.received_input.text().strip():
            raise InvalidInput("Ketik uang diterima, tekan tombol pecahan, atau pilih Uang pas.")
        payment = cash_payment(self.total, parse_rupiah(self.received_input.text()))
        self._complete(payment)
        self.accept()
