"""The cart being rung up: lines with a price snapshot, exact quantities, discounts and whole-rupiah totals."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.lpg import LpgBuyerRef, is_subsidised
from kkmp_pos.domain.money import Rupiah, round_half_up_div
from kkmp_pos.domain.product import Product
from kkmp_pos.domain.quantity import MAX_QUANTITY_MILLI, MILLI, line_amount

MEMBER = "anggota"
CUSTOMER = "pelanggan"


@dataclass(frozen=True, slots=True)
class MemberRef:
    """The buyer attached to the cart: an anggota (member prices apply) or a named pelanggan."""

    id: str
    member_no: str
    name: str
    kind: str = MEMBER

    @property
    def gets_member_prices(self) -> bool:
        return self.kind == MEMBER


@dataclass(frozen=True, slots=True)
class Discount:
    """Either a rupiah amount or a percentage in basis points (1250 = 12,5 %), never both."""

    amount: Rupiah = 0
    percent_bp: int = 0

    def __post_init__(self) -> None:
        if self.amount < 0 or self.percent_bp < 0:
            raise InvalidInput("Diskon tidak boleh negatif.")
        if self.amount and self.percent_bp:
            raise InvalidInput("Pilih diskon rupiah atau persen, tidak keduanya.")
        if self.percent_bp > 10_000:
            raise InvalidInput("Diskon tidak boleh lebih dari 100%.")

    def of(self, base: Rupiah) -> Rupiah:
        """The discount in rupiah on `base` (rounded half-up; never more than the base)."""
        if self.percent_bp:
            return min(base, round_half_up_div(base * self.percent_bp, 10_000))
        return min(base, self.amount)


@dataclass(frozen=True, slots=True)
class CartLine:
    """One product in the cart; the price is copied when scanned so later catalogue edits don't move it."""

    product: Product
    qty_milli: int
    unit_price: Rupiah
    list_price: Rupiah = -1
    """The catalogue price when scanned (before member or manual prices); -1 means 'same as unit_price'."""
    manual_price: bool = False
    discount: Discount | None = None
    lpg_buyer: LpgBuyerRef | None = None
    """Who buys a subsidised 3 kg cylinder (NIK and category are recorded with every such line)."""

    def __post_init__(self) -> None:
        if self.list_price < 0:
            object.__setattr__(self, "list_price", self.unit_price)

    @property
    def gross(self) -> Rupiah:
        return line_amount(self.unit_price, self.qty_milli)

    @property
    def line_discount(self) -> Rupiah:
        return self.discount.of(self.gross) if self.discount else 0

    @property
    def total(self) -> Rupiah:
        """The line after its own discount, before any share of the cart discount."""
        return self.gross - self.line_discount


def _price_for(product: Product, member: MemberRef | None) -> Rupiah:
    if member is not None and member.gets_member_prices and product.member_price is not None:
        return product.member_price
    return product.price


@dataclass(slots=True)
class Cart:
    """An ordered list of lines; scanning the same piece-goods product again adds to its line."""

    lines: list[CartLine] = field(default_factory=list)
    member: MemberRef | None = None
    discount: Discount | None = None

    def add(self, product: Product, qty_milli: int = MILLI, *, lpg_buyer: LpgBuyerRef | None = None) -> int:
        """Add `qty_milli` of `product`; returns the index of the line that changed.

        A subsidised 3 kg LPG cylinder needs its buyer; the same buyer's cylinders share one line.
        """
        _check_quantity(product, qty_milli)
        if is_subsidised(product) and lpg_buyer is None:
            raise InvalidInput("Elpiji 3 kg bersubsidi perlu NIK dan kategori pembeli. Isi data pembeli dulu.")
        price = _price_for(product, self.member)
        if not product.sold_by_weight:
            for index, line in enumerate(self.lines):
                if (line.product.id == product.id and line.unit_price == price and not line.manual_price
                        and line.discount is None and line.lpg_buyer == lpg_buyer):
                    self.set_quantity(index, line.qty_milli + qty_milli)
                    return index
        self.lines.append(CartLine(product=product, qty_milli=qty_milli, unit_price=price, list_price=product.price,
                                   lpg_buyer=lpg_buyer))
        return len(self.lines) - 1

    def set_quantity(self, index: int, qty_milli: int) -> None:
        line = self.lines[index]
        _check_quantity(line.product, qty_milli)
        self.lines[index] = replace(line, qty_milli=qty_milli)

    def set_price(self, index: int, unit_price: Rupiah) -> None:
        """A manual price (needs a manager's approval when the sale completes)."""
        if unit_price < 0:
            raise InvalidInput("Harga tidak boleh negatif.")
        self.lines[index] = replace(self.lines[index], unit_price=unit_price, manual_price=True)

    def set_line_discount(self, index: int, discount: Discount | None) -> None:
        self.lines[index] = replace(self.lines[index], discount=discount)

    def set_member(self, member: MemberRef | None) -> None:
        """Attach (or detach) the buyer; lines not priced by hand move to that buyer's price."""
        self.member = member
        self.lines = [
            line if line.manual_price else replace(line, unit_price=_price_for(line.product, member))
            for line in self.lines
        ]

    def remove(self, index: int) -> CartLine:
        return self.lines.pop(index)

    def clear(self) -> None:
        self.lines.clear()
        self.member = None
        self.discount = None

    @property
    def subtotal(self) -> Rupiah:
        return sum(line.total for line in self.lines)

    @property
    def cart_discount(self) -> Rupiah:
        return self.discount.of(self.subtotal) if self.discount else 0

    @property
    def discount_total(self) -> Rupiah:
        return sum(line.line_discount for line in self.lines) + self.cart_discount

    @property
    def total(self) -> Rupiah:
        return self.subtotal - self.cart_discount

    def cart_discount_shares(self) -> list[Rupiah]:
        """The cart discount spread over the lines in proportion to their totals, summing exactly."""
        return allocate(self.cart_discount, [line.total for line in self.lines])

    @property
    def item_count(self) -> int:
        """Pieces count one each; a weighed line counts as one item whatever it weighs."""
        return sum(1 if line.product.sold_by_weight else line.qty_milli // MILLI for line in self.lines)

    def is_empty(self) -> bool:
        return not self.lines


def allocate(amount: Rupiah, weights: list[Rupiah]) -> list[Rupiah]:
    """Split `amount` over `weights` proportionally in whole rupiah, summing exactly to `amount`.

    Largest remainder; ties go to the earlier line, so the split is deterministic (refunds rely on it).
    """
    total = sum(weights)
    if amount == 0 or total <= 0:
        return [0] * len(weights)
    shares = [amount * w // total for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(amount * weights[i] % total), i))
    for i in remainders[: amount - sum(shares)]:
        shares[i] += 1
    return shares


def _check_quantity(product: Product, qty_milli: int) -> None:
    if qty_milli <= 0:
        raise InvalidInput("Jumlah harus lebih dari nol.")
    if qty_milli > MAX_QUANTITY_MILLI:
        raise InvalidInput("Jumlah terlalu besar untuk satu baris.")
    if not product.sold_by_weight and qty_milli % MILLI:
        raise InvalidInput("Barang ini dijual per satuan: jumlahnya harus bilangan bulat.")
