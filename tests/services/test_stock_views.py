"""Stock card, stock list and expiry list; the ledger proof: on-hand = sum of movements = the card's balance."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select, text, update

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.domain.roles import Action
from kkmp_pos.services import catalog, refunds, sales, stock
from kkmp_pos.services.adjustments import AdjustmentLine, adjustment_subject, record_adjustment
from kkmp_pos.services.approvals import record_own_authority, request_approval
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event, verify_journal
from kkmp_pos.services.stock_views import CardCursor, expiring_soon, set_low_stock, stock_card, stock_list
from kkmp_pos.store.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    Product,
    StockMovement,
    Supplier,
    User,
)
from kkmp_pos.store.types import utc_text

OIL, RICE, NOODLE = "MGR-MKT-1", "BRS-CURAH", "MIE-IDG"


def user_id(ctx: PosContext, username: str) -> str:
    with ctx.engine.connect() as connection:
        return connection.execute(select(User.id).where(User.username == username)).scalar_one()


def product(ctx: PosContext, sku: str):  # noqa: ANN201 - a catalogue Product
    found = catalog.find_by_sku(ctx, sku)
    assert found is not None
    return found


def receive_directly(ctx: PosContext, product_id: int, qty_milli: int, expiry: date | None,
                     receipt_no: str = "LPK-01-G000001") -> str:
    """A goods receipt written straight to its tables (this module only reads them)."""
    now = ctx.clock()
    receipt_id = str(uuid.uuid4())
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        supplier = str(uuid.uuid4())
        connection.execute(insert(Supplier.__table__), {"id": supplier, "name": f"Pemasok {receipt_no}",
                                                        "created_at": now})
        event = append_event(connection, type="stock_receipt", at=now, body={"receipt_id": receipt_id})
        connection.execute(insert(GoodsReceipt.__table__), {
            "id": receipt_id, "receipt_no": receipt_no, "supplier_id": supplier, "reference": "INV-1",
            "received_on": "2026-11-28", "total_cost": 0, "cashier_id": user_id(ctx, "manajer"),
            "created_at": now, "journal_seq": event.seq})
        connection.execute(insert(GoodsReceiptLine.__table__), {
            "id": str(uuid.uuid4()), "receipt_id": receipt_id, "line_no": 1, "product_id": product_id, "unit": "pcs",
            "unit_qty_milli": qty_milli, "factor_milli": 1000, "base_qty_milli": qty_milli, "unit_cost": 0,
            "line_cost": 0, "expiry_date": expiry.isoformat() if expiry else None})
        connection.execute(insert(StockMovement.__table__), {
            "id": str(uuid.uuid4()), "product_id": product_id, "qty_milli": qty_milli, "kind": "receipt",
            "ref_id": receipt_id, "created_at": now})
        uow.commit()
    return receipt_id


def ledger_sum(ctx: PosContext, product_id: int) -> int:
    with ctx.engine.connect() as connection:
        return connection.execute(text("SELECT SUM(qty_milli) FROM stock_movement WHERE product_id = :p"),
                                  {"p": product_id}).scalar_one()


def test_the_ledger_after_opening_stock_a_sale_a_refund_a_receipt_and_adjustments(ctx: PosContext) -> None:
    oil, rice = product(ctx, OIL), product(ctx, RICE)
    kasir, manager = user_id(ctx, "kasir"), user_id(ctx, "manajer")
    cart = Cart()
    cart.add(oil, 3000)
    cart.add(rice, 1333)
    sale = sales.complete_sale(ctx, cart, [cash_payment(cart.total, cart.total)], cashier_id=kasir)
    refundable = refunds.refundable_sale(ctx, sale.receipt_no)
    oil_line = next(line for line in refundable.lines if line.sku == OIL)
    approval = request_approval(ctx, action=Action.REFUND, cashier_id=kasir, approver_username="manajer",
                                pin="2222", reason="kemasan bocor", subject=sale.receipt_no).id
    refund = refunds.create_refund(ctx, sale.receipt_no, [(oil_line.sale_line_id, 1000)], "tunai",
                                   cashier_id=kasir, approval_id=approval, reason="kemasan bocor")
    receive_directly(ctx, oil.id, 12_000, None)
    out = request_approval(ctx, action=Action.STOCK_ADJUSTMENT, cashier_id=kasir, approver_username="manajer",
                           pin="2222", reason="penyok", subject=adjustment_subject("rusak", [(OIL, -2000)])).id
    record_adjustment(ctx, reason="rusak", note="penyok", lines=[AdjustmentLine(oil.id, 2000)], cashier_id=kasir,
                      approval_id=out)
    grant = record_own_authority(ctx, action=Action.STOCK_ADJUSTMENT, user_id=manager,
                                 subject=adjustment_subject("koreksi", [(OIL, 1000), (RICE, 250)]))
    record_adjustment(ctx, reason="koreksi", note="salah hitung", cashier_id=manager, approval_id=grant.id,
                      lines=[AdjustmentLine(oil.id, 1000, incoming=True), AdjustmentLine(rice.id, 250, incoming=True)])

    # By hand: oil 50 - 3 + 1 + 12 - 2 + 1 = 59 pieces; rice 50 - 1,333 + 0,250 = 48,917 kg.
    assert stock.on_hand(ctx, [oil.id, rice.id]) == {oil.id: 59_000, rice.id: 48_917}
    assert ledger_sum(ctx, oil.id) == 59_000 and ledger_sum(ctx, rice.id) == 48_917
    card = stock_card(ctx, oil.id)
    assert [(line.kind, line.reference, line.in_milli, line.out_milli, line.balance_milli) for line in card.lines] == [
        ("opening", "", 50_000, 0, 50_000),
        ("sale", sale.receipt_no, 0, 3000, 47_000),
        ("refund", refund.refund_no, 1000, 0, 48_000),
        ("receipt", "LPK-01-G000001", 12_000, 0, 60_000),
        ("adjustment", "Rusak: penyok", 0, 2000, 58_000),
        ("adjustment", "Koreksi: salah hitung", 1000, 0, 59_000),
    ]
    assert card.older is None and card.opening_milli == 0
    rice_card = stock_card(ctx, rice.id)
    assert rice_card.weighed and rice_card.lines[-1].balance_milli == 48_917
    assert all(line.moved_at == ctx.clock() for line in card.lines)
    assert verify_journal(ctx.engine) is None


def test_a_stock_card_of_ten_thousand_movements_pages_through_the_index(ctx: PosContext) -> None:
    noodle = product(ctx, NOODLE).id
    start = datetime(2026, 12, 1, tzinfo=timezone.utc)  # after the opening stock
    rows = [{"id": str(uuid.uuid4()), "product_id": noodle, "qty_milli": (-1000 if n % 3 else 2000),
             "kind": "sale", "ref_id": None, "created_at": start + timedelta(minutes=n)} for n in range(10_500)]
    with ctx.unit_of_work() as uow:
        uow.connection.execute(insert(StockMovement.__table__), rows)
        uow.commit()
    total = ledger_sum(ctx, noodle)
    card = stock_card(ctx, noodle, limit=200)
    assert len(card.lines) == 200 and card.older is not None
    assert card.lines[-1].balance_milli == total == stock.on_hand(ctx, [noodle])[noodle]
    assert card.lines[0].moved_at < card.lines[-1].moved_at  # oldest first on the page
    older = stock_card(ctx, noodle, before=card.older, limit=200)
    assert older.lines[-1].balance_milli == card.opening_milli
    assert older.lines[-1].moved_at < card.lines[0].moved_at
    # Walk back to the very first movement (the opening stock): every page joins the next one's opening.
    cursor: CardCursor | None = older.older
    seen = len(card.lines) + len(older.lines)
    while cursor is not None:
        page = stock_card(ctx, noodle, before=cursor, limit=2000)
        cursor, seen = page.older, seen + len(page.lines)
    assert page.opening_milli == 0 and page.lines[0].kind == "opening" and seen == 10_501
    with ctx.engine.connect() as connection:
        plan = " ".join(str(row[-1]) for row in connection.execute(text(
            "EXPLAIN QUERY PLAN SELECT rowid FROM stock_movement WHERE product_id = :p "
            "AND (created_at, rowid) < (:t, 1e18) ORDER BY created_at DESC, rowid DESC LIMIT 5"),
            {"p": noodle, "t": utc_text(start)}))
    assert "ix_stock_movement_product_id_created_at" in plan


def test_the_stock_list_filters_needs_order_and_totals_the_value(ctx: PosContext) -> None:
    oil, rice = product(ctx, OIL), product(ctx, RICE)
    manager = user_id(ctx, "manajer")
    with ctx.unit_of_work() as uow:
        uow.connection.execute(update(Product.__table__).where(Product.id == oil.id).values(cost_price=14_500))
        uow.connection.execute(update(Product.__table__).where(Product.id == rice.id).values(cost_price=12_345))
        uow.commit()
    set_low_stock(ctx, oil.id, 60_000, user_role="manajer", user_id=manager)
    set_low_stock(ctx, rice.id, 10_000, user_role="manajer", user_id=manager)
    needs = stock_list(ctx, needs_order=True)
    assert [row.sku for row in needs.rows] == [OIL] and needs.matching == 1
    assert needs.total_value == 50 * 14_500
    rice_only = stock_list(ctx, "beras curah")
    assert [row.sku for row in rice_only.rows] == [RICE]
    assert rice_only.rows[0].value == rice_only.total_value == 617_250  # 50 kg x Rp12.345
    everything = stock_list(ctx)
    assert everything.total_value == sum(row.value for row in everything.rows)
    assert everything.matching == len(everything.rows)
    assert len(stock_list(ctx, limit=5).rows) == 5 and stock_list(ctx, limit=5).total_value == everything.total_value
    set_low_stock(ctx, oil.id, None, user_role="admin", user_id=manager)
    assert stock_list(ctx, needs_order=True).matching == 0
    with pytest.raises(InvalidInput, match="Hanya manajer"):
        set_low_stock(ctx, oil.id, 1000, user_role="kasir", user_id=user_id(ctx, "kasir"))
    assert verify_journal(ctx.engine) is None


def test_soon_expiring_lists_receipt_lines_within_the_window_of_goods_still_on_hand(ctx: PosContext) -> None:
    oil, noodle = product(ctx, OIL), product(ctx, NOODLE)
    today = date(2026, 11, 30)
    receive_directly(ctx, oil.id, 24_000, today + timedelta(days=10), "LPK-01-G000001")
    receive_directly(ctx, noodle.id, 40_000, today + timedelta(days=45), "LPK-01-G000002")
    receive_directly(ctx, noodle.id, 40_000, today - timedelta(days=2), "LPK-01-G000003")
    soon = expiring_soon(ctx)
    assert [(line.receipt_no, line.sku, line.received_milli, line.days_left) for line in soon] == [
        ("LPK-01-G000003", NOODLE, 40_000, -2), ("LPK-01-G000001", OIL, 24_000, 10)]
    assert [line.receipt_no for line in expiring_soon(ctx, 60)][-1] == "LPK-01-G000002"
    with pytest.raises(InvalidInput):
        expiring_soon(ctx, -1)
