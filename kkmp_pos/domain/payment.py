"""Payments: methods, cash tendered and change, quick note buttons."""

from __future__ import annotations

from dataclasses import dataclass

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah, format_rupiah

CASH = "tunai"
METHOD_LABELS = {CASH: "Tunai", "qris": "QRIS", "transfer": "Transfer", "debit": "Debit", "kasbon": "Kasbon"}

QUICK_NOTES: tuple[Rupiah, ...] = (2_000, 5_000, 10_000, 20_000, 50_000, 100_000)
"""The notes a cashier is handed most; each button adds its note to the amount received."""


@dataclass(frozen=True, slots=True)
class Payment:
    """One tender: `amount` counts toward the total; for cash, `tendered` and `change` too."""

    method: str
    amount: Rupiah
    tendered: Rupiah
    change: Rupiah = 0
    reference: str | None = None


def cash_payment(total: Rupiah, received: Rupiah) -> Payment:
    """Cash covering the whole total; refuses when the customer has handed over too little."""
    if total < 0:
        raise InvalidInput("Total belanja tidak boleh negatif.")
    if received < total:
        raise InvalidInput(
            "Uang diterima {received} kurang dari total {total}. Minta kekurangan {short} atau ubah jumlahnya.",
            received=format_rupiah(received),
            total=format_rupiah(total),
            short=format_rupiah(total - received),
        )
    return Payment(method=CASH, amount=total, tendered=received, change=received - total)
