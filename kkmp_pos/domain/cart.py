"""The cart being rung up: lines with a price snapshot, exact quantities and whole-rupiah totals."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah
from kkmp_pos.domain.product import Product
from kkmp_pos.domain.quantity import MAX_QUANTITY_MILLI, MILLI, line_amount


@dataclass(frozen=True, slots=True)
class CartLine:
    """One product in the cart; the price is copied when scanned so later catalogue edits don't move it."""

    product: Product
    qty_milli: int
    unit_price: Rupiah

    @property
    def total(self) -> Rupiah:
        return line_amount(self.unit_price, self.qty_milli)


@dataclass(slots=True)
class Cart:
    """An ordered list of lines; scanning the same piece-goods product again adds to its line."""

    lines: list[CartLine] = field(default_factory=list)

    def add(self, product: Product, qty_milli: int = MILLI) -> int:
        """Add `qty_milli` of `product`; returns the index of the line that changed."""
        _check_quantity(product, qty_milli)
        if not product.sold_by_weight:
            for index, line in enumerate(self.lines):
                if line.product.id == product.id and line.unit_price == product.price:
                    self.set_quantity(index, line.qty_milli + qty_milli)
                    return index
        self.lines.append(CartLine(product=product, qty_milli=qty_milli, unit_price=product.price))
        return len(self.lines) - 1

    def set_quantity(self, index: int, qty_milli: int) -> None:
        line = self.lines[index]
        _check_quantity(line.product, qty_milli)
        self.lines[index] = replace(line, qty_milli=qty_milli)

    def remove(self, index: int) -> CartLine:
        return self.lines.pop(index)

    def clear(self) -> None:
        self.lines.clear()

    @property
    def total(self) -> Rupiah:
        return sum(line.total for line in self.lines)

    @property
    def item_count(self) -> int:
        """Pieces count one each; a weighed line counts as one item whatever it weighs."""
        return sum(1 if line.product.sold_by_weight else line.qty_milli // MILLI for line in self.lines)

    def is_empty(self) -> bool:
        return not self.lines


def _check_quantity(product: Product, qty_milli: int) -> None:
    if qty_milli <= 0:
        raise InvalidInput("Jumlah harus lebih dari nol.")
    if qty_milli > MAX_QUANTITY_MILLI:
        raise InvalidInput("Jumlah terlalu besar untuk satu baris.")
    if not product.sold_by_weight and qty_milli % MILLI:
        raise InvalidInput("Barang ini dijual per satuan: jumlahnya harus bilangan bulat.")
