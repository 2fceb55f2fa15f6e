"""The outlet's tables as SQLAlchemy 2 typed models; Alembic migrations must match them exactly."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kkmp_pos.store.types import UtcDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Uuid = String(36)
"""Client-generated UUIDs (text) for every record that travels to the city."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


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


class LoginAttempt(Base):
    """Every PIN attempt, right or wrong, for the audit trail and the lockout."""

    __tablename__ = "login_attempt"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"))
    username: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    success: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(String(120))


class Approval(Base):
    """A manager's decision on a gated act (approved or refused), with what it changed; never edited."""

    __tablename__ = "approval"
    __table_args__ = (CheckConstraint("outcome IN ('approved', 'refused')", name="outcome"),)
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    cashier_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    approver_id: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"))
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(String(160))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    # The sale, refund or other record the approval was used for, once it is written.
    used_by: Mapped[str | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    journal_seq: Mapped[int] = mapped_column(ForeignKey("journal_event.seq"), unique=True)


class Member(Base):
    """An anggota (member) or a named customer (pelanggan) who may buy on credit."""

    __tablename__ = "member"
    __table_args__ = (
        CheckConstraint("kind IN ('anggota', 'pelanggan')", name="kind"),
        CheckConstraint("status IN ('aktif', 'nonaktif', 'keluar')", name="status"),
        CheckConstraint("credit_limit >= 0", name="credit_limit_not_negative"),
    )
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    member_no: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    nik: Mapped[str | None] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(120))
    name_norm: Mapped[str] = mapped_column(String(120), index=True)
    address: Mapped[str] = mapped_column(String(240))
    kelurahan_code: Mapped[str | None] = mapped_column(String(16))
    rt: Mapped[str | None] = mapped_column(String(3))
    rw: Mapped[str | None] = mapped_column(String(3))
    phone: Mapped[str | None] = mapped_column(String(24))
    join_date: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default="aktif")
    credit_limit: Mapped[int] = mapped_column(Integer, default=0)
    credit_days: Mapped[int] = mapped_column(Integer, default=30)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SavingsEntry(Base):
    """Simpanan ledger: + deposit, - withdrawal, per kind (pokok, wajib, sukarela)."""

    __tablename__ = "savings_entry"
    __table_args__ = (CheckConstraint("kind IN ('pokok', 'wajib', 'sukarela')", name="kind"),)
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("member.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    amount: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(16))
    receipt_no: Mapped[str] = mapped_column(String(32), unique=True)
    cashier_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    journal_seq: Mapped[int] = mapped_column(ForeignKey("journal_event.seq"), unique=True)


class CreditEntry(Base):
    """Kasbon ledger per customer: + credit taken (a sale), - repayment; the balance is the sum."""

    __tablename__ = "credit_entry"
    __table_args__ = (CheckConstraint("kind IN ('kasbon', 'bayar', 'koreksi')", name="kind"),)
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("member.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    amount: Mapped[int] = mapped_column(Integer)
    sale_id: Mapped[str | None] = mapped_column(ForeignKey("sale.id"))
    receipt_no: Mapped[str | None] = mapped_column(String(32))
    due_date: Mapped[str | None] = mapped_column(String(10))
    cashier_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    journal_seq: Mapped[int | None] = mapped_column(ForeignKey("journal_event.seq"))


class Refund(Base):
    """A return against an earlier sale; the original is never edited."""

    __tablename__ = "refund"
    __table_args__ = (UniqueConstraint("outlet_id", "refund_seq"),)
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    outlet_id: Mapped[str] = mapped_column(ForeignKey("outlet.id"))
    sale_id: Mapped[str] = mapped_column(ForeignKey("sale.id"), index=True)
    refund_no: Mapped[str] = mapped_column(String(32), unique=True)
    refund_seq: Mapped[int] = mapped_column(Integer)
    cashier_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    approval_id: Mapped[str | None] = mapped_column(ForeignKey("approval.id"))
    total: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    business_date: Mapped[str] = mapped_column(String(10), index=True)
    journal_seq: Mapped[int] = mapped_column(ForeignKey("journal_event.seq"), unique=True)


class RefundLine(Base):
    __tablename__ = "refund_line"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    refund_id: Mapped[str] = mapped_column(ForeignKey("refund.id"), index=True)
    sale_line_id: Mapped[str] = mapped_column(ForeignKey("sale_line.id"), index=True)
    qty_milli: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Integer)


class RefundPayment(Base):
    __tablename__ = "refund_payment"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    refund_id: Mapped[str] = mapped_column(ForeignKey("refund.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str | None] = mapped_column(String(64))


class HeldCart(Base):
    """A cart parked to serve someone else; recalled (and deleted) later. Not a recorded fact."""

    __tablename__ = "held_cart"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    label: Mapped[str] = mapped_column(String(60))
    cashier_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    payload: Mapped[str] = mapped_column(Text)


class PriceCeiling(Base):
    """A regulated price (HET blocks, HAP warns) with its legal source, region and effective date."""

    __tablename__ = "price_ceiling"
    __table_args__ = (
        UniqueConstraint("sku", "kind", "region", "effective_from"),
        CheckConstraint("kind IN ('HET', 'HAP')", name="kind"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(4))
    amount: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(60))
    effective_from: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LpgBuyer(Base):
    """A buyer of subsidised 3 kg LPG, remembered by NIK so the next purchase fills itself in."""

    __tablename__ = "lpg_buyer"
    __table_args__ = (
        CheckConstraint(
            "category IN ('rumah_tangga', 'usaha_mikro', 'nelayan_sasaran', 'petani_sasaran', 'pengecer')",
            name="category",
        ),
    )
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    nik: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(240))
    category: Mapped[str] = mapped_column(String(20))
    nib: Mapped[str | None] = mapped_column(String(20))
    """Nomor Induk Berusaha: required for usaha mikro."""
    on_government_list: Mapped[bool] = mapped_column(Boolean, default=False)
    """Nelayan/petani sasaran are listed by the government; the outlet only records that they are."""
    member_id: Mapped[str | None] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LpgSaleLine(Base):
    """Who bought a 3 kg LPG line, as the logbook and the city need it (one row per sale line)."""

    __tablename__ = "lpg_sale_line"
    sale_line_id: Mapped[str] = mapped_column(ForeignKey("sale_line.id"), primary_key=True)
    buyer_id: Mapped[str] = mapped_column(ForeignKey("lpg_buyer.id"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    """The buyer's category at the time of sale (a buyer may change category later)."""
    business_date: Mapped[str] = mapped_column(String(10), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    """`2026-11` in WITA: limits and the logbook count per calendar month of the outlet."""
    map_entered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """When the row was typed into Pertamina's MAP app ("sudah diinput ke MAP"); NULL = still pending."""
    map_entered_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"))


class CylinderMovement(Base):
    """A change of full and/or empty cylinders of one size; the stock of each is the sum."""

    __tablename__ = "cylinder_movement"
    __table_args__ = (CheckConstraint("size IN ('3kg', '5_5kg', '12kg')", name="size"),)
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    size: Mapped[str] = mapped_column(String(8), index=True)
    full_delta: Mapped[int] = mapped_column(Integer)
    empty_delta: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(24))
    ref_id: Mapped[str | None] = mapped_column(Uuid)
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class LpgDelivery(Base):
    """A delivery from the agen: N full cylinders in, empties taken back, under its DO number."""

    __tablename__ = "lpg_delivery"
    __table_args__ = (
        CheckConstraint("full_received >= 0 AND empties_returned >= 0", name="counts_not_negative"),
    )
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    do_number: Mapped[str] = mapped_column(String(40), unique=True)
    delivered_on: Mapped[str] = mapped_column(String(10), index=True)
    agen: Mapped[str] = mapped_column(String(120))
    size: Mapped[str] = mapped_column(String(8))
    full_received: Mapped[int] = mapped_column(Integer)
    empties_returned: Mapped[int] = mapped_column(Integer)
    cashier_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    journal_seq: Mapped[int] = mapped_column(ForeignKey("journal_event.seq"), unique=True)


class LpgAllocation(Base):
    """The month's allocation of cylinders of one size from the agen (set by the manager)."""

    __tablename__ = "lpg_allocation"
    __table_args__ = (UniqueConstraint("month", "size"), CheckConstraint("quantity >= 0", name="quantity"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    size: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


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


class Shift(Base):
    """A cash shift (kas) of this till: opened with a counted float, closed with a count and a final Z."""

    __tablename__ = "shift"
    __table_args__ = (CheckConstraint("status IN ('open', 'closed')", name="status"),)
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    shift_no: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(8), default="open", index=True)
    opened_by: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    opening_float: Mapped[int] = mapped_column(Integer)
    opening_counts: Mapped[str] = mapped_column(Text)
    """Denomination -> pieces, canonical JSON (`{"100000": 1, "500": 4}`)."""
    open_seq: Mapped[int] = mapped_column(ForeignKey("journal_event.seq"), unique=True)
    closed_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"))
    approved_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closing_counts: Mapped[str | None] = mapped_column(Text)
    counted_cash: Mapped[int | None] = mapped_column(Integer)
    expected_cash: Mapped[int | None] = mapped_column(Integer)
    close_seq: Mapped[int | None] = mapped_column(ForeignKey("journal_event.seq"), unique=True)
    z_report: Mapped[str | None] = mapped_column(Text)
    """The Z figures as canonical JSON, frozen at close (a Z is never edited)."""


class CashMovement(Base):
    """Cash put into or taken out of the drawer during a shift, with its reason (and approval)."""

    __tablename__ = "cash_movement"
    __table_args__ = (
        CheckConstraint("direction IN ('in', 'out')", name="direction"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    shift_id: Mapped[str] = mapped_column(ForeignKey("shift.id"), index=True)
    direction: Mapped[str] = mapped_column(String(4))
    amount: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    cashier_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    approval_id: Mapped[str | None] = mapped_column(ForeignKey("approval.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    journal_seq: Mapped[int] = mapped_column(ForeignKey("journal_event.seq"), unique=True)
