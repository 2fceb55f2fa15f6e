"""The RAT pack PDF (portrait A4): the year's summary sections and, when computed, the SHU table."""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from kkmp_pos.i18n import tr
from kkmp_pos.printing.shu_pdf import HEAD, MARGIN, RIGHT, TEXT, TITLE, ShuDocument, para, shu_story

_SUBTITLE = TITLE.clone("subtitle", fontSize=11.5, leading=15)


@dataclass(frozen=True, slots=True)
class RatSection:
    title: str
    rows: tuple[tuple[str, str], ...]
    """(label, value already formatted)."""


@dataclass(frozen=True, slots=True)
class RatDocument:
    koperasi_name: str
    gerai_name: str
    year: int
    printed_at: str
    sections: tuple[RatSection, ...]
    shu: ShuDocument | None
    stock_note: str


def render_rat(doc: RatDocument) -> bytes:
    out = io.BytesIO()
    title = tr("Bahan RAT tahun buku {year}", year=doc.year)
    template = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                                 bottomMargin=MARGIN, title=title, author="KKMP POS", invariant=1)
    story: list[Flowable] = [
        para(title, TITLE),
        para(f"{doc.koperasi_name} · {doc.gerai_name}", TEXT),
        para(tr("Dicetak: {when}", when=doc.printed_at), TEXT),
    ]
    for section in doc.sections:
        table = Table([[para(label), para(value, RIGHT)] for label, value in section.rows],
                      colWidths=[110 * mm, 45 * mm], hAlign="LEFT")
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey)]))
        story += [Spacer(1, 5 * mm), para(section.title, _SUBTITLE), Spacer(1, 2 * mm), table]
    story += [Spacer(1, 2 * mm), para(doc.stock_note, TEXT), Spacer(1, 5 * mm),
              para(tr("Pembagian SHU"), _SUBTITLE), Spacer(1, 2 * mm)]
    if doc.shu is not None:
        story += shu_story(doc.shu)
    else:
        story.append(para(tr("SHU tahun ini belum dihitung. Hitung di layar SHU & RAT lalu buat bahan RAT lagi."),
                          HEAD))
    template.build(story)
    return out.getvalue()
