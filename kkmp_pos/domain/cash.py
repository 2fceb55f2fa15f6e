"""Cash in the drawer: rupiah denominations and counting them."""

from __future__ import annotations

from collections.abc import Mapping

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah

DENOMINATIONS: tuple[Rupiah, ...] = (100_000, 50_000, 20_000, 10_000, 5_000, 2_000, 1_000, 500, 200, 100)
"""Notes and coins in circulation, largest first (Rp1.000 exists as both; it is counted once)."""

MAX_PIECES = 100_000
"""More pieces of one denomination than a gerai drawer could hold is a typing slip."""


def count_total(counts: Mapping[Rupiah, int]) -> Rupiah:
    """The rupiah in a count of pieces per denomination; refuses unknown notes and negative pieces."""
    total = 0
    for denomination, pieces in counts.items():
        if denomination not in DENOMINATIONS:
            raise InvalidInput("Pecahan Rp{value} tidak dikenal.", value=denomination)
        if pieces < 0 or pieces > MAX_PIECES:
            raise InvalidInput("Jumlah lembar/keping harus 0 sampai {most}.", most=MAX_PIECES)
        total += denomination * pieces
    return total


def counts_json(counts: Mapping[Rupiah, int]) -> dict[str, int]:
    """The stored form: denominations as strings, zero counts left out, largest first."""
    return {str(d): counts[d] for d in DENOMINATIONS if counts.get(d)}
