"""A sale is written whole in one transaction, or not at all; its journal event chains correctly."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.payment import Payment, cash_payment
from kkmp_pos.services import catalog, history, outlet, sales, stock
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import verify_journal
from sync.protocol.canonical import event_hash

TABLES = ("sale", "sale_line", "payment", "stock_movement", "journal_event")


def _counts(ctx: PosContext) -> dict[str, int]:
    with ctx.engine.connect() as connection:
        return {t: int(connection.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() or 0) for t in TABLES}


def _cart(ctx: PosContext) -> Cart:
    cart = Cart()
    oil = catalog.find_by_barcode(ctx, "8999900000055")
    rice = catalog.find_by_sku(ctx, "BRS-CURAH")
    assert oil and rice
    cart.add(oil, 2000)
    cart.add(rice, 1250)
    return cart


def _sell(ctx: PosContext, cart: Cart, received: int = 100_000) -> sales.CompletedSale:
    return sales.complete_sale(ctx, cart, [cash_payment(cart.total, received)],
                               cashier_id=outlet.default_cashier(ctx).id)


def test_a_sale_writes_header_lines_payment_stock_and_journal(ctx: PosContext) -> None:
    before = _counts(ctx)
    cart = _cart(ctx)
    done = _sell(ctx, cart)
    assert (done.receipt_no, done.total, done.change) == ("LPK-01-000001", 48275, 51725)
    after = _counts(ctx)
    assert {t: after[t] - before[t] for t in TABLES} == {
        "sale": 1, "sale_line": 2, "payment": 1, "stock_movement": 2, "journal_event": 1}
    record = history.load_sale(ctx, done.sale_id)
    assert [(x.sku, x.qty_milli, x.total) for x in record.lines] == [("MGR-MKT-1", 2000, 31400),
                                                                     ("BRS-CURAH", 1250, 16875)]
    oil, rice = cart.lines[0].product.id, cart.lines[1].product.id
    assert stock.on_hand(ctx, [oil, rice]) == {oil: 48_000, rice: 48_750}
    with ctx.engine.connect() as connection:
        row = connection.exec_driver_sql(
            "SELECT * FROM journal_event WHERE seq = ?", (done.journal_seq,)).mappings().one()
    body = json.loads(row["body"])
    assert row["type"] == "sale" and body["receipt_no"] == "LPK-01-000001" and body["total"] == 48275
    assert [line["qty_milli"] for line in body["lines"]] == [2000, 1250]
    event: dict[str, Any] = dict(row) | {"body": body}
    assert event_hash(event) == row["hash"]
    assert verify_journal(ctx.engine) is None
    assert _sell(ctx, _cart(ctx)).receipt_no == "LPK-01-000002"


def test_a_failure_after_the_lines_leaves_nothing_of_the_sale(ctx: PosContext,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    before = _counts(ctx)

    def power_cut(*_args: object) -> None:
        raise OSError("disk I/O error")

    monkeypatch.setattr(sales, "_write_stock_movements", power_cut)
    with pytest.raises(OSError):
        _sell(ctx, _cart(ctx))
    assert _counts(ctx) == before
    monkeypatch.undo()
    done = _sell(ctx, _cart(ctx))
    assert done.receipt_no == "LPK-01-000001"  # the failed attempt used no number
    assert verify_journal(ctx.engine) is None


def test_bad_sales_are_refused_with_a_message_and_write_nothing(ctx: PosContext) -> None:
    before = _counts(ctx)
    cashier = outlet.default_cashier(ctx).id
    with pytest.raises(InvalidInput, match="Keranjang masih kosong"):
        sales.complete_sale(ctx, Cart(), [cash_payment(0, 0)], cashier_id=cashier)
    cart = _cart(ctx)
    with pytest.raises(InvalidInput, match="tidak sama dengan total"):
        sales.complete_sale(ctx, cart, [cash_payment(cart.total - 1, 100_000)], cashier_id=cashier)
    with pytest.raises(InvalidInput, match="Belum ada pembayaran"):
        sales.complete_sale(ctx, cart, [], cashier_id=cashier)
    with pytest.raises(InvalidInput, match="Kembalian hanya dari pembayaran tunai"):
        sales.complete_sale(ctx, cart, [Payment("qris", cart.total, cart.total + 5, 5, "REF1")], cashier_id=cashier)
    assert _counts(ctx) == before


def test_tampering_with_a_stored_event_is_found_at_its_seq(ctx: PosContext) -> None:
    first = _sell(ctx, _cart(ctx))
    _sell(ctx, _cart(ctx))
    with ctx.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE journal_event SET body = replace(body, '\"total\":48275', '\"total\":1') WHERE seq = ?",
            (first.journal_seq,))
    assert verify_journal(ctx.engine) == first.journal_seq


def test_history_lists_todays_sales_newest_first_and_finds_by_number(ctx: PosContext) -> None:
    one, two = _sell(ctx, _cart(ctx)), _sell(ctx, _cart(ctx), received=50_000)
    listed = history.sales_of_day(ctx)
    assert [s.receipt_no for s in listed] == [two.receipt_no, one.receipt_no]
    assert listed[0].methods == "tunai" and listed[0].cashier_name == "Siti Rahmawati"
    assert [s.receipt_no for s in history.sales_of_day(ctx, receipt_filter="0001")] == [one.receipt_no]
    assert history.find_sale_id(ctx, "lpk-01-000002") == two.sale_id
    with pytest.raises(Exception, match="tidak ditemukan"):
        history.find_sale_id(ctx, "LPK-01-999999")
