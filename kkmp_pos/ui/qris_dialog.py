"""QRIS reconciliation (manajer/admin): pending QRIS payments marked verified, or failed and settled another way."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
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
from kkmp_pos.domain.money import format_rupiah, parse_rupiah
from kkmp_pos.domain.payment import (
    CASH,
    KASBON,
    METHOD_LABELS,
    TRANSFER,
    Payment,
    cash_payment,
    non_cash_payment,
)
from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.qris import (
    SETTLEMENT_METHODS,
    PendingQris,
    fail_qris,
    pending_qris,
    pending_total,
    verify_qris,
)
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import (
    NavigableLineEdit,
    action_button,
    configure_list_view,
    move_selection,
    select_row,
    selected_row,
)


def pending_columns() -> list[Column[PendingQris]]:
    return [
        Column(tr("Waktu"), lambda p: format_wita(p.sold_at)),
        Column(tr("No. struk"), lambda p: p.receipt_no),
        Column(tr("Jumlah"), lambda p: format_rupiah(p.amount), right=True),
        Column(tr("Referensi"), lambda p: p.reference or ""),
        Column(tr("Pembeli"), lambda p: f"{p.member_name} ({p.member_no})" if p.member_no else tr("Non-anggota")),
    ]


def _matches(item: PendingQris, text: str) -> bool:
    needle = text.strip().upper()
    return not needle or needle in item.receipt_no.upper() or needle in (item.reference or "").upper()


class QrisDialog(QDialog):
    """Type a receipt or reference to find it; F2 verified; F3 failed, then choose how it is settled and Enter."""

    def __init__(self, ctx: PosContext, cashier: Cashier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._cashier = cashier
        self.setWindowTitle(tr("Rekonsiliasi QRIS"))

        self.filter_input = NavigableLineEdit()
        self.filter_input.setPlaceholderText(tr("Cari nomor struk atau referensi QRIS"))
        self.filter_input.setStyleSheet("font-size:18px; padding:4px;")
        self.pending_model: ListTableModel[PendingQris] = ListTableModel(pending_columns(), self)
        self.pending_view = QTableView()
        self.pending_view.setModel(self.pending_model)
        configure_list_view(self.pending_view)
        self.pending_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.pending_view.horizontalHeader().setStretchLastSection(True)
        self.summary_label = QLabel()
        self.summary_label.setStyleSheet("font-size:16px; font-weight:bold;")
        self.verify_button = action_button(tr("F2  Terverifikasi (ada di mutasi QRIS)"))
        self.fail_button = action_button(tr("F3  Gagal (tidak ada di mutasi)"))
        self.close_button = action_button(tr("Tutup (Esc)"))
        self.messages = MessageBar()

        self.failure_box = QGroupBox(tr("QRIS gagal: bagaimana diselesaikan?"))
        self.failure_label = QLabel()
        self.failure_label.setWordWrap(True)
        self.settlement_combo = QComboBox()
        for method in SETTLEMENT_METHODS:
            label = tr("Jadikan kasbon pembeli") if method == KASBON else tr("Dibayar ulang: {method}",
                                                                             method=tr(METHOD_LABELS[method]))
            self.settlement_combo.addItem(label, method)
        self.received_input = QLineEdit()
        self.received_input.setPlaceholderText(tr("uang diterima (kosong = pas)"))
        self.bank_input = QLineEdit()
        self.bank_input.setPlaceholderText(tr("nama bank, untuk transfer"))
        self.reference_input = QLineEdit()
        self.reference_input.setPlaceholderText(tr("nomor referensi (transfer, debit)"))
        self.settle_button = action_button(tr("Simpan penyelesaian (Enter)"))
        self.settle_cancel_button = action_button(tr("Batal"))
        form = QFormLayout(self.failure_box)
        form.addRow(self.failure_label)
        form.addRow(tr("Penyelesaian"), self.settlement_combo)
        form.addRow(tr("Uang diterima"), self.received_input)
        form.addRow(tr("Bank"), self.bank_input)
        form.addRow(tr("Referensi"), self.reference_input)
        settle_buttons = QHBoxLayout()
        settle_buttons.addWidget(self.settle_cancel_button)
        settle_buttons.addWidget(self.settle_button)
        form.addRow(settle_buttons)
        self.failure_box.hide()

        self.filter_input.textChanged.connect(self.refresh)
        self.filter_input.navigate.connect(self._move)
        self.verify_button.clicked.connect(self.verify_selected)
        self.fail_button.clicked.connect(self.start_failure)
        self.close_button.clicked.connect(self.reject)
        self.settlement_combo.currentIndexChanged.connect(self._settlement_changed)
        self.settle_button.clicked.connect(self.settle)
        self.settle_cancel_button.clicked.connect(self.cancel_failure)
        QShortcut(QKeySequence("F2"), self).activated.connect(self.verify_selected)
        QShortcut(QKeySequence("F3"), self).activated.connect(self.start_failure)

        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_input)
        layout.addWidget(self.pending_view, 1)
        layout.addWidget(self.summary_label)
        actions = QHBoxLayout()
        actions.addWidget(self.verify_button)
        actions.addWidget(self.fail_button)
        layout.addLayout(actions)
        layout.addWidget(self.failure_box)
        layout.addWidget(self.messages)
        layout.addWidget(self.close_button)
        self.resize(900, 600)
        self._settlement_changed()
        self.refresh("")
        self.filter_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    @guarded
    def refresh(self, text: str = "") -> None:
        everything = pending_qris(self._ctx)
        shown = [item for item in everything if _matches(item, text)]
        self.pending_model.set_rows(shown)
        self.summary_label.setText(tr("{n} pembayaran QRIS menunggu verifikasi · total {total}", n=len(everything),
                                      total=format_rupiah(pending_total(everything))))
        if shown:
            select_row(self.pending_view, 0)
        self._hide_failure()

    @guarded
    def _move(self, step: int) -> None:
        move_selection(self.pending_view, step)

    def selected(self) -> PendingQris:
        row = selected_row(self.pending_view)
        if row < 0:
            raise InvalidInput("Pilih dulu pembayaran QRIS di daftar.")
        return self.pending_model.row_at(row)

    @guarded
    def verify_selected(self) -> None:
        item = self.selected()
        verify_qris(self._ctx, item.payment_id, by=self._cashier)
        self.refresh(self.filter_input.text())
        self.messages.show_success(tr("QRIS struk {receipt_no} ({amount}) terverifikasi.",
                                      receipt_no=item.receipt_no, amount=format_rupiah(item.amount)))

    @guarded
    def start_failure(self) -> None:
        item = self.selected()
        self.failure_label.setText(tr("QRIS struk {receipt_no} sebesar {amount} tidak masuk. Pilih cara "
                                      "menyelesaikannya.", receipt_no=item.receipt_no,
                                      amount=format_rupiah(item.amount)))
        kasbon_row = self.settlement_combo.findData(KASBON)
        self.settlement_combo.setCurrentIndex(kasbon_row if item.member_id else self.settlement_combo.findData(CASH))
        for field in (self.received_input, self.bank_input, self.reference_input):
            field.clear()
        self.failure_box.show()
        # Enter anywhere in the form (the choice list included) saves the settlement.
        self.settle_button.setDefault(True)
        self.messages.clear_message()
        self.settlement_combo.setFocus()

    @guarded
    def cancel_failure(self) -> None:
        self._hide_failure()
        self.filter_input.setFocus()

    def _hide_failure(self) -> None:
        self.failure_box.hide()
        self.settle_button.setDefault(False)

    @guarded
    def _settlement_changed(self) -> None:
        method = self.settlement_combo.currentData()
        self.received_input.setEnabled(method == CASH)
        self.bank_input.setEnabled(method == TRANSFER)
        self.reference_input.setEnabled(method not in (CASH, KASBON))

    def settlement(self, item: PendingQris) -> Payment:
        method = str(self.settlement_combo.currentData())
        if method == CASH:
            received = self.received_input.text().strip()
            return cash_payment(item.amount, parse_rupiah(received) if received else item.amount)
        return non_cash_payment(method, item.amount, reference=self.reference_input.text() or None,
                                bank=self.bank_input.text() if method == TRANSFER else None)

    @guarded
    def settle(self) -> None:
        if self.failure_box.isHidden():
            return
        item = self.selected()
        settlement = self.settlement(item)
        fail_qris(self._ctx, item.payment_id, settlement, by=self._cashier)
        self.refresh(self.filter_input.text())
        if settlement.method == KASBON:
            text = tr("QRIS struk {receipt_no} gagal: {amount} menjadi kasbon {member}.", receipt_no=item.receipt_no,
                      amount=format_rupiah(item.amount), member=item.member_no)
        else:
            text = tr("QRIS struk {receipt_no} gagal: {amount} dibayar ulang dengan {method}.",
                      receipt_no=item.receipt_no, amount=format_rupiah(item.amount),
                      method=tr(METHOD_LABELS[settlement.method]))
        if settlement.change:
            text += " " + tr("Kembalian {change}", change=format_rupiah(settlement.change))
        self.messages.show_success(text)
        self.filter_input.setFocus()
