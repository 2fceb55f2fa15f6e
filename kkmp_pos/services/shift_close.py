"""During and at the end of a cash shift: cash in/out, the X report, and closing with a count and a final Z."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, update

from kkmp_pos.domain.cash import count_total, counts_json
from kkmp_pos.domain.errors import InvalidInput, NotFound
from kkmp_pos.domain.money import Rupiah, format_rupiah
from kkmp_pos.domain.roles import Action, can_sell
from kkmp_pos.domain.sale_rules import Requirement
from kkmp_pos.domain.shift_report import ShiftEvent, ShiftFigures, ShiftReport, over_short, shift_figures
from kkmp_pos.printing.z_report_pdf import render_z_report
from kkmp_pos.services.approval_use import use_approvals
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.outlet import outlet_info
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import Approval, CashMovement, JournalEvent, Shift, User
from sync.protocol.canonical import canon

_shift = Shift.__table__
_movement = CashMovement.__table__
_journal = JournalEvent.__table__
_user = User.__table__
_approval = Approval.__table__
IN = "in"
OUT = "out"
MAX_REASON = 200
REPORTS_DIR = "laporan"
"""Z report PDFs are kept under <data_dir>/laporan/."""


@dataclass(frozen=True, slots=True)
class RecordedCashMovement:
    id: str
    direction: str
    amount: Rupiah
    expected_after: Rupiah
    journal_seq: int


@dataclass(frozen=True, slots=True)
class ClosedShift:
    shift_id: str
    shift_no: str
    expected_cash: Rupiah
    counted_cash: Rupiah
    over_short: Rupiah
    close_seq: int


def cash_movement_subject(shift_no: str, direction: str, amount: Rupiah) -> str:
    """What the manager approves: this shift, which way, how much (`Z000001 -Rp50.000`)."""
    return f"{shift_no} {'+' if direction == IN else '-'}{format_rupiah(amount)}"


def _shift_row(connection: Connection, shift_id: str | None = None) -> Any:
    """The given shift, or the open one; InvalidInput when the till has no open shift."""
    query = select(_shift)
    query = query.where(_shift.c.id == shift_id) if shift_id else query.where(_shift.c.status == "open").limit(1)
    row = connection.execute(query).first()
    if row is None:
        if shift_id:
            raise NotFound("Shift kas tidak ditemukan.")
        raise InvalidInput("Belum ada shift kas yang terbuka. Buka shift dulu (Menu → Buka shift…).")
    return row


def _events(connection: Connection, after_seq: int, upto_seq: int | None = None) -> list[ShiftEvent]:
    """The journal events after `after_seq` (the shift_open) up to `upto_seq`: a primary-key range read."""
    query = select(_journal.c.seq, _journal.c.hash, _journal.c.type, _journal.c.body).where(_journal.c.seq > after_seq)
    if upto_seq is not None:
        query = query.where(_journal.c.seq <= upto_seq)
    return [ShiftEvent(seq=r.seq, hash=r.hash, type=r.type, body=json.loads(r.body))
            for r in connection.execute(query.order_by(_journal.c.seq))]


def _figures(connection: Connection, row: Any) -> ShiftFigures:
    figures = shift_figures(row.opening_float, _events(connection, row.open_seq))
    if figures.last_seq == 0:
        # Nothing since the opening: the chain's last event is the shift_open itself.
        opened = connection.execute(select(_journal.c.hash).where(_journal.c.seq == row.open_seq)).scalar_one()
        figures = _with_last(figures, row.open_seq, opened)
    return figures


def _with_last(figures: ShiftFigures, seq: int, digest: str) -> ShiftFigures:
    data = figures.to_json()
    data.update(last_seq=seq, last_hash=digest)
    return ShiftFigures.from_json(data)


def _active_user(connection: Connection, user_id: str) -> str:
    row = connection.execute(select(_user.c.role, _user.c.full_name)
                             .where(_user.c.id == user_id, _user.c.active.is_(True))).first()
    if row is None or not can_sell(row.role):
        raise InvalidInput("Hanya kasir, manajer atau admin yang dapat mengelola kas.")
    return str(row.full_name)


def expected_cash(ctx: PosContext) -> Rupiah:
    """What the open shift's drawer should hold now."""
    with reading(ctx.engine) as connection:
        return _figures(connection, _shift_row(connection)).expected_cash


def record_cash_movement(ctx: PosContext, *, cashier_id: str, direction: str, amount: Rupiah, reason: str,
                         approval_id: str | None) -> RecordedCashMovement:
    """Cash put into (`in`) or taken out of (`out`) the drawer, approved on `cash_movement_subject`.

    One transaction: the cash_movement row and its `cash_movement` event. A cash-out of more than the
    drawer should hold is refused: the drawer cannot go negative.
    """
    if direction not in (IN, OUT):
        raise InvalidInput("Pilih kas masuk atau kas keluar.")
    if amount <= 0:
        raise InvalidInput("Jumlah kas harus lebih dari Rp0.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Alasan wajib diisi, misalnya 'setor ke bank' atau 'bayar pemasok'.")
    now = ctx.clock()
    movement_id = str(uuid.uuid4())
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        _active_user(connection, cashier_id)
        row = _shift_row(connection)
        drawer = _figures(connection, row).expected_cash
        if direction == OUT and amount > drawer:
            raise InvalidInput("Kas keluar {amount} melebihi uang yang seharusnya ada di laci ({drawer}). "
                               "Periksa jumlahnya.", amount=format_rupiah(amount), drawer=format_rupiah(drawer))
        spent = use_approvals(connection, [Requirement(Action.CASH_MOVEMENT,
                                                       cash_movement_subject(row.shift_no, direction, amount))],
                              [approval_id] if approval_id else [], movement_id)
        event = append_event(connection, type="cash_movement", at=now, body={
            "movement_id": movement_id, "shift_id": row.id, "shift_no": row.shift_no, "direction": direction,
            "amount": amount, "reason": reason[:MAX_REASON], "cashier_id": cashier_id, "approval_id": spent[0],
        })
        connection.execute(_movement.insert(), {
            "id": movement_id, "shift_id": row.id, "direction": direction, "amount": amount,
            "reason": reason[:MAX_REASON], "cashier_id": cashier_id, "approval_id": spent[0], "created_at": now,
            "journal_seq": event.seq,
        })
        uow.commit()
    after = drawer + amount if direction == IN else drawer - amount
    return RecordedCashMovement(id=movement_id, direction=direction, amount=amount, expected_after=after,
                                journal_seq=event.seq)


def _name(connection: Connection, user_id: str | None) -> str | None:
    if user_id is None:
        return None
    return connection.execute(select(_user.c.full_name).where(_user.c.id == user_id)).scalar()


def x_report(ctx: PosContext) -> ShiftReport:
    """The open shift's figures so far (printed, never stored)."""
    outlet = outlet_info(ctx)
    with reading(ctx.engine) as connection:
        row = _shift_row(connection)
        figures = _figures(connection, row)
        opened_by = _name(connection, row.opened_by) or ""
    return ShiftReport(kind="X", outlet=outlet, shift_no=row.shift_no, opened_at=row.opened_at, opened_by=opened_by,
                       figures=figures, printed_at=ctx.clock())


def close_shift(ctx: PosContext, *, cashier_id: str, counts: Mapping[Rupiah, int],
                approval_id: str | None) -> ClosedShift:
    """Close the open shift with the drawer counted by denomination, approved on its shift number.

    One transaction: the shift becomes closed with its count, expected cash and Z figures frozen, plus a
    `shift_close` event carrying the Z and the journal's last seq and hash before it. Final: a closed
    shift is never changed or reopened.
    """
    counted = count_total(counts)
    now = ctx.clock()
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        _active_user(connection, cashier_id)
        row = _shift_row(connection)
        spent = use_approvals(connection, [Requirement(Action.CLOSE_SHIFT, row.shift_no)],
                              [approval_id] if approval_id else [], row.id)
        approver = connection.execute(select(_approval.c.approver_id).where(_approval.c.id == spent[0])).scalar()
        figures = _figures(connection, row)
        stored_counts = counts_json(counts)
        z = {**figures.to_json(), "shift_id": row.id, "shift_no": row.shift_no, "counted_cash": counted,
             "over_short": over_short(counted, figures.expected_cash), "closing_counts": stored_counts,
             "closed_by": cashier_id, "approved_by": approver, "approval_id": spent[0]}
        event = append_event(connection, type="shift_close", at=now, body=z)
        done = connection.execute(update(_shift).where(_shift.c.id == row.id, _shift.c.status == "open").values(
            status="closed", closed_by=cashier_id, approved_by=approver, closed_at=now,
            closing_counts=json.dumps(stored_counts, sort_keys=True), counted_cash=counted,
            expected_cash=figures.expected_cash, close_seq=event.seq, z_report=canon(z).decode("utf-8"),
        ))
        if done.rowcount != 1:
            raise InvalidInput("Shift ini sudah ditutup; laporan Z tidak dapat diubah.")
        uow.commit()
    return ClosedShift(shift_id=row.id, shift_no=row.shift_no, expected_cash=figures.expected_cash,
                       counted_cash=counted, over_short=over_short(counted, figures.expected_cash),
                       close_seq=event.seq)


def z_report(ctx: PosContext, shift_id: str) -> ShiftReport:
    """The frozen Z of a closed shift, as it was at close."""
    outlet = outlet_info(ctx)
    with reading(ctx.engine) as connection:
        row = _shift_row(connection, shift_id)
        if row.status != "closed":
            raise InvalidInput("Shift {shift_no} masih terbuka: laporan Z ada setelah shift ditutup.",
                               shift_no=row.shift_no)
        frozen = json.loads(row.z_report)
        names = {key: _name(connection, getattr(row, key)) for key in ("opened_by", "closed_by", "approved_by")}
    counts = {int(d): pieces for d, pieces in frozen["closing_counts"].items()}
    return ShiftReport(kind="Z", outlet=outlet, shift_no=row.shift_no, opened_at=row.opened_at,
                       opened_by=names["opened_by"] or "", figures=ShiftFigures.from_json(frozen),
                       printed_at=ctx.clock(), closed_at=row.closed_at, closed_by=names["closed_by"],
                       approved_by=names["approved_by"], counted_cash=row.counted_cash, closing_counts=counts)


def z_pdf_path(ctx: PosContext, shift_no: str) -> Path:
    return ctx.data_dir / REPORTS_DIR / f"laporan-z-{shift_no}.pdf"


def save_z_pdf(ctx: PosContext, shift_id: str) -> Path:
    """Write the Z of a closed shift as PDF under <data_dir>/laporan/ and return its path."""
    report = z_report(ctx, shift_id)
    path = z_pdf_path(ctx, report.shift_no)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(render_z_report(report))
    temporary.replace(path)
    return path
