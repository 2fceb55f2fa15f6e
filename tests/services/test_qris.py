"""QRIS reconciliation: pending list, verified, failed settled as kasbon or paid again, one event per change."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.member import MemberForm
from kkmp_pos.domain.payment import Payment, cash_payment, non_cash_payment
from kkmp_pos.domain.receipt import build_receipt, layout_text
from kkmp_pos.services import catalog, history, kasbon, members, qris, sales
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.members import Member
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.store.models import CreditEntry, JournalEvent
from kkmp_pos.store.models import Payment as PaymentRow
from tests.conftest import TEST_MOMENT
from tests.services.test_kasbon import user

MINYAKITA = "8999900000055"


def sell(ctx: PosContext, pieces: int, qris_part: int, reference: str, member: Member | None = None
         ) -> sales.CompletedSale:
    product = catalog.find_by_barcode(ctx, MINYAKITA)
    assert product is not None
    cart = Cart(member=member.ref() if member else None)
    cart.add(product, pieces * 1000)
    payments = [non_cash_payment("qris", qris_part, reference=reference)]
    if cart.total > qris_part:
        payments.insert(0, cash_payment(cart.total - qris_part, cart.total - qris_part))
    return sales.complete_sale(ctx, cart, payments, cashier_id=user(ctx, "kasir").id)


@pytest.fixture
def manajer(ctx: PosContext) -> Cashier:
    return user(ctx, "manajer")


@pytest.fixture
def siti(ctx: PosContext, manajer: Cashier) -> Member:
    return members.register_member(ctx, MemberForm(
        kind="anggota", name="Siti Aminah", nik="6472054101900001", address="Jl. Lempake 7",
        kelurahan_code="64.72.05.1003", credit_limit=100_000, credit_days=7), by=manajer)


def statuses(ctx: PosContext, sale_id: str) -> list[tuple[str, int, str]]:
    with ctx.engine.connect() as connection:
        rows = connection.execute(select(PaymentRow.method, PaymentRow.amount, PaymentRow.status)
                                  .where(PaymentRow.sale_id == sale_id).order_by(PaymentRow.method)).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def reconciled_events(ctx: PosContext) -> list[dict[str, object]]:
    with ctx.engine.connect() as connection:
        bodies = connection.execute(select(JournalEvent.body).where(JournalEvent.type == "payment_reconciled")
                                    .order_by(JournalEvent.seq)).scalars().all()
    return [json.loads(body) for body in bodies]


def test_pending_qris_are_listed_oldest_first_with_count_and_total(ctx: PosContext, siti: Member) -> None:
    first = sell(ctx, 1, 15_700, "QR-1")
    sell(ctx, 2, 5_000, "QR-2", member=siti)  # Rp31.000 at member price: Rp26.000 cash + Rp5.000 QRIS
    sales.complete_sale(ctx, _cart(ctx), [cash_payment(15_700, 20_000)], cashier_id=user(ctx, "kasir").id)
    pending = qris.pending_qris(ctx)
    assert [(p.receipt_no, p.amount, p.reference, p.member_no) for p in pending] == [
        (first.receipt_no, 15_700, "QR-1", None), ("LPK-01-000002", 5_000, "QR-2", siti.member_no)]
    assert qris.pending_total(pending) == 20_700
    assert pending[0].sold_at == TEST_MOMENT


def _cart(ctx: PosContext) -> Cart:
    product = catalog.find_by_barcode(ctx, MINYAKITA)
    assert product is not None
    cart = Cart()
    cart.add(product)
    return cart


def test_verified_becomes_settled_with_who_and_when(ctx: PosContext, manajer: Cashier) -> None:
    sale = sell(ctx, 3, 27_100, "QR-77")
    ctx.clock = fixed_clock(TEST_MOMENT + timedelta(days=1))
    [pending] = qris.pending_qris(ctx)
    done = qris.verify_qris(ctx, pending.payment_id, by=manajer)
    assert statuses(ctx, sale.sale_id) == [("qris", 27_100, "settled"), ("tunai", 20_000, "settled")]
    with ctx.engine.connect() as connection:
        row = connection.execute(select(PaymentRow.verified_at, PaymentRow.verified_by)
                                 .where(PaymentRow.id == pending.payment_id)).one()
    assert row.verified_by == manajer.id and row.verified_at == TEST_MOMENT + timedelta(days=1)
    [event] = reconciled_events(ctx)
    assert event["outcome"] == "verified" and event["receipt_no"] == sale.receipt_no and event["amount"] == 27_100
    assert done.journal_seq > sale.journal_seq and qris.pending_qris(ctx) == []
    # The reprinted receipt no longer says it is waiting.
    assert "(menunggu verifikasi)" not in layout_text(build_receipt(history.load_sale(ctx, sale.sale_id)), 32)
    with pytest.raises(InvalidInput, match="sudah direkonsiliasi"):
        qris.verify_qris(ctx, pending.payment_id, by=manajer)
    assert verify_journal(ctx.engine) is None


def test_failed_qris_becomes_kasbon_of_the_sales_member(ctx: PosContext, siti: Member, manajer: Cashier) -> None:
    sale = sell(ctx, 2, 31_000, "QR-88", member=siti)
    ctx.clock = fixed_clock(TEST_MOMENT + timedelta(days=2))  # 2 Dec: kasbon due 7 days later
    [pending] = qris.pending_qris(ctx)
    done = qris.fail_qris(ctx, pending.payment_id, non_cash_payment("kasbon", 31_000), by=manajer)
    assert statuses(ctx, sale.sale_id) == [("kasbon", 31_000, "settled"), ("qris", 31_000, "failed")]
    assert kasbon.kasbon_balance(ctx, siti.id) == 31_000
    with ctx.engine.connect() as connection:
        entry = connection.execute(select(CreditEntry.kind, CreditEntry.sale_id, CreditEntry.due_date,
                                          CreditEntry.journal_seq)).one()
    assert tuple(entry) == ("kasbon", sale.sale_id, "2026-12-09", done.journal_seq)
    [event] = reconciled_events(ctx)
    assert event["outcome"] == "failed"
    assert event["settlement"] == {"payment_id": done.settlement_id, "method": "kasbon", "amount": 31_000,
                                   "tendered": 31_000, "change": 0, "reference": None, "bank": None,
                                   "credit_entry_id": done.credit_entry_id, "due_date": "2026-12-09"}
    # Aged from the day of the sale, not the day it was reconciled.
    [account] = kasbon.kasbon_accounts(ctx)
    assert account.open_items[0].taken_on.isoformat() == "2026-11-30"
    lines = layout_text(build_receipt(history.load_sale(ctx, sale.sale_id), copy=True), 32)
    assert "(gagal, diganti pembayaran lain)" in lines
    assert verify_journal(ctx.engine) is None


def test_failed_qris_settled_by_transfer_or_cash_is_a_new_payment(ctx: PosContext, manajer: Cashier) -> None:
    by_transfer = sell(ctx, 1, 15_700, "QR-1")
    by_cash = sell(ctx, 1, 15_700, "QR-2")
    first, second = qris.pending_qris(ctx)
    qris.fail_qris(ctx, first.payment_id, non_cash_payment("transfer", 15_700, bank="BRI", reference="TRX-4"),
                   by=manajer)
    qris.fail_qris(ctx, second.payment_id, cash_payment(15_700, 20_000), by=manajer)
    assert statuses(ctx, by_transfer.sale_id) == [("qris", 15_700, "failed"), ("transfer", 15_700, "settled")]
    assert statuses(ctx, by_cash.sale_id) == [("qris", 15_700, "failed"), ("tunai", 15_700, "settled")]
    settlements = [event["settlement"] for event in reconciled_events(ctx)]
    assert [(s["method"], s["bank"], s["reference"], s["tendered"], s["change"]) for s in settlements] == [  # type: ignore[index]
        ("transfer", "BRI", "TRX-4", 15_700, 0), ("tunai", None, None, 20_000, 4_300)]
    with ctx.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(CreditEntry)).scalar_one() == 0


@pytest.mark.parametrize(("settlement", "message"), [
    (non_cash_payment("kasbon", 15_700), "tanpa anggota"),
    (cash_payment(10_000, 10_000), "harus sebesar QRIS yang gagal"),
    (Payment("transfer", 15_700, 15_700, reference="TRX"), "nama bank"),
    (non_cash_payment("qris", 15_700, reference="QR-9"), "bukan QRIS"),
])
def test_bad_settlements_are_refused_and_nothing_changes(ctx: PosContext, manajer: Cashier, settlement: Payment,
                                                         message: str) -> None:
    sale = sell(ctx, 1, 15_700, "QR-1")
    [pending] = qris.pending_qris(ctx)
    with pytest.raises(InvalidInput, match=message):
        qris.fail_qris(ctx, pending.payment_id, settlement, by=manajer)
    assert statuses(ctx, sale.sale_id) == [("qris", 15_700, "pending")]
    assert reconciled_events(ctx) == []


def test_only_a_manager_or_admin_reconciles(ctx: PosContext) -> None:
    sell(ctx, 1, 15_700, "QR-1")
    [pending] = qris.pending_qris(ctx)
    with pytest.raises(InvalidInput, match="Hanya manajer atau admin"):
        qris.verify_qris(ctx, pending.payment_id, by=user(ctx, "kasir"))
    assert len(qris.pending_qris(ctx)) == 1


def test_a_failed_qris_is_not_offered_as_a_refund_method(ctx: PosContext, manajer: Cashier) -> None:
    from kkmp_pos.services import refunds

    sale = sell(ctx, 1, 15_700, "QR-7")
    assert refunds.refundable_sale(ctx, sale.receipt_no).paid_by_method == {"qris": 15_700}
    (pending,) = qris.pending_qris(ctx)
    qris.fail_qris(ctx, pending.payment_id, cash_payment(15_700, 15_700), by=manajer)
    assert refunds.refundable_sale(ctx, sale.receipt_no).paid_by_method == {"tunai": 15_700}
