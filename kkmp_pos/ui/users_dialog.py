"""The users screen (admin only): the staff list, adding a user, deactivating one, giving a new PIN."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.clock import format_wita
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.roles import ROLE_LABELS, Role
from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.users import UserEntry, create_user, list_users, reset_pin, set_active
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.login_dialog import make_pin_input
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import action_button, configure_list_view, select_row, selected_row


def user_columns() -> list[Column[UserEntry]]:
    return [
        Column(tr("Nama pengguna"), lambda u: u.username),
        Column(tr("Nama lengkap"), lambda u: u.full_name),
        Column(tr("Peran"), lambda u: tr(ROLE_LABELS[Role(u.role)])),
        Column(tr("Status"), lambda u: tr("Aktif") if u.active else tr("Nonaktif")),
        Column(tr("PIN"), lambda u: tr("Ada") if u.has_pin else tr("Belum ada")),
        Column(tr("Salah PIN"), lambda u: str(u.failed_pins) if u.failed_pins else "", right=True),
        Column(tr("Terkunci sampai"), lambda u: format_wita(u.locked_until, seconds=True) if u.locked_until else ""),
    ]


class UsersDialog(QDialog):
    """Each action is one service call; a refusal is explained and the typed values stay (PINs are cleared)."""

    def __init__(self, ctx: PosContext, admin: Cashier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._admin = admin
        self.setWindowTitle(tr("Pengguna"))

        self.users_model: ListTableModel[UserEntry] = ListTableModel(user_columns(), self)
        self.users_view = QTableView()
        self.users_view.setModel(self.users_model)
        configure_list_view(self.users_view)
        self.users_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.users_view.horizontalHeader().setStretchLastSection(True)
        self.toggle_button = action_button(tr("Nonaktifkan / aktifkan"))
        self.reset_pin_input = make_pin_input(tr("PIN baru"))
        self.reset_pin_again_input = make_pin_input(tr("ulangi PIN baru"))
        self.reset_button = action_button(tr("Atur ulang PIN"))

        self.username_input = QLineEdit()
        self.username_input.setMaxLength(40)
        self.username_input.setPlaceholderText(tr("contoh: siti.r"))
        self.full_name_input = QLineEdit()
        self.full_name_input.setMaxLength(120)
        self.role_combo = QComboBox()
        for role in Role:
            self.role_combo.addItem(tr(ROLE_LABELS[role]), role.value)
        self.new_pin_input = make_pin_input(tr("PIN (4–6 angka)"))
        self.new_pin_again_input = make_pin_input(tr("ulangi PIN"))
        self.add_button = action_button(tr("Tambah pengguna"))
        self.messages = MessageBar()
        self.close_button = action_button(tr("Tutup (Esc)"))

        self.toggle_button.clicked.connect(self.toggle_selected)
        self.reset_button.clicked.connect(self.reset_selected_pin)
        self.reset_pin_again_input.returnPressed.connect(self.reset_selected_pin)
        self.add_button.clicked.connect(self.add_user)
        self.new_pin_again_input.returnPressed.connect(self.add_user)
        self.close_button.clicked.connect(self.reject)

        selected_box = QGroupBox(tr("Pengguna terpilih"))
        selected_form = QFormLayout(selected_box)
        selected_form.addRow(self.toggle_button)
        selected_form.addRow(tr("PIN baru"), self.reset_pin_input)
        selected_form.addRow(tr("Ulangi PIN"), self.reset_pin_again_input)
        selected_form.addRow(self.reset_button)
        new_box = QGroupBox(tr("Pengguna baru"))
        new_form = QFormLayout(new_box)
        new_form.addRow(tr("Nama pengguna"), self.username_input)
        new_form.addRow(tr("Nama lengkap"), self.full_name_input)
        new_form.addRow(tr("Peran"), self.role_combo)
        new_form.addRow(tr("PIN"), self.new_pin_input)
        new_form.addRow(tr("Ulangi PIN"), self.new_pin_again_input)
        new_form.addRow(self.add_button)
        side = QVBoxLayout()
        side.addWidget(selected_box)
        side.addWidget(new_box)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.users_view, 3)
        body.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.resize(1100, 560)
        self.refresh()
        self.username_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    @guarded
    def refresh(self, select_id: str | None = None) -> None:
        users = list_users(self._ctx, admin_id=self._admin.id)
        self.users_model.set_rows(users)
        row = next((i for i, user in enumerate(users) if user.id == select_id), 0 if users else -1)
        if row >= 0:
            select_row(self.users_view, row)

    def selected_user(self) -> UserEntry:
        row = selected_row(self.users_view)
        if row < 0:
            raise InvalidInput("Pilih dulu pengguna di daftar.")
        return self.users_model.row_at(row)

    @guarded
    def add_user(self) -> None:
        pin, again = self.new_pin_input.text(), self.new_pin_again_input.text()
        self.new_pin_input.clear()
        self.new_pin_again_input.clear()
        user = create_user(self._ctx, admin_id=self._admin.id, username=self.username_input.text(),
                           full_name=self.full_name_input.text(), role=str(self.role_combo.currentData()),
                           pin=pin, pin_again=again)
        self.username_input.clear()
        self.full_name_input.clear()
        self.refresh(user.id)
        self.messages.show_success(tr("Pengguna {username} ({name}) ditambahkan.", username=user.username,
                                      name=user.full_name))

    @guarded
    def toggle_selected(self) -> None:
        user = set_active(self._ctx, admin_id=self._admin.id, user_id=self.selected_user().id,
                          active=not self.selected_user().active)
        self.refresh(user.id)
        if user.active:
            self.messages.show_success(tr("{name} aktif lagi dan dapat masuk.", name=user.full_name))
        else:
            self.messages.show_success(tr("{name} dinonaktifkan: tidak dapat masuk atau menyetujui lagi.",
                                          name=user.full_name))

    @guarded
    def reset_selected_pin(self) -> None:
        pin, again = self.reset_pin_input.text(), self.reset_pin_again_input.text()
        self.reset_pin_input.clear()
        self.reset_pin_again_input.clear()
        user = reset_pin(self._ctx, admin_id=self._admin.id, user_id=self.selected_user().id, pin=pin,
                         pin_again=again)
        self.refresh(user.id)
        self.messages.show_success(tr("PIN {name} sudah diganti; kunci karena salah PIN dibuka.",
                                      name=user.full_name))
