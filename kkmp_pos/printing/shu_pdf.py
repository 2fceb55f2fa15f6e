"""The SHU table of a fiscal year as a PDF (portrait A4): the pool, the percentages, one row per member."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table
from reportlab.platypus.flowables import Flowable

from kkmp_pos.domain.money import Rupiah, format_rupiah
from kkmp_pos.i18n import tr
from kkmp_pos.printing.pdf_styles import GRID, TEXT, TITLE, cell_styles

MARGIN = 15 * mm
CELL, RIGHT, HEAD = cell_styles(8, 10)
HEAD_RIGHT = ParagraphStyle("head_right", parent=HEAD, alignment=2)


def para(text: str, style: ParagraphStyle = CELL) -> Paragraph:
    return Paragraph(escape(text), style)


@dataclass(frozen=True, slots=True)
class ShuDocumentRow:
    member_no: str
    name: str
    net_purchases: Rupiah
    savings: Rupiah
    purchase_share: Rupiah
    savings_share: Rupiah


@dataclass(frozen=True, slots=True)
class ShuDocument:
    koperasi_name: str
    gerai_name: str
    year: int
    pool: Rupiah
    purchase_percent: str
    savings_percent: str
    purchase_part: Rupiah
    savings_part: Rupiah
    rows: tuple[ShuDocumentRow, ...]
    notice: str
    rule: str
    printed_at: str


def shu_story(doc: ShuDocument) -> list[Flowable]:
    """The SHU section; the RAT pack reuses it."""
    story: list[Flowable] = [
        para(tr("Dana SHU (keputusan RAT): {pool}", pool=format_rupiah(doc.pool)), TEXT),
        para(tr("Jasa anggota (belanja): {percent} = {amount}", percent=doc.purchase_percent,
                amount=format_rupiah(doc.purchase_part)), TEXT),
        para(tr("Jasa modal (simpanan): {percent} = {amount}", percent=doc.savings_percent,
                amount=format_rupiah(doc.savings_part)), TEXT),
        Spacer(1, 3 * mm),
    ]
    if doc.notice:
        story += [para(doc.notice, TEXT), Spacer(1, 3 * mm)]
    heading = [tr("No. anggota"), tr("Nama"), tr("Belanja bersih"), tr("Simpanan"), tr("Jasa usaha"),
               tr("Jasa modal"), tr("SHU diterima")]
    data: list[list[Paragraph]] = [[para(h, HEAD if i < 2 else HEAD_RIGHT) for i, h in enumerate(heading)]]
    for row in doc.rows:
        data.append([para(row.member_no), para(row.name)] + [
            para(format_rupiah(v), RIGHT) for v in (row.net_purchases, row.savings, row.purchase_share,
                                                     row.savings_share, row.purchase_share + row.savings_share)])
    totals = (sum(r.net_purchases for r in doc.rows), sum(r.savings for r in doc.rows),
              sum(r.purchase_share for r in doc.rows), sum(r.savings_share for r in doc.rows),
              sum(r.purchase_share + r.savings_share for r in doc.rows))
    data.append([para(tr("Jumlah"), HEAD), para("")] + [para(format_rupiah(v), HEAD_RIGHT) for v in totals])
    table = Table(data, colWidths=[m * mm for m in (22, 48, 24, 22, 22, 22, 24)], repeatRows=1)
    table.setStyle(GRID)
    return story + [table, Spacer(1, 3 * mm), para(doc.rule, TEXT)]


def render_shu(doc: ShuDocument) -> bytes:
    out = io.BytesIO()
    title = tr("Pembagian SHU tahun buku {year}", year=doc.year)
    template = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                                 bottomMargin=MARGIN, title=title, author="KKMP POS", invariant=1)
    story: list[Flowable] = [
        para(title, TITLE),
        para(f"{doc.koperasi_name} · {doc.gerai_name}", TEXT),
        para(tr("Dicetak: {when}", when=doc.printed_at), TEXT),
        Spacer(1, 4 * mm),
        *shu_story(doc),
    ]
    template.build(story)
    return out.getvalue()
