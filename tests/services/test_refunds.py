"""Refunds: approval required, stock back, journal event pointing at the sale, kasbon correction, all or nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from kkmp_pos.domain.cart import Cart, Discount
from kkmp_pos.domain.errors import InvalidInput, NotFound
from kkmp_pos.domain.member import MemberForm
from kkmp_pos.domain.payment import cash_payment, non_cash_payment
from kkmp_pos.domain.roles import Action
from kkmp_pos.services import catalog, kasbon, members, receipts, refunds, sales, stock
from kkmp_pos.services.approval_use import ApprovalRequired
from kkmp_pos.services.approvals import request_approval
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.store.models import CreditEntry, JournalEvent, Refund, StockMovement, User

OIL, NOODLE, RICE = "8999900000055", "8999900000222", "BRS-CURAH"


def user(ctx: PosContext, username: str) -> Cashier:
    with ctx.engine.connect() as connection:
        row = connection.execute(select(User.id, User.username, User.full_name, User.role)
                                 .where(User.username == username)).one()
    return Cashier(id=row.id, username=row.username, full_name=row.full_name, role=row.role)


def approve_refund(ctx: PosContext, receipt_no: str, action: Action = Action.REFUND) -> str:
    """The manager types their PIN in the approval dialog (services.approvals)."""
    return request_approval(ctx, action=action, cashier_id=user(ctx, "kasir").id, approver_username="manajer",
                            pin="2222", reason="barang rusak", subject=receipt_no).id


def product(ctx: PosContext, code: str):  # noqa: ANN201 - a Product
    found = catalog.find_by_barcode(ctx, code) or catalog.find_by_sku(ctx, code)
    assert found is not None
    return found


def sell(ctx: PosContext, cart: Cart, payments: list | None = None) -> sales.CompletedSale:  # type: ignore[type-arg]
    return sales.complete_sale(ctx, cart, payments or [cash_payment(cart.total, cart.total)],
                               cashier_id=user(ctx, "kasir").id)


@pytest.fixture
def sale(ctx: PosContext) -> sales.CompletedSale:
    """3 Minyakita (Rp47.100) and 1,333 kg rice (Rp17.996), 3 % off the cart: Rp63.169 paid."""
    cart = Cart()
    cart.add(product(ctx, OIL), 3000)
    cart.add(product(ctx, RICE), 1333)
    cart.discount = Discount(percent_bp=300)
    return sell(ctx, cart)


def test_a_partial_return_brings_stock_back_and_journals_the_refund(ctx: PosContext,
                                                                    sale: sales.CompletedSale) -> None:
    found = refunds.refundable_sale(ctx, sale.receipt_no.lower())  # as typed, any case
    oil, rice = found.lines
    assert (oil.total + rice.total, found.methods) == (sale.total, ("tunai",))
    oil_id = product(ctx, OIL).id
    before = stock.on_hand(ctx, [oil_id])[oil_id]
    done = refunds.create_refund(ctx, sale.receipt_no, [(oil.sale_line_id, 1000), (rice.sale_line_id, 500)],
                                 "tunai", cashier_id=user(ctx, "kasir").id,
                                 approval_id=approve_refund(ctx, sale.receipt_no), reason="kemasan bocor")
    assert done.refund_no == "LPK-01-R000001"
    assert done.total == oil.amount_for(1000) + rice.amount_for(500) == 15_229 + 6_548
    assert stock.on_hand(ctx, [oil_id])[oil_id] == before + 1000
    with ctx.engine.connect() as connection:
        body = json.loads(connection.execute(select(JournalEvent.body).where(JournalEvent.type == "refund"))
                          .scalar_one())
        moves = connection.execute(select(StockMovement.kind, StockMovement.qty_milli)
                                   .where(StockMovement.ref_id == done.refund_id)).all()
    assert (body["sale_id"], body["sale_receipt_no"], body["total"]) == (sale.sale_id, sale.receipt_no, done.total)
    assert [(line["sku"], line["qty_milli"]) for line in body["lines"]] == [("MGR-MKT-1", 1000), ("BRS-CURAH", 500)]
    assert body["payment"]["method"] == "tunai"
    assert sorted(tuple(m) for m in moves) == [("refund", 500), ("refund", 1000)]
    assert verify_journal(ctx.engine) is None

    again = refunds.refundable_sale(ctx, sale.sale_id)
    assert [line.remaining_qty_milli for line in again.lines] == [2000, 833]
    assert [r.refund_no for r in again.refunds] == ["LPK-01-R000001"] and again.refunded_total == done.total


def test_returning_everything_in_parts_pays_back_exactly_the_sale_total(ctx: PosContext,
                                                                        sale: sales.CompletedSale) -> None:
    kasir = user(ctx, "kasir").id
    parts = [[("oil", 1000), ("rice", 333)], [("oil", 1000)], [("oil", 1000), ("rice", 1000)]]
    paid_back = []
    for part in parts:
        lines = dict(zip(("oil", "rice"), refunds.refundable_sale(ctx, sale.receipt_no).lines, strict=True))
        chosen = [(lines[name].sale_line_id, qty) for name, qty in part]
        paid_back.append(refunds.create_refund(ctx, sale.receipt_no, chosen, "tunai", cashier_id=kasir,
                                               approval_id=approve_refund(ctx, sale.receipt_no),
                                               reason="salah beli").total)
    assert sum(paid_back) == sale.total
    assert refunds.refundable_sale(ctx, sale.receipt_no).fully_returned
    with ctx.engine.connect() as connection:
        numbers = connection.execute(select(Refund.refund_no).order_by(Refund.refund_seq)).scalars().all()
    assert numbers == ["LPK-01-R000001", "LPK-01-R000002", "LPK-01-R000003"]


def test_a_refund_needs_its_own_approval_used_once(ctx: PosContext, sale: sales.CompletedSale) -> None:
    line = refunds.refundable_sale(ctx, sale.receipt_no).lines[0]
    kasir = user(ctx, "kasir").id

    def refund(approval_id: str | None) -> refunds.CompletedRefund:
        return refunds.create_refund(ctx, sale.receipt_no, [(line.sale_line_id, 1000)], "tunai",
                                     cashier_id=kasir, approval_id=approval_id, reason="rusak")

    with pytest.raises(ApprovalRequired, match="Retur / pengembalian uang \\(LPK-01-000001\\)"):
        refund(None)
    with pytest.raises(ApprovalRequired):  # approved for another receipt
        refund(approve_refund(ctx, "LPK-01-000999"))
    with pytest.raises(ApprovalRequired):  # approved for another act
        refund(approve_refund(ctx, sale.receipt_no, Action.CANCEL_CART))
    approval = approve_refund(ctx, sale.receipt_no)
    refund(approval)
    with pytest.raises(ApprovalRequired):
        refund(approval)
    assert len(refunds.refundable_sale(ctx, sale.receipt_no).refunds) == 1


@pytest.mark.parametrize(("qty", "method", "reason", "error", "message"), [
    (4000, "tunai", "rusak", InvalidInput, "paling banyak 3"),
    (1000, "qris", "rusak", InvalidInput, "tidak dibayar dengan QRIS"),
    (1000, "tunai", "  ", InvalidInput, "Tulis alasan"),
    (1500, "tunai", "rusak", InvalidInput, "bilangan bulat"),
])
def test_bad_refunds_are_refused_and_nothing_is_stored(ctx: PosContext, sale: sales.CompletedSale, qty: int,
                                                       method: str, reason: str, error: type[Exception],
                                                       message: str) -> None:
    line = refunds.refundable_sale(ctx, sale.receipt_no).lines[0]
    approval = approve_refund(ctx, sale.receipt_no)
    with pytest.raises(error, match=message):
        refunds.create_refund(ctx, sale.receipt_no, [(line.sale_line_id, qty)], method,
                              cashier_id=user(ctx, "kasir").id, approval_id=approval, reason=reason)
    with ctx.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Refund)).scalar() == 0
        assert connection.execute(select(func.count()).select_from(StockMovement)
                                  .where(StockMovement.kind == "refund")).scalar() == 0
    # The approval was not spent by the refused attempt: the corrected refund can use it.
    refunds.create_refund(ctx, sale.receipt_no, [(line.sale_line_id, 1000)], "tunai",
                          cashier_id=user(ctx, "kasir").id, approval_id=approval, reason="rusak")


def test_unknown_receipts_are_explained(ctx: PosContext, sale: sales.CompletedSale) -> None:
    with pytest.raises(NotFound, match="Struk LPK-01-009999 tidak ditemukan"):
        refunds.refundable_sale(ctx, "LPK-01-009999")
    line = refunds.refundable_sale(ctx, sale.receipt_no).lines[0]
    refunds.create_refund(ctx, sale.receipt_no, [(line.sale_line_id, 1000)], "tunai",
                          cashier_id=user(ctx, "kasir").id, approval_id=approve_refund(ctx, sale.receipt_no),
                          reason="rusak")
    with pytest.raises(NotFound, match="nomor retur, bukan struk penjualan"):
        refunds.refundable_sale(ctx, "LPK-01-R000001")


def test_a_kasbon_sale_is_refunded_by_reducing_the_debt(ctx: PosContext) -> None:
    member = members.register_member(ctx, MemberForm(
        kind="anggota", name="Rina Wati", nik="6472054101900001", address="Jl. Lempake 7",
        kelurahan_code="64.72.05.1003", credit_limit=200_000, credit_days=30), by=user(ctx, "manajer"))
    cart = Cart(member=member.ref())
    cart.add(product(ctx, OIL), 2000)  # member price: 2 x Rp15.500
    sold = sell(ctx, cart, [non_cash_payment("kasbon", 31_000)])
    found = refunds.refundable_sale(ctx, sold.receipt_no)
    assert found.methods == ("tunai", "kasbon") and found.member_no == member.member_no
    line = found.lines[0]
    done = refunds.create_refund(ctx, sold.receipt_no, [(line.sale_line_id, 1000)], "kasbon",
                                 cashier_id=user(ctx, "kasir").id,
                                 approval_id=approve_refund(ctx, sold.receipt_no), reason="rusak")
    assert kasbon.kasbon_balance(ctx, member.id) == 15_500
    with ctx.engine.connect() as connection:
        entry = connection.execute(select(CreditEntry.kind, CreditEntry.amount, CreditEntry.receipt_no)
                                   .where(CreditEntry.kind == "koreksi")).one()
    assert tuple(entry) == ("koreksi", -15_500, done.refund_no)
    kasbon.repay_kasbon(ctx, member.id, cash_payment(15_500, 15_500), by=user(ctx, "kasir"))
    # Nothing left owed: the second piece comes back in cash, not as a negative debt.
    with pytest.raises(InvalidInput, match="Kembalikan secara tunai"):
        refunds.create_refund(ctx, sold.receipt_no, [(line.sale_line_id, 1000)], "kasbon",
                              cashier_id=user(ctx, "kasir").id,
                              approval_id=approve_refund(ctx, sold.receipt_no), reason="rusak")
    assert verify_journal(ctx.engine) is None


def test_the_refund_receipt_names_the_original_and_marks_a_reprint(ctx: PosContext,
                                                                   sale: sales.CompletedSale) -> None:
    oil = refunds.refundable_sale(ctx, sale.receipt_no).lines[0]
    done = refunds.create_refund(ctx, sale.receipt_no, [(oil.sale_line_id, 2000)], "tunai",
                                 cashier_id=user(ctx, "kasir").id,
                                 approval_id=approve_refund(ctx, sale.receipt_no), reason="kemasan bocor")
    lines = receipts.refund_receipt_preview(ctx, done.refund_id)
    text = "\n".join(lines)
    assert "No. Retur" in text and done.refund_no in text and "Struk asal" in text and sale.receipt_no in text
    assert "Alasan: kemasan bocor" in text and "SALINAN" not in text
    copy = receipts.refund_receipt_preview(ctx, done.refund_id, copy=True)
    assert sum("SALINAN" in line for line in copy) == 2
