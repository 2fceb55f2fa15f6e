"""Starting the till application: the QApplication, the first-run wizard, the language, the login, the main window."""

from __future__ import annotations

import contextlib
import sys
from importlib import resources
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog

from kkmp_pos.i18n import set_language
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier, has_outlet
from kkmp_pos.services.recovery import startup_check
from kkmp_pos.services.settings import load_settings
from kkmp_pos.ui.first_run_wizard import FirstRunWizard
from kkmp_pos.ui.login_dialog import LoginDialog
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.messages import log
from kkmp_pos.ui.recovery_dialog import RecoveryDialog
from kkmp_pos.ui.tasks import TaskManager

READY_POLL_MS = 5


def _application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv[:1])
    app.setApplicationName("KKMP POS")
    app.setOrganizationName("KKMP")
    app.setDesktopFileName("kkmp-pos")  # Wayland matches the window to packaging/linux/kkmp-pos.desktop
    app.setWindowIcon(QIcon(str(resources.files("kkmp_pos.resources").joinpath("icons", "kkmp-pos.png"))))
    return app


class TillLauncher(QObject):
    """The login dialog first; the till window once someone has logged in (closing the login quits)."""

    def __init__(self, ctx: PosContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.login = LoginDialog(ctx)
        self.window: MainWindow | None = None
        self.login.logged_in.connect(self._start_till)
        self.login.accepted.connect(self._focus_till)
        self.login.rejected.connect(self._login_closed)

    def show(self) -> None:
        self.login.show()
        self.login.activateWindow()
        self.login.pin_input.setFocus()

    def _start_till(self, user: Cashier) -> None:
        # Shown while the login dialog is still up, so the application never has no window at all.
        self.window = MainWindow(self._ctx, user)
        self.window.showMaximized()
        self.window.activateWindow()
        self.window.till.focus_scan()

    def _focus_till(self) -> None:
        # Once the login has gone, the keyboard belongs to the till's scan field.
        if self.window is not None:
            self.window.activateWindow()
            self.window.till.focus_scan()
            self.window.till.ensure_shift()  # no open shift: counting the float comes before selling

    def _login_closed(self) -> None:
        app = QApplication.instance()
        if self.window is None and app is not None:
            app.exit(0)

    def show_exception(self, exc: BaseException) -> None:
        if self.window is not None:
            self.window.till.show_exception(exc)
        else:
            self.login.show_exception(exc)

    def close(self) -> None:
        self.login.rejected.disconnect(self._login_closed)  # closing now is not the user quitting
        if self.window is not None:
            self.window.close()
        self.login.close_for_shutdown()


def recover_if_damaged(data_dir: Path) -> bool:
    """The start-up quick_check, before anything opens the database; when it fails, the recovery dialog.

    Returns True when the database may be opened (healthy, new, or just restored from a backup).
    """
    check = startup_check(data_dir)
    if check.ok:
        return True
    log.error("Start-up check failed for %s: %s", check.path, check.result)
    _application()
    tasks = TaskManager()
    dialog = RecoveryDialog(data_dir, check, tasks)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        tasks.shutdown()
        dialog.deleteLater()


def run_first_run(ctx: PosContext) -> bool:
    """The first-run wizard on an empty data directory; True when an outlet exists afterwards (go on to login)."""
    _application()
    set_language(load_settings(ctx).language)
    wizard = FirstRunWizard(ctx)
    try:
        wizard.exec()
    finally:
        wizard.deleteLater()
    # Closed after the outlet was saved (the city link failing, say) is still a finished set-up.
    return has_outlet(ctx)


def run_app(ctx: PosContext, *, quit_when_ready: bool = False) -> int:
    """Show the login, then the till, and run the event loop; returns the exit code.

    With `quit_when_ready`, exits with 0 as soon as the login dialog is shown with the PIN field focused
    (how cold start is measured).
    """
    app = _application()
    set_language(load_settings(ctx).language)
    launcher = TillLauncher(ctx)

    def report_uncaught(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        # Last line of defence: a bug outside a guarded slot is logged and shown, never silent.
        log.error("Uncaught exception", exc_info=(exc_type, exc, tb))
        with contextlib.suppress(Exception):  # the window may be gone; the log has it
            launcher.show_exception(exc)

    ready_timer = QTimer(launcher)
    if quit_when_ready:
        ready_timer.setInterval(READY_POLL_MS)

        def quit_if_ready() -> None:
            if launcher.login.is_ready():
                ready_timer.stop()
                app.exit(0)

        ready_timer.timeout.connect(quit_if_ready)
        ready_timer.start()

    previous_hook = sys.excepthook
    sys.excepthook = report_uncaught
    try:
        launcher.show()
        code = app.exec()
    finally:
        sys.excepthook = previous_hook
        ready_timer.stop()
        launcher.close()
    return code
