"""The manager's stock tables: suppliers, pack units, goods receipts, counts, adjustments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kkmp_pos.store.models.base import Base, Uuid
from kkmp_pos.store.types import UtcDateTime


class Supplier(Base):
    """Who the outlet buys from (a distributor, a wholesaler, Bulog, the LPG agen)."""

    __tablename__ = "supplier"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    contact: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ProductUnit(Base):
    """A pack unit a product is bought in (karung 25 kg, dus 40 pcs): `factor_milli` base thousandths each."""

    __tablename__ = "product_unit"
    __table_args__ = (UniqueConstraint("product_id", "unit"), CheckConstraint("factor_milli > 0", name="factor"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    unit: Mapped[str] = mapped_column(String(16))
    factor_milli: Mapped[int] = mapped_column(Integer)


class GoodsReceipt(Base):
    """A penerimaan barang: what arrived from a supplier, under their invoice/DO reference."""

    __tablename__ = "goods_receipt"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(32), unique=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("supplier.id"), index=True)
    reference: Mapped[str] = mapped_column(String(60))
    received_on: Mapped[str] = mapped_column(String(10), index=True)
    total_cost: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    cashier_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    journal_seq: Mapped[int] = mapped_column(ForeignKey("journal_event.seq"), unique=True)


class GoodsReceiptLine(Base):
    """One product received: quantity in the unit bought, converted exactly to the base unit."""

    __tablename__ = "goods_receipt_line"
    __table_args__ = (UniqueConstraint("receipt_id", "line_no"),)
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    receipt_id: Mapped[str] = mapped_column(ForeignKey("goods_receipt.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    unit: Mapped[str] = mapped_column(String(16))
    unit_qty_milli: Mapped[int] = mapped_column(Integer)
    factor_milli: Mapped[int] = mapped_column(Integer)
    base_qty_milli: Mapped[int] = mapped_column(Integer)
    unit_cost: Mapped[int] = mapped_column(Integer)
    """Rupiah per unit bought (per karung, per dus, per piece)."""
    line_cost: Mapped[int] = mapped_column(Integer)
    expiry_date: Mapped[str | None] = mapped_column(String(10), index=True)


class StockCount(Base):
    """A stock opname: started, counted (sales go on), reviewed, approved; read-only afterwards."""

    __tablename__ = "stock_count"
    __table_args__ = (CheckConstraint("status IN ('open', 'approved', 'cancelled')", name="status"),)
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    count_no: Mapped[str] = mapped_column(String(32), unique=True)
    scope: Mapped[str] = mapped_column(String(16))
    """'all', 'category' or 'list'; `scope_value` holds the category or the SKUs (JSON)."""
    scope_value: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="open")
    started_by: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    approved_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    counter_name: Mapped[str | None] = mapped_column(String(120))
    witness_name: Mapped[str | None] = mapped_column(String(120))
    journal_seq: Mapped[int | None] = mapped_column(ForeignKey("journal_event.seq"), unique=True)


class StockCountLine(Base):
    """One product of a count: what the ledger expected at the moment it was counted, and what was found."""

    __tablename__ = "stock_count_line"
    __table_args__ = (UniqueConstraint("count_id", "product_id"),)
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    count_id: Mapped[str] = mapped_column(ForeignKey("stock_count.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    counted_milli: Mapped[int | None] = mapped_column(Integer)
    expected_milli: Mapped[int | None] = mapped_column(Integer)
    counted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reason: Mapped[str | None] = mapped_column(String(16))
    """rusak, kedaluwarsa, hilang, salah_catat, lainnya (with a note)."""
    note: Mapped[str | None] = mapped_column(String(200))


class StockAdjustment(Base):
    """Stock taken out or put back outside a count (rusak, kedaluwarsa, pemakaian sendiri, koreksi)."""

    __tablename__ = "stock_adjustment"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    reason: Mapped[str] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(String(200))
    cashier_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    approval_id: Mapped[str | None] = mapped_column(ForeignKey("approval.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    journal_seq: Mapped[int] = mapped_column(ForeignKey("journal_event.seq"), unique=True)
