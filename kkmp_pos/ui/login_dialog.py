"""Logging in: pick your name, type your PIN, Enter; at start-up and as the lock screen over the till."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.roles import ROLE_LABELS, Role
from kkmp_pos.i18n import tr
from kkmp_pos.services.auth import last_login_username, login, login_choices
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier, outlet_info
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import NavigableLineEdit, action_button


def make_pin_input(placeholder: str) -> NavigableLineEdit:
    """A masked field that takes up to 6 digits; Up/Down are passed on to choose the person."""
    field = NavigableLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(6)
    field.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9]{0,6}"), field))
    field.setPlaceholderText(placeholder)
    field.setStyleSheet("font-size:22px; padding:4px;")
    return field


def person_text(user: Cashier) -> str:
    """`Budi Santoso (Manajer / Ketua)`: how a person is listed wherever someone picks one."""
    return f"{user.full_name} ({tr(ROLE_LABELS[Role(user.role)])})"


def move_combo(combo: QComboBox, step: int) -> None:
    if combo.count():
        combo.setCurrentIndex(max(0, min(combo.count() - 1, combo.currentIndex() + step)))


class LoginDialog(QDialog):
    """Only a PIN gets past it: Esc does nothing (a slip must not close the till); at start-up the Keluar button
    quits the application, and as a lock screen (`locked=True`) there is no way out but a PIN."""

    logged_in = Signal(object)
    """The Cashier who logged in; emitted before the dialog closes, so the till is shown first."""

    def __init__(self, ctx: PosContext, parent: QWidget | None = None, *, locked: bool = False,
                 preselect: str | None = None, note: str = "") -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._locked = locked
        self.user: Cashier | None = None
        outlet = outlet_info(ctx)
        self.setWindowTitle(tr("Masuk — {gerai}", gerai=outlet.gerai_name))

        heading = QLabel(f"{outlet.koperasi_name} · {outlet.gerai_name}")
        heading.setStyleSheet("font-size:18px; font-weight:bold;")
        self.user_combo = QComboBox()
        for user in login_choices(ctx):
            self.user_combo.addItem(person_text(user), user.username)
        chosen = preselect or last_login_username(ctx)
        if chosen is not None:
            self.user_combo.setCurrentIndex(max(0, self.user_combo.findData(chosen)))
        self.pin_input = make_pin_input(tr("PIN (4–6 angka)"))
        self.messages = MessageBar()
        if note:
            self.messages.show_info(note)
        if self.user_combo.count() == 0:
            self.messages.show_warning(tr("Belum ada pengguna yang punya PIN. Jalankan penyiapan gerai, atau "
                                          "buka gerai demo dengan kkmp-pos --demo."))
        self.login_button = action_button(tr("Masuk (Enter)"))
        self.quit_button = action_button(tr("Keluar aplikasi"))
        self.quit_button.setVisible(not locked)

        self.pin_input.returnPressed.connect(self.submit)
        self.pin_input.navigate.connect(lambda step: move_combo(self.user_combo, step))
        self.user_combo.activated.connect(lambda _index: self.pin_input.setFocus())
        self.login_button.clicked.connect(self.submit)
        self.quit_button.clicked.connect(self.quit_application)

        form = QFormLayout()
        form.addRow(tr("Nama"), self.user_combo)
        form.addRow(tr("PIN"), self.pin_input)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.quit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.login_button)
        layout.addLayout(buttons)
        self.setMinimumWidth(460)
        self.pin_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)
        self.pin_input.setFocus()

    def select_user(self, username: str) -> None:
        self.user_combo.setCurrentIndex(max(0, self.user_combo.findData(username)))

    def reject(self) -> None:
        """Esc and the window's close button: ignored (a lock screen that Esc could close would lock nothing)."""

    def quit_application(self) -> None:
        """The Keluar button at start-up: the dialog is rejected, which ends the application."""
        if not self._locked:
            super().reject()

    def close_for_shutdown(self) -> None:
        """The application is closing: go, even as a lock screen."""
        self.done(QDialog.DialogCode.Rejected)

    def is_ready(self) -> bool:
        """Shown, on screen, and keystrokes go to the PIN field."""
        handle = self.windowHandle()
        return (self.isVisible() and handle is not None and handle.isExposed()
                and (self.pin_input.hasFocus() or self.focusWidget() is self.pin_input))

    @guarded
    def submit(self) -> None:
        username = self.user_combo.currentData()
        pin = self.pin_input.text()
        self.pin_input.clear()  # right or wrong, a PIN never stays on screen
        if username is None:
            raise InvalidInput("Pilih nama pengguna dulu.")
        self.user = login(self._ctx, str(username), pin)
        self.logged_in.emit(self.user)
        self.done(QDialog.DialogCode.Accepted)
