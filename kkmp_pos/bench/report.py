"""The bench's output: machine facts, a table a person reads, and the same figures as JSON."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
from collections.abc import Sequence
from typing import Any

from kkmp_pos.bench.metric import Metric


def machine_info() -> dict[str, Any]:
    """What the figures depend on; Qt's version only if Qt was loaded by this run."""
    import sqlalchemy

    info: dict[str, Any] = {
        "cpu_count": os.cpu_count(), "platform": platform.platform(), "machine": platform.machine(),
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
    }
    if "PySide6" in sys.modules:
        import PySide6

        info["pyside6"] = PySide6.__version__
    return info


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f} {unit}"
    if value >= 1:
        return f"{value:.2f} {unit}"
    return f"{value:.3f} {unit}"


def format_table(metrics: Sequence[Metric], crash: dict[str, Any] | None, header: str) -> str:
    """Name, value, floor, ratio, goal, met: one metric a row; notes and the crash loop below."""
    rows = [("metric", "value", "floor", "ratio", "goal", "met")]
    for metric in metrics:
        ratio = metric.ratio
        met = {True: "yes", False: "NO", None: "-"}[metric.goal_met]
        rows.append((
            metric.label, _number(metric.value, metric.unit), _number(metric.floor, metric.unit),
            f"{ratio:.2f}x" if ratio is not None else "-",
            metric.goal.describe(metric.unit) if metric.goal else "-", met,
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [header, ""]
    for number, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [cell.rjust(widths[i]) for i, cell in enumerate(row[1:], start=1)]
        lines.append("  ".join(cells))
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    notes = [f"  {metric.label}: {metric.note}" for metric in metrics if metric.note]
    if notes:
        lines += ["", "notes:", *notes]
    if crash is not None:
        lines += ["", (
            f"crash loop: {crash['kills']} SIGKILLs ({crash['kills_inside_sale']} inside complete_sale), "
            f"{crash['sales_acknowledged']:,} sales acknowledged, "
            f"{crash['lost']} lost, {crash['half_written']} half-written, {crash['orphans']} orphans, "
            f"{crash['receipt_problems']} receipt gaps, journal chain "
            f"{'verifies' if crash['journal_break_seq'] is None else 'BREAKS at ' + str(crash['journal_break_seq'])}"
            f", integrity_check {crash['integrity_check']}, "
            f"{crash['committed_not_acknowledged']} committed just before a kill, "
            f"audited after {crash.get('checks_after_kills', 0)} kills ({crash.get('failed_checks', 0)} failed) "
            f"({crash['seconds']} s)"
            f" -> {'OK' if crash['ok'] else 'FAILED'}"
        )]
        lines += [f"  {problem}" for problem in crash["child_failures"] + crash["examples"]]
    return "\n".join(lines) + "\n"
