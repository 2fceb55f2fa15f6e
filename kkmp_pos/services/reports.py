"""Sales reports for a WITA day or period, answered by indexed aggregate queries, cancellable between steps."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Integer, cast, func, select
from sqlalchemy.orm import aliased

from kkmp_pos.domain.clock import business_date, day_bounds_utc
from kkmp_pos.domain.errors import InvalidInput, PosError
from kkmp_pos.domain.member import ANGGOTA, PELANGGAN
from kkmp_pos.domain.money import Rupiah, round_half_up_div
from kkmp_pos.domain.payment import FAILED, METHOD_LABELS
from kkmp_pos.domain.roles import Action
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.kasbon import AgingReport, kasbon_aging
from kkmp_pos.services.qris import PendingQris, pending_qris
from kkmp_pos.store.db import BEGIN_OPTION
from kkmp_pos.store.models import (
    Approval,
    Member,
    Payment,
    Product,
    Refund,
    RefundPayment,
    Sale,
    SaleLine,
    User,
)

_sale = Sale.__table__
_line = SaleLine.__table__
_product = Product.__table__
_payment = Payment.__table__
_member = Member.__table__
_user = User.__table__
_refund = Refund.__table__
_refund_payment = RefundPayment.__table__
_approval = Approval.__table__

MAX_PERIOD_DAYS = 366
"""A report covers at most a year: the RAT pack is the yearly view."""
CHUNK_DAYS = 31
"""The product query runs a month at a time, so a long period can be cancelled between months."""
VOID_ACTIONS = (Action.VOID_LINE.value, Action.CANCEL_CART.value)
MEMBER_KEY, CUSTOMER_KEY, WALK_IN_KEY = ANGGOTA, PELANGGAN, "umum"
BUYER_LABELS = {MEMBER_KEY: "Anggota", CUSTOMER_KEY: "Pelanggan terdaftar (bukan anggota)",
                WALK_IN_KEY: "Umum (bukan anggota)"}
"""Untranslated; reports_export.buyer_label gives the text in the user's language."""

Progress = Callable[[int, int], None]
"""(steps done, steps in all): called between steps, from whichever thread runs the report."""
Cancelled = Callable[[], bool]


class ReportCancelled(PosError):
    """The user stopped a report before it finished; nothing was changed."""


@dataclass(frozen=True, slots=True)
class GroupTotal:
    """One row of a breakdown: `key` for machines, `label` (Indonesian, untranslated) for people."""

    key: str
    label: str
    count: int
    amount: Rupiah


@dataclass(frozen=True, slots=True)
class ProductSales:
    """A product's sales in the period; cost and margin use TODAY's average cost (None when unknown)."""

    product_id: int
    sku: str
    name: str
    category: str
    unit: str
    sold_by_weight: bool
    lines: int
    qty_milli: int
    amount: Rupiah
    cost: Rupiah | None
    margin: Rupiah | None


@dataclass(frozen=True, slots=True)
class VoidRecord:
    """An approved void of a scanned line or of a whole cart."""

    at: datetime
    action: str
    cashier_name: str
    approver_name: str
    subject: str
    reason: str


@dataclass(frozen=True, slots=True)
class SalesReport:
    """Everything the Laporan penjualan screen, its CSV and its PDF show."""

    first_day: date
    last_day: date
    generated_at: datetime
    sale_count: int
    gross: Rupiah
    """Before cart and line discounts (sum of sale.subtotal)."""
    discounts: Rupiah
    net: Rupiah
    """What the buyers paid (sum of sale.total)."""
    refund_count: int
    refunds: Rupiah
    by_day: tuple[GroupTotal, ...]
    by_hour: tuple[GroupTotal, ...]
    by_buyer: tuple[GroupTotal, ...]
    by_payment: tuple[GroupTotal, ...]
    refunds_by_method: tuple[GroupTotal, ...]
    by_cashier: tuple[GroupTotal, ...]
    by_product: tuple[ProductSales, ...]
    by_category: tuple[GroupTotal, ...]
    voids: tuple[VoidRecord, ...]
    kasbon: AgingReport
    qris_pending: tuple[PendingQris, ...]

    @property
    def net_after_refunds(self) -> Rupiah:
        return self.net - self.refunds

    @property
    def cost(self) -> Rupiah:
        return sum(p.cost for p in self.by_product if p.cost is not None)

    @property
    def margin(self) -> Rupiah:
        """Over products with a known cost only (see `products_without_cost`)."""
        return sum(p.margin for p in self.by_product if p.margin is not None)

    @property
    def products_without_cost(self) -> int:
        return sum(1 for p in self.by_product if p.cost is None)


def _check_period(first_day: date, last_day: date) -> None:
    if last_day < first_day:
        raise InvalidInput("Tanggal akhir sebelum tanggal awal. Pilih periode yang benar.")
    if (last_day - first_day).days >= MAX_PERIOD_DAYS:
        raise InvalidInput("Periode laporan paling lama {days} hari. Pilih periode yang lebih pendek.",
                           days=MAX_PERIOD_DAYS)


def _in_period(first_day: date, last_day: date):  # noqa: ANN202 - a SQLAlchemy condition
    # business_date is indexed: every sales query starts from this range.
    return _sale.c.business_date.between(first_day.isoformat(), last_day.isoformat())


def _days_and_buyers(connection: Connection, first_day: date, last_day: date) -> list[tuple[str, str, int, int, int, int]]:
    buyer = func.coalesce(_member.c.kind, WALK_IN_KEY)
    rows = connection.execute(
        select(_sale.c.business_date, buyer, func.count(), func.sum(_sale.c.subtotal),
               func.sum(_sale.c.discount_total), func.sum(_sale.c.total))
        .select_from(_sale.outerjoin(_member, _member.c.id == _sale.c.member_id))
        .where(_in_period(first_day, last_day))
        .group_by(_sale.c.business_date, buyer)
    ).all()
    return [(r[0], r[1], int(r[2]), int(r[3] or 0), int(r[4] or 0), int(r[5] or 0)) for r in rows]


def _by_hour(connection: Connection, first_day: date, last_day: date) -> tuple[GroupTotal, ...]:
    # created_at is UTC ISO text; WITA is UTC+8 with no daylight saving, so the hour is a fixed shift.
    hour = (cast(func.substr(_sale.c.created_at, 12, 2), Integer) + 8) % 24
    rows = connection.execute(
        select(hour, func.count(), func.sum(_sale.c.total)).where(_in_period(first_day, last_day))
        .group_by(hour).order_by(hour)
    ).all()
    return tuple(GroupTotal(f"{int(h):02d}", f"{int(h):02d}.00", int(n), int(t or 0)) for h, n, t in rows)


def _by_payment(connection: Connection, first_day: date, last_day: date) -> tuple[GroupTotal, ...]:
    # A failed QRIS was replaced by its settlement payment: counting both would count the money twice.
    rows = connection.execute(
        select(_payment.c.method, func.count(), func.sum(_payment.c.amount))
        .select_from(_sale.join(_payment, _payment.c.sale_id == _sale.c.id))
        .where(_in_period(first_day, last_day), _payment.c.status != FAILED)
        .group_by(_payment.c.method).order_by(func.sum(_payment.c.amount).desc())
    ).all()
    return tuple(GroupTotal(m, METHOD_LABELS.get(m, m), int(n), int(t or 0)) for m, n, t in rows)


def _by_cashier(connection: Connection, first_day: date, last_day: date) -> tuple[GroupTotal, ...]:
    rows = connection.execute(
        select(_sale.c.cashier_id, _user.c.full_name, func.count(), func.sum(_sale.c.total))
        .select_from(_sale.join(_user, _user.c.id == _sale.c.cashier_id))
        .where(_in_period(first_day, last_day))
        .group_by(_sale.c.cashier_id).order_by(func.sum(_sale.c.total).desc())
    ).all()
    return tuple(GroupTotal(str(i), name, int(n), int(t or 0)) for i, name, n, t in rows)


_PRODUCT_COLUMNS = (_line.c.product_id, _product.c.sku, _product.c.name, _product.c.category, _product.c.unit,
                    _product.c.sold_by_weight, _product.c.cost_price)


def _product_chunk(connection: Connection, first_day: date, last_day: date) -> list[tuple]:  # type: ignore[type-arg]
    return list(connection.execute(
        select(*_PRODUCT_COLUMNS, func.count(), func.sum(_line.c.qty_milli), func.sum(_line.c.total))
        .select_from(_sale.join(_line, _line.c.sale_id == _sale.c.id)
                     .join(_product, _product.c.id == _line.c.product_id))
        .where(_in_period(first_day, last_day))
        .group_by(_line.c.product_id)
    ).all())


def _products(rows: list[tuple]) -> tuple[ProductSales, ...]:  # type: ignore[type-arg]
    merged: dict[int, list] = {}  # type: ignore[type-arg]
    for row in rows:
        key = int(row[0])
        if key in merged:
            merged[key][7] += row[7]
            merged[key][8] += row[8]
            merged[key][9] += row[9]
        else:
            merged[key] = list(row)
    found = []
    for pid, sku, name, category, unit, weighed, cost_price, lines, qty, amount in merged.values():
        # Average cost as it stands today: the product keeps one cost_price, not its history.
        cost = None if cost_price is None else round_half_up_div(int(cost_price) * int(qty), 1000)
        found.append(ProductSales(int(pid), sku, name, category, unit, bool(weighed), int(lines), int(qty),
                                  int(amount), cost, None if cost is None else int(amount) - cost))
    return tuple(sorted(found, key=lambda p: (-p.amount, p.sku)))


def _categories(products: tuple[ProductSales, ...]) -> tuple[GroupTotal, ...]:
    counts: dict[str, int] = defaultdict(int)
    amounts: dict[str, int] = defaultdict(int)
    for product in products:
        counts[product.category] += product.lines
        amounts[product.category] += product.amount
    return tuple(GroupTotal(c, c, counts[c], amounts[c]) for c in sorted(amounts, key=lambda c: (-amounts[c], c)))


def _refunds(connection: Connection, first_day: date, last_day: date) -> tuple[int, int, tuple[GroupTotal, ...]]:
    in_period = _refund.c.business_date.between(first_day.isoformat(), last_day.isoformat())
    count, total = connection.execute(select(func.count(), func.coalesce(func.sum(_refund.c.total), 0))
                                      .where(in_period)).one()
    rows = connection.execute(
        select(_refund_payment.c.method, func.count(), func.sum(_refund_payment.c.amount))
        .select_from(_refund.join(_refund_payment, _refund_payment.c.refund_id == _refund.c.id))
        .where(in_period).group_by(_refund_payment.c.method).order_by(_refund_payment.c.method)
    ).all()
    return int(count), int(total), tuple(GroupTotal(m, METHOD_LABELS.get(m, m), int(n), int(t or 0))
                                         for m, n, t in rows)


def _voids(connection: Connection, first_day: date, last_day: date) -> tuple[VoidRecord, ...]:
    start, _ = day_bounds_utc(first_day)
    _, end = day_bounds_utc(last_day)
    cashier, approver = aliased(User), aliased(User)
    rows = connection.execute(
        select(_approval.c.created_at, _approval.c.action, cashier.full_name, approver.full_name,
               _approval.c.subject, _approval.c.reason)
        .select_from(_approval.join(cashier, cashier.id == _approval.c.cashier_id)
                     .outerjoin(approver, approver.id == _approval.c.approver_id))
        .where(_approval.c.created_at >= start, _approval.c.created_at < end,
               _approval.c.action.in_(VOID_ACTIONS), _approval.c.outcome == "approved")
        .order_by(_approval.c.created_at)
    ).all()
    return tuple(VoidRecord(at=r[0], action=r[1], cashier_name=r[2], approver_name=r[3] or "",
                            subject=r[4] or "", reason=r[5]) for r in rows)


def _chunks(first_day: date, last_day: date) -> list[tuple[date, date]]:
    chunks = []
    start = first_day
    while start <= last_day:
        end = min(last_day, start + timedelta(days=CHUNK_DAYS - 1))
        chunks.append((start, end))
        start = end + timedelta(days=1)
    return chunks


def sales_report(ctx: PosContext, first_day: date, last_day: date | None = None, *,
                 progress: Progress | None = None, cancelled: Cancelled | None = None) -> SalesReport:
    """The report of the WITA days first_day..last_day (inclusive); raises ReportCancelled when asked to stop.

    The sales figures are read in one snapshot, so a sale committed meanwhile never half-appears.
    """
    last_day = last_day or first_day
    _check_period(first_day, last_day)
    chunks = _chunks(first_day, last_day)
    steps = 6 + len(chunks) + 2
    done = 0

    def step() -> None:
        nonlocal done
        if cancelled is not None and cancelled():
            raise ReportCancelled("Laporan dibatalkan.")
        done += 1
        if progress is not None:
            progress(done, steps)

    generated_at = ctx.clock()
    with ctx.engine.connect().execution_options(**{BEGIN_OPTION: "DEFERRED"}) as connection, connection.begin():
        days_buyers = _days_and_buyers(connection, first_day, last_day)
        step()
        by_hour = _by_hour(connection, first_day, last_day)
        step()
        by_payment = _by_payment(connection, first_day, last_day)
        step()
        by_cashier = _by_cashier(connection, first_day, last_day)
        step()
        product_rows: list[tuple] = []  # type: ignore[type-arg]
        for chunk_first, chunk_last in chunks:
            product_rows += _product_chunk(connection, chunk_first, chunk_last)
            step()
        refund_count, refunds, refunds_by_method = _refunds(connection, first_day, last_day)
        step()
        voids = _voids(connection, first_day, last_day)
        step()
    kasbon = kasbon_aging(ctx)
    step()
    qris = tuple(pending_qris(ctx))
    step()
    return _assemble(first_day, last_day, generated_at, days_buyers, by_hour, by_payment, by_cashier,
                     _products(product_rows), (refund_count, refunds, refunds_by_method), voids, kasbon, qris)


def _assemble(first_day: date, last_day: date, generated_at: datetime,
              days_buyers: list[tuple[str, str, int, int, int, int]], by_hour: tuple[GroupTotal, ...],
              by_payment: tuple[GroupTotal, ...], by_cashier: tuple[GroupTotal, ...],
              products: tuple[ProductSales, ...], refunds: tuple[int, int, tuple[GroupTotal, ...]],
              voids: tuple[VoidRecord, ...], kasbon: AgingReport, qris: tuple[PendingQris, ...]) -> SalesReport:
    day_counts: dict[str, int] = defaultdict(int)
    day_amounts: dict[str, int] = defaultdict(int)
    buyer_counts: dict[str, int] = defaultdict(int)
    buyer_amounts: dict[str, int] = defaultdict(int)
    gross = discounts = 0
    for day, buyer, count, subtotal, discount, total in days_buyers:
        day_counts[day] += count
        day_amounts[day] += total
        buyer_counts[buyer] += count
        buyer_amounts[buyer] += total
        gross += subtotal
        discounts += discount
    by_buyer = tuple(GroupTotal(key, BUYER_LABELS.get(key, key), buyer_counts[key], buyer_amounts[key])
                     for key in (MEMBER_KEY, CUSTOMER_KEY, WALK_IN_KEY) if key in buyer_counts)
    return SalesReport(
        first_day=first_day, last_day=last_day, generated_at=generated_at,
        sale_count=sum(day_counts.values()), gross=gross, discounts=discounts, net=sum(day_amounts.values()),
        refund_count=refunds[0], refunds=refunds[1],
        by_day=tuple(GroupTotal(d, date.fromisoformat(d).strftime("%d-%m-%Y"), day_counts[d], day_amounts[d])
                     for d in sorted(day_counts)),
        by_hour=by_hour, by_buyer=by_buyer, by_payment=by_payment, refunds_by_method=refunds[2],
        by_cashier=by_cashier, by_product=products, by_category=_categories(products), voids=voids,
        kasbon=kasbon, qris_pending=qris,
    )


def today(ctx: PosContext) -> date:
    """The outlet's business day now (WITA), the default of the report screen."""
    return business_date(ctx.clock())


__all__ = ["GroupTotal", "ProductSales", "ReportCancelled", "SalesReport", "VoidRecord", "sales_report", "today"]
