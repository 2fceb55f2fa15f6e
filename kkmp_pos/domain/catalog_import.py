"""Reading a catalogue CSV (the sample's columns): every bad cell reported, nothing half-accepted."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from kkmp_pos.domain.file_problems import FileInvalid, RowProblem
from kkmp_pos.domain.product import LPG_KINDS, PPN_EXEMPT, PPN_TAXABLE

REQUIRED_COLUMNS = ("sku", "name", "category", "unit", "price")
KNOWN_COLUMNS = REQUIRED_COLUMNS + (
    "barcode", "member_price", "het_per_unit", "het_source", "ppn", "sold_by_weight", "lpg_kind", "cost_price",
)
MAX_PRICE = 100_000_000
"""No single gerai product costs Rp100 juta; a bigger number is a typing slip (extra zeros)."""


@dataclass(frozen=True, slots=True)
class CatalogRow:
    """One valid product row; prices in whole rupiah per base unit."""

    line: int
    sku: str
    barcodes: tuple[str, ...]
    name: str
    category: str
    unit: str
    price: int
    member_price: int | None
    het: int | None
    het_source: str | None
    ppn: str
    sold_by_weight: bool
    lpg_kind: str | None
    cost_price: int | None


class CatalogFileInvalid(FileInvalid):
    """The catalogue file has problems; nothing is imported."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("Katalog tidak diimpor karena ada {count} kesalahan. Perbaiki lalu impor ulang.", problems)


def _ean_ok(code: str) -> bool:
    """EAN-13 / EAN-8 / UPC-A check digit; other lengths (internal codes) are accepted as they are."""
    if len(code) not in (8, 12, 13):
        return True
    digits = [int(c) for c in code]
    body, check = digits[:-1], digits[-1]
    weights = [3, 1] if len(body) % 2 else [1, 3]
    total = sum(d * weights[i % 2] for i, d in enumerate(body))
    return (10 - total % 10) % 10 == check


class _RowReader:
    """Collects the problems of one row while converting its cells."""

    def __init__(self, line: int, row: dict[str, str], problems: list[RowProblem]) -> None:
        self.line, self.row, self.problems = line, row, problems

    def problem(self, column: str, reason: str) -> None:
        self.problems.append(RowProblem(self.line, column, reason))

    def text(self, column: str, *, required: bool, max_len: int) -> str:
        value = (self.row.get(column) or "").strip()
        if required and not value:
            self.problem(column, "wajib diisi")
        elif len(value) > max_len:
            self.problem(column, f"terlalu panjang (paling banyak {max_len} karakter)")
        return value

    def rupiah(self, column: str, *, required: bool) -> int | None:
        raw = (self.row.get(column) or "").strip()
        if not raw:
            if required:
                self.problem(column, "wajib diisi")
            return None
        if not raw.isdigit():
            self.problem(column, f"'{raw}' bukan rupiah bulat (contoh: 15700, tanpa titik atau koma)")
            return None
        value = int(raw)
        if value > MAX_PRICE:
            self.problem(column, f"'{raw}' terlalu besar; periksa jumlah nol")
            return None
        return value


def parse_catalog_csv(data: str) -> list[CatalogRow]:
    """Parse a whole file; raises CatalogFileInvalid listing every problem if there is any."""
    problems: list[RowProblem] = []
    reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CatalogFileInvalid([RowProblem(1, c, "kolom tidak ada di baris judul") for c in missing])
    rows: list[CatalogRow] = []
    seen_sku: dict[str, int] = {}
    seen_barcode: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in record.values() if isinstance(v, str)):
            continue  # blank line
        r = _RowReader(line, record, problems)
        if record.get(None):  # type: ignore[call-overload]
            r.problem("-", "jumlah kolom lebih banyak dari baris judul (koma di dalam nama? beri tanda kutip)")
        sku = r.text("sku", required=True, max_len=40)
        name = r.text("name", required=True, max_len=160)
        category = r.text("category", required=True, max_len=60)
        unit = r.text("unit", required=True, max_len=16)
        price = r.rupiah("price", required=True)
        member_price = r.rupiah("member_price", required=False)
        het = r.rupiah("het_per_unit", required=False)
        cost = r.rupiah("cost_price", required=False)
        het_source = r.text("het_source", required=False, max_len=200) or None
        ppn = (record.get("ppn") or PPN_EXEMPT).strip().lower() or PPN_EXEMPT
        if ppn not in (PPN_EXEMPT, PPN_TAXABLE):
            r.problem("ppn", f"'{ppn}' tidak dikenal; isi 'bebas' atau 'kena'")
        weighed_raw = (record.get("sold_by_weight") or "0").strip() or "0"
        if weighed_raw not in ("0", "1"):
            r.problem("sold_by_weight", f"'{weighed_raw}' tidak dikenal; isi 0 (satuan) atau 1 (ditimbang)")
        lpg_kind = (record.get("lpg_kind") or "").strip() or None
        if lpg_kind is not None and lpg_kind not in LPG_KINDS:
            r.problem("lpg_kind", f"'{lpg_kind}' tidak dikenal; isi salah satu: {', '.join(LPG_KINDS)}")
        barcodes = tuple(b for b in (x.strip() for x in (record.get("barcode") or "").split("|")) if b)
        for code in barcodes:
            if not code.isdigit() or not 4 <= len(code) <= 32:
                r.problem("barcode", f"'{code}' bukan barcode angka (4-32 digit)")
            elif not _ean_ok(code):
                r.problem("barcode", f"'{code}': digit pemeriksa EAN salah; periksa ketikannya")
            elif code in seen_barcode:
                r.problem("barcode", f"'{code}' sudah dipakai di baris {seen_barcode[code]}")
            else:
                seen_barcode[code] = line
        if sku:
            if sku in seen_sku:
                r.problem("sku", f"'{sku}' sudah ada di baris {seen_sku[sku]}")
            else:
                seen_sku[sku] = line
        if price is not None and het is not None and price > het:
            r.problem("price", f"harga {price} di atas HET {het}")
        if price is not None and member_price is not None and member_price > price:
            r.problem("member_price", "harga anggota lebih tinggi dari harga umum")
        if any(p.line == line for p in problems) or price is None:
            continue
        rows.append(CatalogRow(
            line=line, sku=sku, barcodes=barcodes, name=name, category=category, unit=unit, price=price,
            member_price=member_price, het=het, het_source=het_source, ppn=ppn,
            sold_by_weight=weighed_raw == "1", lpg_kind=lpg_kind, cost_price=cost,
        ))
    if problems:
        raise CatalogFileInvalid(problems)
    if not rows:
        raise CatalogFileInvalid([RowProblem(2, "-", "file tidak berisi satu produk pun")])
    return rows
