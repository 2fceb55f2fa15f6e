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
from hypothesis import settings  # noqa: E402

from kkmp_pos.domain.clock import fixed_clock  # noqa: E402
from kkmp_pos.services.context import PosContext, open_context  # noqa: E402
from kkmp_pos.services.demo import seed_demo  # noqa: E402
from kkmp_pos.services.outlet import default_cashier  # noqa: E402
from kkmp_pos.services.shifts import open_shift  # noqa: E402

# Tests check behaviour, never time: no per-example deadline, so a busy CI machine cannot fail a property test.
settings.register_profile("kkmp", deadline=None)
settings.load_profile("kkmp")

# 30 Nov 2026, 10:15 WITA: inside a business day, so "today" is stable in every test.
TEST_MOMENT = datetime(2026, 11, 30, 2, 15, tzinfo=timezone.utc)


@pytest.fixture
def empty_ctx(tmp_path: Path) -> Iterator[PosContext]:
    """A migrated but empty outlet database in a temporary data directory."""
    ctx = open_context(tmp_path / "data", clock=fixed_clock(TEST_MOMENT))
    yield ctx
    ctx.close()


OPENING_FLOAT = {50_000: 2, 10_000: 5}
"""Rp150.000 in the drawer when the test shift opens."""


@pytest.fixture
def ctx(empty_ctx: PosContext) -> PosContext:
    """The demo outlet (KKMP Lempake, sample catalogue, opening stock) on a fixed clock, its shift open."""
    seed_demo(empty_ctx)
    open_shift(empty_ctx, cashier_id=default_cashier(empty_ctx).id, counts=OPENING_FLOAT)
    return empty_ctx


@pytest.fixture
def closed_ctx(empty_ctx: PosContext) -> PosContext:
    """The demo outlet with no shift open yet: the till must open one before it sells."""
    seed_demo(empty_ctx)
    return empty_ctx


def copy_database_alone(ctx: PosContext, other: Path) -> None:
    """What a thief does with a USB stick: the database file alone (no pin.key, no nik.key), into a new data
    directory of their own."""
    import sqlite3

    from kkmp_pos.store.db import DB_FILENAME

    other.mkdir()
    source = sqlite3.connect(ctx.data_dir / DB_FILENAME)
    target = sqlite3.connect(other / DB_FILENAME)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
