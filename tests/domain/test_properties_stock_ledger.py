"""Property: the stock ledger of a real outlet moves by exactly what each sale, receipt, adjustment and count says.

Hypothesis drives random runs of the real services (sales, refunds, goods receipts, adjustments, approved
counts) against one real SQLite demo outlet per test; a pure model adds up the signed quantities. After every
step the position (`stock.on_hand`, itself the sum of the ledger) equals the model to the gram, and every
movement row equals its operation's quantity. Examples are few (each runs real transactions), the outlet
carries over from example to example, so the model starts from the position read at each example's start.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.goods_receipt import GoodsReceiptDraft, ReceiptLineInput
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.domain.roles import Action
from kkmp_pos.services import catalog, receiving, refunds, sales, stock
from kkmp_pos.services.adjustments import AdjustmentLine, adjustment_subject, record_adjustment
from kkmp_pos.services.approvals import record_own_authority
from kkmp_pos.services.auth import login
from kkmp_pos.services.context import PosContext, open_context
from kkmp_pos.services.demo import DEMO_PINS, seed_demo
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.outlet import default_cashier
from kkmp_pos.services.shifts import open_shift
from kkmp_pos.services.stock_count import approve_count, record_count, set_reason, start_count
from kkmp_pos.services.suppliers import list_suppliers

SKUS = ("MGR-MKT-1", "MIE-IDG", "GLA-1", "BRS-CURAH", "TLR-KG", "MGR-CURAH")
MOMENT = datetime(2026, 11, 30, 2, 15, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def outlet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PosContext]:
    ctx = open_context(tmp_path_factory.mktemp("ledger") / "data", clock=fixed_clock(MOMENT))
    seed_demo(ctx)
    open_shift(ctx, cashier_id=default_cashier(ctx).id, counts={50_000: 2})
    yield ctx
    ctx.close()


def _quantity(weighed: bool) -> st.SearchStrategy[int]:
    return st.integers(1, 4_000) if weighed else st.integers(1, 4).map(lambda n: n * 1000)


operations = st.lists(st.tuples(st.sampled_from(("sale", "refund", "receipt", "adjust_out", "adjust_in",
                                                 "count")), st.sampled_from(SKUS), st.data()),
                      min_size=1, max_size=6)


def _ledger_sum(ctx: PosContext, product_id: int) -> int:
    with ctx.engine.connect() as connection:
        return int(connection.execute(text("SELECT coalesce(sum(qty_milli), 0) FROM stock_movement "
                                           "WHERE product_id = :p"), {"p": product_id}).scalar_one())


@settings(max_examples=60)
@given(operations)
def test_every_operation_moves_the_ledger_by_exactly_its_quantity(outlet: PosContext, steps: list) -> None:  # type: ignore[type-arg]
    ctx = outlet
    kasir = default_cashier(ctx).id
    boss = login(ctx, "manajer", DEMO_PINS["manajer"])
    products = {sku: catalog.find_by_sku(ctx, sku) for sku in SKUS}
    ids = [p.id for p in products.values() if p is not None]
    model = stock.on_hand(ctx, ids)
    for kind, sku, data in steps:
        product = products[sku]
        assert product is not None
        weighed = product.sold_by_weight
        if kind in ("sale", "refund"):
            qty = data.draw(_quantity(weighed))
            cart = Cart()
            cart.add(product, qty)
            sold = sales.complete_sale(ctx, cart, [cash_payment(cart.total, cart.total)], cashier_id=kasir)
            model[product.id] -= qty
            if kind == "refund":  # part of it comes straight back
                line = refunds.refundable_sale(ctx, sold.receipt_no).lines[0]
                back = data.draw(st.integers(1, qty) if weighed else st.integers(1, qty // 1000).map(
                    lambda n: n * 1000))
                grant = record_own_authority(ctx, action=Action.REFUND, user_id=boss.id, subject=sold.receipt_no)
                refunds.create_refund(ctx, sold.receipt_no, [(line.sale_line_id, back)], "tunai",
                                      cashier_id=kasir, approval_id=grant.id, reason="salah beli")
                model[product.id] += back
        elif kind == "receipt":
            qty = data.draw(st.integers(1, 20) if not weighed else st.integers(1, 20_000)) * (
                1000 if not weighed else 1)
            draft = GoodsReceiptDraft(supplier_id=list_suppliers(ctx)[0].id, reference="FK-UJI", received_on=date(2026, 11, 30),
                                      lines=(ReceiptLineInput(product.id, product.unit, qty,
                                                              data.draw(st.integers(0, 500_000))),))
            receiving.record_goods_receipt(ctx, draft, by=boss)
            model[product.id] += qty
        elif kind in ("adjust_out", "adjust_in"):
            qty = data.draw(_quantity(weighed))
            incoming = kind == "adjust_in"
            reason = "koreksi" if incoming else "rusak"
            grant = record_own_authority(ctx, action=Action.STOCK_ADJUSTMENT, user_id=boss.id,
                                         subject=adjustment_subject(reason, [(sku, qty if incoming else -qty)]))
            record_adjustment(ctx, reason=reason, note="uji properti" if incoming else None,
                              lines=[AdjustmentLine(product.id, qty, incoming)], cashier_id=boss.id,
                              approval_id=grant.id)
            model[product.id] += qty if incoming else -qty
        else:  # an approved count sets the position to what was counted, to the gram
            counted = data.draw(st.integers(0, 80_000) if weighed else st.integers(0, 80).map(lambda n: n * 1000))
            count = start_count(ctx, "list", sku, by=boss)
            record_count(ctx, count.id, product.id, counted, "set")
            if counted != model[product.id]:
                set_reason(ctx, count.id, product.id, "rusak", None)
            grant = record_own_authority(ctx, action=Action.STOCK_COUNT, user_id=boss.id, subject=count.count_no)
            approve_count(ctx, count.id, approval_id=grant.id, by=boss, counter_name="Andi", witness_name="Budi")
            model[product.id] = counted
        position = stock.on_hand(ctx, ids)
        assert position == model, (kind, sku)
        assert _ledger_sum(ctx, product.id) == position[product.id]
    assert verify_journal(ctx.engine) is None

