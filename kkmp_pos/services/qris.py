"""QRIS reconciliation: pending QRIS payments checked against the statement, verified or failed and settled."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from kkmp_pos.domain.clock import business_date, rfc3339
from kkmp_pos.domain.errors import InvalidInput, NotFound
from kkmp_pos.domain.kasbon import TAKEN
from kkmp_pos.domain.money import Rupiah, format_rupiah
from kkmp_pos.domain.payment import (
    CASH,
    DEBIT,
    FAILED,
    KASBON,
    METHOD_LABELS,
    PENDING,
    QRIS,
    SETTLED,
    TRANSFER,
    Payment,
    check_payment,
)
from kkmp_pos.domain.roles import APPROVER_ROLES, Role
from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import CreditEntry, Member, Sale
from kkmp_pos.store.models import Payment as PaymentRow

_payment = PaymentRow.__table__
_sale = Sale.__table__
_member = Member.__table__
_credit = CreditEntry.__table__

SETTLEMENT_METHODS = (KASBON, CASH, TRANSFER, DEBIT)
"""How the money of a failed QRIS is still collected: on the buyer's kasbon, or paid again another way."""

VERIFIED = "verified"
FAILED_OUTCOME = "failed"


@dataclass(frozen=True, slots=True)
class PendingQris:
    """A QRIS payment taken at the till and not yet matched with the QRIS statement."""

    payment_id: str
    sale_id: str
    receipt_no: str
    sold_at: datetime
    amount: Rupiah
    reference: str | None
    member_id: str | None
    member_no: str | None
    member_name: str | None


@dataclass(frozen=True, slots=True)
class Reconciled:
    """The outcome as recorded; `settlement_id` is the replacing payment of a failed QRIS."""

    payment_id: str
    outcome: str
    journal_seq: int
    settlement_id: str | None = None
    credit_entry_id: str | None = None


def pending_qris(ctx: PosContext) -> list[PendingQris]:
    """Every QRIS payment still 'menunggu verifikasi', oldest first (the statement is read in date order)."""
    with reading(ctx.engine) as connection:
        rows = connection.execute(
            select(_payment.c.id, _payment.c.sale_id, _payment.c.amount, _payment.c.reference, _sale.c.receipt_no,
                   _sale.c.created_at, _sale.c.member_id, _member.c.member_no, _member.c.name)
            .join(_sale, _sale.c.id == _payment.c.sale_id)
            .outerjoin(_member, _member.c.id == _sale.c.member_id)
            .where(_payment.c.method == QRIS, _payment.c.status == PENDING)
            .order_by(_sale.c.created_at, _sale.c.receipt_seq)
        ).all()
    return [PendingQris(payment_id=r.id, sale_id=r.sale_id, receipt_no=r.receipt_no, sold_at=r.created_at,
                        amount=r.amount, reference=r.reference, member_id=r.member_id, member_no=r.member_no,
                        member_name=r.name) for r in rows]


def pending_total(items: list[PendingQris]) -> Rupiah:
    return sum(item.amount for item in items)


def verify_qris(ctx: PosContext, payment_id: str, *, by: Cashier) -> Reconciled:
    """The money is on the QRIS statement: the payment becomes settled."""
    _check_role(by)
    now = ctx.clock()
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        pending = _pending_row(connection, payment_id)
        body = _body(pending, VERIFIED, by, now, settlement=None)
        event = append_event(connection, type="payment_reconciled", at=now, body=body)
        write_reconciliation(connection, body, now, event.seq)
        uow.commit()
    return Reconciled(payment_id=payment_id, outcome=VERIFIED, journal_seq=event.seq)


def fail_qris(ctx: PosContext, payment_id: str, settlement: Payment, *, by: Cashier) -> Reconciled:
    """The money never arrived: the payment becomes failed and `settlement` covers the same amount.

    A kasbon settlement puts the amount on the account of the sale's buyer (due `credit_days` after today,
    the day they learn of it); cash, transfer or debit is a new payment of the sale, received now.
    """
    _check_role(by)
    if settlement.method not in SETTLEMENT_METHODS:
        raise InvalidInput("QRIS yang gagal diselesaikan dengan kasbon, tunai, transfer atau debit, bukan {method}.",
                           method=tr(METHOD_LABELS.get(settlement.method, settlement.method)))
    check_payment(settlement)
    now = ctx.clock()
    settlement_id = str(uuid.uuid4())
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        pending = _pending_row(connection, payment_id)
        if settlement.amount != pending.amount:
            raise InvalidInput("Penyelesaian harus sebesar QRIS yang gagal, {amount}, bukan {given}.",
                               amount=format_rupiah(pending.amount), given=format_rupiah(settlement.amount))
        credit: dict[str, Any] | None = None
        if settlement.method == KASBON:
            credit = _kasbon_for(connection, pending, now)
        body = _body(pending, FAILED_OUTCOME, by, now, settlement={
            "payment_id": settlement_id, "method": settlement.method, "amount": settlement.amount,
            "tendered": settlement.tendered, "change": settlement.change, "reference": settlement.reference,
            "bank": settlement.bank,
            **({"credit_entry_id": credit["id"], "due_date": credit["due_date"]} if credit else {}),
        })
        event = append_event(connection, type="payment_reconciled", at=now, body=body)
        write_reconciliation(connection, body, now, event.seq)
        uow.commit()
    return Reconciled(payment_id=payment_id, outcome=FAILED_OUTCOME, journal_seq=event.seq,
                      settlement_id=settlement_id, credit_entry_id=credit["id"] if credit else None)


def _check_role(by: Cashier) -> None:
    if Role(by.role) not in APPROVER_ROLES:
        raise InvalidInput("Hanya manajer atau admin yang dapat merekonsiliasi pembayaran QRIS.")


def _pending_row(connection: Connection, payment_id: str) -> Any:
    row = connection.execute(
        select(_payment.c.id, _payment.c.sale_id, _payment.c.method, _payment.c.amount, _payment.c.reference,
               _payment.c.status, _sale.c.receipt_no, _sale.c.member_id)
        .join(_sale, _sale.c.id == _payment.c.sale_id).where(_payment.c.id == payment_id)
    ).first()
    if row is None or row.method != QRIS:
        raise NotFound("Pembayaran QRIS tidak ditemukan. Muat ulang daftarnya.")
    if row.status != PENDING:
        raise InvalidInput("QRIS struk {receipt_no} sudah direkonsiliasi. Muat ulang daftarnya.",
                           receipt_no=row.receipt_no)
    return row


def _kasbon_for(connection: Connection, pending: Any, now: datetime) -> dict[str, Any]:
    if pending.member_id is None:
        raise InvalidInput("Penjualan {receipt_no} tanpa anggota, jadi tidak dapat dijadikan kasbon. Selesaikan "
                           "dengan tunai, transfer atau debit.", receipt_no=pending.receipt_no)
    days = connection.execute(select(_member.c.credit_days).where(_member.c.id == pending.member_id)).scalar_one()
    return {"id": str(uuid.uuid4()), "due_date": (business_date(now) + timedelta(days=int(days))).isoformat()}


def write_reconciliation(connection: Connection, body: dict[str, Any], now: datetime, journal_seq: int) -> None:
    """The rows of a `payment_reconciled` body: the QRIS payment settled or failed, and for a failed one the
    settling payment and, on kasbon, the buyer's credit entry. verify_qris, fail_qris and the journal replay after
    a restore all call this, so a restored till gets the very same rows."""
    by = body["by"]
    connection.execute(update(_payment).where(_payment.c.id == body["payment_id"]).values(
        status=SETTLED if body["outcome"] == VERIFIED else FAILED, verified_at=now, verified_by=by))
    settlement = body.get("settlement")
    if settlement is None:
        return
    # A new payment of the sale, never an edit of the failed one: the sale's live payments still add up.
    connection.execute(_payment.insert(), {
        "id": settlement["payment_id"], "sale_id": body["sale_id"], "method": settlement["method"],
        "amount": settlement["amount"], "tendered": settlement["tendered"], "change": settlement["change"],
        "reference": settlement["reference"], "bank": settlement["bank"], "status": SETTLED, "verified_at": now,
        "verified_by": by,
    })
    if settlement.get("credit_entry_id"):
        member_id = connection.execute(select(_sale.c.member_id).where(_sale.c.id == body["sale_id"])).scalar_one()
        connection.execute(_credit.insert(), {
            "id": settlement["credit_entry_id"], "member_id": member_id, "kind": TAKEN, "amount": body["amount"],
            "sale_id": body["sale_id"], "receipt_no": body["receipt_no"], "due_date": settlement["due_date"],
            "cashier_id": by, "created_at": now, "journal_seq": journal_seq})


def _body(pending: Any, outcome: str, by: Cashier, now: datetime,
          settlement: dict[str, Any] | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "payment_id": pending.id, "sale_id": pending.sale_id, "receipt_no": pending.receipt_no,
        "method": QRIS, "amount": pending.amount, "reference": pending.reference, "outcome": outcome,
        "by": by.id, "reconciled_at": rfc3339(now), "business_date": business_date(now).isoformat(),
    }
    if settlement is not None:
        body["settlement"] = settlement
    return body
