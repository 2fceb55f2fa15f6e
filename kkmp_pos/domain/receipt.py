"""The receipt (struk) as a width-independent document, and its layout into fixed-width printer lines."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from kkmp_pos.domain.clock import format_wita
from kkmp_pos.domain.kasbon import KasbonSlip
from kkmp_pos.domain.lpg import CATEGORY_LABELS
from kkmp_pos.domain.money import Rupiah, format_rupiah
from kkmp_pos.domain.payment import CASH, FAILED, METHOD_LABELS, PENDING
from kkmp_pos.domain.quantity import format_quantity
from kkmp_pos.domain.sale import OutletInfo, SaleRecord, SoldLine
from kkmp_pos.i18n import tr

Align = Literal["left", "center", "right"]

RECEIPT_COLUMNS = (32, 48)
"""58 mm paper prints 32 columns of font A, 80 mm paper 48."""


# --- document elements (no width yet) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """Running text, wrapped at word boundaries. `double` is double *height* only, so widths stay exact;
    `small` asks the printer for its smaller font (the layout still wraps at the normal width)."""

    text: str
    align: Align = "left"
    bold: bool = False
    double: bool = False
    small: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    """A full-width separator line."""

    char: str = "-"


@dataclass(frozen=True, slots=True)
class Pair:
    """A label on the left and a value (usually an amount) right-aligned; the label wraps, never the value's
    alignment."""

    left: str
    right: str
    indent: int = 0
    bold: bool = False
    double: bool = False


@dataclass(frozen=True, slots=True)
class Barcode:
    """A CODE128 barcode with its human-readable text below."""

    data: str


@dataclass(frozen=True, slots=True)
class Feed:
    """Blank paper: `lines` line feeds."""

    lines: int = 1


@dataclass(frozen=True, slots=True)
class Cut:
    """Feed to the cutter and cut (partially, so the slip does not fall)."""


Element = Text | Rule | Pair | Barcode | Feed | Cut


@dataclass(frozen=True, slots=True)
class ReceiptDocument:
    """What a receipt says, in order; `layout` decides how it fits a given paper width."""

    elements: tuple[Element, ...]


# --- building the document from a sale ------------------------------------------------------------


def build_receipt(sale: SaleRecord, *, copy: bool = False) -> ReceiptDocument:
    """The receipt of a completed sale; `copy` marks a reprint (SALINAN)."""
    out = slip_header(
        sale.outlet, copy=copy, numbers=[(tr("No. Struk"), sale.receipt_no)], moment=sale.created_at,
        cashier=sale.cashier_name, party=(tr("Pelanggan"), buyer_text(sale.member_no)), party_name=sale.member_name,
    )
    for line in sale.lines:
        out += _sold_line(line)
    out.append(Rule("-"))
    if sale.cart_discount:
        out += [
            Pair(tr("Subtotal"), format_rupiah(sale.subtotal)),
            Pair(tr("Diskon belanja"), format_rupiah(-sale.cart_discount)),
        ]
    out.append(Pair(tr("TOTAL"), format_rupiah(sale.total), bold=True, double=True))
    if sale.discount_total:
        out.append(Pair(tr("Anda hemat"), format_rupiah(sale.discount_total)))
    for payment in sale.payments:
        label = tr(METHOD_LABELS.get(payment.method, payment.method))
        if payment.bank:
            label = f"{label} {payment.bank}"
        # Cash shows what the customer handed over; the change line below explains the difference.
        shown = payment.tendered if payment.method == CASH else payment.amount
        out.append(Pair(label, format_rupiah(shown)))
        if payment.reference:
            out.append(Text(tr("Ref: {reference}", reference=payment.reference)))
        if payment.status == PENDING:
            out.append(Text(tr("(menunggu verifikasi)")))
        elif payment.status == FAILED:
            out.append(Text(tr("(gagal, diganti pembayaran lain)")))
    if sale.paid_in_cash or sale.change:
        out.append(Pair(tr("Kembalian"), format_rupiah(sale.change), bold=True))
    out.append(Rule("-"))
    out += _footer_text(sale.outlet.receipt_footer)
    if copy:
        out.append(Text(tr("SALINAN"), align="center", bold=True))
    out += [Feed(1), Barcode(sale.receipt_no)]
    if sale.journal_seq is not None:
        out.append(Text(_audit_line(sale.journal_seq, sale.journal_hash), align="center", small=True))
    out.append(Cut())
    return ReceiptDocument(tuple(out))


def _outlet_header(outlet: OutletInfo) -> list[Element]:
    out: list[Element] = [
        Text(outlet.koperasi_name, align="center", bold=True),
        Text(outlet.gerai_name, align="center"),
        Text(outlet.address, align="center"),
    ]
    if outlet.npwp:  # a PKP's slips name its taxpayer number
        out.append(Text(tr("NPWP {npwp}", npwp=outlet.npwp), align="center"))
    return out


def slip_header(outlet: OutletInfo, *, copy: bool, numbers: list[tuple[str, str]], moment: datetime,
                cashier: str, party: tuple[str, str], party_name: str | None, title: str | None = None
                ) -> list[Element]:
    """The top every slip shares: SALINAN on a copy, the outlet, an optional title, the slip's numbers,
    time, cashier and who it is for, between rules."""
    out: list[Element] = [Text(tr("SALINAN"), align="center", bold=True, double=True)] if copy else []
    out += _outlet_header(outlet)
    out.append(Rule("-"))
    if title:
        out.append(Text(title, align="center", bold=True))
    out += [Pair(label, value) for label, value in numbers]
    out += [Pair(tr("Waktu"), format_wita(moment)), Pair(tr("Kasir"), cashier), Pair(*party)]
    if party_name:
        out.append(Text(party_name, align="right"))
    out.append(Rule("-"))
    return out


def tender_lines(method: str, *, bank: str | None, tendered: Rupiah, reference: str | None,
                 change: Rupiah) -> list[Element]:
    """One payment on a slip: method (and bank), what was handed over, its reference, change for cash."""
    label = tr(METHOD_LABELS.get(method, method))
    out: list[Element] = [Pair(f"{label} {bank}" if bank else label, format_rupiah(tendered))]
    if reference:
        out.append(Text(tr("Ref: {reference}", reference=reference)))
    if method == CASH:
        out.append(Pair(tr("Kembalian"), format_rupiah(change), bold=True))
    return out


def buyer_text(member_no: str | None) -> str:
    """`Anggota A-000123`, or `Non-anggota` for a sale without a member."""
    return tr("Anggota {member_no}", member_no=member_no) if member_no else tr("Non-anggota")


def _sold_line(line: SoldLine) -> list[Element]:
    quantity = format_quantity(line.qty_milli, weighed=line.sold_by_weight)
    if line.sold_by_weight:
        quantity = f"{quantity} {line.unit}"
    elements: list[Element] = [
        Text(line.name),
        Pair(f"{quantity} x {format_rupiah(line.unit_price)}",
             format_rupiah(line.total + line.cart_discount_share + line.line_discount), indent=2),
    ]
    if line.line_discount:
        elements.append(Pair(tr("Diskon"), format_rupiah(-line.line_discount), indent=2))
    if line.lpg_nik_masked:
        category = tr(CATEGORY_LABELS.get(line.lpg_category or "", line.lpg_category or ""))
        # Two short lines: NIK and category together would not fit 32 columns.
        elements += [Pair(f"NIK {line.lpg_nik_masked}", "", indent=2), Pair(category, "", indent=2)]
    return elements


def _footer_text(footer: str) -> list[Element]:
    # Each line the admin typed stays a paragraph of its own; wrapping happens inside each one.
    return [Text(paragraph, align="center") for paragraph in footer.splitlines() if paragraph.strip()]


def _audit_line(seq: int, digest: str | None) -> str:
    if digest:
        return tr("Jurnal #{seq} {hash}", seq=seq, hash=digest[:8])
    return tr("Jurnal #{seq}", seq=seq)


def build_kasbon_receipt(slip: KasbonSlip, *, copy: bool = False) -> ReceiptDocument:
    """The receipt of one kasbon repayment, with what the customer still owes after it."""
    out = slip_header(slip.outlet, copy=copy, numbers=[(tr("No. Struk"), slip.receipt_no)], moment=slip.created_at,
                      cashier=slip.cashier_name, party=(tr("Pelanggan"), slip.member_no),
                      party_name=slip.member_name)
    out += [
        Text(tr("PEMBAYARAN KASBON"), align="center", bold=True),
        Pair(tr("Kasbon sebelumnya"), format_rupiah(slip.balance_before)),
        Pair(tr("Dibayar"), format_rupiah(slip.amount), bold=True, double=True),
    ]
    out += tender_lines(slip.method, bank=slip.bank, tendered=slip.tendered, reference=slip.reference,
                        change=slip.change)
    out += [Rule("-"), Pair(tr("Sisa kasbon"), format_rupiah(slip.balance_after), bold=True)]
    if slip.balance_after == 0:
        out.append(Text(tr("LUNAS"), align="center", bold=True))
    if copy:
        out.append(Text(tr("SALINAN"), align="center", bold=True))
    out += [Feed(1), Barcode(slip.receipt_no)]
    if slip.journal_seq is not None:
        out.append(Text(_audit_line(slip.journal_seq, slip.journal_hash), align="center", small=True))
    out.append(Cut())
    return ReceiptDocument(tuple(out))


def printer_test_document(outlet: OutletInfo, moment: datetime, *, printer_uri: str, paper_mm: int,
                          columns: int) -> ReceiptDocument:
    """A page that shows the printer works: styles, full width, barcode and cutter."""
    ruler = "".join(str(i % 10) for i in range(1, columns + 1))
    return ReceiptDocument((
        Text(tr("TES PRINTER"), align="center", bold=True, double=True),
        *_outlet_header(outlet),
        Rule("="),
        Pair(tr("Waktu"), format_wita(moment)),
        Pair(tr("Printer"), printer_uri),
        Pair(tr("Kertas"), tr("{paper_mm} mm, {columns} kolom", paper_mm=paper_mm, columns=columns)),
        Rule("-"),
        Text(ruler),
        Text(tr("Teks tebal"), bold=True),
        Pair(tr("Teks tinggi"), format_rupiah(1_234_567), bold=True, double=True),
        Text(tr("Rata tengah"), align="center"),
        Text(tr("Rata kanan"), align="right"),
        Text(tr("Jika garis angka di atas pas satu baris, lebar kertas sudah benar.")),
        Feed(1),
        Barcode("TES-0123456789"),
        Cut(),
    ))


# --- layout: fixed-width lines --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrintLine:
    """One printed line: `text` is ASCII, at most `columns` wide; alignment is applied by whoever shows it."""

    text: str
    align: Align = "left"
    bold: bool = False
    double: bool = False
    small: bool = False


LaidOut = PrintLine | Barcode | Feed | Cut

# Characters that Unicode decomposition does not bring down to ASCII but a cashier would write in ASCII.
_ASCII_FALLBACK = {
    "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
    "ł": "l", "Ł": "L", "ı": "i", "‘": "'", "’": "'", "‚": ",", "“": '"', "”": '"', "„": '"',
    "–": "-", "—": "-", "−": "-", "…": "...", "×": "x", "•": "*", "·": ".", "€": "EUR", "°": "o",
}


def printable(text: str) -> str:
    """ASCII only, so the printer's pinned code page can never turn a name into mojibake: `é` -> `e`.

    Control characters become spaces: a product name must never smuggle an ESC/POS command onto paper.
    """
    out: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char):
            continue
        if " " <= char <= "~":
            out.append(char)
        elif char in _ASCII_FALLBACK:
            out.append(_ASCII_FALLBACK[char])
        elif ord(char) < 0x20 or unicodedata.category(char).startswith("Z") or char == "\x7f":
            out.append(" ")
        else:
            out.append("?")
    return "".join(out)


def wrap_words(text: str, width: int) -> list[str]:
    """Greedy word wrap that never drops a letter: a word wider than the paper continues on the next line."""
    if width < 1:
        raise ValueError("width must be positive")
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current = f"{current} {word}"
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def _pair_lines(left: str, right: str, width: int, indent: int) -> list[str]:
    indent = min(indent, width - 1)
    lines = [" " * indent + part for part in wrap_words(left, width - indent)]
    if not right:
        return lines
    if len(right) > width:
        return lines + [part.rjust(width) for part in wrap_words(right, width)]
    if lines and len(lines[-1]) + 1 + len(right) <= width:
        last = lines.pop()
        return lines + [last + right.rjust(width - len(last))]
    return [*lines, right.rjust(width)]


def _lay_out_element(element: Element, columns: int) -> Iterable[LaidOut]:
    if isinstance(element, Text):
        parts = wrap_words(printable(element.text), columns) or [""]
        for part in parts:
            yield PrintLine(part, element.align, element.bold, element.double, element.small)
    elif isinstance(element, Pair):
        for part in _pair_lines(printable(element.left), printable(element.right).strip(), columns,
                                element.indent):
            yield PrintLine(part, "left", element.bold, element.double)
    elif isinstance(element, Rule):
        char = printable(element.char)[:1] or "-"
        yield PrintLine(char * columns)
    elif isinstance(element, Barcode):
        yield Barcode(printable(element.data).strip())
    else:
        yield element


def layout(document: ReceiptDocument, columns: int) -> tuple[LaidOut, ...]:
    """Fit the document to `columns` (32 for 58 mm, 48 for 80 mm): pure and deterministic."""
    if columns not in RECEIPT_COLUMNS:
        raise ValueError(f"unsupported receipt width: {columns} columns")
    return tuple(item for element in document.elements for item in _lay_out_element(element, columns))


def _aligned(line: PrintLine, columns: int) -> str:
    if line.align == "center":
        return " " * ((columns - len(line.text)) // 2) + line.text
    if line.align == "right":
        return line.text.rjust(columns)
    return line.text


def layout_text(document: ReceiptDocument, columns: int) -> list[str]:
    """The receipt as plain strings for the on-screen preview: same lines as the paper, no control codes."""
    return preview_lines(layout(document, columns), columns)


def preview_lines(laid_out: Sequence[LaidOut], columns: int) -> list[str]:
    lines: list[str] = []
    for item in laid_out:
        if isinstance(item, PrintLine):
            lines.append(_aligned(item, columns))
        elif isinstance(item, Barcode):
            bars = "|" * min(columns - 4, 11 * (len(item.data) + 2) // 8)
            lines.append(" " * ((columns - len(bars)) // 2) + bars)
            lines.extend(" " * ((columns - len(part)) // 2) + part for part in wrap_words(item.data, columns))
        elif isinstance(item, Feed):
            lines.extend([""] * item.lines)
    return lines
