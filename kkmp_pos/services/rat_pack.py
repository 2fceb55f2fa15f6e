"""The RAT pack of a fiscal year: members, simpanan, sales by unit, SHU, kasbon, closing stock; one PDF plus CSVs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Connection, case, func, select

from kkmp_pos.domain.clock import format_wita, parse_rfc3339
from kkmp_pos.domain.member import ANGGOTA
from kkmp_pos.domain.money import Rupiah, format_rupiah
from kkmp_pos.domain.stock import stock_value
from kkmp_pos.i18n import tr
from kkmp_pos.printing.rat_pdf import RatDocument, RatSection, render_rat
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import outlet_info
from kkmp_pos.services.shu import (
    FiscalYear,
    MemberYear,
    ShuTable,
    csv_bytes,
    fiscal_year,
    member_year_figures,
    shu_csv_rows,
    shu_document,
    write_file,
)
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import (
    CreditEntry,
    JournalEvent,
    Product,
    Refund,
    RefundLine,
    Sale,
    SaleLine,
    SavingsEntry,
    StockMovement,
)
from kkmp_pos.store.models import Member as MemberRow

_member = MemberRow.__table__
_journal = JournalEvent.__table__
_sale = Sale.__table__
_line = SaleLine.__table__
_refund = Refund.__table__
_refund_line = RefundLine.__table__
_product = Product.__table__
_savings = SavingsEntry.__table__
_credit = CreditEntry.__table__
_movement = StockMovement.__table__
SEMBAKO, LPG = "sembako", "lpg"
KINDS = ("pokok", "wajib", "sukarela")
LEFT = "keluar"


@dataclass(frozen=True, slots=True)
class MemberCounts:
    at_start: int
    joined: int
    left: int
    at_end: int


@dataclass(frozen=True, slots=True)
class Turnover:
    """Sales of the year and the refunds of those sales (whenever refunded), so it matches the SHU table."""

    sales: Rupiah
    refunds: Rupiah

    @property
    def net(self) -> Rupiah:
        return self.sales - self.refunds


@dataclass(frozen=True, slots=True)
class SavingsTotal:
    kind: str
    deposits: Rupiah
    withdrawals: Rupiah
    """Positive: what was paid out during the year."""
    balance: Rupiah
    """At the end of the year."""


@dataclass(frozen=True, slots=True)
class StockLine:
    sku: str
    name: str
    unit: str
    on_hand_milli: int
    average_cost: Rupiah | None
    value: Rupiah


@dataclass(frozen=True, slots=True)
class RatFigures:
    fiscal: FiscalYear
    members: MemberCounts
    savings: tuple[SavingsTotal, ...]
    by_unit: dict[str, Turnover]
    member_sales: Turnover
    non_member_sales: Turnover
    kasbon_outstanding: Rupiah
    kasbon_customers: int
    stock: tuple[StockLine, ...]
    member_years: tuple[MemberYear, ...]

    @property
    def stock_value(self) -> Rupiah:
        return sum(line.value for line in self.stock)


def _status_changes(connection: Connection) -> dict[str, list[tuple[datetime, str]]]:
    """Each member's status over time, from their member_change events (the register event carries it too).

    A yearly report: reading the member_change events once is cheap next to the year's sales.
    """
    changes: dict[str, list[tuple[datetime, str]]] = {}
    for device_time, body in connection.execute(
        select(_journal.c.device_time, _journal.c.body).where(_journal.c.type == "member_change")
        .order_by(_journal.c.seq)
    ):
        data = json.loads(body)
        status = data.get("fields", {}).get("status")
        if status:
            changes.setdefault(data["member_id"], []).append((parse_rfc3339(device_time), status))
    return changes


def _member_counts(connection: Connection, fy: FiscalYear) -> MemberCounts:
    changes = _status_changes(connection)
    rows = connection.execute(select(_member.c.id, _member.c.join_date, _member.c.status)
                              .where(_member.c.kind == ANGGOTA)).all()

    def status_at(member_id: str, current: str, moment: datetime) -> str:
        before = [status for at, status in changes.get(member_id, []) if at < moment]
        return before[-1] if before else current

    def member_at(row: object, moment: datetime, last_day: date) -> bool:
        return (date.fromisoformat(row.join_date) <= last_day  # type: ignore[attr-defined]
                and status_at(row.id, row.status, moment) != LEFT)  # type: ignore[attr-defined]

    day_before = date.fromordinal(fy.first_day.toordinal() - 1)
    left = sum(1 for member_id, history in changes.items()
               if any(status == LEFT and fy.start <= at < fy.end for at, status in history)
               and any(r.id == member_id for r in rows))
    return MemberCounts(
        at_start=sum(member_at(r, fy.start, day_before) for r in rows),
        joined=sum(fy.first_day <= date.fromisoformat(r.join_date) <= fy.last_day for r in rows),
        left=left,
        at_end=sum(member_at(r, fy.end, fy.last_day) for r in rows),
    )


def _savings_totals(connection: Connection, fy: FiscalYear) -> tuple[SavingsTotal, ...]:
    in_year = (_savings.c.created_at >= fy.start, _savings.c.created_at < fy.end)
    deposits = dict(connection.execute(select(_savings.c.kind, func.sum(_savings.c.amount))
                                       .where(*in_year, _savings.c.amount > 0).group_by(_savings.c.kind)).all())
    withdrawals = dict(connection.execute(select(_savings.c.kind, func.sum(_savings.c.amount))
                                          .where(*in_year, _savings.c.amount < 0).group_by(_savings.c.kind)).all())
    balances = dict(connection.execute(select(_savings.c.kind, func.sum(_savings.c.amount))
                                       .where(_savings.c.created_at < fy.end).group_by(_savings.c.kind)).all())
    return tuple(SavingsTotal(kind=k, deposits=int(deposits.get(k, 0)), withdrawals=-int(withdrawals.get(k, 0)),
                              balance=int(balances.get(k, 0))) for k in KINDS)


def _turnover(connection: Connection, fy: FiscalYear) -> tuple[dict[str, Turnover], Turnover, Turnover]:
    first, last = fy.first_day.isoformat(), fy.last_day.isoformat()
    in_year = (_sale.c.business_date >= first, _sale.c.business_date <= last)
    unit = case((_product.c.lpg_kind.is_not(None), LPG), else_=SEMBAKO)
    sold = dict(connection.execute(
        select(unit, func.sum(_line.c.total)).join(_sale, _sale.c.id == _line.c.sale_id)
        .join(_product, _product.c.id == _line.c.product_id).where(*in_year).group_by(unit)).all())
    returned = dict(connection.execute(
        select(unit, func.sum(_refund_line.c.amount)).join(_line, _line.c.id == _refund_line.c.sale_line_id)
        .join(_sale, _sale.c.id == _line.c.sale_id).join(_product, _product.c.id == _line.c.product_id)
        .where(*in_year).group_by(unit)).all())
    by_unit = {u: Turnover(int(sold.get(u, 0)), int(returned.get(u, 0))) for u in (SEMBAKO, LPG)}
    is_member = case((_member.c.kind == ANGGOTA, 1), else_=0)
    sales = dict(connection.execute(
        select(is_member, func.sum(_sale.c.total)).outerjoin(_member, _member.c.id == _sale.c.member_id)
        .where(*in_year).group_by(is_member)).all())
    refunds = dict(connection.execute(
        select(is_member, func.sum(_refund.c.total)).join(_sale, _sale.c.id == _refund.c.sale_id)
        .outerjoin(_member, _member.c.id == _sale.c.member_id).where(*in_year).group_by(is_member)).all())
    return (by_unit, Turnover(int(sales.get(1, 0)), int(refunds.get(1, 0))),
            Turnover(int(sales.get(0, 0)), int(refunds.get(0, 0))))


def _kasbon(connection: Connection, fy: FiscalYear) -> tuple[Rupiah, int]:
    balances = [int(b) for (b,) in connection.execute(
        select(func.sum(_credit.c.amount)).where(_credit.c.created_at < fy.end).group_by(_credit.c.member_id))]
    owing = [b for b in balances if b > 0]
    return sum(owing), len(owing)


def _closing_stock(connection: Connection, fy: FiscalYear) -> tuple[StockLine, ...]:
    on_hand = func.sum(_movement.c.qty_milli)
    rows = connection.execute(
        select(_product.c.sku, _product.c.name, _product.c.unit, _product.c.cost_price, on_hand)
        .join(_movement, _movement.c.product_id == _product.c.id).where(_movement.c.created_at < fy.end)
        .group_by(_product.c.id).having(on_hand != 0).order_by(_product.c.sku)).all()
    return tuple(StockLine(sku=r.sku, name=r.name, unit=r.unit, on_hand_milli=int(r[4]), average_cost=r.cost_price,
                           value=stock_value(int(r[4]), r.cost_price)) for r in rows)


def rat_figures(ctx: PosContext, year: int) -> RatFigures:
    fy = fiscal_year(year)
    member_years = member_year_figures(ctx, year)
    with reading(ctx.engine) as connection:
        counts = _member_counts(connection, fy)
        savings = _savings_totals(connection, fy)
        by_unit, member_sales, non_member_sales = _turnover(connection, fy)
        kasbon, customers = _kasbon(connection, fy)
        stock = _closing_stock(connection, fy)
    return RatFigures(fiscal=fy, members=counts, savings=savings, by_unit=by_unit, member_sales=member_sales,
                      non_member_sales=non_member_sales, kasbon_outstanding=kasbon, kasbon_customers=customers,
                      stock=stock, member_years=tuple(member_years))


def unit_label(unit: str) -> str:
    """The business unit as the RAT reads it: LPG is every product with an lpg_kind, the rest is sembako."""
    return tr("Elpiji") if unit == LPG else tr("Sembako")


def _turnover_rows(label: str, turnover: Turnover) -> list[tuple[str, str]]:
    return [(tr("{label}: penjualan", label=label), format_rupiah(turnover.sales)),
            (tr("{label}: retur", label=label), format_rupiah(turnover.refunds)),
            (tr("{label}: bersih", label=label), format_rupiah(turnover.net))]


def rat_sections(figures: RatFigures) -> tuple[RatSection, ...]:
    """The summary as (title, rows of label and value): the PDF's sections and the summary CSV."""
    m = figures.members
    units = [row for unit, turnover in figures.by_unit.items() for row in _turnover_rows(unit_label(unit), turnover)]
    return (
        RatSection(tr("Anggota"), (
            (tr("Anggota pada awal tahun"), str(m.at_start)), (tr("Anggota masuk"), str(m.joined)),
            (tr("Anggota keluar"), str(m.left)), (tr("Anggota pada akhir tahun"), str(m.at_end)))),
        RatSection(tr("Simpanan"), tuple(row for s in figures.savings for row in (
            (tr("Simpanan {kind}: setoran", kind=s.kind), format_rupiah(s.deposits)),
            (tr("Simpanan {kind}: penarikan", kind=s.kind), format_rupiah(s.withdrawals)),
            (tr("Simpanan {kind}: saldo akhir tahun", kind=s.kind), format_rupiah(s.balance))))
            + ((tr("Simpanan seluruhnya pada akhir tahun"), format_rupiah(sum(s.balance for s in figures.savings))),)),
        RatSection(tr("Penjualan per unit usaha"), tuple(units)),
        RatSection(tr("Penjualan anggota dan non-anggota"), tuple(
            _turnover_rows(tr("Anggota"), figures.member_sales)
            + _turnover_rows(tr("Non-anggota"), figures.non_member_sales))),
        RatSection(tr("Kasbon dan persediaan"), (
            (tr("Kasbon belum lunas pada akhir tahun"), format_rupiah(figures.kasbon_outstanding)),
            (tr("Pelanggan dengan kasbon"), str(figures.kasbon_customers)),
            (tr("Nilai persediaan akhir (HPP rata-rata)"), format_rupiah(figures.stock_value)))),
    )


def write_rat_pack(ctx: PosContext, year: int, folder: Path, shu: ShuTable | None = None) -> list[Path]:
    """Write rat-<year>.pdf and its CSVs (ringkasan, anggota, persediaan, and shu when computed) into `folder`."""
    figures = rat_figures(ctx, year)
    sections = rat_sections(figures)
    if shu is not None and shu.year != year:
        shu = None  # a table of another year does not belong in this pack
    folder.mkdir(parents=True, exist_ok=True)
    outlet = outlet_info(ctx)
    now = ctx.clock()
    document = RatDocument(
        koperasi_name=outlet.koperasi_name, gerai_name=outlet.gerai_name, year=year, printed_at=format_wita(now),
        sections=sections, shu=shu_document(ctx, shu) if shu is not None else None,
        stock_note=tr("Persediaan dinilai dengan HPP rata-rata yang tercatat saat laporan dibuat."))
    paths = [write_file(folder / f"rat-{year}.pdf", render_rat(document))]
    summary = [[tr("Bagian"), tr("Uraian"), tr("Nilai")]] + [
        [section.title, label, value] for section in sections for label, value in section.rows]
    members = [[tr("No. anggota"), tr("Nama"), tr("Status"), tr("Belanja"), tr("Retur"), tr("Belanja bersih"),
                tr("Simpanan pokok"), tr("Simpanan wajib"), tr("Simpanan sukarela")]] + [
        [f.member_no, f.name, f.status, str(f.purchases), str(f.refunds), str(f.net_purchases), str(f.pokok),
         str(f.wajib), str(f.sukarela)] for f in figures.member_years]
    stock = [[tr("SKU"), tr("Produk"), tr("Satuan"), tr("Stok (x1000)"), tr("HPP rata-rata"), tr("Nilai")]] + [
        [s.sku, s.name, s.unit, str(s.on_hand_milli), str(s.average_cost or 0), str(s.value)] for s in figures.stock]
    files = {"ringkasan": summary, "anggota": members, "persediaan": stock}
    if shu is not None:
        files["shu"] = shu_csv_rows(shu)
    for name, rows in files.items():
        paths.append(write_file(folder / f"rat-{year}-{name}.csv", csv_bytes(rows)))
    return paths
