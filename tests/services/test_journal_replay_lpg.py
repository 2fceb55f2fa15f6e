"""A restored till rebuilds its elpiji rows (deliveries, counts, swaps, allocations, MAP marks) from the city."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.lpg import SIZE_LABELS
from kkmp_pos.services.backup import make_backup
from kkmp_pos.services.context import PosContext, open_context
from kkmp_pos.services.cylinders import (
    cylinder_stock,
    list_deliveries,
    lpg_month_summary,
    record_delivery,
    record_opening_balance,
    record_underweight_swap,
    set_allocation,
)
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.lpg_buyers import BuyerForm, save_buyer
from kkmp_pos.services.lpg_logbook import mark_map_entered, pending_count
from kkmp_pos.services.recovery import recover
from kkmp_pos.services.sync_link import enroll
from kkmp_pos.services.sync_restore import recover_from_city
from kkmp_pos.services.sync_round import run_sync_round
from kkmp_pos.store.db import DB_FILENAME
from tests.conftest import TEST_MOMENT
from tests.services.sync_server import linked_demo_till, quick_client, running_city
from tests.services.test_backup import ticking_clock
from tests.services.test_lpg_sale import REFILL_3KG, REFILL_12KG
from tests.services.test_lpg_sale import _sell as lpg_sell
from tests.services.test_refunds import user
from tests.store.test_backup_file import damage

Action = Callable[[PosContext], None]
Snapshot = Callable[[PosContext], dict[str, Any]]


def table(ctx: PosContext, sql: str) -> list[tuple[Any, ...]]:
    """The rows of `sql`, in an order that does not depend on insertion (None sorts by its repr)."""
    with ctx.engine.connect() as connection:
        return sorted((tuple(row) for row in connection.exec_driver_sql(sql).all()), key=repr)


def restore_and_replay(tmp_path: Path, before_backup: Action, after_backup: Action,
                       snapshot: Snapshot) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A linked demo till does `before_backup`, is backed up, does `after_backup` and syncs; its disk fails, the
    backup is restored, the till enrolled again and the city's events taken back.

    Returns the snapshots of the live till, of the restored one before the city's events, and after them."""
    with running_city(tmp_path) as city:
        data_dir = tmp_path / "data"
        ctx, outlet, _device = linked_demo_till(city, data_dir, ticking_clock())
        before_backup(ctx)
        make_backup(ctx, "manual")
        after_backup(ctx)
        assert run_sync_round(ctx, quick_client).state == "online"
        live = snapshot(ctx)
        ctx.close()

        damage(data_dir / DB_FILENAME)
        recover(data_dir, clock=ticking_clock())
        ctx = open_context(data_dir, clock=ticking_clock())
        try:
            enroll(ctx, city.url, city.new_code(outlet["outlet_id"]), "Kasir 1 (pulih)", client_factory=quick_client)
            restored = snapshot(ctx)
            ctx.clock = ticking_clock()
            recover_from_city(ctx, client_factory=quick_client)
            replayed = snapshot(ctx)
            assert verify_journal(ctx.engine) is None
            ctx.clock = ticking_clock()
            assert run_sync_round(ctx, quick_client).state == "online"  # the city takes the recovered events back
        finally:
            ctx.close()
    return live, restored, replayed


def lpg_figures(ctx: PosContext) -> dict[str, Any]:
    """The elpiji tables row by row, and what the LPG screen and the logbook show from them.

    Cylinder movements are compared without their id: a random id the journal does not carry (the live
    service does not put it in the event), so the replay draws its own; everything else must be the same."""
    figures: dict[str, Any] = {
        "cylinder_movement": table(ctx, "SELECT kind, ref_id, size, full_delta, empty_delta, note, created_at "
                                        "FROM cylinder_movement"),
        "lpg_delivery": table(ctx, "SELECT * FROM lpg_delivery"),
        "lpg_allocation": table(ctx, "SELECT * FROM lpg_allocation"),
        "lpg_sale_line": table(ctx, "SELECT * FROM lpg_sale_line"),
    }
    # The summary's days of stock depend on today: read every till on the same day.
    ctx.clock = fixed_clock(TEST_MOMENT)
    figures["stock"] = cylinder_stock(ctx)
    figures["summary"] = [lpg_month_summary(ctx, "2026-11", size) for size in SIZE_LABELS]
    figures["map_pending"] = pending_count(ctx)
    figures["deliveries"] = list_deliveries(ctx)
    return figures


def _lpg_before_backup(ctx: PosContext) -> None:
    """A 3 kg buyer and one sale to her: its logbook row is in the backup, unmarked."""
    save_buyer(ctx, BuyerForm(nik="6472 0541 0190 0001", name="Siti Aminah", address="Jl. Lempake 7 RT 3",
                              category="rumah_tangga"))
    lpg_sell(ctx, REFILL_3KG, 1)
    set_allocation(ctx, "2026-11", "3kg", 400, user(ctx, "manajer").id)


def _lpg_after_backup(ctx: PosContext) -> None:
    """Every elpiji action a manager or cashier takes, after the backup."""
    manager, cashier = user(ctx, "manajer").id, user(ctx, "kasir").id
    record_delivery(ctx, do_number="DO-2611-07", delivered_on=date(2026, 11, 30), agen="PT Agen Mahakam",
                    size="3kg", full_received=60, empties_returned=20, by=manager)
    record_delivery(ctx, do_number="DO-2611-08", delivered_on=date(2026, 11, 30), agen="PT Agen Mahakam",
                    size="12kg", full_received=5, empties_returned=0, by=manager)
    lpg_sell(ctx, REFILL_3KG, 2)
    lpg_sell(ctx, REFILL_12KG, 1, buyer_nik=None)
    record_opening_balance(ctx, "3kg", full=70, empty=15, by=manager, note="hitung ulang akhir bulan")
    record_opening_balance(ctx, "12kg", full=9, empty=3, by=manager)
    record_underweight_swap(ctx, "3kg", by=cashier, note="kurang 0,3 kg")
    record_underweight_swap(ctx, "12kg", by=cashier)
    set_allocation(ctx, "2026-11", "3kg", 450, manager)  # changed: the backup has 400
    set_allocation(ctx, "2026-11", "12kg", 30, manager)  # new
    # One mark covers the backup's line and the line of a sale made after it (rebuilt from its own event).
    lines = [row[0] for row in table(ctx, "SELECT sale_line_id FROM lpg_sale_line")]
    assert len(lines) == 2
    assert mark_map_entered(ctx, lines, user_id=manager) == 2


def test_deliveries_counts_swaps_allocations_and_map_marks_come_back(tmp_path: Path) -> None:
    live, restored, replayed = restore_and_replay(tmp_path, _lpg_before_backup, _lpg_after_backup, lpg_figures)
    assert [row[0] for row in live["cylinder_movement"]].count("adjustment") == 2
    assert live["map_pending"] == 0 and live["stock"]["3kg"].full == 69  # recount 70, one short one swapped
    assert [(d.do_number, d.full_received) for d in live["deliveries"]] == [("DO-2611-08", 5), ("DO-2611-07", 60)]
    for key in live:  # the backup lacks all of it, so each figure shows what the replay brought back
        assert restored[key] != live[key], key
    assert replayed == live
