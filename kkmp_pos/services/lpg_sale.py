"""The elpiji part of a sale, inside its transaction: per-NIK limits, the logbook row, cylinder stock."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.lpg import (
    LpgBuyerRef,
    cylinder_deltas,
    cylinder_size,
    is_subsidised,
    over_limit,
    parse_limits,
    refund_cylinder_deltas,
)
from kkmp_pos.domain.product import Product
from kkmp_pos.domain.quantity import MILLI
from kkmp_pos.domain.roles import Action
from kkmp_pos.domain.sale_rules import Requirement
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import CylinderMovement, LpgSaleLine, RefundLine, SaleLine, Setting
from kkmp_pos.store.models import Product as ProductRow

_lpg_line = LpgSaleLine.__table__
_line = SaleLine.__table__
_refund_line = RefundLine.__table__
_product = ProductRow.__table__
_setting = Setting.__table__
_movement = CylinderMovement.__table__
_INSERT_LPG = insert(_lpg_line)
_INSERT_MOVEMENT = insert(_movement)
LIMITS_KEY = "lpg_limits"
_LIMITS = select(_setting.c.value).where(_setting.c.key == LIMITS_KEY)
_SUB_PANGKALAN = select(_setting.c.value).where(_setting.c.key == "lpg_sub_pangkalan")
RETURNED_MILLI = (
    select(func.coalesce(func.sum(_refund_line.c.qty_milli), 0))
    .where(_refund_line.c.sale_line_id == _line.c.id)
    .correlate(_line)
    .scalar_subquery()
)
"""What of the sale line in the enclosing query came back on refunds (thousandths); a query must join sale_line."""
NET_QTY_MILLI = _line.c.qty_milli - RETURNED_MILLI
"""A sale line's quantity net of its refunds: a cylinder brought back was not handed out (limits, logbook)."""
_BOUGHT = (
    select(func.coalesce(func.sum(NET_QTY_MILLI), 0))
    .select_from(_lpg_line.join(_line, _line.c.id == _lpg_line.c.sale_line_id))
    .where(_lpg_line.c.buyer_id == bindparam("buyer"))
)
_BOUGHT_DAY = _BOUGHT.where(_lpg_line.c.business_date == bindparam("day"))
_BOUGHT_MONTH = _BOUGHT.where(_lpg_line.c.month == bindparam("month"))


def bought_by(ctx: PosContext, buyer_id: str, day: date) -> tuple[int, int]:
    """3 kg cylinders this buyer bought at this outlet on the WITA `day` and in its month (for a warning), net
    of what they brought back: a refunded cylinder no longer counts against their limit."""
    with reading(ctx.engine) as connection:
        today = connection.execute(_BOUGHT_DAY, {"buyer": buyer_id, "day": day.isoformat()}).scalar()
        month = connection.execute(_BOUGHT_MONTH, {"buyer": buyer_id, "month": day.isoformat()[:7]}).scalar()
    return int(today or 0) // MILLI, int(month or 0) // MILLI


def subsidised_buyers(cart: Cart) -> dict[str, tuple[LpgBuyerRef, int]]:
    """Each 3 kg buyer in the cart with the cylinders they are buying now; refuses a line without one."""
    found: dict[str, tuple[LpgBuyerRef, int]] = {}
    counts: Counter[str] = Counter()
    for line in cart.lines:
        if not is_subsidised(line.product):
            continue
        if line.lpg_buyer is None:
            raise InvalidInput("Elpiji 3 kg bersubsidi perlu NIK dan kategori pembeli. Isi data pembeli dulu.")
        counts[line.lpg_buyer.id] += line.qty_milli // MILLI
        found[line.lpg_buyer.id] = (line.lpg_buyer, 0)
    return {buyer_id: (buyer, counts[buyer_id]) for buyer_id, (buyer, _) in found.items()}


def lpg_requirements(connection: Connection, cart: Cart, day: date) -> list[Requirement]:
    """An approval for each NIK this sale would take over its category's daily or monthly limit."""
    buyers = subsidised_buyers(cart)
    if not buyers:
        return []
    if connection.execute(_SUB_PANGKALAN).scalar() == "0":
        # Only a registered (sub-)pangkalan may hand out subsidised 3 kg cylinders.
        raise InvalidInput("Gerai ini bukan sub-pangkalan elpiji 3 kg (Pengaturan → Elpiji), jadi tidak boleh "
                           "menjual elpiji 3 kg bersubsidi. Hapus baris elpiji 3 kg dari keranjang.")
    limits = parse_limits(connection.execute(_LIMITS).scalar())
    needs: list[Requirement] = []
    for buyer_id, (buyer, buying) in buyers.items():
        limit = limits.get(buyer.category)
        if limit is None:
            continue
        today = int(connection.execute(_BOUGHT_DAY, {"buyer": buyer_id, "day": day.isoformat()}).scalar() or 0)
        month = int(connection.execute(_BOUGHT_MONTH, {"buyer": buyer_id, "month": day.isoformat()[:7]}
                                       ).scalar() or 0)
        exceeded = over_limit(limit, bought_today=today // MILLI, bought_this_month=month // MILLI, buying=buying)
        if exceeded is not None:
            cap = limit.per_day if exceeded == "day" else limit.per_month
            bought = today // MILLI if exceeded == "day" else month // MILLI
            needs.append(Requirement(Action.LPG_OVER_LIMIT, buyer.nik_masked,
                                     {"limit": cap or 0, "period": exceeded, "bought": bought},
                                     {"bought": bought + buying}))
    return needs


def write_lpg(connection: Connection, sale_id: str, cart: Cart, lines: list[dict[str, Any]], day: date,
              now: datetime) -> None:
    """The logbook row of every 3 kg line and the cylinder movements of every LPG line."""
    logbook = []
    movements = []
    for line, row in zip(cart.lines, lines, strict=True):
        product = line.product
        if product.lpg_kind is None:
            continue
        if line.lpg_buyer is not None and is_subsidised(product):
            logbook.append({"sale_line_id": row["id"], "buyer_id": line.lpg_buyer.id,
                            "category": line.lpg_buyer.category, "business_date": day.isoformat(),
                            "month": day.isoformat()[:7], "map_entered_at": None, "map_entered_by": None})
        size = cylinder_size(product)
        if size is not None:
            full, empty = cylinder_deltas(product.lpg_kind, line.qty_milli // MILLI)
            movements.append({"id": str(uuid.uuid4()), "size": size, "full_delta": full, "empty_delta": empty,
                              "kind": "sale", "ref_id": sale_id, "note": product.sku, "created_at": now})
    if logbook:
        connection.execute(_INSERT_LPG, logbook)
    if movements:
        connection.execute(_INSERT_MOVEMENT, movements)


def write_lpg_refund(connection: Connection, refund_id: str, returned: Sequence[tuple[str, int]],
                     now: datetime) -> None:
    """The cylinder movements of a refund: for each returned LPG sale line ((sale line id, quantity in
    thousandths), ...), the sale's cylinder deltas undone for the pieces that came back (kind 'refund').

    The refund and the journal replay both call this, so a restored till gets the very same movements. The size
    comes from the sale line's name (as sold, kept in the journal) and the product's LPG kind, as at the sale.
    """
    wanted = [(sale_line_id, qty) for sale_line_id, qty in returned if qty >= MILLI]
    if not wanted:
        return
    facts = {row.id: row for row in connection.execute(
        select(_line.c.id, _line.c.product_id, _line.c.sku, _line.c.name, _product.c.lpg_kind)
        .join(_product, _product.c.id == _line.c.product_id)
        .where(_line.c.id.in_([sale_line_id for sale_line_id, _ in wanted]), _product.c.lpg_kind.is_not(None))
    )}
    movements = []
    for sale_line_id, qty in wanted:
        row = facts.get(sale_line_id)
        if row is None:  # not an LPG line
            continue
        size = cylinder_size(Product(id=row.product_id, sku=row.sku, name=row.name, category="", unit="", price=0,
                                     lpg_kind=row.lpg_kind))
        if size is None:
            continue
        full, empty = refund_cylinder_deltas(row.lpg_kind, qty // MILLI)
        movements.append({"id": str(uuid.uuid4()), "size": size, "full_delta": full, "empty_delta": empty,
                          "kind": "refund", "ref_id": refund_id, "note": row.sku, "created_at": now})
    if movements:
        connection.execute(_INSERT_MOVEMENT, movements)


def lpg_event_fields(line_buyer: LpgBuyerRef | None) -> dict[str, Any]:
    """What the city receives about a 3 kg buyer: an id, the masked NIK and the category, never the NIK."""
    if line_buyer is None:
        return {}
    return {"lpg": {"buyer_id": line_buyer.id, "nik_masked": line_buyer.nik_masked,
                    "category": line_buyer.category}}
