"""The payment dialog's form for one non-cash tender: amount, bank and reference, the QRIS image, kasbon room."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kkmp_pos.domain.money import Rupiah, format_rupiah, group_thousands, parse_rupiah
from kkmp_pos.domain.payment import DEBIT, KASBON, METHOD_LABELS, QRIS, TRANSFER, Payment, non_cash_payment
from kkmp_pos.i18n import tr
from kkmp_pos.services.kasbon import CreditStanding
from kkmp_pos.ui.widgets import action_button

QRIS_IMAGE_SIZE = 240
"""Pixels: large enough for a buyer's phone to scan from the screen turned towards them."""
WITH_REFERENCE = (QRIS, TRANSFER, DEBIT)


class TenderForm(QWidget):
    """Shows the fields `method` needs; Enter in any of them (or the button) emits `submitted`."""

    submitted = Signal()

    def __init__(self, qris_image_path: str, credit: CreditStanding | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.method = QRIS
        self._credit = credit
        self.method_title = QLabel()
        self.method_title.setStyleSheet("font-size:20px; font-weight:bold;")
        self.amount_input = QLineEdit()
        self.amount_input.setStyleSheet("font-size:22px; padding:4px;")
        self.amount_input.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.bank_input = QLineEdit()
        self.bank_input.setPlaceholderText(tr("misalnya BRI, Mandiri, BSI"))
        self.reference_input = QLineEdit()
        self.qris_image = QLabel()
        self.qris_image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qris_image.setWordWrap(True)
        self._load_qris_image(qris_image_path)
        self.credit_label = QLabel()
        self.credit_label.setWordWrap(True)
        self.add_button = action_button(tr("Tambah pembayaran (Enter)"))
        self.add_button.clicked.connect(self.submitted.emit)
        for field in (self.amount_input, self.bank_input, self.reference_input):
            field.returnPressed.connect(self.submitted.emit)

        form = QFormLayout()
        form.addRow(tr("Jumlah"), self.amount_input)
        self.bank_caption = QLabel(tr("Bank"))
        form.addRow(self.bank_caption, self.bank_input)
        self.reference_caption = QLabel(tr("Referensi"))
        form.addRow(self.reference_caption, self.reference_input)
        left = QVBoxLayout()
        left.addWidget(self.method_title)
        left.addLayout(form)
        left.addWidget(self.credit_label)
        left.addStretch(1)
        left.addWidget(self.add_button)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(left, 1)
        layout.addWidget(self.qris_image)

    def _load_qris_image(self, path: str) -> None:
        if not path.strip():
            self.qris_image.setText(tr("Gambar QRIS gerai belum diatur. Admin dapat memilihnya di Menu > "
                                       "Pengaturan > Gambar QRIS gerai."))
            return
        pixmap = QPixmap(path)
        if pixmap.isNull():
            self.qris_image.setText(tr("Gambar QRIS '{path}' tidak dapat dibuka. Periksa Menu > Pengaturan.",
                                       path=path))
            return
        self.qris_image.setPixmap(pixmap.scaled(QRIS_IMAGE_SIZE, QRIS_IMAGE_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                                                Qt.TransformationMode.SmoothTransformation))

    def start(self, method: str, amount: Rupiah) -> None:
        """A fresh form for `method`, its amount preset (what remains to pay)."""
        self.amount_input.setText(group_thousands(amount))
        self.reference_input.clear()
        self.bank_input.clear()
        self.show_method(method)

    def show_method(self, method: str) -> None:
        self.method = method
        self.method_title.setText(tr(METHOD_LABELS[method]))
        for widget in (self.bank_caption, self.bank_input):
            widget.setVisible(method == TRANSFER)
        for widget in (self.reference_caption, self.reference_input):
            widget.setVisible(method in WITH_REFERENCE)
        self.reference_caption.setText(tr("No. approval EDC") if method == DEBIT else tr("Referensi"))
        self.reference_input.setPlaceholderText(tr("nomor referensi dari notifikasi QRIS") if method == QRIS else "")
        self.qris_image.setVisible(method == QRIS)
        self.credit_label.setVisible(method == KASBON)
        self.credit_label.setText(self._credit_text())

    def _credit_text(self) -> str:
        if self._credit is None:
            return ""
        return tr("Kasbon sekarang {balance}, batas {limit}, masih bisa {available} tanpa persetujuan manajer.",
                  balance=format_rupiah(self._credit.balance), limit=format_rupiah(self._credit.credit_limit),
                  available=format_rupiah(self._credit.available))

    def focus(self) -> None:
        """Where the cashier types next: the bank of a transfer, a reference, else the amount."""
        if self.method == TRANSFER and not self.bank_input.text().strip():
            self.bank_input.setFocus()
        elif self.method in WITH_REFERENCE:
            self.reference_input.setFocus()
        else:
            self.amount_input.setFocus()
            self.amount_input.selectAll()

    def amount(self) -> Rupiah:
        return parse_rupiah(self.amount_input.text())

    def payment(self) -> Payment:
        """The tender as typed; InvalidInput says what is missing (a QRIS reference, a transfer's bank...)."""
        return non_cash_payment(self.method, self.amount(), reference=self.reference_input.text(),
                                bank=self.bank_input.text() if self.method == TRANSFER else None)
