"""The dashboard in real headless Chromium against a real uvicorn server on 127.0.0.1 with the demo data."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from sync.server.store.db import open_database
from sync.server.store.schema import outlet
from tests.sync.helpers.servers import uvicorn_in_thread

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NOT_FOUND = "Gerai atau halaman tidak ditemukan"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="/usr/bin/chromium is not installed (run.py installs it for CI)")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """`kkmp-city-server demo` data (one week) in an SQLite file, served by the real app under uvicorn."""
    from sync.server.app import create_app
    from sync.server.demo import run_demo

    path = tmp_path_factory.mktemp("dashboard") / "city.sqlite3"
    engine = open_database(f"sqlite+pysqlite:///{path}")
    demo = run_demo(engine, weeks=1)
    with engine.connect() as connection:
        outlets = {row.name: row.id for row in connection.execute(select(outlet.c.name, outlet.c.id))}
    users = {user["role"]: user for user in demo["users"]}
    with uvicorn_in_thread(create_app(engine)) as base_url:
        yield base_url, users, outlets, tmp_path_factory.mktemp("downloads")
    engine.dispose()


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _log_in(page, base_url: str, user: dict) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base_url}/")
    assert page.url == f"{base_url}/login"  # not logged in: sent to the login page
    page.fill("#username", user["username"])
    page.fill("#password", user["password"])
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _watch_requests(page, base_url: str) -> list[str]:  # type: ignore[no-untyped-def]
    foreign: list[str] = []
    page.on("request", lambda request: None if request.url.startswith((base_url, "data:"))
            else foreign.append(request.url))
    return foreign


def test_dinas_logs_in_sees_the_demo_outlets_opens_one_and_downloads_its_csv(demo_server, browser) -> None:
    base_url, users, outlets, downloads = demo_server
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    foreign = _watch_requests(page, base_url)

    _log_in(page, base_url, {"username": users["dinas"]["username"], "password": "salah-salah-salah"})
    assert "Nama pengguna atau kata sandi salah." in page.content()
    page.fill("#username", users["dinas"]["username"])
    page.fill("#password", users["dinas"]["password"])
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.url == f"{base_url}/"
    assert page.locator("h1").inner_text() == "Ringkasan gerai"
    rows = page.locator("table.overview tbody tr")
    assert rows.count() == len(outlets) == 12
    for name in outlets:
        assert page.get_by_role("link", name=name, exact=True).is_visible()

    page.get_by_role("link", name="KKMP Lempake", exact=True).click()
    page.wait_for_load_state()
    assert page.url == f"{base_url}/outlet/{outlets['KKMP Lempake']}"
    assert page.locator("h1").inner_text() == "KKMP Lempake"
    assert page.locator("svg.chart").first.is_visible()
    assert page.locator("svg.chart rect.bar").count() >= 30
    assert "Metode pembayaran" in page.content() and "Produk terlaris" in page.content()

    with page.expect_download() as download_info:
        page.click("#csv-default")
    download = download_info.value
    assert download.suggested_filename.startswith(f"penjualan_{outlets['KKMP Lempake'][:8]}_")
    target = downloads / download.suggested_filename
    download.save_as(target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "tanggal,gerai_id,gerai,sku,nama_produk,qty_milli,qty,jumlah_rp,baris"
    assert len(lines) > 10
    assert all(f",{outlets['KKMP Lempake']},KKMP Lempake," in line for line in lines[1:])
    assert sum(int(line.rsplit(",", 2)[1]) for line in lines[1:]) > 0

    page.click("text=Keluar")
    page.wait_for_load_state()
    assert page.url == f"{base_url}/login"
    page.goto(f"{base_url}/outlet/{outlets['KKMP Lempake']}")
    assert page.url == f"{base_url}/login"
    assert foreign == []
    context.close()


def test_koperasi_cannot_open_another_outlets_page_or_csv_even_on_a_phone(demo_server, browser) -> None:
    base_url, users, outlets, _downloads = demo_server
    user = users["koperasi"]
    own = outlets["KKMP Lempake"]
    other_name, other = next((name, oid) for name, oid in outlets.items() if oid != own)
    context = browser.new_context(accept_downloads=True, viewport={"width": 360, "height": 740},
                                  is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    foreign = _watch_requests(page, base_url)

    _log_in(page, base_url, user)
    assert page.url == f"{base_url}/outlet/{own}"  # straight to its own outlet
    assert page.locator("h1").inner_text() == "KKMP Lempake"
    # Usable at 360 px: the page itself never scrolls sideways (wide tables scroll inside their box).
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator("svg.chart").first.bounding_box()["width"] <= 360

    page.goto(f"{base_url}/")
    assert page.url == f"{base_url}/outlet/{own}"

    answer = page.goto(f"{base_url}/outlet/{other}")
    assert answer is not None and answer.status == 404
    assert NOT_FOUND in page.content() and other_name not in page.content()

    csv_answer = page.request.get(f"{base_url}/outlet/{other}/sales.csv")
    assert csv_answer.status == 404
    assert "text/csv" not in csv_answer.headers["content-type"] and other_name not in csv_answer.text()
    overview_csv = page.request.get(f"{base_url}/export/overview.csv").text().splitlines()
    assert [line.split(",")[0] for line in overview_csv[1:]] == [own]

    own_csv = page.request.get(f"{base_url}/outlet/{own}/sales.csv")
    assert own_csv.status == 200 and own_csv.headers["content-type"].startswith("text/csv")
    assert foreign == []
    context.close()
