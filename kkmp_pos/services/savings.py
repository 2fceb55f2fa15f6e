"""Simpanan at the till: deposits and withdrawals with their own receipt numbers, balances and a member's ledger."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from kkmp_pos.domain.clock import business_date, rfc3339
from kkmp_pos.domain.errors import InvalidInput, NotFound
from kkmp_pos.domain.money import Rupiah
from kkmp_pos.domain.payment import Payment, check_payment
from kkmp_pos.domain.roles import can_sell
from kkmp_pos.domain.savings import (
    SavingsBalances,
    SavingsKind,
    SavingsSlip,
    check_deposit,
    check_savings_method,
    check_withdrawal,
)
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.members import Member, get_member
from kkmp_pos.services.numbering import next_series_number
from kkmp_pos.services.outlet import Cashier, outlet_info
from kkmp_pos.services.settings import load_settings
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import JournalEvent, SavingsEntry, User
from kkmp_pos.store.models import Member as MemberRow

_entry = SavingsEntry.__table__
_member = MemberRow.__table__
_user = User.__table__
_journal = JournalEvent.__table__
RECEIPT_SERIES = "S"
"""`LPK-01-S000001`: simpanan slips are numbered apart from sales, so the sales series stays gap-free."""


@dataclass(frozen=True, slots=True)
class SavingsEntryView:
    """One line of a member's ledger; `amount` is negative for a withdrawal."""

    id: str
    kind: SavingsKind
    amount: Rupiah
    method: str
    receipt_no: str
    created_at: datetime
    cashier_name: str


@dataclass(frozen=True, slots=True)
class SavingsLedger:
    member: Member
    balances: SavingsBalances
    entries: tuple[SavingsEntryView, ...]
    """Newest first."""


@dataclass(frozen=True, slots=True)
class RecordedSavings:
    """What the till shows right after the commit, and which slip to print."""

    entry_id: str
    receipt_no: str
    kind: SavingsKind
    amount: Rupiah
    change: Rupiah
    balance_after: Rupiah



def _balances(connection: Connection, member_id: str) -> SavingsBalances:
    sums = {kind: int(total) for kind, total in connection.execute(
        select(_entry.c.kind, func.sum(_entry.c.amount)).where(_entry.c.member_id == member_id)
        .group_by(_entry.c.kind)
    )}
    pokok_paid = connection.execute(
        select(_entry.c.id).where(_entry.c.member_id == member_id, _entry.c.kind == SavingsKind.POKOK.value,
                                  _entry.c.amount > 0).limit(1)
    ).first() is not None
    return SavingsBalances.from_sums(sums, pokok_paid)


def savings_balances(ctx: PosContext, member_id: str) -> SavingsBalances:
    with reading(ctx.engine) as connection:
        return _balances(connection, member_id)


def deposit_savings(ctx: PosContext, member_id: str, kind: SavingsKind | str, payment: Payment, *,
                    by: Cashier) -> RecordedSavings:
    """A setoran of `payment.amount`; cash may be more than the amount (`tendered`), the rest is change."""
    check_savings_method(payment.method)
    check_payment(payment)
    return _record(ctx, member_id, SavingsKind(kind), payment, by=by, withdrawal=False)


def withdraw_savings(ctx: PosContext, member_id: str, kind: SavingsKind | str, payment: Payment, *,
                     by: Cashier) -> RecordedSavings:
    """A penarikan of `payment.amount`, paid out in cash or by transfer (with its reference)."""
    check_savings_method(payment.method)
    check_payment(payment)
    if payment.change or payment.tendered != payment.amount:
        raise InvalidInput("Penarikan dibayar pas sejumlah penarikan: tidak ada kembalian.")
    return _record(ctx, member_id, SavingsKind(kind), payment, by=by, withdrawal=True)


def _record(ctx: PosContext, member_id: str, kind: SavingsKind, payment: Payment, *, by: Cashier,
            withdrawal: bool) -> RecordedSavings:
    if not can_sell(by.role):
        raise InvalidInput("Pengawas hanya dapat melihat simpanan, tidak dapat mencatat setoran atau penarikan.")
    now = ctx.clock()
    entry_id = str(uuid.uuid4())
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        member = connection.execute(
            select(_member.c.member_no, _member.c.kind, _member.c.status).where(_member.c.id == member_id)
        ).first()
        if member is None:
            raise NotFound("Anggota tidak ditemukan (mungkin sudah dihapus dari daftar).")
        balances = _balances(connection, member_id)
        if withdrawal:
            check_withdrawal(kind, payment.amount, balances, member_status=member.status)
        else:
            check_deposit(kind, payment.amount, balances, member_kind=member.kind, member_status=member.status)
        amount = -payment.amount if withdrawal else payment.amount
        receipt_no = _next_receipt_no(connection)
        event = append_event(connection, type="savings", at=now, body={
            "entry_id": entry_id, "member_id": member_id, "member_no": member.member_no, "kind": kind.value,
            "amount": amount, "method": payment.method, "reference": payment.reference, "bank": payment.bank,
            "tendered": payment.tendered, "change": payment.change, "receipt_no": receipt_no,
            "cashier_id": by.id, "recorded_at": rfc3339(now), "business_date": business_date(now).isoformat(),
        })
        connection.execute(_entry.insert(), {
            "id": entry_id, "member_id": member_id, "kind": kind.value, "amount": amount,
            "method": payment.method, "receipt_no": receipt_no, "cashier_id": by.id, "created_at": now,
            "journal_seq": event.seq,
        })
        uow.commit()
    return RecordedSavings(entry_id=entry_id, receipt_no=receipt_no, kind=kind, amount=amount,
                           change=payment.change, balance_after=balances.of(kind) + amount)


def _next_receipt_no(connection: Connection) -> str:
    return next_series_number(connection, _entry.c.receipt_no, RECEIPT_SERIES)


def savings_ledger(ctx: PosContext, member_id: str, *, limit: int = 500) -> SavingsLedger:
    """A member's balances per kind and their latest entries."""
    member = get_member(ctx, member_id)
    with reading(ctx.engine) as connection:
        balances = _balances(connection, member_id)
        rows = connection.execute(
            select(_entry, _user.c.full_name).join(_user, _user.c.id == _entry.c.cashier_id)
            .where(_entry.c.member_id == member_id).order_by(_entry.c.journal_seq.desc()).limit(limit)
        ).all()
    entries = tuple(SavingsEntryView(id=r.id, kind=SavingsKind(r.kind), amount=r.amount, method=r.method,
                                     receipt_no=r.receipt_no, created_at=r.created_at, cashier_name=r.full_name)
                    for r in rows)
    return SavingsLedger(member=member, balances=balances, entries=entries)


def load_savings_slip(ctx: PosContext, entry_id: str) -> SavingsSlip:
    """Everything the slip of one entry prints; the payment details travel in its journal event."""
    footer = load_settings(ctx).receipt_footer
    with reading(ctx.engine) as connection:
        row = connection.execute(
            select(_entry, _user.c.full_name, _member.c.member_no, _member.c.name, _journal.c.body,
                   _journal.c.hash)
            .join(_user, _user.c.id == _entry.c.cashier_id)
            .join(_member, _member.c.id == _entry.c.member_id)
            .join(_journal, _journal.c.seq == _entry.c.journal_seq)
            .where(_entry.c.id == entry_id)
        ).first()
        if row is None:
            raise NotFound("Slip simpanan tidak ditemukan.")
        balance_after = connection.execute(
            select(func.coalesce(func.sum(_entry.c.amount), 0))
            .where(_entry.c.member_id == row.member_id, _entry.c.kind == row.kind,
                   _entry.c.journal_seq <= row.journal_seq)
        ).scalar_one()
    body: dict[str, Any] = json.loads(row.body)
    return SavingsSlip(
        receipt_no=row.receipt_no, created_at=row.created_at, cashier_name=row.full_name,
        outlet=outlet_info(ctx, footer), member_no=row.member_no, member_name=row.name,
        kind=SavingsKind(row.kind), amount=row.amount, method=row.method, reference=body.get("reference"),
        bank=body.get("bank"), tendered=int(body.get("tendered", abs(row.amount))),
        change=int(body.get("change", 0)), balance_after=int(balance_after), journal_seq=row.journal_seq,
        journal_hash=row.hash,
    )

