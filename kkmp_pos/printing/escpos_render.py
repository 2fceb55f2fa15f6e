"""Receipt document -> ESC/POS bytes through python-escpos's Dummy printer, on a pinned profile and code page."""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kkmp_pos.domain.receipt import Barcode, Cut, Feed, PrintLine, ReceiptDocument, layout

if TYPE_CHECKING:
    from escpos.printer import Dummy
    from PIL.Image import Image

log = logging.getLogger(__name__)

BASE_PROFILE = "default"
"""escpos's generic ESC/POS profile (Epson-compatible, hardware CODE128, partial cut), the closest fit for
the unbranded 58/80 mm printers gerai buy; we pin its media and code pages below so nothing is guessed."""

CODE_PAGE = "CP437"
"""Selected explicitly (ESC t 0) after every reset; the layout keeps text ASCII so any page would do, but
pinning it stops python-escpos from switching pages on its own (the known mojibake reports)."""

DPI = 203
BARCODE_HEIGHT = 64
"""Dots: 8 mm at 203 dpi, easy for a handheld scanner on the returns screen."""

LOGO_MAX_HEIGHT = 240
"""Dots; a logo is a header, not a poster: taller images are scaled down to save paper."""


@dataclass(frozen=True, slots=True)
class Paper:
    """A roll width: its millimetres, font-A columns and printable dots at 203 dpi."""

    mm: int
    columns: int
    dots: int


PAPERS = {32: Paper(mm=58, columns=32, dots=384), 48: Paper(mm=80, columns=48, dots=576)}


def paper_for_columns(columns: int) -> Paper:
    try:
        return PAPERS[columns]
    except KeyError:
        raise ValueError(f"unsupported receipt width: {columns} columns") from None


@cache
def pinned_profile(columns: int) -> Any:
    """The escpos profile for one paper width: the generic profile with our media and a single code page.

    A private copy of the profile data, because python-escpos writes into the shared dict (its `_dpi`).
    """
    from escpos.capabilities import Profile, get_profile_class

    paper = paper_for_columns(columns)
    data = copy.deepcopy(get_profile_class(BASE_PROFILE).profile_data)
    data["name"] = f"KKMP generic {paper.mm} mm"
    data["media"] = {"dpi": DPI, "width": {"mm": paper.mm, "pixels": paper.dots}}
    data["codePages"] = {"0": CODE_PAGE}

    class PinnedProfile(Profile):  # type: ignore[misc]
        profile_data = data

        def __init__(self) -> None:
            # Profile.__init__ would blank the features; the pinned data already says everything.
            pass

        def get_columns(self, font: object) -> int:
            return paper.columns

    return PinnedProfile()


def new_printer(columns: int) -> Dummy:
    """A Dummy printer on the pinned profile, already reset and on the pinned code page."""
    from escpos.printer import Dummy

    printer = Dummy(profile=pinned_profile(columns))
    printer.hw("INIT")  # ESC @: a clean state whatever the last job left behind
    printer.charcode(CODE_PAGE)  # ESC t 0, and python-escpos stops guessing code pages
    return printer


@dataclass(slots=True)
class _Style:
    """What the printer is set to after ESC @, updated as we go so only changes are sent."""

    align: str = "left"
    bold: bool = False
    double: bool = False
    small: bool = False


def _switch_style(printer: Dummy, style: _Style, line: PrintLine) -> None:
    if line.align != style.align:
        printer.set(align=line.align)
        style.align = line.align
    if line.bold != style.bold:
        printer.set(bold=line.bold)
        style.bold = line.bold
    if line.double != style.double:
        # GS ! (not ESC !), so changing the height leaves bold untouched.
        printer.set(custom_size=True, width=1, height=2 if line.double else 1)
        style.double = line.double
    if line.small != style.small:
        printer.set(font="b" if line.small else "a")
        style.small = line.small


def code128_module_width(data: str, dots: int) -> int:
    """Widest bar module (3 or 2 dots) that keeps a code-set-B CODE128 of `data` inside the paper."""
    modules = 11 * (len(data) + 2) + 13  # start + data + check symbols, 11 modules each; stop is 13
    return 3 if modules * 3 <= dots else 2


def _print_barcode(printer: Dummy, data: str, dots: int) -> None:
    # "{B" selects code set B in ESC/POS function B; the printer prints the text itself below the bars.
    # The hardware path directly: the pinned profile has hardware CODE128, which is what the public
    # `barcode()` would choose too, but that one also prints a line to stdout on every receipt.
    printer._hw_barcode("{B" + data, "CODE128", height=BARCODE_HEIGHT, width=code128_module_width(data, dots),
                        pos="BELOW", font="A", align_ct=True, function_type="B", check=True)


def load_logo(path: str, max_dots: int) -> Image | None:
    """The logo scaled to fit the paper, or None when the file is missing or not an image."""
    if not path.strip():
        return None
    from PIL import Image as PilImage

    try:
        with PilImage.open(Path(path)) as source:
            source.load()
            picture = source.copy()
    except (OSError, ValueError, PilImage.DecompressionBombError) as error:
        # A bad logo must never stop a receipt: print without it and leave a trace for the admin.
        log.warning("receipt logo %s skipped: %s", path, error)
        return None
    picture.thumbnail((max_dots, LOGO_MAX_HEIGHT))
    return picture


def render_drawer_kick(columns: int) -> bytes:
    """Reset, then the same drawer-kick pulse a cash receipt sends: the drawer opens, nothing is printed."""
    printer = new_printer(columns)
    printer.cashdraw(2)
    return bytes(printer.output)


def render_receipt(document: ReceiptDocument, columns: int, *, logo_path: str = "",
                   open_drawer: bool = False) -> bytes:
    """The exact bytes for the printer: reset, code page, drawer kick if asked, logo, lines, barcode, cut."""
    paper = paper_for_columns(columns)
    printer = new_printer(columns)
    if open_drawer:
        printer.cashdraw(2)  # before the text, so the drawer opens while the slip is still printing
    logo = load_logo(logo_path, paper.dots)
    if logo is not None:
        printer.image(logo, impl="bitImageRaster", center=True)
    style = _Style()
    for item in layout(document, columns):
        if isinstance(item, PrintLine):
            _switch_style(printer, style, item)
            printer.text(item.text + "\n")
        elif isinstance(item, Barcode) and item.data:
            _print_barcode(printer, item.data, paper.dots)
            style.align = "center"  # escpos centres the barcode with ESC a 1 and leaves it so
        elif isinstance(item, Feed):
            printer.print_and_feed(max(0, min(item.lines, 255)))
        elif isinstance(item, Cut):
            printer.cut(mode="PART")
    return bytes(printer.output)
