"""The dashboard in-process (starlette TestClient) on a real database: login, sessions, CSRF, pages, scoping."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, update

from sync.server.store.schema import dashboard_session, dashboard_user
from tests.sync.dashboard.conftest import OUTLET_A, OUTLET_B, OUTLET_C, PASSWORD, csrf_from, login

WRONG = "Nama pengguna atau kata sandi salah."


def _sessions(city) -> int:  # type: ignore[no-untyped-def]
    with city.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(dashboard_session)))


def test_login_page_is_indonesian_phone_ready_and_sets_a_strict_csrf_cookie(client) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert '<html lang="id">' in page.text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text
    assert "Nama pengguna" in page.text and "Kata sandi" in page.text and ">Masuk<" in page.text
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("kkmp_login_csrf=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert csrf_from(page.text) == client.cookies["kkmp_login_csrf"]


def test_dinas_logs_in_with_a_session_cookie_and_only_its_hash_is_stored(client, city) -> None:
    answer = login(client, "dinas.kota")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = [c for c in answer.headers.get_list("set-cookie") if c.startswith("kkmp_session=")][0]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=43200" in cookie
    assert "Secure" not in cookie  # plain http on loopback; https gets Secure (next test)
    token = client.cookies["kkmp_session"]
    with city.engine.connect() as connection:
        stored = connection.execute(select(dashboard_session.c.token_hash)).scalars().all()
    assert len(stored) == 1 and stored[0] != token and len(stored[0]) == 64


def test_session_cookie_is_secure_over_https(client) -> None:
    client.base_url = "https://127.0.0.1"
    answer = login(client, "dinas.kota")
    assert answer.status_code == 303
    cookie = [c for c in answer.headers.get_list("set-cookie") if c.startswith("kkmp_session=")][0]
    assert "Secure" in cookie


def test_wrong_password_and_unknown_user_get_the_same_answer(client, city) -> None:
    wrong = login(client, "dinas.kota", "salah-sekali-123")
    unknown = login(client, "tidak.ada", "salah-sekali-123")
    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert WRONG in answer.text
        assert "kkmp_session" not in answer.headers.get("set-cookie", "")
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", wrong.text).replace("dinas.kota", "") == strip.sub("", unknown.text).replace("tidak.ada", "")
    assert _sessions(city) == 0


def test_login_without_or_with_a_wrong_csrf_token_is_refused(client, city) -> None:
    no_cookie = client.post("/login", data={"username": "dinas.kota", "password": PASSWORD, "csrf_token": "x" * 43},
                            follow_redirects=False)
    assert no_cookie.status_code == 403 and "kedaluwarsa" in no_cookie.text
    client.get("/login")
    mismatch = client.post("/login", data={"username": "dinas.kota", "password": PASSWORD,
                                           "csrf_token": "y" * 43}, follow_redirects=False)
    assert mismatch.status_code == 403
    missing = client.post("/login", data={"username": "dinas.kota", "password": PASSWORD}, follow_redirects=False)
    assert missing.status_code == 403
    not_a_form = client.post("/login", json={"username": "dinas.kota", "password": PASSWORD},
                             follow_redirects=False)
    assert not_a_form.status_code == 400
    assert _sessions(city) == 0
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_five_failures_lock_the_username_for_sixty_seconds(client, clock) -> None:
    for _ in range(5):
        assert login(client, "kop.sidodadi", "bukan-sandinya").status_code == 401
    locked = login(client, "kop.sidodadi")  # the right password, but locked
    assert locked.status_code == 429 and "Tunggu satu menit" in locked.text
    assert login(client, "dinas.kota").status_code == 303  # another username is not locked
    client.cookies.clear()
    clock.moment += timedelta(seconds=61)
    assert login(client, "kop.sidodadi").status_code == 303


def test_pages_and_exports_redirect_to_login_without_a_session(client) -> None:
    for path in ("/", f"/outlet/{OUTLET_A}", f"/outlet/{OUTLET_A}/sales.csv", "/export/overview.csv"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/login", path
    client.cookies.set("kkmp_session", "forged-token-forged-token-forged")
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_dinas_overview_shows_every_outlet_with_its_figures(client) -> None:
    login(client, "dinas.kota")
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    for name in ("KKMP Sidodadi", "KKMP Karang Asam Ulu", "KKMP Sempaja Utara"):
        assert name in html
    assert "Samarinda Ulu" in html and "Sidodadi" in html
    assert '30 Nov 2026<br><span class="muted">09.15 WITA' in html  # A's last sync (01:15 UTC)
    assert '27 Nov 2026<br><span class="muted">10.15 WITA' in html and "belum pernah" in html
    assert 'class="num bad">3<' in html  # B: three days without sync, highlighted
    assert "Rp1.000.000" in html  # A today
    assert "Rp14.500.000" in html and "Rp14.575.500" in html  # A this month; all outlets this month
    assert '150 / 300<br><span class="muted">50%' in html and '0 / 200<br><span class="muted">0%' in html
    assert "1 / 3" in html  # Z closed today at one outlet of three
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    row_a = body[body.index("KKMP Sidodadi"):]
    row_a = row_a[:row_a.index("</tr>")]
    cells = re.findall(r'<td class="num[^"]*">(\d+)</td>', row_a)
    assert cells == ["0", "2", "0", "1", "0", "0", "3"]  # days, HET 2, LPG 0, fork 1, gap 0 (resolved), lain, total
    assert "Total (3 gerai)" in html


def test_overview_sorts_by_a_clicked_column(client) -> None:
    login(client, "dinas.kota")
    html = client.get("/?urut=bulan_ini").text
    assert html.index("KKMP Sidodadi") < html.index("KKMP Karang Asam Ulu") < html.index("KKMP Sempaja Utara")
    html = client.get("/?urut=sinkron").text
    assert html.index("KKMP Sempaja Utara") < html.index("KKMP Karang Asam Ulu") < html.index("KKMP Sidodadi")
    assert client.get("/?urut=<script>").status_code == 200


def test_outlet_page_shows_charts_payments_products_stock_lpg_members_and_flags(client) -> None:
    login(client, "dinas.kota")
    html = client.get(f"/outlet/{OUTLET_A}").text
    assert html.count("<svg") == 3  # sales per day, payment mix, LPG months
    assert 'aria-label="Penjualan per hari, 30 hari terakhir"' in html
    assert html.count('<rect class="bar"') == 30 + 2
    assert "Tunai" in html and "QRIS" in html and "75%" in html and "25%" in html
    assert "Beras SPHP 5 kg" in html and "Rp750.000" in html
    assert "&lt;b&gt;Gula&lt;/b&gt; pasir 1 kg" in html and "<b>Gula</b>" not in html
    assert '<td class="num">12</td>' in html and '<td class="num">1,25</td>' in html
    assert "Telur ayam 1 kg" in html and '<td class="num bad">-2,5</td>' in html  # name from the catalogue
    assert "November 2026" in html and "Rumah tangga" in html and "150" in html
    assert "Anggota" in html and "Non-anggota" in html and "17,2%" in html  # 2.500.000 of 14.500.000
    assert "BRS-5 dijual Rp70.000 &gt; HET Rp62.500" in html and "Harga di atas HET" in html
    assert "sudah beres" not in html  # a resolved flag is not open
    assert "Kasir 1" in html
    assert f'href="/outlet/{OUTLET_A}/sales.csv"' in html


def test_unknown_outlet_is_a_404_page_in_indonesian(client) -> None:
    login(client, "dinas.kota")
    for outlet_id in ("00000000-0000-4000-8000-000000000000", "x" * 500, "%27%20OR%201=1"):
        answer = client.get(f"/outlet/{outlet_id}")
        assert answer.status_code == 404
        assert "Gerai atau halaman tidak ditemukan" in answer.text
        assert client.get(f"/outlet/{outlet_id}/sales.csv").status_code == 404


def test_koperasi_user_sees_only_its_own_outlet(client) -> None:
    assert login(client, "kop.sidodadi").headers["location"] == f"/outlet/{OUTLET_A}"
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == f"/outlet/{OUTLET_A}"
    own = client.get(f"/outlet/{OUTLET_A}")
    assert own.status_code == 200 and "KKMP Sidodadi" in own.text
    assert "Ringkasan gerai" not in own.text  # no way back to an all-outlet view
    for other in (OUTLET_B, OUTLET_C):
        page = client.get(f"/outlet/{other}")
        assert page.status_code == 404
        assert "Karang Asam" not in page.text and "Sempaja" not in page.text and "Rp75.500" not in page.text
        export = client.get(f"/outlet/{other}/sales.csv")
        assert export.status_code == 404 and "text/csv" not in export.headers["content-type"]
        assert "MINYAK" not in export.text
    overview = client.get("/export/overview.csv").text.splitlines()
    assert len(overview) == 2 and overview[1].startswith(OUTLET_A)


def test_sales_csv_has_one_row_per_day_and_product_for_the_period(client) -> None:
    login(client, "dinas.kota")
    answer = client.get(f"/outlet/{OUTLET_A}/sales.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == (
        'attachment; filename="penjualan_0a0a0a0a_2026-11-01_2026-11-30.csv"')
    lines = answer.text.splitlines()
    assert lines[0] == "tanggal,gerai_id,gerai,sku,nama_produk,qty_milli,qty,jumlah_rp,baris"
    assert lines[1:] == [
        f"2026-11-29,{OUTLET_A},KKMP Sidodadi,LPG3,'=LPG 3 kg,20000,20,380000,20",  # never a live formula
        f"2026-11-30,{OUTLET_A},KKMP Sidodadi,BRS-5,Beras SPHP 5 kg,12000,12,750000,12",
        f"2026-11-30,{OUTLET_A},KKMP Sidodadi,GULA-1,<b>Gula</b> pasir 1 kg,1250,1.250,22500,1",
    ]
    longer = client.get(f"/outlet/{OUTLET_A}/sales.csv?from=2026-10-01&to=2026-10-31").text.splitlines()
    assert longer[1:] == [f"2026-10-16,{OUTLET_A},KKMP Sidodadi,LAMA,Produk lama,1000,1,5000,1"]
    for bad in ("from=2026-13-01", "from=2026-11-30&to=2026-11-01", "to=kemarin", "from=2024-01-01&to=2026-01-01"):
        refused = client.get(f"/outlet/{OUTLET_A}/sales.csv?{bad}")
        assert refused.status_code == 400 and "Periode tidak sah" in refused.text, bad


def test_overview_csv_for_dinas_lists_every_outlet(client) -> None:
    login(client, "dinas.kota")
    answer = client.get("/export/overview.csv")
    assert answer.headers["content-disposition"] == 'attachment; filename="ringkasan_gerai_2026-11-30.csv"'
    lines = answer.text.splitlines()
    assert lines[0].startswith("gerai_id,gerai,kode_kelurahan,")
    assert len(lines) == 4
    row_a = [line for line in lines if line.startswith(OUTLET_A)][0].split(",")
    assert row_a[5:] == ["2026-11-30T01:15:00Z", "0", "1000000", "14500000", "ya", "150", "300", "2", "0", "1",
                         "0", "0"]


def test_logout_needs_the_session_csrf_token_and_ends_the_session(client, city) -> None:
    login(client, "dinas.kota")
    page = client.get("/")
    cookie = client.cookies["kkmp_session"]
    refused = client.post("/logout", data={"csrf_token": "bukan-token"}, follow_redirects=False)
    assert refused.status_code == 403
    assert client.get("/").status_code == 200  # still logged in
    done = client.post("/logout", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert _sessions(city) == 0
    client.cookies.set("kkmp_session", cookie)  # the old cookie is worthless now
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_sessions_expire_after_twelve_hours(client, clock) -> None:
    login(client, "dinas.kota")
    clock.moment += timedelta(hours=11, minutes=59)
    assert client.get("/", follow_redirects=False).status_code == 200
    clock.moment += timedelta(minutes=2)
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_a_deactivated_user_is_logged_out_and_cannot_log_in(client, city) -> None:
    login(client, "kop.karang")
    assert client.get(f"/outlet/{OUTLET_B}").status_code == 200
    with city.engine.begin() as connection:
        connection.execute(update(dashboard_user).where(dashboard_user.c.username == "kop.karang").values(
            active=False))
    assert client.get(f"/outlet/{OUTLET_B}", follow_redirects=False).headers["location"] == "/login"
    assert login(client, "kop.karang").status_code == 401


def test_no_page_or_stylesheet_loads_anything_from_elsewhere(client) -> None:
    pages = [client.get("/login")]
    login(client, "dinas.kota")
    pages += [client.get("/"), client.get(f"/outlet/{OUTLET_A}"), client.get(f"/outlet/{OUTLET_C}"),
              client.get("/outlet/nope")]
    css = client.get("/static/dashboard.css")
    assert css.status_code == 200 and css.headers["content-type"] == "text/css; charset=utf-8"
    for answer in [*pages, css]:
        text = answer.text.lower()
        assert "http://" not in text and "https://" not in text and "//" + "cdn" not in text
        assert "<script" not in text and "@import" not in text
    for answer in pages:
        policy = answer.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "style-src 'self'" in policy
        assert answer.headers["x-frame-options"] == "DENY"
        assert "style=" not in answer.text  # the policy forbids inline styles: none are needed


def test_phone_layout_scrolls_tables_and_stacks_cards(client) -> None:
    login(client, "dinas.kota")
    css = client.get("/static/dashboard.css").text
    assert ".table-wrap { width: 100%; overflow-x: auto;" in css
    assert "grid-template-columns: repeat(auto-fit, minmax(170px, 1fr))" in css
    assert "@media (max-width: 600px)" in css
    for path in ("/", f"/outlet/{OUTLET_A}"):
        html = client.get(path).text
        assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
        assert html.count("<table") == html.count('<div class="table-wrap">')  # every table can scroll sideways
