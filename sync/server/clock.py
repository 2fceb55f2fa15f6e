"""Server time: UTC, written as RFC 3339 with a `Z` (the protocol's and the tables' spelling)."""

from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def rfc3339(moment: datetime) -> str:
    """`2026-11-30T06:10:15.123456Z`; a naive datetime is refused (every server time is aware)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
