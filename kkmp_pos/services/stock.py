"""Stock on hand as the sum of the ledger, and opening balances (issue 5 adds receipts and counts)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

from sqlalchemy import Connection, func, insert, select

from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import Product, StockMovement

_movement = StockMovement.__table__
_product = Product.__table__


def on_hand(ctx: PosContext, product_ids: Iterable[int]) -> dict[int, int]:
    """On-hand quantity in thousandths for each product id (0 when it has no movement)."""
    with reading(ctx.engine) as connection:
        return on_hand_in(connection, product_ids)


def on_hand_in(connection: Connection, product_ids: Iterable[int]) -> dict[int, int]:
    """`on_hand` inside the caller's transaction (a count line's expected figure is read where it is written)."""
    ids = list(product_ids)
    sums = dict(connection.execute(
        select(_movement.c.product_id, func.sum(_movement.c.qty_milli))
        .where(_movement.c.product_id.in_(ids)).group_by(_movement.c.product_id)
    ).all())
    return {pid: int(sums.get(pid, 0)) for pid in ids}


def record_opening_stock(ctx: PosContext, quantities: Mapping[str, int], reason: str) -> int:
    """Post opening balances by SKU (thousandths) as adjustment movements plus one journal event."""
    now = ctx.clock()
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        ids = dict(connection.execute(
            select(_product.c.sku, _product.c.id).where(_product.c.sku.in_(list(quantities)))
        ).all())
        lines = [{"sku": sku, "qty_milli": qty} for sku, qty in quantities.items() if sku in ids and qty]
        if not lines:
            return 0
        adjustment_id = str(uuid.uuid4())
        append_event(connection, type="stock_adjustment", at=now,
                     body={"adjustment_id": adjustment_id, "reason": reason, "lines": lines})
        connection.execute(insert(_movement), [
            {"id": str(uuid.uuid4()), "product_id": ids[line["sku"]], "qty_milli": line["qty_milli"],
             "kind": "adjustment", "ref_id": adjustment_id, "created_at": now}
            for line in lines
        ])
        uow.commit()
    return len(lines)
