"""Stock adjustments outside a count (rusak, kedaluwarsa, pemakaian sendiri, koreksi): approved, one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.quantity import MAX_QUANTITY_MILLI, MILLI, format_quantity
from kkmp_pos.domain.roles import Action, can_sell
from kkmp_pos.domain.sale_rules import Requirement
from kkmp_pos.domain.stock import ADJUSTMENT_REASONS
from kkmp_pos.services.approval_use import use_approvals
from kkmp_pos.services.approvals import MAX_SUBJECT
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.store.models import Product, StockAdjustment, StockMovement, User

_adjustment = StockAdjustment.__table__
_movement = StockMovement.__table__
_product = Product.__table__
_user = User.__table__

CORRECTION = "koreksi"
"""The only reason that may put stock back in (a miscount found later); it needs a note saying why."""
MAX_NOTE = 200
EVENT_TYPE = "stock_adjustment"


@dataclass(frozen=True, slots=True)
class AdjustmentLine:
    """One product taken out (or, for a koreksi, put back in): `qty_milli` > 0 in base-unit thousandths."""

    product_id: int
    qty_milli: int
    incoming: bool = False

    @property
    def delta_milli(self) -> int:
        """The signed stock movement: negative when stock goes out."""
        return self.qty_milli if self.incoming else -self.qty_milli


@dataclass(frozen=True, slots=True)
class CompletedAdjustment:
    adjustment_id: str
    reason: str
    line_count: int
    journal_seq: int


def adjustment_subject(reason: str, lines: Sequence[tuple[str, int]]) -> str:
    """The approval subject: reason and every (sku, signed qty) — the manager approves exactly these lines."""
    parts = ", ".join(f"{sku} {'+' if delta > 0 else ''}{delta}" for sku, delta in lines)
    return f"{reason}: {parts}".strip()[:MAX_SUBJECT]


def check_adjustment(reason: str, note: str | None, lines: Sequence[AdjustmentLine]) -> str | None:
    """Validate what does not need the database; returns the cleaned note. Raises InvalidInput."""
    if reason not in ADJUSTMENT_REASONS:
        raise InvalidInput("Pilih alasan penyesuaian: rusak, kedaluwarsa, pemakaian sendiri, atau koreksi.")
    cleaned = (note or "").strip() or None
    if reason == CORRECTION and cleaned is None:
        raise InvalidInput("Koreksi stok wajib diberi catatan: tulis mengapa jumlahnya dikoreksi.")
    if cleaned is not None and len(cleaned) > MAX_NOTE:
        raise InvalidInput("Catatan terlalu panjang (paling banyak {n} huruf).", n=MAX_NOTE)
    if not lines:
        raise InvalidInput("Belum ada barang. Tambahkan barang dan jumlahnya dulu.")
    seen: set[int] = set()
    for line in lines:
        if line.qty_milli <= 0:
            raise InvalidInput("Jumlah harus lebih dari nol.")
        if line.qty_milli > MAX_QUANTITY_MILLI:
            raise InvalidInput("Jumlah {qty} terlalu besar untuk satu baris. Periksa jumlahnya.",
                               qty=format_quantity(line.qty_milli, weighed=True))
        if line.incoming and reason != CORRECTION:
            raise InvalidInput("Hanya koreksi yang boleh menambah stok. Untuk barang datang, pakai penerimaan "
                               "barang.")
        if line.product_id in seen:
            raise InvalidInput("Satu barang muncul dua kali. Gabungkan jumlahnya dalam satu baris.")
        seen.add(line.product_id)
    return cleaned


def _products(connection: Connection, lines: Sequence[AdjustmentLine]) -> dict[int, tuple[str, bool]]:
    rows = connection.execute(
        select(_product.c.id, _product.c.sku, _product.c.sold_by_weight)
        .where(_product.c.id.in_([line.product_id for line in lines]))
    ).all()
    found = {row.id: (row.sku, bool(row.sold_by_weight)) for row in rows}
    for line in lines:
        if line.product_id not in found:
            raise InvalidInput("Barang tidak ditemukan di katalog. Pilih ulang barangnya.")
        sku, weighed = found[line.product_id]
        if not weighed and line.qty_milli % MILLI:
            raise InvalidInput("Barang {sku} dihitung per satuan: jumlahnya harus bilangan bulat.", sku=sku)
    return found


def record_adjustment(ctx: PosContext, *, reason: str, note: str | None, lines: Sequence[AdjustmentLine],
                      cashier_id: str, approval_id: str | None) -> CompletedAdjustment:
    """Post an adjustment: its row, one 'adjustment' movement per line and a `stock_adjustment` event.

    Needs an unused approval of Action.STOCK_ADJUSTMENT whose subject is `adjustment_subject` of these lines
    (a kasir asks a manager; a manager's own authority is recorded by services.approvals). All or nothing.
    """
    cleaned_note = check_adjustment(reason, note, lines)
    now = ctx.clock()
    adjustment_id = str(uuid.uuid4())
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        cashier = connection.execute(select(_user.c.role, _user.c.active).where(_user.c.id == cashier_id)).first()
        if cashier is None or not cashier.active or not can_sell(cashier.role):
            raise InvalidInput("Pengguna ini tidak dapat menyesuaikan stok. Masuk sebagai kasir atau manajer.")
        products = _products(connection, lines)
        signed = [(products[line.product_id][0], line.delta_milli) for line in lines]
        spent = use_approvals(connection, [Requirement(Action.STOCK_ADJUSTMENT, adjustment_subject(reason, signed))],
                              [approval_id] if approval_id else [], adjustment_id)
        event = append_event(connection, type=EVENT_TYPE, at=now, body={
            "adjustment_id": adjustment_id, "reason": reason, "note": cleaned_note, "cashier_id": cashier_id,
            "approval_id": spent[0], "lines": [{"sku": sku, "qty_milli": delta} for sku, delta in signed],
        })
        connection.execute(insert(_adjustment), {
            "id": adjustment_id, "reason": reason, "note": cleaned_note, "cashier_id": cashier_id,
            "approval_id": spent[0], "created_at": now, "journal_seq": event.seq,
        })
        connection.execute(insert(_movement), [
            {"id": str(uuid.uuid4()), "product_id": line.product_id, "qty_milli": line.delta_milli,
             "kind": "adjustment", "ref_id": adjustment_id, "created_at": now}
            for line in lines
        ])
        uow.commit()
    return CompletedAdjustment(adjustment_id=adjustment_id, reason=reason, line_count=len(lines),
                               journal_seq=event.seq)
