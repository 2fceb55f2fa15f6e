"""Indonesian number, money, quantity and time formatting for the dashboard (1.234.567 and 1,250)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

WITA = timezone(timedelta(hours=8), "WITA")
"""Asia/Makassar: UTC+8 all year (no daylight saving), so a fixed offset needs no tz database."""

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")
SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def number(value: int) -> str:
    """1234567 → "1.234.567"."""
    return f"{int(value):,}".replace(",", ".")


def rupiah(value: int) -> str:
    """1234567 → "Rp1.234.567"; a negative amount keeps its sign in front."""
    value = int(value)
    return f"-Rp{number(-value)}" if value < 0 else f"Rp{number(value)}"


def qty(milli: int) -> str:
    """Milli-units as a person reads them: 12000 → "12", 1250 → "1,25", 1234500 → "1.234,5".

    Trailing zeros go: "45,750" would read as forty-five thousand to anyone who skims past the comma.
    """
    milli = int(milli)
    sign = "-" if milli < 0 else ""
    whole, frac = divmod(abs(milli), 1000)
    return f"{sign}{number(whole)}" if frac == 0 else f"{sign}{number(whole)},{f'{frac:03d}'.rstrip('0')}"


def qty_plain(milli: int) -> str:
    """Milli-units for a CSV a spreadsheet parses: 1250 → "1.250", 12000 → "12"."""
    milli = int(milli)
    sign = "-" if milli < 0 else ""
    whole, frac = divmod(abs(milli), 1000)
    return f"{sign}{whole}" if frac == 0 else f"{sign}{whole}.{frac:03d}"


def percent(part: int, whole: int) -> str:
    """12.5 % as "12,5%"; "–" when there is no whole to divide by."""
    if not whole:
        return "–"
    value = round(part * 1000 / whole) / 10
    text = f"{value:.1f}".replace(".", ",")
    return f"{text.removesuffix(',0')}%"


def parse_time(text: str | None) -> datetime | None:
    """A stored RFC 3339 `…Z` time as an aware datetime (None stays None, garbage becomes None)."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def wita(text_or_moment: str | datetime | None) -> str:
    """"30 Nov 2026 10.15 WITA" (Indonesian writes hours with a dot); "–" for never."""
    moment = parse_time(text_or_moment) if isinstance(text_or_moment, str | None) else text_or_moment
    if moment is None:
        return "–"
    local = moment.astimezone(WITA)
    return f"{local.day} {SHORT_MONTHS[local.month - 1]} {local.year} {local:%H.%M} WITA"


def wita_date(moment: datetime) -> str:
    local = moment.astimezone(WITA)
    return f"{local.day} {SHORT_MONTHS[local.month - 1]} {local.year}"


def wita_time(moment: datetime) -> str:
    return f"{moment.astimezone(WITA):%H.%M} WITA"


def long_date(day: date | str) -> str:
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: date | str) -> str:
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return f"{day.day} {SHORT_MONTHS[day.month - 1]}"


def month_name(month: str) -> str:
    """"2026-11" → "November 2026"."""
    year, number_ = month.split("-")
    return f"{MONTHS[int(number_) - 1]} {year}"


def wita_today(now: datetime) -> date:
    return now.astimezone(WITA).date()
