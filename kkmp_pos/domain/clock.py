"""Time: stored in UTC, shown and grouped into business days in the outlet's zone (WITA, UTC+8)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

WITA = timezone(timedelta(hours=8), "WITA")
"""Asia/Makassar has no daylight saving, so a fixed offset is exact and needs no tz database."""

Clock = Callable[[], datetime]
"""Returns the current time as an aware UTC datetime; tests inject a fixed one."""


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always answers `moment` (tests)."""
    if moment.tzinfo is None:
        raise ValueError("the moment must be timezone-aware")
    utc = moment.astimezone(timezone.utc)
    return lambda: utc


def to_wita(moment: datetime) -> datetime:
    return moment.astimezone(WITA)


def business_date(moment: datetime) -> date:
    """The outlet's calendar day (WITA) that `moment` belongs to."""
    return to_wita(moment).date()


def day_bounds_utc(day: date) -> tuple[datetime, datetime]:
    """The UTC instants [start, end) of a WITA calendar day, for indexed range queries."""
    start = datetime(day.year, day.month, day.day, tzinfo=WITA).astimezone(timezone.utc)
    return start, start + timedelta(days=1)


def format_wita(moment: datetime, *, seconds: bool = False) -> str:
    """`30-11-2026 11:29 WITA`, the form used on receipts and screens."""
    pattern = "%d-%m-%Y %H:%M:%S" if seconds else "%d-%m-%Y %H:%M"
    return to_wita(moment).strftime(pattern) + " WITA"


def rfc3339(moment: datetime) -> str:
    """UTC instant with offset and milliseconds, as the sync protocol wants."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def parse_rfc3339(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)
