"""The gerai this till belongs to and the people who work it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from kkmp_pos.domain.sale import OutletInfo
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import Outlet, Setting, User

_outlet = Outlet.__table__
_user = User.__table__
_setting = Setting.__table__


@dataclass(frozen=True, slots=True)
class Cashier:
    id: str
    username: str
    full_name: str
    role: str


@dataclass(frozen=True, slots=True)
class NewOutlet:
    code: str
    koperasi_name: str
    gerai_name: str
    address: str
    kelurahan_code: str


def has_outlet(ctx: PosContext) -> bool:
    with reading(ctx.engine) as connection:
        return connection.execute(select(_outlet.c.id).limit(1)).first() is not None


def create_outlet(ctx: PosContext, outlet: NewOutlet, users: list[tuple[str, str, str]]) -> str:
    """Create the outlet and its first users `(username, full name, role)` in one transaction."""
    now = ctx.clock()
    outlet_id = str(uuid.uuid4())
    with ctx.unit_of_work() as uow:
        uow.connection.execute(_outlet.insert(), {
            "id": outlet_id, "code": outlet.code, "koperasi_name": outlet.koperasi_name,
            "gerai_name": outlet.gerai_name, "address": outlet.address,
            "kelurahan_code": outlet.kelurahan_code, "created_at": now,
        })
        uow.connection.execute(_user.insert(), [
            {"id": str(uuid.uuid4()), "outlet_id": outlet_id, "username": username, "full_name": name,
             "role": role, "pin_hash": None, "active": True, "created_at": now}
            for username, name, role in users
        ])
        uow.commit()
    return outlet_id


def outlet_info(ctx: PosContext, footer: str = "") -> OutletInfo:
    """Who sold, as every slip and report prints it; the NPWP only while the cooperative is a PKP."""
    with reading(ctx.engine) as connection:
        row = connection.execute(
            select(_outlet.c.koperasi_name, _outlet.c.gerai_name, _outlet.c.address).limit(1)
        ).one()
        tax = dict(connection.execute(select(_setting.c.key, _setting.c.value).where(
            _setting.c.key.in_(("pkp", "npwp")))).all())
    return OutletInfo(koperasi_name=row.koperasi_name, gerai_name=row.gerai_name, address=row.address,
                      receipt_footer=footer, npwp=tax.get("npwp", "") if tax.get("pkp") == "1" else "")


def default_cashier(ctx: PosContext) -> Cashier:
    """The first active kasir (else any active user): who the benchmark and tests sell as, no PIN asked."""
    with reading(ctx.engine) as connection:
        row = connection.execute(
            select(_user.c.id, _user.c.username, _user.c.full_name, _user.c.role)
            .where(_user.c.active.is_(True))
            .order_by((_user.c.role != "kasir"), _user.c.created_at)
            .limit(1)
        ).one()
    return Cashier(id=row.id, username=row.username, full_name=row.full_name, role=row.role)
