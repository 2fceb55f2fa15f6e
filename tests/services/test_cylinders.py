"""Cylinders and deliveries: the issue's arithmetic through real sales, refusals, allocation, summary, alerts."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.cylinders import CylinderStock
from kkmp_pos.domain.errors import InvalidInput, PosError
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.services import catalog, outlet, sales
from kkmp_pos.services.approvals import approvers
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.cylinders import (
    cylinder_stock,
    list_deliveries,
    lpg_alerts,
    lpg_month_summary,
    record_delivery,
    record_opening_balance,
    record_underweight_swap,
    set_allocation,
)
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.lpg_buyers import Buyer, BuyerForm, save_buyer
from kkmp_pos.services.settings import load_settings, save_settings
from kkmp_pos.store.models import CylinderMovement, JournalEvent, LpgAllocation, LpgDelivery

REFILL_3KG, NEW_3KG, REFILL_12KG = "8999900000420", "8999900000437", "8999900000451"
TODAY = date(2026, 11, 30)


@pytest.fixture
def manager(ctx: PosContext) -> str:
    return approvers(ctx)[0].id


def _buyer(ctx: PosContext, nik: str = "6472054101900001", category: str = "rumah_tangga") -> Buyer:
    return save_buyer(ctx, BuyerForm(nik=nik, name="Siti Aminah", address="Jl. Lempake 7 RT 3", category=category))


def _sell(ctx: PosContext, code: str, pieces: int, buyer: Buyer | None) -> None:
    product = catalog.find_by_barcode(ctx, code)
    assert product is not None
    cart = Cart()
    cart.add(product, pieces * 1000, lpg_buyer=buyer.ref() if buyer else None)
    sales.complete_sale(ctx, cart, [cash_payment(cart.total, cart.total)], cashier_id=outlet.default_cashier(ctx).id)


def _deliver(ctx: PosContext, manager: str, do_number: str = "DO-001", full: int = 100, empties: int = 100,
             size: str = "3kg") -> None:
    record_delivery(ctx, do_number=do_number, delivered_on=TODAY, agen="PT Agen Mahakam", size=size,
                    full_received=full, empties_returned=empties, by=manager)


def _rows(ctx: PosContext, table: type) -> int:
    with ctx.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar() or 0)


def test_the_issue_cylinder_arithmetic(ctx: PosContext, manager: str) -> None:
    record_opening_balance(ctx, "3kg", full=0, empty=100, by=manager, note="Hitung awal")
    assert cylinder_stock(ctx)["3kg"] == CylinderStock(full=0, empty=100)
    _deliver(ctx, manager, full=100, empties=100)
    assert cylinder_stock(ctx)["3kg"] == CylinderStock(full=100, empty=0)
    buyer = _buyer(ctx)
    for _ in range(30):
        _sell(ctx, REFILL_3KG, 1, buyer)
    assert cylinder_stock(ctx)["3kg"] == CylinderStock(full=70, empty=30)
    _sell(ctx, NEW_3KG, 1, buyer)
    assert cylinder_stock(ctx)["3kg"] == CylinderStock(full=69, empty=30)
    assert verify_journal(ctx.engine) is None


def test_a_delivery_is_one_journal_event_with_its_row(ctx: PosContext, manager: str) -> None:
    _deliver(ctx, manager, "DO/2026/11/0042", full=40, empties=20)
    (delivery,) = list_deliveries(ctx)
    assert (delivery.do_number, delivery.full_received, delivery.empties_returned) == ("DO/2026/11/0042", 40, 20)
    with ctx.engine.connect() as connection:
        kind, body = connection.execute(select(JournalEvent.type, JournalEvent.body)
                                        .where(JournalEvent.seq == delivery.journal_seq)).one()
        movement = connection.execute(select(CylinderMovement.full_delta, CylinderMovement.empty_delta)
                                      .where(CylinderMovement.ref_id == delivery.id)).one()
    assert kind == "lpg_delivery"
    assert json.loads(body) | {"by": ""} == {
        "delivery_id": delivery.id, "do_number": "DO/2026/11/0042", "delivered_on": "2026-11-30",
        "agen": "PT Agen Mahakam", "size": "3kg", "full_received": 40, "empties_returned": 20, "by": ""}
    assert tuple(movement) == (40, -20)
    assert cylinder_stock(ctx)["3kg"] == CylinderStock(full=90, empty=10)  # demo opening 50 / 30
    assert verify_journal(ctx.engine) is None


@pytest.mark.parametrize(("do_number", "full", "empties", "message"), [
    ("DO-9", 10, 31, "lebih banyak dari yang ada di gerai \\(30\\)"),
    ("  ", 10, 0, "Nomor DO wajib diisi"),
    ("do-001", 10, 0, "sudah tercatat"),
    ("DO-9", -1, 0, "tidak boleh negatif"),
    ("DO-9", 5, -2, "tidak boleh negatif"),
])
def test_bad_deliveries_are_refused_and_nothing_is_stored(ctx: PosContext, manager: str, do_number: str,
                                                           full: int, empties: int, message: str) -> None:
    _deliver(ctx, manager, "DO-001", full=10, empties=0)
    before = (cylinder_stock(ctx), _rows(ctx, LpgDelivery), _rows(ctx, JournalEvent))
    with pytest.raises(InvalidInput, match=message):
        _deliver(ctx, manager, do_number, full=full, empties=empties)
    assert (cylinder_stock(ctx), _rows(ctx, LpgDelivery), _rows(ctx, JournalEvent)) == before


def test_only_a_manager_records_deliveries_and_allocations(ctx: PosContext) -> None:
    kasir = outlet.default_cashier(ctx).id
    with pytest.raises(PosError, match="Hanya manajer atau admin"):
        _deliver(ctx, kasir)
    with pytest.raises(PosError, match="Hanya manajer atau admin"):
        set_allocation(ctx, "2026-11", "3kg", 100, kasir)
    assert _rows(ctx, LpgDelivery) == _rows(ctx, LpgAllocation) == 0


def test_an_underweight_swap_gives_out_one_full_and_is_journalled(ctx: PosContext) -> None:
    kasir = outlet.default_cashier(ctx).id
    assert record_underweight_swap(ctx, "3kg", by=kasir, note="Pembeli: berat 7,2 kg") == CylinderStock(49, 30)
    assert cylinder_stock(ctx)["3kg"] == CylinderStock(full=49, empty=30)
    with ctx.engine.connect() as connection:
        kinds = list(connection.execute(select(JournalEvent.type).order_by(JournalEvent.seq.desc()).limit(1)))
    assert kinds[0][0] == "lpg_swap"
    assert verify_journal(ctx.engine) is None


def test_allocation_and_the_month_summary(ctx: PosContext, manager: str) -> None:
    with pytest.raises(InvalidInput, match="tidak boleh negatif"):
        set_allocation(ctx, "2026-11", "3kg", -5, manager)
    with pytest.raises(InvalidInput, match="Bulan"):
        set_allocation(ctx, "2026-13", "3kg", 5, manager)
    set_allocation(ctx, "2026-11", "3kg", 200, manager)
    set_allocation(ctx, "2026-11", "3kg", 300, manager)  # a correction replaces the figure
    _deliver(ctx, manager, full=100, empties=30)
    buyer = _buyer(ctx)
    _sell(ctx, REFILL_3KG, 12, buyer)
    _sell(ctx, NEW_3KG, 3, buyer)
    _sell(ctx, REFILL_12KG, 2, None)
    summary = lpg_month_summary(ctx, "2026-11")
    # 150 full - 15 sold = 135; 15 sold over 30 days = 0.5 a day -> 270 days.
    assert (summary.allocation, summary.received, summary.sold, summary.remaining) == (300, 100, 15, 200)
    assert (summary.full, summary.empty, summary.days_of_stock) == (135, 12, 270)
    assert lpg_month_summary(ctx, "2026-11", "12kg").sold == 2
    assert lpg_month_summary(ctx, "2026-10").days_of_stock is None  # nothing sold that month
    assert _rows(ctx, LpgAllocation) == 1


def test_alerts_fire_above_their_thresholds(ctx: PosContext, manager: str) -> None:
    set_allocation(ctx, "2026-11", "3kg", 100, manager)
    house, shop = _buyer(ctx), _buyer(ctx, "6472054101900002", "pengecer")
    _sell(ctx, REFILL_3KG, 10, house)
    _sell(ctx, REFILL_3KG, 10, shop)
    assert lpg_alerts(ctx) == []  # both alerts are off by default
    save_settings(ctx, replace(load_settings(ctx), lpg_nik_share_alert_pct=10, lpg_pengecer_share_alert_pct=50))
    assert lpg_alerts(ctx) == []  # exactly 10 % and exactly 50 % do not pass
    _sell(ctx, REFILL_3KG, 1, shop)
    assert lpg_alerts(ctx) == [
        "NIK 6472********0002 sudah membeli 11 tabung 3 kg bulan ini, lebih dari 10% alokasi (100).",
        "Pengecer membeli 11 dari 21 tabung 3 kg bulan ini, lebih dari 50%.",
    ]
    with pytest.raises(InvalidInput, match="0 sampai 100"):
        save_settings(ctx, replace(load_settings(ctx), lpg_nik_share_alert_pct=101))
