"""The member card as a credit-card-sized PDF (85.6 x 54 mm) with the member number as a Code128 barcode."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.colors import Color, white
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from kkmp_pos.i18n import tr

CARD_WIDTH = 85.6 * mm
CARD_HEIGHT = 54 * mm
"""ISO/IEC 7810 ID-1, the size of a KTP: fits the same wallet slot and card sleeves."""

MARGIN = 4 * mm
BAR_WIDTH = 0.33 * mm
"""The narrowest bar: 0.33 mm reads reliably with the cheap handheld scanners at the till, even laser-printed."""
BAR_HEIGHT = 9 * mm
RED = Color(0.78, 0.06, 0.12)


@dataclass(frozen=True, slots=True)
class MemberCard:
    """What the card shows."""

    koperasi_name: str
    gerai_name: str
    member_no: str
    member_name: str
    kind: str
    join_date: date
    kelurahan: str


def _fitted(text: str, font: str, size: float, width: float, smallest: float = 6.0) -> tuple[str, float]:
    """Shrink the font until `text` fits `width`; at the smallest size, shorten it with an ellipsis."""
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 0.5
    if stringWidth(text, font, size) <= width:
        return text, size
    while text and stringWidth(text + "...", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "...", size


def _draw_line(canvas: Canvas, text: str, font: str, size: float, x: float, y: float, width: float) -> None:
    shown, fitted = _fitted(text, font, size, width)
    canvas.setFont(font, fitted)
    canvas.drawString(x, y, shown)


def render_member_card(card: MemberCard) -> bytes:
    """The card as PDF bytes: uncompressed and invariant, so the same card gives the same file."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(CARD_WIDTH, CARD_HEIGHT), pageCompression=0, invariant=1)
    title = tr("KARTU ANGGOTA") if card.kind == "anggota" else tr("KARTU PELANGGAN")
    canvas.setTitle(f"{title} {card.member_no}")
    canvas.setAuthor(card.koperasi_name)
    inner = CARD_WIDTH - 2 * MARGIN

    # Red over white: the Merah Putih colours the koperasi is named after.
    band = 13 * mm
    canvas.setFillColor(RED)
    canvas.rect(0, CARD_HEIGHT - band, CARD_WIDTH, band, stroke=0, fill=1)
    canvas.setFillColor(white)
    _draw_line(canvas, card.koperasi_name, "Helvetica-Bold", 10, MARGIN, CARD_HEIGHT - 6 * mm, inner)
    _draw_line(canvas, card.gerai_name, "Helvetica", 7, MARGIN, CARD_HEIGHT - 10.5 * mm, inner)

    canvas.setFillColorRGB(0, 0, 0)
    top = CARD_HEIGHT - band - 4.5 * mm
    _draw_line(canvas, title, "Helvetica-Bold", 6.5, MARGIN, top, inner)
    _draw_line(canvas, card.member_name, "Helvetica-Bold", 11, MARGIN, top - 5 * mm, inner)
    _draw_line(canvas, card.member_no, "Helvetica-Bold", 9, MARGIN, top - 9.5 * mm, inner / 2)
    details = tr("Bergabung {date}", date=card.join_date.strftime("%d-%m-%Y"))
    if card.kelurahan:
        details += " · " + tr("Kel. {kelurahan}", kelurahan=card.kelurahan)
    _draw_line(canvas, details, "Helvetica", 6.5, MARGIN, top - 13 * mm, inner)

    barcode = Code128(card.member_no, barWidth=BAR_WIDTH, barHeight=BAR_HEIGHT, humanReadable=False)
    barcode.drawOn(canvas, CARD_WIDTH - MARGIN - barcode.width, MARGIN)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
