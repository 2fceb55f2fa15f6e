"""Shared fixtures: a real SQLite outlet database per test; Qt always offscreen."""

from __future__ import annotations

import os

# Set before anything imports Qt: tests never need a screen.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

from collections.abc import Iterator  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from kkmp_pos.domain.clock import fixed_clock  # noqa: E402
from kkmp_pos.services.context import PosContext, open_context  # noqa: E402
from kkmp_pos.services.demo import seed_demo  # noqa: E402

# 30 Nov 2026, 10:15 WITA: inside a business day, so "today" is stable in every test.
TEST_MOMENT = datetime(2026, 11, 30, 2, 15, tzinfo=timezone.utc)


@pytest.fixture
def empty_ctx(tmp_path: Path) -> Iterator[PosContext]:
    """A migrated but empty outlet database in a temporary data directory."""
    ctx = open_context(tmp_path / "data", clock=fixed_clock(TEST_MOMENT))
    yield ctx
    ctx.close()


@pytest.fixture
def ctx(empty_ctx: PosContext) -> PosContext:
    """The demo outlet (KKMP Lempake, sample catalogue, opening stock) on a fixed clock."""
    seed_demo(empty_ctx)
    return empty_ctx
