"""Refunding elpiji: cylinders go back, the 3 kg limits, month summary and logbook count net of what came back."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.lpg import Limit, cylinder_deltas, refund_cylinder_deltas
from kkmp_pos.services import refunds, sales
from kkmp_pos.services.approval_use import ApprovalRequired
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.cylinders import lpg_alerts, lpg_month_summary, set_allocation
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.lpg_buyers import BuyerForm, save_buyer
from kkmp_pos.services.lpg_limits import save_lpg_limits
from kkmp_pos.services.lpg_logbook import (
    LogbookFilter,
    LogbookRow,
    export_month_csv,
    list_logbook,
    mark_map_entered,
    month_filter,
    month_pdf_document,
    pending_count,
)
from kkmp_pos.services.lpg_sale import bought_by
from kkmp_pos.services.settings import load_settings, save_settings
from kkmp_pos.store.models import CylinderMovement, JournalEvent
from tests.services.test_lpg_logbook import user_id
from tests.services.test_lpg_sale import NIK, REFILL_3KG, REFILL_12KG, _cylinders, _sell
from tests.services.test_refunds import OIL, approve_refund, product, sell, user

NEW_3KG = "8999900000437"
TODAY = date(2026, 11, 30)
# 30 Nov 23:30 WITA (still November at the outlet) and 1 Dec 00:30 WITA, both 30 Nov in UTC.
LAST_HOUR_OF_NOVEMBER = datetime(2026, 11, 30, 15, 30, tzinfo=timezone.utc)
FIRST_HOUR_OF_DECEMBER = datetime(2026, 11, 30, 16, 30, tzinfo=timezone.utc)
REFUND_BODY_KEYS = {"refund_id", "refund_no", "sale_id", "sale_receipt_no", "outlet_id", "cashier_id", "member_id",
                    "approval_id", "reason", "refunded_at", "business_date", "total", "lines", "payment"}


@pytest.fixture
def buyer(ctx: PosContext) -> None:
    save_buyer(ctx, BuyerForm(nik="6472 0541 0190 0001", name="Siti Aminah", address="Jl. Lempake 7 RT 3",
                              category="rumah_tangga"))


def give_back(ctx: PosContext, sale: sales.CompletedSale, pieces: int, line: int = 0) -> refunds.CompletedRefund:
    """Return `pieces` of the sale's line `line` in cash, approved by the manager."""
    found = refunds.refundable_sale(ctx, sale.receipt_no)
    return refunds.create_refund(ctx, sale.receipt_no, [(found.lines[line].sale_line_id, pieces * 1000)], "tunai",
                                 cashier_id=user(ctx, "kasir").id, approval_id=approve_refund(ctx, sale.receipt_no),
                                 reason="tabung bocor")


def movements_of(ctx: PosContext, ref_id: str) -> list[tuple[str, int, int, str, str | None]]:
    with ctx.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(  # type: ignore[misc]
            select(CylinderMovement.size, CylinderMovement.full_delta, CylinderMovement.empty_delta,
                   CylinderMovement.kind, CylinderMovement.note).where(CylinderMovement.ref_id == ref_id))]


@pytest.mark.parametrize(("kind", "pieces", "sold", "back"), [
    ("subsidi_refill", 2, (-2, 2), (2, -2)),  # the full one comes back, the buyer takes their empty home
    ("refill", 1, (-1, 1), (1, -1)),
    ("subsidi_new", 3, (-3, 0), (3, 0)),  # a new cylinder left no empty: only the full one comes back
    ("new", 1, (-1, 0), (1, 0)),
])
def test_a_refund_undoes_the_sales_cylinder_deltas(kind: str, pieces: int, sold: tuple[int, int],
                                                   back: tuple[int, int]) -> None:
    assert cylinder_deltas(kind, pieces) == sold
    assert refund_cylinder_deltas(kind, pieces) == back


@pytest.mark.usefixtures("buyer")
def test_refunding_3kg_refills_puts_the_cylinders_back_and_frees_the_buyers_count(ctx: PosContext) -> None:
    sale = _sell(ctx, REFILL_3KG, 3)
    assert _cylinders(ctx, "3kg") == (-3, 3)
    buyer_id = json.loads(_body(ctx, sale.journal_seq))["lines"][0]["lpg"]["buyer_id"]
    assert bought_by(ctx, buyer_id, TODAY) == (3, 3)

    first = give_back(ctx, sale, 2)
    assert _cylinders(ctx, "3kg") == (-1, 1)  # two full back on the shelf, two empties home with the buyer
    assert movements_of(ctx, first.refund_id) == [("3kg", 2, -2, "refund", "LPG-3-ISI")]
    assert bought_by(ctx, buyer_id, TODAY) == (1, 1)
    last = give_back(ctx, sale, 1)
    assert movements_of(ctx, last.refund_id) == [("3kg", 1, -1, "refund", "LPG-3-ISI")]
    assert _cylinders(ctx, "3kg") == (0, 0)  # as before the sale
    assert bought_by(ctx, buyer_id, TODAY) == (0, 0)
    # The city reads the refund event: its shape is what it was before elpiji refunds moved cylinders.
    body = json.loads(_body(ctx, last.journal_seq))
    assert set(body) == REFUND_BODY_KEYS
    assert set(body["lines"][0]) == {"refund_line_id", "sale_line_id", "line_no", "sku", "qty_milli", "amount"}
    assert verify_journal(ctx.engine) is None


@pytest.mark.usefixtures("buyer")
def test_a_new_3kg_cylinder_and_a_12kg_refill_come_back_by_their_own_kind_and_size(ctx: PosContext) -> None:
    new = _sell(ctx, NEW_3KG, 2)
    big = _sell(ctx, REFILL_12KG, 1, buyer_nik=None)
    assert (_cylinders(ctx, "3kg"), _cylinders(ctx, "12kg")) == ((-2, 0), (-1, 1))
    back = give_back(ctx, new, 1)
    assert movements_of(ctx, back.refund_id) == [("3kg", 1, 0, "refund", "LPG-3-BARU")]
    give_back(ctx, big, 1)
    assert (_cylinders(ctx, "3kg"), _cylinders(ctx, "12kg")) == ((-1, 0), (0, 0))


def test_a_refund_of_other_goods_moves_no_cylinder(ctx: PosContext) -> None:
    cart = Cart()
    cart.add(product(ctx, OIL), 2000)
    sale = sell(ctx, cart)
    done = give_back(ctx, sale, 1)
    assert movements_of(ctx, done.refund_id) == []
    assert _cylinders(ctx, "3kg") == (0, 0)


@pytest.mark.usefixtures("buyer")
def test_a_buyer_at_the_limit_who_returns_a_cylinder_can_buy_again_without_an_override(ctx: PosContext) -> None:
    save_lpg_limits(ctx, {"rumah_tangga": Limit(per_day=2, per_month=4)})
    sale = _sell(ctx, REFILL_3KG, 2)
    with pytest.raises(ApprovalRequired, match="melebihi batas per NIK"):
        _sell(ctx, REFILL_3KG, 1)
    give_back(ctx, sale, 1)
    _sell(ctx, REFILL_3KG, 1)  # the returned one no longer counts: 1 kept + 1 now = 2, the day's limit
    with pytest.raises(ApprovalRequired, match="melebihi batas per NIK"):
        _sell(ctx, REFILL_3KG, 1)


@pytest.mark.usefixtures("buyer")
def test_the_month_summary_and_alerts_count_sales_net_of_refunds_in_the_month_of_sale(ctx: PosContext) -> None:
    manager = user_id(ctx, "manajer")
    set_allocation(ctx, "2026-11", "3kg", 100, manager)
    refills = _sell(ctx, REFILL_3KG, 12)
    _sell(ctx, NEW_3KG, 3)
    give_back(ctx, refills, 2)
    summary = lpg_month_summary(ctx, "2026-11")
    assert (summary.sold, summary.full, summary.empty) == (13, 50 - 13, 30 + 10)  # demo opening 50 full, 30 empty

    save_settings(ctx, replace(load_settings(ctx), lpg_nik_share_alert_pct=12))
    assert lpg_alerts(ctx, "2026-11") == ["NIK 6472********0001 sudah membeli 13 tabung 3 kg bulan ini, lebih "
                                          "dari 12% alokasi (100)."]
    give_back(ctx, refills, 1)
    assert lpg_alerts(ctx, "2026-11") == []  # 12 kept: exactly 12 % does not pass

    # Sold in the last hour of November, returned in the first hour of December: November's sale is undone,
    # December's figure does not drop below what December sold.
    ctx.clock = fixed_clock(LAST_HOUR_OF_NOVEMBER)
    late = _sell(ctx, REFILL_3KG, 1)
    ctx.clock = fixed_clock(FIRST_HOUR_OF_DECEMBER)
    give_back(ctx, late, 1)
    assert lpg_month_summary(ctx, "2026-11").sold == 12
    assert lpg_month_summary(ctx, "2026-12").sold == 0


ANDI = "6472050202850003"


@pytest.fixture
def returned(ctx: PosContext) -> dict[str, sales.CompletedSale]:
    return return_sample(ctx)


def return_sample(ctx: PosContext) -> dict[str, sales.CompletedSale]:
    """Siti buys 2 and returns 1; Andi buys 1 and returns it; Siti buys 1 more, marked in MAP, then returned."""
    save_buyer(ctx, BuyerForm(nik=NIK, name="Siti Aminah", address="Jl. Lempake 7 RT 3", category="rumah_tangga"))
    save_buyer(ctx, BuyerForm(nik=ANDI, name="Andi Pratama", address="Jl. Lempake 9", category="pengecer"))
    partly, whole, marked = _sell(ctx, REFILL_3KG, 2), _sell(ctx, REFILL_3KG, 1, ANDI), _sell(ctx, REFILL_3KG, 1)
    give_back(ctx, partly, 1)
    give_back(ctx, whole, 1)
    assert mark_map_entered(ctx, [line_of(ctx, marked)], user_id=user_id(ctx, "kasir")) == 1
    give_back(ctx, marked, 1)
    return {"partly": partly, "whole": whole, "marked": marked}


def line_of(ctx: PosContext, sale: sales.CompletedSale) -> str:
    return refunds.refundable_sale(ctx, sale.receipt_no).lines[0].sale_line_id


def by_receipt(ctx: PosContext, flt: LogbookFilter, viewer_id: str) -> dict[str, LogbookRow]:
    """The logbook rows by receipt number (the sales share one moment, so their order is not the point)."""
    return {row.receipt_no: row for row in list_logbook(ctx, flt, viewer_id=viewer_id)}


def test_the_logbook_shows_net_pieces_and_a_line_returned_in_full_waits_for_nothing(
        ctx: PosContext, returned: dict[str, sales.CompletedSale]) -> None:
    kasir, manager = user_id(ctx, "kasir"), user_id(ctx, "manajer")
    november = month_filter("2026-11")
    rows = by_receipt(ctx, november, manager)
    partly, whole, marked = (rows[returned[key].receipt_no] for key in ("partly", "whole", "marked"))
    assert [(r.pieces, r.returned, r.total) for r in (partly, whole, marked)] == [(1, 1, 18_000), (0, 1, 0),
                                                                                  (0, 1, 0)]
    assert (partly.pending, whole.pending, marked.pending) == (True, False, False)
    assert whole.returned_in_full and marked.returned_in_full and marked.map_entered_at is not None
    assert pending_count(ctx) == 1
    pending = LogbookFilter(first_day=november.first_day, last_day=november.last_day, pending_only=True)
    assert [r.sale_line_id for r in list_logbook(ctx, pending, viewer_id=kasir)] == [partly.sale_line_id]
    # Nothing was handed out on Andi's line: it is not marked, and the cashier is told why.
    with pytest.raises(InvalidInput, match="sudah diretur seluruhnya"):
        mark_map_entered(ctx, [whole.sale_line_id], user_id=kasir)
    assert mark_map_entered(ctx, [whole.sale_line_id, partly.sale_line_id], user_id=kasir) == 1
    assert pending_count(ctx) == 0
    assert by_receipt(ctx, november, kasir)[whole.receipt_no].map_entered_at is None


def test_the_agens_csv_and_pdf_hold_only_the_cylinders_buyers_kept(
        ctx: PosContext, returned: dict[str, sales.CompletedSale], tmp_path: Path) -> None:
    manager = user_id(ctx, "manajer")
    path = tmp_path / "logbook-2026-11.csv"
    assert export_month_csv(ctx, "2026-11", path, viewer_id=manager) == 1
    with path.open(encoding="utf-8-sig", newline="") as handle:
        _header, row = list(csv.reader(handle))
    assert (row[2], row[6], row[10]) == (NIK, "1", returned["partly"].receipt_no)
    document = month_pdf_document(ctx, "2026-11", viewer_id=manager)
    assert [(r.receipt_no, r.pieces) for r in document.rows] == [(returned["partly"].receipt_no, 1)]
    assert [(t.category, t.pieces, t.amount) for t in document.totals] == [("Rumah tangga", 1, 18_000)]


def _body(ctx: PosContext, seq: int) -> str:
    with ctx.engine.connect() as connection:
        return str(connection.execute(select(JournalEvent.body).where(JournalEvent.seq == seq)).scalar_one())
