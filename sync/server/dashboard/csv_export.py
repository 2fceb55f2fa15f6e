"""CSV exports: an outlet's sales per day per product, and the overview table (for spreadsheets)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from sync.server.dashboard.formatting import qty_plain

SALES_HEADER = ["tanggal", "gerai_id", "gerai", "sku", "nama_produk", "qty_milli", "qty", "jumlah_rp", "baris"]
OVERVIEW_HEADER = ["gerai_id", "gerai", "kode_kelurahan", "kelurahan", "kecamatan", "sinkron_terakhir_utc",
                   "hari_tanpa_sinkron", "penjualan_hari_ini_rp", "penjualan_bulan_ini_rp", "z_hari_ini",
                   "lpg3_bulan_ini", "lpg3_alokasi", "tanda_het", "tanda_lpg", "tanda_fork", "tanda_gap",
                   "tanda_lain"]
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _safe(value: Any) -> Any:
    """A text cell starting with = + - @ is written with a leading ' so a spreadsheet never runs it as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.match(value):
        return "'" + value
    return value


def _write(header: list[str], rows: Iterable[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe(cell) for cell in row])
    return buffer.getvalue()


def sales_csv(item: Any, rows: Iterable[Any]) -> str:
    return _write(SALES_HEADER, ([r.business_date, item.id, item.name, r.sku, r.name, int(r.qty_milli),
                                  qty_plain(r.qty_milli), int(r.amount), int(r.lines)] for r in rows))


def overview_csv(rows: Iterable[dict]) -> str:
    def line(r: dict) -> list[Any]:
        synced = r["last_sync"]
        return [r["id"], r["name"], r["kelurahan_code"], r["kelurahan"], r["kecamatan"],
                synced.strftime("%Y-%m-%dT%H:%M:%SZ") if synced else "",
                "" if r["days_without_sync"] is None else r["days_without_sync"],
                r["today_sales"], r["month_sales"], "ya" if r["z_closed"] else "tidak", r["lpg_cylinders"],
                r["lpg_allocation"], r["flags"]["het"], r["flags"]["lpg"], r["flags"]["fork"], r["flags"]["gap"],
                r["flags"]["lain"]]
    return _write(OVERVIEW_HEADER, (line(r) for r in rows))
