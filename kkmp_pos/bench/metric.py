"""One measured figure beside its floor, with the goal it is held to."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sample."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def median(samples: Sequence[float]) -> float:
    return percentile(samples, 50)


@dataclass(frozen=True, slots=True)
class Goal:
    """Either a ceiling on the ratio to the floor, or a ceiling on the value itself (or both)."""

    max_ratio: float | None = None
    max_value: float | None = None
    why: str = ""

    def describe(self, unit: str) -> str:
        parts = []
        if self.max_ratio is not None:
            parts.append(f"<= {self.max_ratio:g}x floor")
        if self.max_value is not None:
            parts.append(f"<= {self.max_value:g} {unit}")
        return " and ".join(parts) or "-"


@dataclass(frozen=True, slots=True)
class Metric:
    """`value` of our path and `floor` of the bare minimum doing the same work, measured in the same run."""

    name: str
    label: str
    unit: str
    value: float | None
    floor: float | None = None
    goal: Goal | None = None
    samples: int = 0
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.floor:
            return None
        return self.value / self.floor

    @property
    def goal_met(self) -> bool | None:
        """None when there is no goal or nothing was measured."""
        if self.goal is None or self.value is None:
            return None
        if self.goal.max_ratio is not None and (self.ratio is None or self.ratio > self.goal.max_ratio):
            return False
        return not (self.goal.max_value is not None and self.value > self.goal.max_value)

    def to_dict(self) -> dict[str, Any]:
        ratio = self.ratio
        return {
            "label": self.label, "unit": self.unit,
            "value": _rounded(self.value), "floor": _rounded(self.floor),
            "ratio": round(ratio, 2) if ratio is not None else None,
            "goal": self.goal.describe(self.unit) if self.goal else None,
            "goal_why": self.goal.why if self.goal else None, "goal_met": self.goal_met, "samples": self.samples, "note": self.note,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.4g}")


# The goals, in one place. Ratios compare with a floor measured in the same run; values are absolute.
BARCODE_GOAL = Goal(max_value=0.092, why="1,000x faster than the peer's 92 ms in-memory scan (DESIGN.md)")
SEARCH_GOAL = Goal(max_value=5.0, why="DESIGN.md: p99 < 5 ms on 50k products")
SALE_GOAL = Goal(max_ratio=3.0, why="the Core-written sale path within 3x of hand-written sqlite3")
SCAN_GOAL = Goal(max_value=16.7, why="the new row is on screen by the next 60 Hz frame")
COLD_START_GOAL = Goal(max_value=2.0, why="the peer needs 9 s to its login window; a till is usable in 2 s")
REPORT_GOAL = Goal(max_ratio=5.0, why="issue 6: the end-of-day report on 1,000,000 sale lines within 5x of "
                                           "the bare SQL of the same figures")


def unavailable(name: str, label: str, unit: str, reason: str, goal: Goal | None = None) -> Metric:
    """A metric that could not be measured in this run (say, the UI is not built yet): shown, not hidden."""
    return Metric(name=name, label=label, unit=unit, value=None, goal=goal, note=reason)
