"""A goods receipt (penerimaan barang): its lines' exact amounts, its checks, and its printable document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kkmp_pos.domain.clock import format_wita
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah, format_rupiah, group_thousands, round_half_up_div
from kkmp_pos.domain.quantity import MAX_QUANTITY_MILLI, MILLI, format_quantity
from kkmp_pos.domain.receipt import (
    Barcode,
    Cut,
    Element,
    Feed,
    Pair,
    ReceiptDocument,
    Rule,
    Text,
    _audit_line,
    _outlet_header,
)
from kkmp_pos.domain.sale import OutletInfo
from kkmp_pos.domain.stock import to_base_units
from kkmp_pos.i18n import tr

RECEIPT_SERIES = "B"
"""`LPK-01-B000001`: goods receipts (barang masuk) have their own gap-free series, apart from sales."""
MAX_UNIT_COST = 1_000_000_000
"""A sanity ceiling: no gerai buys one karung or dus for more than Rp1.000.000.000."""
MAX_LINES = 500


@dataclass(frozen=True, slots=True)
class ReceiptLineInput:
    """One line as the manager entered it: `unit_qty_milli` of `unit` at `unit_cost` rupiah per unit."""

    product_id: int
    unit: str
    unit_qty_milli: int
    unit_cost: Rupiah
    expiry_date: date | None = None


@dataclass(frozen=True, slots=True)
class GoodsReceiptDraft:
    """Everything a receipt needs before it is saved; the service checks it whole before writing."""

    supplier_id: str | None
    reference: str
    received_on: date
    lines: tuple[ReceiptLineInput, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class LineAmounts:
    base_qty_milli: int
    line_cost: Rupiah


def line_amounts(unit_qty_milli: int, factor_milli: int, unit_cost: Rupiah, *, weighed: bool) -> LineAmounts:
    """The base quantity (exact) and the line's cost in whole rupiah; InvalidInput says what is wrong."""
    if unit_qty_milli <= 0:
        raise InvalidInput("Jumlah diterima harus lebih dari nol.")
    if unit_qty_milli > MAX_QUANTITY_MILLI:
        raise InvalidInput("Jumlah {qty} terlalu besar untuk satu baris (paling banyak 100.000). Periksa "
                           "jumlahnya.", qty=format_quantity(unit_qty_milli, weighed=True))
    if unit_cost < 0:
        raise InvalidInput("Harga beli tidak boleh negatif.")
    if unit_cost > MAX_UNIT_COST:
        raise InvalidInput("Harga beli {cost} per satuan tidak masuk akal. Periksa angkanya.",
                           cost=format_rupiah(unit_cost))
    base_qty = to_base_units(unit_qty_milli, factor_milli)
    if not weighed and base_qty % MILLI:
        # A piece cannot be split: 0,3 dus of 40 pcs is 12 pcs, 0,33 dus is not a whole number of pieces.
        raise InvalidInput("Jumlah ini bukan bilangan bulat dalam satuan dasar (pcs). Periksa jumlah atau "
                           "satuannya.")
    return LineAmounts(base_qty_milli=base_qty, line_cost=round_half_up_div(unit_qty_milli * unit_cost, MILLI))


def check_header(draft: GoodsReceiptDraft, today: date) -> None:
    """Supplier, reference, date and lines present and plausible (lines are checked one by one later)."""
    if not draft.supplier_id:
        raise InvalidInput("Pilih pemasoknya dulu (atau tambahkan pemasok baru).")
    if not draft.reference.strip():
        raise InvalidInput("Isi nomor faktur/surat jalan dari pemasok: itu bukti penerimaan ini.")
    if len(draft.reference.strip()) > 60:
        raise InvalidInput("Nomor faktur paling panjang 60 karakter.")
    if draft.received_on > today:
        raise InvalidInput("Tanggal terima tidak boleh di masa depan.")
    if not draft.lines:
        raise InvalidInput("Penerimaan belum punya baris barang. Pindai atau cari barang, lalu tambahkan.")
    if len(draft.lines) > MAX_LINES:
        raise InvalidInput("Satu penerimaan paling banyak 500 baris. Bagi menjadi beberapa penerimaan.")
    for line in draft.lines:
        if line.expiry_date is not None and line.expiry_date < draft.received_on:
            raise InvalidInput("Tanggal kedaluwarsa {expiry} sudah lewat pada tanggal terima. Periksa tanggalnya.",
                               expiry=line.expiry_date.strftime("%d-%m-%Y"))


def parse_day(text: str) -> date | None:
    """`31-12-2027` (or `2027-12-31`) as a date; empty text means no date."""
    cleaned = text.strip().replace("/", "-").replace(".", "-")
    if not cleaned:
        return None
    parts = cleaned.split("-")
    try:
        if len(parts) == 3 and len(parts[0]) == 4:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        if len(parts) == 3:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        pass
    raise InvalidInput("Tanggal '{text}' tidak dapat dibaca. Contoh: 31-12-2027.", text=text.strip())


# --- the printable document -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReceivedLine:
    """A saved line, with the product's names for printing."""

    sku: str
    name: str
    base_unit: str
    weighed: bool
    unit: str
    unit_qty_milli: int
    factor_milli: int
    base_qty_milli: int
    unit_cost: Rupiah
    line_cost: Rupiah
    expiry_date: str | None


@dataclass(frozen=True, slots=True)
class GoodsReceiptRecord:
    """A saved goods receipt as the document shows it."""

    id: str
    receipt_no: str
    outlet: OutletInfo
    supplier_name: str
    reference: str
    received_on: str
    created_at: datetime
    cashier_name: str
    note: str | None
    lines: tuple[ReceivedLine, ...]
    total_cost: Rupiah
    journal_seq: int | None = None
    journal_hash: str | None = None


def unit_quantity_text(qty_milli: int, unit: str) -> str:
    """`2 karung`, `1,5 dus`, `12,250 kg` (pack quantities show only the decimals they have)."""
    return f"{format_quantity(qty_milli, weighed=False)} {unit}"


def base_quantity_text(qty_milli: int, unit: str, *, weighed: bool) -> str:
    return f"{format_quantity(qty_milli, weighed=weighed)} {unit}"


def _received_line(line: ReceivedLine) -> list[Element]:
    out: list[Element] = [
        Text(f"{line.name} ({line.sku})"),
        Pair(tr("{qty} x {cost}", qty=unit_quantity_text(line.unit_qty_milli, line.unit),
                cost=format_rupiah(line.unit_cost)), group_thousands(line.line_cost), indent=2),
    ]
    if line.unit != line.base_unit:
        out.append(Text(tr("= {qty} (1 {unit} = {factor})",
                           qty=base_quantity_text(line.base_qty_milli, line.base_unit, weighed=line.weighed),
                           unit=line.unit,
                           factor=base_quantity_text(line.factor_milli, line.base_unit, weighed=line.weighed))))
    if line.expiry_date:
        expiry = date.fromisoformat(line.expiry_date).strftime("%d-%m-%Y")
        out.append(Text(tr("Kedaluwarsa: {date}", date=expiry)))
    return out


def build_goods_receipt_document(record: GoodsReceiptRecord, *, copy: bool = False) -> ReceiptDocument:
    """The printed penerimaan barang: supplier, reference, lines in the unit bought, total, signatures."""
    out: list[Element] = [Text(tr("SALINAN"), align="center", bold=True, double=True)] if copy else []
    out += _outlet_header(record.outlet)
    out += [
        Rule("-"),
        Text(tr("PENERIMAAN BARANG"), align="center", bold=True),
        Pair(tr("No."), record.receipt_no),
        Pair(tr("Tanggal terima"), date.fromisoformat(record.received_on).strftime("%d-%m-%Y")),
        Pair(tr("Dicatat"), format_wita(record.created_at)),
        Pair(tr("Oleh"), record.cashier_name),
        Pair(tr("Pemasok"), record.supplier_name),
        Pair(tr("No. faktur"), record.reference),
        Rule("-"),
    ]
    for line in record.lines:
        out += _received_line(line)
    out += [
        Rule("-"),
        Pair(tr("TOTAL"), format_rupiah(record.total_cost), bold=True, double=True),
        Pair(tr("Jumlah baris"), str(len(record.lines))),
    ]
    if record.note:
        out.append(Text(tr("Catatan: {note}", note=record.note)))
    # The delivery is checked by two people: whoever brought it and whoever took it in.
    out += [Feed(2), Text(tr("Pengirim: ____________")), Feed(1), Text(tr("Penerima: ____________"))]
    if copy:
        out.append(Text(tr("SALINAN"), align="center", bold=True))
    out += [Feed(1), Barcode(record.receipt_no)]
    if record.journal_seq is not None:
        out.append(Text(_audit_line(record.journal_seq, record.journal_hash), align="center", small=True))
    out.append(Cut())
    return ReceiptDocument(tuple(out))
