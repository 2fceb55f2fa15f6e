"""The berita acara of a stock opname (portrait A4): totals, the lines with differences, three signatures."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.i18n import tr
from kkmp_pos.printing.pdf_styles import GRID, TEXT, TITLE, cell_styles

MARGIN = 15 * mm
_CELL, _RIGHT, _HEAD = cell_styles(8, 10)


@dataclass(frozen=True, slots=True)
class CountReportLine:
    """One line with a difference, already formatted (quantities with their unit)."""

    sku: str
    name: str
    expected: str
    counted: str
    difference: str
    value: int
    reason: str


@dataclass(frozen=True, slots=True)
class CountReport:
    koperasi_name: str
    gerai_name: str
    address: str
    count_no: str
    status: str
    """'Disetujui' or 'Draf (belum disetujui)'."""
    scope: str
    started_at: str
    approved_at: str
    approved_by: str
    printed_at: str
    products_counted: int
    lines_with_difference: int
    surplus_value: int
    shortage_value: int
    lines: tuple[CountReportLine, ...]
    counter_name: str
    witness_name: str


def _p(text: str, style: ParagraphStyle = _CELL) -> Paragraph:
    return Paragraph(escape(text), style)


def render_count_report(report: CountReport) -> bytes:
    out = io.BytesIO()
    title = tr("Berita Acara Stok Opname {no}", no=report.count_no)
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=title, author="KKMP POS", invariant=1)
    story: list[Flowable] = [
        _p(title, TITLE),
        _p(f"{report.koperasi_name} · {report.gerai_name}", TEXT),
        _p(report.address, TEXT),
        Spacer(1, 3 * mm),
        _p(tr("Status: {status}", status=report.status), TEXT),
        _p(tr("Cakupan: {scope}", scope=report.scope), TEXT),
        _p(tr("Dimulai: {when}", when=report.started_at), TEXT),
        _p(tr("Disetujui: {when} oleh {who}", when=report.approved_at or "—", who=report.approved_by or "—"),
           TEXT),
        _p(tr("Dicetak: {when}", when=report.printed_at), TEXT),
        Spacer(1, 4 * mm),
    ]
    totals = Table([
        [_p(tr("Produk dihitung"), _HEAD), _p(str(report.products_counted), _RIGHT)],
        [_p(tr("Baris berselisih"), _HEAD), _p(str(report.lines_with_difference), _RIGHT)],
        [_p(tr("Selisih lebih"), _HEAD), _p(format_rupiah(report.surplus_value), _RIGHT)],
        [_p(tr("Selisih kurang"), _HEAD), _p(format_rupiah(report.shortage_value), _RIGHT)],
        [_p(tr("Total selisih (nilai HPP)"), _HEAD),
         _p(format_rupiah(report.surplus_value + report.shortage_value), _RIGHT)],
    ], colWidths=[60 * mm, 35 * mm], hAlign="LEFT")
    totals.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey)]))
    story += [totals, Spacer(1, 5 * mm), _p(tr("Barang dengan selisih"), _HEAD), Spacer(1, 2 * mm)]
    if report.lines:
        heading = [tr("No."), tr("SKU"), tr("Produk"), tr("Tercatat"), tr("Dihitung"), tr("Selisih"), tr("Nilai"),
                   tr("Alasan")]
        data: list[list[Paragraph]] = [[_p(h, _HEAD) for h in heading]]
        for number, line in enumerate(report.lines, start=1):
            data.append([_p(str(number)), _p(line.sku), _p(line.name), _p(line.expected, _RIGHT),
                         _p(line.counted, _RIGHT), _p(line.difference, _RIGHT), _p(format_rupiah(line.value), _RIGHT),
                         _p(line.reason)])
        widths = [m * mm for m in (8, 24, 44, 18, 18, 18, 22, 28)]
        table = Table(data, colWidths=widths, repeatRows=1)
        table.setStyle(GRID)
        story.append(table)
    else:
        story.append(_p(tr("Tidak ada selisih: semua hitungan sama dengan catatan."), TEXT))
    names = (report.counter_name, report.witness_name, "")
    roles = (tr("Penghitung,"), tr("Saksi,"), tr("Ketua koperasi,"))
    signatures = Table([[_p(role, TEXT) for role in roles],
                        [Spacer(1, 18 * mm)] * 3,
                        [_p(f"({name or '____________________'})", TEXT) for name in names]],
                       colWidths=[60 * mm] * 3, hAlign="LEFT")
    story += [Spacer(1, 10 * mm), signatures]
    doc.build(story)
    return out.getvalue()
