"""A round against the real city server pulls published master data; each later sale records its version."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.services import catalog, outlet, sales
from kkmp_pos.services.ceilings import ceiling_for
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.lpg_limits import load_lpg_limits
from kkmp_pos.services.sync_link import enroll
from kkmp_pos.services.sync_round import run_sync_round, sync_status
from tests.services.sync_server import CityServer, quick_client, running_city

PRODUCTS = """sku,barcode,name,category,unit,price,member_price,het_per_unit,het_source,ppn,sold_by_weight,lpg_kind,cost_price
MGR-MKT-1,8999900000055,Minyakita 1 liter,Minyak,botol,15600,15400,15700,Permendag 18/2024,bebas,0,,14000
TLR-AYAM-10,,Telur Ayam 10 butir,Telur,pak,28000,27500,,,bebas,0,,25000
"""
CEILINGS = """sku,kind,amount,source,region,effective_from
MGR-MKT-1,HET,16500,Permendag 9/2027,Nasional,2027-01-01
TLR-AYAM-10,HAP,30000,Perbadan 12/2026,Kalimantan Timur,2026-11-01
"""
LIMITS = """category,per_day,per_month
rumah_tangga,1,12
"""


@pytest.fixture
def city(tmp_path: Path) -> Iterator[CityServer]:
    with running_city(tmp_path) as server:
        yield server


def _publish(city: CityServer, tmp_path: Path, name: str, content: str) -> int:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return int(city.publish(path)["version"])


def _sale_version(ctx: PosContext) -> int:
    cart = Cart()
    oil = catalog.find_by_sku(ctx, "MGR-MKT-1")
    assert oil is not None
    cart.add(oil, 1000)
    done = sales.complete_sale(ctx, cart, [cash_payment(cart.total, cart.total)],
                               cashier_id=outlet.default_cashier(ctx).id)
    with ctx.engine.connect() as connection:
        row = connection.exec_driver_sql("SELECT master_version, body FROM journal_event WHERE seq = ?",
                                         (done.journal_seq,)).one()
    assert json.loads(row[1])["total"] == cart.total
    return int(row[0])


def test_published_master_is_pulled_applied_and_recorded_by_sales(ctx: PosContext, city: CityServer,
                                                                  tmp_path: Path) -> None:
    enroll(ctx, city.url, city.new_outlet()["enrolment_code"], "Kasir 1", client_factory=quick_client)
    assert _sale_version(ctx) == 0
    _publish(city, tmp_path, "produk.csv", PRODUCTS)
    version = _publish(city, tmp_path, "het.csv", CEILINGS)
    assert version == 2
    outcome = run_sync_round(ctx, quick_client)
    assert outcome.state == "online" and outcome.master is not None
    assert (outcome.master.version, outcome.master.applied, outcome.master.items) == (2, True, 4)
    oil, eggs = catalog.find_by_sku(ctx, "MGR-MKT-1"), catalog.find_by_sku(ctx, "TLR-AYAM-10")
    assert oil is not None and eggs is not None and oil.price == 15600 and eggs.price == 28000
    assert ceiling_for(ctx, oil, date(2027, 1, 1)).amount == 16500  # type: ignore[union-attr]
    assert ceiling_for(ctx, eggs, date(2026, 11, 30)).kind == "HAP"  # type: ignore[union-attr]
    assert _sale_version(ctx) == 2
    assert sync_status(ctx).master_version == 2

    # The master_applied and sale events travel up like any other; a new version comes down next round.
    version = _publish(city, tmp_path, "lpg.csv", LIMITS)
    outcome = run_sync_round(ctx, quick_client)
    assert outcome.master is not None and (outcome.master.version, outcome.master.items) == (3, 1)
    assert load_lpg_limits(ctx)["rumah_tangga"].per_month == 12
    assert _sale_version(ctx) == 3
    assert run_sync_round(ctx, quick_client).upload.sent >= 2
    applied = city.scalar("SELECT count(*) FROM journal_event WHERE type = 'master_applied'")
    assert applied == 2
    quiet = run_sync_round(ctx, quick_client)
    assert quiet.master is not None and not quiet.master.applied and quiet.master.version == 3


def test_a_master_the_outlet_cannot_use_applies_nothing_and_is_reported(ctx: PosContext, city: CityServer,
                                                                       tmp_path: Path) -> None:
    enroll(ctx, city.url, city.new_outlet()["enrolment_code"], "Kasir 1", client_factory=quick_client)
    # A price over the product's own HET passes the server's cell checks but not the till's catalogue rules.
    _publish(city, tmp_path, "produk.csv", PRODUCTS.replace("15600,15400,15700", "15900,15400,15700"))
    before = catalog.find_by_sku(ctx, "MGR-MKT-1")
    outcome = run_sync_round(ctx, quick_client)
    assert outcome.state == "online" and "ditolak" in outcome.master_error
    assert catalog.find_by_sku(ctx, "MGR-MKT-1") == before
    assert catalog.find_by_sku(ctx, "TLR-AYAM-10") is None
    status = sync_status(ctx)
    assert status.state == "online" and status.master_version == 0 and "ditolak" in status.master_error
    assert _sale_version(ctx) == 0


def test_the_last_sync_shows_its_date_once_it_is_not_today() -> None:
    from datetime import datetime, timezone

    from kkmp_pos.services.sync_round import SyncStatus

    synced = SyncStatus(enrolled=True, state="offline", waiting=4,
                        last_success_at=datetime(2026, 11, 28, 6, 5, tzinfo=timezone.utc))
    assert synced.last_success_text(datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)) == "14:05 WITA"
    assert synced.last_success_text(datetime(2026, 11, 30, 2, 15, tzinfo=timezone.utc)) == "28-11-2026 14:05 WITA"
    assert SyncStatus(enrolled=False, state="not_enrolled", waiting=0).last_success_text(synced.last_success_at) == ""
