"""Elpiji cylinders for the manager: stock per size, deliveries from the agen, allocation, month summary, alerts."""

from __future__ import annotations

import calendar
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from kkmp_pos.domain.clock import business_date
from kkmp_pos.domain.cylinders import (
    CylinderStock,
    check_count,
    check_delivery,
    check_size,
    clean_do_number,
    days_of_stock,
    nik_share_alerts,
    pengecer_share_alert,
)
from kkmp_pos.domain.errors import InvalidInput, PosError
from kkmp_pos.domain.lpg import SIZE_LABELS, cylinder_size
from kkmp_pos.domain.nik import mask_nik
from kkmp_pos.domain.product import Product
from kkmp_pos.domain.quantity import MILLI
from kkmp_pos.domain.roles import APPROVER_ROLES, Role, can_sell
from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.lpg_sale import NET_QTY_MILLI
from kkmp_pos.services.settings import load_settings
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import (
    CylinderMovement,
    LpgAllocation,
    LpgBuyer,
    LpgDelivery,
    LpgSaleLine,
    Sale,
    SaleLine,
    User,
)
from kkmp_pos.store.models import Product as ProductRow

_movement = CylinderMovement.__table__
_delivery = LpgDelivery.__table__
_allocation = LpgAllocation.__table__
_lpg_line = LpgSaleLine.__table__
_buyer = LpgBuyer.__table__
_sale = Sale.__table__
_line = SaleLine.__table__
_product = ProductRow.__table__
_user = User.__table__
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, slots=True)
class Delivery:
    id: str
    do_number: str
    delivered_on: date
    agen: str
    size: str
    full_received: int
    empties_returned: int
    journal_seq: int


@dataclass(frozen=True, slots=True)
class MonthSummary:
    """One size's month on the LPG screen; `remaining` = allocation not yet delivered."""

    month: str
    size: str
    allocation: int
    received: int
    sold: int
    remaining: int
    full: int
    empty: int
    days_of_stock: int | None
    """Days the full cylinders last at this month's average daily sales; None when nothing sold yet."""


def _user_role(connection: Connection, user_id: str) -> str | None:
    row = connection.execute(select(_user.c.role, _user.c.active).where(_user.c.id == user_id)).first()
    return row.role if row is not None and row.active else None


def _require_manager(connection: Connection, user_id: str) -> None:
    role = _user_role(connection, user_id)
    if role is None or Role(role) not in APPROVER_ROLES:
        raise PosError("Hanya manajer atau admin yang dapat mencatat tabung, pengiriman dan alokasi elpiji.")


def _stock(connection: Connection, size: str) -> CylinderStock:
    full, empty = connection.execute(
        select(func.coalesce(func.sum(_movement.c.full_delta), 0), func.coalesce(func.sum(_movement.c.empty_delta), 0))
        .where(_movement.c.size == size)
    ).one()
    return CylinderStock(full=int(full), empty=int(empty))


def _move(connection: Connection, size: str, full: int, empty: int, kind: str, ref_id: str | None,
          note: str | None, now: datetime) -> None:
    connection.execute(_movement.insert(), {"id": str(uuid.uuid4()), "size": size, "full_delta": full,
                                            "empty_delta": empty, "kind": kind, "ref_id": ref_id,
                                            "note": note, "created_at": now})


# The write_* functions below turn an event body into its rows. The live service and the journal replay
# (journal_replay_lpg, after a restore) both call them, so a restored till gets the very same rows.

def write_delivery(connection: Connection, body: dict[str, Any], now: datetime, journal_seq: int) -> None:
    """The delivery row and its movement (full +N, empty -M) of an `lpg_delivery` body."""
    connection.execute(_delivery.insert(), {
        "id": body["delivery_id"], "do_number": body["do_number"], "delivered_on": body["delivered_on"],
        "agen": body["agen"], "size": body["size"], "full_received": body["full_received"],
        "empties_returned": body["empties_returned"], "cashier_id": body["by"], "created_at": now,
        "journal_seq": journal_seq})
    _move(connection, body["size"], body["full_received"], -body["empties_returned"], "delivery",
          body["delivery_id"], body["do_number"], now)


def write_cylinder_count(connection: Connection, body: dict[str, Any], now: datetime) -> None:
    """The movement of an `lpg_cylinder_count` body: the difference it recorded, not one computed again."""
    _move(connection, body["size"], body["full_delta"], body["empty_delta"], body["kind"], None,
          body["note"] or None, now)


def write_swap(connection: Connection, body: dict[str, Any], now: datetime) -> None:
    """The movement of an `lpg_swap` body (full -1: the short cylinder goes back to the agen)."""
    _move(connection, body["size"], body["full_delta"], body["empty_delta"], "underweight_swap", body["swap_id"],
          body["note"] or tr("Tukar tabung kurang isi"), now)


def write_allocation(connection: Connection, body: dict[str, Any], now: datetime) -> None:
    """The month's allocation of an `lpg_allocation` body, set or changed."""
    month, size = body["month"], body["size"]
    where = (_allocation.c.month == month) & (_allocation.c.size == size)
    if connection.execute(select(_allocation.c.id).where(where)).first() is None:
        connection.execute(_allocation.insert(), {"month": month, "size": size, "quantity": body["quantity"],
                                                  "set_by": body["by"], "updated_at": now})
    else:
        connection.execute(update(_allocation).where(where).values(quantity=body["quantity"], set_by=body["by"],
                                                                   updated_at=now))


def cylinder_stock(ctx: PosContext) -> dict[str, CylinderStock]:
    """Full and empty cylinders on hand for every size."""
    with reading(ctx.engine) as connection:
        return {size: _stock(connection, size) for size in SIZE_LABELS}


def record_delivery(ctx: PosContext, *, do_number: str, delivered_on: date, agen: str, size: str,
                    full_received: int, empties_returned: int, by: str) -> Delivery:
    """A delivery from the agen under its DO number: full +N, empty -M, and an `lpg_delivery` event, all or
    nothing. Refused: no DO number, a DO already recorded, negative counts, more empties than the outlet holds."""
    number = clean_do_number(do_number)
    check_size(size)
    agen = " ".join(agen.split())
    if not agen:
        raise InvalidInput("Nama agen wajib diisi (sesuai surat jalan).")
    now = ctx.clock()
    if delivered_on > business_date(now):
        raise InvalidInput("Tanggal pengiriman tidak boleh setelah hari ini.")
    check_count(full_received, tr("Jumlah tabung isi diterima"))
    check_count(empties_returned, tr("Jumlah tabung kosong dikembalikan"))
    delivery_id = str(uuid.uuid4())
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        _require_manager(connection, by)
        taken = connection.execute(
            select(_delivery.c.delivered_on).where(func.lower(_delivery.c.do_number) == number.lower())).scalar()
        if taken is not None:
            raise InvalidInput("Nomor DO {number} sudah tercatat (pengiriman {day}). Periksa nomornya.",
                               number=number, day=taken)
        check_delivery(full_received=full_received, empties_returned=empties_returned,
                       on_hand=_stock(connection, size))
        body: dict[str, Any] = {
            "delivery_id": delivery_id, "do_number": number, "delivered_on": delivered_on.isoformat(),
            "agen": agen, "size": size, "full_received": full_received, "empties_returned": empties_returned,
            "by": by}
        event = append_event(connection, type="lpg_delivery", at=now, body=body)
        write_delivery(connection, body, now, event.seq)
        uow.commit()
    return Delivery(id=delivery_id, do_number=number, delivered_on=delivered_on, agen=agen, size=size,
                    full_received=full_received, empties_returned=empties_returned, journal_seq=event.seq)


def list_deliveries(ctx: PosContext, limit: int = 200) -> list[Delivery]:
    """The newest deliveries first."""
    with reading(ctx.engine) as connection:
        rows = connection.execute(select(_delivery).order_by(_delivery.c.delivered_on.desc(),
                                                             _delivery.c.created_at.desc()).limit(limit)).all()
    return [Delivery(id=r.id, do_number=r.do_number, delivered_on=date.fromisoformat(r.delivered_on), agen=r.agen,
                     size=r.size, full_received=r.full_received, empties_returned=r.empties_returned,
                     journal_seq=r.journal_seq) for r in rows]


def record_opening_balance(ctx: PosContext, size: str, *, full: int, empty: int, by: str,
                           note: str = "") -> CylinderStock:
    """Set the counted full and empty cylinders of `size` (the opening balance, or a recount later): the
    difference from the ledger is written as one movement ('opening' the first time, then 'adjustment')."""
    check_size(size)
    check_count(full, tr("Jumlah tabung isi"))
    check_count(empty, tr("Jumlah tabung kosong"))
    now = ctx.clock()
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        _require_manager(connection, by)
        before = _stock(connection, size)
        first = connection.execute(select(_movement.c.id).where(_movement.c.size == size).limit(1)).first() is None
        kind = "opening" if first else "adjustment"
        full_delta, empty_delta = full - before.full, empty - before.empty
        body: dict[str, Any] = {
            "size": size, "kind": kind, "full": full, "empty": empty, "full_delta": full_delta,
            "empty_delta": empty_delta, "note": note.strip(), "by": by}
        append_event(connection, type="lpg_cylinder_count", at=now, body=body)
        write_cylinder_count(connection, body, now)
        uow.commit()
    return CylinderStock(full=full, empty=empty)


def record_underweight_swap(ctx: PosContext, size: str, *, by: str, note: str = "") -> CylinderStock:
    """A buyer brings back a full cylinder that weighs short and gets another full one at no charge.

    Deltas: full -1, empty 0. The short cylinder is not sellable and not an empty to exchange: it is set aside
    and goes back to the agen (noted here and in the `lpg_swap` event), so it leaves the outlet's stock.
    """
    check_size(size)
    now = ctx.clock()
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        role = _user_role(connection, by)
        if role is None or not can_sell(role):
            raise PosError("Pengguna ini tidak dapat mencatat tukar tabung kurang isi.")
        stock = _stock(connection, size)
        if stock.full < 1:
            raise InvalidInput("Tidak ada tabung isi {size} untuk ditukar.", size=SIZE_LABELS[size])
        swap_id = str(uuid.uuid4())
        body: dict[str, Any] = {
            "swap_id": swap_id, "size": size, "full_delta": -1, "empty_delta": 0, "note": note.strip(), "by": by}
        append_event(connection, type="lpg_swap", at=now, body=body)
        write_swap(connection, body, now)
        uow.commit()
    return CylinderStock(full=stock.full - 1, empty=stock.empty)


def _check_month(month: str) -> None:
    if not _MONTH.match(month):
        raise InvalidInput("Bulan '{month}' tidak dikenal; tulis seperti 2026-11.", month=month)


def set_allocation(ctx: PosContext, month: str, size: str, quantity: int, by: str) -> None:
    """The month's allocation of `size` cylinders from the agen (manager); negative refused."""
    _check_month(month)
    check_size(size)
    check_count(quantity, tr("Alokasi"))
    now = ctx.clock()
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        _require_manager(connection, by)
        body: dict[str, Any] = {"month": month, "size": size, "quantity": quantity, "by": by}
        write_allocation(connection, body, now)
        append_event(connection, type="lpg_allocation", at=now, body=body)
        uow.commit()


def _allocation_of(connection: Connection, month: str, size: str) -> int:
    return int(connection.execute(select(_allocation.c.quantity).where(
        (_allocation.c.month == month) & (_allocation.c.size == size))).scalar() or 0)


def _sold(connection: Connection, month: str, size: str) -> int:
    """Cylinders of `size` on this month's sale lines net of their refunds (the product decides the size, as at
    the till).

    A refund counts against the month of its sale, not the month it happened: the allocation and the logbook
    are per month of sale, so a cylinder sold on 30 Nov and brought back on 2 Dec was never distributed in
    November, and December's figure is not pushed below what was sold in December.
    """
    rows = connection.execute(
        select(_product.c.id, _product.c.sku, _product.c.name, _product.c.lpg_kind,
               func.sum(NET_QTY_MILLI).label("qty"))
        .select_from(_line.join(_sale, _sale.c.id == _line.c.sale_id).join(_product,
                                                                          _product.c.id == _line.c.product_id))
        .where(_product.c.lpg_kind.is_not(None), _sale.c.business_date.startswith(month))
        .group_by(_product.c.id)
    ).all()
    return sum(int(r.qty) // MILLI for r in rows
               if cylinder_size(Product(id=r.id, sku=r.sku, name=r.name, category="", unit="", price=0,
                                        lpg_kind=r.lpg_kind)) == size)


def _days_elapsed(month: str, today: date) -> int:
    year, number = int(month[:4]), int(month[5:])
    if (year, number) > (today.year, today.month):
        return 0
    if (year, number) == (today.year, today.month):
        return today.day
    return calendar.monthrange(year, number)[1]


def lpg_month_summary(ctx: PosContext, month: str | None = None, size: str = "3kg") -> MonthSummary:
    """Allocation, received, sold, remaining allocation, stock on hand and days of stock (WITA month)."""
    today = business_date(ctx.clock())
    month = month or today.isoformat()[:7]
    _check_month(month)
    check_size(size)
    with reading(ctx.engine) as connection:
        allocation = _allocation_of(connection, month, size)
        received = int(connection.execute(select(func.coalesce(func.sum(_delivery.c.full_received), 0)).where(
            _delivery.c.size == size, _delivery.c.delivered_on.startswith(month))).scalar() or 0)
        sold = _sold(connection, month, size)
        stock = _stock(connection, size)
    return MonthSummary(month=month, size=size, allocation=allocation, received=received, sold=sold,
                        remaining=allocation - received, full=stock.full, empty=stock.empty,
                        days_of_stock=days_of_stock(stock.full, sold, _days_elapsed(month, today)))


def lpg_alerts(ctx: PosContext, month: str | None = None) -> list[str]:
    """The 3 kg alerts the settings switch on: one NIK over X % of the allocation, pengecer over P % of sales."""
    settings = load_settings(ctx)
    month = month or business_date(ctx.clock()).isoformat()[:7]
    _check_month(month)
    messages: list[str] = []
    with reading(ctx.engine) as connection:
        rows: list[Any] = connection.execute(
            # Net of refunds, like the month summary: a returned cylinder was not this NIK's share.
            select(_buyer.c.nik, _buyer.c.nik_masked, _lpg_line.c.category, func.sum(NET_QTY_MILLI).label("qty"))
            .select_from(_lpg_line.join(_line, _line.c.id == _lpg_line.c.sale_line_id)
                         .join(_buyer, _buyer.c.id == _lpg_line.c.buyer_id))
            .where(_lpg_line.c.month == month)
            .group_by(_buyer.c.id, _lpg_line.c.category)  # one buyer per NIK (unique blind index)
        ).all()
        allocation = _allocation_of(connection, month, "3kg")
    by_nik: dict[str, int] = {}
    for row in rows:
        masked = row.nik_masked or mask_nik(row.nik or "")
        by_nik[masked] = by_nik.get(masked, 0) + int(row.qty) // MILLI
    messages.extend(nik_share_alerts(by_nik, allocation, settings.lpg_nik_share_alert_pct))
    total = sum(by_nik.values())
    pengecer = sum(int(r.qty) // MILLI for r in rows if r.category == "pengecer")
    alert = pengecer_share_alert(pengecer, total, settings.lpg_pengecer_share_alert_pct)
    if alert is not None:
        messages.append(alert)
    return messages
