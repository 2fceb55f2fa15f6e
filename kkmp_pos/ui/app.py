"""Starting the till application: the QApplication, the language from settings, the main window."""

from __future__ import annotations

import contextlib
import sys
from types import TracebackType

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from kkmp_pos.i18n import set_language
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.settings import load_settings
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.messages import log

READY_POLL_MS = 5


def _application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv[:1])
    app.setApplicationName("KKMP POS")
    app.setOrganizationName("KKMP")
    return app


def run_app(ctx: PosContext, *, quit_when_ready: bool = False) -> int:
    """Show the till and run the event loop; returns the exit code.

    With `quit_when_ready`, exits with 0 as soon as the till is shown with the scan field focused
    (how cold start is measured).
    """
    app = _application()
    set_language(load_settings(ctx).language)
    window = MainWindow(ctx)

    def report_uncaught(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        # Last line of defence: a bug outside a guarded slot is logged and shown, never silent.
        log.error("Uncaught exception", exc_info=(exc_type, exc, tb))
        with contextlib.suppress(Exception):  # the window may be gone; the log has it
            window.till.show_exception(exc)

    ready_timer = QTimer(window)
    if quit_when_ready:
        ready_timer.setInterval(READY_POLL_MS)

        def quit_if_ready() -> None:
            if window.is_ready():
                ready_timer.stop()
                app.exit(0)

        ready_timer.timeout.connect(quit_if_ready)
        ready_timer.start()

    previous_hook = sys.excepthook
    sys.excepthook = report_uncaught
    try:
        window.showMaximized()
        window.activateWindow()
        window.till.focus_scan()
        code = app.exec()
    finally:
        sys.excepthook = previous_hook
        ready_timer.stop()
        window.close()
    return code
