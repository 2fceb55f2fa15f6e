"""Who is at the till: the lock screen (on request or after idle time), switching user, role-gated screens."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMainWindow, QMenu, QWidget

from kkmp_pos.domain.roles import Role, can_sell
from kkmp_pos.i18n import tr
from kkmp_pos.services.audit import can_view_audit, check_viewer
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.settings import load_settings
from kkmp_pos.services.users import check_admin
from kkmp_pos.ui.audit_dialog import AuditDialog
from kkmp_pos.ui.login_dialog import LoginDialog
from kkmp_pos.ui.messages import guarded
from kkmp_pos.ui.till import TillWidget
from kkmp_pos.ui.users_dialog import UsersDialog

IDLE_CHECK_MS = 10_000
MINUTE_MS = 60_000
SWITCH_USER_KEY = "Ctrl+L"
_INPUT_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel,
                           QEvent.Type.TouchBegin})


class IdleWatch(QObject):
    """Time since the last key press, click, wheel turn or touch anywhere in the application."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._since = QElapsedTimer()
        self._since.start()
        self._app = QCoreApplication.instance()
        if self._app is not None:
            self._app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() in _INPUT_EVENTS:
            self._since.restart()
        return False

    def idle_ms(self) -> int:
        return self._since.elapsed()

    def stop(self) -> None:
        if self._app is not None:
            self._app.removeEventFilter(self)
            self._app = None


class SessionControl(QObject):
    """Owns the logged-in user of a main window, its lock screen and the menu actions that depend on role."""

    user_changed = Signal(object)
    """The Cashier now at the till, after a switch of user."""

    def __init__(self, ctx: PosContext, window: QMainWindow, till: TillWidget, user: Cashier) -> None:
        super().__init__(window)
        self._ctx = ctx
        self._window = window
        self._till = till
        self.user = user
        self.lock_dialog: LoginDialog | None = None
        self.idle = IdleWatch(self)
        self._idle_timer = QTimer(self)
        self._idle_timer.setInterval(IDLE_CHECK_MS)
        self._idle_timer.timeout.connect(lambda: self.lock_if_idle(self.idle.idle_ms()))
        self._idle_timer.start()

        self.switch_action = QAction(tr("Ganti pengguna / kunci kasir"), window)
        self.switch_action.setShortcut(QKeySequence(SWITCH_USER_KEY))
        self.switch_action.triggered.connect(lambda *_args: self.lock())
        self.drawer_action = QAction(tr("Buka laci tanpa transaksi"), window)
        self.drawer_action.triggered.connect(lambda *_args: self._till.open_drawer_without_sale())
        self.audit_action = QAction(tr("Audit persetujuan dan login…"), window)
        self.audit_action.triggered.connect(lambda *_args: self.open_audit())
        self.users_action = QAction(tr("Pengguna…"), window)
        self.users_action.triggered.connect(lambda *_args: self.open_users())
        self._apply_role()

    def add_menu_actions(self, menu: QMenu) -> None:
        menu.addAction(self.drawer_action)
        menu.addAction(self.audit_action)
        menu.addAction(self.users_action)
        menu.addSeparator()
        menu.addAction(self.switch_action)

    def _apply_role(self) -> None:
        role = self.user.role
        self.drawer_action.setEnabled(can_sell(role))
        self.audit_action.setEnabled(can_view_audit(role))
        self.users_action.setEnabled(role == Role.ADMIN)

    def show_exception(self, exc: BaseException) -> None:
        self._till.show_exception(exc)

    # -- locking ----------------------------------------------------------------------------------------------

    def is_locked(self) -> bool:
        return self.lock_dialog is not None

    def lock(self, note: str = "") -> LoginDialog:
        """Close whatever is open over the till (nothing is lost: no dialog holds a recorded fact) and ask a PIN."""
        if self.lock_dialog is not None:
            return self.lock_dialog
        self._close_dialogs()
        dialog = LoginDialog(self._ctx, self._window, locked=True, preselect=self.user.username,
                             note=note or tr("Kasir dikunci. Ketik PIN untuk melanjutkan, atau pilih pengguna "
                                             "lain."))
        dialog.logged_in.connect(self._unlocked)
        dialog.finished.connect(lambda _result, closed=dialog: self._lock_closed(closed))
        self.lock_dialog = dialog
        dialog.open()
        return dialog

    def lock_if_idle(self, idle_ms: int) -> bool:
        """Lock when nobody has touched the till for the configured time; returns whether it locked now."""
        if self.lock_dialog is not None or idle_ms < MINUTE_MS:
            return False
        minutes = load_settings(self._ctx).idle_lock_minutes  # read late: a change applies at once
        if minutes <= 0 or idle_ms < minutes * MINUTE_MS:
            return False
        self.lock(tr("Kasir dikunci setelah {minutes} menit tidak dipakai. Ketik PIN untuk melanjutkan.",
                     minutes=minutes))
        return True

    def _close_dialogs(self) -> None:
        open_dialogs = [d for d in self._window.findChildren(QDialog) if d.isVisible()]
        # Innermost first: an approval asked from within the payment dialog closes before the payment.
        for dialog in sorted(open_dialogs, key=_depth, reverse=True):
            dialog.reject()

    def _unlocked(self, user: Cashier) -> None:
        changed = user.id != self.user.id
        self.user = user
        if changed:
            self._till.set_cashier(user)
            self._apply_role()
            self.user_changed.emit(user)
        self._till.messages.show_info(tr("Masuk sebagai {name}.", name=user.full_name))

    def _lock_closed(self, dialog: LoginDialog) -> None:
        if self.lock_dialog is dialog:
            self.lock_dialog = None
        dialog.deleteLater()
        self._window.activateWindow()
        self._till.focus_scan()

    # -- screens by role ------------------------------------------------------------------------------------

    @guarded
    def open_audit(self) -> None:
        check_viewer(self._ctx, self.user.id)
        self._till.open_dialog(AuditDialog(self._ctx, self.user, self._till))

    @guarded
    def open_users(self) -> None:
        check_admin(self._ctx, self.user.id)
        self._till.open_dialog(UsersDialog(self._ctx, self.user, self._till))

    def shutdown(self) -> None:
        """The window is closing: stop watching, let a lock screen go."""
        self._idle_timer.stop()
        self.idle.stop()
        if self.lock_dialog is not None:
            self.lock_dialog.close_for_shutdown()


def _depth(widget: QWidget) -> int:
    depth = 0
    parent = widget.parentWidget()
    while parent is not None:
        depth += 1
        parent = parent.parentWidget()
    return depth
