"""A fiscal year's figures per member (net purchases, simpanan at year end) and the SHU table from them."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Connection, func, select

from kkmp_pos.domain.clock import day_bounds_utc, format_wita
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.member import ANGGOTA
from kkmp_pos.domain.money import Rupiah
from kkmp_pos.domain.shu import ShuMember, ShuRates, ShuResult, compute_shu, format_percent_bp
from kkmp_pos.i18n import tr
from kkmp_pos.printing.shu_pdf import ShuDocument, ShuDocumentRow, render_shu
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import outlet_info
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import Member as MemberRow
from kkmp_pos.store.models import Refund, Sale, SavingsEntry

_member = MemberRow.__table__
_sale = Sale.__table__
_refund = Refund.__table__
_savings = SavingsEntry.__table__
FIRST_YEAR = 2000
LAST_YEAR = 2100


@dataclass(frozen=True, slots=True)
class FiscalYear:
    """A calendar year in WITA: business days first..last, instants [start, end) in UTC."""

    year: int
    first_day: date
    last_day: date
    start: datetime
    end: datetime


def fiscal_year(year: int) -> FiscalYear:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput("Tahun buku {year} tidak masuk akal. Pilih tahun antara 2000 dan 2100.", year=year)
    first, last = date(year, 1, 1), date(year, 12, 31)
    return FiscalYear(year=year, first_day=first, last_day=last, start=day_bounds_utc(first)[0],
                      end=day_bounds_utc(last)[1])


@dataclass(frozen=True, slots=True)
class MemberYear:
    """One anggota's year: purchases tagged with them, refunds of those sales, simpanan at year end."""

    member_id: str
    member_no: str
    name: str
    status: str
    purchases: Rupiah
    refunds: Rupiah
    pokok: Rupiah
    wajib: Rupiah
    sukarela: Rupiah

    @property
    def net_purchases(self) -> Rupiah:
        return self.purchases - self.refunds

    @property
    def savings(self) -> Rupiah:
        return self.pokok + self.wajib + self.sukarela


def _sums(connection: Connection, query: object) -> dict[str, int]:
    return {key: int(total) for key, total in connection.execute(query)}  # type: ignore[call-overload]


def member_year_figures(ctx: PosContext, year: int) -> list[MemberYear]:
    """Every anggota who had joined by the year's end, in member-number order.

    Purchases are the sales of the year tagged with the member; a refund of such a sale is netted out even
    when it was made after the year (it belongs to the sale's year). Only anggota share in SHU: a pelanggan's
    purchases count as non-member turnover.
    """
    fy = fiscal_year(year)
    first, last = fy.first_day.isoformat(), fy.last_day.isoformat()
    in_year = (_sale.c.business_date >= first, _sale.c.business_date <= last, _sale.c.member_id.is_not(None))
    with reading(ctx.engine) as connection:
        members = connection.execute(
            select(_member.c.id, _member.c.member_no, _member.c.name, _member.c.status)
            .where(_member.c.kind == ANGGOTA, _member.c.join_date <= last).order_by(_member.c.member_no)
        ).all()
        purchases = _sums(connection, select(_sale.c.member_id, func.sum(_sale.c.total)).where(*in_year)
                          .group_by(_sale.c.member_id))
        refunds = _sums(connection, select(_sale.c.member_id, func.sum(_refund.c.total))
                        .join(_sale, _sale.c.id == _refund.c.sale_id).where(*in_year).group_by(_sale.c.member_id))
        savings: dict[tuple[str, str], int] = {
            (member_id, kind): int(total) for member_id, kind, total in connection.execute(
                select(_savings.c.member_id, _savings.c.kind, func.sum(_savings.c.amount))
                .where(_savings.c.created_at < fy.end).group_by(_savings.c.member_id, _savings.c.kind))
        }
    return [MemberYear(member_id=m.id, member_no=m.member_no, name=m.name, status=m.status,
                       purchases=purchases.get(m.id, 0), refunds=refunds.get(m.id, 0),
                       pokok=savings.get((m.id, "pokok"), 0), wajib=savings.get((m.id, "wajib"), 0),
                       sukarela=savings.get((m.id, "sukarela"), 0))
            for m in members]


@dataclass(frozen=True, slots=True)
class ShuTable:
    year: int
    result: ShuResult
    figures: tuple[MemberYear, ...]
    """Same order as `result.shares` (member number)."""
    computed_at: datetime

    @property
    def notice(self) -> str | None:
        """Why (part of) the allocated pool could not be shared, for the screen and the printout."""
        if self.result.no_purchases and self.result.rates.purchase_part:
            return tr("Tidak ada anggota yang berbelanja pada tahun buku {year}: semua bagian SHU Rp0. Periksa "
                      "tahun buku, atau pastikan penjualan kepada anggota dicatat dengan kartu anggota.",
                      year=self.year)
        if self.result.no_savings and self.result.rates.savings_part:
            return tr("Tidak ada anggota yang punya simpanan pada akhir {year}: jasa modal Rp0.", year=self.year)
        return None


def compute_year_shu(ctx: PosContext, year: int, rates: ShuRates) -> ShuTable:
    """The SHU table of `year` for the pool and percentages the RAT decided."""
    figures = member_year_figures(ctx, year)
    result = compute_shu(rates, [ShuMember(member_id=f.member_id, member_no=f.member_no, name=f.name,
                                           purchases=f.net_purchases, savings=f.savings) for f in figures])
    by_id = {f.member_id: f for f in figures}
    return ShuTable(year=year, result=result, figures=tuple(by_id[s.member.member_id] for s in result.shares),
                    computed_at=ctx.clock())


def remainder_rule_text() -> str:
    """The remainder rule as printed under the table."""
    return tr("Pembulatan: setiap bagian dibagi sebanding lalu dibulatkan ke bawah ke rupiah; sisa rupiahnya "
              "diberikan satu per satu kepada anggota dengan sisa pembagian terbesar, dan bila sama besar kepada "
              "nomor anggota yang lebih kecil. Jumlah semua bagian sama persis dengan dana yang dialokasikan.")


def shu_csv_rows(table: ShuTable) -> list[list[str]]:
    """Header and one row per member; plain integers so a spreadsheet adds them up."""
    rows = [[tr("No. anggota"), tr("Nama"), tr("Belanja bersih"), tr("Simpanan akhir tahun"), tr("Jasa usaha"),
             tr("Jasa modal"), tr("SHU diterima")]]
    for share, figure in zip(table.result.shares, table.figures, strict=True):
        rows.append([figure.member_no, figure.name, str(figure.net_purchases), str(figure.savings),
                     str(share.purchase_share), str(share.savings_share), str(share.total)])
    result = table.result
    rows.append([tr("Jumlah"), "", str(sum(f.net_purchases for f in table.figures)),
                 str(sum(f.savings for f in table.figures)), str(result.purchase_total), str(result.savings_total),
                 str(result.total)])
    return rows


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read the names' accents right


def write_file(path: Path, data: bytes) -> Path:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InvalidInput("Tidak dapat menyimpan '{path}': {why}. Pilih folder lain (mis. Dokumen) dan coba "
                           "lagi.", path=str(path), why=exc.strerror or str(exc)) from exc
    return path


def export_shu_csv(table: ShuTable, path: Path) -> Path:
    return write_file(path, csv_bytes(shu_csv_rows(table)))


def shu_document(ctx: PosContext, table: ShuTable) -> ShuDocument:
    outlet = outlet_info(ctx)
    rates = table.result.rates
    rows = tuple(ShuDocumentRow(member_no=f.member_no, name=f.name, net_purchases=f.net_purchases,
                                savings=f.savings, purchase_share=s.purchase_share, savings_share=s.savings_share)
                 for s, f in zip(table.result.shares, table.figures, strict=True))
    return ShuDocument(
        koperasi_name=outlet.koperasi_name, gerai_name=outlet.gerai_name, year=table.year, pool=rates.pool,
        purchase_percent=format_percent_bp(rates.purchase_bp), savings_percent=format_percent_bp(rates.savings_bp),
        purchase_part=rates.purchase_part, savings_part=rates.savings_part, rows=rows,
        notice=table.notice or "", rule=remainder_rule_text(), printed_at=format_wita(table.computed_at))


def export_shu_pdf(ctx: PosContext, table: ShuTable, path: Path) -> Path:
    return write_file(path, render_shu(shu_document(ctx, table)))
