"""Cold start: a fresh `python -m kkmp_pos --ready-probe` process against a bare Qt widget process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from kkmp_pos.bench.metric import COLD_START_GOAL, Metric, median, unavailable

PROBE_TIMEOUT = 120.0

BARE_QT_APP = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

app = QApplication(sys.argv[:1])
window = QWidget()
window.resize(1200, 760)
window.show()

def quit_if_ready():
    handle = window.windowHandle()
    if window.isVisible() and handle is not None and handle.isExposed():
        app.exit(0)

timer = QTimer()
timer.setInterval(5)
timer.timeout.connect(quit_if_ready)
timer.start()
sys.exit(app.exec())
"""
"""The floor: import Qt Widgets, show one window and quit the way --ready-probe does (poll every 5 ms)."""


def _offscreen_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
    return env


def _timed_run(command: list[str]) -> tuple[float, str | None]:
    """Wall time of one process, and what went wrong if it did not exit 0."""
    started = time.perf_counter()
    result = subprocess.run(command, env=_offscreen_env(), capture_output=True, timeout=PROBE_TIMEOUT)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        return elapsed, f"exit {result.returncode}: {' | '.join(tail)}"
    return elapsed, None


def bench_cold_start(data_dir: Path, runs: int) -> Metric:
    """Median wall time to a usable till (scan field focused) over `runs` starts, beside the bare Qt start."""
    till = [sys.executable, "-m", "kkmp_pos", "--data-dir", str(data_dir), "--ready-probe"]
    bare = [sys.executable, "-c", BARE_QT_APP]
    label = "Cold start to usable till (median)"
    # One untimed start each: the first run pays for reading files into the OS cache and writing bytecode.
    for command in (till, bare):
        _, problem = _timed_run(command)
        if problem:
            return unavailable("cold_start_median", label, "s", f"{command[2:4]}: {problem}", COLD_START_GOAL)
    ours: list[float] = []
    floor: list[float] = []
    for _ in range(runs):
        for command, timings in ((till, ours), (bare, floor)):
            elapsed, problem = _timed_run(command)
            if problem:
                return unavailable("cold_start_median", label, "s", problem, COLD_START_GOAL)
            timings.append(elapsed)
    return Metric(
        name="cold_start_median", label=label, unit="s", value=median(ours), floor=median(floor),
        goal=COLD_START_GOAL, samples=runs,
        note=f"fastest {min(ours):.2f} s; floor = import PySide6, show a bare QWidget offscreen, quit",
    )
