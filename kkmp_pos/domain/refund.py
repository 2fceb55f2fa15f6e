"""Returns (retur): how much of a sale can still come back, what each return pays out, and the refund record."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah, format_rupiah, round_half_up_div
from kkmp_pos.domain.payment import CASH, KASBON, METHOD_LABELS
from kkmp_pos.domain.quantity import MILLI, format_quantity
from kkmp_pos.domain.sale import OutletInfo
from kkmp_pos.i18n import tr

REFUND_SERIES = "R"
"""`LPK-01-R000001`: refunds are numbered apart from sales, so each series stays gap-free."""

MAX_REASON_LENGTH = 200


def refund_number(outlet_code: str, seq: int) -> str:
    return f"{outlet_code}-{REFUND_SERIES}{seq:06d}"


@dataclass(frozen=True, slots=True)
class RefundableLine:
    """A sale line as the returns screen sees it: what was sold and paid, and what already came back."""

    sale_line_id: str
    line_no: int
    product_id: int
    sku: str
    name: str
    unit: str
    sold_by_weight: bool
    unit_price: Rupiah
    qty_milli: int
    total: Rupiah
    """What the customer paid for the whole line (after its discount and its share of the cart discount)."""
    returned_qty_milli: int = 0
    returned_amount: Rupiah = 0

    @property
    def remaining_qty_milli(self) -> int:
        return self.qty_milli - self.returned_qty_milli

    @property
    def remaining_amount(self) -> Rupiah:
        return self.total - self.returned_amount

    def amount_for(self, qty_milli: int) -> Rupiah:
        """The money a return of `qty_milli` pays back: the line's net total pro rata, cumulatively rounded.

        Rounding the running total (not each return) makes the returns of a line add up to exactly what
        was paid for it, so the last remaining quantity always takes the exact remainder.
        """
        check_return_quantity(self, qty_milli)
        if qty_milli == self.remaining_qty_milli:
            return self.remaining_amount
        after = round_half_up_div(self.total * (self.returned_qty_milli + qty_milli), self.qty_milli)
        return max(0, min(self.remaining_amount, after - self.returned_amount))


def check_return_quantity(line: RefundableLine, qty_milli: int) -> None:
    """Never more than sold minus already returned; pieces in whole numbers."""
    if qty_milli <= 0:
        raise InvalidInput("Jumlah retur harus lebih dari nol.")
    if not line.sold_by_weight and qty_milli % MILLI:
        raise InvalidInput("{name} dijual per satuan: jumlah retur harus bilangan bulat.", name=line.name)
    if qty_milli > line.remaining_qty_milli:
        weighed = line.sold_by_weight
        raise InvalidInput(
            "Retur {name} paling banyak {remaining} (terjual {sold}, sudah diretur {returned}).",
            name=line.name, remaining=format_quantity(line.remaining_qty_milli, weighed=weighed),
            sold=format_quantity(line.qty_milli, weighed=weighed),
            returned=format_quantity(line.returned_qty_milli, weighed=weighed),
        )


@dataclass(frozen=True, slots=True)
class ReturnPlan:
    """The lines and amounts of one return, checked against what can still come back."""

    lines: tuple[tuple[RefundableLine, int, Rupiah], ...]
    """(line, quantity returned, amount paid back) in the order of the sale."""

    @property
    def total(self) -> Rupiah:
        return sum(amount for _line, _qty, amount in self.lines)


def plan_return(lines: Sequence[RefundableLine], wanted: Sequence[tuple[str, int]]) -> ReturnPlan:
    """Check `wanted` (sale line id, quantity) against the sale; each line at most once."""
    by_id = {line.sale_line_id: line for line in lines}
    chosen: dict[str, int] = {}
    for sale_line_id, qty_milli in wanted:
        if sale_line_id not in by_id:
            raise InvalidInput("Baris yang dipilih bukan bagian dari struk ini. Muat ulang struknya.")
        if sale_line_id in chosen:
            raise InvalidInput("Satu baris struk hanya boleh dipilih sekali dalam satu retur.")
        chosen[sale_line_id] = qty_milli
    if not chosen:
        raise InvalidInput("Belum ada barang yang dipilih untuk diretur. Isi jumlah retur pada barisnya.")
    planned = tuple(
        (line, chosen[line.sale_line_id], line.amount_for(chosen[line.sale_line_id]))
        for line in lines if line.sale_line_id in chosen
    )
    return ReturnPlan(planned)


def refund_methods(paid_by_method: Mapping[str, Rupiah]) -> tuple[str, ...]:
    """Back the way it was paid, or in cash: cash first, then the sale's other methods."""
    others = [method for method in METHOD_LABELS if method != CASH and paid_by_method.get(method, 0) > 0]
    return (CASH, *others)


def check_refund_method(method: str, amount: Rupiah, paid_by_method: Mapping[str, Rupiah],
                        refunded_by_method: Mapping[str, Rupiah]) -> None:
    """Cash is always possible; another method only up to what the sale paid that way and not yet returned."""
    if method not in METHOD_LABELS:
        raise InvalidInput("Cara pengembalian '{method}' tidak dikenal.", method=method)
    if method == CASH:
        return
    label = tr(METHOD_LABELS[method])
    left = paid_by_method.get(method, 0) - refunded_by_method.get(method, 0)
    if left <= 0:
        raise InvalidInput("Transaksi ini tidak dibayar dengan {method}. Kembalikan secara tunai atau dengan cara "
                           "bayar aslinya.", method=label)
    if amount > left:
        raise InvalidInput("Pengembalian lewat {method} paling banyak {left} (yang dibayar dengan {method} dan "
                           "belum dikembalikan). Pilih tunai untuk sisanya.", method=label,
                           left=format_rupiah(left))


def clean_reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise InvalidInput("Tulis alasan retur (misalnya: rusak, kedaluwarsa, salah beli).")
    if len(text) > MAX_REASON_LENGTH:
        raise InvalidInput("Alasan retur terlalu panjang (paling banyak {n} karakter).", n=MAX_REASON_LENGTH)
    return text


# --- the refund as recorded (what its receipt shows) -----------------------------------------------


@dataclass(frozen=True, slots=True)
class ReturnedLine:
    name: str
    unit: str
    sold_by_weight: bool
    unit_price: Rupiah
    qty_milli: int
    amount: Rupiah
    """What was paid back for this line (its net price, so it may be less than qty x price)."""


@dataclass(frozen=True, slots=True)
class RefundRecord:
    """One completed refund, as its receipt prints it."""

    id: str
    refund_no: str
    sale_id: str
    sale_receipt_no: str
    created_at: datetime
    cashier_name: str
    outlet: OutletInfo
    lines: tuple[ReturnedLine, ...]
    total: Rupiah
    method: str
    reason: str
    reference: str | None = None
    member_no: str | None = None
    member_name: str | None = None
    journal_seq: int | None = None
    journal_hash: str | None = None

    @property
    def to_kasbon(self) -> bool:
        """Returned to a kasbon sale: the customer's debt shrinks, no money changes hands."""
        return self.method == KASBON
