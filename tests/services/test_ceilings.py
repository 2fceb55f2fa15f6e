"""HET/HAP ceilings as data: the shipped table, CSV import (all or nothing, errors by line and column), dates."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kkmp_pos import cli
from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.ceiling_import import CeilingFileInvalid
from kkmp_pos.domain.clock import business_date, fixed_clock
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.domain.roles import Action
from kkmp_pos.services import catalog, ceilings, sales
from kkmp_pos.services.approval_use import ApprovalRequired
from kkmp_pos.services.context import PosContext, open_context
from kkmp_pos.store.models import PriceCeiling, User
from tests.conftest import TEST_MOMENT

HEADER = "sku,kind,amount,source,region,effective_from\n"


def stored_count(ctx: PosContext) -> int:
    with ctx.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(PriceCeiling)).scalar_one())


def kasir_id(ctx: PosContext) -> str:
    with ctx.engine.connect() as connection:
        return str(connection.execute(select(User.id).where(User.username == "kasir")).scalar_one())


def product(ctx: PosContext, sku: str):  # noqa: ANN201 - a Product
    found = catalog.find_by_sku(ctx, sku)
    assert found is not None
    return found


def test_the_demo_carries_the_domain_table_and_reseeding_adds_nothing(ctx: PosContext) -> None:
    today = business_date(ctx.clock())
    overview = ceilings.ceiling_overview(ctx)
    assert {(v.sku, v.kind, v.amount) for v in overview} >= {
        ("LPG-3-ISI", "HET", 18_000), ("MGR-MKT-1", "HET", 15_700), ("MGR-MKT-2", "HET", 31_400),
        ("BRS-MED-5", "HET", 70_000), ("BRS-PRE-5", "HET", 77_000), ("BRS-KRG-25", "HET", 350_000),
        ("BRS-CURAH", "HET", 14_000), ("BRS-SPHP-5", "HET", 65_500), ("GLA-1", "HAP", 17_500),
        ("GLA-CURAH", "HAP", 17_500)}
    lpg = next(v for v in overview if v.sku == "LPG-3-ISI")
    assert "500/K.572/2022" in lpg.source and lpg.region == "Kota Samarinda" and not lpg.upcoming
    assert ceilings.seed_domain_ceilings(ctx) == ceilings.CeilingImportResult(added=0, unchanged=10)
    sugar = ceilings.ceiling_for(ctx, product(ctx, "GLA-1"), today)
    assert sugar is not None and (sugar.kind, sugar.amount) == ("HAP", 17_500)
    assert ceilings.ceiling_for(ctx, product(ctx, "MIE-IDG"), today) is None


def test_a_newer_ceiling_takes_over_from_its_date(ctx: PosContext) -> None:
    today = business_date(ctx.clock())
    tomorrow = today + timedelta(days=1)
    result = ceilings.import_ceilings_csv(ctx, HEADER + (
        f"MGR-MKT-1,HET,16500,Permendag baru (uji),Nasional,{tomorrow.isoformat()}\n"
        f"MGR-MKT-1,HET,15000,Permendag lama (uji),Nasional,2020-01-01\n"))
    assert result == ceilings.CeilingImportResult(added=2, unchanged=0)
    oil = product(ctx, "MGR-MKT-1")
    assert ceilings.ceiling_for(ctx, oil, today).amount == 15_700  # type: ignore[union-attr]
    assert ceilings.ceiling_for(ctx, oil, tomorrow).amount == 16_500  # type: ignore[union-attr]
    listed = [(v.amount, v.upcoming) for v in ceilings.ceiling_overview(ctx) if v.sku == "MGR-MKT-1"]
    assert listed == [(15_700, False), (16_500, True)]  # the 2020 one is history, not shown

    cart = Cart()
    cart.add(oil)
    cart.set_price(0, 16_000)
    with pytest.raises(ApprovalRequired) as today_refused:
        sales.complete_sale(ctx, cart, [cash_payment(16_000, 20_000)], cashier_id=kasir_id(ctx))
    assert Action.PRICE_ABOVE_HET in {r.action for r in today_refused.value.missing}
    ctx.clock = fixed_clock(TEST_MOMENT + timedelta(days=1))
    with pytest.raises(ApprovalRequired) as tomorrow_refused:
        sales.complete_sale(ctx, cart, [cash_payment(16_000, 20_000)], cashier_id=kasir_id(ctx))
    assert {r.action for r in tomorrow_refused.value.missing} == {Action.MANUAL_PRICE}  # within the new HET


@pytest.mark.parametrize(("body", "expected"), [
    ("MGR-MKT-1,HET,15.700,Permendag,Nasional,2024-08-01\n",
     ["Baris 2, kolom 'amount': '15.700' bukan rupiah bulat (contoh: 15700, tanpa titik atau koma)"]),
    ("MGR-MKT-1,HPP,15700,Permendag,Nasional,2024-08-01\n",
     ["Baris 2, kolom 'kind': 'HPP' tidak dikenal; isi HET (batas, memblokir) atau HAP (acuan, hanya peringatan)"]),
    ("MGR-MKT-1,HET,15700,,Nasional,01/08/2024\n",
     ["Baris 2, kolom 'source': wajib diisi",
      "Baris 2, kolom 'effective_from': '01/08/2024' bukan tanggal TTTT-BB-HH (contoh: 2025-08-22)"]),
    ("MGR-MKT-1,HET,0,Permendag,Nasional,2024-02-30\n",
     ["Baris 2, kolom 'amount': harus lebih dari nol",
      "Baris 2, kolom 'effective_from': '2024-02-30' bukan tanggal TTTT-BB-HH (contoh: 2025-08-22)"]),
    ("MGR-MKT-1,HET,15800,Uji,Nasional,2024-08-01\n\nMGR-MKT-1,het,15900,Uji,Nasional,2024-08-01\n",
     ["Baris 4, kolom 'effective_from': HET MGR-MKT-1 untuk Nasional mulai 2024-08-01 sudah ada di baris 2"]),
    ("MINYAK-X,HET,15700,Uji,Nasional,2026-01-01\n",
     ["Baris 2, kolom 'sku': 'MINYAK-X' tidak ada di katalog gerai ini; periksa ketikannya"]),
    ("MGR-MKT-1,HET,16000,Permendag 18/2024 (Minyakita Rp15.700/liter),Nasional,2024-08-01\n",
     ["Baris 2, kolom 'amount': HET MGR-MKT-1 untuk Nasional mulai 2024-08-01 sudah tercatat Rp15.700; batas yang "
      "sudah tercatat tidak diubah, beri nilai baru tanggal berlaku baru"]),
])
def test_a_bad_file_is_refused_whole_with_line_and_column(ctx: PosContext, body: str, expected: list[str]) -> None:
    good = "GLA-1,HAP,18000,Uji,Nasional,2026-12-01\n"
    before = stored_count(ctx)
    with pytest.raises(CeilingFileInvalid) as refused:
        ceilings.import_ceilings_csv(ctx, HEADER + body + good)
    report = refused.value.report().splitlines()
    assert report[0] == f"Batas harga tidak diimpor karena ada {len(expected)} kesalahan. Perbaiki lalu impor ulang."
    assert report[1:] == expected
    assert stored_count(ctx) == before  # the good row was not imported either


def test_a_missing_column_or_empty_file_is_explained(ctx: PosContext) -> None:
    with pytest.raises(CeilingFileInvalid) as no_region:
        ceilings.import_ceilings_csv(ctx, "sku,kind,amount,source,effective_from\nGLA-1,HAP,1,x,2026-01-01\n")
    assert str(no_region.value.problems[0]) == "Baris 1, kolom 'region': kolom tidak ada di baris judul"
    with pytest.raises(CeilingFileInvalid, match="1 kesalahan"):
        ceilings.import_ceilings_csv(ctx, HEADER)


def test_the_command_line_imports_a_file(ctx: PosContext, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = ctx.data_dir
    good = tmp_path / "het.csv"
    good.write_text(HEADER + "LPG-3-ISI,HET,19000,SK Gubernur Kaltim baru (uji),Kota Samarinda,2027-01-01\n",
                    encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "LPG-3-ISI,HET,abc,SK,Kota Samarinda,2027-01-01\n", encoding="utf-8")
    ctx.close()
    assert cli.main(["--data-dir", str(data_dir), "import-ceilings", str(bad)]) == 1
    assert "Baris 2, kolom 'amount': 'abc' bukan rupiah bulat" in capsys.readouterr().err
    assert cli.main(["import-ceilings", str(good), "--data-dir", str(data_dir)]) == 0
    assert "1 batas harga baru" in capsys.readouterr().out
    assert cli.main(["--data-dir", str(data_dir), "import-ceilings", str(tmp_path / "none.csv")]) == 2
    assert "tidak ditemukan" in capsys.readouterr().err
    reopened = open_context(data_dir, clock=fixed_clock(TEST_MOMENT))
    try:
        lpg = catalog.find_by_sku(reopened, "LPG-3-ISI")
        assert lpg is not None
        assert ceilings.ceiling_for(reopened, lpg, date(2027, 1, 1)).amount == 19_000  # type: ignore[union-attr]
    finally:
        reopened.close()
