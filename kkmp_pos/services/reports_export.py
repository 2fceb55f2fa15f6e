"""A sales report as sections of rows, written to CSV (plain integer rupiah) or to PDF (formatted)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kkmp_pos.domain.clock import format_wita
from kkmp_pos.domain.member import ANGGOTA, PELANGGAN
from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.domain.payment import METHOD_LABELS
from kkmp_pos.domain.quantity import format_quantity
from kkmp_pos.domain.roles import ACTION_LABELS, Action
from kkmp_pos.i18n import tr
from kkmp_pos.printing.report_pdf import ReportDocument, ReportTable, render_report_pdf
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import outlet_info
from kkmp_pos.services.reports import GroupTotal, SalesReport

Cell = str | int


@dataclass(frozen=True, slots=True)
class Section:
    """Rows with raw values: ints in `money` columns are rupiah, other ints are counts."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    money: frozenset[int] = frozenset()


def margin_note() -> str:
    return tr("Margin kotor = penjualan bersih − harga pokok rata-rata saat ini × jumlah (bukan harga pokok "
              "saat barang terjual); retur tidak dikurangkan dari margin.")


def period_text(report: SalesReport) -> str:
    first, last = report.first_day.strftime("%d-%m-%Y"), report.last_day.strftime("%d-%m-%Y")
    return first if first == last else f"{first} – {last}"


def buyer_label(key: str) -> str:
    return {ANGGOTA: tr("Anggota"), PELANGGAN: tr("Pelanggan terdaftar (bukan anggota)")}.get(
        key, tr("Umum (bukan anggota)"))


def _groups(title: str, key_header: str, groups: tuple[GroupTotal, ...], *, with_key: bool = True,
            label: Callable[[GroupTotal], str] = lambda g: g.label) -> Section:
    """`label` translates the labels that come from a table (payment methods, buyers), never names or dates."""
    if with_key:
        return Section(title, (tr("Kode"), key_header, tr("Transaksi"), tr("Jumlah")),
                       tuple((g.key, label(g), g.count, g.amount) for g in groups), frozenset({3}))
    return Section(title, (key_header, tr("Transaksi"), tr("Jumlah")),
                   tuple((label(g), g.count, g.amount) for g in groups), frozenset({2}))


def _method_label(group: GroupTotal) -> str:
    return tr(METHOD_LABELS.get(group.key, group.key))


def report_sections(report: SalesReport) -> list[Section]:
    """Summary first, then every breakdown, in the order of the screen's tabs."""
    summary = Section(tr("Ringkasan"), (tr("Keterangan"), tr("Nilai")), (
        (tr("Jumlah transaksi"), report.sale_count),
        (tr("Penjualan kotor"), report.gross),
        (tr("Diskon"), report.discounts),
        (tr("Penjualan bersih"), report.net),
        (tr("Retur"), report.refunds),
        (tr("Penjualan bersih setelah retur"), report.net_after_refunds),
        (tr("Harga pokok (rata-rata saat ini)"), report.cost),
        (tr("Margin kotor"), report.margin),
        (tr("Produk tanpa harga pokok"), report.products_without_cost),
        (tr("Pembatalan disetujui"), len(report.voids)),
        (tr("QRIS menunggu verifikasi"), sum(q.amount for q in report.qris_pending)),
        (tr("Kasbon terbuka"), report.kasbon.total.total),
    ), frozenset({1}))
    products = Section(
        tr("Per produk"),
        (tr("SKU"), tr("Produk"), tr("Kategori"), tr("Baris"), tr("Jumlah"), tr("Penjualan"), tr("Harga pokok"),
         tr("Margin")),
        tuple((p.sku, p.name, p.category, p.lines, format_quantity(p.qty_milli, weighed=p.sold_by_weight),
               p.amount, "" if p.cost is None else p.cost, "" if p.margin is None else p.margin)
              for p in report.by_product),
        frozenset({5, 6, 7}))
    voids = Section(
        tr("Pembatalan (disetujui)"), (tr("Waktu"), tr("Jenis"), tr("Kasir"), tr("Penyetuju"), tr("Barang"),
                                       tr("Alasan")),
        tuple((format_wita(v.at), tr(ACTION_LABELS[Action(v.action)]), v.cashier_name, v.approver_name, v.subject,
               v.reason) for v in report.voids))
    aging = report.kasbon
    kasbon = Section(
        tr("Umur kasbon"), (tr("No. anggota"), tr("Nama"), tr("0–30 hari"), tr("31–60 hari"), tr("> 60 hari"),
                            tr("Lewat jatuh tempo")),
        tuple((a.member_no, a.name, a.aging.days_0_30, a.aging.days_31_60, a.aging.over_60, a.aging.overdue)
              for a in aging.accounts), frozenset({2, 3, 4, 5}))
    qris = Section(
        tr("QRIS menunggu verifikasi"), (tr("No. struk"), tr("Waktu"), tr("Referensi"), tr("Jumlah")),
        tuple((q.receipt_no, format_wita(q.sold_at), q.reference or "", q.amount) for q in report.qris_pending),
        frozenset({3}))
    return [
        summary,
        _groups(tr("Per hari"), tr("Tanggal"), report.by_day),
        _groups(tr("Per jam (WITA)"), tr("Jam"), report.by_hour),
        _groups(tr("Per metode pembayaran"), tr("Metode"), report.by_payment, label=_method_label),
        _groups(tr("Anggota dan bukan anggota"), tr("Pembeli"), report.by_buyer,
                label=lambda g: buyer_label(g.key)),
        _groups(tr("Per kasir"), tr("Kasir"), report.by_cashier, with_key=False),
        _groups(tr("Per kategori"), tr("Kategori"), report.by_category, with_key=False),
        products,
        _groups(tr("Retur per metode"), tr("Metode"), report.refunds_by_method, label=_method_label),
        voids, kasbon, qris,
    ]


def report_csv(report: SalesReport) -> str:
    """One file, sections one after another (title row, header row, rows, blank row); rupiah as integers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([tr("Laporan penjualan"), period_text(report)])
    writer.writerow([margin_note()])
    writer.writerow([])
    for section in report_sections(report):
        writer.writerow([section.title])
        writer.writerow(section.headers)
        writer.writerows([[str(cell) for cell in row] for row in section.rows])
        writer.writerow([])
    return out.getvalue()


def export_report_csv(report: SalesReport, path: Path) -> Path:
    # utf-8-sig: Excel on the office PC opens it with the right characters.
    path.write_text(report_csv(report), encoding="utf-8-sig", newline="")
    return path


def _display(section: Section) -> ReportTable:
    rows = tuple(
        tuple(format_rupiah(cell) if i in section.money and isinstance(cell, int) else str(cell)
              for i, cell in enumerate(row))
        for row in section.rows)
    numbers = {i for row in section.rows for i, cell in enumerate(row) if isinstance(cell, int)}
    return ReportTable(section.title, section.headers, rows, frozenset(numbers | set(section.money)))


def report_tables(report: SalesReport) -> list[ReportTable]:
    """The sections as display text (Rp15.700), for the screen's tables and the PDF."""
    return [_display(section) for section in report_sections(report)]


def report_pdf(ctx: PosContext, report: SalesReport) -> bytes:
    outlet = outlet_info(ctx)
    return render_report_pdf(ReportDocument(
        title=tr("Laporan penjualan"), koperasi_name=outlet.koperasi_name, gerai_name=outlet.gerai_name,
        period=period_text(report), printed_at=format_wita(ctx.clock()), notes=(margin_note(),),
        tables=tuple(report_tables(report))))


def export_report_pdf(ctx: PosContext, report: SalesReport, path: Path) -> Path:
    path.write_bytes(report_pdf(ctx, report))
    return path
