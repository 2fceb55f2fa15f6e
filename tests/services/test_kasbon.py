"""Kasbon accounts: repayments with their own gap-free receipts, bad repayments, history, aging by sale date."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.kasbon import Aging, CreditMovement, age_open_kasbon, open_kasbon
from kkmp_pos.domain.member import MemberForm
from kkmp_pos.domain.payment import Payment, cash_payment, non_cash_payment
from kkmp_pos.domain.roles import Action
from kkmp_pos.services import catalog, kasbon, members, receipts, sales
from kkmp_pos.services.approvals import request_approval
from kkmp_pos.services.auth import KdfCost
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.members import Member
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.users import set_initial_pins
from kkmp_pos.store.models import CreditEntry, JournalEvent, User
from tests.conftest import TEST_MOMENT
from tests.ui.helpers import use_file_printer

MINYAKITA = "8999900000055"  # Rp15.700, member price Rp15.500
LEMPAKE = "64.72.05.1003"


def user(ctx: PosContext, username: str) -> Cashier:
    with ctx.engine.connect() as connection:
        row = connection.execute(select(User.id, User.username, User.full_name, User.role)
                                 .where(User.username == username)).one()
    return Cashier(id=row.id, username=row.username, full_name=row.full_name, role=row.role)


def register(ctx: PosContext, name: str, nik: str, *, limit: int = 200_000, days: int = 30) -> Member:
    """An anggota with a kasbon limit (the limit is the manager's decision)."""
    return members.register_member(ctx, MemberForm(
        kind="anggota", name=name, nik=nik, address="Jl. Lempake 7", kelurahan_code=LEMPAKE,
        credit_limit=limit, credit_days=days), by=user(ctx, "manajer"))


def buy_on_kasbon(ctx: PosContext, member: Member, pieces: int) -> sales.CompletedSale:
    product = catalog.find_by_barcode(ctx, MINYAKITA)
    assert product is not None
    cart = Cart(member=member.ref())
    cart.add(product, pieces * 1000)
    return sales.complete_sale(ctx, cart, [non_cash_payment("kasbon", cart.total)],
                               cashier_id=user(ctx, "kasir").id)


def at(ctx: PosContext, days_later: int) -> None:
    """Move the till's clock `days_later` days after the test moment."""
    ctx.clock = fixed_clock(TEST_MOMENT + timedelta(days=days_later))


def pair(left: str, right: str) -> str:
    """A label and a value on one 32-column line."""
    return left + right.rjust(32 - len(left))


@pytest.fixture
def siti(ctx: PosContext) -> Member:
    return register(ctx, "Siti Aminah", "6472054101900001", days=14)


def test_a_repayment_reduces_the_balance_with_its_own_receipt_series(ctx: PosContext, siti: Member) -> None:
    buy_on_kasbon(ctx, siti, 3)  # 3 x Rp15.500 = Rp46.500
    assert kasbon.kasbon_balance(ctx, siti.id) == 46_500
    kasir = user(ctx, "kasir")
    first = kasbon.repay_kasbon(ctx, siti.id, cash_payment(20_000, 50_000), by=kasir)
    assert (first.receipt_no, first.amount, first.change, first.balance_after) == ("LPK-01-K000001", 20_000,
                                                                                   30_000, 26_500)
    second = kasbon.repay_kasbon(ctx, siti.id, non_cash_payment("qris", 26_500, reference="QR-5511"), by=kasir)
    assert second.receipt_no == "LPK-01-K000002" and second.balance_after == 0
    assert kasbon.kasbon_balance(ctx, siti.id) == 0
    # The next sale still takes the next sales number: the series do not share numbers.
    assert buy_on_kasbon(ctx, siti, 1).receipt_no == "LPK-01-000002"

    with ctx.engine.connect() as connection:
        entries = connection.execute(select(CreditEntry.kind, CreditEntry.amount, CreditEntry.receipt_no)
                                     .order_by(CreditEntry.created_at, CreditEntry.journal_seq)).all()
        events = connection.execute(select(JournalEvent.body).where(JournalEvent.type == "kasbon_payment")
                                    .order_by(JournalEvent.seq)).scalars().all()
    assert [tuple(e) for e in entries] == [("kasbon", 46_500, "LPK-01-000001"), ("bayar", -20_000, "LPK-01-K000001"),
                                           ("bayar", -26_500, "LPK-01-K000002"), ("kasbon", 15_500, "LPK-01-000002")]
    bodies = [json.loads(body) for body in events]
    assert [(b["amount"], b["method"], b["balance_before"], b["balance_after"]) for b in bodies] == [
        (20_000, "tunai", 46_500, 26_500), (26_500, "qris", 26_500, 0)]
    assert bodies[1]["reference"] == "QR-5511" and bodies[0]["tendered"] == 50_000
    assert verify_journal(ctx.engine) is None


@pytest.mark.parametrize(("payment", "message"), [
    (cash_payment(50_000, 50_000), "terlalu besar"),
    (cash_payment(0, 0), "harus lebih dari nol"),
    (Payment("qris", 10_000, 10_000), "referensi QRIS"),
    (Payment("kasbon", 10_000, 10_000), "tidak dapat dibayar dengan Kasbon"),
])
def test_bad_repayments_are_refused_and_nothing_is_written(ctx: PosContext, siti: Member, payment: Payment,
                                                           message: str) -> None:
    buy_on_kasbon(ctx, siti, 2)  # Rp31.000
    with ctx.engine.connect() as connection:
        before = connection.execute(select(func.count()).select_from(JournalEvent)).scalar_one()
    with pytest.raises(InvalidInput, match=message):
        kasbon.repay_kasbon(ctx, siti.id, payment, by=user(ctx, "kasir"))
    with ctx.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(JournalEvent)).scalar_one() == before
        assert connection.execute(select(func.count()).select_from(CreditEntry)).scalar_one() == 1
    assert kasbon.kasbon_balance(ctx, siti.id) == 31_000


def test_nobody_repays_what_is_not_owed_and_a_pengawas_takes_no_money(ctx: PosContext, siti: Member) -> None:
    with pytest.raises(InvalidInput, match="tidak punya kasbon"):
        kasbon.repay_kasbon(ctx, siti.id, cash_payment(1_000, 1_000), by=user(ctx, "kasir"))
    buy_on_kasbon(ctx, siti, 1)
    pengawas = Cashier(id=user(ctx, "kasir").id, username="awas", full_name="Pak Awas", role="pengawas")
    with pytest.raises(InvalidInput, match="Pengawas hanya dapat melihat kasbon"):
        kasbon.repay_kasbon(ctx, siti.id, cash_payment(1_000, 1_000), by=pengawas)


def test_history_lists_sales_on_credit_and_repayments_with_running_balance(ctx: PosContext, siti: Member) -> None:
    sale = buy_on_kasbon(ctx, siti, 2)
    at(ctx, 1)
    kasbon.repay_kasbon(ctx, siti.id, non_cash_payment("transfer", 11_000, bank="BRI", reference="TRX-9"),
                        by=user(ctx, "kasir"))
    history = kasbon.kasbon_history(ctx, siti.id)
    assert [(e.kind, e.amount, e.receipt_no, e.method, e.balance_after) for e in history] == [
        ("bayar", -11_000, "LPK-01-K000001", "transfer", 20_000),
        ("kasbon", 31_000, sale.receipt_no, None, 31_000)]
    assert history[1].due_date is not None and history[1].due_date.isoformat() == "2026-12-14"
    assert history[0].cashier_name == "Siti Rahmawati"


def test_accounts_show_balance_limit_oldest_due_overdue_and_who_is_over_the_limit(ctx: PosContext,
                                                                                  siti: Member) -> None:
    budi = register(ctx, "Budi Santoso", "6472051708850003", limit=20_000, days=7)
    register(ctx, "Ani Lestari", "6472055203920002")  # never took kasbon: not listed
    buy_on_kasbon(ctx, siti, 2)   # Rp31.000, due 14 Dec
    buy_on_kasbon(ctx, budi, 1)   # Rp15.500, due 7 Dec
    at(ctx, 3)
    set_initial_pins(ctx, {"manajer": "2468"}, cost=KdfCost(n=2**10, r=8, p=1))
    grant = request_approval(ctx, action=Action.KASBON_OVER_LIMIT, cashier_id=user(ctx, "kasir").id,
                             approver_username="manajer", pin="2468", reason="langganan lama",
                             subject=budi.member_no)
    product = catalog.find_by_barcode(ctx, MINYAKITA)
    assert product is not None
    cart = Cart(member=budi.ref())
    cart.add(product)
    sales.complete_sale(ctx, cart, [non_cash_payment("kasbon", 15_500)], cashier_id=user(ctx, "kasir").id,
                        approvals=[grant.id])
    at(ctx, 10)  # 10 Dec: Budi's first kasbon (due 7 Dec) is overdue, his second (due 10 Dec) is not yet
    accounts = kasbon.kasbon_accounts(ctx)
    # Largest balance first; equal balances by member number.
    assert [(a.member_no, a.balance, a.credit_limit, a.over_limit) for a in accounts] == [
        (siti.member_no, 31_000, 200_000, False), (budi.member_no, 31_000, 20_000, True)]
    budi_account = accounts[1]
    assert budi_account.oldest_due is not None and budi_account.oldest_due.isoformat() == "2026-12-07"
    assert budi_account.overdue == 15_500
    assert accounts[0].overdue == 0 and accounts[0].oldest_due.isoformat() == "2026-12-14"
    assert [a.member_no for a in kasbon.kasbon_accounts(ctx, "budi")] == [budi.member_no]
    standing = kasbon.credit_standing(ctx, budi.id)
    assert (standing.balance, standing.credit_limit, standing.available) == (31_000, 20_000, 0)


def test_aging_buckets_by_days_since_the_sale_with_an_injected_clock(ctx: PosContext, siti: Member) -> None:
    buy_on_kasbon(ctx, siti, 1)      # day 0:  Rp15.500
    at(ctx, 20)
    buy_on_kasbon(ctx, siti, 2)      # day 20: Rp31.000
    at(ctx, 45)
    buy_on_kasbon(ctx, siti, 3)      # day 45: Rp46.500
    kasbon.repay_kasbon(ctx, siti.id, cash_payment(5_500, 5_500), by=user(ctx, "kasir"))  # pays the oldest first
    at(ctx, 70)
    report = kasbon.kasbon_aging(ctx)
    assert report.today.isoformat() == "2027-02-08"
    [row] = report.accounts
    # Ages on day 70: 70 days (Rp10.000 left), 50 days (Rp31.000), 25 days (Rp46.500).
    assert row.aging == Aging(days_0_30=46_500, days_31_60=31_000, over_60=10_000, overdue=87_500)
    assert report.total.total == row.balance == 87_500
    kasbon.repay_kasbon(ctx, siti.id, cash_payment(41_000, 41_000), by=user(ctx, "kasir"))
    assert kasbon.kasbon_aging(ctx).total == Aging(days_0_30=46_500, overdue=46_500)  # due on day 59


def test_aging_edges_thirty_and_sixty_days() -> None:
    day0 = datetime(2026, 1, 1, tzinfo=timezone.utc).date()
    movements = [CreditMovement(100, day0, due_date=day0 + timedelta(days=30)),
                 CreditMovement(200, day0 + timedelta(days=30), due_date=day0 + timedelta(days=60)),
                 CreditMovement(-50, day0 + timedelta(days=31))]
    items = open_kasbon(movements)
    assert [(i.remaining, i.due_date) for i in items] == [(50, day0 + timedelta(days=30)),
                                                          (200, day0 + timedelta(days=60))]
    assert age_open_kasbon(items, day0 + timedelta(days=30)) == Aging(days_0_30=250)
    assert age_open_kasbon(items, day0 + timedelta(days=31)) == Aging(days_0_30=200, days_31_60=50, overdue=50)
    assert age_open_kasbon(items, day0 + timedelta(days=61)) == Aging(days_31_60=200, over_60=50, overdue=250)


def test_the_repayment_receipt_prints_at_32_columns(ctx: PosContext, siti: Member, tmp_path: Path) -> None:
    buy_on_kasbon(ctx, siti, 3)
    done = kasbon.repay_kasbon(ctx, siti.id, cash_payment(46_500, 50_000), by=user(ctx, "kasir"))
    preview = receipts.kasbon_receipt_preview(ctx, done.entry_id)
    assert all(len(line) <= 32 for line in preview)
    text = "\n".join(preview)
    for expected in (pair("No. Struk", "LPK-01-K000001"), "PEMBAYARAN KASBON", pair("Kasbon sebelumnya", "Rp46.500"),
                     pair("Dibayar", "Rp46.500"), pair("Tunai", "Rp50.000"), pair("Kembalian", "Rp3.500"),
                     pair("Sisa kasbon", "Rp0"), pair("Pelanggan", siti.member_no), "LUNAS"):
        assert expected in preview or expected.strip() in text, expected
    printer = tmp_path / "printer.bin"
    use_file_printer(ctx, printer)
    receipts.print_kasbon_receipt(ctx, done.entry_id)
    data = printer.read_bytes()
    assert b"LPK-01-K000001" in data and b"PEMBAYARAN KASBON" in data and b"Rp46.500" in data
    assert b"\x1bp\x00" in data  # cash: the drawer opens
    assert kasbon.find_repayment_id(ctx, "lpk-01-k000001") == done.entry_id
