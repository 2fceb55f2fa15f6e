"""Scan to painted cart row, offscreen: the real till window against a bare QTableView."""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

# Before Qt loads: unless told otherwise the bench draws offscreen, and the offscreen plugin's chatter is noise.
if not os.environ.get("QT_QPA_PLATFORM"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler  # noqa: E402
from PySide6.QtGui import QStandardItem, QStandardItemModel  # noqa: E402
from PySide6.QtWidgets import QApplication, QTableView  # noqa: E402

from kkmp_pos.bench.core import BenchStore  # noqa: E402
from kkmp_pos.bench.metric import SCAN_GOAL, Metric, median, percentile  # noqa: E402
from kkmp_pos.domain.money import format_rupiah  # noqa: E402
from kkmp_pos.services.outlet import default_cashier  # noqa: E402
from kkmp_pos.ui.main_window import MainWindow  # noqa: E402

LINES_PER_CUSTOMER = 25
"""The cart is emptied after this many scans, like a long but ordinary gerai sale."""
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints()"
"""The offscreen plugin says this whenever a shown window's minimum size changes: the platform, not us."""


def application() -> QApplication:
    """The running QApplication, or a new one (the bench may run inside pytest-qt's)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    return QApplication(["kkmp-pos-bench"])


@contextmanager
def _quiet_offscreen_plugin() -> Iterator[None]:
    """Drop the offscreen plugin's one known complaint; every other Qt message goes on as before."""
    previous: object = None

    def handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if message == OFFSCREEN_NOISE:
            return
        if callable(previous):
            previous(mode, context, message)
        else:
            sys.stderr.write(message + "\n")

    previous = qInstallMessageHandler(handler)
    try:
        yield
    finally:
        qInstallMessageHandler(previous if callable(previous) else None)  # type: ignore[arg-type]


def _settle(app: QApplication) -> None:
    """Deliver posted events (deferred layouts, update requests) the way the event loop would."""
    app.processEvents()


def _scan_phase(app: QApplication, store: BenchStore, codes: list[str]) -> list[float]:
    """The real till: submit_scan, let the event loop lay out and paint, repaint the cart to be sure."""
    window = MainWindow(store.ctx, default_cashier(store.ctx))  # the bench times scans, not the PIN
    window.show()
    till = window.till
    timings: list[float] = []
    try:
        _settle(app)
        for number, code in enumerate(codes):
            if number % LINES_PER_CUSTOMER == 0:
                till.cart_model.clear()
                _settle(app)
            started = time.perf_counter_ns()
            till.submit_scan(code)
            _settle(app)
            till.cart_view.viewport().repaint()
            timings.append((time.perf_counter_ns() - started) / 1e6)
            if till.cart_model.rowCount() == 0:
                raise RuntimeError(f"scanning {code} added nothing to the cart")
    finally:
        till.cart_model.clear()
        window.close()  # waits for the till's background tasks
        window.deleteLater()
        _settle(app)
    return timings


def _floor_phase(app: QApplication, count: int) -> list[float]:
    """The floor: a bare QTableView on a QStandardItemModel, a 4-cell row appended and painted the same way."""
    model = QStandardItemModel(0, 4)
    view = QTableView()
    view.setModel(model)
    view.resize(800, 600)
    view.show()
    timings: list[float] = []
    try:
        _settle(app)
        for number in range(count):
            if number % LINES_PER_CUSTOMER == 0:
                model.removeRows(0, model.rowCount())
                _settle(app)
            price = format_rupiah(1_000 + number)
            started = time.perf_counter_ns()
            model.appendRow([QStandardItem(f"Produk {number}"), QStandardItem("1 pcs"), QStandardItem(price),
                             QStandardItem(price)])
            view.scrollToBottom()
            _settle(app)
            view.viewport().repaint()
            timings.append((time.perf_counter_ns() - started) / 1e6)
    finally:
        view.close()
        view.deleteLater()
        _settle(app)
    return timings


def bench_scan_to_paint(store: BenchStore, scans: int, seed: int = 4) -> Metric:
    """p99 from submit_scan(barcode) until the window has painted, against appending a row to a bare view.

    The two run one after the other, each window alone on screen, so neither pays for the other's paints.
    """
    app = application()
    rng = random.Random(seed)
    codes = [rng.choice(store.catalog.barcodes) for _ in range(scans)]
    with _quiet_offscreen_plugin():
        ours = _scan_phase(app, store, codes)
        floor = _floor_phase(app, scans)
    return Metric(
        name="scan_to_paint_p99", label="Scan -> cart row painted p99", unit="ms",
        value=percentile(ours, 99), floor=percentile(floor, 99), goal=SCAN_GOAL, samples=len(codes),
        note=f"offscreen; median {median(ours):.2f} ms vs {median(floor):.2f} ms; "
             "floor = append to a bare QStandardItemModel + repaint",
    )
