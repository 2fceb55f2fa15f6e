"""Regulated prices (HET, HAP) as dated data: the ceiling in force for a SKU on a given day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, bindparam, select

from kkmp_pos.domain.product import Product
from kkmp_pos.domain.sale_rules import Ceiling
from kkmp_pos.store.models import PriceCeiling

_ceiling = PriceCeiling.__table__
# Built once (the sale path runs it on every sale); the expanding IN keeps one cached compiled form.
_IN_FORCE = (
    select(_ceiling.c.sku, _ceiling.c.kind, _ceiling.c.amount, _ceiling.c.source)
    .where(_ceiling.c.sku.in_(bindparam("skus", expanding=True)), _ceiling.c.effective_from <= bindparam("day"))
    .order_by(_ceiling.c.sku, _ceiling.c.kind.desc(), _ceiling.c.effective_from.desc())
)


def ceilings_in_force(connection: Connection, products: Iterable[Product], day: date) -> dict[str, Ceiling]:
    """For each product, the newest ceiling effective on `day`; the catalogue's own HET otherwise.

    A HET outranks a HAP for the same SKU: it is the one that blocks.
    """
    products = list(products)
    wanted = sorted({p.sku for p in products})
    if not wanted:
        return {}
    found: dict[str, Ceiling] = {}
    rows = connection.execute(_IN_FORCE, {"skus": wanted, "day": day.isoformat()}).all()
    for sku, kind, amount, source in rows:
        current = found.get(sku)
        if current is None or (current.kind == "HAP" and kind == "HET"):
            found[sku] = Ceiling(sku=sku, kind=kind, amount=amount, source=source)
    for product in products:
        if product.sku not in found and product.het is not None:
            found[product.sku] = Ceiling(sku=product.sku, kind="HET", amount=product.het, source="katalog")
    return found
