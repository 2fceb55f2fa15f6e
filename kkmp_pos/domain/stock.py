"""Stock arithmetic: pack units to base units exactly, moving-average cost, value, the reasons for changes."""

from __future__ import annotations

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah, round_half_up_div
from kkmp_pos.domain.quantity import MILLI

COUNT_REASONS = {
    "rusak": "Rusak",
    "kedaluwarsa": "Kedaluwarsa",
    "hilang": "Hilang",
    "salah_catat": "Salah catat",
    "lainnya": "Lainnya",
}
"""Why a counted quantity differs from the ledger (every non-zero difference needs one)."""

ADJUSTMENT_REASONS = {
    "rusak": "Rusak",
    "kedaluwarsa": "Kedaluwarsa",
    "pemakaian_sendiri": "Pemakaian sendiri",
    "koreksi": "Koreksi",
}
"""Why stock is taken out or put back outside a count."""


def to_base_units(unit_qty_milli: int, factor_milli: int) -> int:
    """A quantity in a pack unit (thousandths) as base-unit thousandths: 2 karung x 25 kg = 50.000 g."""
    if factor_milli <= 0:
        raise InvalidInput("Satuan ini belum punya konversi ke satuan dasar. Isi isinya dulu (misalnya 1 karung = 25 kg).")
    if unit_qty_milli <= 0:
        raise InvalidInput("Jumlah harus lebih dari nol.")
    product = unit_qty_milli * factor_milli
    if product % MILLI:
        raise InvalidInput("Jumlah ini tidak bisa dihitung pas dalam satuan dasar (gram/ml). Periksa jumlah atau isinya.")
    return product // MILLI


def moving_average_cost(on_hand_milli: int, average: Rupiah | None, received_milli: int,
                        received_cost: Rupiah) -> Rupiah:
    """The new average cost per base unit after receiving `received_milli` for `received_cost` rupiah in all.

    Stock at or below zero carries no value to average with, so the new average is the receipt's own cost.
    """
    if received_milli <= 0:
        raise InvalidInput("Jumlah diterima harus lebih dari nol.")
    if on_hand_milli <= 0 or average is None:
        return round_half_up_div(received_cost * MILLI, received_milli)
    return round_half_up_div(on_hand_milli * average + received_cost * MILLI, on_hand_milli + received_milli)


def stock_value(on_hand_milli: int, average: Rupiah | None) -> Rupiah:
    """On-hand quantity at average cost, in whole rupiah (negative stock is worth nothing)."""
    if average is None or on_hand_milli <= 0:
        return 0
    return round_half_up_div(on_hand_milli * average, MILLI)
