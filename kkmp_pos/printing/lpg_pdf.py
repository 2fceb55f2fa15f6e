"""The monthly 3 kg LPG logbook (landscape A4) and the HET notice for the outlet wall (portrait A4), as PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table
from reportlab.platypus.flowables import Flowable

from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.i18n import tr
from kkmp_pos.printing.pdf_styles import GRID, TEXT, TITLE, cell_styles

COMPLAINT_NUMBER = "135"
"""Pertamina's call centre, printed on the notice the regulations ask every pangkalan to display."""
MARGIN = 12 * mm
_CELL, _, _HEAD = cell_styles(7.5, 9)


@dataclass(frozen=True, slots=True)
class LogbookPdfRow:
    """One line of the printed logbook, already formatted (the NIK as the reader may see it)."""

    when: str
    nik: str
    name: str
    address: str
    category: str
    pieces: int
    unit_price: int
    do_number: str
    cashier: str
    receipt_no: str
    map_status: str


@dataclass(frozen=True, slots=True)
class CategoryTotal:
    category: str
    pieces: int
    amount: int


@dataclass(frozen=True, slots=True)
class LogbookPdf:
    """The month's logbook of one gerai."""

    koperasi_name: str
    gerai_name: str
    address: str
    registration_no: str
    agen_name: str
    month_label: str
    printed_at: str
    rows: tuple[LogbookPdfRow, ...]
    totals: tuple[CategoryTotal, ...]


@dataclass(frozen=True, slots=True)
class HetNotice:
    """What the wall notice says: who sells, at what ceiling, under which rule, supplied by whom."""

    koperasi_name: str
    gerai_name: str
    address: str
    registration_no: str
    het: int
    het_source: str
    agen_name: str


def _p(text: str, style: ParagraphStyle = _CELL) -> Paragraph:
    return Paragraph(escape(text), style)


def _document(out: io.BytesIO, pagesize: tuple[float, float], title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(out, pagesize=pagesize, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                             bottomMargin=MARGIN, title=title, author="KKMP POS", invariant=1)


def render_logbook_pdf(logbook: LogbookPdf) -> bytes:
    """Header, one table row per sale line (repeating its heading on each page), totals, signatures."""
    out = io.BytesIO()
    title = tr("Logbook Elpiji 3 kg — {month}", month=logbook.month_label)
    doc = _document(out, landscape(A4), title)
    story: list[Flowable] = [
        _p(title, TITLE),
        _p(f"{logbook.koperasi_name} · {logbook.gerai_name}", TEXT),
        _p(logbook.address, TEXT),
        _p(tr("No. registrasi pangkalan: {number}", number=logbook.registration_no or "—"), TEXT),
        _p(tr("Agen: {agen}", agen=logbook.agen_name or "—"), TEXT),
        _p(tr("Dicetak: {when}", when=logbook.printed_at), TEXT),
        Spacer(1, 4 * mm),
    ]
    heading = [tr("No."), tr("Tanggal/jam"), tr("NIK"), tr("Nama"), tr("Alamat"), tr("Kategori"), tr("Jumlah"),
               tr("Harga"), tr("No. DO"), tr("Kasir"), tr("No. struk"), tr("Status MAP")]
    data: list[list[Paragraph]] = [[_p(h, _HEAD) for h in heading]]
    for number, row in enumerate(logbook.rows, start=1):
        data.append([_p(str(number)), _p(row.when), _p(row.nik), _p(row.name), _p(row.address), _p(row.category),
                     _p(str(row.pieces)), _p(format_rupiah(row.unit_price)), _p(row.do_number), _p(row.cashier),
                     _p(row.receipt_no), _p(row.map_status)])
    widths = [m * mm for m in (9, 24, 30, 30, 45, 22, 13, 18, 22, 22, 26, 18)]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(GRID)
    story += [table, Spacer(1, 5 * mm), _p(tr("Jumlah per kategori"), _HEAD)]
    totals = [[_p(tr("Kategori"), _HEAD), _p(tr("Tabung"), _HEAD), _p(tr("Nilai"), _HEAD)]]
    totals += [[_p(t.category), _p(str(t.pieces)), _p(format_rupiah(t.amount))] for t in logbook.totals]
    totals.append([_p(tr("Total"), _HEAD), _p(str(sum(t.pieces for t in logbook.totals)), _HEAD),
                   _p(format_rupiah(sum(t.amount for t in logbook.totals)), _HEAD)])
    totals_table = Table(totals, colWidths=[45 * mm, 20 * mm, 30 * mm], hAlign="LEFT")
    totals_table.setStyle(GRID)
    signatures = Table([[_p(tr("Dibuat oleh,"), TEXT), _p(tr("Diperiksa oleh (agen),"), TEXT)],
                        [Spacer(1, 18 * mm), Spacer(1, 18 * mm)],
                        [_p("(____________________)", TEXT), _p("(____________________)", TEXT)]],
                       colWidths=[90 * mm, 90 * mm], hAlign="LEFT")
    story += [totals_table, Spacer(1, 8 * mm), signatures]
    doc.build(story)
    return out.getvalue()


def render_het_notice(notice: HetNotice) -> bytes:
    """Big text for the wall: the gerai, its registration, the HET per cylinder, the agen, where to complain."""
    out = io.BytesIO()
    doc = _document(out, A4, tr("Pengumuman HET Elpiji 3 kg"))
    big = ParagraphStyle("big", fontName="Helvetica-Bold", fontSize=30, leading=38, alignment=TA_CENTER)
    huge = ParagraphStyle("huge", parent=big, fontSize=54, leading=64, textColor=colors.Color(0.78, 0.06, 0.12))
    middle = ParagraphStyle("middle", fontName="Helvetica", fontSize=18, leading=24, alignment=TA_CENTER)
    small = ParagraphStyle("small", parent=middle, fontSize=12, leading=16)
    story: list[Flowable] = [
        _p(notice.gerai_name, big),
        _p(notice.koperasi_name, middle),
        _p(notice.address, small),
        Spacer(1, 6 * mm),
        _p(tr("Sub-pangkalan resmi elpiji 3 kg · No. registrasi {number}", number=notice.registration_no or "—"),
           middle),
        Spacer(1, 16 * mm),
        _p(tr("HET Elpiji 3 kg"), big),
        _p(format_rupiah(notice.het), huge),
        _p(tr("per tabung"), big),
        _p(tr("Dasar: {source}", source=notice.het_source), small),
        Spacer(1, 14 * mm),
        _p(tr("Hanya untuk rumah tangga, usaha mikro, nelayan dan petani sasaran. Wajib menunjukkan KTP (NIK)."),
           middle),
        Spacer(1, 10 * mm),
        _p(tr("Agen: {agen}", agen=notice.agen_name or "—"), middle),
        Spacer(1, 14 * mm),
        _p(tr("Pengaduan: hubungi {number}", number=COMPLAINT_NUMBER), big),
        _p(tr("Pertamina Call Center"), small),
    ]
    doc.build(story)
    return out.getvalue()
