"""The 3 kg logbook: rows per WITA month, NIK whole or masked by role, MAP marking, the agen's CSV export."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.services import catalog, outlet, sales
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.cylinders import record_delivery
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.lpg_buyers import BuyerForm, save_buyer
from kkmp_pos.services.lpg_logbook import (
    CSV_COLUMNS,
    LogbookFilter,
    export_month_csv,
    list_logbook,
    mark_map_entered,
    month_filter,
    pending_count,
)
from kkmp_pos.store.models import JournalEvent, User
from tests.conftest import TEST_MOMENT

REFILL_3KG = "8999900000420"
SITI, ANDI = "6472054101900001", "6472050202850003"
# 30 Nov 23:30 WITA (still November at the outlet) and 1 Dec 00:30 WITA (December), both 30 Nov in UTC.
LAST_HOUR_OF_NOVEMBER = datetime(2026, 11, 30, 15, 30, tzinfo=timezone.utc)
FIRST_HOUR_OF_DECEMBER = datetime(2026, 11, 30, 16, 30, tzinfo=timezone.utc)


def user_id(ctx: PosContext, username: str) -> str:
    with ctx.engine.connect() as connection:
        return str(connection.execute(select(User.id).where(User.username == username)).scalar_one())


def sell(ctx: PosContext, nik: str, pieces: int, at: datetime) -> sales.CompletedSale:
    ctx.clock = fixed_clock(at)
    product = catalog.find_by_barcode(ctx, REFILL_3KG)
    assert product is not None
    buyer = save_buyer(ctx, BuyerForm(nik=nik, name="Siti Aminah" if nik == SITI else "Andi Pratama",
                                      address="Jl. Lempake 7 RT 3", category="rumah_tangga" if nik == SITI
                                      else "pengecer"))
    cart = Cart()
    cart.add(product, pieces * 1000, lpg_buyer=buyer.ref())
    return sales.complete_sale(ctx, cart, [cash_payment(cart.total, cart.total)],
                               cashier_id=outlet.default_cashier(ctx).id)


def sell_sample(ctx: PosContext) -> PosContext:
    """Four 3 kg cylinders in November (1 + 2 + 1 over three sales) and one in December, two DOs."""
    manager = user_id(ctx, "manajer")
    record_delivery(ctx, do_number="DO-2611-07", delivered_on=date(2026, 11, 29), agen="PT Agen Mahakam",
                    size="3kg", full_received=50, empties_returned=0, by=manager)
    sell(ctx, SITI, 1, TEST_MOMENT)
    sell(ctx, ANDI, 2, TEST_MOMENT)
    sell(ctx, SITI, 1, LAST_HOUR_OF_NOVEMBER)
    ctx.clock = fixed_clock(FIRST_HOUR_OF_DECEMBER)
    record_delivery(ctx, do_number="DO-2612-01", delivered_on=date(2026, 12, 1), agen="PT Agen Mahakam",
                    size="3kg", full_received=50, empties_returned=0, by=manager)
    sell(ctx, ANDI, 1, FIRST_HOUR_OF_DECEMBER)
    return ctx


@pytest.fixture
def sold(ctx: PosContext) -> PosContext:
    return sell_sample(ctx)


def test_the_months_csv_has_one_row_per_cylinder_with_the_whole_nik(sold: PosContext, tmp_path: Path) -> None:
    manager = user_id(sold, "manajer")
    november = tmp_path / "logbook-2026-11.csv"
    assert export_month_csv(sold, "2026-11", november, viewer_id=manager) == 4
    with november.open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert tuple(header) == CSV_COLUMNS
    assert [(r[0], r[1], r[2], r[5], r[6], r[7], r[8]) for r in rows] == [
        ("30-11-2026", "10:15", SITI, "Rumah tangga", "1", "18000", "DO-2611-07"),
        ("30-11-2026", "10:15", ANDI, "Pengecer", "1", "18000", "DO-2611-07"),
        ("30-11-2026", "10:15", ANDI, "Pengecer", "1", "18000", "DO-2611-07"),
        ("30-11-2026", "23:30", SITI, "Rumah tangga", "1", "18000", "DO-2611-07"),
    ]
    assert {r[9] for r in rows} == {"Siti Rahmawati"}
    assert {r[11] for r in rows} == {"belum diinput"}
    # The rows match the sales: the receipts of the month, each as often as its cylinders.
    receipts = [r[10] for r in rows]
    assert len(set(receipts)) == 3 and receipts[1] == receipts[2]

    december = tmp_path / "logbook-2026-12.csv"
    assert export_month_csv(sold, "2026-12", december, viewer_id=manager) == 1
    with december.open(encoding="utf-8-sig", newline="") as handle:
        (_, row) = list(csv.reader(handle))
    assert (row[0], row[1], row[2], row[8]) == ("01-12-2026", "00:30", ANDI, "DO-2612-01")


def test_the_nik_is_masked_for_a_cashier_and_whole_for_a_manager(sold: PosContext, tmp_path: Path) -> None:
    november = month_filter("2026-11")
    as_kasir = list_logbook(sold, november, viewer_id=user_id(sold, "kasir"))
    as_manager = list_logbook(sold, november, viewer_id=user_id(sold, "manajer"))
    assert [r.nik for r in as_kasir] == ["6472********0001", "6472********0003", "6472********0001"]
    assert [r.nik for r in as_manager] == [SITI, ANDI, SITI]
    assert [r.pieces for r in as_manager] == [1, 2, 1]
    assert [r.name for r in as_manager] == ["Siti Aminah", "Andi Pratama", "Siti Aminah"]
    with pytest.raises(InvalidInput, match="hanya untuk manajer atau admin"):
        export_month_csv(sold, "2026-11", tmp_path / "x.csv", viewer_id=user_id(sold, "kasir"))
    assert not (tmp_path / "x.csv").exists()


def test_filters_by_category_text_and_days(sold: PosContext) -> None:
    manager = user_id(sold, "manajer")
    both = LogbookFilter(first_day=date(2026, 11, 30), last_day=date(2026, 12, 1))
    assert len(list_logbook(sold, both, viewer_id=manager)) == 4
    pengecer = LogbookFilter(first_day=both.first_day, last_day=both.last_day, category="pengecer")
    assert [r.pieces for r in list_logbook(sold, pengecer, viewer_id=manager)] == [2, 1]
    by_name = LogbookFilter(first_day=both.first_day, last_day=both.last_day, text="siti")
    assert {r.name for r in list_logbook(sold, by_name, viewer_id=manager)} == {"Siti Aminah"}
    by_nik = LogbookFilter(first_day=both.first_day, last_day=both.last_day, text="6472 0502")
    assert {r.name for r in list_logbook(sold, by_nik, viewer_id=manager)} == {"Andi Pratama"}
    with pytest.raises(InvalidInput, match="Bulan '2026-13' tidak dikenal"):
        month_filter("2026-13")


def test_marking_rows_entered_into_map_is_recorded_once_and_never_undone(sold: PosContext) -> None:
    kasir, manager = user_id(sold, "kasir"), user_id(sold, "manajer")
    november = month_filter("2026-11")
    rows = list_logbook(sold, november, viewer_id=kasir)
    assert pending_count(sold) == 4
    assert mark_map_entered(sold, [rows[0].sale_line_id, rows[1].sale_line_id], user_id=kasir) == 2
    assert pending_count(sold) == 2
    # Marking again changes nothing and writes no event.
    assert mark_map_entered(sold, [rows[0].sale_line_id], user_id=manager) == 0
    after = list_logbook(sold, november, viewer_id=kasir)
    assert [r.pending for r in after] == [False, False, True]
    assert after[0].map_entered_by == "Siti Rahmawati" and after[0].map_entered_at == FIRST_HOUR_OF_DECEMBER
    pending = LogbookFilter(first_day=november.first_day, last_day=november.last_day, pending_only=True)
    assert [r.sale_line_id for r in list_logbook(sold, pending, viewer_id=kasir)] == [rows[2].sale_line_id]
    with sold.engine.connect() as connection:
        bodies = connection.execute(select(JournalEvent.body).where(JournalEvent.type == "lpg_map_marked")).all()
    assert [json.loads(b[0]) for b in bodies] == [{
        "sale_line_ids": sorted([rows[0].sale_line_id, rows[1].sale_line_id]), "by": kasir,
        "at": "2026-11-30T16:30:00.000+00:00"}]
    assert verify_journal(sold.engine) is None


def test_a_supervisor_cannot_mark_rows_and_nothing_changes(sold: PosContext) -> None:
    rows = list_logbook(sold, month_filter("2026-11"), viewer_id=user_id(sold, "pengawas"))
    with pytest.raises(InvalidInput, match="Pengawas hanya dapat melihat"):
        mark_map_entered(sold, [rows[0].sale_line_id], user_id=user_id(sold, "pengawas"))
    with pytest.raises(InvalidInput, match="Pilih dulu"):
        mark_map_entered(sold, [], user_id=user_id(sold, "kasir"))
    assert pending_count(sold) == 4  # logbook rows (sale lines), not cylinders
