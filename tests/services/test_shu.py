"""SHU for a fiscal year: net purchases net out refunds, simpanan at year end, the table sums exactly, CSV/PDF."""

from __future__ import annotations

import csv
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.member import MemberForm
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.domain.roles import Action
from kkmp_pos.domain.shu import ShuRates
from kkmp_pos.services import catalog, members, refunds, sales, savings, shu
from kkmp_pos.services.approvals import request_approval
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.members import Member
from kkmp_pos.services.outlet import default_cashier

OIL, RICE, REFILL_12KG = "8999900000055", "BRS-CURAH", "8999900000451"
PDFTOTEXT = shutil.which("pdftotext")


def sell(ctx: PosContext, items: list[tuple[str, int]], member: Member | None = None) -> sales.CompletedSale:
    cart = Cart()
    if member is not None:
        cart.set_member(member.ref())
    for code, qty in items:
        product = catalog.find_by_barcode(ctx, code) or catalog.find_by_sku(ctx, code)
        assert product is not None
        cart.add(product, qty)
    return sales.complete_sale(ctx, cart, [cash_payment(cart.total, cart.total)],
                               cashier_id=default_cashier(ctx).id)


def refund_first_line(ctx: PosContext, sale: sales.CompletedSale, qty: int) -> refunds.CompletedRefund:
    kasir = default_cashier(ctx)
    approval = request_approval(ctx, action=Action.REFUND, cashier_id=kasir.id, approver_username="manajer",
                                pin="2222", reason="kemasan bocor", subject=sale.receipt_no)
    line = refunds.refundable_sale(ctx, sale.receipt_no).lines[0]
    return refunds.create_refund(ctx, sale.receipt_no, [(line.sale_line_id, qty)], "tunai", cashier_id=kasir.id,
                                 approval_id=approval.id, reason="kemasan bocor")


def anggota(ctx: PosContext, name: str, nik: str, joined: date) -> Member:
    return members.register_member(ctx, MemberForm(kind="anggota", name=name, nik=nik, address="Jl. Lempake",
                                                   kelurahan_code="64.72.05.1003", join_date=joined),
                                   by=default_cashier(ctx))


@dataclass
class Year:
    """The year 2026 at the demo outlet, with the figures worked out by hand from the receipts."""

    siti: Member
    budi: Member
    ani: Member
    warung: Member
    siti_sale: sales.CompletedSale
    siti_refund: refunds.CompletedRefund
    budi_sale: sales.CompletedSale
    walk_in: sales.CompletedSale
    warung_sale: sales.CompletedSale
    lpg_sale: sales.CompletedSale


@pytest.fixture
def year(ctx: PosContext) -> Year:
    kasir = default_cashier(ctx)
    siti = anggota(ctx, "Siti Aminah", "6472054101900001", date(2025, 3, 1))
    budi = anggota(ctx, "Budi Santoso", "6472050101850002", date(2026, 2, 10))
    ani = anggota(ctx, "Ani Lestari", "6472054505920003", date(2026, 6, 1))
    warung = members.register_member(ctx, MemberForm(kind="pelanggan", name="Warung Bu Ani"), by=kasir)
    siti_sale = sell(ctx, [(OIL, 3000)], siti)
    siti_refund = refund_first_line(ctx, siti_sale, 1000)
    budi_sale = sell(ctx, [(RICE, 2000), (OIL, 1000)], budi)
    walk_in = sell(ctx, [(RICE, 1000)])
    warung_sale = sell(ctx, [(OIL, 2000)], warung)
    lpg_sale = sell(ctx, [(REFILL_12KG, 1000)], budi)
    savings.deposit_savings(ctx, siti.id, "pokok", cash_payment(100_000, 100_000), by=kasir)
    savings.deposit_savings(ctx, siti.id, "wajib", cash_payment(20_000, 20_000), by=kasir)
    savings.deposit_savings(ctx, budi.id, "pokok", cash_payment(100_000, 100_000), by=kasir)
    savings.deposit_savings(ctx, budi.id, "sukarela", cash_payment(50_000, 50_000), by=kasir)
    savings.withdraw_savings(ctx, budi.id, "sukarela", cash_payment(10_000, 10_000), by=kasir)
    return Year(siti, budi, ani, warung, siti_sale, siti_refund, budi_sale, walk_in, warung_sale, lpg_sale)


def test_net_purchases_net_out_a_refund_and_simpanan_is_taken_at_year_end(ctx: PosContext, year: Year) -> None:
    # Next January: a deposit then must not count in 2026's year-end balance.
    ctx.clock = fixed_clock(datetime(2027, 1, 2, 2, 0, tzinfo=timezone.utc))
    savings.deposit_savings(ctx, year.siti.id, "sukarela", cash_payment(5_000, 5_000), by=default_cashier(ctx))
    figures = {f.member_no: f for f in shu.member_year_figures(ctx, 2026)}
    assert list(figures) == ["A-000001", "A-000002", "A-000003"]  # anggota only, the pelanggan is not in SHU
    siti, budi, ani = figures["A-000001"], figures["A-000002"], figures["A-000003"]
    assert (siti.purchases, siti.refunds) == (year.siti_sale.total, year.siti_refund.total)
    assert siti.net_purchases == year.siti_sale.total - year.siti_refund.total > 0
    assert budi.net_purchases == year.budi_sale.total + year.lpg_sale.total
    assert ani.net_purchases == 0
    assert (siti.pokok, siti.wajib, siti.sukarela, siti.savings) == (100_000, 20_000, 0, 120_000)
    assert (budi.pokok, budi.wajib, budi.sukarela) == (100_000, 0, 40_000)
    # Nobody had joined by the end of 2024; 2027 has no purchases yet but the same simpanan plus January's.
    assert shu.member_year_figures(ctx, 2024) == []
    assert {f.member_no: f.sukarela for f in shu.member_year_figures(ctx, 2027)}["A-000001"] == 5_000
    assert all(f.purchases == 0 for f in shu.member_year_figures(ctx, 2027))


def test_the_shu_table_sums_exactly_and_prints_and_exports(ctx: PosContext, year: Year, tmp_path: Path) -> None:
    table = shu.compute_year_shu(ctx, 2026, ShuRates(pool=1_000_003, purchase_bp=4_000, savings_bp=1_050))
    result = table.result
    assert result.purchase_total == 400_001 and result.savings_total == 105_000
    shares = {s.member.member_no: s for s in result.shares}
    siti_net = year.siti_sale.total - year.siti_refund.total
    budi_net = year.budi_sale.total + year.lpg_sale.total
    # Hand-computed: floor shares, the one leftover rupiah to the larger remainder (or A-000001 on a tie).
    siti_exact, budi_exact = divmod(400_001 * siti_net, siti_net + budi_net), divmod(400_001 * budi_net,
                                                                                      siti_net + budi_net)
    left = 400_001 - siti_exact[0] - budi_exact[0]
    siti_gets = siti_exact[0] + (1 if left and siti_exact[1] >= budi_exact[1] else 0)
    assert shares["A-000001"].purchase_share == siti_gets
    assert shares["A-000002"].purchase_share == 400_001 - siti_gets
    assert shares["A-000003"].total == 0
    # Simpanan 120.000 and 140.000 share Rp105.000: 48.461,54 and 56.538,46 -> the rupiah left goes to A-000001.
    assert (shares["A-000001"].savings_share, shares["A-000002"].savings_share) == (48_462, 56_538)
    assert table.notice is None

    csv_path = shu.export_shu_csv(table, tmp_path / "shu-2026.csv")
    rows = list(csv.reader(csv_path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][0] == "No. anggota" and [r[0] for r in rows[1:4]] == ["A-000001", "A-000002", "A-000003"]
    assert rows[-1][0] == "Jumlah" and int(rows[-1][6]) == 505_001 == sum(int(r[6]) for r in rows[1:4])

    pdf = shu.export_shu_pdf(ctx, table, tmp_path / "shu-2026.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    if PDFTOTEXT is None:
        pytest.skip("pdftotext not installed")
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Pembagian SHU tahun buku 2026" in text and "Siti Aminah" in text and "Ani Lestari" in text
    assert "Rp1.000.003" in text and "40 % = Rp400.001" in text and "10,5 % = Rp105.000" in text
    assert "Rp505.001" in text and "nomor anggota yang lebih kecil" in text


def test_no_member_purchases_gives_zeros_and_says_why(ctx: PosContext) -> None:
    anggota(ctx, "Siti Aminah", "6472054101900001", date(2025, 3, 1))
    sell(ctx, [(RICE, 1000)])  # a non-member sale only
    table = shu.compute_year_shu(ctx, 2026, ShuRates(pool=2_000_000, purchase_bp=5_000))
    assert table.result.total == 0 and [s.total for s in table.result.shares] == [0]
    assert table.notice is not None and "Tidak ada anggota yang berbelanja" in table.notice


def test_a_bad_year_is_refused(ctx: PosContext) -> None:
    with pytest.raises(InvalidInput, match="Tahun buku"):
        shu.member_year_figures(ctx, 1999)
