"""Start-up, the background task manager, and how errors reach the cashier."""

from __future__ import annotations

import logging
import threading

import pytest
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from kkmp_pos.domain.errors import PrinterError
from kkmp_pos.services.context import PosContext
from kkmp_pos.ui.app import run_app
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.messages import Level, guarded
from kkmp_pos.ui.tasks import TaskManager
from tests.ui.helpers import approve, scan


def test_run_app_quits_once_the_till_is_ready(qapp: QApplication, ctx: PosContext) -> None:
    assert run_app(ctx, quit_when_ready=True) == 0
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]


def test_results_come_back_on_the_gui_thread(qtbot: QtBot) -> None:
    tasks = TaskManager()
    seen: list[tuple[str, str]] = []
    tasks.run(lambda: threading.current_thread().name,
              on_done=lambda worker: seen.append((worker, threading.current_thread().name)))
    qtbot.waitUntil(tasks.is_idle)
    assert tasks.wait_for_done(5_000)
    (worker, receiver), = seen
    assert worker != threading.main_thread().name
    assert receiver == threading.main_thread().name


def test_failures_are_delivered_to_on_error(qtbot: QtBot) -> None:
    tasks = TaskManager()
    errors: list[BaseException] = []
    tasks.run(lambda: (_ for _ in ()).throw(PrinterError("Printer mati.")), on_error=errors.append)
    qtbot.waitUntil(tasks.is_idle)
    assert tasks.wait_for_done(5_000)
    assert [str(e) for e in errors] == ["Printer mati."]


def test_expected_error_without_handler_shows_its_message(qtbot: QtBot, window: MainWindow) -> None:
    def fail() -> None:
        raise PrinterError("Kertas printer habis. Isi kertas, lalu cetak ulang.")

    window.tasks.run(fail)
    qtbot.waitUntil(window.tasks.is_idle)
    assert window.till.messages.text() == "Kertas printer habis. Isi kertas, lalu cetak ulang."
    assert window.till.messages.level is Level.WARNING


def test_a_bug_in_a_task_is_logged_with_traceback_and_shown_as_error(
        qtbot: QtBot, window: MainWindow, caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> None:
        raise ZeroDivisionError("division by zero")

    with caplog.at_level(logging.ERROR, logger="kkmp_pos.ui"):
        window.tasks.run(broken)
        qtbot.waitUntil(window.tasks.is_idle)
    assert "ZeroDivisionError" in window.till.messages.text()
    assert window.till.messages.level is Level.ERROR
    record, = [r for r in caplog.records if r.exc_info]
    assert record.exc_info is not None and record.exc_info[0] is ZeroDivisionError
    assert "in broken" in caplog.text  # the traceback reaches the log


class _FailingButton(QPushButton):
    """A widget whose slot has a bug, guarded the way every till slot is."""

    def __init__(self) -> None:
        super().__init__("x")
        self.shown: list[BaseException] = []

    def show_exception(self, exc: BaseException) -> None:
        self.shown.append(exc)

    @guarded
    def on_click(self) -> None:  # `clicked` sends `checked`; the guard does not pass it on
        raise KeyError("tidak ada")


def test_a_bug_in_a_slot_is_shown_not_raised(qtbot: QtBot) -> None:
    button = _FailingButton()
    qtbot.addWidget(button)
    button.clicked.connect(button.on_click)
    button.click()  # pytest-qt fails the test if an exception escapes into Qt
    assert [type(e) for e in button.shown] == [KeyError]


def test_idle_checkpoint_runs_only_between_customers(qtbot: QtBot, window: MainWindow) -> None:
    scan(qtbot, window.till, "8999900000055")
    assert window.idle_checkpoint() is False  # a customer is being served: leave the disk alone
    window.till.new_transaction()
    window.till.new_transaction()  # F9 twice, then a manager's approval, empties a non-empty cart
    approve(qtbot, window.till, reason="Pembeli batal")
    assert window.till.cart_model.cart.is_empty()
    assert window.idle_checkpoint() is True
    qtbot.waitUntil(lambda: window.last_checkpoint is not None)
    result = window.last_checkpoint
    assert result is not None and not result.busy
    assert result.checkpointed_pages == result.wal_pages
