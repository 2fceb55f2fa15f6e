"""A completed sale as recorded: what receipts, history and reports are built from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kkmp_pos.domain.money import Rupiah


@dataclass(frozen=True, slots=True)
class OutletInfo:
    """Who sold: printed at the top of every receipt."""

    koperasi_name: str
    gerai_name: str
    address: str
    receipt_footer: str = ""
    npwp: str = ""
    """The cooperative's NPWP when it is a PKP (printed under the address); empty otherwise."""


@dataclass(frozen=True, slots=True)
class SoldLine:
    """A sale line with the name and price copied at the time of sale."""

    sku: str
    name: str
    unit: str
    sold_by_weight: bool
    qty_milli: int
    unit_price: Rupiah
    total: Rupiah
    """Net: price x qty - the line's own discount - its share of the cart discount."""
    line_discount: Rupiah = 0
    cart_discount_share: Rupiah = 0
    lpg_nik_masked: str | None = None
    """For a subsidised 3 kg line: the buyer's masked NIK and category, printed under the line."""
    lpg_category: str | None = None

    @property
    def gross(self) -> Rupiah:
        return self.total + self.line_discount + self.cart_discount_share


@dataclass(frozen=True, slots=True)
class SoldPayment:
    method: str
    amount: Rupiah
    tendered: Rupiah
    change: Rupiah
    reference: str | None = None
    bank: str | None = None
    status: str = "settled"


@dataclass(frozen=True, slots=True)
class SaleRecord:
    """Everything a receipt shows about one sale."""

    id: str
    receipt_no: str
    created_at: datetime
    cashier_name: str
    outlet: OutletInfo
    lines: tuple[SoldLine, ...]
    payments: tuple[SoldPayment, ...]
    total: Rupiah
    member_no: str | None = None
    member_name: str | None = None
    discount_total: Rupiah = 0
    journal_seq: int | None = None
    journal_hash: str | None = None

    @property
    def change(self) -> Rupiah:
        return sum(p.change for p in self.payments)

    @property
    def cart_discount(self) -> Rupiah:
        return sum(line.cart_discount_share for line in self.lines)

    @property
    def subtotal(self) -> Rupiah:
        """The lines after their own discounts, before the cart discount."""
        return self.total + self.cart_discount

    @property
    def paid_in_cash(self) -> bool:
        return any(p.method == "tunai" for p in self.payments)

    @property
    def item_count(self) -> int:
        return sum(1 if line.sold_by_weight else line.qty_milli // 1000 for line in self.lines)
