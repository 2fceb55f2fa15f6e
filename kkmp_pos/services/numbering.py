"""Gap-free human numbers per outlet and series: `LPK-01-K000001`, `LPK-01-S000001`, `LPK-01-B000001`..."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ColumnElement, Connection, Integer, func, select

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.store.models import Outlet

_outlet = Outlet.__table__


def series_number(outlet_code: str, series: str, seq: int) -> str:
    return f"{outlet_code}-{series}{seq:06d}"


def next_series_number(connection: Connection, column: Column[Any], series: str,
                       *where: ColumnElement[bool]) -> str:
    """The next number of `series` stored in `column`, read inside the caller's write transaction
    (BEGIN IMMEDIATE), so two slips can never take the same number and none is skipped."""
    code = connection.execute(select(_outlet.c.code).limit(1)).scalar()
    if code is None:
        raise InvalidInput("Data gerai belum ada. Jalankan penyiapan gerai (atau --demo) dulu.")
    prefix = f"{code}-{series}"
    last = connection.execute(
        select(func.max(func.cast(func.substr(column, len(prefix) + 1), Integer)))
        .where(column.startswith(prefix, autoescape=True), *where)
    ).scalar()
    return series_number(code, series, int(last or 0) + 1)
