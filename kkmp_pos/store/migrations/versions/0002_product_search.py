"""Product name search: an FTS5 trigram index (external content) kept current by triggers.

Revision ID: 0002_product_search
Revises: 0001_initial
"""

from __future__ import annotations

from alembic import op

revision = "0002_product_search"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

# External content: the index stores only trigrams, rows stay in `product`; `name_norm` is already
# casefolded and accent-free, so the trigram tokenizer needs no diacritics option (SQLite >= 3.34 suffices).
STATEMENTS = (
    """CREATE VIRTUAL TABLE product_search USING fts5(
           name_norm, sku, content='product', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER product_search_ai AFTER INSERT ON product BEGIN
           INSERT INTO product_search(rowid, name_norm, sku) VALUES (new.id, new.name_norm, new.sku);
       END""",
    """CREATE TRIGGER product_search_ad AFTER DELETE ON product BEGIN
           INSERT INTO product_search(product_search, rowid, name_norm, sku)
           VALUES ('delete', old.id, old.name_norm, old.sku);
       END""",
    """CREATE TRIGGER product_search_au AFTER UPDATE OF name_norm, sku ON product BEGIN
           INSERT INTO product_search(product_search, rowid, name_norm, sku)
           VALUES ('delete', old.id, old.name_norm, old.sku);
           INSERT INTO product_search(rowid, name_norm, sku) VALUES (new.id, new.name_norm, new.sku);
       END""",
    # Products written before this revision are indexed too.
    "INSERT INTO product_search(product_search) VALUES ('rebuild')",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for name in ("product_search_au", "product_search_ad", "product_search_ai"):
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE product_search")
