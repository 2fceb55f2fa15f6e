"""Cash shifts: opening one with a counted float, and the shift a sale belongs to."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from kkmp_pos.domain.cash import count_total, counts_json
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah
from kkmp_pos.domain.roles import can_sell
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import Outlet, Shift, User

_shift = Shift.__table__
_outlet = Outlet.__table__
_user = User.__table__
OPEN_SHIFT = select(_shift.c.id).where(_shift.c.status == "open").limit(1)
"""This till's open shift: there is at most one (opening a second is refused)."""


@dataclass(frozen=True, slots=True)
class OpenShift:
    id: str
    shift_no: str
    opened_at: datetime
    opened_by: str
    opening_float: Rupiah


def open_shift_id(connection: Connection) -> str | None:
    return connection.execute(OPEN_SHIFT).scalar()


def current_shift(ctx: PosContext) -> OpenShift | None:
    """The open shift, or None when the till must open one before selling."""
    with reading(ctx.engine) as connection:
        row = connection.execute(
            select(_shift.c.id, _shift.c.shift_no, _shift.c.opened_at, _shift.c.opened_by,
                   _shift.c.opening_float).where(_shift.c.status == "open").limit(1)
        ).first()
    if row is None:
        return None
    return OpenShift(id=row.id, shift_no=row.shift_no, opened_at=row.opened_at, opened_by=row.opened_by,
                     opening_float=row.opening_float)


def open_shift(ctx: PosContext, *, cashier_id: str, counts: Mapping[Rupiah, int]) -> OpenShift:
    """Open the till's shift with the float counted by denomination; one transaction, one `shift_open` event."""
    opening_float = count_total(counts)
    now = ctx.clock()
    shift_id = str(uuid.uuid4())
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        role = connection.execute(select(_user.c.role).where(_user.c.id == cashier_id,
                                                             _user.c.active.is_(True))).scalar()
        if role is None or not can_sell(role):
            raise InvalidInput("Hanya kasir, manajer atau admin yang dapat membuka shift kas.")
        if open_shift_id(connection) is not None:
            raise InvalidInput("Shift kas sudah terbuka. Tutup shift itu dulu (laporan Z) sebelum membuka yang baru.")
        code = connection.execute(select(_outlet.c.code).limit(1)).scalar_one()
        seq = int(connection.execute(select(func.count()).select_from(_shift)).scalar() or 0) + 1
        shift_no = f"{code}-Z{seq:06d}"
        stored = counts_json(counts)
        event = append_event(connection, type="shift_open", at=now, body={
            "shift_id": shift_id, "shift_no": shift_no, "cashier_id": cashier_id,
            "opening_float": opening_float, "counts": stored,
        })
        connection.execute(_shift.insert(), {
            "id": shift_id, "shift_no": shift_no, "status": "open", "opened_by": cashier_id, "opened_at": now,
            "opening_float": opening_float, "opening_counts": json.dumps(stored, sort_keys=True),
            "open_seq": event.seq,
        })
        uow.commit()
    return OpenShift(id=shift_id, shift_no=shift_no, opened_at=now, opened_by=cashier_id,
                     opening_float=opening_float)
