"""Suppliers (pemasok) the outlet buys from: the list and adding one (a name is used only once)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.roles import APPROVER_ROLES, Role
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import Supplier

_supplier = Supplier.__table__


@dataclass(frozen=True, slots=True)
class SupplierEntry:
    id: str
    name: str
    contact: str
    phone: str


def list_suppliers(ctx: PosContext) -> list[SupplierEntry]:
    """All suppliers, by name."""
    with reading(ctx.engine) as connection:
        rows = connection.execute(select(_supplier).order_by(func.lower(_supplier.c.name))).all()
    return [SupplierEntry(id=r.id, name=r.name, contact=r.contact or "", phone=r.phone or "") for r in rows]


def add_supplier(ctx: PosContext, name: str, contact: str = "", phone: str = "", *, by: Cashier) -> SupplierEntry:
    """Add a supplier; a name already in the list (ignoring case and spaces) is refused."""
    if Role(by.role) not in APPROVER_ROLES:
        raise InvalidInput("Hanya manajer atau admin yang dapat menambah pemasok.")
    name, contact, phone = " ".join(name.split()), contact.strip(), phone.strip()
    if not name:
        raise InvalidInput("Isi nama pemasok.")
    if len(name) > 120 or len(contact) > 120:
        raise InvalidInput("Nama dan kontak pemasok paling panjang 120 karakter.")
    if len(phone) > 24 or any(ch not in "0123456789+-() " for ch in phone):
        raise InvalidInput("Nomor telepon hanya boleh berisi angka (boleh diawali +), paling panjang 24.")
    supplier_id = str(uuid.uuid4())
    now = ctx.clock()
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        taken = connection.execute(
            select(_supplier.c.name).where(func.lower(_supplier.c.name) == name.lower())
        ).scalar()
        if taken is not None:
            raise InvalidInput("Pemasok '{name}' sudah ada di daftar. Pilih yang sudah ada.", name=taken)
        append_event(connection, type="supplier", at=now, body={
            "supplier_id": supplier_id, "name": name, "contact": contact, "phone": phone, "by": by.id,
        })
        connection.execute(_supplier.insert(), {"id": supplier_id, "name": name, "contact": contact or None,
                                                 "phone": phone or None, "created_at": now})
        uow.commit()
    return SupplierEntry(id=supplier_id, name=name, contact=contact, phone=phone)
