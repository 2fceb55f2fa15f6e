"""Master data the city publishes (catalogue, HET ceilings, LPG limits, settings) and the signed pull of it."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, insert, select, update

from sync.protocol.canonical import canon
from sync.protocol.keys import Ed25519PrivateKey, sign
from sync.server.clock import rfc3339, utc_now
from sync.server.enrolment import AdminError
from sync.server.store.schema import master_item, master_version

PRODUCT_COLUMNS = ("sku", "barcode", "name", "category", "unit", "price", "member_price", "het_per_unit",
                   "het_source", "ppn", "sold_by_weight", "lpg_kind", "cost_price")
CEILING_COLUMNS = ("sku", "kind", "amount", "source", "region", "effective_from")
LPG_LIMIT_COLUMNS = ("category", "per_day", "per_month")
SETTING_COLUMNS = ("key", "value")
KINDS: dict[frozenset[str], str] = {
    frozenset(PRODUCT_COLUMNS): "product",
    frozenset(CEILING_COLUMNS): "ceiling",
    frozenset(LPG_LIMIT_COLUMNS): "lpg_limit",
    frozenset(SETTING_COLUMNS): "setting",
}
# A copy of kkmp_pos.domain.lpg.CATEGORY_LABELS' keys: `sync` must not import the outlet app.
LPG_CATEGORIES = ("rumah_tangga", "usaha_mikro", "nelayan_sasaran", "petani_sasaran", "pengecer")
MAX_FILE_BYTES = 20 << 20
MAX_KEY = 120
_INT = re.compile(r"\d{1,15}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class MasterFileError(AdminError):
    """A master data file the server refuses; nothing was published."""


Row = dict[str, str]


def _problem(line: int, column: str, reason: str) -> MasterFileError:
    return MasterFileError(f"Baris {line}, kolom '{column}': {reason}")


def _required(row: Row, column: str, line: int) -> None:
    if not row[column].strip():
        raise _problem(line, column, "wajib diisi")


def _integer(row: Row, column: str, line: int, *, optional: bool = False) -> None:
    value = row[column].strip()
    if optional and not value:
        return
    if not _INT.fullmatch(value):
        raise _problem(line, column, f"'{value}' bukan bilangan bulat 0 atau lebih (tanpa titik/koma)")


def _check_product(row: Row, line: int) -> str:
    _required(row, "sku", line)
    _required(row, "name", line)
    _integer(row, "price", line)
    for column in ("member_price", "het_per_unit", "cost_price"):
        _integer(row, column, line, optional=True)
    if row["ppn"].strip().lower() not in ("", "bebas", "kena"):
        raise _problem(line, "ppn", f"'{row['ppn']}' tidak dikenal; isi 'bebas' atau 'kena'")
    if row["sold_by_weight"].strip() not in ("", "0", "1"):
        raise _problem(line, "sold_by_weight", "isi 0 (satuan) atau 1 (ditimbang)")
    return row["sku"].strip()


def _check_ceiling(row: Row, line: int) -> str:
    _required(row, "sku", line)
    _required(row, "kind", line)
    _integer(row, "amount", line)
    when = row["effective_from"].strip()
    try:
        if not _DATE.fullmatch(when):
            raise ValueError(when)
        date.fromisoformat(when)
    except ValueError:
        raise _problem(line, "effective_from", f"'{when}' bukan tanggal YYYY-MM-DD") from None
    return f"{row['sku'].strip()}|{row['kind'].strip()}|{when}"


def _check_lpg_limit(row: Row, line: int) -> str:
    category = row["category"].strip()
    if category not in LPG_CATEGORIES:
        raise _problem(line, "category", f"'{category}' tidak dikenal; isi salah satu: {', '.join(LPG_CATEGORIES)}")
    _integer(row, "per_day", line, optional=True)
    _integer(row, "per_month", line, optional=True)
    return category


def _check_setting(row: Row, line: int) -> str:
    _required(row, "key", line)
    return row["key"].strip()


CHECKS: dict[str, Callable[[Row, int], str]] = {
    "product": _check_product, "ceiling": _check_ceiling, "lpg_limit": _check_lpg_limit,
    "setting": _check_setting,
}


def read_master_csv(path: Path) -> tuple[str, dict[str, Row]]:
    """`(kind, {key: row})` from a CSV file, every row checked; MasterFileError (Indonesian) otherwise."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MasterFileError(f"Berkas '{path}' tidak ditemukan.") from None
    except OSError as exc:
        raise MasterFileError(f"Berkas '{path}' tidak dapat dibaca: {exc.strerror}.") from None
    if len(raw) > MAX_FILE_BYTES:
        raise MasterFileError(f"Berkas '{path}' terlalu besar (maksimal {MAX_FILE_BYTES >> 20} MB).")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MasterFileError(f"Berkas '{path}' bukan teks UTF-8. Simpan ulang sebagai CSV UTF-8.") from None
    if "\x00" in text:
        raise MasterFileError(f"Berkas '{path.name}' berisi karakter NUL: bukan berkas CSV teks.")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [column.strip() for column in next(reader, [])]
        kind = KINDS.get(frozenset(header)) if len(set(header)) == len(header) else None
        if kind is None:
            raise MasterFileError(
                f"Kolom judul berkas '{path.name}' tidak dikenal: {','.join(header) or '(kosong)'}. Gunakan "
                f"salah satu: {'; '.join(','.join(cols) for cols in (PRODUCT_COLUMNS, CEILING_COLUMNS, LPG_LIMIT_COLUMNS, SETTING_COLUMNS))}.")
        rows: dict[str, Row] = {}
        for values in reader:
            line = reader.line_num
            if not any(value.strip() for value in values):
                continue  # blank line
            if len(values) != len(header):
                raise MasterFileError(f"Baris {line}: ada {len(values)} kolom, seharusnya {len(header)}.")
            row = {column: value.strip() for column, value in zip(header, values, strict=True)}
            key = CHECKS[kind](row, line)
            if len(key) > MAX_KEY:
                raise MasterFileError(f"Baris {line}: kunci '{key[:40]}…' terlalu panjang.")
            if key in rows:
                raise MasterFileError(f"Baris {line}: '{key}' sudah ada di baris sebelumnya.")
            rows[key] = row
    except csv.Error as exc:
        raise MasterFileError(f"Berkas '{path.name}' bukan CSV yang sah (baris {reader.line_num}): {exc}.") from None
    if not rows:
        raise MasterFileError(f"Berkas '{path.name}' tidak berisi baris data.")
    return kind, rows


def latest_master_version(connection: Connection) -> int:
    """The newest published version, 0 before anything was published."""
    return int(connection.execute(select(func.coalesce(func.max(master_version.c.version), 0))).scalar_one())


def publish_master_csv(engine: Engine, path: Path | str, now: datetime | None = None) -> dict[str, Any]:
    """Publish a CSV as one new version holding only the rows that changed; nothing changed → nothing published.

    Rows missing from the file are not withdrawn: a file says what is (re)published, not the whole list.
    """
    path = Path(path)
    kind, rows = read_master_csv(path)
    payloads = {key: canon(row).decode("utf-8") for key, row in rows.items()}
    with engine.begin() as connection:
        stored = dict(connection.execute(
            select(master_item.c.key, master_item.c.payload).where(master_item.c.kind == kind)).all())
        new = [key for key in payloads if key not in stored]
        changed = [key for key in payloads if key in stored and stored[key] != payloads[key]]
        latest = latest_master_version(connection)
        summary: dict[str, Any] = {"kind": kind, "rows": len(rows), "source": path.name}
        if not new and not changed:
            return {**summary, "version": latest, "items": 0, "published": False,
                    "message": "Tidak ada perubahan: semua baris sudah terbit, tidak ada versi baru."}
        version = latest + 1
        # Two publishers racing get the same `version`; the primary key lets only one commit.
        connection.execute(insert(master_version).values(
            version=version, published_at=rfc3339(now or utc_now()), source=path.name[:200],
            items=len(new) + len(changed)))
        if new:
            connection.execute(insert(master_item), [
                {"kind": kind, "key": key, "version": version, "payload": payloads[key]} for key in new])
        if changed:
            connection.execute(
                update(master_item)
                .where(master_item.c.kind == kind, master_item.c.key == bindparam("b_key"))
                .values(version=version, payload=bindparam("b_payload")),
                [{"b_key": key, "b_payload": payloads[key]} for key in changed])
    return {**summary, "version": version, "items": len(new) + len(changed), "new": len(new),
            "changed": len(changed), "published": True}


def master_since(engine: Engine, outlet_id: str, since: int, server_key: Ed25519PrivateKey) -> dict[str, Any]:
    """The signed `GET /v1/outlets/{id}/master` body: every item newer than `since`, sorted by (kind, key).

    Every outlet gets the same city-wide master data today; `outlet_id` is where a per-region price list
    would select its rows. The caller has checked the device belongs to the outlet.
    """
    del outlet_id
    with engine.connect() as connection:
        latest = latest_master_version(connection)
        changes: list[dict[str, Any]] = []
        if since < latest:
            result = connection.execute(
                select(master_item.c.kind, master_item.c.key, master_item.c.payload)
                .where(master_item.c.version > since)
                .order_by(master_item.c.kind, master_item.c.key))
            changes = [{"kind": kind, "key": key, "row": json.loads(payload)} for kind, key, payload in result]
    # Sort again in Python: PostgreSQL's collation may order text differently from code points.
    changes.sort(key=lambda change: (change["kind"], change["key"]))
    # Never an empty snapshot: a client may read "snapshot" as "replace everything you hold".
    body: dict[str, Any] = {"version": latest, "snapshot": since == 0 and since < latest, "changes": changes}
    body["sig"] = sign(server_key, body)
    return body
