"""Z totals equal the sums of the shift's journal events and of its table rows, to the rupiah, over many shifts."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.cash import DENOMINATIONS, count_total
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.kasbon import REPAID
from kkmp_pos.domain.member import MemberForm
from kkmp_pos.domain.payment import cash_payment, non_cash_payment
from kkmp_pos.domain.roles import Action
from kkmp_pos.domain.shift_report import ShiftEvent, shift_figures
from kkmp_pos.services import catalog, kasbon, members, refunds, sales, savings, shift_close
from kkmp_pos.services.approvals import request_approval
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.members import Member
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.shifts import current_shift, open_shift
from kkmp_pos.store.models import (
    CashMovement,
    CreditEntry,
    JournalEvent,
    Payment,
    Refund,
    RefundPayment,
    Sale,
    SaleLine,
    SavingsEntry,
    Shift,
    User,
)

PRODUCTS = ("8999900000055", "8999900000222")  # Minyakita Rp15.700, a noodle
LEMPAKE = "64.72.05.1003"

operation = st.one_of(
    st.tuples(st.just("sale"), st.sampled_from(["tunai", "qris", "transfer", "debit", "kasbon"]),
              st.integers(1, 3), st.integers(0, 30_000), st.booleans()),
    st.tuples(st.just("cash"), st.sampled_from(["in", "out"]), st.integers(1, 400).map(lambda n: n * 500)),
    st.tuples(st.just("refund")),
    st.tuples(st.just("savings"), st.integers(1, 40).map(lambda n: n * 1_000)),
    st.tuples(st.just("repay"), st.integers(1, 20).map(lambda n: n * 500)),
)
counts = st.dictionaries(st.sampled_from(DENOMINATIONS), st.integers(0, 12), max_size=5)


def user(ctx: PosContext, username: str) -> Cashier:
    with ctx.engine.connect() as connection:
        row = connection.execute(select(User.id, User.username, User.full_name, User.role)
                                 .where(User.username == username)).one()
    return Cashier(id=row.id, username=row.username, full_name=row.full_name, role=row.role)


def approve(ctx: PosContext, action: Action, subject: str) -> str:
    return request_approval(ctx, action=action, cashier_id=user(ctx, "kasir").id, approver_username="manajer",
                            pin="2222", reason="uji", subject=subject).id


def anggota(ctx: PosContext) -> Member:
    found = members.search_members(ctx, "Siti Aminah")
    if found:
        return found[0]
    return members.register_member(ctx, MemberForm(
        kind="anggota", name="Siti Aminah", nik="6472054101900001", address="Jl. Lempake 7",
        kelurahan_code=LEMPAKE, credit_limit=10_000_000, credit_days=30), by=user(ctx, "manajer"))


def run(ctx: PosContext, op: tuple[Any, ...], buyer: Member, cash_sales: list[str]) -> None:
    kasir = user(ctx, "kasir")
    if op[0] == "sale":
        _, method, pieces, extra, member = op
        product = catalog.find_by_barcode(ctx, PRODUCTS[pieces % 2])
        assert product is not None
        cart = Cart(member=buyer.ref() if member or method == "kasbon" else None)
        cart.add(product, pieces * 1000)
        payment = cash_payment(cart.total, cart.total + extra) if method == "tunai" else \
            non_cash_payment(method, cart.total, reference="R1", bank="BRI")
        sale = sales.complete_sale(ctx, cart, [payment], cashier_id=kasir.id,
                                   member_id=cart.member.id if cart.member else None)
        if method == "tunai":
            cash_sales.append(sale.receipt_no)
    elif op[0] == "cash":
        try:
            shift = current_shift(ctx)
            assert shift is not None
            grant = approve(ctx, Action.CASH_MOVEMENT, shift_close.cash_movement_subject(shift.shift_no, op[1], op[2]))
            shift_close.record_cash_movement(ctx, cashier_id=kasir.id, direction=op[1], amount=op[2],
                                             reason="uji", approval_id=grant)
        except InvalidInput:
            assert op[1] == "out" and op[2] > shift_close.expected_cash(ctx)
    elif op[0] == "refund" and cash_sales:
        receipt_no = cash_sales.pop()
        with ctx.engine.connect() as connection:
            line = connection.execute(select(SaleLine.id).join(Sale, Sale.id == SaleLine.sale_id)
                                      .where(Sale.receipt_no == receipt_no)).scalar_one()
        refunds.create_refund(ctx, receipt_no, [(line, 1000)], "tunai", cashier_id=kasir.id,
                              approval_id=approve(ctx, Action.REFUND, receipt_no), reason="rusak")
    elif op[0] == "savings":
        savings.deposit_savings(ctx, buyer.id, "sukarela", cash_payment(op[1], op[1] + 500), by=kasir)
    elif op[0] == "repay":
        owed = kasbon.kasbon_balance(ctx, buyer.id)
        if owed >= op[1]:
            kasbon.repay_kasbon(ctx, buyer.id, cash_payment(op[1], op[1]), by=kasir)


def table_sums(ctx: PosContext, shift_id: str, first_seq: int, last_seq: int) -> dict[str, int]:
    in_shift = [Sale.shift_id == shift_id]

    def total(query: Any) -> int:
        return int(connection.execute(query).scalar() or 0)

    with ctx.engine.connect() as connection:
        paid = {m: int(a) for m, a in connection.execute(
            select(Payment.method, func.sum(Payment.tendered - Payment.change)).join(Sale, Sale.id == Payment.sale_id)
            .where(*in_shift).group_by(Payment.method))}
        movements = {d: int(a) for d, a in connection.execute(
            select(CashMovement.direction, func.sum(CashMovement.amount)).where(CashMovement.shift_id == shift_id)
            .group_by(CashMovement.direction))}
        window = (first_seq, last_seq)
        return {
            "sales_total": total(select(func.sum(Sale.total)).where(*in_shift)),
            "sales_count": total(select(func.count()).select_from(Sale).where(*in_shift)),
            "discounts": total(select(func.sum(Sale.discount_total)).where(*in_shift)),
            "cash_net": paid.get("tunai", 0),
            "qris": paid.get("qris", 0), "transfer": paid.get("transfer", 0), "debit": paid.get("debit", 0),
            "kasbon": paid.get("kasbon", 0),
            "cash_in": movements.get("in", 0), "cash_out": movements.get("out", 0),
            "refunds_total": total(select(func.sum(Refund.total)).where(Refund.journal_seq.between(*window))),
            "refunds_cash": total(select(func.sum(RefundPayment.amount)).join(Refund)
                                  .where(Refund.journal_seq.between(*window), RefundPayment.method == "tunai")),
            "savings_cash": total(select(func.sum(SavingsEntry.amount))
                                  .where(SavingsEntry.journal_seq.between(*window), SavingsEntry.method == "tunai")),
            "repaid": -total(select(func.sum(CreditEntry.amount))
                             .where(CreditEntry.journal_seq.between(*window), CreditEntry.kind == REPAID)),
        }


def journal_sums(bodies: list[tuple[str, dict[str, Any]]]) -> dict[str, int]:
    """Plain sums over the event bodies, written independently of domain.shift_report."""
    sums = dict.fromkeys(("sales_total", "sales_count", "cash_net", "cash_in", "cash_out", "refunds_cash",
                          "other_cash"), 0)
    for kind, body in bodies:
        if kind == "sale":
            sums["sales_total"] += body["total"]
            sums["sales_count"] += 1
            sums["cash_net"] += sum(p["tendered"] - p["change"] for p in body["payments"] if p["method"] == "tunai")
        elif kind == "cash_movement":
            sums["cash_" + body["direction"]] += body["amount"]
        elif kind == "refund" and body["payment"]["method"] == "tunai":
            sums["refunds_cash"] += body["payment"]["amount"]
        elif kind in ("savings", "kasbon_payment") and body["method"] == "tunai":
            sums["other_cash"] += body["tendered"] - body["change"] if body["amount"] > 0 else body["amount"]
    return sums


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(opening=counts, ops=st.lists(operation, max_size=12), closing=counts)
def test_z_totals_equal_the_journal_and_the_tables(closed_ctx: PosContext, opening: dict[int, int],
                                                   ops: list[tuple[Any, ...]], closing: dict[int, int]) -> None:
    ctx = closed_ctx
    buyer = anggota(ctx)
    shift = open_shift(ctx, cashier_id=user(ctx, "kasir").id, counts=opening)
    cash_sales: list[str] = []
    for op in ops:
        run(ctx, op, buyer, cash_sales)
    closed = shift_close.close_shift(ctx, cashier_id=user(ctx, "kasir").id, counts=closing,
                                     approval_id=approve(ctx, Action.CLOSE_SHIFT, shift.shift_no))
    with ctx.engine.connect() as connection:
        row = connection.execute(select(Shift.__table__).where(Shift.id == shift.id)).one()
        events = connection.execute(select(JournalEvent.seq, JournalEvent.hash, JournalEvent.type, JournalEvent.body)
                                    .where(JournalEvent.seq > row.open_seq, JournalEvent.seq < row.close_seq)
                                    .order_by(JournalEvent.seq)).all()
    z = json.loads(row.z_report)
    bodies = [(e.type, json.loads(e.body)) for e in events]
    by_journal = journal_sums(bodies)
    by_table = table_sums(ctx, shift.id, row.open_seq, row.close_seq)

    opening_float = count_total(opening)
    assert z["opening_float"] == opening_float
    assert z["sales_total"] == by_journal["sales_total"] == by_table["sales_total"]
    assert z["sales_count"] == by_journal["sales_count"] == by_table["sales_count"]
    assert z["discounts"] == by_table["discounts"]
    assert z["cash_received"] - z["change_given"] == z["cash_sales"] == by_journal["cash_net"] == by_table["cash_net"]
    assert z["qris_settled"] + z["qris_pending"] + z["qris_failed"] == by_table["qris"]
    assert (z["transfer_sales"], z["debit_sales"], z["kasbon_sales"]) == (by_table["transfer"], by_table["debit"],
                                                                          by_table["kasbon"])
    assert z["member_sales"] + z["non_member_sales"] == z["sales_total"]
    assert (z["cash_in"], z["cash_out"]) == (by_journal["cash_in"], by_journal["cash_out"]) == \
        (by_table["cash_in"], by_table["cash_out"])
    assert z["refunds_cash"] == by_journal["refunds_cash"] == by_table["refunds_cash"]
    assert z["refunds_total"] == by_table["refunds_total"]
    assert z["savings_cash_in"] - z["savings_cash_out"] == by_table["savings_cash"]
    assert z["kasbon_repaid_cash"] == by_table["repaid"]
    expected = (opening_float + by_journal["cash_net"] - by_journal["refunds_cash"] + by_journal["cash_in"]
                - by_journal["cash_out"] + by_journal["other_cash"])
    assert z["expected_cash"] == expected == row.expected_cash == closed.expected_cash >= 0
    assert z["counted_cash"] - expected == z["over_short"] == closed.over_short
    assert (z["last_seq"], z["last_hash"]) == ((events[-1].seq, events[-1].hash) if events else
                                               (row.open_seq, z["last_hash"]))
    # The pure function over the same bodies gives the frozen figures.
    again = shift_figures(opening_float, [ShiftEvent(e.seq, e.hash, e.type, b) for e, (_, b) in zip(events, bodies,
                                                                                                     strict=True)])
    assert again.expected_cash == z["expected_cash"]
