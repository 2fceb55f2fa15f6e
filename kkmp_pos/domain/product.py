"""A product as the till sees it: what it is called, how it is sold, what it costs and may cost."""

from __future__ import annotations

from dataclasses import dataclass

from kkmp_pos.domain.money import Rupiah

PPN_EXEMPT = "bebas"
PPN_TAXABLE = "kena"
LPG_KINDS = ("subsidi_refill", "subsidi_new", "refill", "new")


@dataclass(frozen=True, slots=True)
class Product:
    """One catalogue entry; prices are per base unit (per kg for loose goods)."""

    id: int
    sku: str
    name: str
    category: str
    unit: str
    price: Rupiah
    member_price: Rupiah | None = None
    het: Rupiah | None = None
    ppn: str = PPN_EXEMPT
    sold_by_weight: bool = False
    lpg_kind: str | None = None
    barcode: str | None = None
