"""The first sale's tables: outlet, users, catalogue, stock ledger, sales, payments, journal."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kkmp_pos.store.models.base import Base, Uuid
from kkmp_pos.store.types import UtcDateTime


class Setting(Base):
    """Key/value settings of this installation (printer, paper, language, device id...)."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Outlet(Base):
    """The gerai this till belongs to; `code` prefixes its receipt numbers (LPK-01-000123)."""

    __tablename__ = "outlet"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    koperasi_name: Mapped[str] = mapped_column(String(120))
    gerai_name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(240))
    kelurahan_code: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class User(Base):
    """A person who works the till; roles: kasir, manajer, pengawas, admin."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint("role IN ('kasir', 'manajer', 'pengawas', 'admin')", name="role"),
    )
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    outlet_id: Mapped[str] = mapped_column(ForeignKey("outlet.id"))
    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    failed_pins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Product(Base):
    """A catalogue entry; prices per base unit. The integer id keeps the search index's rowids stable."""

    __tablename__ = "product"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("ppn IN ('bebas', 'kena')", name="ppn"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    # Casefolded, accents stripped: what search matches against.
    name_norm: Mapped[str] = mapped_column(String(160), index=True)
    category: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(16))
    sold_by_weight: Mapped[bool] = mapped_column(Boolean, default=False)
    price: Mapped[int] = mapped_column(Integer)
    member_price: Mapped[int | None] = mapped_column(Integer)
    het: Mapped[int | None] = mapped_column(Integer)
    het_source: Mapped[str | None] = mapped_column(String(200))
    ppn: Mapped[str] = mapped_column(String(8), default="bebas")
    lpg_kind: Mapped[str | None] = mapped_column(String(20))
    cost_price: Mapped[int | None] = mapped_column(Integer)
    """Moving-average cost (HPP) per base unit in whole rupiah; each goods receipt updates it."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    low_stock_milli: Mapped[int | None] = mapped_column(Integer)
    """Below this on-hand quantity the product is 'perlu dipesan' (needs ordering); None = no threshold."""


class ProductBarcode(Base):
    """A product may carry several barcodes (maker's EAN, the outlet's own label)."""

    __tablename__ = "product_barcode"
    barcode: Mapped[str] = mapped_column(String(32), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)


class StockMovement(Base):
    """One change of on-hand stock in thousandths of the base unit; on-hand is the sum."""

    __tablename__ = "stock_movement"
    __table_args__ = (Index("ix_stock_movement_product_id_created_at", "product_id", "created_at"),)
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    qty_milli: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[str | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Sale(Base):
    """A completed sale; never edited once written (corrections are new records)."""

    __tablename__ = "sale"
    __table_args__ = (UniqueConstraint("outlet_id", "receipt_seq"),)
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    outlet_id: Mapped[str] = mapped_column(ForeignKey("outlet.id"))
    receipt_no: Mapped[str] = mapped_column(String(32), unique=True)
    receipt_seq: Mapped[int] = mapped_column(Integer)
    cashier_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    member_id: Mapped[str | None] = mapped_column(ForeignKey("member.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    business_date: Mapped[str] = mapped_column(String(10), index=True)
    subtotal: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Sum of the lines after their own discounts, before the cart discount."""
    discount_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Every discount given on this sale (line discounts and the cart discount)."""
    total: Mapped[int] = mapped_column(Integer)
    line_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="completed")
    master_version: Mapped[int] = mapped_column(Integer, default=0)
    journal_seq: Mapped[int] = mapped_column(ForeignKey("journal_event.seq"), unique=True)
    shift_id: Mapped[str | None] = mapped_column(ForeignKey("shift.id"), index=True)
    """The cash shift the sale was rung up in (sales before shifts existed have none)."""


class SaleLine(Base):
    """A line of a sale, with the product's name and price copied at the time of sale."""

    __tablename__ = "sale_line"
    __table_args__ = (UniqueConstraint("sale_id", "line_no"),)
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sale.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    sku: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(160))
    unit: Mapped[str] = mapped_column(String(16))
    sold_by_weight: Mapped[bool] = mapped_column(Boolean)
    qty_milli: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(Integer)
    list_price: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """The catalogue price when scanned; differs from unit_price for member or manual prices."""
    line_discount: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cart_discount_share: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total: Mapped[int] = mapped_column(Integer)
    """What the customer paid for this line: price x qty - line discount - share of the cart discount."""


class Payment(Base):
    """A tender of a sale; for cash, what was handed over and the change given."""

    __tablename__ = "payment"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sale.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(Integer)
    tendered: Mapped[int] = mapped_column(Integer)
    change: Mapped[int] = mapped_column(Integer, default=0)
    reference: Mapped[str | None] = mapped_column(String(64))
    bank: Mapped[str | None] = mapped_column(String(40))
    # QRIS taken offline stays "pending" (menunggu verifikasi) until reconciled: "settled" or "failed".
    status: Mapped[str] = mapped_column(String(24), default="settled", index=True)
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    verified_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"))


class JournalEvent(Base):
    """The device's hash-chained event log (SYNC_PROTOCOL.md); `body` is canonical JSON text."""

    __tablename__ = "journal_event"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(Uuid, unique=True)
    type: Mapped[str] = mapped_column(String(32))
    schema_v: Mapped[int] = mapped_column(Integer)
    device_time: Mapped[str] = mapped_column(String(40))
    master_version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
