"""Returns against an earlier sale: refund, lines, payout, stock back, kasbon correction and journal in one go."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select

from kkmp_pos.domain.clock import business_date, rfc3339
from kkmp_pos.domain.errors import InvalidInput, NotFound
from kkmp_pos.domain.money import Rupiah, format_rupiah
from kkmp_pos.domain.payment import KASBON
from kkmp_pos.domain.refund import (
    RefundableLine,
    RefundRecord,
    ReturnedLine,
    check_refund_method,
    clean_reason,
    plan_return,
    refund_methods,
    refund_number,
)
from kkmp_pos.domain.roles import Action, can_sell
from kkmp_pos.domain.sale_rules import Requirement
from kkmp_pos.services.approval_use import use_approvals
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.lpg_sale import write_lpg_refund
from kkmp_pos.services.outlet import outlet_info
from kkmp_pos.services.settings import load_settings
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import (
    CreditEntry,
    JournalEvent,
    Member,
    Outlet,
    Payment,
    Refund,
    RefundLine,
    RefundPayment,
    Sale,
    SaleLine,
    StockMovement,
    User,
)

_sale = Sale.__table__
_line = SaleLine.__table__
_payment = Payment.__table__
_refund = Refund.__table__
_refund_line = RefundLine.__table__
_refund_payment = RefundPayment.__table__
_movement = StockMovement.__table__
_credit = CreditEntry.__table__
_member = Member.__table__
_outlet = Outlet.__table__
_user = User.__table__
_journal = JournalEvent.__table__


@dataclass(frozen=True, slots=True)
class RefundSummary:
    """An earlier refund of the same sale (listed on the returns screen, reprintable)."""

    refund_id: str
    refund_no: str
    created_at: datetime
    total: Rupiah
    method: str


@dataclass(frozen=True, slots=True)
class RefundableSale:
    """A sale as the returns screen needs it: its lines with what can still come back, how it was paid."""

    sale_id: str
    receipt_no: str
    created_at: datetime
    total: Rupiah
    member_no: str | None
    member_name: str | None
    lines: tuple[RefundableLine, ...]
    paid_by_method: Mapping[str, Rupiah]
    refunded_by_method: Mapping[str, Rupiah]
    refunds: tuple[RefundSummary, ...]

    @property
    def methods(self) -> tuple[str, ...]:
        """Where the money may go back: cash, or a method the sale was paid with."""
        return refund_methods(self.paid_by_method)

    @property
    def refunded_total(self) -> Rupiah:
        return sum(refund.total for refund in self.refunds)

    @property
    def fully_returned(self) -> bool:
        return all(line.remaining_qty_milli == 0 for line in self.lines)


@dataclass(frozen=True, slots=True)
class CompletedRefund:
    refund_id: str
    refund_no: str
    total: Rupiah
    method: str
    journal_seq: int


def refund_approval_subject(receipt_no: str) -> str:
    """A refund is approved for one receipt: the approval's subject is the sale's receipt number."""
    return receipt_no


def _sale_head(connection: Connection, key: str) -> Any:
    key = key.strip()
    if not key:
        raise InvalidInput("Pindai barcode struk atau ketik nomor struknya dulu.")
    head = connection.execute(
        select(_sale.c.id, _sale.c.receipt_no, _sale.c.created_at, _sale.c.total, _sale.c.status,
               _sale.c.outlet_id, _sale.c.member_id, _member.c.member_no, _member.c.name.label("member_name"))
        .outerjoin(_member, _member.c.id == _sale.c.member_id)
        .where(or_(_sale.c.id == key, _sale.c.receipt_no == key.upper()))
    ).first()
    if head is None:
        if connection.execute(select(_refund.c.id).where(_refund.c.refund_no == key.upper())).first():
            raise NotFound("{number} adalah nomor retur, bukan struk penjualan. Pindai struk penjualan aslinya.",
                           number=key.upper())
        raise NotFound("Struk {receipt_no} tidak ditemukan. Periksa nomornya.", receipt_no=key)
    if head.status != "completed":
        raise InvalidInput("Transaksi {receipt_no} tidak dapat diretur (status: {status}).",
                           receipt_no=head.receipt_no, status=head.status)
    return head


def _refundable_lines(connection: Connection, sale_id: str) -> tuple[RefundableLine, ...]:
    returned = {
        row.sale_line_id: (int(row.qty), int(row.amount))
        for row in connection.execute(
            select(_refund_line.c.sale_line_id, func.sum(_refund_line.c.qty_milli).label("qty"),
                   func.sum(_refund_line.c.amount).label("amount"))
            .join(_refund, _refund.c.id == _refund_line.c.refund_id)
            .where(_refund.c.sale_id == sale_id)
            .group_by(_refund_line.c.sale_line_id)
        )
    }
    rows = connection.execute(select(_line).where(_line.c.sale_id == sale_id).order_by(_line.c.line_no)).all()
    return tuple(
        RefundableLine(
            sale_line_id=r.id, line_no=r.line_no, product_id=r.product_id, sku=r.sku, name=r.name, unit=r.unit,
            sold_by_weight=bool(r.sold_by_weight), unit_price=r.unit_price, qty_milli=r.qty_milli, total=r.total,
            returned_qty_milli=returned.get(r.id, (0, 0))[0], returned_amount=returned.get(r.id, (0, 0))[1],
        )
        for r in rows
    )


def _paid_by_method(connection: Connection, sale_id: str) -> dict[str, Rupiah]:
    return {method: int(amount) for method, amount in connection.execute(
        # A failed QRIS never brought money in, so nothing can go back that way.
        select(_payment.c.method, func.sum(_payment.c.amount))
        .where(_payment.c.sale_id == sale_id, _payment.c.status != "failed")
        .group_by(_payment.c.method)
    ).all()}


def _refunded_by_method(connection: Connection, sale_id: str) -> dict[str, Rupiah]:
    return {method: int(amount) for method, amount in connection.execute(
        select(_refund_payment.c.method, func.sum(_refund_payment.c.amount))
        .join(_refund, _refund.c.id == _refund_payment.c.refund_id)
        .where(_refund.c.sale_id == sale_id).group_by(_refund_payment.c.method)
    ).all()}


def refundable_sale(ctx: PosContext, receipt_no_or_id: str) -> RefundableSale:
    """The sale behind a scanned or typed receipt number, with what can still be returned."""
    with reading(ctx.engine) as connection:
        head = _sale_head(connection, receipt_no_or_id)
        refunds = tuple(
            RefundSummary(refund_id=r.id, refund_no=r.refund_no, created_at=r.created_at, total=r.total,
                          method=r.method)
            for r in connection.execute(
                select(_refund.c.id, _refund.c.refund_no, _refund.c.created_at, _refund.c.total,
                       _refund_payment.c.method)
                .join(_refund_payment, _refund_payment.c.refund_id == _refund.c.id)
                .where(_refund.c.sale_id == head.id).order_by(_refund.c.refund_seq)
            )
        )
        return RefundableSale(
            sale_id=head.id, receipt_no=head.receipt_no, created_at=head.created_at, total=head.total,
            member_no=head.member_no, member_name=head.member_name,
            lines=_refundable_lines(connection, head.id), paid_by_method=_paid_by_method(connection, head.id),
            refunded_by_method=_refunded_by_method(connection, head.id), refunds=refunds,
        )


def create_refund(ctx: PosContext, sale: str, lines: Sequence[tuple[str, int]], method: str, *,
                  cashier_id: str, approval_id: str | None, reason: str,
                  reference: str | None = None) -> CompletedRefund:
    """Return `lines` ((sale line id, quantity in thousandths), ...) of `sale` (receipt number or id).

    One transaction: the refund and its lines, the payout, stock back (+qty, kind 'refund'), for an elpiji line
    its cylinder movement undone (services.lpg_sale.write_lpg_refund), for a kasbon sale a negative 'koreksi' on
    the customer's kasbon, and a `refund` journal event pointing at the sale. The 3 kg limits, month summary
    and logbook count net of refund lines, so they need no row of their own.
    Needs an unused approval of Action.REFUND whose subject is the sale's receipt number.
    """
    reason = clean_reason(reason)
    reference = (reference or "").strip() or None
    now = ctx.clock()
    day = business_date(now)
    refund_id = str(uuid.uuid4())
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        head = _sale_head(connection, sale)
        _check_cashier(connection, cashier_id)
        plan = plan_return(_refundable_lines(connection, head.id), lines)
        check_refund_method(method, plan.total, _paid_by_method(connection, head.id),
                            _refunded_by_method(connection, head.id))
        if method == KASBON:
            _check_kasbon_balance(connection, head.member_id, plan.total)
        spent = use_approvals(connection, [Requirement(
            Action.REFUND, refund_approval_subject(head.receipt_no), {"sale_total": head.total},
            {"refund_total": plan.total})], [approval_id] if approval_id else [], refund_id)
        outlet_code, last_seq = connection.execute(
            select(_outlet.c.code, select(func.coalesce(func.max(_refund.c.refund_seq), 0))
                   .where(_refund.c.outlet_id == _outlet.c.id).scalar_subquery())
            .where(_outlet.c.id == head.outlet_id)
        ).one()
        refund_seq = last_seq + 1
        refund_no = refund_number(outlet_code, refund_seq)
        line_rows = [
            {"id": str(uuid.uuid4()), "refund_id": refund_id, "sale_line_id": line.sale_line_id,
             "qty_milli": qty, "amount": amount}
            for line, qty, amount in plan.lines
        ]
        payment_row = {"id": str(uuid.uuid4()), "refund_id": refund_id, "method": method, "amount": plan.total,
                       "reference": reference}
        event = append_event(connection, type="refund", at=now, body={
            "refund_id": refund_id, "refund_no": refund_no, "sale_id": head.id, "sale_receipt_no": head.receipt_no,
            "outlet_id": head.outlet_id, "cashier_id": cashier_id, "member_id": head.member_id,
            "approval_id": spent[0], "reason": reason, "refunded_at": rfc3339(now),
            "business_date": day.isoformat(), "total": plan.total,
            "lines": [
                {"refund_line_id": row["id"], "sale_line_id": line.sale_line_id, "line_no": line.line_no,
                 "sku": line.sku, "qty_milli": qty, "amount": amount}
                for row, (line, qty, amount) in zip(line_rows, plan.lines, strict=True)
            ],
            "payment": {"refund_payment_id": payment_row["id"], "method": method, "amount": plan.total,
                        "reference": reference},
        })
        connection.execute(insert(_refund), {
            "id": refund_id, "outlet_id": head.outlet_id, "sale_id": head.id, "refund_no": refund_no,
            "refund_seq": refund_seq, "cashier_id": cashier_id, "approval_id": spent[0], "total": plan.total,
            "reason": reason, "created_at": now, "business_date": day.isoformat(), "journal_seq": event.seq,
        })
        connection.execute(insert(_refund_line), line_rows)
        connection.execute(insert(_refund_payment), payment_row)
        connection.execute(insert(_movement), [
            {"id": str(uuid.uuid4()), "product_id": line.product_id, "qty_milli": qty, "kind": "refund",
             "ref_id": refund_id, "created_at": now}
            for line, qty, _amount in plan.lines
        ])
        write_lpg_refund(connection, refund_id, [(line.sale_line_id, qty) for line, qty, _amount in plan.lines], now)
        if method == KASBON:
            connection.execute(insert(_credit), {
                "id": str(uuid.uuid4()), "member_id": head.member_id, "kind": "koreksi", "amount": -plan.total,
                "sale_id": head.id, "receipt_no": refund_no, "due_date": None, "cashier_id": cashier_id,
                "created_at": now, "journal_seq": event.seq,
            })
        uow.commit()
    return CompletedRefund(refund_id=refund_id, refund_no=refund_no, total=plan.total, method=method,
                           journal_seq=event.seq)


def _check_cashier(connection: Connection, cashier_id: str) -> None:
    row = connection.execute(select(_user.c.role, _user.c.active).where(_user.c.id == cashier_id)).first()
    if row is None or not row.active:
        raise InvalidInput("Pengguna kasir tidak dikenal atau tidak aktif. Masuk ulang dengan PIN.")
    if not can_sell(row.role):
        raise InvalidInput("Peran {role} hanya dapat melihat data, tidak dapat memproses retur.", role=row.role)


def _check_kasbon_balance(connection: Connection, member_id: str | None, amount: Rupiah) -> None:
    """Back to kasbon only while the customer still owes that much; otherwise the money goes back in cash."""
    balance = int(connection.execute(
        select(func.coalesce(func.sum(_credit.c.amount), 0)).where(_credit.c.member_id == member_id)
    ).scalar() or 0) if member_id else 0
    if amount > balance:
        raise InvalidInput("Saldo kasbon pelanggan tinggal {balance}, kurang dari retur {amount}. Kembalikan "
                           "secara tunai.", balance=format_rupiah(max(balance, 0)), amount=format_rupiah(amount))


def load_refund(ctx: PosContext, refund_id: str) -> RefundRecord:
    """The complete record of one refund, as its receipt prints it."""
    footer = load_settings(ctx).receipt_footer
    with reading(ctx.engine) as connection:
        head = connection.execute(
            select(_refund, _user.c.full_name, _journal.c.hash, _sale.c.receipt_no, _member.c.member_no,
                   _member.c.name.label("member_name"), _refund_payment.c.method, _refund_payment.c.reference)
            .join(_user, _user.c.id == _refund.c.cashier_id)
            .join(_journal, _journal.c.seq == _refund.c.journal_seq)
            .join(_sale, _sale.c.id == _refund.c.sale_id)
            .join(_refund_payment, _refund_payment.c.refund_id == _refund.c.id)
            .outerjoin(_member, _member.c.id == _sale.c.member_id)
            .where(_refund.c.id == refund_id)
        ).first()
        if head is None:
            raise NotFound("Retur tidak ditemukan.")
        lines = connection.execute(
            select(_refund_line.c.qty_milli, _refund_line.c.amount, _line.c.name, _line.c.unit,
                   _line.c.sold_by_weight, _line.c.unit_price)
            .join(_line, _line.c.id == _refund_line.c.sale_line_id)
            .where(_refund_line.c.refund_id == refund_id).order_by(_line.c.line_no)
        ).all()
    return RefundRecord(
        id=head.id, refund_no=head.refund_no, sale_id=head.sale_id, sale_receipt_no=head.receipt_no,
        created_at=head.created_at, cashier_name=head.full_name, outlet=outlet_info(ctx, footer),
        lines=tuple(ReturnedLine(name=x.name, unit=x.unit, sold_by_weight=bool(x.sold_by_weight),
                                 unit_price=x.unit_price, qty_milli=x.qty_milli, amount=x.amount) for x in lines),
        total=head.total, method=head.method, reason=head.reason, reference=head.reference,
        member_no=head.member_no, member_name=head.member_name, journal_seq=head.journal_seq,
        journal_hash=head.hash,
    )
