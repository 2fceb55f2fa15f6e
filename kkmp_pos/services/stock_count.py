"""Stock opname: start a count, record counts as they are made (sales go on), reasons, approval, cancel.

How the expected figure works: a count line stores the ledger's on-hand at the moment the product was
first counted (and again when a typed quantity replaces the count), read in the same transaction that
writes the line. Sales before that moment are in the figure, sales after are not, and neither makes a
false difference. On approval each line posts `counted - expected` as a 'count' movement, so on-hand
becomes the counted figure plus whatever moved after it was counted.

Products in scope that were never counted are left out of the approval (no correction) unless the manager
first marks them counted 0 (`zero_uncounted`); then they are ordinary lines and need reasons.

Everything lives in the database as it is typed, so a count survives closing the screen or the app.
Starting and working a count are drafts (no journal event); the approval is the recorded fact: one
transaction with the corrections, the status and the `stock_count` journal event.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, select, update

from kkmp_pos.domain.clock import rfc3339
from kkmp_pos.domain.errors import InvalidInput, NotFound
from kkmp_pos.domain.roles import Action, can_approve
from kkmp_pos.domain.sale_rules import Requirement
from kkmp_pos.domain.stock_count import (
    COUNT_SERIES,
    CountLine,
    CountMode,
    CountScope,
    check_counted_quantity,
    check_reason,
    check_reasons,
)
from kkmp_pos.services.approval_use import use_approvals
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.numbering import next_series_number
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.stock import on_hand_in
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import Product, StockCount, StockCountLine, StockMovement, User

_count = StockCount.__table__
_line = StockCountLine.__table__
_product = Product.__table__
_movement = StockMovement.__table__
_user = User.__table__

COUNT_EVENT = "stock_count"
MAX_NAME = 120


@dataclass(frozen=True, slots=True)
class CountHeader:
    id: str
    count_no: str
    scope: CountScope
    scope_value: str | None
    """The category, or the SKUs joined with ', ' for a chosen list."""
    status: str
    started_at: datetime
    started_by: str
    approved_at: datetime | None
    approved_by: str | None
    counter_name: str | None
    witness_name: str | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True, slots=True)
class CountSheet:
    header: CountHeader
    lines: tuple[CountLine, ...]
    """Every product in scope (active, or already counted), counted or not, by name."""


def _require_manager(user: Cashier) -> None:
    if not can_approve(user.role, Action.STOCK_COUNT):
        raise InvalidInput("Stok opname dimulai dan disetujui oleh manajer atau admin.")


def _scope_filter(scope: CountScope, scope_value: str | None) -> list[object]:
    if scope is CountScope.CATEGORY:
        return [_product.c.category == scope_value]
    if scope is CountScope.LIST:
        return [_product.c.sku.in_(json.loads(scope_value or "[]"))]
    return []


def _scope_ids(connection: Connection, scope: CountScope, scope_value: str | None) -> set[int]:
    return set(connection.execute(
        select(_product.c.id).where(_product.c.active.is_(True), *_scope_filter(scope, scope_value))
    ).scalars())


def _header(connection: Connection, count_id: str) -> CountHeader:
    row = connection.execute(
        select(_count, _user.c.full_name.label("starter")).join(_user, _user.c.id == _count.c.started_by)
        .where(_count.c.id == count_id)
    ).first()
    if row is None:
        raise NotFound("Stok opname tidak ditemukan.")
    approver = connection.execute(select(_user.c.full_name).where(_user.c.id == row.approved_by)).scalar() \
        if row.approved_by else None
    value = row.scope_value
    if row.scope == CountScope.LIST.value:
        value = ", ".join(json.loads(value or "[]"))
    return CountHeader(id=row.id, count_no=row.count_no, scope=CountScope(row.scope), scope_value=value,
                       status=row.status, started_at=row.started_at, started_by=row.starter,
                       approved_at=row.approved_at, approved_by=approver, counter_name=row.counter_name,
                       witness_name=row.witness_name)


def _open_header(connection: Connection, count_id: str) -> CountHeader:
    header = _header(connection, count_id)
    if header.status == "approved":
        raise InvalidInput("Stok opname {no} sudah disetujui dan tidak bisa diubah lagi.", no=header.count_no)
    if header.status != "open":
        raise InvalidInput("Stok opname {no} sudah dibatalkan.", no=header.count_no)
    return header


def _next_count_no(connection: Connection) -> str:
    return next_series_number(connection, _count.c.count_no, COUNT_SERIES)


def _resolve_scope(connection: Connection, scope: CountScope, value: str | None) -> str | None:
    """The stored scope_value: the category as typed in the catalogue, or the SKUs as a JSON list."""
    if scope is CountScope.ALL:
        return None
    if scope is CountScope.CATEGORY:
        category = (value or "").strip()
        found = connection.execute(select(_product.c.category).where(
            func.lower(_product.c.category) == category.lower(), _product.c.active.is_(True)).limit(1)).scalar()
        if found is None:
            raise InvalidInput("Kategori '{category}' tidak ada di katalog. Pilih kategori dari daftar.",
                               category=category)
        return str(found)
    skus = list(dict.fromkeys(s.strip() for s in (value or "").replace(";", ",").replace("\n", ",").split(",")
                              if s.strip()))
    if not skus:
        raise InvalidInput("Daftar produk masih kosong. Tulis SKU-nya, dipisah koma.")
    known = set(connection.execute(select(_product.c.sku).where(_product.c.sku.in_(skus),
                                                                _product.c.active.is_(True))).scalars())
    unknown = [s for s in skus if s not in known]
    if unknown:
        raise InvalidInput("SKU tidak ada di katalog: {skus}. Periksa ketikannya.", skus=", ".join(unknown))
    return json.dumps(skus)


def start_count(ctx: PosContext, scope: CountScope | str, scope_value: str | None = None, *,
                by: Cashier) -> CountHeader:
    """Open a count over all products, one category or a list of SKUs (comma separated).

    Refused when a product in scope is already in another open count: finish or cancel that one first.
    """
    _require_manager(by)
    scope = CountScope(scope)
    count_id = str(uuid.uuid4())
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        stored = _resolve_scope(connection, scope, scope_value)
        wanted = _scope_ids(connection, scope, stored)
        for other in connection.execute(select(_count.c.count_no, _count.c.scope, _count.c.scope_value)
                                        .where(_count.c.status == "open")).all():
            if wanted & _scope_ids(connection, CountScope(other.scope), other.scope_value):
                raise InvalidInput("Sebagian produk ini sedang dihitung di stok opname {no}. Selesaikan atau "
                                   "batalkan stok opname itu dulu.", no=other.count_no)
        connection.execute(_count.insert(), {
            "id": count_id, "count_no": _next_count_no(connection), "scope": scope.value, "scope_value": stored,
            "status": "open", "started_by": by.id, "started_at": ctx.clock(),
        })
        header = _header(connection, count_id)
        uow.commit()
    return header


def count_categories(ctx: PosContext) -> list[str]:
    """The catalogue's categories of active products, for choosing a count's scope."""
    with reading(ctx.engine) as connection:
        return list(connection.execute(select(_product.c.category).where(_product.c.active.is_(True))
                                       .distinct().order_by(_product.c.category)).scalars())


def open_counts(ctx: PosContext) -> list[CountHeader]:
    """Counts still open (paused or in progress), oldest first: the screen resumes these."""
    with reading(ctx.engine) as connection:
        ids = connection.execute(select(_count.c.id).where(_count.c.status == "open")
                                 .order_by(_count.c.started_at, _count.c.count_no)).scalars().all()
        return [_header(connection, count_id) for count_id in ids]


def _sheet(connection: Connection, header: CountHeader, stored_scope: str | None) -> CountSheet:
    counted = {row.product_id: row for row in connection.execute(
        select(_line).where(_line.c.count_id == header.id)).all()}
    ids = set(counted) if header.status == "approved" else \
        _scope_ids(connection, header.scope, stored_scope) | set(counted)
    rows = connection.execute(
        select(_product.c.id, _product.c.sku, _product.c.name, _product.c.unit, _product.c.sold_by_weight,
               _product.c.cost_price).where(_product.c.id.in_(ids)).order_by(_product.c.name, _product.c.sku)
    ).all()
    lines = []
    for p in rows:
        line = counted.get(p.id)
        lines.append(CountLine(
            product_id=p.id, sku=p.sku, name=p.name, unit=p.unit, weighed=bool(p.sold_by_weight),
            cost_price=p.cost_price, expected_milli=line.expected_milli if line else None,
            counted_milli=line.counted_milli if line else None, counted_at=line.counted_at if line else None,
            reason=line.reason if line else None, note=line.note if line else None))
    return CountSheet(header=header, lines=tuple(lines))


def count_sheet(ctx: PosContext, count_id: str) -> CountSheet:
    """The count with every product in scope; an approved count shows only what was counted."""
    with reading(ctx.engine) as connection:
        header = _header(connection, count_id)
        stored = connection.execute(select(_count.c.scope_value).where(_count.c.id == count_id)).scalar()
        return _sheet(connection, header, stored)


def _in_scope(connection: Connection, count_id: str, product_id: int) -> None:
    row = connection.execute(select(_count.c.scope, _count.c.scope_value).where(_count.c.id == count_id)).one()
    if product_id not in _scope_ids(connection, CountScope(row.scope), row.scope_value):
        name = connection.execute(select(_product.c.name).where(_product.c.id == product_id)).scalar()
        raise InvalidInput("{name} tidak termasuk stok opname ini. Hitung di stok opname lain atau mulai yang "
                           "baru.", name=name or str(product_id))


def record_count(ctx: PosContext, count_id: str, product_id: int, qty_milli: int,
                 mode: CountMode | str = CountMode.ADD) -> CountLine:
    """Store a count as it is made: ADD (a scan) adds to the product's earlier count, SET (typed) replaces it.

    The expected figure is the ledger's on-hand now, read in this transaction, when the product is first
    counted or recounted (SET); further scans of the same product keep the first figure.
    """
    mode = CountMode(mode)
    now = ctx.clock()
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        _open_header(connection, count_id)
        weighed = connection.execute(select(_product.c.sold_by_weight).where(_product.c.id == product_id)).scalar()
        if weighed is None:
            raise NotFound("Produk tidak ditemukan di katalog.")
        check_counted_quantity(qty_milli, mode, weighed=bool(weighed))
        _in_scope(connection, count_id, product_id)
        line = connection.execute(select(_line).where(_line.c.count_id == count_id,
                                                      _line.c.product_id == product_id)).first()
        expected = on_hand_in(connection, [product_id])[product_id]
        if line is None:
            connection.execute(_line.insert(), {
                "id": str(uuid.uuid4()), "count_id": count_id, "product_id": product_id,
                "counted_milli": qty_milli, "expected_milli": expected, "counted_at": now})
        elif mode is CountMode.ADD:
            check_counted_quantity(line.counted_milli + qty_milli, mode, weighed=bool(weighed))
            connection.execute(update(_line).where(_line.c.id == line.id)
                               .values(counted_milli=line.counted_milli + qty_milli))
        else:
            connection.execute(update(_line).where(_line.c.id == line.id)
                               .values(counted_milli=qty_milli, expected_milli=expected, counted_at=now))
        uow.commit()
    return _line_of(ctx, count_id, product_id)


def _line_of(ctx: PosContext, count_id: str, product_id: int) -> CountLine:
    return next(line for line in count_sheet(ctx, count_id).lines if line.product_id == product_id)


def clear_count(ctx: PosContext, count_id: str, product_id: int) -> None:
    """Forget a product's count (a wrong scan): it is back to 'not counted yet'."""
    with ctx.unit_of_work() as uow:
        _open_header(uow.connection, count_id)
        uow.connection.execute(delete(_line).where(_line.c.count_id == count_id, _line.c.product_id == product_id))
        uow.commit()


def set_reason(ctx: PosContext, count_id: str, product_id: int, reason: str | None, note: str | None) -> None:
    """Why a counted line differs (COUNT_REASONS; 'lainnya' with a note); stored at once like the counts."""
    reason, note = check_reason(reason, note)
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        _open_header(connection, count_id)
        done = connection.execute(update(_line).where(_line.c.count_id == count_id, _line.c.product_id == product_id)
                                  .values(reason=reason, note=note))
        if not done.rowcount:
            raise InvalidInput("Produk ini belum dihitung: hitung dulu, baru isi alasan selisihnya.")
        uow.commit()


def zero_uncounted(ctx: PosContext, count_id: str) -> int:
    """The manager confirms the products not counted are not in the shop: each is counted 0 now. Returns how many."""
    now = ctx.clock()
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        _open_header(connection, count_id)
        row = connection.execute(select(_count.c.scope, _count.c.scope_value).where(_count.c.id == count_id)).one()
        done = set(connection.execute(select(_line.c.product_id).where(_line.c.count_id == count_id)).scalars())
        missing = sorted(_scope_ids(connection, CountScope(row.scope), row.scope_value) - done)
        expected = on_hand_in(connection, missing)
        if missing:
            connection.execute(_line.insert(), [
                {"id": str(uuid.uuid4()), "count_id": count_id, "product_id": pid, "counted_milli": 0,
                 "expected_milli": expected[pid], "counted_at": now} for pid in missing])
        uow.commit()
    return len(missing)


def cancel_count(ctx: PosContext, count_id: str, *, by: Cashier) -> None:
    """Drop an open count: nothing was posted, its products may be counted again."""
    _require_manager(by)
    with ctx.unit_of_work() as uow:
        _open_header(uow.connection, count_id)
        uow.connection.execute(update(_count).where(_count.c.id == count_id).values(status="cancelled"))
        uow.commit()


def approve_count(ctx: PosContext, count_id: str, *, approval_id: str, by: Cashier, counter_name: str,
                  witness_name: str) -> CountSheet:
    """Post every counted line's difference as a 'count' movement, close the count, journal `stock_count`.

    One transaction: refused whole (nothing stored) when a difference has no reason, a name is missing, or
    the approval (Action.STOCK_COUNT on the count number) is not there. Uncounted products are left out.
    """
    _require_manager(by)
    counter_name, witness_name = counter_name.strip(), witness_name.strip()
    if not counter_name or not witness_name:
        raise InvalidInput("Tulis nama penghitung dan nama saksi untuk berita acara.")
    if len(counter_name) > MAX_NAME or len(witness_name) > MAX_NAME:
        raise InvalidInput("Nama terlalu panjang (paling banyak 120 huruf).")
    now = ctx.clock()
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        header = _open_header(connection, count_id)
        stored = connection.execute(select(_count.c.scope_value).where(_count.c.id == count_id)).scalar()
        lines = [line for line in _sheet(connection, header, stored).lines if line.counted]
        if not lines:
            raise InvalidInput("Belum ada produk yang dihitung di stok opname {no}.", no=header.count_no)
        check_reasons(lines)
        use_approvals(connection, [Requirement(Action.STOCK_COUNT, header.count_no)], [approval_id],
                      used_by=count_id)
        event = append_event(connection, type=COUNT_EVENT, at=now, body=_event_body(header, lines, by, now,
                                                                                    counter_name, witness_name))
        changes = [line for line in lines if line.difference_milli]
        if changes:
            connection.execute(_movement.insert(), [
                {"id": str(uuid.uuid4()), "product_id": line.product_id, "qty_milli": line.difference_milli,
                 "kind": "count", "ref_id": count_id, "created_at": now} for line in changes])
        connection.execute(update(_count).where(_count.c.id == count_id).values(
            status="approved", approved_by=by.id, approved_at=now, counter_name=counter_name,
            witness_name=witness_name, journal_seq=event.seq))
        uow.commit()
    return count_sheet(ctx, count_id)


def _event_body(header: CountHeader, lines: Sequence[CountLine], by: Cashier, now: datetime,
                counter_name: str, witness_name: str) -> dict[str, object]:
    return {
        "count_id": header.id, "count_no": header.count_no, "scope": header.scope.value,
        "scope_value": header.scope_value or "", "started_at": rfc3339(header.started_at),
        "approved_at": rfc3339(now), "approved_by": by.id, "counter_name": counter_name,
        "witness_name": witness_name,
        "lines": [{"sku": line.sku, "expected_milli": line.expected_milli or 0,
                   "counted_milli": line.counted_milli or 0, "difference_milli": line.difference_milli,
                   "value": line.difference_value, "reason": line.reason or "", "note": line.note or ""}
                  for line in lines],
    }
