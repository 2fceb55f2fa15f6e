"""A sales report as an A4 PDF: a heading, notes, then one table per section (cells already formatted)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table
from reportlab.platypus.flowables import Flowable

from kkmp_pos.i18n import tr
from kkmp_pos.printing.pdf_styles import GRID, TITLE, cell_styles

MARGIN = 15 * mm
_CELL, _RIGHT, _HEAD = cell_styles(8, 10)
_SECTION = ParagraphStyle("report-section", fontName="Helvetica-Bold", fontSize=10.5, leading=14)
_TEXT = ParagraphStyle("report-text", fontName="Helvetica", fontSize=9, leading=12)


@dataclass(frozen=True, slots=True)
class ReportTable:
    """One section: headers and rows of display text; `right` holds the indexes of number columns."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    right: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class ReportDocument:
    title: str
    koperasi_name: str
    gerai_name: str
    period: str
    printed_at: str
    notes: tuple[str, ...]
    tables: tuple[ReportTable, ...]


def _p(text: str, style: ParagraphStyle = _CELL) -> Paragraph:
    return Paragraph(escape(text), style)


def _table(section: ReportTable, width: float) -> Flowable:
    data = [[_p(h, _HEAD) for h in section.headers]]
    for row in section.rows:
        data.append([_p(cell, _RIGHT if i in section.right else _CELL) for i, cell in enumerate(row)])
    table = Table(data, colWidths=[width / len(section.headers)] * len(section.headers), repeatRows=1)
    table.setStyle(GRID)
    return table


def render_report_pdf(document: ReportDocument) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=document.title, author="KKMP POS", invariant=1)
    width = A4[0] - 2 * MARGIN
    story: list[Flowable] = [
        _p(document.title, TITLE),
        _p(f"{document.koperasi_name} · {document.gerai_name}", _TEXT),
        _p(tr("Periode: {period}", period=document.period), _TEXT),
        _p(tr("Dicetak: {when}", when=document.printed_at), _TEXT),
    ]
    story += [_p(note, _TEXT) for note in document.notes]
    for section in document.tables:
        story += [Spacer(1, 4 * mm), _p(section.title, _SECTION), Spacer(1, 1.5 * mm)]
        if section.rows:
            story.append(_table(section, width))
        else:
            story.append(_p(tr("Tidak ada data."), _TEXT))
    doc.build(story)
    return out.getvalue()
