"""The X and Z figures of a cash shift, computed only from the journal events recorded during it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from kkmp_pos.domain.member import ANGGOTA, KIND_PREFIX
from kkmp_pos.domain.money import Rupiah
from kkmp_pos.domain.payment import CASH, DEBIT, KASBON, QRIS, TRANSFER
from kkmp_pos.domain.quantity import MILLI
from kkmp_pos.domain.sale import OutletInfo

VOID_ACTIONS = frozenset({"void_line", "cancel_cart"})
"""Override events counted as voids on the Z: a scanned line taken off, a whole cart cancelled."""
MEMBER_PREFIX = KIND_PREFIX[ANGGOTA] + "-"
"""Only an anggota counts as a member; a registered pelanggan is a non-member buyer."""


@dataclass(frozen=True, slots=True)
class ShiftEvent:
    """One journal event of the shift, as the report needs it (body parsed from canonical JSON)."""

    seq: int
    hash: str
    type: str
    body: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ShiftFigures:
    """Everything an X or Z report shows; integers and strings only, so it freezes as canonical JSON."""

    opening_float: Rupiah = 0
    sales_count: int = 0
    first_receipt: str | None = None
    last_receipt: str | None = None
    sales_total: Rupiah = 0
    discounts: Rupiah = 0
    member_count: int = 0
    member_sales: Rupiah = 0
    non_member_count: int = 0
    non_member_sales: Rupiah = 0
    cash_sales: Rupiah = 0
    qris_settled: Rupiah = 0
    qris_pending: Rupiah = 0
    qris_failed: Rupiah = 0
    transfer_sales: Rupiah = 0
    debit_sales: Rupiah = 0
    kasbon_sales: Rupiah = 0
    cash_received: Rupiah = 0
    change_given: Rupiah = 0
    voids: int = 0
    refunds_count: int = 0
    refunds_total: Rupiah = 0
    refunds_cash: Rupiah = 0
    lpg_cylinders: int = 0
    cash_in: Rupiah = 0
    cash_out: Rupiah = 0
    savings_cash_in: Rupiah = 0
    savings_cash_out: Rupiah = 0
    kasbon_repaid_cash: Rupiah = 0
    qris_failed_cash: Rupiah = 0
    """Cash collected instead of a QRIS payment that never arrived."""
    last_seq: int = 0
    last_hash: str = ""

    @property
    def expected_cash(self) -> Rupiah:
        """What the drawer should hold: the float plus every rupiah in, minus every rupiah out."""
        return (self.opening_float + self.cash_received - self.change_given - self.refunds_cash + self.cash_in
                - self.cash_out + self.savings_cash_in - self.savings_cash_out + self.kasbon_repaid_cash
                + self.qris_failed_cash)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "expected_cash": self.expected_cash}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ShiftFigures:
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


@dataclass(frozen=True, slots=True)
class ShiftReport:
    """An X report (the open shift so far) or a Z report (the closed shift, final), ready to print."""

    kind: str
    """"X" or "Z"."""
    outlet: OutletInfo
    shift_no: str
    opened_at: datetime
    opened_by: str
    figures: ShiftFigures
    printed_at: datetime
    closed_at: datetime | None = None
    closed_by: str | None = None
    approved_by: str | None = None
    counted_cash: Rupiah | None = None
    closing_counts: Mapping[Rupiah, int] | None = None

    @property
    def over_short(self) -> Rupiah | None:
        """Counted minus expected: positive is over (lebih), negative short (kurang)."""
        return None if self.counted_cash is None else over_short(self.counted_cash, self.figures.expected_cash)


def over_short(counted: Rupiah, expected: Rupiah) -> Rupiah:
    """Counted minus expected: positive is over (lebih), negative short (kurang)."""
    return counted - expected


def shift_figures(opening_float: Rupiah, events: Iterable[ShiftEvent]) -> ShiftFigures:
    """The figures of a shift opened with `opening_float`, from its events after `shift_open`, in seq order."""
    totals: dict[str, Any] = {"opening_float": opening_float}
    qris: dict[str, Rupiah] = {}
    """This shift's QRIS payments still pending, by payment id (reconciliation moves them)."""

    def add(name: str, amount: int) -> None:
        totals[name] = totals.get(name, 0) + amount

    for event in events:
        body = event.body
        totals["last_seq"], totals["last_hash"] = event.seq, event.hash
        if event.type == "sale":
            _add_sale(body, add, totals, qris)
        elif event.type == "refund":
            add("refunds_count", 1)
            add("refunds_total", body["total"])
            if body["payment"]["method"] == CASH:
                add("refunds_cash", body["payment"]["amount"])
        elif event.type == "cash_movement":
            add("cash_in" if body["direction"] == "in" else "cash_out", body["amount"])
        elif event.type == "savings" and body["method"] == CASH:
            amount = body["amount"]
            add("savings_cash_in" if amount > 0 else "savings_cash_out", abs(amount))
        elif event.type == "kasbon_payment" and body["method"] == CASH:
            add("kasbon_repaid_cash", body["amount"])
        elif event.type == "payment_reconciled":
            _add_reconciled(body, add, qris)
        elif event.type == "override" and body["action"] in VOID_ACTIONS and body["outcome"] == "approved":
            add("voids", 1)
    add("qris_pending", sum(qris.values()))
    return ShiftFigures(**totals)


def _add_sale(body: Mapping[str, Any], add: Any, totals: dict[str, Any], qris: dict[str, Rupiah]) -> None:
    add("sales_count", 1)
    totals.setdefault("first_receipt", body["receipt_no"])
    totals["last_receipt"] = body["receipt_no"]
    add("sales_total", body["total"])
    add("discounts", body["discount_total"])
    member = bool(body["member_no"]) and str(body["member_no"]).startswith(MEMBER_PREFIX)
    add("member_count" if member else "non_member_count", 1)
    add("member_sales" if member else "non_member_sales", body["total"])
    for payment in body["payments"]:
        method, amount = payment["method"], payment["amount"]
        if method == CASH:
            add("cash_sales", amount)
            add("cash_received", payment["tendered"])
            add("change_given", payment["change"])
        elif method == QRIS:
            qris[payment["payment_id"]] = amount
        else:
            add({TRANSFER: "transfer_sales", DEBIT: "debit_sales", KASBON: "kasbon_sales"}[method], amount)
    for line in body["lines"]:
        if "lpg" in line:
            add("lpg_cylinders", line["qty_milli"] // MILLI)


def _add_reconciled(body: Mapping[str, Any], add: Any, qris: dict[str, Rupiah]) -> None:
    # Only this shift's own QRIS payments move between pending/settled/failed here; an older one's
    # reconciliation matters to this drawer only when its replacement was paid in cash now.
    amount = qris.pop(body["payment_id"], None)
    if amount is not None:
        add("qris_settled" if body["outcome"] == "verified" else "qris_failed", amount)
    settlement = body.get("settlement")
    if settlement and settlement["method"] == CASH:
        add("qris_failed_cash", settlement["tendered"] - settlement["change"])
