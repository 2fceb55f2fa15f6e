"""Exact quantities: integer thousandths of the base unit (grams of a kg, ml of a liter, 1000 per piece)."""

from __future__ import annotations

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah, round_half_up_div

MILLI = 1000
"""Thousandths per base unit: a piece is 1000, 1,250 kg is 1250."""

MAX_QUANTITY_MILLI = 100_000 * MILLI
"""A sanity ceiling: no single line of a gerai sale is above 100.000 units."""


def parse_quantity(text: str, *, weighed: bool) -> int:
    """Read a typed quantity as thousandths. Weighed goods take up to 3 decimals (`1,25` or `1.25`)."""
    cleaned = text.strip().replace(" ", "")
    if cleaned.count(",") + cleaned.count(".") > 1:
        raise InvalidInput("Jumlah '{text}' tidak dapat dibaca. Contoh: 2 atau 1,25.", text=text.strip())
    whole, _, fraction = cleaned.replace(",", ".").partition(".")
    if not whole:
        whole = "0"
    if not whole.isdigit() or (fraction and not fraction.isdigit()):
        raise InvalidInput("Jumlah '{text}' tidak dapat dibaca. Contoh: 2 atau 1,25.", text=text.strip())
    if len(fraction) > 3:
        raise InvalidInput("Jumlah paling banyak 3 angka di belakang koma (gram atau ml).")
    milli = int(whole) * MILLI + (int(fraction.ljust(3, "0")) if fraction else 0)
    if not weighed and milli % MILLI:
        raise InvalidInput("Barang ini dijual per satuan: jumlahnya harus bilangan bulat.")
    if milli <= 0:
        raise InvalidInput("Jumlah harus lebih dari nol.")
    if milli > MAX_QUANTITY_MILLI:
        raise InvalidInput("Jumlah {text} terlalu besar untuk satu baris.", text=text.strip())
    return milli


def format_quantity(milli: int, *, weighed: bool) -> str:
    """`2000` -> `2`; weighed `1250` -> `1,250` (always 3 decimals, so a scale reading is visible)."""
    sign = "-" if milli < 0 else ""
    milli = abs(milli)
    if not weighed:
        whole, rest = divmod(milli, MILLI)
        if not rest:
            return f"{sign}{whole}"
        return f"{sign}{whole},{rest:03d}".rstrip("0")
    return f"{sign}{milli // MILLI},{milli % MILLI:03d}"


def line_amount(unit_price: Rupiah, qty_milli: int) -> Rupiah:
    """Price x quantity, rounded half-up to whole rupiah (loose goods sold by weight)."""
    return round_half_up_div(unit_price * qty_milli, MILLI)
