"""Kasbon accounts: balances, a customer's history, repayments with their own receipts, and the aging report."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from kkmp_pos.domain.clock import business_date, rfc3339
from kkmp_pos.domain.errors import InvalidInput, NotFound
from kkmp_pos.domain.kasbon import (
    REPAID,
    Aging,
    CreditMovement,
    KasbonSlip,
    OpenKasbon,
    age_open_kasbon,
    check_repayment,
    open_kasbon,
)
from kkmp_pos.domain.money import Rupiah
from kkmp_pos.domain.payment import Payment, check_payment
from kkmp_pos.domain.roles import can_sell
from kkmp_pos.domain.text import search_key
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.numbering import next_series_number
from kkmp_pos.services.outlet import Cashier, outlet_info
from kkmp_pos.services.settings import load_settings
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import CreditEntry, JournalEvent, Member, Sale, User

_credit = CreditEntry.__table__
_member = Member.__table__
_user = User.__table__
_sale = Sale.__table__
_journal = JournalEvent.__table__
RECEIPT_SERIES = "K"
"""`LPK-01-K000001`: repayment receipts are numbered apart from sales, so the sales series stays gap-free."""


@dataclass(frozen=True, slots=True)
class CreditStanding:
    """What the till shows before a kasbon: how much the buyer owes and may owe."""

    member_id: str
    balance: Rupiah
    credit_limit: Rupiah

    @property
    def available(self) -> Rupiah:
        """Kasbon still possible without a manager's approval (never negative)."""
        return max(0, self.credit_limit - self.balance)


@dataclass(frozen=True, slots=True)
class KasbonAccount:
    """One customer who owes (or is owed) money: a row of the Kasbon screen."""

    member_id: str
    member_no: str
    name: str
    kind: str
    balance: Rupiah
    credit_limit: Rupiah
    open_items: tuple[OpenKasbon, ...]
    today: date

    @property
    def oldest_due(self) -> date | None:
        return min((item.due_date for item in self.open_items), default=None)

    @property
    def aging(self) -> Aging:
        return age_open_kasbon(self.open_items, self.today)

    @property
    def overdue(self) -> Rupiah:
        return self.aging.overdue

    @property
    def over_limit(self) -> bool:
        return self.balance > self.credit_limit


@dataclass(frozen=True, slots=True)
class KasbonEntryView:
    """A line of a customer's kasbon history; `amount` is negative for a repayment."""

    id: str
    kind: str
    amount: Rupiah
    receipt_no: str | None
    due_date: date | None
    created_at: datetime
    cashier_name: str
    method: str | None
    balance_after: Rupiah


@dataclass(frozen=True, slots=True)
class AgingReport:
    """Per customer and in total, on `today` (WITA)."""

    today: date
    accounts: tuple[KasbonAccount, ...]

    @property
    def total(self) -> Aging:
        return sum((account.aging for account in self.accounts), Aging())


@dataclass(frozen=True, slots=True)
class RecordedRepayment:
    """What the till shows right after the commit, and which receipt to print."""

    entry_id: str
    receipt_no: str
    amount: Rupiah
    change: Rupiah
    balance_after: Rupiah



def _balance(connection: Connection, member_id: str) -> Rupiah:
    return int(connection.execute(
        select(func.coalesce(func.sum(_credit.c.amount), 0)).where(_credit.c.member_id == member_id)
    ).scalar_one())


def kasbon_balance(ctx: PosContext, member_id: str) -> Rupiah:
    with reading(ctx.engine) as connection:
        return _balance(connection, member_id)


def credit_standing(ctx: PosContext, member_id: str) -> CreditStanding:
    with reading(ctx.engine) as connection:
        limit = connection.execute(select(_member.c.credit_limit).where(_member.c.id == member_id)).scalar()
        if limit is None:
            raise NotFound("Anggota tidak ditemukan (mungkin sudah dihapus dari daftar).")
        return CreditStanding(member_id=member_id, balance=_balance(connection, member_id), credit_limit=int(limit))


# --- accounts and aging ------------------------------------------------------------------------------------


def kasbon_accounts(ctx: PosContext, text: str = "") -> list[KasbonAccount]:
    """Customers whose kasbon balance is not zero, largest balance first; `text` filters by number or name."""
    today = business_date(ctx.clock())
    with reading(ctx.engine) as connection:
        owing = (select(_credit.c.member_id).group_by(_credit.c.member_id)
                 .having(func.sum(_credit.c.amount) != 0).subquery())
        query = select(_member.c.id, _member.c.member_no, _member.c.name, _member.c.kind,
                       _member.c.credit_limit).where(_member.c.id.in_(select(owing.c.member_id)))
        key = search_key(text)
        if key:
            query = query.where(_member.c.name_norm.contains(key, autoescape=True)
                                | _member.c.member_no.contains(text.strip().upper(), autoescape=True))
        members = connection.execute(query).all()
        movements = _movements(connection, [m.id for m in members])
    accounts = [
        KasbonAccount(member_id=m.id, member_no=m.member_no, name=m.name, kind=m.kind,
                      balance=sum(x.amount for x in movements[m.id]), credit_limit=m.credit_limit,
                      open_items=tuple(open_kasbon(movements[m.id])), today=today)
        for m in members
    ]
    return sorted(accounts, key=lambda a: (-a.balance, a.member_no))


def _movements(connection: Connection, member_ids: list[str]) -> dict[str, list[CreditMovement]]:
    """Each member's ledger; a kasbon counts from the day of its sale (a failed QRIS made kasbon later too)."""
    found: dict[str, list[CreditMovement]] = defaultdict(list)
    if not member_ids:
        return found
    rows = connection.execute(
        select(_credit.c.member_id, _credit.c.amount, _credit.c.created_at, _credit.c.due_date,
               _credit.c.receipt_no, _sale.c.business_date)
        .outerjoin(_sale, _sale.c.id == _credit.c.sale_id)
        .where(_credit.c.member_id.in_(member_ids))
    ).all()
    for row in rows:
        taken_on = date.fromisoformat(row.business_date) if row.business_date else business_date(row.created_at)
        found[row.member_id].append(CreditMovement(
            amount=row.amount, taken_on=taken_on, receipt_no=row.receipt_no,
            due_date=date.fromisoformat(row.due_date) if row.due_date else None))
    return found


def kasbon_aging(ctx: PosContext) -> AgingReport:
    """Open kasbon per customer in 0–30 / 31–60 / >60 days since the sale, plus what is past due."""
    accounts = [account for account in kasbon_accounts(ctx) if account.open_items]
    return AgingReport(today=business_date(ctx.clock()), accounts=tuple(accounts))


def kasbon_history(ctx: PosContext, member_id: str, *, limit: int = 500) -> list[KasbonEntryView]:
    """A customer's kasbon taken and repaid, newest first, with the balance after each entry."""
    with reading(ctx.engine) as connection:
        rows = connection.execute(
            select(_credit, _user.c.full_name, func.json_extract(_journal.c.body, "$.method").label("paid_by"))
            .join(_user, _user.c.id == _credit.c.cashier_id)
            .outerjoin(_journal, _journal.c.seq == _credit.c.journal_seq)
            .where(_credit.c.member_id == member_id)
            .order_by(_credit.c.created_at, _credit.c.journal_seq)
        ).all()
    entries: list[KasbonEntryView] = []
    balance = 0
    for row in rows:
        balance += row.amount
        entries.append(KasbonEntryView(
            id=row.id, kind=row.kind, amount=row.amount, receipt_no=row.receipt_no,
            due_date=date.fromisoformat(row.due_date) if row.due_date else None, created_at=row.created_at,
            cashier_name=row.full_name, method=row.paid_by if row.kind == REPAID else None, balance_after=balance))
    return entries[::-1][:limit]


# --- repayments ------------------------------------------------------------------------------------------------


def repay_kasbon(ctx: PosContext, member_id: str, payment: Payment, *, by: Cashier) -> RecordedRepayment:
    """A repayment of `payment.amount`; cash may be more than the amount (`tendered`), the rest is change.

    The entry, its receipt number (series K) and the `kasbon_payment` journal event are one transaction.
    """
    if not can_sell(by.role):
        raise InvalidInput("Pengawas hanya dapat melihat kasbon, tidak dapat menerima pembayaran.")
    check_payment(payment)
    now = ctx.clock()
    entry_id = str(uuid.uuid4())
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        member = connection.execute(
            select(_member.c.member_no).where(_member.c.id == member_id)).first()
        if member is None:
            raise NotFound("Anggota tidak ditemukan (mungkin sudah dihapus dari daftar).")
        balance = _balance(connection, member_id)
        check_repayment(payment.amount, balance, payment.method)
        receipt_no = _next_receipt_no(connection)
        event = append_event(connection, type="kasbon_payment", at=now, body={
            "entry_id": entry_id, "member_id": member_id, "member_no": member.member_no,
            "amount": payment.amount, "method": payment.method, "reference": payment.reference,
            "bank": payment.bank, "tendered": payment.tendered, "change": payment.change,
            "receipt_no": receipt_no, "balance_before": balance, "balance_after": balance - payment.amount,
            "cashier_id": by.id, "recorded_at": rfc3339(now), "business_date": business_date(now).isoformat(),
        })
        connection.execute(_credit.insert(), {
            "id": entry_id, "member_id": member_id, "kind": REPAID, "amount": -payment.amount, "sale_id": None,
            "receipt_no": receipt_no, "due_date": None, "cashier_id": by.id, "created_at": now,
            "journal_seq": event.seq,
        })
        uow.commit()
    return RecordedRepayment(entry_id=entry_id, receipt_no=receipt_no, amount=payment.amount,
                             change=payment.change, balance_after=balance - payment.amount)


def _next_receipt_no(connection: Connection) -> str:
    return next_series_number(connection, _credit.c.receipt_no, RECEIPT_SERIES, _credit.c.kind == REPAID)


def find_repayment_id(ctx: PosContext, receipt_no: str) -> str:
    with reading(ctx.engine) as connection:
        entry_id = connection.execute(
            select(_credit.c.id).where(_credit.c.kind == REPAID, _credit.c.receipt_no == receipt_no.strip().upper())
        ).scalar()
    if entry_id is None:
        raise NotFound("Struk {receipt_no} tidak ditemukan. Periksa nomornya.", receipt_no=receipt_no.strip())
    return str(entry_id)


def load_kasbon_slip(ctx: PosContext, entry_id: str) -> KasbonSlip:
    """Everything the receipt of one repayment prints; the payment details travel in its journal event."""
    footer = load_settings(ctx).receipt_footer
    with reading(ctx.engine) as connection:
        row = connection.execute(
            select(_credit, _user.c.full_name, _member.c.member_no, _member.c.name, _journal.c.body,
                   _journal.c.hash)
            .join(_user, _user.c.id == _credit.c.cashier_id)
            .join(_member, _member.c.id == _credit.c.member_id)
            .join(_journal, _journal.c.seq == _credit.c.journal_seq)
            .where(_credit.c.id == entry_id, _credit.c.kind == REPAID)
        ).first()
    if row is None:
        raise NotFound("Struk pembayaran kasbon tidak ditemukan.")
    body: dict[str, Any] = json.loads(row.body)
    return KasbonSlip(
        receipt_no=row.receipt_no, created_at=row.created_at, cashier_name=row.full_name,
        outlet=outlet_info(ctx, footer), member_no=row.member_no, member_name=row.name, amount=-row.amount,
        method=str(body["method"]), tendered=int(body["tendered"]), change=int(body["change"]),
        balance_before=int(body["balance_before"]), balance_after=int(body["balance_after"]),
        reference=body.get("reference"), bank=body.get("bank"), journal_seq=row.journal_seq, journal_hash=row.hash,
    )
