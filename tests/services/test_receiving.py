"""Goods receipts: stock in the base unit exactly, moving-average cost to the rupiah, all or nothing."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.goods_receipt import GoodsReceiptDraft, ReceiptLineInput
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.services import catalog, outlet, receiving, sales, stock
from kkmp_pos.services.approvals import approvers
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.suppliers import add_supplier, list_suppliers
from kkmp_pos.services.units import add_pack_unit, product_units, remove_pack_unit

TODAY = date(2026, 11, 30)
TABLES = ("goods_receipt", "goods_receipt_line", "stock_movement", "journal_event")


def _manager(ctx: PosContext) -> Cashier:
    return approvers(ctx)[0]


def _supplier_id(ctx: PosContext) -> str:
    return next(s.id for s in list_suppliers(ctx) if s.name == "CV Sumber Rezeki Samarinda")


def _product_id(ctx: PosContext, sku: str) -> int:
    product = catalog.find_by_sku(ctx, sku)
    assert product is not None
    return product.id


def _cost_price(ctx: PosContext, sku: str) -> int | None:
    with ctx.engine.connect() as connection:
        return connection.exec_driver_sql("SELECT cost_price FROM product WHERE sku = ?", (sku,)).scalar()


def _counts(ctx: PosContext) -> dict[str, int]:
    with ctx.engine.connect() as connection:
        return {t: int(connection.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() or 0) for t in TABLES}


def _receive(ctx: PosContext, *lines: ReceiptLineInput, reference: str = "FK-001") -> receiving.SavedGoodsReceipt:
    draft = GoodsReceiptDraft(supplier_id=_supplier_id(ctx), reference=reference, received_on=TODAY, lines=lines)
    return receiving.record_goods_receipt(ctx, draft, by=_manager(ctx))


def test_two_karung_in_and_0_750_kg_sold_leaves_exactly_49_250_kg_more(ctx: PosContext) -> None:
    rice = _product_id(ctx, "BRS-CURAH")
    before = stock.on_hand(ctx, [rice])[rice]
    saved = _receive(ctx, ReceiptLineInput(rice, "karung", 2000, 300_000, date(2027, 6, 30)))
    assert saved.receipt_no == "LPK-01-B000001"
    assert saved.total_cost == 600_000
    cart = Cart()
    product = catalog.find_by_sku(ctx, "BRS-CURAH")
    assert product is not None
    cart.add(product, 750)
    sales.complete_sale(ctx, cart, [cash_payment(cart.total, 20_000)], cashier_id=outlet.default_cashier(ctx).id)
    after = stock.on_hand(ctx, [rice])[rice]
    assert after - before == 49_250
    with ctx.engine.connect() as connection:
        total = connection.exec_driver_sql("SELECT sum(qty_milli) FROM stock_movement WHERE product_id = ?",
                                           (rice,)).scalar()
        line = connection.exec_driver_sql(
            "SELECT unit, unit_qty_milli, factor_milli, base_qty_milli, unit_cost, line_cost, expiry_date "
            "FROM goods_receipt_line").one()
    assert total == after
    assert tuple(line) == ("karung", 2000, 25_000, 50_000, 300_000, 600_000, "2027-06-30")
    assert verify_journal(ctx.engine) is None


def test_average_cost_across_two_receipts_to_the_rupiah(ctx: PosContext) -> None:
    noodles = _product_id(ctx, "MIE-IDG")
    assert stock.on_hand(ctx, [noodles])[noodles] == 50_000 and _cost_price(ctx, "MIE-IDG") == 3100
    _receive(ctx, ReceiptLineInput(noodles, "dus", 10_000, 120_000), reference="FK-101")
    # 50 pcs at Rp3.100 plus 400 pcs for Rp1.200.000: (155.000 + 1.200.000) / 450 = 3.011,11 -> Rp3.011.
    assert _cost_price(ctx, "MIE-IDG") == 3011
    _receive(ctx, ReceiptLineInput(noodles, "dus", 5000, 126_000), reference="FK-102")
    # 450 pcs at Rp3.011 plus 200 pcs for Rp630.000: (1.354.950 + 630.000) / 650 = 3.053,77 -> Rp3.054.
    assert _cost_price(ctx, "MIE-IDG") == 3054
    assert stock.on_hand(ctx, [noodles])[noodles] == 650_000
    assert [r.receipt_no for r in receiving.recent_goods_receipts(ctx)] == ["LPK-01-B000002", "LPK-01-B000001"]
    assert verify_journal(ctx.engine) is None


def test_two_lines_of_one_product_average_in_order_and_stock_at_zero_takes_the_receipt_cost(
        ctx: PosContext) -> None:
    tea = _product_id(ctx, "MIE-IDS")
    with ctx.unit_of_work() as uow:  # sell it all out first: no value left to average with
        uow.connection.exec_driver_sql("DELETE FROM stock_movement WHERE product_id = ?", (tea,))
        uow.commit()
    _receive(ctx, ReceiptLineInput(tea, "pcs", 10_000, 2_900), ReceiptLineInput(tea, "pcs", 30_000, 3_000))
    # First line alone: Rp2.900. Then (10 x 2.900 + 90.000) / 40 = 2.975.
    assert _cost_price(ctx, "MIE-IDS") == 2975
    assert stock.on_hand(ctx, [tea])[tea] == 40_000


def test_the_journal_event_carries_the_lines(ctx: PosContext) -> None:
    rice = _product_id(ctx, "BRS-CURAH")
    saved = _receive(ctx, ReceiptLineInput(rice, "karung", 2000, 300_000))
    with ctx.engine.connect() as connection:
        body = connection.exec_driver_sql(
            "SELECT j.body FROM journal_event j JOIN goods_receipt g ON g.journal_seq = j.seq WHERE g.id = ?",
            (saved.id,)).scalar()
    event: dict[str, Any] = json.loads(body)
    assert event["receipt_no"] == saved.receipt_no and event["reference"] == "FK-001"
    assert [(line["sku"], line["base_qty_milli"], line["line_cost"]) for line in event["lines"]] == [
        ("BRS-CURAH", 50_000, 600_000)]


@pytest.mark.parametrize(("change", "message"), [
    ({"lines": ()}, "belum punya baris"),
    ({"reference": "  "}, "faktur"),
    ({"supplier_id": None}, "pemasok"),
    ({"lines": (("BRS-CURAH", "karung", -1000, 300_000),)}, "lebih dari nol"),
    ({"lines": (("MIE-IDG", "pcs", 100_001_000, 3000),)}, "terlalu besar"),
    ({"lines": (("MIE-IDG", "karung", 1000, 3000),)}, "belum punya konversi"),
    ({"lines": (("MIE-IDG", "pcs", 1000, -5),)}, "negatif"),
    ({"lines": (("BRS-CURAH", "kg", 1, 13_000),)}, "tidak bisa dihitung pas"),
    ({"lines": (("MIE-IDG", "dus", 333, 120_000),)}, "bilangan bulat"),
    ({"lines": (("BRS-CURAH", "karung", 1000, 300_000), ("MIE-IDG", "pcs", 0, 3000))}, "Baris 2"),
])
def test_bad_input_is_refused_in_indonesian_and_nothing_is_stored(ctx: PosContext, change: dict[str, Any],
                                                                  message: str) -> None:
    # `1` thousandth of a kg at factor 1000 converts, so give the weighed case a factor that cannot.
    add_pack_unit(ctx, _product_id(ctx, "BRS-CURAH"), "kaleng", 1_500, by=_manager(ctx))
    fields: dict[str, Any] = {"supplier_id": _supplier_id(ctx), "reference": "FK-9", "received_on": TODAY,
                              "lines": (("BRS-CURAH", "karung", 1000, 300_000),)}
    fields.update(change)
    if message == "tidak bisa dihitung pas":
        fields["lines"] = (("BRS-CURAH", "kaleng", 1, 13_000),)
    fields["lines"] = tuple(ReceiptLineInput(_product_id(ctx, sku), unit, qty, cost)
                            for sku, unit, qty, cost in fields["lines"])
    before, cost = _counts(ctx), _cost_price(ctx, "BRS-CURAH")
    with pytest.raises(InvalidInput, match=message):
        receiving.record_goods_receipt(ctx, GoodsReceiptDraft(**fields), by=_manager(ctx))
    assert _counts(ctx) == before and _cost_price(ctx, "BRS-CURAH") == cost


def test_a_future_date_an_expired_line_and_a_cashier_are_refused(ctx: PosContext) -> None:
    rice = _product_id(ctx, "BRS-CURAH")
    line = ReceiptLineInput(rice, "karung", 1000, 300_000)
    with pytest.raises(InvalidInput, match="masa depan"):
        receiving.record_goods_receipt(ctx, GoodsReceiptDraft(_supplier_id(ctx), "FK", date(2026, 12, 1),
                                                              (line,)), by=_manager(ctx))
    old = ReceiptLineInput(rice, "karung", 1000, 300_000, date(2026, 11, 1))
    with pytest.raises(InvalidInput, match="kedaluwarsa"):
        receiving.record_goods_receipt(ctx, GoodsReceiptDraft(_supplier_id(ctx), "FK", TODAY, (old,)),
                                       by=_manager(ctx))
    with pytest.raises(InvalidInput, match="manajer atau admin"):
        receiving.record_goods_receipt(ctx, GoodsReceiptDraft(_supplier_id(ctx), "FK", TODAY, (line,)),
                                       by=outlet.default_cashier(ctx))


def test_suppliers_refuse_a_duplicate_name(ctx: PosContext) -> None:
    with pytest.raises(InvalidInput, match="sudah ada"):
        add_supplier(ctx, "cv sumber  rezeki samarinda", by=_manager(ctx))
    with pytest.raises(InvalidInput, match="nama pemasok"):
        add_supplier(ctx, "  ", by=_manager(ctx))
    added = add_supplier(ctx, "UD Bulog Samarinda", "Bu Ani", "+62 812 555", by=_manager(ctx))
    assert [s.name for s in list_suppliers(ctx)] == ["CV Sumber Rezeki Samarinda", "UD Bulog Samarinda"]
    assert added.phone == "+62 812 555"


def test_pack_units_list_add_and_remove(ctx: PosContext) -> None:
    rice, noodles = _product_id(ctx, "BRS-CURAH"), _product_id(ctx, "MIE-IDG")
    assert [(u.unit, u.factor_milli, u.is_base) for u in product_units(ctx, rice)] == [
        ("kg", 1000, True), ("karung", 25_000, False)]
    assert [(u.unit, u.factor_milli) for u in product_units(ctx, noodles)] == [("pcs", 1000), ("dus", 40_000)]
    manager = _manager(ctx)
    with pytest.raises(InvalidInput, match="sudah ada"):
        add_pack_unit(ctx, rice, "Karung", 50_000, by=manager)
    with pytest.raises(InvalidInput, match="bilangan bulat"):
        add_pack_unit(ctx, noodles, "renceng", 10_500, by=manager)
    with pytest.raises(InvalidInput, match="satuan dasar"):
        add_pack_unit(ctx, rice, "kg", 5_000, by=manager)
    with pytest.raises(InvalidInput, match="Satuan dasar tidak dapat dihapus"):
        remove_pack_unit(ctx, rice, "kg", by=manager)
    add_pack_unit(ctx, noodles, "renceng", 10_000, by=manager)
    remove_pack_unit(ctx, noodles, "dus", by=manager)
    assert [u.unit for u in product_units(ctx, noodles)] == ["pcs", "renceng"]
    with pytest.raises(InvalidInput, match="manajer atau admin"):
        add_pack_unit(ctx, noodles, "dus", 40_000, by=outlet.default_cashier(ctx))
    assert verify_journal(ctx.engine) is None


def test_the_printable_receipt_shows_units_supplier_and_total(ctx: PosContext) -> None:
    rice = _product_id(ctx, "BRS-CURAH")
    saved = _receive(ctx, ReceiptLineInput(rice, "karung", 2000, 300_000, date(2027, 6, 30)))
    text = "\n".join(receiving.goods_receipt_preview(ctx, saved.id))
    for expected in ("PENERIMAAN BARANG", "LPK-01-B000001", "CV Sumber Rezeki Samarinda", "FK-001",
                     "2 karung x Rp300.000", "= 50,000 kg", "Kedaluwarsa: 30-06-2027",
                     "Rp600.000"):
        assert expected in text, expected
