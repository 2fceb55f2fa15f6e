"""The Z report of a closed shift as an A4 PDF (kept under <data_dir>/laporan/), with signatures."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.domain.shift_receipt import report_header, report_sections, report_title
from kkmp_pos.domain.shift_report import ShiftReport
from kkmp_pos.i18n import tr
from kkmp_pos.printing.pdf_styles import TEXT, TITLE, cell_styles

MARGIN = 15 * mm
_CELL, _RIGHT, _HEAD = cell_styles(9, 11)
_GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")])


def _p(text: str, style: ParagraphStyle = _CELL) -> Paragraph:
    return Paragraph(escape(text), style)


def render_z_report(report: ShiftReport) -> bytes:
    out = io.BytesIO()
    title = f"{report_title(report)} {report.shift_no}"
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=title, author="KKMP POS", invariant=1)
    story: list[Flowable] = [
        _p(title, TITLE),
        _p(f"{report.outlet.koperasi_name} · {report.outlet.gerai_name}", TEXT),
        _p(report.outlet.address, TEXT),
        Spacer(1, 3 * mm),
    ]
    story += [_p(f"{label}: {value}", TEXT) for label, value in report_header(report)]
    for heading, rows in report_sections(report):
        table = Table([[_p(label), _p(value, _RIGHT)] for label, value in rows], colWidths=[70 * mm, 45 * mm],
                      hAlign="LEFT")
        table.setStyle(_GRID)
        story += [Spacer(1, 4 * mm), _p(heading, _HEAD), Spacer(1, 1 * mm), table]
    if report.closing_counts:
        rows = [[_p(tr("Pecahan"), _HEAD), _p(tr("Jumlah"), _HEAD), _p(tr("Nilai"), _HEAD)]]
        rows += [[_p(format_rupiah(denomination)), _p(str(pieces), _RIGHT),
                  _p(format_rupiah(denomination * pieces), _RIGHT)]
                 for denomination, pieces in sorted(report.closing_counts.items(), reverse=True)]
        table = Table(rows, colWidths=[35 * mm, 25 * mm, 45 * mm], hAlign="LEFT")
        table.setStyle(_GRID)
        story += [Spacer(1, 4 * mm), _p(tr("Hitungan kas per pecahan"), _HEAD), Spacer(1, 1 * mm), table]
    signatures = Table([[_p(tr("Kasir,"), TEXT), _p(tr("Manajer,"), TEXT)],
                        [Spacer(1, 18 * mm)] * 2,
                        [_p(f"({report.closed_by or '____________________'})", TEXT),
                         _p(f"({report.approved_by or '____________________'})", TEXT)]],
                       colWidths=[80 * mm] * 2, hAlign="LEFT")
    story += [Spacer(1, 10 * mm), signatures]
    doc.build(story)
    return out.getvalue()
