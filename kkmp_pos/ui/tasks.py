"""The one background task manager: runs a callable on a thread pool, answers on the GUI thread.

Modelled on Anki's TaskManager: the worker only runs the callable; its result or exception travels
back through a queued signal, so callbacks (which may touch widgets) always run on the GUI thread.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

T = TypeVar("T")
OnDone = Callable[[Any], None]
OnError = Callable[[BaseException], None]


class TaskManager(QObject):
    """Owns a private thread pool; `run()` it, never touch widgets from the task itself."""

    # Emitted from worker threads; `self` lives on the GUI thread, so delivery is queued there.
    _succeeded = Signal(int, object)
    _failed = Signal(int, object)

    unhandled_error = Signal(object)
    """An exception of a task that was given no `on_error`: the window shows it."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[OnDone | None, OnError | None]] = {}
        self._succeeded.connect(self._deliver_result)
        self._failed.connect(self._deliver_error)

    def run(self, task: Callable[[], T], on_done: Callable[[T], None] | None = None,
            on_error: OnError | None = None) -> int:
        """Start `task` off the GUI thread; returns an id. Callbacks run later on the GUI thread."""
        task_id = next(self._ids)
        self._callbacks[task_id] = (on_done, on_error)
        self._pool.start(lambda: self._execute(task_id, task))
        return task_id

    def _execute(self, task_id: int, task: Callable[[], Any]) -> None:
        """Runs on a worker thread: nothing here may touch a widget."""
        try:
            result = task()
        except Exception as exc:  # noqa: BLE001 - every failure is carried back to the GUI thread
            self._failed.emit(task_id, exc)
            return
        self._succeeded.emit(task_id, result)

    @Slot(int, object)
    def _deliver_result(self, task_id: int, result: object) -> None:
        on_done, _on_error = self._callbacks.pop(task_id, (None, None))
        if on_done is None:
            return
        try:
            on_done(result)
        except Exception as exc:  # noqa: BLE001 - a failing callback is a bug: report it, don't crash
            self.unhandled_error.emit(exc)

    @Slot(int, object)
    def _deliver_error(self, task_id: int, exc: BaseException) -> None:
        _on_done, on_error = self._callbacks.pop(task_id, (None, None))
        if on_error is None:
            self.unhandled_error.emit(exc)
            return
        try:
            on_error(exc)
        except Exception as callback_exc:  # noqa: BLE001 - a failing callback is a bug: report it
            self.unhandled_error.emit(callback_exc)

    def is_idle(self) -> bool:
        """True when no task is running and every answer has been delivered."""
        return not self._callbacks

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Block until the workers have finished (answers may still be queued for the event loop)."""
        return self._pool.waitForDone(msecs)

    def shutdown(self, msecs: int = 10_000) -> None:
        """On close: let started and queued tasks (a receipt being printed) finish; drop their answers."""
        self._pool.waitForDone(msecs)
        self._callbacks.clear()
