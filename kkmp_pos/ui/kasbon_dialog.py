"""Kasbon: who owes what, one customer's history, taking a repayment with a printed receipt, and the aging report."""

from __future__ import annotations

from datetime import date
from functools import partial

from PySide6.QtCore import QModelIndex
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
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.clock import format_wita
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.kasbon import REPAID, REPAYMENT_METHODS
from kkmp_pos.domain.money import format_rupiah, group_thousands, parse_rupiah
from kkmp_pos.domain.payment import CASH, METHOD_LABELS, TRANSFER, Payment, cash_payment, non_cash_payment
from kkmp_pos.i18n import tr
from kkmp_pos.services import receipts
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.kasbon import (
    KasbonAccount,
    KasbonEntryView,
    RecordedRepayment,
    kasbon_accounts,
    kasbon_aging,
    kasbon_history,
    repay_kasbon,
)
from kkmp_pos.services.members import get_member
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.messages import Level, MessageBar, guarded
from kkmp_pos.ui.print_jobs import PrintJobs
from kkmp_pos.ui.widgets import (
    NavigableLineEdit,
    action_button,
    configure_list_view,
    move_selection,
    select_row,
    selected_row,
)


def _day(value: date | None) -> str:
    return value.strftime("%d-%m-%Y") if value is not None else "—"


def account_columns() -> list[Column[KasbonAccount]]:
    return [
        Column(tr("No. anggota"), lambda a: a.member_no),
        Column(tr("Nama"), lambda a: a.name),
        Column(tr("Kasbon"), lambda a: format_rupiah(a.balance), right=True),
        Column(tr("Batas"), lambda a: format_rupiah(a.credit_limit), right=True),
        Column(tr("Jatuh tempo terlama"), lambda a: _day(a.oldest_due)),
        Column(tr("Lewat tempo"), lambda a: format_rupiah(a.overdue) if a.overdue else "—", right=True),
        Column(tr("Catatan"), lambda a: tr("melewati batas") if a.over_limit else ""),
    ]


def history_columns() -> list[Column[KasbonEntryView]]:
    return [
        Column(tr("Waktu"), lambda e: format_wita(e.created_at)),
        Column(tr("Jenis"), lambda e: tr("Bayar") if e.kind == REPAID else tr("Kasbon")),
        Column(tr("No. struk"), lambda e: e.receipt_no or ""),
        Column(tr("Jumlah"), lambda e: format_rupiah(e.amount), right=True),
        Column(tr("Jatuh tempo"), lambda e: _day(e.due_date)),
        Column(tr("Cara bayar"), lambda e: tr(METHOD_LABELS.get(e.method, e.method)) if e.method else ""),
        Column(tr("Saldo"), lambda e: format_rupiah(e.balance_after), right=True),
    ]


def aging_columns() -> list[Column[KasbonAccount]]:
    return [
        Column(tr("No. anggota"), lambda a: a.member_no),
        Column(tr("Nama"), lambda a: a.name),
        Column(tr("0–30 hari"), lambda a: format_rupiah(a.aging.days_0_30), right=True),
        Column(tr("31–60 hari"), lambda a: format_rupiah(a.aging.days_31_60), right=True),
        Column(tr(">60 hari"), lambda a: format_rupiah(a.aging.over_60), right=True),
        Column(tr("Total"), lambda a: format_rupiah(a.aging.total), right=True),
        Column(tr("Lewat tempo"), lambda a: format_rupiah(a.aging.overdue), right=True),
    ]


def _table(model: ListTableModel[object]) -> QTableView:
    view = QTableView()
    view.setModel(model)
    configure_list_view(view)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class KasbonDialog(QDialog):
    """Type to find a customer, Up/Down choose; Enter in the form takes the repayment and prints; Ctrl+P reprints."""

    def __init__(self, ctx: PosContext, cashier: Cashier, print_jobs: PrintJobs, parent: QWidget | None = None,
                 *, member_id: str | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._cashier = cashier
        self._print_jobs = print_jobs
        self.member_id = member_id
        """The customer whose history and repayment form are shown (stays after they have paid it all)."""
        self.setWindowTitle(tr("Kasbon"))

        self.filter_input = NavigableLineEdit()
        self.filter_input.setPlaceholderText(tr("Cari nomor anggota atau nama"))
        self.filter_input.setStyleSheet("font-size:18px; padding:4px;")
        self.accounts_model: ListTableModel[KasbonAccount] = ListTableModel(account_columns(), self)
        self.accounts_view = _table(self.accounts_model)  # type: ignore[arg-type]
        self.summary_label = QLabel()
        self.customer_label = QLabel()
        self.customer_label.setStyleSheet("font-size:18px; font-weight:bold;")
        self.history_model: ListTableModel[KasbonEntryView] = ListTableModel(history_columns(), self)
        self.history_view = _table(self.history_model)  # type: ignore[arg-type]

        self.amount_input = QLineEdit()
        self.amount_input.setPlaceholderText(tr("jumlah dibayar, misalnya 50000"))
        self.amount_input.setStyleSheet("font-size:20px; padding:4px;")
        self.method_combo = QComboBox()
        for method in REPAYMENT_METHODS:
            self.method_combo.addItem(tr(METHOD_LABELS[method]), method)
        self.received_input = QLineEdit()
        self.received_input.setPlaceholderText(tr("uang diterima (kosong = pas)"))
        self.bank_input = QLineEdit()
        self.bank_input.setPlaceholderText(tr("nama bank, untuk transfer"))
        self.reference_input = QLineEdit()
        self.reference_input.setPlaceholderText(tr("nomor referensi (QRIS, transfer, debit)"))
        self.full_button = action_button(tr("Lunasi semua"))
        self.save_button = action_button(tr("Terima & cetak struk (Enter)"))
        self.save_button.setStyleSheet("font-weight:bold;")
        self.reprint_button = action_button(tr("Cetak ulang struk (Ctrl+P)"))
        self.close_button = action_button(tr("Tutup (Esc)"))
        self.messages = MessageBar()
        self.last_label = QLabel()
        """The last repayment taken here: stays when the printer's outcome replaces the message."""
        self.last_label.setStyleSheet("font-size:16px; color:#135c2b;")

        self.aging_model: ListTableModel[KasbonAccount] = ListTableModel(aging_columns(), self)
        self.aging_view = _table(self.aging_model)  # type: ignore[arg-type]
        self.aging_total_label = QLabel()
        self.aging_total_label.setStyleSheet("font-weight:bold;")
        aging_note = QLabel(tr("Umur dihitung dari tanggal penjualan kasbon. 'Lewat tempo' adalah bagian yang "
                               "sudah melewati tanggal jatuh temponya. Pembayaran melunasi kasbon terlama dulu."))
        aging_note.setWordWrap(True)

        self.filter_input.textChanged.connect(self.refresh)
        self.filter_input.navigate.connect(self._move)
        self.filter_input.returnPressed.connect(self._to_form)
        self.accounts_view.selectionModel().currentRowChanged.connect(self._account_chosen)
        self.method_combo.currentIndexChanged.connect(self._method_changed)
        self.full_button.clicked.connect(self.fill_balance)
        self.save_button.clicked.connect(self.save)
        self.reprint_button.clicked.connect(self.reprint_selected)
        self.close_button.clicked.connect(self.reject)
        for field in (self.amount_input, self.received_input, self.bank_input, self.reference_input):
            field.returnPressed.connect(self.save)
        QShortcut(QKeySequence("Ctrl+P"), self).activated.connect(self.reprint_selected)
        self._print_jobs.finished.connect(self._on_print_finished)
        self._listening = True

        self.tabs = QTabWidget()
        self.tabs.addTab(self._accounts_tab(), tr("Saldo & pembayaran"))
        aging_tab = QWidget()
        aging_layout = QVBoxLayout(aging_tab)
        aging_layout.addWidget(self.aging_view, 1)
        aging_layout.addWidget(self.aging_total_label)
        aging_layout.addWidget(aging_note)
        self.tabs.addTab(aging_tab, tr("Umur kasbon"))
        self.tabs.currentChanged.connect(self._tab_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.last_label)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        for button in (self.close_button, self.reprint_button, self.save_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.resize(1040, 720)
        self._method_changed()
        self._load_accounts("", keep_customer=True)  # the buyer attached at the till, even with no kasbon
        self.filter_input.setFocus()

    def _accounts_tab(self) -> QWidget:
        tab = QWidget()
        form = QFormLayout()
        amount_row = QHBoxLayout()
        amount_row.addWidget(self.amount_input, 1)
        amount_row.addWidget(self.full_button)
        form.addRow(tr("Dibayar"), amount_row)
        form.addRow(tr("Cara bayar"), self.method_combo)
        form.addRow(tr("Uang diterima"), self.received_input)
        form.addRow(tr("Bank"), self.bank_input)
        form.addRow(tr("Referensi"), self.reference_input)
        left = QVBoxLayout()
        left.addWidget(self.filter_input)
        left.addWidget(self.accounts_view, 1)
        left.addWidget(self.summary_label)
        right = QVBoxLayout()
        right.addWidget(self.customer_label)
        right.addWidget(self.history_view, 1)
        right.addLayout(form)
        layout = QHBoxLayout(tab)
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)
        return tab

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    def done(self, result: int) -> None:
        # Stop listening before the dialog goes: later print results belong to the till only.
        if self._listening:
            self._listening = False
            self._print_jobs.finished.disconnect(self._on_print_finished)
        super().done(result)

    # -- lists ------------------------------------------------------------------------------------------------

    @guarded
    def refresh(self, text: str = "") -> None:
        """The balances matching `text`; the first one is chosen when the current customer is not among them."""
        self._load_accounts(text, keep_customer=False)

    def _load_accounts(self, text: str, *, keep_customer: bool) -> None:
        """`keep_customer`: stay on the current customer even when they are not listed (just paid it all)."""
        accounts = kasbon_accounts(self._ctx, text)
        self.accounts_model.set_rows(accounts)
        over = sum(1 for a in accounts if a.over_limit)
        self.summary_label.setText(tr("{n} pelanggan · kasbon {total} · {over} melewati batas", n=len(accounts),
                                      total=format_rupiah(sum(a.balance for a in accounts)), over=over))
        rows = [i for i, a in enumerate(accounts) if a.member_id == self.member_id]
        if rows:
            select_row(self.accounts_view, rows[0])
        elif accounts and not (keep_customer and self.member_id):
            select_row(self.accounts_view, 0)
        else:
            self.accounts_view.setCurrentIndex(QModelIndex())
            self._show_customer()

    @guarded
    def _move(self, step: int) -> None:
        move_selection(self.accounts_view, step)

    @guarded
    def _account_chosen(self) -> None:
        row = selected_row(self.accounts_view)
        if row >= 0:
            self.member_id = self.accounts_model.row_at(row).member_id
        self._show_customer()

    def _show_customer(self) -> None:
        if self.member_id is None:
            self.customer_label.setText(tr("Pilih pelanggan di daftar."))
            self.history_model.set_rows([])
            return
        member = get_member(self._ctx, self.member_id)
        history = kasbon_history(self._ctx, self.member_id)
        self.history_model.set_rows(history)
        if history:
            select_row(self.history_view, 0)  # the newest: Ctrl+P reprints the repayment just taken
        self.customer_label.setText(tr("{name} ({member_no}) · kasbon {balance} · batas {limit}", name=member.name,
                                       member_no=member.member_no,
                                       balance=format_rupiah(history[0].balance_after if history else 0),
                                       limit=format_rupiah(member.credit_limit)))

    @guarded
    def _tab_changed(self, index: int) -> None:
        if index == 1:
            self.refresh_aging()

    @guarded
    def refresh_aging(self) -> None:
        report = kasbon_aging(self._ctx)
        self.aging_model.set_rows(report.accounts)
        total = report.total
        self.aging_total_label.setText(tr(
            "Per {day}: 0–30 hari {a} · 31–60 hari {b} · >60 hari {c} · total {total} · lewat tempo {overdue}",
            day=report.today.strftime("%d-%m-%Y"), a=format_rupiah(total.days_0_30),
            b=format_rupiah(total.days_31_60), c=format_rupiah(total.over_60), total=format_rupiah(total.total),
            overdue=format_rupiah(total.overdue)))

    # -- repayment ------------------------------------------------------------------------------------------------

    @guarded
    def _to_form(self) -> None:
        self.amount_input.setFocus()

    @guarded
    def _method_changed(self) -> None:
        method = self.method_combo.currentData()
        self.received_input.setEnabled(method == CASH)
        self.bank_input.setEnabled(method == TRANSFER)
        self.reference_input.setEnabled(method != CASH)

    @guarded
    def fill_balance(self) -> None:
        history = kasbon_history(self._ctx, self.member_id, limit=1) if self.member_id else []
        self.amount_input.setText(group_thousands(history[0].balance_after) if history else "")
        self.amount_input.setFocus()

    def payment(self) -> Payment:
        """The money the form describes; InvalidInput names what is missing or unreadable."""
        if not self.amount_input.text().strip():
            raise InvalidInput("Ketik jumlah yang dibayar, misalnya 50000, atau pilih Lunasi semua.")
        amount = parse_rupiah(self.amount_input.text())
        method = str(self.method_combo.currentData())
        if method != CASH:
            return non_cash_payment(method, amount, reference=self.reference_input.text(),
                                    bank=self.bank_input.text() if method == TRANSFER else None)
        received = self.received_input.text().strip()
        return cash_payment(amount, parse_rupiah(received) if received else amount)

    @guarded
    def save(self) -> None:
        if self.member_id is None:
            raise InvalidInput("Pilih dulu pelanggan yang membayar kasbon.")
        done = repay_kasbon(self._ctx, self.member_id, self.payment(), by=self._cashier)
        self._after_repayment(done)

    def _after_repayment(self, done: RecordedRepayment) -> None:
        for field in (self.amount_input, self.received_input, self.reference_input, self.bank_input):
            field.clear()
        self._load_accounts(self.filter_input.text(), keep_customer=True)
        text = tr("Pembayaran kasbon {amount} tersimpan (struk {receipt_no}). Sisa kasbon {balance}. "
                  "Kembalian {change}.", amount=format_rupiah(done.amount), receipt_no=done.receipt_no,
                  balance=format_rupiah(done.balance_after), change=format_rupiah(done.change))
        self.last_label.setText(text)
        self.messages.show_success(text + " " + tr("Mencetak struk…"))
        # Only after the commit: a printer problem can never undo the repayment.
        self._print_jobs.print_slip(done.receipt_no, partial(receipts.print_kasbon_receipt, self._ctx,
                                                             done.entry_id))
        self.filter_input.setFocus()

    @guarded
    def reprint_selected(self) -> None:
        row = selected_row(self.history_view)
        entry = self.history_model.row_at(row) if row >= 0 else None
        if entry is None or entry.kind != REPAID or not entry.receipt_no:
            self.messages.show_warning(tr("Pilih dulu pembayaran kasbon di riwayat yang akan dicetak ulang."))
            return
        self.messages.show_info(tr("Mencetak salinan struk {receipt_no}…", receipt_no=entry.receipt_no))
        self._print_jobs.print_slip(entry.receipt_no, partial(receipts.print_kasbon_receipt, self._ctx, entry.id,
                                                              copy=True), copy=True)

    def _on_print_finished(self, text: str, level: Level) -> None:
        self.messages.show_message(text, level)
