"""Kasbon (member credit) rules: repayments, what is still open per sale (oldest first) and its aging."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah, format_rupiah
from kkmp_pos.domain.payment import CASH, DEBIT, METHOD_LABELS, QRIS, TRANSFER
from kkmp_pos.domain.sale import OutletInfo
from kkmp_pos.i18n import tr

REPAYMENT_METHODS = (CASH, QRIS, TRANSFER, DEBIT)
"""Kasbon is repaid with money; paying a debt with more credit would only move it."""

TAKEN = "kasbon"
REPAID = "bayar"
CORRECTION = "koreksi"

AGING_LIMITS = (30, 60)
"""Buckets 0–30, 31–60 and >60 days, counted from the day the kasbon was taken (the sale's date).

The sale date, not the due date, because due days differ per customer: the same age means the same thing for
everyone. Whether a kasbon is past its own due date is reported separately as `overdue`.
"""


def check_repayment(amount: Rupiah, balance: Rupiah, method: str) -> None:
    """A repayment: positive, no more than what is owed, paid in money."""
    if method not in REPAYMENT_METHODS:
        raise InvalidInput("Kasbon tidak dapat dibayar dengan {method}. Pilih Tunai, QRIS, Transfer atau Debit.",
                           method=tr(METHOD_LABELS.get(method, method)))
    if amount <= 0:
        raise InvalidInput("Jumlah pembayaran kasbon harus lebih dari nol.")
    if balance <= 0:
        raise InvalidInput("Pelanggan ini tidak punya kasbon yang harus dibayar.")
    if amount > balance:
        raise InvalidInput("Kasbon hanya {balance}: pembayaran {amount} terlalu besar. Terima paling banyak "
                           "{balance}.", balance=format_rupiah(balance), amount=format_rupiah(amount))


@dataclass(frozen=True, slots=True)
class CreditMovement:
    """One ledger entry: a positive amount is credit taken, a negative one a repayment or correction."""

    amount: Rupiah
    taken_on: date
    """The business day of the entry (for a kasbon: the day of the sale)."""
    due_date: date | None = None
    receipt_no: str | None = None


@dataclass(frozen=True, slots=True)
class OpenKasbon:
    """What is still unpaid of one kasbon."""

    receipt_no: str | None
    taken_on: date
    due_date: date
    remaining: Rupiah

    def age_days(self, today: date) -> int:
        return max(0, (today - self.taken_on).days)

    def is_overdue(self, today: date) -> bool:
        return today > self.due_date


def open_kasbon(movements: Sequence[CreditMovement]) -> list[OpenKasbon]:
    """The kasbon still open after every repayment, oldest due first.

    Repayments pay off the kasbon that falls due first (then the oldest), which is how a customer and the
    koperasi both reckon it: the amount the customer still owes stays with the most recent sales.
    """
    debts = sorted((m for m in movements if m.amount > 0), key=lambda m: (_due(m), m.taken_on))
    paid = -sum(m.amount for m in movements if m.amount <= 0)
    still_open: list[OpenKasbon] = []
    for debt in debts:
        covered = min(paid, debt.amount)
        paid -= covered
        if debt.amount > covered:
            still_open.append(OpenKasbon(receipt_no=debt.receipt_no, taken_on=debt.taken_on,
                                         due_date=_due(debt), remaining=debt.amount - covered))
    return still_open


def _due(movement: CreditMovement) -> date:
    return movement.due_date or movement.taken_on


@dataclass(frozen=True, slots=True)
class Aging:
    """Open kasbon split by age; `overdue` is the part already past its due date (it overlaps the buckets)."""

    days_0_30: Rupiah = 0
    days_31_60: Rupiah = 0
    over_60: Rupiah = 0
    overdue: Rupiah = 0

    @property
    def total(self) -> Rupiah:
        return self.days_0_30 + self.days_31_60 + self.over_60

    def __add__(self, other: Aging) -> Aging:
        return Aging(self.days_0_30 + other.days_0_30, self.days_31_60 + other.days_31_60,
                     self.over_60 + other.over_60, self.overdue + other.overdue)


def age_open_kasbon(items: Sequence[OpenKasbon], today: date) -> Aging:
    first, second = AGING_LIMITS
    buckets = [0, 0, 0]
    overdue = 0
    for item in items:
        days = item.age_days(today)
        buckets[0 if days <= first else 1 if days <= second else 2] += item.remaining
        if item.is_overdue(today):
            overdue += item.remaining
    return Aging(buckets[0], buckets[1], buckets[2], overdue)


@dataclass(frozen=True, slots=True)
class KasbonSlip:
    """Everything the receipt of one kasbon repayment shows."""

    receipt_no: str
    created_at: datetime
    cashier_name: str
    outlet: OutletInfo
    member_no: str
    member_name: str
    amount: Rupiah
    method: str
    tendered: Rupiah
    change: Rupiah
    balance_before: Rupiah
    balance_after: Rupiah
    reference: str | None = None
    bank: str | None = None
    journal_seq: int | None = None
    journal_hash: str | None = None
