"""Held carts (F6): park the cart under a label, recall a parked one, or cancel one with a manager's approval."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QHBoxLayout, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.domain.roles import Action
from kkmp_pos.i18n import tr
from kkmp_pos.services.approvals import ApprovalGrant
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.held_carts import (
    HeldCartSummary,
    cancel_approval_subject,
    cancel_held_cart,
    held_carts,
)
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.ui.approval_dialog import ApprovalDialog, ask_approval
from kkmp_pos.ui.formatting import time_wita
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


def held_columns() -> list[Column[HeldCartSummary]]:
    return [
        Column(tr("Label"), lambda h: h.label),
        Column(tr("Waktu"), lambda h: time_wita(h.created_at)),
        Column(tr("Baris"), lambda h: str(h.line_count), right=True),
        Column(tr("Total"), lambda h: format_rupiah(h.total), right=True),
        Column(tr("Kasir"), lambda h: h.cashier_name),
    ]


class HeldCartsDialog(QDialog):
    """With goods in the cart, Enter parks them under the typed label; F6 (or Enter on an empty cart) recalls
    the chosen parked cart (the current one, if any, is parked first); Delete cancels the chosen one."""

    hold_requested = Signal(str)
    """The label to park the current cart under, emitted after the dialog has closed."""
    recall_requested = Signal(str)
    """The id of the held cart to bring back, emitted after the dialog has closed."""

    def __init__(self, ctx: PosContext, cashier: Cashier, *, cart_has_goods: bool, default_label: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._cashier = cashier
        self._cart_has_goods = cart_has_goods
        self.approval_dialog: ApprovalDialog | None = None
        self.setWindowTitle(tr("Tahan / panggil transaksi (F6)"))
        self.label_input = NavigableLineEdit()
        self.label_input.setMaxLength(60)
        self.label_input.setStyleSheet("font-size:18px; padding:4px;")
        if cart_has_goods:
            self.label_input.setText(default_label)
            self.label_input.selectAll()
            hint = tr("Label transaksi yang ditahan (Enter untuk menahan). Panah atas/bawah memilih transaksi "
                      "tertahan, F6 memanggilnya.")
        else:
            self.label_input.setPlaceholderText(tr("Cari label"))
            hint = tr("Pilih transaksi tertahan dengan panah atas/bawah, Enter untuk memanggil.")
        hint_label = QLabel(hint)
        hint_label.setWordWrap(True)
        self.held_model: ListTableModel[HeldCartSummary] = ListTableModel(held_columns(), self)
        self.held_view = QTableView()
        self.held_view.setModel(self.held_model)
        configure_list_view(self.held_view)
        self.held_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.held_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.messages = MessageBar()
        self.hold_button = action_button(tr("Tahan (Enter)"))
        self.hold_button.setVisible(cart_has_goods)
        self.recall_button = action_button(tr("Panggil (F6)"))
        self.cancel_held_button = action_button(tr("Batalkan transaksi tertahan (Del)"))
        self.close_button = action_button(tr("Tutup (Esc)"))

        self.label_input.returnPressed.connect(self._enter)
        self.label_input.navigate.connect(self._move)
        self.label_input.delete_when_empty.connect(self.cancel_selected)
        self.label_input.textChanged.connect(self._filter)
        self.hold_button.clicked.connect(self.hold)
        self.recall_button.clicked.connect(self.recall_selected)
        self.cancel_held_button.clicked.connect(self.cancel_selected)
        self.close_button.clicked.connect(self.reject)
        self._recall_shortcut = QShortcut(QKeySequence("F6"), self)
        self._recall_shortcut.activated.connect(self.recall_selected)

        layout = QVBoxLayout(self)
        layout.addWidget(hint_label)
        layout.addWidget(self.label_input)
        layout.addWidget(self.held_view, 1)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.cancel_held_button)
        buttons.addWidget(self.recall_button)
        buttons.addWidget(self.hold_button)
        layout.addLayout(buttons)
        self.resize(760, 420)
        self.refresh()
        self.label_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)
        self.label_input.setFocus()

    @guarded
    def refresh(self) -> None:
        self._all = held_carts(self._ctx)
        self._filter(self.label_input.text())

    def _filter(self, text: str) -> None:
        # With goods in the cart the field is the new label, not a filter: every held cart stays listed.
        wanted = "" if self._cart_has_goods else text.strip().casefold()
        rows = [h for h in self._all if wanted in h.label.casefold()]
        self.held_model.set_rows(rows)
        if rows:
            select_row(self.held_view, 0)
        elif not self._all:
            self.messages.show_info(tr("Belum ada transaksi yang ditahan."))

    @guarded
    def _move(self, step: int) -> None:
        move_selection(self.held_view, step)

    def selected(self) -> HeldCartSummary | None:
        row = selected_row(self.held_view)
        return self.held_model.row_at(row) if row >= 0 else None

    @guarded
    def _enter(self) -> None:
        if self._cart_has_goods:
            self.hold()
        else:
            self.recall_selected()

    @guarded
    def hold(self) -> None:
        if not self._cart_has_goods:
            raise InvalidInput("Keranjang kosong: tidak ada yang ditahan.")
        label = self.label_input.text()
        self.accept()
        self.hold_requested.emit(label)

    @guarded
    def recall_selected(self) -> None:
        held = self.selected()
        if held is None:
            raise InvalidInput("Pilih dulu transaksi tertahan yang akan dipanggil.")
        self.accept()
        self.recall_requested.emit(held.id)

    @guarded
    def cancel_selected(self) -> None:
        """Cancelling a parked cart is cancelling a cart: the same manager's approval as F9 at the till."""
        held = self.selected()
        if held is None:
            raise InvalidInput("Pilih dulu transaksi tertahan yang akan dibatalkan.")
        self.approval_dialog = ask_approval(
            self, self._ctx, self._cashier, Action.CANCEL_CART, cancel_approval_subject(held),
            {"lines": held.line_count, "total": held.total}, {"lines": 0, "total": 0},
            lambda grant, chosen=held: self._cancel_approved(chosen, grant))

    @guarded
    def _cancel_approved(self, held: HeldCartSummary, grant: ApprovalGrant) -> None:
        cancel_held_cart(self._ctx, held.id, approval_id=grant.id)
        self.refresh()
        self.messages.show_success(tr("Transaksi tertahan {label} dibatalkan.", label=held.label))
        self.label_input.setFocus()
