"""What the manager reads about stock: the stock card per product, the stock list with value, soon-expiring goods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from kkmp_pos.domain.clock import business_date
from kkmp_pos.domain.errors import InvalidInput, NotFound
from kkmp_pos.domain.money import Rupiah
from kkmp_pos.domain.roles import APPROVER_ROLES, Role
from kkmp_pos.domain.stock import ADJUSTMENT_REASONS, stock_value
from kkmp_pos.domain.text import search_key
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.uow import reading
from kkmp_pos.store.types import utc_text

CARD_PAGE = 200
"""Movements per page of a stock card; older ones load on request ("lebih lama")."""
LIST_LIMIT = 300
"""Rows of the stock list shown at once; the search narrows a large catalogue."""
EXPIRY_DAYS = 30
OPENING = "opening"
"""The stock card's kind for opening balances: 'adjustment' movements without a stock_adjustment row."""


@dataclass(frozen=True, slots=True)
class CardLine:
    """One movement on the stock card; `reference` is a document number or an adjustment reason."""

    moved_at: datetime
    kind: str
    reference: str
    qty_milli: int
    balance_milli: int

    @property
    def in_milli(self) -> int:
        return max(self.qty_milli, 0)

    @property
    def out_milli(self) -> int:
        return max(-self.qty_milli, 0)


@dataclass(frozen=True, slots=True)
class CardCursor:
    """Where an older page starts: strictly before this movement (time, then insertion order)."""

    created_at: datetime
    rowid: int


@dataclass(frozen=True, slots=True)
class StockCard:
    product_id: int
    sku: str
    name: str
    unit: str
    weighed: bool
    lines: tuple[CardLine, ...]
    """In time order, oldest first; the last line's balance is the on-hand after it."""
    opening_milli: int
    """The balance before the first line of this page."""
    older: CardCursor | None
    """Set when older movements exist: pass it as `before` to load them."""


@dataclass(frozen=True, slots=True)
class StockRow:
    product_id: int
    sku: str
    name: str
    category: str
    unit: str
    weighed: bool
    on_hand_milli: int
    cost_price: Rupiah | None
    low_stock_milli: int | None

    @property
    def value(self) -> Rupiah:
        return stock_value(self.on_hand_milli, self.cost_price)

    @property
    def needs_order(self) -> bool:
        return self.low_stock_milli is not None and self.on_hand_milli < self.low_stock_milli


@dataclass(frozen=True, slots=True)
class StockList:
    rows: tuple[StockRow, ...]
    matching: int
    """Products matching the filter (rows holds at most the limit)."""
    total_value: Rupiah
    """Stock value of every matching product, not only the rows shown."""


@dataclass(frozen=True, slots=True)
class ExpiringLine:
    receipt_no: str
    received_on: str
    product_id: int
    sku: str
    name: str
    weighed: bool
    unit: str
    received_milli: int
    on_hand_milli: int
    expiry_date: date
    days_left: int


_CARD_PAGE_SQL = """
SELECT m.rowid AS rid, m.created_at, m.kind, m.qty_milli,
       s.receipt_no AS sale_no, r.refund_no, g.receipt_no AS goods_no, c.count_no,
       a.id AS adjustment_id, a.reason, a.note
FROM stock_movement AS m
LEFT JOIN sale AS s ON m.kind = 'sale' AND s.id = m.ref_id
LEFT JOIN refund AS r ON m.kind = 'refund' AND r.id = m.ref_id
LEFT JOIN goods_receipt AS g ON m.kind = 'receipt' AND g.id = m.ref_id
LEFT JOIN stock_count AS c ON m.kind = 'count' AND c.id = m.ref_id
LEFT JOIN stock_adjustment AS a ON m.kind = 'adjustment' AND a.id = m.ref_id
WHERE m.product_id = :pid AND (m.created_at, m.rowid) < (:before_at, :before_rid)
ORDER BY m.created_at DESC, m.rowid DESC
LIMIT :limit
"""

_BALANCE_BEFORE_SQL = """
SELECT COALESCE(SUM(qty_milli), 0) FROM stock_movement
WHERE product_id = :pid AND (created_at, rowid) < (:before_at, :before_rid)
"""

_FAR_FUTURE = "9999-12-31"
_MAX_ROWID = 2**62


def _reference(row: Any) -> tuple[str, str]:
    """(kind, reference) of a movement row, joined to its document."""
    if row.kind == "adjustment":
        if row.adjustment_id is None:
            return OPENING, ""
        label = ADJUSTMENT_REASONS.get(row.reason, row.reason)
        return row.kind, f"{label}: {row.note}" if row.note else label
    number = {"sale": row.sale_no, "refund": row.refund_no, "receipt": row.goods_no, "count": row.count_no}
    return row.kind, number.get(row.kind) or ""


def _product_head(connection: Connection, product_id: int) -> Any:
    head = connection.execute(text("SELECT id, sku, name, unit, sold_by_weight FROM product WHERE id = :pid"),
                              {"pid": product_id}).first()
    if head is None:
        raise NotFound("Barang tidak ditemukan. Pilih ulang dari daftar stok.")
    return head


def stock_card(ctx: PosContext, product_id: int, *, before: CardCursor | None = None,
               limit: int = CARD_PAGE) -> StockCard:
    """The newest `limit` movements of a product (or those before `before`), shown oldest first with balances.

    Uses the (product_id, created_at) index both for the page and for the balance before it, so a product
    with many thousands of movements opens as fast as a new one.
    """
    with reading(ctx.engine) as connection:
        head = _product_head(connection, product_id)
        bound = {"pid": product_id,
                 "before_at": _FAR_FUTURE if before is None else utc_text(before.created_at),
                 "before_rid": _MAX_ROWID if before is None else before.rowid}
        rows = connection.execute(text(_CARD_PAGE_SQL), {**bound, "limit": limit + 1}).all()
        page = list(reversed(rows[:limit]))
        older = None
        opening = 0
        if page:
            first = page[0]
            cursor = {"pid": product_id, "before_at": first.created_at, "before_rid": first.rid}
            opening = int(connection.execute(text(_BALANCE_BEFORE_SQL), cursor).scalar_one())
    balance = opening
    lines: list[CardLine] = []
    for row in page:
        balance += row.qty_milli
        kind, reference = _reference(row)
        lines.append(CardLine(moved_at=datetime.fromisoformat(row.created_at), kind=kind, reference=reference, qty_milli=row.qty_milli,
                              balance_milli=balance))
    if len(rows) > limit and lines:
        older = CardCursor(created_at=lines[0].moved_at, rowid=page[0].rid)
    return StockCard(product_id=head.id, sku=head.sku, name=head.name, unit=head.unit,
                     weighed=bool(head.sold_by_weight), lines=tuple(lines), opening_milli=opening, older=older)


_ON_HAND_CTE = """
WITH oh AS (SELECT product_id, SUM(qty_milli) AS qty FROM stock_movement GROUP BY product_id)
"""
_LIST_FROM = """
FROM product AS p LEFT JOIN oh ON oh.product_id = p.id
WHERE (:key = '' OR p.name_norm LIKE :like OR lower(p.sku) LIKE :like OR lower(p.category) LIKE :like)
  AND (:needs_order = 0 OR (p.low_stock_milli IS NOT NULL AND COALESCE(oh.qty, 0) < p.low_stock_milli))
"""
# Integer rupiah, half-up per product like domain.stock.stock_value (positive stock only).
_VALUE_SQL = ("CASE WHEN p.cost_price IS NULL OR COALESCE(oh.qty, 0) <= 0 THEN 0 "
              "ELSE (oh.qty * p.cost_price + 500) / 1000 END")


def stock_list(ctx: PosContext, search: str = "", *, needs_order: bool = False,
               limit: int = LIST_LIMIT) -> StockList:
    """Products matching `search` (name, SKU or category), optionally only those below their threshold."""
    key = search_key(search)
    params = {"key": key, "like": f"%{key}%", "needs_order": int(needs_order), "limit": limit}
    with reading(ctx.engine) as connection:
        rows = connection.execute(text(
            _ON_HAND_CTE + "SELECT p.id, p.sku, p.name, p.category, p.unit, p.sold_by_weight, p.cost_price, "
            "p.low_stock_milli, COALESCE(oh.qty, 0) AS qty " + _LIST_FROM + "ORDER BY p.name_norm, p.id LIMIT :limit"
        ), params).all()
        matching, total = connection.execute(text(
            _ON_HAND_CTE + f"SELECT COUNT(*), COALESCE(SUM({_VALUE_SQL}), 0) " + _LIST_FROM
        ), params).one()
    return StockList(rows=tuple(
        StockRow(product_id=row.id, sku=row.sku, name=row.name, category=row.category, unit=row.unit,
                 weighed=bool(row.sold_by_weight), on_hand_milli=int(row.qty), cost_price=row.cost_price,
                 low_stock_milli=row.low_stock_milli)
        for row in rows
    ), matching=int(matching), total_value=int(total))


def set_low_stock(ctx: PosContext, product_id: int, threshold_milli: int | None, *, user_role: str,
                  user_id: str) -> None:
    """Set (or clear, with None) the 'perlu dipesan' threshold of a product; manajer or admin only."""
    if Role(user_role) not in APPROVER_ROLES:
        raise InvalidInput("Hanya manajer atau admin yang dapat mengubah batas stok minimum.")
    if threshold_milli is not None and threshold_milli < 0:
        raise InvalidInput("Batas stok minimum tidak boleh negatif.")
    now = ctx.clock()
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        head = _product_head(connection, product_id)
        write_low_stock(connection, product_id, threshold_milli)
        append_event(connection, type="stock_threshold", at=now,
                     body={"sku": head.sku, "low_stock_milli": threshold_milli, "user_id": user_id})
        uow.commit()


def write_low_stock(connection: Connection, product_id: int, threshold_milli: int | None) -> None:
    """The threshold of a `stock_threshold` event; set_low_stock and the journal replay after a restore share it."""
    connection.execute(text("UPDATE product SET low_stock_milli = :t WHERE id = :pid"),
                       {"t": threshold_milli, "pid": product_id})


def expiring_soon(ctx: PosContext, days: int = EXPIRY_DAYS, *, limit: int = LIST_LIMIT) -> list[ExpiringLine]:
    """Receipt lines whose expiry date is within `days` (or already past) of products still on hand."""
    if days < 0:
        raise InvalidInput("Jumlah hari tidak boleh negatif.")
    today = business_date(ctx.clock())
    until = (today + timedelta(days=days)).isoformat()
    with reading(ctx.engine) as connection:
        rows = connection.execute(text(
            "SELECT g.receipt_no, g.received_on, l.product_id, p.sku, p.name, p.unit, p.sold_by_weight, "
            "l.base_qty_milli, l.expiry_date, "
            "(SELECT COALESCE(SUM(m.qty_milli), 0) FROM stock_movement AS m WHERE m.product_id = l.product_id) AS oh "
            "FROM goods_receipt_line AS l JOIN goods_receipt AS g ON g.id = l.receipt_id "
            "JOIN product AS p ON p.id = l.product_id "
            "WHERE l.expiry_date IS NOT NULL AND l.expiry_date <= :until "
            "ORDER BY l.expiry_date, p.name_norm LIMIT :limit"
        ), {"until": until, "limit": limit}).all()
    lines = []
    for row in rows:
        if row.oh <= 0:
            continue  # nothing of it can be left on the shelf
        expiry = date.fromisoformat(row.expiry_date)
        lines.append(ExpiringLine(receipt_no=row.receipt_no, received_on=row.received_on, product_id=row.product_id,
                                  sku=row.sku, name=row.name, weighed=bool(row.sold_by_weight), unit=row.unit,
                                  received_milli=row.base_qty_milli, on_hand_milli=int(row.oh),
                                  expiry_date=expiry, days_left=(expiry - today).days))
    return lines
