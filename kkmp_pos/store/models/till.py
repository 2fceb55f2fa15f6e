"""The full till's tables: logins, approvals, members, simpanan, kasbon, refunds, held carts, ceilings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
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
    """Clear NIK of a database from before encryption; emptied at start-up (services.nik_vault)."""
    nik_enc: Mapped[str | None] = mapped_column(Text)
    """AES-GCM sealed NIK; the key is nik.key in the data directory, never in the database."""
    nik_index: Mapped[str | None] = mapped_column(String(64), index=True)
    """Blind index (keyed HMAC) of the NIK: lookups and the one-NIK-one-member check without decrypting."""
    nik_masked: Mapped[str | None] = mapped_column(String(16))
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
