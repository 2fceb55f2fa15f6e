"""Choosing the buyer for the current sale (F7): by name or number; or taking the member off the sale."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from kkmp_pos.domain.cart import MemberRef
from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.members import Member, member_for_sale, search_members
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.ui.list_model import ListTableModel
from kkmp_pos.ui.members_dialog import member_columns
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import (
    NavigableLineEdit,
    action_button,
    configure_list_view,
    move_selection,
    select_row,
    selected_row,
)


class MemberPicker(QDialog):
    """Type a name or number; Down/Up choose; Enter attaches; 'Tanpa anggota' takes the member off."""

    member_chosen = Signal(object)
    """The Member to attach, emitted after the dialog has closed."""
    member_cleared = Signal()
    """The sale goes on as non-member, emitted after the dialog has closed."""

    def __init__(self, ctx: PosContext, viewer: Cashier, parent: QWidget | None = None, *,
                 attached: MemberRef | None = None, initial_text: str = "", for_sale: bool = True) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._for_sale = for_sale
        self.setWindowTitle(tr("Pilih anggota / pelanggan (F7)"))
        self.attached_label = QLabel(
            tr("Terpasang: {name} ({member_no})", name=attached.name, member_no=attached.member_no)
            if attached else tr("Transaksi ini belum memakai anggota."))
        self.search_input = NavigableLineEdit()
        self.search_input.setPlaceholderText(tr("Ketik nama atau nomor anggota"))
        self.search_input.setStyleSheet("font-size:20px; padding:4px;")
        self.members_model: ListTableModel[Member] = ListTableModel(member_columns(viewer.role), self)
        self.members_view = QTableView()
        self.members_view.setModel(self.members_model)
        configure_list_view(self.members_view)
        header = self.members_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.messages = MessageBar()
        self.pick_button = action_button(tr("Pasang (Enter)"))
        self.clear_button = action_button(tr("Tanpa anggota"))
        self.clear_button.setEnabled(attached is not None)
        self.close_button = action_button(tr("Tutup (Esc)"))

        self.search_input.textChanged.connect(self.search)
        self.search_input.navigate.connect(self._move)
        self.search_input.returnPressed.connect(self.pick_current)
        self.members_view.doubleClicked.connect(self.pick_current)
        self.pick_button.clicked.connect(self.pick_current)
        self.clear_button.clicked.connect(self.clear_member)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.attached_label)
        layout.addWidget(self.search_input)
        layout.addWidget(self.members_view, 1)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        for button in (self.close_button, self.clear_button, self.pick_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.resize(820, 480)
        self.search_input.setText(initial_text)
        if not initial_text:
            self.search("")
        self.search_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    @guarded
    def search(self, text: str) -> None:
        self.messages.clear_message()
        found = search_members(self._ctx, text)
        self.members_model.set_rows(found)
        if found:
            select_row(self.members_view, 0)
        elif text.strip():
            self.messages.show_warning(tr("Tidak ada anggota yang cocok dengan '{text}'.", text=text.strip()))

    @guarded
    def _move(self, step: int) -> None:
        move_selection(self.members_view, step)

    def selected_member(self) -> Member | None:
        row = selected_row(self.members_view)
        return self.members_model.row_at(row) if row >= 0 else None

    @guarded
    def pick_current(self) -> None:
        member = self.selected_member()
        if member is None:
            self.messages.show_warning(tr("Belum ada anggota yang dipilih. Ketik nama atau nomornya dulu."))
            return
        if self._for_sale:
            member = member_for_sale(self._ctx, member.member_no)  # only an aktif member buys as one
        self.accept()
        self.member_chosen.emit(member)

    @guarded
    def clear_member(self) -> None:
        self.accept()
        self.member_cleared.emit()
