"""Payment (F12): split across QRIS, transfer, debit and kasbon, cash last with quick notes and the change large."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.cart import MemberRef
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah, format_rupiah, group_thousands, parse_rupiah
from kkmp_pos.domain.payment import (
    CASH,
    DEBIT,
    KASBON,
    METHOD_LABELS,
    QRIS,
    QUICK_NOTES,
    TRANSFER,
    Payment,
    cash_payment,
    check_payments,
)
from kkmp_pos.i18n import tr
from kkmp_pos.services.kasbon import CreditStanding
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.messages import Level, MessageBar, guarded
from kkmp_pos.ui.tender_form import TenderForm
from kkmp_pos.ui.widgets import action_button, configure_list_view, select_row

CompleteSale = Callable[[list[Payment]], bool]
"""Records the sale: True when recorded (the dialog closes), False when it waits for something (a manager's
approval) and the caller will call `finish()` later; raises a PosError, shown here, and the dialog stays open."""

METHOD_KEYS = {CASH: "F1", QRIS: "F2", TRANSFER: "F3", DEBIT: "F4", KASBON: "F5"}


def tender_detail(payment: Payment) -> str:
    """What identifies a tender besides its amount: bank, reference, QRIS waiting for verification."""
    parts = [payment.bank] if payment.bank else []
    if payment.reference:
        parts.append(tr("Ref: {reference}", reference=payment.reference))
    if payment.method == QRIS:
        parts.append(tr("menunggu verifikasi"))
    return " · ".join(parts)


def tender_columns() -> list[Column[Payment]]:
    return [
        Column(tr("Cara bayar"), lambda p: tr(METHOD_LABELS[p.method])),
        Column(tr("Jumlah"), lambda p: format_rupiah(p.amount), right=True),
        Column(tr("Keterangan"), tender_detail),
    ]


class PaymentDialog(QDialog):
    """F1 cash (the default), F2 QRIS, F3 transfer, F4 debit, F5 kasbon; Enter adds a tender or completes."""

    def __init__(self, total: Rupiah, complete: CompleteSale, parent: QWidget | None = None, *,
                 member: MemberRef | None = None, credit: CreditStanding | None = None,
                 qris_image_path: str = "") -> None:
        super().__init__(parent)
        self.total = total
        self.member = member
        self.credit = credit
        self.tenders: list[Payment] = []
        self.method = CASH
        self.approval_dialog: QDialog | None = None
        """The manager-approval dialog open over this one while the sale waits for it."""
        self._complete = complete
        self.setWindowTitle(tr("Pembayaran (F12)"))

        self.total_label = QLabel(format_rupiah(total))
        self.total_label.setStyleSheet("font-size:30px; font-weight:bold;")
        self.remaining_label = QLabel()
        self.remaining_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.buyer_label = QLabel(self._buyer_text())
        self.buyer_label.setWordWrap(True)
        self.messages = MessageBar()

        self.method_buttons: dict[str, QPushButton] = {}
        methods = QHBoxLayout()
        for method, key in METHOD_KEYS.items():
            button = action_button(f"{key}  {tr(METHOD_LABELS[method])}")
            button.setCheckable(True)
            button.clicked.connect(lambda _checked=False, chosen=method: self.choose_method(chosen))
            methods.addWidget(button)
            self.method_buttons[method] = button
            QShortcut(QKeySequence(key), self).activated.connect(
                lambda chosen=method: self.choose_method(chosen))
        if member is None:
            self.method_buttons[KASBON].setToolTip(tr("Kasbon perlu pembeli terdaftar: pasang anggota dulu (F7)."))

        self.pages = QStackedWidget()
        self.pages.addWidget(self._cash_page())
        self.tender_form = TenderForm(qris_image_path, credit)
        self.tender_form.submitted.connect(self.add_tender)
        self.pages.addWidget(self.tender_form)

        self.tender_model: ListTableModel[Payment] = ListTableModel(tender_columns(), self)
        self.tender_view = QTableView()
        self.tender_view.setModel(self.tender_model)
        configure_list_view(self.tender_view)
        self.tender_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tender_view.horizontalHeader().setStretchLastSection(True)
        self.tender_view.setMaximumHeight(130)
        self.remove_button = action_button(tr("F8  Hapus pembayaran"))
        self.remove_button.clicked.connect(self.remove_tender)
        QShortcut(QKeySequence("F8"), self).activated.connect(self.remove_tender)
        self.confirm_button = action_button(tr("Selesai (Enter)"))
        self.confirm_button.setStyleSheet("font-size:18px; font-weight:bold;")
        self.cancel_button = action_button(tr("Kembali (Esc)"))
        self.confirm_button.clicked.connect(self.confirm)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        heading = QVBoxLayout()
        heading.addWidget(QLabel(tr("Total belanja")))
        heading.addWidget(self.total_label)
        top.addLayout(heading, 1)
        top.addWidget(self.remaining_label, 1)
        layout.addLayout(top)
        layout.addWidget(self.buyer_label)
        layout.addLayout(methods)
        layout.addWidget(self.pages)
        layout.addWidget(QLabel(tr("Pembayaran ditambahkan")))
        layout.addWidget(self.tender_view)
        layout.addWidget(self.remove_button)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.confirm_button)
        layout.addLayout(buttons)
        self.setMinimumWidth(620)
        self._show_page(CASH)
        self._refresh()

    # -- building -----------------------------------------------------------------------------------------

    def _cash_page(self) -> QWidget:
        page = QWidget()
        self.received_input = QLineEdit()
        self.received_input.setPlaceholderText(tr("Uang diterima, misalnya 50000"))
        self.received_input.setStyleSheet("font-size:26px; padding:4px;")
        self.received_input.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.change_label = QLabel()
        self.change_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
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
        self.received_input.textChanged.connect(self._update_change)
        self.received_input.returnPressed.connect(self.confirm)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(tr("Uang diterima (tunai)")))
        layout.addWidget(self.received_input)
        layout.addLayout(notes)
        extra = QHBoxLayout()
        extra.addWidget(self.exact_button)
        extra.addWidget(self.reset_button)
        layout.addLayout(extra)
        layout.addWidget(self.change_label)
        return page

    def _buyer_text(self) -> str:
        if self.member is None:
            return tr("Non-anggota · kasbon perlu pembeli terdaftar (F7 di kasir)")
        buyer = tr("{name} ({member_no})", name=self.member.name, member_no=self.member.member_no)
        if self.credit is None:
            return buyer
        return tr("{buyer} · kasbon {balance} dari batas {limit}", buyer=buyer,
                  balance=format_rupiah(self.credit.balance), limit=format_rupiah(self.credit.credit_limit))

    # -- state --------------------------------------------------------------------------------------------

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)
        self._focus_current()

    @property
    def remaining(self) -> Rupiah:
        """What the tenders added so far leave to pay (cash, typed last, covers it)."""
        return self.total - sum(p.amount for p in self.tenders)

    def received(self) -> Rupiah | None:
        """The cash typed so far, or None while it is empty or not a number."""
        try:
            return parse_rupiah(self.received_input.text())
        except InvalidInput:
            return None

    def _refresh(self) -> None:
        self.tender_model.set_rows(self.tenders)
        self.remove_button.setEnabled(bool(self.tenders))
        remaining = self.remaining
        self.remaining_label.setText(tr("Sisa {amount}", amount=format_rupiah(remaining)))
        colour = "#135c2b" if remaining == 0 else "#1d3557"
        self.remaining_label.setStyleSheet(f"font-size:34px; font-weight:bold; color:{colour};")
        self._update_change("")

    @guarded
    def _update_change(self, _text: str) -> None:
        self.messages.clear_message()
        received, remaining = self.received(), self.remaining
        if received is None and remaining == 0:
            self._show_change(tr("Sudah tertutup: tekan Enter"), "#135c2b")
        elif received is None:
            self._show_change(tr("Kembalian —"), "#555555")
        elif received < remaining:
            self._show_change(tr("Kurang {short}", short=format_rupiah(remaining - received)), "#b00020")
        else:
            self._show_change(tr("Kembalian {change}", change=format_rupiah(received - remaining)), "#135c2b")
        covered = remaining == 0 if received is None else received >= remaining > 0
        self.confirm_button.setEnabled(covered)

    def _show_change(self, text: str, colour: str) -> None:
        self.change_label.setText(text)
        self.change_label.setStyleSheet(f"font-size:34px; font-weight:bold; color:{colour};")

    def _show_page(self, method: str) -> None:
        self.method = method
        for code, button in self.method_buttons.items():
            button.setChecked(code == method)
        self.pages.setCurrentIndex(0 if method == CASH else 1)
        if method != CASH:
            self.tender_form.show_method(method)
        self._focus_current()

    def _focus_current(self) -> None:
        if self.method == CASH:
            self.received_input.setFocus()
        else:
            self.tender_form.focus()

    # -- actions ------------------------------------------------------------------------------------------

    @guarded
    def choose_method(self, method: str) -> None:
        """F1–F5: cash, or a form for another tender whose amount starts at what remains."""
        if method == KASBON and self.member is None:
            self._show_page(self.method)
            raise InvalidInput("Kasbon hanya untuk anggota atau pelanggan terdaftar. Pilih pembelinya dulu (F7).")
        if method != CASH and self.remaining <= 0:
            self._show_page(CASH)
            raise InvalidInput("Pembayaran sudah menutup total. Tekan Enter untuk menyelesaikan.")
        if method != CASH:
            self.tender_form.start(method, self.remaining)
        self._show_page(method)
        self.messages.clear_message()

    @guarded
    def add_tender(self) -> None:
        """Enter on a QRIS, transfer, debit or kasbon form: the tender joins the list, back to cash."""
        if self.method == CASH:
            return
        amount = self.tender_form.amount()
        label = tr(METHOD_LABELS[self.method])
        if amount > self.remaining:
            raise InvalidInput("{method} {amount} melebihi sisa {remaining}. Kembalian hanya dari tunai.",
                               method=label, amount=format_rupiah(amount), remaining=format_rupiah(self.remaining))
        payment = self.tender_form.payment()
        self.tenders.append(payment)
        self.received_input.clear()
        self._refresh()
        select_row(self.tender_view, len(self.tenders) - 1)
        self._show_page(CASH)
        note = self._over_limit_note() if payment.method == KASBON else ""
        self.messages.show_message(
            tr("{method} {amount} ditambahkan.", method=label, amount=format_rupiah(amount)) + note,
            Level.WARNING if note else Level.SUCCESS)

    def _over_limit_note(self) -> str:
        if self.credit is None:
            return ""
        after = self.credit.balance + sum(p.amount for p in self.tenders if p.method == KASBON)
        if after <= self.credit.credit_limit:
            return ""
        return " " + tr("Kasbon menjadi {after}, melebihi batas {limit}: manajer perlu menyetujui saat Selesai.",
                        after=format_rupiah(after), limit=format_rupiah(self.credit.credit_limit))

    @guarded
    def remove_tender(self) -> None:
        """F8: take back the chosen tender (the last one if none is chosen)."""
        if not self.tenders:
            raise InvalidInput("Belum ada pembayaran lain yang ditambahkan.")
        row = self.tender_view.currentIndex().row()
        removed = self.tenders.pop(row if 0 <= row < len(self.tenders) else -1)
        self._refresh()
        self._show_page(CASH)
        self.messages.show_info(tr("{method} {amount} dihapus.", method=tr(METHOD_LABELS[removed.method]),
                                   amount=format_rupiah(removed.amount)))

    @guarded
    def add_note(self, note: Rupiah) -> None:
        """Each press adds one note to what is already there (a 50.000 and a 20.000: press both)."""
        self._show_page(CASH)
        self._set_received((self.received() or 0) + note)

    @guarded
    def set_exact(self) -> None:
        self._show_page(CASH)
        self._set_received(max(self.remaining, 0))

    def _set_received(self, amount: Rupiah) -> None:
        self.received_input.setText(group_thousands(amount))
        self.received_input.setFocus()

    def payments(self) -> list[Payment]:
        """The tenders plus the cash typed (last); refuses an amount that does not cover the total."""
        remaining = self.remaining
        text = self.received_input.text().strip()
        if not text:
            if remaining > 0 and not self.tenders:
                raise InvalidInput("Ketik uang diterima, tekan tombol pecahan, atau pilih Uang pas.")
            if remaining > 0:
                raise InvalidInput("Masih kurang {short}. Terima tunai atau tambah pembayaran lain.",
                                   short=format_rupiah(remaining))
            return list(self.tenders) or [cash_payment(self.total, 0)]  # a fully discounted cart
        received = parse_rupiah(text)
        if not self.tenders:
            return [cash_payment(self.total, received)]
        if remaining <= 0:
            raise InvalidInput("Pembayaran lain sudah menutup total. Hapus jumlah tunai, lalu tekan Enter.")
        if received < remaining:
            raise InvalidInput("Uang diterima {received} kurang dari sisa {remaining}. Minta kekurangan {short} "
                               "atau ubah jumlahnya.", received=format_rupiah(received),
                               remaining=format_rupiah(remaining), short=format_rupiah(remaining - received))
        return [*self.tenders, cash_payment(remaining, received)]

    @guarded
    def confirm(self) -> None:
        payments = self.payments()
        check_payments(self.total, payments)
        if self._complete(payments):
            self.accept()
        else:
            self.messages.show_info(tr("Menunggu persetujuan manajer…"))

    def finish(self) -> None:
        """The sale was recorded after a wait (an approval): close as if completed at once."""
        self.accept()
