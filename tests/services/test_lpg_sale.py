"""Selling elpiji: a 3 kg line needs its buyer, limits per NIK per WITA day/month, cylinders follow each sale."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.lpg import Limit
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.domain.receipt import build_receipt, layout_text
from kkmp_pos.services import catalog, history, outlet, sales
from kkmp_pos.services.approval_use import ApprovalRequired
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.lpg_buyers import BuyerForm, find_buyer, save_buyer
from kkmp_pos.services.lpg_limits import load_lpg_limits, save_lpg_limits
from kkmp_pos.store.models import CylinderMovement, JournalEvent, LpgSaleLine

REFILL_3KG, REFILL_12KG = "8999900000420", "8999900000451"
NIK = "6472054101900001"


def _sell(ctx: PosContext, code: str, pieces: int = 1, buyer_nik: str | None = NIK) -> sales.CompletedSale:
    product = catalog.find_by_barcode(ctx, code)
    assert product is not None
    cart = Cart()
    buyer = find_buyer(ctx, buyer_nik) if buyer_nik else None
    cart.add(product, pieces * 1000, lpg_buyer=buyer.ref() if buyer else None)
    return sales.complete_sale(ctx, cart, [cash_payment(cart.total, cart.total)],
                               cashier_id=outlet.default_cashier(ctx).id)


def _cylinders(ctx: PosContext, size: str) -> tuple[int, int]:
    with ctx.engine.connect() as connection:
        full, empty = connection.execute(
            select(func.coalesce(func.sum(CylinderMovement.full_delta), 0),
                   func.coalesce(func.sum(CylinderMovement.empty_delta), 0))
            .where(CylinderMovement.size == size, CylinderMovement.kind != "opening")  # after the demo's opening
        ).one()
    return int(full), int(empty)


@pytest.fixture
def buyer(ctx: PosContext) -> None:
    save_buyer(ctx, BuyerForm(nik="6472 0541 0190 0001", name="Siti Aminah", address="Jl. Lempake 7 RT 3",
                              category="rumah_tangga"))


def test_a_3kg_line_cannot_be_sold_without_its_buyer(ctx: PosContext) -> None:
    product = catalog.find_by_barcode(ctx, REFILL_3KG)
    assert product is not None
    with pytest.raises(InvalidInput, match="NIK dan kategori pembeli"):
        Cart().add(product)


@pytest.mark.usefixtures("buyer")
def test_a_3kg_refill_records_the_buyer_and_swaps_a_cylinder(ctx: PosContext) -> None:
    done = _sell(ctx, REFILL_3KG, 2)
    assert _cylinders(ctx, "3kg") == (-2, 2)
    record = history.load_sale(ctx, done.sale_id)
    assert record.lines[0].lpg_nik_masked == "6472********0001"
    text = "\n".join(layout_text(build_receipt(record), 32))
    assert "  NIK 6472********0001\n  Rumah tangga\n" in text
    with ctx.engine.connect() as connection:
        (logbook,) = connection.execute(select(LpgSaleLine.category, LpgSaleLine.month)).all()
        body = connection.execute(select(JournalEvent.body).where(JournalEvent.seq == done.journal_seq)).scalar()
    assert tuple(logbook) == ("rumah_tangga", "2026-11")
    assert NIK not in body  # the city gets the masked NIK and a buyer id, never the whole NIK
    assert json.loads(body)["lines"][0]["lpg"]["nik_masked"] == "6472********0001"
    assert verify_journal(ctx.engine) is None


@pytest.mark.usefixtures("buyer")
def test_a_gerai_that_is_no_sub_pangkalan_cannot_sell_subsidised_3kg(ctx: PosContext) -> None:
    from dataclasses import replace

    from kkmp_pos.services.settings import load_settings, save_settings

    save_settings(ctx, replace(load_settings(ctx), lpg_sub_pangkalan=False))
    with pytest.raises(InvalidInput, match="bukan sub-pangkalan"):
        _sell(ctx, REFILL_3KG)
    with ctx.engine.connect() as connection:  # nothing of the refused sale was written
        assert connection.execute(select(func.count()).select_from(JournalEvent)
                                  .where(JournalEvent.type == "sale")).scalar() == 0
    assert _cylinders(ctx, "3kg") == (0, 0)
    _sell(ctx, REFILL_12KG, 1, buyer_nik=None)  # non-subsidised LPG is any gerai's trade
    save_settings(ctx, replace(load_settings(ctx), lpg_sub_pangkalan=True))
    _sell(ctx, REFILL_3KG)
    assert _cylinders(ctx, "3kg") == (-1, 1)


def test_a_12kg_refill_needs_no_nik_and_moves_its_own_size(ctx: PosContext) -> None:
    _sell(ctx, REFILL_12KG, 1, buyer_nik=None)
    assert _cylinders(ctx, "12kg") == (-1, 1)
    assert _cylinders(ctx, "3kg") == (0, 0)


@pytest.mark.usefixtures("buyer")
def test_the_monthly_limit_counts_in_wita_months(ctx: PosContext) -> None:
    save_lpg_limits(ctx, {"rumah_tangga": Limit(per_month=15)})
    assert load_lpg_limits(ctx) == {"rumah_tangga": Limit(per_day=None, per_month=15)}
    # 30 Nov 2026, 23:30 WITA is still November at the outlet although it is 15:30 UTC.
    ctx.clock = fixed_clock(datetime(2026, 11, 30, 15, 30, tzinfo=timezone.utc))
    _sell(ctx, REFILL_3KG, 14)
    _sell(ctx, REFILL_3KG, 1)  # the 15th passes
    with pytest.raises(ApprovalRequired, match="Elpiji 3 kg melebihi batas per NIK \\(6472\\*{8}0001\\)"):
        _sell(ctx, REFILL_3KG, 1)  # the 16th is blocked
    # 1 Dec 00:30 WITA = 30 Nov 16:30 UTC: a new month at the outlet, so it passes again.
    ctx.clock = fixed_clock(datetime(2026, 11, 30, 16, 30, tzinfo=timezone.utc))
    _sell(ctx, REFILL_3KG, 1)


@pytest.mark.parametrize(("form", "message"), [
    (BuyerForm(nik="6472054101900000", name="A", address="B", category="rumah_tangga"), "0000"),
    (BuyerForm(nik=NIK, name="A", address="B", category=""), "kategori"),
    (BuyerForm(nik=NIK, name="A", address="B", category="usaha_mikro"), "NIB"),
    (BuyerForm(nik=NIK, name="A", address="B", category="nelayan_sasaran"), "data pemerintah"),
    (BuyerForm(nik=NIK, name="", address="B", category="rumah_tangga"), "Nama"),
])
def test_bad_buyer_input_is_refused_and_nothing_is_stored(ctx: PosContext, form: BuyerForm, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        save_buyer(ctx, form)
    assert find_buyer(ctx, NIK) is None


def test_a_negative_limit_is_refused(ctx: PosContext) -> None:
    with pytest.raises(InvalidInput, match="tidak boleh negatif"):
        save_lpg_limits(ctx, {"rumah_tangga": Limit(per_day=-1)})
    assert load_lpg_limits(ctx) == {}
