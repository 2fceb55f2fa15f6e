"""Elpiji tables: 3 kg buyers, the LPG line of a sale, the cylinder ledger, deliveries, allocations."""

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
    nik: Mapped[str | None] = mapped_column(String(16), unique=True)
    """Clear NIK of a database from before encryption; emptied at start-up (services.nik_vault)."""
    nik_enc: Mapped[str | None] = mapped_column(Text)
    """AES-GCM sealed NIK; the key is nik.key in the data directory, never in the database."""
    nik_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    """Blind index (keyed HMAC) of the NIK: finds a buyer by typed NIK without decrypting."""
    nik_masked: Mapped[str | None] = mapped_column(String(16))
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
