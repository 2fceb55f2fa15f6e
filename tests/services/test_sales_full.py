"""The full sale: member prices, discounts and their limits, HET ceilings, split payments, kasbon."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from kkmp_pos.domain.cart import CUSTOMER, MEMBER, Cart, Discount, MemberRef
from kkmp_pos.domain.clock import business_date
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.payment import Payment, cash_payment, non_cash_payment
from kkmp_pos.domain.roles import Action
from kkmp_pos.services import catalog, history, outlet, sales
from kkmp_pos.services.approval_use import ApprovalRequired
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event, verify_journal
from kkmp_pos.store.models import Approval, CreditEntry, Member, PriceCeiling, User
from kkmp_pos.store.models import Payment as PaymentRow
from kkmp_pos.store.models import Sale as SaleRow

OIL, NOODLE, RICE_SKU = "8999900000055", "8999900000222", "BRS-CURAH"


def _user_id(ctx: PosContext, username: str) -> str:
    with ctx.engine.connect() as connection:
        return str(connection.execute(select(User.id).where(User.username == username)).scalar_one())


def _grant(ctx: PosContext, action: Action, subject: str) -> str:
    """An approved approval record as the approvals service writes it (row + override event)."""
    approval_id = str(uuid.uuid4())
    manager = _user_id(ctx, "manajer")
    with ctx.unit_of_work() as uow:
        event = append_event(uow.connection, type="override", at=ctx.clock(),
                             body={"approval_id": approval_id, "action": action.value, "subject": subject})
        uow.connection.execute(insert(Approval), {
            "id": approval_id, "action": action.value, "cashier_id": _user_id(ctx, "kasir"),
            "approver_id": manager, "outcome": "approved", "reason": "uji", "subject": subject,
            "before": None, "after": None, "used_by": None, "created_at": ctx.clock(), "journal_seq": event.seq,
        })
        uow.commit()
    return approval_id


def _member(ctx: PosContext, kind: str = MEMBER, limit: int = 100_000, days: int = 30) -> MemberRef:
    member_id, number = str(uuid.uuid4()), f"{'A' if kind == MEMBER else 'P'}-{uuid.uuid4().hex[:6]}"
    now = ctx.clock()
    with ctx.unit_of_work() as uow:
        uow.connection.execute(insert(Member), {
            "id": member_id, "member_no": number, "kind": kind, "nik": None, "name": "Rina Wati",
            "name_norm": "rina wati", "address": "Jl. Lempake", "kelurahan_code": "64.72.05.1003",
            "rt": "001", "rw": "002", "phone": None, "join_date": "2026-01-02", "status": "aktif",
            "credit_limit": limit, "credit_days": days, "created_at": now, "updated_at": now,
        })
        uow.commit()
    return MemberRef(id=member_id, member_no=number, name="Rina Wati", kind=kind)


def _product(ctx: PosContext, code: str):  # noqa: ANN202 - a Product
    product = catalog.find_by_barcode(ctx, code) or catalog.find_by_sku(ctx, code)
    assert product is not None
    return product


def _kasir(ctx: PosContext) -> str:
    return _user_id(ctx, "kasir")


def test_an_anggota_pays_member_prices_a_pelanggan_does_not(ctx: PosContext) -> None:
    cart = Cart()
    cart.add(_product(ctx, OIL), 2000)
    assert cart.total == 31_400
    cart.set_member(_member(ctx))
    assert cart.total == 2 * 15_500
    cart.add(_product(ctx, OIL))  # joins the member-priced line
    assert [(line.qty_milli, line.unit_price, line.list_price) for line in cart.lines] == [(3000, 15_500, 15_700)]
    done = sales.complete_sale(ctx, cart, [cash_payment(cart.total, 50_000)], cashier_id=_kasir(ctx))
    record = history.load_sale(ctx, done.sale_id)
    assert record.member_no == cart.member.member_no and record.member_name == "Rina Wati"
    cart2 = Cart(member=_member(ctx, CUSTOMER))
    cart2.add(_product(ctx, OIL))
    assert cart2.total == 15_700


def test_discounts_are_allocated_exactly_and_stored_per_line(ctx: PosContext) -> None:
    cart = Cart()
    cart.add(_product(ctx, OIL), 3000)       # 47.100
    cart.add(_product(ctx, NOODLE), 7000)    # 24.500
    cart.add(_product(ctx, RICE_SKU), 1333)  # 17.996 (13.500 x 1,333 = 17.995,5)
    cart.set_line_discount(1, Discount(amount=500))
    cart.discount = Discount(percent_bp=300)  # 3 % of 89.096 = 2.672,88 -> 2.673
    assert (cart.subtotal, cart.cart_discount, cart.total, cart.discount_total) == (89_096, 2_673, 86_423, 3_173)
    shares = cart.cart_discount_shares()
    assert sum(shares) == 2_673
    done = sales.complete_sale(ctx, cart, [cash_payment(cart.total, 100_000)], cashier_id=_kasir(ctx))
    record = history.load_sale(ctx, done.sale_id)
    assert sum(line.total for line in record.lines) == record.total == 86_423
    assert [line.cart_discount_share for line in record.lines] == shares
    assert record.discount_total == 3_173 and record.subtotal == 89_096


def test_a_kasir_discount_over_five_percent_needs_an_approval_used_once(ctx: PosContext) -> None:
    cart = Cart()
    cart.add(_product(ctx, OIL), 2000)
    cart.discount = Discount(percent_bp=1000)
    pay = [cash_payment(cart.total, 50_000)]
    with pytest.raises(ApprovalRequired, match="Diskon melebihi batas \\(keranjang\\)"):
        sales.complete_sale(ctx, cart, pay, cashier_id=_kasir(ctx))
    approval = _grant(ctx, Action.DISCOUNT_OVER_LIMIT, "keranjang")
    done = sales.complete_sale(ctx, cart, pay, cashier_id=_kasir(ctx), approvals=[approval])
    with ctx.engine.connect() as connection:
        assert connection.execute(select(Approval.used_by).where(Approval.id == approval)).scalar() == done.sale_id
    with pytest.raises(ApprovalRequired):  # an approval is spent once
        sales.complete_sale(ctx, cart, pay, cashier_id=_kasir(ctx), approvals=[approval])
    # The same discount given by a manager is within their own authority.
    sales.complete_sale(ctx, cart, pay, cashier_id=_user_id(ctx, "manajer"))
    assert verify_journal(ctx.engine) is None


def test_a_manual_price_above_het_needs_both_approvals(ctx: PosContext) -> None:
    cart = Cart()
    cart.add(_product(ctx, OIL))
    cart.set_price(0, 16_500)  # Minyakita's HET is Rp15.700
    pay = [cash_payment(16_500, 20_000)]
    with pytest.raises(ApprovalRequired) as refused:
        sales.complete_sale(ctx, cart, pay, cashier_id=_kasir(ctx))
    assert {r.action for r in refused.value.missing} == {Action.PRICE_ABOVE_HET, Action.MANUAL_PRICE}
    grants = [_grant(ctx, Action.PRICE_ABOVE_HET, "MGR-MKT-1"), _grant(ctx, Action.MANUAL_PRICE, "MGR-MKT-1")]
    done = sales.complete_sale(ctx, cart, pay, cashier_id=_kasir(ctx), approvals=grants)
    with ctx.engine.connect() as connection:
        body = json.loads(connection.exec_driver_sql(
            "SELECT body FROM journal_event WHERE seq = ?", (done.journal_seq,)).scalar_one())
    assert sorted(body["approvals"]) == sorted(grants)
    assert body["lines"][0]["list_price"] == 15_700 and body["lines"][0]["unit_price"] == 16_500


def test_a_newer_het_takes_over_from_its_date(ctx: PosContext) -> None:
    today = business_date(ctx.clock())
    with ctx.unit_of_work() as uow:
        uow.connection.execute(insert(PriceCeiling), [
            {"sku": "GLA-1", "kind": "HET", "amount": 17_000, "source": "uji lama", "region": "Samarinda",
             "effective_from": (today - timedelta(days=10)).isoformat(), "created_at": ctx.clock()},
            {"sku": "GLA-1", "kind": "HET", "amount": 18_500, "source": "uji baru", "region": "Samarinda",
             "effective_from": today.isoformat(), "created_at": ctx.clock()},
            {"sku": "GLA-1", "kind": "HET", "amount": 16_000, "source": "belum berlaku", "region": "Samarinda",
             "effective_from": (today + timedelta(days=1)).isoformat(), "created_at": ctx.clock()},
        ])
        uow.commit()
    cart = Cart()
    cart.add(_product(ctx, "GLA-1"))  # Rp18.000: above the old HET, within today's
    sales.complete_sale(ctx, cart, [cash_payment(18_000, 20_000)], cashier_id=_kasir(ctx))


def test_split_cash_and_qris_stores_qris_as_pending(ctx: PosContext) -> None:
    cart = Cart()
    cart.add(_product(ctx, OIL), 3000)  # 47.100
    payments = [cash_payment(20_000, 50_000), non_cash_payment("qris", 27_100, reference="QR123")]
    done = sales.complete_sale(ctx, cart, payments, cashier_id=_kasir(ctx))
    assert done.change == 30_000
    with ctx.engine.connect() as connection:
        rows = connection.execute(select(PaymentRow.method, PaymentRow.amount, PaymentRow.status)
                                  .where(PaymentRow.sale_id == done.sale_id).order_by(PaymentRow.method)).all()
    assert [tuple(r) for r in rows] == [("qris", 27_100, "pending"), ("tunai", 20_000, "settled")]


@pytest.mark.parametrize(("payments", "message"), [
    ([Payment("qris", 15_700, 15_700)], "referensi QRIS"),
    ([Payment("transfer", 15_700, 15_700, reference="TRX1")], "nama bank"),
    ([Payment("debit", 15_700, 15_700)], "approval"),
    ([cash_payment(10_000, 10_000), cash_payment(5_700, 5_700)], "satu pembayaran tunai"),
    ([cash_payment(10_000, 10_000)], "tidak sama dengan total"),
    ([Payment("kasbon", 15_700, 15_700)], "Pilih pembelinya dulu"),
])
def test_bad_payments_are_refused_and_nothing_is_written(ctx: PosContext, payments: list[Payment],
                                                         message: str) -> None:
    cart = Cart()
    cart.add(_product(ctx, OIL))
    with pytest.raises(InvalidInput, match=message):
        sales.complete_sale(ctx, cart, payments, cashier_id=_kasir(ctx))
    assert history.sales_of_day(ctx) == []


def test_kasbon_within_the_limit_then_over_it_with_approval(ctx: PosContext) -> None:
    member = _member(ctx, limit=40_000, days=14)
    cart = Cart(member=member)
    cart.add(_product(ctx, OIL), 2000)  # 31.000 at member price
    first = sales.complete_sale(ctx, cart, [non_cash_payment("kasbon", 31_000)], cashier_id=_kasir(ctx))
    with ctx.engine.connect() as connection:
        entry = connection.execute(select(CreditEntry.amount, CreditEntry.due_date, CreditEntry.sale_id)).one()
    assert tuple(entry) == (31_000, "2026-12-14", first.sale_id)
    with pytest.raises(ApprovalRequired, match="Kasbon melebihi batas"):
        sales.complete_sale(ctx, cart, [non_cash_payment("kasbon", 31_000)], cashier_id=_kasir(ctx))
    approval = _grant(ctx, Action.KASBON_OVER_LIMIT, member.member_no)
    sales.complete_sale(ctx, cart, [non_cash_payment("kasbon", 31_000)], cashier_id=_kasir(ctx),
                        approvals=[approval])
    customer = Cart(member=_member(ctx, CUSTOMER))
    customer.add(_product(ctx, OIL))
    with pytest.raises(InvalidInput, match="Kasbon hanya untuk anggota"):
        sales.complete_sale(ctx, customer, [non_cash_payment("kasbon", 15_700)], cashier_id=_kasir(ctx))


def test_a_pengawas_cannot_sell(ctx: PosContext) -> None:
    now = ctx.clock()
    supervisor = str(uuid.uuid4())
    with ctx.unit_of_work() as uow:
        outlet_id = uow.connection.exec_driver_sql("SELECT id FROM outlet").scalar_one()
        uow.connection.execute(insert(User), {
            "id": supervisor, "outlet_id": outlet_id, "username": "awas", "full_name": "Pak Awas",
            "role": "pengawas", "pin_hash": None, "active": True, "created_at": now, "failed_pins": 0})
        uow.commit()
    cart = Cart()
    cart.add(_product(ctx, OIL))
    with pytest.raises(InvalidInput, match="hanya dapat melihat"):
        sales.complete_sale(ctx, cart, [cash_payment(15_700, 20_000)], cashier_id=supervisor)
    with ctx.engine.connect() as connection:
        assert connection.execute(select(SaleRow.id)).first() is None
    assert outlet.default_cashier(ctx).role == "kasir"
