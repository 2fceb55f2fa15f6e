"""The RAT pack: member counts, simpanan, sales by unit and member/non-member, kasbon, stock, SHU; PDF and CSVs."""

from __future__ import annotations

import csv
import subprocess
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.payment import cash_payment, non_cash_payment
from kkmp_pos.domain.shu import ShuRates
from kkmp_pos.services import catalog, members, rat_pack, sales, savings, shu, stock_views
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import default_cashier
from tests.services import test_shu
from tests.services.test_refunds import user
from tests.services.test_shu import OIL, PDFTOTEXT, RICE, Year, sell

year = test_shu.year
"""The 2026 fixture of the SHU tests, shared here."""
JANUARY = datetime(2027, 1, 3, 1, 0, tzinfo=timezone.utc)


def kasbon_sale(ctx: PosContext, year: Year) -> sales.CompletedSale:
    """Budi gets a kasbon limit (the manager's decision) and buys two Minyakita on credit."""
    budi = members.update_member(ctx, year.budi.id, replace(year.budi.form(), credit_limit=500_000),
                                 by=user(ctx, "manajer"))
    cart = Cart(member=budi.ref())
    product = catalog.find_by_barcode(ctx, OIL)
    assert product is not None
    cart.add(product, 2000)
    return sales.complete_sale(ctx, cart, [non_cash_payment("kasbon", cart.total)], cashier_id=user(ctx, "kasir").id)


@pytest.fixture
def pack_year(ctx: PosContext, year: Year) -> tuple[Year, sales.CompletedSale, int]:
    """2026 plus Ani leaving, a kasbon sale, and what January 2027 brings (must stay out of 2026)."""
    members.update_member(ctx, year.ani.id, replace(year.ani.form(), status="keluar"), by=default_cashier(ctx))
    on_credit = kasbon_sale(ctx, year)
    stock_2026 = sum(row.value for row in stock_views.stock_list(ctx).rows)
    ctx.clock = fixed_clock(JANUARY)
    sell(ctx, [(RICE, 5000)], year.siti)
    savings.deposit_savings(ctx, year.budi.id, "wajib", cash_payment(20_000, 20_000), by=default_cashier(ctx))
    return year, on_credit, stock_2026


def test_rat_figures_match_the_hand_computed_ones(ctx: PosContext,
                                                   pack_year: tuple[Year, sales.CompletedSale, int]) -> None:
    facts, on_credit, stock_2026 = pack_year
    figures = rat_pack.rat_figures(ctx, 2026)
    m = figures.members
    # Siti joined in 2025; Budi and Ani in 2026; Ani left in 2026.
    assert (m.at_start, m.joined, m.left, m.at_end) == (1, 2, 1, 2)
    assert [(s.kind, s.deposits, s.withdrawals, s.balance) for s in figures.savings] == [
        ("pokok", 200_000, 0, 200_000), ("wajib", 20_000, 0, 20_000), ("sukarela", 50_000, 10_000, 40_000)]
    sembako = (facts.siti_sale.total + facts.budi_sale.total + facts.walk_in.total + facts.warung_sale.total
               + on_credit.total)
    member_sales = facts.siti_sale.total + facts.budi_sale.total + facts.lpg_sale.total + on_credit.total
    assert (figures.by_unit["sembako"].sales, figures.by_unit["sembako"].refunds) == (sembako, facts.siti_refund.total)
    assert (figures.by_unit["lpg"].sales, figures.by_unit["lpg"].net) == (facts.lpg_sale.total, facts.lpg_sale.total)
    assert figures.member_sales.sales == member_sales
    assert figures.member_sales.refunds == facts.siti_refund.total
    assert figures.non_member_sales.sales == facts.walk_in.total + facts.warung_sale.total
    assert figures.non_member_sales.refunds == 0
    assert (figures.kasbon_outstanding, figures.kasbon_customers) == (on_credit.total, 1)
    assert figures.stock_value == stock_2026 > 0
    # 2027 so far: Ani already gone, January's rice sale to Siti, Budi's January wajib.
    later = rat_pack.rat_figures(ctx, 2027)
    assert (later.members.at_start, later.members.joined, later.members.left, later.members.at_end) == (2, 0, 0, 2)
    assert later.member_sales.sales > 0 and later.savings[1].balance == 40_000
    assert later.stock_value < stock_2026


def test_the_pack_is_one_pdf_and_csvs_in_the_chosen_folder(ctx: PosContext, tmp_path: Path,
                                                           pack_year: tuple[Year, sales.CompletedSale, int]) -> None:
    facts, on_credit, stock_2026 = pack_year
    table = shu.compute_year_shu(ctx, 2026, ShuRates(pool=750_000, purchase_bp=4_000, savings_bp=2_000))
    folder = tmp_path / "rat"
    paths = rat_pack.write_rat_pack(ctx, 2026, folder, table)
    assert sorted(p.name for p in paths) == ["rat-2026-anggota.csv", "rat-2026-persediaan.csv",
                                             "rat-2026-ringkasan.csv", "rat-2026-shu.csv", "rat-2026.pdf"]
    summary = {row[1]: row[2] for row in csv.reader(
        (folder / "rat-2026-ringkasan.csv").read_text(encoding="utf-8-sig").splitlines())}
    assert summary["Anggota pada akhir tahun"] == "2" and summary["Anggota keluar"] == "1"
    assert summary["Simpanan seluruhnya pada akhir tahun"] == "Rp260.000"
    shu_rows = list(csv.reader((folder / "rat-2026-shu.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert shu_rows[-1][4:] == ["300000", "150000", "450000"]
    anggota = list(csv.reader((folder / "rat-2026-anggota.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert [r[0] for r in anggota[1:]] == ["A-000001", "A-000002", "A-000003"]
    assert anggota[1][5] == str(facts.siti_sale.total - facts.siti_refund.total)
    stock_rows = list(csv.reader((folder / "rat-2026-persediaan.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert sum(int(r[5]) for r in stock_rows[1:]) == stock_2026
    if PDFTOTEXT is None:
        pytest.skip("pdftotext not installed")
    text = subprocess.run([PDFTOTEXT, "-layout", str(folder / "rat-2026.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Bahan RAT tahun buku 2026" in text and "Anggota pada akhir tahun" in text
    assert "Kasbon belum lunas pada akhir tahun" in text and f"Rp{on_credit.total:,}".replace(",", ".") in text
    assert "Pembagian SHU" in text and "Rp450.000" in text and "Siti Aminah" in text


def test_without_shu_the_pack_says_so(ctx: PosContext, tmp_path: Path) -> None:
    paths = rat_pack.write_rat_pack(ctx, 2026, tmp_path)
    assert "rat-2026-shu.csv" not in {p.name for p in paths}
    if PDFTOTEXT is None:
        pytest.skip("pdftotext not installed")
    text = subprocess.run([PDFTOTEXT, str(tmp_path / "rat-2026.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "SHU tahun ini belum dihitung" in text
