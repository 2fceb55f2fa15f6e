"""The catalogue: import from CSV (all or nothing, update by SKU), barcode lookup, name search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from kkmp_pos.domain.catalog_import import CatalogFileInvalid, CatalogRow, parse_catalog_csv
from kkmp_pos.domain.file_problems import RowProblem
from kkmp_pos.domain.product import Product
from kkmp_pos.domain.text import search_key
from kkmp_pos.services.context import PosContext
from kkmp_pos.store import queries
from kkmp_pos.store.models import Product as ProductRow
from kkmp_pos.store.models import ProductBarcode

SEARCH_LIMIT = 50
MIN_SEARCH_CHARS = 2

_product = ProductRow.__table__
_barcode = ProductBarcode.__table__


def _to_product(row: tuple[Any, ...], barcode: str | None = None) -> Product:
    """A row in `queries.PRODUCT_COLUMNS` order."""
    pid, sku, name, category, unit, price, member_price, het, ppn, weighed, lpg_kind = row
    return Product(
        id=pid, sku=sku, name=name, category=category, unit=unit, price=price, member_price=member_price,
        het=het, ppn=ppn, sold_by_weight=bool(weighed), lpg_kind=lpg_kind, barcode=barcode,
    )


def find_by_barcode(ctx: PosContext, code: str) -> Product | None:
    """The active product carrying `code`, or None (unique index: one indexed probe)."""
    code = code.strip()
    if not code:
        return None
    row = ctx.quick_reader().execute(queries.PRODUCT_BY_BARCODE, (code,)).fetchone()
    return _to_product(row, code) if row else None


def find_by_sku(ctx: PosContext, sku: str) -> Product | None:
    row = ctx.quick_reader().execute(queries.PRODUCT_BY_SKU, (sku.strip(),)).fetchone()
    return _to_product(row) if row else None


def _fts_query(key: str) -> tuple[str, list[str]]:
    """Trigram MATCH for words of 3+ characters; shorter words are filtered with LIKE afterwards."""
    words = key.split()
    long_words = [w for w in words if len(w) >= 3]
    short_words = [w for w in words if len(w) < 3]
    match = " AND ".join('"' + w.replace('"', '""') + '"' for w in long_words)
    return match, short_words


def search_products(ctx: PosContext, text: str, limit: int = SEARCH_LIMIT) -> list[Product]:
    """Up to `limit` active products whose name or SKU contains `text` (case/accent-insensitive).

    3+ characters go through the FTS5 trigram index; 2 characters use the indexed name prefix, so no
    query ever scans the catalogue. Names that start with the text come first.
    """
    key = search_key(text)
    if len(key) < MIN_SEARCH_CHARS:
        return []
    reader = ctx.quick_reader()
    if key.isdigit() and len(key) >= 4:
        row = reader.execute(queries.PRODUCT_BY_BARCODE, (key,)).fetchone()
        if row:
            return [_to_product(row, key)]
    match, short_words = _fts_query(key)
    if match:
        like = [f"%{w}%" for w in short_words]
        rows = reader.execute(queries.product_search(len(short_words)), (match, *like, limit)).fetchall()
    else:
        rows = reader.execute(queries.PRODUCT_NAME_PREFIX, (key, key + "\uffff", limit)).fetchall()
    products = [_to_product(row) for row in rows]
    products.sort(key=lambda p: (not search_key(p.name).startswith(key), p.name.casefold()))
    return products


@dataclass(frozen=True, slots=True)
class ImportResult:
    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.created + self.updated


def import_catalog_text(ctx: PosContext, data: str) -> ImportResult:
    """Import a catalogue CSV: every row valid or nothing written; existing SKUs are updated."""
    rows = parse_catalog_csv(data)
    with ctx.unit_of_work() as uow:
        result = write_catalog_rows(uow.connection, rows, ctx.clock())
        uow.commit()
    return result


def write_catalog_rows(connection: Connection, rows: list[CatalogRow], now: Any) -> ImportResult:
    """Upsert parsed rows by SKU inside the caller's transaction (the CSV import, the city's master data)."""
    existing = dict(connection.execute(select(_product.c.sku, _product.c.id)).all())
    codes = [code for row in rows for code in row.barcodes]
    owners: dict[str, str] = {}
    for chunk_start in range(0, len(codes), 500):
        chunk = codes[chunk_start:chunk_start + 500]
        owners.update(connection.execute(
            select(_barcode.c.barcode, _product.c.sku)
            .join(_product, _product.c.id == _barcode.c.product_id)
            .where(_barcode.c.barcode.in_(chunk))
        ).all())
    problems = [
        RowProblem(row.line, "barcode", f"'{code}' sudah dipakai produk {owners[code]} yang tidak ada di file ini")
        for row in rows for code in row.barcodes
        if code in owners and owners[code] != row.sku and owners[code] not in {r.sku for r in rows}
    ]
    if problems:
        raise CatalogFileInvalid(problems)
    updates = [_values(row, now) | {"b_id": existing[row.sku]} for row in rows if row.sku in existing]
    inserts = [_values(row, now) for row in rows if row.sku not in existing]
    if updates:
        connection.execute(
            update(_product).where(_product.c.id == bindparam("b_id")),
            [{k: v for k, v in u.items()} for u in updates],
        )
        connection.execute(delete(_barcode).where(_barcode.c.product_id.in_([u["b_id"] for u in updates])))
    if inserts:
        connection.execute(insert(_product), inserts)
    ids = dict(connection.execute(select(_product.c.sku, _product.c.id)).all())
    barcode_rows = [{"barcode": code, "product_id": ids[row.sku]} for row in rows for code in row.barcodes]
    if barcode_rows:
        connection.execute(insert(_barcode), barcode_rows)
    return ImportResult(created=len(inserts), updated=len(updates))


def _values(row: CatalogRow, now: Any) -> dict[str, Any]:
    return {
        "sku": row.sku, "name": row.name, "name_norm": search_key(row.name), "category": row.category,
        "unit": row.unit, "sold_by_weight": row.sold_by_weight, "price": row.price,
        "member_price": row.member_price, "het": row.het, "het_source": row.het_source, "ppn": row.ppn,
        "lpg_kind": row.lpg_kind, "cost_price": row.cost_price, "active": True, "updated_at": now,
    }
