"""The manual as an A4 PDF: a small Markdown renderer (the subset panduan.md uses) onto reportlab."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    PageTemplate,
    Paragraph,
    Preformatted,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable
from reportlab.platypus.tableofcontents import TableOfContents

from kkmp_pos.manual import Heading, load_manual, read_image, split_anchors

MARGIN = 18 * mm
MAX_IMAGE_WIDTH = 150 * mm
MAX_IMAGE_HEIGHT = 110 * mm
FALLBACK_GLYPHS = {"→": "->", "←": "<-", "↑": "^", "↓": "v", "✓": "v"}
"""Reportlab's own Vera font lacks these; used only when no DejaVu font is found on the machine."""

_DEJAVU_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF",
                "/usr/local/share/fonts", "/Library/Fonts", os.path.expandvars(r"%WINDIR%\Fonts"))
_FACES = {"": ("DejaVuSans.ttf", "Vera.ttf"), "-Bold": ("DejaVuSans-Bold.ttf", "VeraBd.ttf"),
          "-Italic": ("DejaVuSans-Oblique.ttf", "VeraIt.ttf"),
          "-BoldItalic": ("DejaVuSans-BoldOblique.ttf", "VeraBI.ttf")}
_MONO = "DejaVuSansMono.ttf"


@dataclass(frozen=True)
class Fonts:
    dejavu: bool
    """False: reportlab's bundled Vera family (Latin only), arrows spelled out with FALLBACK_GLYPHS."""

    @property
    def body(self) -> str:
        # Named after the family: reportlab keeps the first font registered under a name for good.
        return "ManualDejaVu" if self.dejavu else "ManualVera"

    @property
    def mono(self) -> str:
        # Vera has no monospaced face in reportlab's wheel; Courier covers Latin, which is all code spans hold.
        return "ManualDejaVuMono" if self.dejavu else "Courier"


def _find_dejavu(name: str) -> Path | None:
    for folder in _DEJAVU_DIRS:
        path = Path(folder) / name
        if path.is_file():
            return path
    return None


def register_fonts() -> Fonts:
    """Unicode TrueType fonts (Helvetica has no arrows): DejaVu when installed, else reportlab's Vera."""
    vera_dir = Path(reportlab.__file__).parent / "fonts"
    mono = _find_dejavu(_MONO)
    fonts = Fonts(dejavu=mono is not None and all(_find_dejavu(names[0]) for names in _FACES.values()))
    body = fonts.body
    for suffix, (dejavu_name, vera_name) in _FACES.items():
        path = _find_dejavu(dejavu_name) if fonts.dejavu else vera_dir / vera_name
        pdfmetrics.registerFont(TTFont(body + suffix, str(path)))
    if fonts.dejavu and mono is not None:
        pdfmetrics.registerFont(TTFont(fonts.mono, str(mono)))
    pdfmetrics.registerFontFamily(body, normal=body, bold=body + "-Bold", italic=body + "-Italic",
                                  boldItalic=body + "-BoldItalic")
    return fonts


def _styles(fonts: Fonts) -> dict[str, ParagraphStyle]:
    font, mono = fonts.body, fonts.mono
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=14, spaceAfter=5)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=font + "-Bold", fontSize=22, leading=28,
                                spaceAfter=10),
        "h1": ParagraphStyle("h1", parent=body, fontName=font + "-Bold", fontSize=17, leading=22,
                             spaceBefore=6, spaceAfter=8, textColor=colors.HexColor("#8b0000"), keepWithNext=1),
        "h2": ParagraphStyle("h2", parent=body, fontName=font + "-Bold", fontSize=13.5, leading=18,
                             spaceBefore=10, spaceAfter=5, keepWithNext=1),
        "h3": ParagraphStyle("h3", parent=body, fontName=font + "-Bold", fontSize=11, leading=15,
                             spaceBefore=6, spaceAfter=3, keepWithNext=1),
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=9, leading=12, spaceAfter=0),
        "caption": ParagraphStyle("caption", parent=body, fontName=font + "-Italic", fontSize=8.5,
                                  leading=11, alignment=1, spaceAfter=8, textColor=colors.HexColor("#444444")),
        "code": ParagraphStyle("code", parent=body, fontName=mono, fontSize=8.5, leading=11,
                               backColor=colors.HexColor("#f2f2f2"), borderPadding=4, spaceBefore=2,
                               spaceAfter=8),
        "toc1": ParagraphStyle("toc1", parent=body, fontName=font + "-Bold", fontSize=10.5, leading=15),
        "toc2": ParagraphStyle("toc2", parent=body, fontSize=9.5, leading=12.5, leftIndent=14),
    }


class _Heading(Paragraph):
    """A heading that the document template reports to the table of contents and the PDF outline."""

    def __init__(self, text: str, style: ParagraphStyle, level: int, key: str, plain: str) -> None:
        super().__init__(f'<a name="{key}"/>{text}', style)
        self.level = level
        """The Markdown heading level: 1 the title, 2 a chapter, 3 a section."""
        self.toc_key = key
        self.toc_text = plain


class _ManualDoc(BaseDocTemplate):
    def __init__(self, out: io.BytesIO, title: str, footer: str, font: str) -> None:
        super().__init__(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                         bottomMargin=MARGIN + 4 * mm, title=title, author="KKMP POS", invariant=1,
                         initialFontName=font)
        self._footer = footer
        self._font = font
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._decorate)])

    def _decorate(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(self._font, 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(MARGIN, 10 * mm, self._footer)
        canvas.drawRightString(A4[0] - MARGIN, 10 * mm, f"Halaman {doc.page}")
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (reportlab's hook)
        if isinstance(flowable, _Heading):
            self.canv.bookmarkPage(flowable.toc_key)
            # The outline (PDF bookmarks) has every heading; the printed contents only chapters and sections.
            self.canv.addOutlineEntry(flowable.toc_text, flowable.toc_key, level=flowable.level - 1,
                                      closed=flowable.level > 1)
            if flowable.level in (2, 3):
                self.notify("TOCEntry", (flowable.level - 2, flowable.toc_text, self.page, flowable.toc_key))


class _Renderer:
    """Walks markdown-it's syntax tree and makes flowables; `image_reader` gives an image's bytes."""

    def __init__(self, headings: list[Heading], fonts: Fonts, image_reader: Callable[[str], bytes]) -> None:
        self._headings = iter(headings)
        self._fonts = fonts
        self._read = image_reader
        self._mono = fonts.mono
        self.styles = _styles(fonts)
        self.images = 0
        self._count = 0

    def text(self, value: str) -> str:
        if not self._fonts.dejavu:
            for glyph, spelled in FALLBACK_GLYPHS.items():
                value = value.replace(glyph, spelled)
        return escape(value)

    def inline(self, node: SyntaxTreeNode) -> str:
        """Reportlab paragraph markup for an inline node's children (images are left out)."""
        parts: list[str] = []
        for child in node.children:
            kind = child.type
            if kind == "text":
                parts.append(self.text(child.content))
            elif kind == "code_inline":
                parts.append(f'<font name="{self._mono}" backColor="#eeeeee">{self.text(child.content)}</font>')
            elif kind in ("softbreak",):
                parts.append(" ")
            elif kind == "hardbreak":
                parts.append("<br/>")
            elif kind == "strong":
                parts.append(f"<b>{self.inline(child)}</b>")
            elif kind == "em":
                parts.append(f"<i>{self.inline(child)}</i>")
            elif kind == "link":
                href = str(child.attrs.get("href", ""))
                inner = self.inline(child)
                if href.startswith("#"):
                    parts.append(f'<a href="{escape(href)}" color="#00468b">{inner}</a>')
                else:
                    parts.append(f'<link href="{escape(href)}" color="#00468b">{inner}</link>')
            elif kind == "html_inline":
                continue  # e.g. <kbd>: the text between the tags still comes through as text
            elif kind != "image":
                parts.append(self.inline(child))
        return "".join(parts)

    def blocks(self, node: SyntaxTreeNode) -> list[Flowable]:
        story: list[Flowable] = []
        for child in node.children:
            story += self.block(child)
        return story

    def block(self, node: SyntaxTreeNode) -> list[Flowable]:
        kind = node.type
        if kind == "heading":
            return self._heading(node)
        if kind == "paragraph":
            return self._paragraph(node)
        if kind in ("bullet_list", "ordered_list"):
            return [self._list(node)]
        if kind == "table":
            return [self._table(node)]
        if kind in ("fence", "code_block"):
            return [Preformatted(node.content.rstrip("\n"), self.styles["code"])]
        if kind == "blockquote":
            inner = self.blocks(node)
            table = Table([[inner]], colWidths=[A4[0] - 2 * MARGIN - 6 * mm])
            table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fff6e5")),
                                       ("LINEBEFORE", (0, 0), (0, -1), 2.5, colors.HexColor("#c98a00"))]))
            return [table, Spacer(1, 4)]
        if kind == "hr":
            return [PageBreak()]
        return []  # html_block: the anchor lines are gone already; nothing else is used

    def _heading(self, node: SyntaxTreeNode) -> list[Flowable]:
        level = int(node.tag[1])
        heading = next(self._headings)
        self._count += 1
        key = heading.anchor or f"h{self._count}"
        style = self.styles["title" if level == 1 and self._count == 1 else f"h{min(level, 3)}"]
        flowable = _Heading(self.inline(node.children[0]), style, level, key, heading.title)
        if level <= 2 and self._count > 1:
            return [Spacer(1, 2), flowable]
        return [flowable]

    def _paragraph(self, node: SyntaxTreeNode) -> list[Flowable]:
        inline = node.children[0]
        images = [child for child in inline.children if child.type == "image"]
        story: list[Flowable] = []
        markup = self.inline(inline).strip()
        if markup:
            story.append(Paragraph(markup, self.styles["body"]))
        for image in images:
            story += self._image(str(image.attrs.get("src", "")), image.content)
        return story

    def _image(self, src: str, alt: str) -> list[Flowable]:
        data = self._read(src)
        width, height = ImageReader(io.BytesIO(data)).getSize()
        scale = min(MAX_IMAGE_WIDTH / width, MAX_IMAGE_HEIGHT / height, 0.75)  # 0.75 pt per px: 96 dpi
        self.images += 1
        picture = Image(io.BytesIO(data), width=width * scale, height=height * scale)
        # keepWithNext, not KeepTogether: reportlab only chains a heading to a flowable that is no container,
        # so a heading, its screenshot and the caption move to the next page together.
        picture.keepWithNext = True
        picture.spaceBefore = 3
        return [picture, Paragraph(self.text(alt), self.styles["caption"]) if alt else Spacer(1, 6)]

    def _list(self, node: SyntaxTreeNode) -> Flowable:
        items = []
        for item in node.children:
            items.append(ListItem(self.blocks(item) or [Paragraph("", self.styles["body"])]))
        if node.type == "ordered_list":
            start = int(node.attrs.get("start", 1) or 1)
            return ListFlowable(items, bulletType="1", start=start, bulletFormat="%s.", bulletFontName=self._fonts.body, bulletFontSize=10,
                                leftIndent=16)
        return ListFlowable(items, bulletType="bullet", start="•", bulletFontName=self._fonts.body, bulletFontSize=10,
                            leftIndent=14)

    def _table(self, node: SyntaxTreeNode) -> Flowable:
        rows: list[list[Paragraph]] = []
        header_rows = 0
        for section in node.children:
            for row in section.children:
                cells = []
                for cell in row.children:
                    markup = self.inline(cell.children[0]) if cell.children else ""
                    if cell.type == "th":
                        markup = f"<b>{markup}</b>"
                    cells.append(Paragraph(markup, self.styles["cell"]))
                rows.append(cells)
                if section.type == "thead":
                    header_rows += 1
        columns = max(len(row) for row in rows)
        width = A4[0] - 2 * MARGIN
        # The first column holds keys and names, the last the explanation: give text room where it is.
        weights = [1.0] * columns if columns != 2 else [0.32, 0.68]
        if columns >= 3:
            weights = [0.8] + [1.0] * (columns - 2) + [1.6]
        total = sum(weights)
        table = Table(rows, colWidths=[width * w / total for w in weights], repeatRows=header_rows, hAlign="LEFT")
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#eeeeee")),
        ]) if header_rows else TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999"))]))
        return KeepTogether([table, Spacer(1, 6)]) if len(rows) <= 12 else table


def render_manual(text: str | None = None, image_reader: Callable[[str], bytes] = read_image) -> bytes:
    """The PDF bytes of the manual (`text` defaults to the packaged panduan.md)."""
    markdown = load_manual() if text is None else text
    clean, headings = split_anchors(markdown)
    fonts = register_fonts()
    renderer = _Renderer(headings, fonts, image_reader)
    tree = SyntaxTreeNode(MarkdownIt("commonmark").enable("table").parse(clean))
    body = renderer.blocks(tree)
    title = headings[0].title if headings else "Panduan KKMP POS"
    toc = TableOfContents(levelStyles=[renderer.styles["toc1"], renderer.styles["toc2"]], dotsMinLevel=0)
    # The title and its introduction (everything before the second heading), the contents, then the chapters.
    heading_at = [i for i, flowable in enumerate(body) if isinstance(flowable, _Heading)]
    split = heading_at[1] if len(heading_at) > 1 else len(body)
    if split and isinstance(body[split - 1], Spacer):
        split -= 1  # the spacer before a chapter heading belongs to the chapter
    story: list[Flowable] = [*body[:split], Spacer(1, 6 * mm), Paragraph("Daftar isi", renderer.styles["h1"]), toc,
                             PageBreak(), *body[split:]]
    out = io.BytesIO()
    _ManualDoc(out, title, title, fonts.body).multiBuild(story)
    return out.getvalue()


def write_manual_pdf(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_manual())
    return path
