"""Stock opname arithmetic: count lines, differences in quantity and rupiah, totals, reason checks, scan text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah, round_half_up_div
from kkmp_pos.domain.quantity import MAX_QUANTITY_MILLI, MILLI, parse_quantity
from kkmp_pos.domain.stock import COUNT_REASONS

COUNT_SERIES = "O"
"""`LPK-01-O000001`: counts are numbered apart from sales and other slips."""
NAMED_PRODUCTS = 5
"""A refusal names at most this many products, then says how many more."""
MULTIPLIED_SCAN = re.compile(r"^(\d+(?:[.,]\d{1,3})?)\s*\*\s*(\S.*)$")
"""`3*8999900000055` or `1,250*BRS-CURAH`: a quantity, a star, then the barcode or SKU."""


class CountScope(StrEnum):
    ALL = "all"
    CATEGORY = "category"
    LIST = "list"


class CountMode(StrEnum):
    """How a counted quantity meets what is already on the sheet for that product."""

    ADD = "add"
    """A scan (or `qty*barcode`): added to what was counted before, so shelves counted in parts add up."""
    SET = "set"
    """A quantity typed into the sheet: replaces the earlier count (a recount)."""


def count_number(outlet_code: str, seq: int) -> str:
    return f"{outlet_code}-{COUNT_SERIES}{seq:06d}"


@dataclass(frozen=True, slots=True)
class CountLine:
    """One product of a count's sheet; `counted_milli` is None while it has not been counted."""

    product_id: int
    sku: str
    name: str
    unit: str
    weighed: bool
    cost_price: Rupiah | None
    expected_milli: int | None
    counted_milli: int | None
    counted_at: datetime | None
    reason: str | None
    note: str | None

    @property
    def counted(self) -> bool:
        return self.counted_milli is not None

    @property
    def difference_milli(self) -> int:
        """Counted minus expected: negative when goods are missing; 0 while not counted."""
        if self.counted_milli is None:
            return 0
        return self.counted_milli - (self.expected_milli or 0)

    @property
    def difference_value(self) -> Rupiah:
        """The difference at average cost (0 when the product has no cost yet), rounded half-up to rupiah."""
        if not self.cost_price:
            return 0
        return difference_value(self.difference_milli, self.cost_price)


def difference_value(difference_milli: int, cost_price: Rupiah) -> Rupiah:
    """Rupiah of a signed difference; rounding is symmetric, so a surplus and a shortage of the same size match."""
    value = round_half_up_div(abs(difference_milli) * cost_price, MILLI)
    return -value if difference_milli < 0 else value


@dataclass(frozen=True, slots=True)
class CountTotals:
    products_in_scope: int
    products_counted: int
    lines_with_difference: int
    surplus_value: Rupiah
    shortage_value: Rupiah
    """Negative or zero: the value of what is missing."""

    @property
    def net_value(self) -> Rupiah:
        return self.surplus_value + self.shortage_value


def count_totals(lines: Sequence[CountLine]) -> CountTotals:
    counted = [line for line in lines if line.counted]
    values = [line.difference_value for line in counted]
    return CountTotals(
        products_in_scope=len(lines), products_counted=len(counted),
        lines_with_difference=sum(1 for line in counted if line.difference_milli),
        surplus_value=sum(v for v in values if v > 0), shortage_value=sum(v for v in values if v < 0),
    )


def check_reason(reason: str | None, note: str | None) -> tuple[str | None, str | None]:
    """A reason code from COUNT_REASONS (or none); 'lainnya' needs a note. Returns the cleaned pair."""
    note = (note or "").strip() or None
    if not reason:
        return None, note
    if reason not in COUNT_REASONS:
        raise InvalidInput("Alasan '{reason}' tidak dikenal. Pilih: rusak, kedaluwarsa, hilang, salah catat "
                           "atau lainnya.", reason=reason)
    if reason == "lainnya" and note is None:
        raise InvalidInput("Alasan 'Lainnya' perlu catatan: tulis singkat apa yang terjadi.")
    if note is not None and len(note) > 200:
        raise InvalidInput("Catatan terlalu panjang (paling banyak 200 huruf).")
    return reason, note


def _names(lines: Sequence[CountLine]) -> str:
    named = ", ".join(line.name for line in lines[:NAMED_PRODUCTS])
    more = len(lines) - NAMED_PRODUCTS
    return f"{named} (+{more})" if more > 0 else named


def check_reasons(lines: Sequence[CountLine]) -> None:
    """Every counted line with a difference carries a reason ('lainnya' with a note), or nothing is approved."""
    missing = [line for line in lines if line.counted and line.difference_milli and not line.reason]
    if missing:
        raise InvalidInput("Isi alasan selisih untuk: {names}. Setiap selisih perlu alasan sebelum disetujui.",
                           names=_names(missing))
    unexplained = [line for line in lines if line.counted and line.difference_milli
                   and line.reason == "lainnya" and not line.note]
    if unexplained:
        raise InvalidInput("Alasan 'Lainnya' perlu catatan untuk: {names}.", names=_names(unexplained))


def check_counted_quantity(qty_milli: int, mode: CountMode, *, weighed: bool) -> None:
    """A scan adds at least something; a typed count may be 0 (the shelf is empty); never negative or absurd."""
    if qty_milli < 0 or (mode is CountMode.ADD and qty_milli == 0):
        raise InvalidInput("Jumlah dihitung tidak boleh kurang dari nol." if qty_milli < 0
                           else "Jumlah harus lebih dari nol.")
    if qty_milli > MAX_QUANTITY_MILLI:
        raise InvalidInput("Jumlah dihitung terlalu besar. Periksa ketikannya.")
    if not weighed and qty_milli % MILLI:
        raise InvalidInput("Barang ini dihitung per satuan: jumlahnya harus bilangan bulat.")


def parse_count_quantity(text: str, *, weighed: bool) -> int:
    """A typed count: `0` allowed (an empty shelf), up to 3 decimals for weighed goods."""
    cleaned = text.strip()
    if cleaned.replace(",", "").replace(".", "").strip("0") == "" and cleaned:
        return 0
    return parse_quantity(cleaned, weighed=weighed)


def split_count_scan(text: str) -> tuple[str | None, str]:
    """`3*899...` -> ("3", "899..."); a plain code -> (None, code): the quantity text is read per product."""
    match = MULTIPLIED_SCAN.match(text.strip())
    if match:
        return match.group(1), match.group(2).strip()
    return None, text.strip()
