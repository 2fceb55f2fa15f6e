"""Finding completed sales: today's list, by receipt number, and the full record for a receipt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from kkmp_pos.domain.clock import business_date
from kkmp_pos.domain.errors import NotFound
from kkmp_pos.domain.nik import mask_nik
from kkmp_pos.domain.sale import SaleRecord, SoldLine, SoldPayment
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import outlet_info
from kkmp_pos.services.settings import load_settings
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import JournalEvent, LpgBuyer, LpgSaleLine, Member, Payment, Sale, SaleLine, User

_sale = Sale.__table__
_line = SaleLine.__table__
_payment = Payment.__table__
_user = User.__table__
_journal = JournalEvent.__table__
_member = Member.__table__
_lpg_line = LpgSaleLine.__table__
_lpg_buyer = LpgBuyer.__table__


@dataclass(frozen=True, slots=True)
class SaleSummary:
    """One row of the history list."""

    sale_id: str
    receipt_no: str
    created_at: datetime
    total: int
    item_lines: int
    methods: str
    cashier_name: str


def sales_of_day(ctx: PosContext, day: date | None = None, receipt_filter: str = "",
                 limit: int = 500) -> list[SaleSummary]:
    """Sales of one WITA business day (default today), newest first, optionally by receipt number part."""
    day = day or business_date(ctx.clock())
    query = (
        select(_sale.c.id, _sale.c.receipt_no, _sale.c.created_at, _sale.c.total, _sale.c.line_count,
               _user.c.full_name)
        .join(_user, _user.c.id == _sale.c.cashier_id)
        .where(_sale.c.business_date == day.isoformat())
        .order_by(_sale.c.receipt_seq.desc())
        .limit(limit)
    )
    if receipt_filter.strip():
        query = query.where(_sale.c.receipt_no.contains(receipt_filter.strip().upper(), autoescape=True))
    with reading(ctx.engine) as connection:
        rows = connection.execute(query).all()
        methods: dict[str, set[str]] = {}
        if rows:
            for sale_id, method in connection.execute(
                select(_payment.c.sale_id, _payment.c.method).where(_payment.c.sale_id.in_([r.id for r in rows]))
            ):
                methods.setdefault(sale_id, set()).add(method)
    return [
        SaleSummary(sale_id=r.id, receipt_no=r.receipt_no, created_at=r.created_at, total=r.total,
                    item_lines=r.line_count, methods=", ".join(sorted(methods.get(r.id, ()))),
                    cashier_name=r.full_name)
        for r in rows
    ]


def find_sale_id(ctx: PosContext, receipt_no: str) -> str:
    with reading(ctx.engine) as connection:
        sale_id = connection.execute(
            select(_sale.c.id).where(_sale.c.receipt_no == receipt_no.strip().upper())
        ).scalar()
    if sale_id is None:
        raise NotFound("Struk {receipt_no} tidak ditemukan. Periksa nomornya.", receipt_no=receipt_no.strip())
    return sale_id


def load_sale(ctx: PosContext, sale_id: str) -> SaleRecord:
    """The complete record of one sale, as its receipt shows it."""
    footer = load_settings(ctx).receipt_footer
    with reading(ctx.engine) as connection:
        head = connection.execute(
            select(_sale, _user.c.full_name, _journal.c.hash, _member.c.member_no, _member.c.name.label("buyer"))
            .join(_user, _user.c.id == _sale.c.cashier_id)
            .join(_journal, _journal.c.seq == _sale.c.journal_seq)
            .outerjoin(_member, _member.c.id == _sale.c.member_id)
            .where(_sale.c.id == sale_id)
        ).first()
        if head is None:
            raise NotFound("Transaksi tidak ditemukan.")
        lines = connection.execute(
            select(_line, _lpg_buyer.c.nik.label("lpg_nik"), _lpg_buyer.c.nik_masked.label("lpg_nik_masked"), _lpg_line.c.category.label("lpg_category"))
            .outerjoin(_lpg_line, _lpg_line.c.sale_line_id == _line.c.id)
            .outerjoin(_lpg_buyer, _lpg_buyer.c.id == _lpg_line.c.buyer_id)
            .where(_line.c.sale_id == sale_id).order_by(_line.c.line_no)
        ).all()
        payments = connection.execute(select(_payment).where(_payment.c.sale_id == sale_id)).all()
    return SaleRecord(
        id=head.id, receipt_no=head.receipt_no, created_at=head.created_at, cashier_name=head.full_name,
        outlet=outlet_info(ctx, footer),
        lines=tuple(SoldLine(sku=x.sku, name=x.name, unit=x.unit, sold_by_weight=bool(x.sold_by_weight),
                             qty_milli=x.qty_milli, unit_price=x.unit_price, total=x.total,
                             line_discount=x.line_discount, cart_discount_share=x.cart_discount_share,
                             lpg_nik_masked=x.lpg_nik_masked or (mask_nik(x.lpg_nik) if x.lpg_nik else None),
                             lpg_category=x.lpg_category)
                    for x in lines),
        payments=tuple(SoldPayment(method=p.method, amount=p.amount, tendered=p.tendered, change=p.change,
                                   reference=p.reference, bank=p.bank, status=p.status) for p in payments),
        total=head.total, member_no=head.member_no, member_name=head.buyer, discount_total=head.discount_total,
        journal_seq=head.journal_seq, journal_hash=head.hash,
    )
