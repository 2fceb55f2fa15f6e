"""Rupiah amounts: whole integers, shown as `Rp15.700`."""

from __future__ import annotations

from kkmp_pos.domain.errors import InvalidInput

Rupiah = int
"""An amount of money in whole rupiah; never a float."""


def group_thousands(value: int) -> str:
    """`15700` -> `15.700` (Indonesian thousands separator)."""
    return f"{value:,}".replace(",", ".")


def format_rupiah(amount: Rupiah) -> str:
    """`15700` -> `Rp15.700`; negative amounts get a leading minus: `-Rp500`."""
    if amount < 0:
        return "-Rp" + group_thousands(-amount)
    return "Rp" + group_thousands(amount)


def parse_rupiah(text: str) -> Rupiah:
    """Read what a cashier types (`50000`, `50.000`, `Rp 50.000`) as whole rupiah."""
    cleaned = text.strip().replace("Rp", "").replace("rp", "").replace(" ", "").replace(".", "")
    if cleaned.endswith(",00") or cleaned.endswith(",-"):
        cleaned = cleaned[:-3] if cleaned.endswith(",00") else cleaned[:-2]
    if not cleaned.isdigit():
        raise InvalidInput(
            "Jumlah uang '{text}' tidak dapat dibaca. Ketik angka rupiah tanpa sen, misalnya 50000.",
            text=text.strip(),
        )
    return int(cleaned)


def round_half_up_div(numerator: int, denominator: int) -> int:
    """Integer division rounded half away from zero: the one rounding rule for rupiah."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    return sign * ((abs(numerator) * 2 + denominator) // (2 * denominator))
