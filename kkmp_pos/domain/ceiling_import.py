"""Reading a HET/HAP ceilings CSV: every bad cell reported by line and column, nothing half-accepted."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from kkmp_pos.domain.catalog_import import MAX_PRICE
from kkmp_pos.domain.file_problems import FileInvalid, RowProblem
from kkmp_pos.i18n import tr

CEILING_COLUMNS = ("sku", "kind", "amount", "source", "region", "effective_from")
"""Every column is required: a ceiling without its legal source or date is not a ceiling."""
CEILING_KINDS = ("HET", "HAP")
MAX_SKU, MAX_SOURCE, MAX_REGION = 40, 200, 60
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
"""Only 2025-08-22: a 08/09/2025 could be August or September, and a ceiling's date must not be guessed."""


@dataclass(frozen=True, slots=True)
class CeilingRow:
    """One valid ceiling: `amount` whole rupiah per catalogue unit of the SKU."""

    line: int
    sku: str
    kind: str
    amount: int
    source: str
    region: str
    effective_from: date

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What makes a ceiling unique: a correction comes as a new date, never as an edit."""
        return (self.sku, self.kind, self.region, self.effective_from.isoformat())


class CeilingFileInvalid(FileInvalid):
    """The ceilings file has problems; nothing is imported."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("Batas harga tidak diimpor karena ada {count} kesalahan. Perbaiki lalu impor ulang.",
                         problems)


def _text(line: int, record: dict[str, str], column: str, max_len: int, problems: list[RowProblem]) -> str:
    value = " ".join((record.get(column) or "").split())
    if not value:
        problems.append(RowProblem(line, column, tr("wajib diisi")))
    elif len(value) > max_len:
        problems.append(RowProblem(line, column, tr("terlalu panjang (paling banyak {n} karakter)", n=max_len)))
    return value


def _amount(line: int, raw: str, problems: list[RowProblem]) -> int | None:
    raw = raw.strip()
    if not raw:
        problems.append(RowProblem(line, "amount", tr("wajib diisi")))
        return None
    if not raw.isdigit():
        problems.append(RowProblem(line, "amount", tr(
            "'{value}' bukan rupiah bulat (contoh: 15700, tanpa titik atau koma)", value=raw)))
        return None
    value = int(raw)
    if value <= 0:
        problems.append(RowProblem(line, "amount", tr("harus lebih dari nol")))
        return None
    if value > MAX_PRICE:
        problems.append(RowProblem(line, "amount", tr("'{value}' terlalu besar; periksa jumlah nol", value=raw)))
        return None
    return value


def _effective(line: int, raw: str, problems: list[RowProblem]) -> date | None:
    raw = raw.strip()
    if not raw:
        problems.append(RowProblem(line, "effective_from", tr("wajib diisi")))
        return None
    try:
        if not ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(RowProblem(line, "effective_from", tr(
            "'{value}' bukan tanggal TTTT-BB-HH (contoh: 2025-08-22)", value=raw)))
        return None


def parse_ceilings_csv(data: str) -> list[CeilingRow]:
    """Parse a whole file; raises CeilingFileInvalid listing every problem if there is any."""
    problems: list[RowProblem] = []
    reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in CEILING_COLUMNS if c not in header]
    if missing:
        raise CeilingFileInvalid([RowProblem(1, c, tr("kolom tidak ada di baris judul")) for c in missing])
    rows: list[CeilingRow] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for record in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in record.values() if isinstance(v, str)):
            continue  # blank line
        before = len(problems)
        if record.get(None):  # type: ignore[call-overload]
            problems.append(RowProblem(line, "-", tr(
                "jumlah kolom lebih banyak dari baris judul (koma di dalam sumber? beri tanda kutip)")))
        sku = _text(line, record, "sku", MAX_SKU, problems)
        kind = (record.get("kind") or "").strip().upper()
        if kind not in CEILING_KINDS:
            problems.append(RowProblem(line, "kind", tr(
                "'{value}' tidak dikenal; isi HET (batas, memblokir) atau HAP (acuan, hanya peringatan)",
                value=kind)))
        amount = _amount(line, record.get("amount") or "", problems)
        source = _text(line, record, "source", MAX_SOURCE, problems)
        region = _text(line, record, "region", MAX_REGION, problems)
        effective = _effective(line, record.get("effective_from") or "", problems)
        if len(problems) > before or amount is None or effective is None:
            continue
        row = CeilingRow(line=line, sku=sku, kind=kind, amount=amount, source=source, region=region,
                         effective_from=effective)
        if row.key in seen:
            problems.append(RowProblem(line, "effective_from", tr(
                "{kind} {sku} untuk {region} mulai {day} sudah ada di baris {other}", kind=kind, sku=sku,
                region=region, day=effective.isoformat(), other=seen[row.key])))
            continue
        seen[row.key] = line
        rows.append(row)
    if problems:
        raise CeilingFileInvalid(problems)
    if not rows:
        raise CeilingFileInvalid([RowProblem(2, "-", tr("file tidak berisi satu batas harga pun"))])
    return rows
