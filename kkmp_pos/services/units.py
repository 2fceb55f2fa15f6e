"""Pack units per product (karung 25 kg, dus 40 pcs): the list with the base unit first, adding, removing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, select

from kkmp_pos.domain.errors import InvalidInput, NotFound
from kkmp_pos.domain.quantity import MAX_QUANTITY_MILLI, MILLI
from kkmp_pos.domain.roles import APPROVER_ROLES, Role
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import Product, ProductUnit

_product = Product.__table__
_unit = ProductUnit.__table__


@dataclass(frozen=True, slots=True)
class PackUnit:
    """A unit a product can be received in: `factor_milli` base thousandths per one of it (base: 1000)."""

    unit: str
    factor_milli: int
    is_base: bool = False


@dataclass(frozen=True, slots=True)
class _ProductFacts:
    sku: str
    unit: str
    weighed: bool


def _facts(connection: Connection, product_id: int) -> _ProductFacts:
    row = connection.execute(
        select(_product.c.sku, _product.c.unit, _product.c.sold_by_weight).where(_product.c.id == product_id)
    ).first()
    if row is None:
        raise NotFound("Barang tidak ditemukan di katalog.")
    return _ProductFacts(sku=row.sku, unit=row.unit, weighed=bool(row.sold_by_weight))


def units_of(connection: Connection, product_id: int) -> list[PackUnit]:
    """The base unit (factor 1000) and then the pack units, smallest first, inside a caller's connection."""
    facts = _facts(connection, product_id)
    rows = connection.execute(
        select(_unit.c.unit, _unit.c.factor_milli).where(_unit.c.product_id == product_id)
        .order_by(_unit.c.factor_milli, _unit.c.unit)
    ).all()
    return [PackUnit(facts.unit, MILLI, is_base=True)] + [PackUnit(r.unit, r.factor_milli) for r in rows]


def product_units(ctx: PosContext, product_id: int) -> list[PackUnit]:
    with reading(ctx.engine) as connection:
        return units_of(connection, product_id)


def _check_manager(by: Cashier) -> None:
    if Role(by.role) not in APPROVER_ROLES:
        raise InvalidInput("Hanya manajer atau admin yang dapat mengubah satuan kemasan.")


def add_pack_unit(ctx: PosContext, product_id: int, unit: str, factor_milli: int, *, by: Cashier) -> PackUnit:
    """`1 unit = factor_milli / 1000` base units; the conversion must be exact in the base unit."""
    _check_manager(by)
    unit = unit.strip().lower()
    if not unit or len(unit) > 16 or " " in unit:
        raise InvalidInput("Nama satuan harus satu kata, paling panjang 16 huruf (misalnya karung, dus, pak).")
    if factor_milli <= MILLI:
        raise InvalidInput("Isi satu {unit} harus lebih dari satu satuan dasar.", unit=unit)
    if factor_milli > MAX_QUANTITY_MILLI:
        raise InvalidInput("Isi satu {unit} terlalu besar. Periksa angkanya.", unit=unit)
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        facts = _facts(connection, product_id)
        if not facts.weighed and factor_milli % MILLI:
            raise InvalidInput("Barang ini dihitung per {base}: isi satu {unit} harus bilangan bulat.",
                               base=facts.unit, unit=unit)
        if unit == facts.unit.lower():
            raise InvalidInput("'{unit}' adalah satuan dasar barang ini; pilih nama lain untuk kemasannya.",
                               unit=unit)
        exists = connection.execute(
            select(func.count()).select_from(_unit)
            .where(_unit.c.product_id == product_id, func.lower(_unit.c.unit) == unit)
        ).scalar_one()
        if exists:
            raise InvalidInput("Satuan {unit} sudah ada untuk barang ini. Hapus dulu bila isinya berubah.",
                               unit=unit)
        body = {"sku": facts.sku, "unit": unit, "factor_milli": factor_milli, "removed": 0, "by": by.id}
        append_event(connection, type="product_unit", at=ctx.clock(), body=body)
        write_pack_unit(connection, product_id, body)
        uow.commit()
    return PackUnit(unit, factor_milli)


def remove_pack_unit(ctx: PosContext, product_id: int, unit: str, *, by: Cashier) -> None:
    """Remove a pack unit; saved receipts keep their own unit and factor, so nothing else changes."""
    _check_manager(by)
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        facts = _facts(connection, product_id)
        if unit.strip().lower() == facts.unit.lower():
            raise InvalidInput("Satuan dasar tidak dapat dihapus: stok selalu dicatat dalam satuan dasar.")
        factor = connection.execute(
            select(_unit.c.factor_milli).where(_unit.c.product_id == product_id, _unit.c.unit == unit)
        ).scalar()
        if factor is None:
            raise NotFound("Satuan {unit} tidak ada untuk barang ini.", unit=unit)
        body = {"sku": facts.sku, "unit": unit, "factor_milli": int(factor), "removed": 1, "by": by.id}
        append_event(connection, type="product_unit", at=ctx.clock(), body=body)
        write_pack_unit(connection, product_id, body)
        uow.commit()


def write_pack_unit(connection: Connection, product_id: int, body: dict[str, Any]) -> None:
    """A `product_unit` body: the unit added, or removed when `removed` is 1. add_pack_unit, remove_pack_unit and
    the journal replay after a restore share it."""
    if body["removed"]:
        connection.execute(delete(_unit).where(_unit.c.product_id == product_id, _unit.c.unit == body["unit"]))
    else:
        connection.execute(_unit.insert(), {"product_id": product_id, "unit": body["unit"],
                                            "factor_milli": body["factor_milli"]})


def seed_pack_units(ctx: PosContext, units: dict[str, tuple[str, int]], *, by: Cashier) -> None:
    """Demo and setup: `{sku: (unit, factor_milli)}` for the SKUs that exist."""
    with reading(ctx.engine) as connection:
        ids = dict(connection.execute(
            select(_product.c.sku, _product.c.id).where(_product.c.sku.in_(list(units)))
        ).all())
    for sku, (unit, factor) in units.items():
        if sku in ids:
            add_pack_unit(ctx, ids[sku], unit, factor, by=by)
