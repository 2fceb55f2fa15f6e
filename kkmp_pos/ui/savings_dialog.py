"""A member's simpanan: balances per kind, the ledger, and taking a deposit or paying out a withdrawal."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.clock import format_wita
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.member import kind_label
from kkmp_pos.domain.money import format_rupiah, parse_rupiah
from kkmp_pos.domain.payment import CASH, METHOD_LABELS, TRANSFER, Payment, cash_payment, non_cash_payment
from kkmp_pos.domain.savings import SAVINGS_METHODS, SavingsKind, savings_kind_label
from kkmp_pos.i18n import tr
from kkmp_pos.services import receipts
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.members import Member
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.savings import (
    RecordedSavings,
    SavingsEntryView,
    deposit_savings,
    savings_ledger,
    withdraw_savings,
)
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.messages import Level, MessageBar, guarded
from kkmp_pos.ui.print_jobs import PrintJobs
from kkmp_pos.ui.widgets import action_button, configure_list_view, selected_row

DEPOSIT, WITHDRAWAL = "setor", "tarik"


def entry_columns() -> list[Column[SavingsEntryView]]:
    return [
        Column(tr("Waktu"), lambda e: format_wita(e.created_at)),
        Column(tr("No. slip"), lambda e: e.receipt_no),
        Column(tr("Jenis"), lambda e: savings_kind_label(e.kind)),
        Column(tr("Jumlah"), lambda e: format_rupiah(e.amount), right=True),
        Column(tr("Cara bayar"), lambda e: tr(METHOD_LABELS.get(e.method, e.method))),
        Column(tr("Kasir"), lambda e: e.cashier_name),
    ]


class SavingsDialog(QDialog):
    """Choose kind, setor/tarik, amount and method; Enter records it and prints the slip; Ctrl+P reprints."""

    recorded = Signal(object)
    """A RecordedSavings, after the commit (the dialog stays open for the next one)."""

    def __init__(self, ctx: PosContext, cashier: Cashier, print_jobs: PrintJobs, member: Member,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._cashier = cashier
        self._print_jobs = print_jobs
        self.member = member
        self.setWindowTitle(tr("Simpanan {name} ({member_no})", name=member.name, member_no=member.member_no))

        self.member_label = QLabel(f"{member.name} · {member.member_no} · {kind_label(member.kind)} "
                                   f"{member.status_text.lower()}")
        self.member_label.setStyleSheet("font-size:18px; font-weight:bold;")
        self.balance_labels = {kind: QLabel() for kind in SavingsKind}
        self.total_label = QLabel()
        self.entries_model: ListTableModel[SavingsEntryView] = ListTableModel(entry_columns(), self)
        self.entries_view = QTableView()
        self.entries_view.setModel(self.entries_model)
        configure_list_view(self.entries_view)
        self.entries_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.entries_view.horizontalHeader().setStretchLastSection(True)

        self.kind_combo = QComboBox()
        for kind in SavingsKind:
            self.kind_combo.addItem(savings_kind_label(kind), kind.value)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(SavingsKind.WAJIB.value))
        self.direction_combo = QComboBox()
        self.direction_combo.addItem(tr("Setor"), DEPOSIT)
        self.direction_combo.addItem(tr("Tarik"), WITHDRAWAL)
        self.amount_input = QLineEdit()
        self.amount_input.setPlaceholderText(tr("jumlah, misalnya 20000"))
        self.amount_input.setStyleSheet("font-size:20px; padding:4px;")
        self.method_combo = QComboBox()
        for method in SAVINGS_METHODS:
            self.method_combo.addItem(tr(METHOD_LABELS[method]), method)
        self.received_input = QLineEdit()
        self.received_input.setPlaceholderText(tr("uang diterima (kosong = pas)"))
        self.bank_input = QLineEdit()
        self.bank_input.setPlaceholderText(tr("nama bank, untuk transfer"))
        self.reference_input = QLineEdit()
        self.reference_input.setPlaceholderText(tr("nomor referensi (QRIS, transfer, debit)"))
        self.messages = MessageBar()
        self.last_label = QLabel()
        """The last entry taken here: stays when the printer's outcome replaces the message."""
        self.last_label.setStyleSheet("font-size:16px; color:#135c2b;")
        self.save_button = action_button(tr("Simpan && cetak slip (Enter)"))
        self.save_button.setStyleSheet("font-weight:bold;")
        self.reprint_button = action_button(tr("Cetak ulang slip (Ctrl+P)"))
        self.close_button = action_button(tr("Tutup (Esc)"))

        self.method_combo.currentIndexChanged.connect(self._method_changed)
        self.direction_combo.currentIndexChanged.connect(self._method_changed)
        self.save_button.clicked.connect(self.save)
        self.reprint_button.clicked.connect(self.reprint_selected)
        self.close_button.clicked.connect(self.reject)
        for field in (self.amount_input, self.received_input, self.bank_input, self.reference_input):
            field.returnPressed.connect(self.save)
        QShortcut(QKeySequence("Ctrl+P"), self).activated.connect(self.reprint_selected)
        self._print_jobs.finished.connect(self._on_print_finished)
        self._listening = True

        balances = QHBoxLayout()
        for kind in SavingsKind:
            balances.addWidget(self.balance_labels[kind])
        balances.addWidget(self.total_label)
        form = QFormLayout()
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.kind_combo, 2)
        kind_row.addWidget(self.direction_combo, 1)
        form.addRow(tr("Simpanan"), kind_row)
        form.addRow(tr("Jumlah"), self.amount_input)
        form.addRow(tr("Cara bayar"), self.method_combo)
        form.addRow(tr("Uang diterima"), self.received_input)
        form.addRow(tr("Bank"), self.bank_input)
        form.addRow(tr("Referensi"), self.reference_input)
        layout = QVBoxLayout(self)
        layout.addWidget(self.member_label)
        layout.addLayout(balances)
        layout.addWidget(self.entries_view, 1)
        layout.addLayout(form)
        layout.addWidget(self.last_label)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        for button in (self.close_button, self.reprint_button, self.save_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.resize(820, 620)
        self._method_changed()
        self.refresh()
        self.amount_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)
        self.amount_input.setFocus()

    def done(self, result: int) -> None:
        # Stop listening before the dialog goes: later print results belong to the till only.
        if self._listening:
            self._listening = False
            self._print_jobs.finished.disconnect(self._on_print_finished)
        super().done(result)

    @guarded
    def refresh(self) -> None:
        ledger = savings_ledger(self._ctx, self.member.id)
        for kind, label in self.balance_labels.items():
            label.setText(f"{savings_kind_label(kind)}: {format_rupiah(ledger.balances.of(kind))}")
        self.total_label.setText(tr("Total: {total}", total=format_rupiah(ledger.balances.total)))
        self.entries_model.set_rows(ledger.entries)

    @guarded
    def _method_changed(self) -> None:
        method = self.method_combo.currentData()
        cash_in = method == CASH and self.direction_combo.currentData() == DEPOSIT
        self.received_input.setEnabled(cash_in)
        self.bank_input.setEnabled(method == TRANSFER)
        self.reference_input.setEnabled(method != CASH)

    def payment(self) -> Payment:
        """The money the form describes; InvalidInput names what is missing or unreadable."""
        if not self.amount_input.text().strip():
            raise InvalidInput("Ketik jumlah simpanan, misalnya 20000.")
        amount = parse_rupiah(self.amount_input.text())
        method = str(self.method_combo.currentData())
        if method != CASH:
            return non_cash_payment(method, amount, reference=self.reference_input.text(),
                                    bank=self.bank_input.text() if method == TRANSFER else None)
        received = self.received_input.text().strip() if self.received_input.isEnabled() else ""
        return cash_payment(amount, parse_rupiah(received) if received else amount)

    @guarded
    def save(self) -> None:
        payment = self.payment()
        kind = SavingsKind(str(self.kind_combo.currentData()))
        if self.direction_combo.currentData() == WITHDRAWAL:
            done = withdraw_savings(self._ctx, self.member.id, kind, payment, by=self._cashier)
        else:
            done = deposit_savings(self._ctx, self.member.id, kind, payment, by=self._cashier)
        self._after_record(done)

    def _after_record(self, done: RecordedSavings) -> None:
        for field in (self.amount_input, self.received_input, self.reference_input, self.bank_input):
            field.clear()
        self.refresh()
        what = savings_kind_label(done.kind).lower()
        if done.amount < 0:
            text = tr("Penarikan {kind} {amount} tersimpan (slip {receipt_no}).", kind=what,
                      amount=format_rupiah(-done.amount), receipt_no=done.receipt_no)
        else:
            text = tr("Setoran {kind} {amount} tersimpan (slip {receipt_no}). Kembalian {change}.",
                      kind=what, amount=format_rupiah(done.amount), receipt_no=done.receipt_no,
                      change=format_rupiah(done.change))
        self.last_label.setText(text)
        self.messages.show_success(text + " " + tr("Mencetak slip…"))
        # Only after the commit: a printer problem can never undo the deposit.
        self._print_jobs.print_slip(done.receipt_no, partial(receipts.print_savings_receipt, self._ctx,
                                                             done.entry_id))
        self.recorded.emit(done)
        self.amount_input.setFocus()

    @guarded
    def reprint_selected(self) -> None:
        row = selected_row(self.entries_view)
        if row < 0:
            self.messages.show_warning(tr("Pilih dulu slip di daftar yang akan dicetak ulang."))
            return
        entry = self.entries_model.row_at(row)
        self.messages.show_info(tr("Mencetak salinan slip {receipt_no}…", receipt_no=entry.receipt_no))
        self._print_jobs.print_slip(entry.receipt_no, partial(receipts.print_savings_receipt, self._ctx, entry.id,
                                                              copy=True), copy=True)

    def _on_print_finished(self, text: str, level: Level) -> None:
        self.messages.show_message(text, level)
