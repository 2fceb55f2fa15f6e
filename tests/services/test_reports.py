"""Sales reports: figures against hand-computed sums of real sales, WITA day boundaries, cancelling, CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from kkmp_pos.domain.cart import Cart, Discount
from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.member import MemberForm
from kkmp_pos.domain.payment import cash_payment, non_cash_payment
from kkmp_pos.domain.roles import Action
from kkmp_pos.services import members, refunds, reports, reports_export, sales
from kkmp_pos.services.approvals import request_approval
from kkmp_pos.services.context import PosContext
from tests.conftest import TEST_MOMENT
from tests.services.test_refunds import approve_refund, product, user

OIL, RICE, NOODLE = "8999900000055", "BRS-CURAH", "8999900000222"
DAY = date(2026, 11, 30)
LATE_EVENING = datetime(2026, 11, 30, 15, 30, tzinfo=timezone.utc)  # 23:30 WITA, still 30 Nov
AFTER_MIDNIGHT = datetime(2026, 11, 30, 16, 10, tzinfo=timezone.utc)  # 00:10 WITA, already 1 Dec


def sell(ctx: PosContext, cart: Cart, payments: list | None = None,  # type: ignore[type-arg]
         member_id: str | None = None) -> sales.CompletedSale:
    return sales.complete_sale(ctx, cart, payments or [cash_payment(cart.total, cart.total)],
                               cashier_id=user(ctx, "kasir").id, member_id=member_id)


@pytest.fixture
def day(ctx: PosContext) -> PosContext:
    """The day's trade, all through complete_sale (10:15 WITA unless said otherwise).

    A: 3 Minyakita (3 x 15.700 = 47.100) + 1,333 kg beras curah (17.996), 3 % off the cart (1.952,88 -> 1.953): Rp63.143 cash.
    B: anggota Siti, 2 Minyakita at member price 15.500 = Rp31.000, QRIS (pending verification).
    C: 23:30 WITA, 10 Indomie x 3.500 = Rp35.000 cash.  D: 00:10 WITA next day, 1 Indomie Rp3.500.
    One Minyakita of A returned (Rp15.229 cash); one approved void of a scanned line.
    """
    kasir, manajer = user(ctx, "kasir"), user(ctx, "manajer")
    cart = Cart()
    cart.add(product(ctx, OIL), 3000)
    cart.add(product(ctx, RICE), 1333)
    cart.discount = Discount(percent_bp=300)
    first = sell(ctx, cart)
    siti = members.register_member(ctx, MemberForm(
        kind="anggota", name="Siti Aminah", nik="6472054101900001", address="Jl. Lempake 7",
        kelurahan_code="64.72.05.1003", credit_limit=100_000, credit_days=7), by=manajer)
    cart = Cart(member=siti.ref())
    cart.add(product(ctx, OIL), 2000)
    sell(ctx, cart, [non_cash_payment("qris", 31_000, reference="QR-7")])
    request_approval(ctx, action=Action.VOID_LINE, cashier_id=kasir.id, approver_username="manajer", pin="2222",
                     reason="salah pindai", subject="Minyakita 1 L")
    oil_line = refunds.refundable_sale(ctx, first.receipt_no).lines[0]
    refunds.create_refund(ctx, first.receipt_no, [(oil_line.sale_line_id, 1000)], "tunai", cashier_id=kasir.id,
                          approval_id=approve_refund(ctx, first.receipt_no), reason="kemasan bocor")
    ctx.clock = fixed_clock(LATE_EVENING)
    cart = Cart()
    cart.add(product(ctx, NOODLE), 10_000)
    sell(ctx, cart)
    ctx.clock = fixed_clock(AFTER_MIDNIGHT)
    cart = Cart()
    cart.add(product(ctx, NOODLE), 1000)
    sell(ctx, cart)
    ctx.clock = fixed_clock(TEST_MOMENT)
    return ctx


def test_the_days_figures_equal_the_hand_computed_sums(day: PosContext) -> None:
    report = reports.sales_report(day, DAY)
    assert (report.sale_count, report.net) == (3, 63_143 + 31_000 + 35_000)
    # Gross before discounts: 47.100 + 17.996 + 31.000 + 35.000; the 3 % of A is the only discount.
    assert (report.gross, report.discounts) == (131_096, 131_096 - 129_143)
    assert (report.refund_count, report.refunds, report.net_after_refunds) == (1, 15_229, 129_143 - 15_229)
    assert [(g.key, g.count, g.amount) for g in report.refunds_by_method] == [("tunai", 1, 15_229)]
    assert [(g.key, g.count, g.amount) for g in report.by_payment] == [("tunai", 2, 98_143), ("qris", 1, 31_000)]
    assert [(g.key, g.count, g.amount) for g in report.by_buyer] == [("anggota", 1, 31_000), ("umum", 2, 98_143)]
    assert [(g.key, g.count, g.amount) for g in report.by_hour] == [("10", 2, 94_143), ("23", 1, 35_000)]
    assert [(g.label, g.count, g.amount) for g in report.by_cashier] == [("Siti Rahmawati", 3, 129_143)]
    assert [(g.key, g.amount) for g in report.by_day] == [("2026-11-30", 129_143)]

    by_sku = {p.sku: p for p in report.by_product}
    noodle, oil, rice = by_sku["MIE-IDG"], by_sku["MGR-MKT-1"], by_sku["BRS-CURAH"]
    assert (noodle.qty_milli, noodle.amount, noodle.cost, noodle.margin) == (10_000, 35_000, 31_000, 4_000)
    # Today's average cost x quantity: 5 x 14.100 and 1,333 kg x 12.100 = 16.129,3 -> 16.129.
    assert (oil.qty_milli, oil.cost, oil.margin) == (5000, 70_500, oil.amount - 70_500)
    assert (rice.qty_milli, rice.sold_by_weight, rice.cost) == (1333, True, 16_129)
    assert oil.amount + rice.amount == 63_143 + 31_000  # the cart discount is shared out over A's lines
    assert report.margin == report.net - (31_000 + 70_500 + 16_129) and report.products_without_cost == 0
    assert [(g.key, g.amount) for g in report.by_category] == [("Minyak Goreng", oil.amount),
                                                                ("Mie Instan", 35_000), ("Beras", rice.amount)]

    assert [(v.action, v.subject, v.reason, v.approver_name) for v in report.voids] == [
        ("void_line", "Minyakita 1 L", "salah pindai", "Budi Santoso")]
    assert [(q.amount, q.reference) for q in report.qris_pending] == [(31_000, "QR-7")]
    assert report.kasbon.accounts == ()


def test_a_sale_at_2330_wita_is_that_day_and_0010_is_the_next(day: PosContext) -> None:
    next_day = reports.sales_report(day, date(2026, 12, 1))
    assert (next_day.sale_count, next_day.net, [g.key for g in next_day.by_hour]) == (1, 3_500, ["00"])
    assert next_day.voids == () and next_day.refunds == 0
    both = reports.sales_report(day, DAY, date(2026, 12, 1))
    assert [(g.key, g.count, g.amount) for g in both.by_day] == [("2026-11-30", 3, 129_143),
                                                                  ("2026-12-01", 1, 3_500)]
    assert both.net == 132_643 and {p.sku: p.qty_milli for p in both.by_product}["MIE-IDG"] == 11_000


def test_a_report_reports_progress_and_stops_when_cancelled(day: PosContext) -> None:
    seen: list[tuple[int, int]] = []
    reports.sales_report(day, DAY, progress=lambda done, steps: seen.append((done, steps)))
    assert seen[-1][0] == seen[-1][1] and [d for d, _ in seen] == list(range(1, seen[-1][1] + 1))
    calls: list[int] = []

    def stop_after_two() -> bool:
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(reports.ReportCancelled):
        reports.sales_report(day, date(2026, 1, 1), DAY, cancelled=stop_after_two)


def test_a_period_must_run_forwards_and_at_most_a_year(ctx: PosContext) -> None:
    with pytest.raises(InvalidInput, match="sebelum tanggal awal"):
        reports.sales_report(ctx, DAY, date(2026, 11, 1))
    with pytest.raises(InvalidInput, match="paling lama"):
        reports.sales_report(ctx, date(2025, 1, 1), DAY)


def test_the_csv_holds_every_section_with_plain_integer_rupiah(day: PosContext, tmp_path: Path) -> None:
    report = reports.sales_report(day, DAY)
    path = tmp_path / "laporan.csv"
    reports_export.export_report_csv(report, path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert ["Penjualan bersih", "129143"] in rows
    assert ["Diskon", "1953"] in rows and ["Retur", "15229"] in rows
    assert ["tunai", "Tunai", "2", "98143"] in rows
    noodle = next(r for r in rows if r[:1] == ["MIE-IDG"])
    assert noodle[-4:] == ["10", "35000", "31000", "4000"]
    assert any("harga pokok rata-rata saat ini" in " ".join(r) for r in rows)
