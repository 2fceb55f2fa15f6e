"""Cash shift tables: the shift with its float and frozen Z, cash in and out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kkmp_pos.store.models.base import Base, Uuid
from kkmp_pos.store.types import UtcDateTime


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
