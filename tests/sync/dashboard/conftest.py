"""Dashboard fixtures: a real SQLite city database with outlets, users and effect rows, and a small app."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, insert

from sync.server.app import create_app
from sync.server.clock import rfc3339
from sync.server.dashboard.formatting import wita_today
from sync.server.dashboard.routes import router
from sync.server.dashboard.users import create_user
from sync.server.store.schema import (
    device,
    flag,
    lpg_month,
    master_item,
    master_version,
    outlet,
    payment_day,
    sales_day,
    sales_product_day,
    stock_position,
)

with warnings.catch_warnings():
    # Starlette 1.x prefers the `httpx2` fork and says so once, at import; httpx 0.28.1 is what we pin.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from starlette.testclient import TestClient

# 30 Nov 2026 10:15 WITA, the same moment the outlet tests live in.
MOMENT = datetime(2026, 11, 30, 2, 15, tzinfo=timezone.utc)
PASSWORD = "rahasia-kota-2026"
OUTLET_A = "0a0a0a0a-0000-4000-8000-00000000000a"
OUTLET_B = "0b0b0b0b-0000-4000-8000-00000000000b"
OUTLET_C = "0c0c0c0c-0000-4000-8000-00000000000c"


@dataclass
class City:
    engine: Engine
    now: datetime


def seed(engine: Engine, now: datetime) -> None:
    """Three outlets: A busy and synced, B three days silent, C never synced; effect rows around `now`."""
    today = wita_today(now)
    stamp = rfc3339(now)
    month = today.isoformat()[:7]
    with engine.begin() as c:
        c.execute(insert(outlet), [
            {"id": OUTLET_A, "name": "KKMP Sidodadi", "kelurahan_code": "6472021001", "kelurahan": "Sidodadi",
             "kecamatan": "Samarinda Ulu", "lpg3_allocation": 300, "created_at": stamp},
            {"id": OUTLET_B, "name": "KKMP Karang Asam Ulu", "kelurahan_code": "6472061002",
             "kelurahan": "Karang Asam Ulu", "kecamatan": "Sungai Kunjang", "lpg3_allocation": 0,
             "created_at": stamp},
            {"id": OUTLET_C, "name": "KKMP Sempaja Utara", "kelurahan_code": "6472081003",
             "kelurahan": "Sempaja Utara", "kecamatan": "Samarinda Utara", "lpg3_allocation": 200,
             "created_at": stamp},
        ])
        c.execute(insert(device), [
            {"id": "d0000000-0000-4000-8000-00000000000a", "outlet_id": OUTLET_A, "name": "Kasir 1",
             "public_key": "A" * 44, "token_hash": "a" * 64, "enrolled_at": stamp, "last_seq": 120,
             "last_sync_at": rfc3339(now - timedelta(hours=1))},
            {"id": "d0000000-0000-4000-8000-00000000000b", "outlet_id": OUTLET_B, "name": "Kasir 1",
             "public_key": "B" * 44, "token_hash": "b" * 64, "enrolled_at": stamp, "last_seq": 40,
             "last_sync_at": rfc3339(now - timedelta(days=3))},
        ])
        days = []
        for back in range(10):
            day = (today - timedelta(days=back)).isoformat()
            days.append({"outlet_id": OUTLET_A, "business_date": day, "sales_count": 40 + back,
                         "sales_total": 1_000_000 + back * 100_000, "member_sales_count": 10,
                         "member_sales_total": 250_000, "refund_count": 0, "refund_total": 0,
                         "z_closed": 1 if back else 1})
        days.append({"outlet_id": OUTLET_B, "business_date": (today - timedelta(days=3)).isoformat(),
                     "sales_count": 5, "sales_total": 75_500, "member_sales_count": 0, "member_sales_total": 0,
                     "refund_count": 0, "refund_total": 0, "z_closed": 0})
        c.execute(insert(sales_day), days)
        c.execute(insert(sales_product_day), [
            {"outlet_id": OUTLET_A, "business_date": today.isoformat(), "sku": "BRS-5", "name": "Beras SPHP 5 kg",
             "qty_milli": 12_000, "amount": 750_000, "lines": 12},
            {"outlet_id": OUTLET_A, "business_date": today.isoformat(), "sku": "GULA-1",
             "name": "<b>Gula</b> pasir 1 kg", "qty_milli": 1_250, "amount": 22_500, "lines": 1},
            {"outlet_id": OUTLET_A, "business_date": (today - timedelta(days=1)).isoformat(), "sku": "LPG3",
             "name": "=LPG 3 kg", "qty_milli": 20_000, "amount": 380_000, "lines": 20},
            {"outlet_id": OUTLET_A, "business_date": (today - timedelta(days=45)).isoformat(), "sku": "LAMA",
             "name": "Produk lama", "qty_milli": 1_000, "amount": 5_000, "lines": 1},
            {"outlet_id": OUTLET_B, "business_date": (today - timedelta(days=3)).isoformat(), "sku": "MINYAK-1",
             "name": "Minyakita 1 L", "qty_milli": 5_000, "amount": 75_500, "lines": 5},
        ])
        c.execute(insert(payment_day), [
            {"outlet_id": OUTLET_A, "business_date": today.isoformat(), "method": "tunai", "amount": 750_000,
             "count": 30},
            {"outlet_id": OUTLET_A, "business_date": today.isoformat(), "method": "qris", "amount": 250_000,
             "count": 10},
        ])
        c.execute(insert(stock_position), [
            {"outlet_id": OUTLET_A, "sku": "BRS-5", "qty_milli": 12_000, "updated_at": stamp},
            {"outlet_id": OUTLET_A, "sku": "GULA-1", "qty_milli": 1_250, "updated_at": stamp},
            {"outlet_id": OUTLET_B, "sku": "MINYAK-1", "qty_milli": 7_000, "updated_at": stamp},
            {"outlet_id": OUTLET_A, "sku": "TELUR-1", "qty_milli": -2_500, "updated_at": stamp},
        ])
        # Never sold at A: its stock line takes the name from the published catalogue.
        c.execute(insert(master_version).values(version=1, published_at=stamp, source="katalog.csv", items=1))
        c.execute(insert(master_item).values(kind="product", key="TELUR-1", version=1,
                                             payload='{"name":"Telur ayam 1 kg","sku":"TELUR-1"}'))
        c.execute(insert(lpg_month), [
            {"outlet_id": OUTLET_A, "month": month, "cylinders": 150, "buyers_rumah_tangga": 90,
             "buyers_usaha_mikro": 20, "buyers_other": 2, "amount": 2_850_000},
        ])
        c.execute(insert(flag), [
            {"outlet_id": OUTLET_A, "device_id": None, "seq": 17, "kind": "price_above_het",
             "detail": "BRS-5 dijual Rp70.000 > HET Rp62.500", "created_at": stamp, "resolved_at": None},
            {"outlet_id": OUTLET_A, "device_id": None, "seq": 18, "kind": "price_above_het",
             "detail": "GULA-1 di atas HET", "created_at": stamp, "resolved_at": None},
            {"outlet_id": OUTLET_A, "device_id": None, "seq": 19, "kind": "fork", "detail": "fork di seq 19",
             "created_at": stamp, "resolved_at": None},
            {"outlet_id": OUTLET_A, "device_id": None, "seq": 5, "kind": "gap", "detail": "sudah beres",
             "created_at": stamp, "resolved_at": stamp},
            {"outlet_id": OUTLET_B, "device_id": None, "seq": 41, "kind": "gap", "detail": "gap 41..44",
             "created_at": stamp, "resolved_at": None},
        ])
    create_user(engine, username="dinas.kota", role="dinas", password=PASSWORD)
    create_user(engine, username="kop.sidodadi", role="koperasi", outlet_id=OUTLET_A, password=PASSWORD)
    create_user(engine, username="kop.karang", role="koperasi", outlet_id=OUTLET_B, password=PASSWORD)


class Clock:
    """A settable clock for the router (sessions expire, throttles unlock)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def city(city_engine: Engine) -> City:
    """The seeded city database, on SQLite and on the run's real PostgreSQL (tests/sync/conftest.py)."""
    seed(city_engine, MOMENT)
    return City(city_engine, MOMENT)


@pytest.fixture
def clock() -> Clock:
    return Clock(MOMENT)


@pytest.fixture
def client(city: City, clock: Clock) -> Iterator[TestClient]:
    """The real app (`create_app`: its error handlers and /v1 API) with the dashboard on a settable clock."""
    app = create_app(city.engine, dashboard=False)
    app.include_router(router(city.engine, now=clock))
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


def login(client: TestClient, username: str, password: str = PASSWORD) -> object:
    """Open the login page (gets the pre-session CSRF cookie), then post the form with its token."""
    page = client.get("/login")
    token = csrf_from(page.text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False)


def csrf_from(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]

