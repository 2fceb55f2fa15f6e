"""The look the A4 reports share (reportlab): the grid of their tables, their title, text and cell styles."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import TableStyle

TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=14, leading=18)
TEXT = ParagraphStyle("text", fontName="Helvetica", fontSize=9.5, leading=13)
GRID = TableStyle([
    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),  # the header row
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 2),
    ("RIGHTPADDING", (0, 0), (-1, -1), 2),
])


def cell_styles(size: float, leading: float) -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    """(cell, right-aligned cell for numbers, header cell) in `size` points."""
    cell = ParagraphStyle(f"cell-{size}", fontName="Helvetica", fontSize=size, leading=leading)
    return (cell, ParagraphStyle(f"right-{size}", parent=cell, alignment=2),
            ParagraphStyle(f"head-{size}", parent=cell, fontName="Helvetica-Bold"))
