"""Held carts: parked with a label, listed, survive a restart, recalled with catalogue changes reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from kkmp_pos.domain.cart import Cart, CartLine, Discount
from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.errors import InvalidInput, NotFound
from kkmp_pos.domain.member import MemberForm
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.domain.roles import Action
from kkmp_pos.services import catalog, held_carts, members, sales
from kkmp_pos.services.approval_use import ApprovalRequired
from kkmp_pos.services.approvals import request_approval
from kkmp_pos.services.cart_checks import CartApproval, cart_requirements, missing_approvals
from kkmp_pos.services.context import PosContext, open_context
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.store.models import Product, User
from tests.conftest import TEST_MOMENT

OIL, NOODLE, RICE = "8999900000055", "8999900000222", "BRS-CURAH"


def user(ctx: PosContext, username: str) -> Cashier:
    with ctx.engine.connect() as connection:
        row = connection.execute(select(User.id, User.username, User.full_name, User.role)
                                 .where(User.username == username)).one()
    return Cashier(id=row.id, username=row.username, full_name=row.full_name, role=row.role)


def product(ctx: PosContext, code: str):  # noqa: ANN201 - a Product
    found = catalog.find_by_barcode(ctx, code) or catalog.find_by_sku(ctx, code)
    assert found is not None
    return found


def approve(ctx: PosContext, action: Action, subject: str) -> str:
    return request_approval(ctx, action=action, cashier_id=user(ctx, "kasir").id, approver_username="manajer",
                            pin="2222", reason="pelanggan tetap", subject=subject).id


def _held(line: CartLine) -> tuple[object, ...]:
    return (line.product.id, line.qty_milli, line.unit_price, line.list_price, line.manual_price, line.discount)


def full_cart(ctx: PosContext) -> Cart:
    cart = Cart()
    cart.add(product(ctx, OIL), 2000)
    cart.add(product(ctx, RICE), 1250)
    cart.add(product(ctx, NOODLE), 5000)
    cart.set_line_discount(2, Discount(amount=500))
    cart.discount = Discount(percent_bp=200)
    return cart


def test_held_carts_survive_reopening_the_till(ctx: PosContext, tmp_path: Path) -> None:
    cart = full_cart(ctx)
    kasir = user(ctx, "kasir")
    held = held_carts.hold_cart(ctx, cart, cashier_id=kasir.id)
    assert held.label == "10:15 Minyakita 1 L (+2)"  # WITA time and the first item
    held_carts.hold_cart(ctx, Cart(lines=cart.lines[:1]), cashier_id=kasir.id, label="  Bu Rina,  ambil dompet ")
    data_dir = ctx.data_dir
    ctx.close()

    reopened = open_context(data_dir, clock=fixed_clock(TEST_MOMENT))
    try:
        listed = held_carts.held_carts(reopened)
        assert [(h.label, h.line_count, h.total, h.cashier_name) for h in listed] == [
            ("10:15 Minyakita 1 L (+2)", 3, cart.total, "Siti Rahmawati"),
            ("Bu Rina, ambil dompet", 1, 31_400, "Siti Rahmawati")]
        recalled = held_carts.recall_cart(reopened, listed[0].id)
        assert recalled.notices == []
        assert [_held(line) for line in recalled.cart.lines] == [_held(line) for line in cart.lines]
        assert recalled.cart.discount == cart.discount
        assert recalled.cart.total == cart.total
        assert [h.label for h in held_carts.held_carts(reopened)] == ["Bu Rina, ambil dompet"]
        with pytest.raises(NotFound, match="sudah dipanggil"):
            held_carts.recall_cart(reopened, listed[0].id)
    finally:
        reopened.close()


def test_a_recalled_cart_keeps_its_held_prices_and_says_what_changed(ctx: PosContext) -> None:
    member = members.register_member(ctx, MemberForm(
        kind="anggota", name="Rina Wati", nik="6472054101900001", address="Jl. Lempake 7",
        kelurahan_code="64.72.05.1003"), by=user(ctx, "manajer"))
    cart = Cart(member=member.ref())
    cart.add(product(ctx, OIL), 2000)     # member price Rp15.500
    cart.add(product(ctx, NOODLE), 1000)  # member price Rp3.400
    held = held_carts.hold_cart(ctx, cart, cashier_id=user(ctx, "kasir").id)
    with ctx.unit_of_work() as uow:
        uow.connection.execute(update(Product).where(Product.sku == "MIE-IDG").values(price=3_800))
        uow.connection.execute(update(Product).where(Product.sku == "MGR-MKT-1").values(active=False))
        uow.commit()
    recalled = held_carts.recall_cart(ctx, held.id)
    assert [line.unit_price for line in recalled.cart.lines] == [15_500, 3_400]
    assert recalled.cart.member == member.ref()
    assert recalled.notices == [
        "Minyakita 1 L sudah tidak aktif di katalog; harga saat ditahan tetap dipakai.",
        "Harga Indomie Goreng 85 g berubah dari Rp3.500 menjadi Rp3.800; harga saat ditahan (Rp3.400) tetap dipakai.",
    ]


def test_approvals_travel_with_the_held_cart_until_spent(ctx: PosContext) -> None:
    kasir = user(ctx, "kasir")
    cart = Cart()
    cart.add(product(ctx, OIL), 2000)
    cart.set_line_discount(0, Discount(percent_bp=1000))  # 10 %: over a kasir's 5 %
    needs = cart_requirements(ctx, cart, kasir.role)
    assert [(n.action, n.subject) for n in needs] == [(Action.DISCOUNT_OVER_LIMIT, "MGR-MKT-1")]
    approval = approve(ctx, Action.DISCOUNT_OVER_LIMIT, "MGR-MKT-1")
    held_approvals = [CartApproval(Action.DISCOUNT_OVER_LIMIT.value, "MGR-MKT-1", approval)]
    assert missing_approvals(needs, held_approvals) == []
    held = held_carts.hold_cart(ctx, cart, cashier_id=kasir.id, approval_ids=[approval])
    recalled = held_carts.recall_cart(ctx, held.id)
    assert recalled.approvals == held_approvals
    sales.complete_sale(ctx, recalled.cart, [cash_payment(recalled.cart.total, 50_000)], cashier_id=kasir.id,
                        approvals=[a.approval_id for a in recalled.approvals])
    # Held again after the approval was spent: it does not come back.
    again = held_carts.recall_cart(ctx, held_carts.hold_cart(ctx, cart, cashier_id=kasir.id,
                                                             approval_ids=[approval]).id)
    assert again.approvals == [] and missing_approvals(needs, again.approvals) == needs


def test_cancelling_a_held_cart_needs_approval(ctx: PosContext) -> None:
    cart = Cart()
    cart.add(product(ctx, OIL))
    held = held_carts.hold_cart(ctx, cart, cashier_id=user(ctx, "kasir").id, label="Pak Budi")
    with pytest.raises(ApprovalRequired, match="Batalkan seluruh transaksi \\(Pak Budi\\)"):
        held_carts.cancel_held_cart(ctx, held.id, approval_id=None)
    assert len(held_carts.held_carts(ctx)) == 1
    held_carts.cancel_held_cart(ctx, held.id, approval_id=approve(ctx, Action.CANCEL_CART,
                                                                  held_carts.cancel_approval_subject(held)))
    assert held_carts.held_carts(ctx) == []


def test_an_empty_cart_cannot_be_held(ctx: PosContext) -> None:
    with pytest.raises(InvalidInput, match="Keranjang kosong"):
        held_carts.hold_cart(ctx, Cart(), cashier_id=user(ctx, "kasir").id)
    cart = Cart()
    cart.add(product(ctx, OIL))
    with pytest.raises(InvalidInput, match="Label terlalu panjang"):
        held_carts.hold_cart(ctx, cart, cashier_id=user(ctx, "kasir").id, label="x" * 61)
