"""Hand-written SQL for the scan path's reads: product by barcode and name search, one round trip each."""

from __future__ import annotations

PRODUCT_COLUMNS = (
    "p.id, p.sku, p.name, p.category, p.unit, p.price, p.member_price, p.het, p.ppn, p.sold_by_weight, p.lpg_kind"
)
"""The order `kkmp_pos.services.catalog` reads product rows in."""

PRODUCT_BY_BARCODE = (
    f"SELECT {PRODUCT_COLUMNS} FROM product_barcode b JOIN product p ON p.id = b.product_id "
    "WHERE b.barcode = ? AND p.active"
)

PRODUCT_BY_SKU = f"SELECT {PRODUCT_COLUMNS} FROM product p WHERE p.sku = ?"


def product_search(short_words: int) -> str:
    """FTS5 trigram MATCH, with a LIKE filter per word too short for trigrams (< 3 characters)."""
    return (
        f"SELECT {PRODUCT_COLUMNS} FROM product_search s JOIN product p ON p.id = s.rowid "
        "WHERE product_search MATCH ? AND p.active"
        + " AND p.name_norm LIKE ?" * short_words
        + " LIMIT ?"
    )


# A half-open range on the indexed, already casefolded name: an index seek, never a scan.
PRODUCT_NAME_PREFIX = (
    f"SELECT {PRODUCT_COLUMNS} FROM product p "
    "WHERE p.name_norm >= ? AND p.name_norm < ? AND p.active ORDER BY p.name_norm LIMIT ?"
)
