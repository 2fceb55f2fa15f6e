"""The member list: search by number, name or NIK; register, edit, print a card, open a member's simpanan."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.member import kind_label
from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.members import Member, save_member_card, search_members
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.member_form import MemberFormDialog
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.print_jobs import PrintJobs
from kkmp_pos.ui.savings_dialog import SavingsDialog
from kkmp_pos.ui.widgets import (
    NavigableLineEdit,
    action_button,
    configure_list_view,
    move_selection,
    select_row,
    selected_row,
)


def member_columns(viewer_role: str) -> list[Column[Member]]:
    """Members as the viewer may see them: the NIK whole only for a manajer or admin."""
    return [
        Column(tr("Nomor"), lambda m: m.member_no),
        Column(tr("Nama"), lambda m: m.name),
        Column(tr("Jenis"), lambda m: kind_label(m.kind)),
        Column(tr("NIK"), lambda m: m.nik_for(viewer_role)),
        Column(tr("Kelurahan"), lambda m: m.kelurahan_name),
        Column(tr("Status"), lambda m: m.status_text),
    ]


class MembersDialog(QDialog):
    """Type to search; Down/Up choose; Enter edits; Ctrl+N registers; Ctrl+K saves the card; Ctrl+S simpanan."""

    def __init__(self, ctx: PosContext, viewer: Cashier, print_jobs: PrintJobs,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._viewer = viewer
        self._print_jobs = print_jobs
        self.child: QDialog | None = None
        """The form, savings or file dialog open over this one (one at a time)."""
        self.setWindowTitle(tr("Anggota & pelanggan"))

        self.search_input = NavigableLineEdit()
        self.search_input.setPlaceholderText(tr("Cari nomor, nama, atau NIK"))
        self.search_input.setStyleSheet("font-size:18px; padding:4px;")
        self.members_model: ListTableModel[Member] = ListTableModel(member_columns(viewer.role), self)
        self.members_view = QTableView()
        self.members_view.setModel(self.members_model)
        configure_list_view(self.members_view)
        header = self.members_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.count_label = QLabel()
        self.messages = MessageBar()
        self.new_button = action_button(tr("Daftar baru (Ctrl+N)"))
        self.edit_button = action_button(tr("Ubah (Enter)"))
        self.card_button = action_button(tr("Kartu PDF (Ctrl+K)"))
        self.savings_button = action_button(tr("Simpanan (Ctrl+S)"))
        self.close_button = action_button(tr("Tutup (Esc)"))

        self.search_input.textChanged.connect(self.refresh)
        self.search_input.navigate.connect(self._move)
        self.search_input.returnPressed.connect(self.edit_selected)
        self.members_view.doubleClicked.connect(self.edit_selected)
        self.new_button.clicked.connect(self.register_new)
        self.edit_button.clicked.connect(self.edit_selected)
        self.card_button.clicked.connect(self.choose_card_file)
        self.savings_button.clicked.connect(self.open_savings)
        self.close_button.clicked.connect(self.reject)
        for keys, slot in (("Ctrl+N", self.register_new), ("Ctrl+K", self.choose_card_file),
                           ("Ctrl+S", self.open_savings)):
            QShortcut(QKeySequence(keys), self).activated.connect(slot)

        layout = QVBoxLayout(self)
        layout.addWidget(self.search_input)
        layout.addWidget(self.members_view, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        for button in (self.close_button, self.new_button, self.edit_button, self.card_button,
                       self.savings_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.resize(980, 560)
        self.refresh("")
        self.search_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    @guarded
    def refresh(self, text: str | None = None) -> None:
        found = search_members(self._ctx, self.search_input.text() if text is None else text)
        self.members_model.set_rows(found)
        self.count_label.setText(tr("{n} ditemukan", n=len(found)))
        if found:
            select_row(self.members_view, 0)

    @guarded
    def _move(self, step: int) -> None:
        move_selection(self.members_view, step)

    def selected_member(self) -> Member | None:
        row = selected_row(self.members_view)
        return self.members_model.row_at(row) if row >= 0 else None

    def _chosen(self) -> Member | None:
        member = self.selected_member()
        if member is None:
            self.messages.show_warning(tr("Pilih dulu anggota di daftar (ketik nama atau nomornya)."))
        return member

    def _open_child(self, dialog: QDialog) -> None:
        if self.child is not None:
            dialog.deleteLater()
            self.child.raise_()
            return
        self.child = dialog
        dialog.finished.connect(lambda _result, closed=dialog: self._child_finished(closed))
        dialog.open()

    def _child_finished(self, dialog: QDialog) -> None:
        if self.child is dialog:
            self.child = None
        dialog.deleteLater()
        self.search_input.setFocus()

    # -- register, edit --------------------------------------------------------------------------------------

    @guarded
    def register_new(self) -> None:
        form = MemberFormDialog(self._ctx, self._viewer, None, self)
        form.saved.connect(self._saved)
        self._open_child(form)

    @guarded
    def edit_selected(self) -> None:
        member = self._chosen()
        if member is None:
            return
        form = MemberFormDialog(self._ctx, self._viewer, member, self)
        form.saved.connect(self._saved)
        self._open_child(form)

    def _saved(self, member: Member) -> None:
        self.search_input.setText(member.member_no)  # shows the record just saved
        self.messages.show_success(tr("Data {name} ({member_no}) disimpan.", name=member.name,
                                      member_no=member.member_no))

    # -- card and simpanan -----------------------------------------------------------------------------------

    @guarded
    def choose_card_file(self) -> None:
        member = self._chosen()
        if member is None:
            return
        chooser = QFileDialog(self, tr("Simpan kartu {member_no}", member_no=member.member_no),
                              str(Path.home() / f"kartu-{member.member_no.replace('/', '-')}.pdf"),
                              tr("Dokumen PDF (*.pdf)"))
        chooser.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        chooser.setDefaultSuffix("pdf")
        chooser.fileSelected.connect(lambda chosen, picked=member: self.save_card_to(picked, Path(chosen)))
        self._open_child(chooser)

    @guarded
    def save_card_to(self, member: Member, path: Path) -> None:
        saved = save_member_card(self._ctx, member.id, path)
        self.messages.show_success(tr("Kartu {member_no} disimpan: {path}. Cetak pada kertas tebal, ukuran kartu "
                                      "85,6 x 54 mm.", member_no=member.member_no, path=str(saved)))

    @guarded
    def open_savings(self) -> None:
        member = self._chosen()
        if member is None:
            return
        self._open_child(SavingsDialog(self._ctx, self._viewer, self._print_jobs, member, self))
