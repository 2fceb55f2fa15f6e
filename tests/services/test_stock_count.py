"""Stock opname while the till sells: expected figures at each product's count, approval posts the differences."""

from __future__ import annotations

import json

import pytest

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.domain.roles import Action
from kkmp_pos.services import catalog, outlet, sales, stock
from kkmp_pos.services.approval_use import ApprovalRequired
from kkmp_pos.services.approvals import record_own_authority
from kkmp_pos.services.auth import login
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.demo import DEMO_PINS
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.stock_count import (
    approve_count,
    cancel_count,
    clear_count,
    count_sheet,
    open_counts,
    record_count,
    set_reason,
    start_count,
    zero_uncounted,
)

OIL, RICE = "MGR-MKT-1", "BRS-CURAH"


def manager(ctx: PosContext) -> Cashier:
    return login(ctx, "manajer", DEMO_PINS["manajer"])


def product_id(ctx: PosContext, sku: str) -> int:
    found = catalog.find_by_sku(ctx, sku)
    assert found is not None
    return found.id


def sell(ctx: PosContext, items: dict[str, int]) -> None:
    cart = Cart()
    for sku, qty in items.items():
        found = catalog.find_by_sku(ctx, sku)
        assert found is not None
        cart.add(found, qty)
    sales.complete_sale(ctx, cart, [cash_payment(cart.total, cart.total)], cashier_id=outlet.default_cashier(ctx).id)


def grant(ctx: PosContext, count_no: str) -> str:
    return record_own_authority(ctx, action=Action.STOCK_COUNT, user_id=manager(ctx).id, subject=count_no).id


def count_movements(ctx: PosContext) -> list[tuple[int, int]]:
    with ctx.engine.connect() as connection:
        return [tuple(r) for r in connection.exec_driver_sql(
            "SELECT product_id, qty_milli FROM stock_movement WHERE kind = 'count' ORDER BY product_id").all()]


def test_counting_while_selling_expects_what_the_ledger_said_when_each_product_was_counted(ctx: PosContext) -> None:
    boss = manager(ctx)
    oil, rice = product_id(ctx, OIL), product_id(ctx, RICE)
    count = start_count(ctx, "list", f"{OIL}, {RICE}", by=boss)
    assert count.count_no == "LPK-01-O000001" and count.scope_value == f"{OIL}, {RICE}"

    record_count(ctx, count.id, oil, 40_000)           # a shelf of 40 ...
    record_count(ctx, count.id, oil, 7_000)            # ... and 7 more in the back: scans add up
    sell(ctx, {OIL: 2_000, RICE: 1_000})                # the till goes on selling
    record_count(ctx, count.id, rice, 50_000, "set")
    record_count(ctx, count.id, rice, 48_500, "set")   # recounted: a typed figure replaces the first

    lines = {line.sku: line for line in count_sheet(ctx, count.id).lines}
    assert (lines[OIL].expected_milli, lines[OIL].counted_milli) == (50_000, 47_000)   # before its sale
    assert (lines[RICE].expected_milli, lines[RICE].counted_milli) == (49_000, 48_500)  # after its sale
    assert (lines[OIL].difference_milli, lines[OIL].difference_value) == (-3_000, -42_300)
    assert (lines[RICE].difference_milli, lines[RICE].difference_value) == (-500, -6_050)

    with pytest.raises(InvalidInput, match="Minyakita 1 L") as refused:
        approve_count(ctx, count.id, approval_id=grant(ctx, count.count_no), by=boss, counter_name="Andi",
                      witness_name="Budi")
    assert "Beras Curah Medium" in str(refused.value)
    assert count_movements(ctx) == [] and open_counts(ctx)[0].id == count.id  # nothing stored

    set_reason(ctx, count.id, oil, "hilang", None)
    with pytest.raises(InvalidInput, match="catatan"):
        set_reason(ctx, count.id, rice, "lainnya", " ")
    set_reason(ctx, count.id, rice, "lainnya", "Tumpah saat menimbang")
    with pytest.raises(ApprovalRequired):
        approve_count(ctx, count.id, approval_id="no-such-approval", by=boss, counter_name="Andi",
                      witness_name="Budi")

    done = approve_count(ctx, count.id, approval_id=grant(ctx, count.count_no), by=boss, counter_name="Andi",
                         witness_name="Budi")
    assert done.header.status == "approved" and done.header.counter_name == "Andi"
    # On hand = what was counted, less what was sold after it was counted.
    assert stock.on_hand(ctx, [oil, rice]) == {oil: 47_000 - 2_000, rice: 48_500}
    assert count_movements(ctx) == sorted([(oil, -3_000), (rice, -500)])
    assert verify_journal(ctx.engine) is None
    with ctx.engine.connect() as connection:
        body = json.loads(connection.exec_driver_sql(
            "SELECT body FROM journal_event WHERE type = 'stock_count'").scalar_one())
    assert body["count_no"] == "LPK-01-O000001"
    assert sorted((x["sku"], x["expected_milli"], x["counted_milli"], x["difference_milli"], x["reason"])
                  for x in body["lines"]) == [(RICE, 49_000, 48_500, -500, "lainnya"),
                                              (OIL, 50_000, 47_000, -3_000, "hilang")]


def test_an_approved_count_is_read_only(ctx: PosContext) -> None:
    boss = manager(ctx)
    oil = product_id(ctx, OIL)
    count = start_count(ctx, "category", "minyak goreng", by=boss)
    assert count.scope_value == "Minyak Goreng"
    record_count(ctx, count.id, oil, 50_000)
    approve_count(ctx, count.id, approval_id=grant(ctx, count.count_no), by=boss, counter_name="Andi",
                  witness_name="Budi")
    assert count_movements(ctx) == []  # no difference, no correction
    for change in (lambda: record_count(ctx, count.id, oil, 1_000),
                   lambda: set_reason(ctx, count.id, oil, "rusak", None),
                   lambda: clear_count(ctx, count.id, oil),
                   lambda: zero_uncounted(ctx, count.id),
                   lambda: cancel_count(ctx, count.id, by=boss),
                   lambda: approve_count(ctx, count.id, approval_id=grant(ctx, count.count_no), by=boss,
                                         counter_name="Andi", witness_name="Budi")):
        with pytest.raises(InvalidInput, match="sudah disetujui"):
            change()
    assert [line.sku for line in count_sheet(ctx, count.id).lines] == [OIL]  # only what was counted


def test_overlapping_counts_scope_and_bad_quantities_are_refused(ctx: PosContext) -> None:
    boss = manager(ctx)
    oil, rice = product_id(ctx, OIL), product_id(ctx, RICE)
    first = start_count(ctx, "category", "Beras", by=boss)
    with pytest.raises(InvalidInput, match="LPK-01-O000001"):
        start_count(ctx, "all", by=boss)
    with pytest.raises(InvalidInput, match="LPK-01-O000001"):
        start_count(ctx, "list", RICE, by=boss)
    second = start_count(ctx, "list", OIL, by=boss)  # no product in common
    assert second.count_no == "LPK-01-O000002"
    with pytest.raises(InvalidInput, match="manajer"):
        start_count(ctx, "list", "GLA-1", by=outlet.default_cashier(ctx))
    with pytest.raises(InvalidInput, match="tidak ada di katalog"):
        start_count(ctx, "list", "NOPE-1", by=boss)
    with pytest.raises(InvalidInput, match="tidak termasuk"):
        record_count(ctx, first.id, oil, 1_000)
    with pytest.raises(InvalidInput, match="bilangan bulat"):
        record_count(ctx, second.id, oil, 1_500)
    with pytest.raises(InvalidInput, match="kurang dari nol"):
        record_count(ctx, first.id, rice, -1_000, "set")
    record_count(ctx, first.id, rice, 0, "set")  # an empty shelf is a count
    assert [line.counted_milli for line in count_sheet(ctx, first.id).lines if line.sku == RICE] == [0]

    cancel_count(ctx, first.id, by=boss)
    assert [c.count_no for c in open_counts(ctx)] == ["LPK-01-O000002"]
    assert start_count(ctx, "category", "Beras", by=boss).count_no == "LPK-01-O000003"


def test_uncounted_products_are_left_out_unless_the_manager_counts_them_zero(ctx: PosContext) -> None:
    boss = manager(ctx)
    count = start_count(ctx, "category", "Gula", by=boss)
    lines = count_sheet(ctx, count.id).lines
    assert len(lines) == 2 and not any(line.counted for line in lines)
    record_count(ctx, count.id, lines[0].product_id, 50_000, "set")
    clear_count(ctx, count.id, lines[0].product_id)
    assert not count_sheet(ctx, count.id).lines[0].counted
    record_count(ctx, count.id, lines[0].product_id, 50_000, "set")
    assert zero_uncounted(ctx, count.id) == 1
    other = count_sheet(ctx, count.id).lines[1]
    assert (other.expected_milli, other.counted_milli, other.difference_milli) == (50_000, 0, -50_000)
    with pytest.raises(InvalidInput, match=other.name):
        approve_count(ctx, count.id, approval_id=grant(ctx, count.count_no), by=boss, counter_name="A",
                      witness_name="B")
    set_reason(ctx, count.id, other.product_id, "hilang", None)
    with pytest.raises(InvalidInput, match="nama penghitung"):
        approve_count(ctx, count.id, approval_id=grant(ctx, count.count_no), by=boss, counter_name=" ",
                      witness_name="B")
    approve_count(ctx, count.id, approval_id=grant(ctx, count.count_no), by=boss, counter_name="A",
                  witness_name="B")
    assert stock.on_hand(ctx, [other.product_id]) == {other.product_id: 0}
