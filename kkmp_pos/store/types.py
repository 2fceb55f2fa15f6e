"""Column types: UTC instants stored as fixed-width ISO text so text order is time order."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetime in, aware UTC datetime out; stored as `2026-11-30T03:29:20.123456+00:00`."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: times are UTC and aware")
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds")

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return datetime.fromisoformat(value)


def utc_text(moment: datetime) -> str:
    """The stored form of an instant, for raw range comparisons."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")
