"""Dashboard building blocks: passwords, users, throttle, Indonesian formatting, SVG charts, CSV safety."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from sync.server.dashboard import charts, formatting
from sync.server.dashboard.csv_export import _safe
from sync.server.dashboard.passwords import hash_password, verify_password
from sync.server.dashboard.users import check_password, create_user
from sync.server.store.schema import dashboard_user
from tests.sync.dashboard.conftest import OUTLET_A, PASSWORD


def test_password_hash_is_salted_scrypt_and_checks_in_constant_form() -> None:
    first, second = hash_password("kata-sandi-rahasia"), hash_password("kata-sandi-rahasia")
    assert first != second
    assert re.fullmatch(r"scrypt\$16384\$8\$1\$[0-9a-f]{32}\$[0-9a-f]{64}", first)
    assert verify_password("kata-sandi-rahasia", first)
    assert not verify_password("kata-sandi-rahasiA", first)
    for broken in ("", "scrypt$16384$8$1$zz$00", "bcrypt$1$2$3$00$00", "scrypt$16385$8$1$00$00",
                   "scrypt$16384$8$1$$", "scrypt$" + "9" * 30 + "$8$1$00$00"):
        assert not verify_password("kata-sandi-rahasia", broken)


def test_create_user_generates_a_password_shown_once_and_stores_only_its_hash(city) -> None:
    made = create_user(city.engine, username="kop.baru", role="koperasi", outlet_id=OUTLET_A)
    assert set(made) == {"username", "role", "outlet_id", "password"}
    assert made["role"] == "koperasi" and made["outlet_id"] == OUTLET_A and len(made["password"]) == 16
    with city.engine.connect() as connection:
        stored = connection.execute(select(dashboard_user.c.password_hash).where(
            dashboard_user.c.username == "kop.baru")).scalar_one()
    assert made["password"] not in stored and stored.startswith("scrypt$")
    viewer = check_password(city.engine, "KOP.BARU", made["password"])
    assert viewer is not None and viewer.role == "koperasi" and viewer.outlet_id == OUTLET_A
    assert check_password(city.engine, "kop.baru", made["password"] + "x") is None
    assert check_password(city.engine, "tidak.ada", made["password"]) is None


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"username": "Dinas.Kota", "role": "dinas"}, "Nama pengguna sudah dipakai"),
    ({"username": "baru", "role": "admin"}, "Peran harus"),
    ({"username": "baru", "role": "koperasi"}, "memerlukan --outlet"),
    ({"username": "baru", "role": "koperasi", "outlet_id": "00000000-0000-4000-8000-000000000000"},
     "Gerai tidak ditemukan"),
    ({"username": "baru", "role": "dinas", "outlet_id": OUTLET_A}, "jangan beri --outlet"),
    ({"username": "a b", "role": "dinas"}, "Nama pengguna tidak sah"),
    ({"username": "baru", "role": "dinas", "password": "pendek"}, "terlalu pendek"),
])
def test_create_user_refuses_with_an_indonesian_message(city, kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        create_user(city.engine, **kwargs)


def test_known_password_still_logs_in_after_refusals(city) -> None:
    assert check_password(city.engine, "dinas.kota", PASSWORD) is not None


def test_indonesian_money_quantity_percent_and_time() -> None:
    assert formatting.rupiah(1_234_567) == "Rp1.234.567"
    assert formatting.rupiah(0) == "Rp0" and formatting.rupiah(-5_000) == "-Rp5.000"
    assert formatting.qty(12_000) == "12" and formatting.qty(1_250) == "1,25"
    assert formatting.qty(1_234_500) == "1.234,5" and formatting.qty(-500) == "-0,5" and formatting.qty(1_001) == "1,001"
    assert formatting.qty_plain(1_250) == "1.250" and formatting.qty_plain(-12_000) == "-12"
    assert formatting.percent(1, 8) == "12,5%" and formatting.percent(1, 2) == "50%"
    assert formatting.percent(5, 0) == "–"
    assert formatting.wita("2026-11-29T16:30:00.000000Z") == "30 Nov 2026 00.30 WITA"
    assert formatting.wita(None) == "–" and formatting.wita("kemarin") == "–"
    assert formatting.month_name("2026-02") == "Februari 2026"
    assert formatting.wita_today(datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)).isoformat() == "2026-12-01"


def test_charts_are_plain_svg_with_escaped_labels() -> None:
    bars = charts.bar_chart([("1 Nov", 1_500_000, "<b>tip</b>"), ("2 Nov", 0, "nol")], label="Uji & <coba>")
    assert bars.startswith('<svg class="chart" viewBox="0 0 480 220"')
    assert "<b>" not in bars and "&lt;b&gt;tip&lt;/b&gt;" in bars and "Uji &amp; &lt;coba&gt;" in bars
    assert "2 jt" in bars  # the top gridline of 1,5 jt rounds up to 2 jt
    assert "http" not in bars
    hbars = charts.hbar_chart([("Tunai", 750, "75%"), ("QRIS", 250, "25%")], label="bayar")
    assert hbars.count('<rect class="bar"') == 2
    line = charts.line_chart([("Okt", 120), ("Nov", 150)], label="lpg", reference=300, reference_label="alokasi")
    assert "<polyline" in line and 'class="reference"' in line
    assert charts.nice_max(0) == 1 and charts.nice_max(1_500_000) == 2_000_000 and charts.nice_max(7) == 10
    assert charts.short_amount(250_000) == "250 rb" and charts.short_amount(2_000_000_000) == "2 M"


def test_csv_cells_never_start_a_formula_but_numbers_stay_numbers() -> None:
    assert _safe("=SUM(A1)") == "'=SUM(A1)" and _safe("@cmd") == "'@cmd" and _safe("+62") == "'+62"
    assert _safe("-1.250") == "-1.250" and _safe(-5) == -5 and _safe("Beras") == "Beras"
