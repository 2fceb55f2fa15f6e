"""Telling the cashier what happened: a non-blocking message area, error texts, and guarded slots."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from enum import Enum
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from kkmp_pos.domain.errors import PosError
from kkmp_pos.i18n import tr

log = logging.getLogger("kkmp_pos.ui")


class Level(Enum):
    """How a message looks; an expected problem is a warning, a bug is an error."""

    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


_STYLES = {
    Level.INFO: "background:#eef3f8; color:#1d3557;",
    Level.SUCCESS: "background:#e6f4ea; color:#135c2b;",
    Level.WARNING: "background:#fff4d6; color:#6b4500;",
    Level.ERROR: "background:#fde7e7; color:#8a1111;",
}


def error_text(exc: BaseException) -> str:
    """The text to show for `exc`: a PosError's own message; anything else is logged as the bug it is."""
    if isinstance(exc, PosError):
        return str(exc)
    log.error("Unexpected error in the till", exc_info=(type(exc), exc, exc.__traceback__))
    return tr("Terjadi kesalahan tak terduga ({error}). Transaksi yang belum selesai tidak disimpan. "
              "Catat pesan ini dan hubungi pengelola.", error=f"{type(exc).__name__}: {exc}")


def level_of(exc: BaseException) -> Level:
    return Level.WARNING if isinstance(exc, PosError) else Level.ERROR


class MessageBar(QLabel):
    """One line (or a few) of feedback inside the window: never a modal box the cashier must dismiss."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setMinimumHeight(36)
        self.level: Level | None = None
        self._styled: Level | None | bool = False  # False: no style applied yet
        self.clear_message()

    def _style(self, level: Level | None) -> None:
        # Restyling re-polishes the widget (~1 ms): only when the level changes, never on every scan.
        if self._styled is level:
            return
        self._styled = level
        colours = _STYLES[level] if level is not None else ""
        self.setStyleSheet(f"QLabel {{ {colours} padding:6px; border-radius:4px; font-size:15px; }}")

    def show_message(self, text: str, level: Level = Level.INFO) -> None:
        self.level = level
        self.setText(text)
        self._style(level)

    def show_info(self, text: str) -> None:
        self.show_message(text, Level.INFO)

    def show_success(self, text: str) -> None:
        self.show_message(text, Level.SUCCESS)

    def show_warning(self, text: str) -> None:
        self.show_message(text, Level.WARNING)

    def show_exception(self, exc: BaseException) -> None:
        self.show_message(error_text(exc), level_of(exc))

    def clear_message(self) -> None:
        self.level = None
        self.setText("")
        self._style(None)


class ShowsErrors(Protocol):
    def show_exception(self, exc: BaseException) -> None: ...


S = TypeVar("S", bound=ShowsErrors)
P = ParamSpec("P")
R = TypeVar("R")


def guarded(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R | None]:
    """Wrap a slot so no exception escapes into Qt: it is shown by `self.show_exception` instead.

    Qt passes signal arguments the slot may not declare (`clicked` sends `checked`), so only as many
    positional arguments as the method takes are forwarded.
    """
    code = method.__code__
    takes_varargs = bool(code.co_flags & 0x04)
    positional = code.co_argcount - 1  # without self

    @functools.wraps(method)
    def wrapper(self: S, *args: P.args, **kwargs: P.kwargs) -> R | None:
        forwarded = args if takes_varargs else args[:positional]
        try:
            return method(self, *forwarded, **kwargs)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - a slot must never let an exception through
            try:
                self.show_exception(exc)
            except Exception:  # noqa: BLE001 - showing failed too: at least keep the traceback
                log.exception("Could not show an error to the cashier")
                log.error("Original error", exc_info=(type(exc), exc, exc.__traceback__))
            return None

    return wrapper
