"""Cash in/out, the X report and closing a shift: denominations, over/short, the drawer never negative, a final Z."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.cash import count_total
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.payment import cash_payment, non_cash_payment
from kkmp_pos.domain.roles import Action
from kkmp_pos.services import catalog, sales, shift_close
from kkmp_pos.services.approval_use import ApprovalRequired
from kkmp_pos.services.approvals import request_approval
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.receipts import print_shift_report, shift_report_preview
from kkmp_pos.services.shifts import current_shift, open_shift
from kkmp_pos.store.models import CashMovement, JournalEvent, Shift, User
from tests.conftest import OPENING_FLOAT
from tests.ui.helpers import use_file_printer

MINYAKITA = "8999900000055"  # Rp15.700


def user(ctx: PosContext, username: str) -> Cashier:
    with ctx.engine.connect() as connection:
        row = connection.execute(select(User.id, User.username, User.full_name, User.role)
                                 .where(User.username == username)).one()
    return Cashier(id=row.id, username=row.username, full_name=row.full_name, role=row.role)


def approve(ctx: PosContext, action: Action, subject: str) -> str:
    return request_approval(ctx, action=action, cashier_id=user(ctx, "kasir").id, approver_username="manajer",
                            pin="2222", reason="akhir hari", subject=subject).id


def sell_oil(ctx: PosContext, pieces: int, received: int | None = None, method: str = "tunai") -> sales.CompletedSale:
    product = catalog.find_by_barcode(ctx, MINYAKITA)
    assert product is not None
    cart = Cart()
    cart.add(product, pieces * 1000)
    payment = cash_payment(cart.total, received or cart.total) if method == "tunai" else \
        non_cash_payment(method, cart.total, reference="REF1")
    return sales.complete_sale(ctx, cart, [payment], cashier_id=user(ctx, "kasir").id)


def move_cash(ctx: PosContext, direction: str, amount: int, reason: str = "setor ke bank"
              ) -> shift_close.RecordedCashMovement:
    shift = current_shift(ctx)
    assert shift is not None
    grant = approve(ctx, Action.CASH_MOVEMENT, shift_close.cash_movement_subject(shift.shift_no, direction, amount))
    return shift_close.record_cash_movement(ctx, cashier_id=user(ctx, "kasir").id, direction=direction,
                                            amount=amount, reason=reason, approval_id=grant)


def close(ctx: PosContext, counts: dict[int, int]) -> shift_close.ClosedShift:
    shift = current_shift(ctx)
    assert shift is not None
    return shift_close.close_shift(ctx, cashier_id=user(ctx, "kasir").id, counts=counts,
                                   approval_id=approve(ctx, Action.CLOSE_SHIFT, shift.shift_no))


def test_denominations_are_counted_and_unknown_notes_refused() -> None:
    assert count_total({100_000: 1, 50_000: 2, 500: 3, 100: 4}) == 200_000 + 1_500 + 400
    with pytest.raises(InvalidInput, match="tidak dikenal"):
        count_total({25_000: 1})
    with pytest.raises(InvalidInput):
        count_total({1_000: -1})


def test_cash_in_and_out_move_the_expected_cash_with_one_row_and_one_event(ctx: PosContext) -> None:
    sell_oil(ctx, 2, received=50_000)  # Rp31.400 kept, Rp18.600 change
    assert shift_close.expected_cash(ctx) == 150_000 + 31_400
    taken = move_cash(ctx, "out", 100_000)
    assert taken.expected_after == 81_400
    move_cash(ctx, "in", 20_000, reason="tambah uang kecil")
    assert shift_close.expected_cash(ctx) == 101_400
    with ctx.engine.connect() as connection:
        rows = connection.execute(select(CashMovement.direction, CashMovement.amount, CashMovement.journal_seq)).all()
        events = connection.execute(select(JournalEvent.seq, JournalEvent.body)
                                    .where(JournalEvent.type == "cash_movement")).all()
    assert sorted((r.direction, r.amount) for r in rows) == [("in", 20_000), ("out", 100_000)]
    assert {r.journal_seq for r in rows} == {e.seq for e in events}
    assert {json.loads(e.body)["reason"] for e in events} == {"setor ke bank", "tambah uang kecil"}


def test_a_cash_out_that_would_leave_the_drawer_negative_is_refused(ctx: PosContext) -> None:
    with pytest.raises(InvalidInput, match="melebihi uang"):
        move_cash(ctx, "out", 150_100)
    with ctx.engine.connect() as connection:
        assert connection.execute(select(CashMovement.id)).first() is None
    move_cash(ctx, "out", 150_000)  # exactly empty is fine
    assert shift_close.expected_cash(ctx) == 0


def test_cash_movement_needs_an_approval_of_that_very_amount(ctx: PosContext) -> None:
    shift = current_shift(ctx)
    assert shift is not None
    grant = approve(ctx, Action.CASH_MOVEMENT, shift_close.cash_movement_subject(shift.shift_no, "out", 10_000))
    with pytest.raises(ApprovalRequired):
        shift_close.record_cash_movement(ctx, cashier_id=user(ctx, "kasir").id, direction="out", amount=50_000,
                                         reason="bayar pemasok", approval_id=grant)
    with pytest.raises(InvalidInput, match="Alasan"):
        shift_close.record_cash_movement(ctx, cashier_id=user(ctx, "kasir").id, direction="out", amount=10_000,
                                         reason=" ", approval_id=grant)


def test_the_x_report_shows_the_figures_so_far_and_stores_nothing(ctx: PosContext, tmp_path: Path) -> None:
    first = sell_oil(ctx, 1)
    last = sell_oil(ctx, 3, method="qris")
    report = shift_close.x_report(ctx)
    figures = report.figures
    assert (figures.sales_count, figures.first_receipt, figures.last_receipt) == (2, first.receipt_no,
                                                                                  last.receipt_no)
    assert (figures.cash_sales, figures.qris_pending, figures.expected_cash) == (15_700, 47_100, 165_700)
    text = "\n".join(shift_report_preview(ctx, report))
    assert "LAPORAN X" in text and "Rp165.700" in text
    use_file_printer(ctx, tmp_path / "x.bin")
    print_shift_report(ctx, report)
    data = (tmp_path / "x.bin").read_bytes()
    assert b"LAPORAN X" in data and b"Rp165.700" in data
    with ctx.engine.connect() as connection:
        assert connection.execute(select(Shift.status)).scalar() == "open"


def test_closing_with_a_shortage_freezes_the_z_and_journals_it(ctx: PosContext) -> None:
    sell_oil(ctx, 2, received=40_000)  # Rp31.400 kept
    shift = current_shift(ctx)
    assert shift is not None
    closed = close(ctx, {100_000: 1, 50_000: 1, 20_000: 1, 10_000: 1, 1_000: 1})  # Rp181.000 counted
    assert (closed.expected_cash, closed.counted_cash, closed.over_short) == (181_400, 181_000, -400)
    assert current_shift(ctx) is None
    with ctx.engine.connect() as connection:
        row = connection.execute(select(Shift.__table__).where(Shift.id == shift.id)).one()
        event = connection.execute(select(JournalEvent.__table__)
                                   .where(JournalEvent.seq == row.close_seq)).one()
        before = connection.execute(select(JournalEvent.seq, JournalEvent.hash)
                                    .where(JournalEvent.seq == row.close_seq - 1)).one()
    z = json.loads(row.z_report)
    assert row.status == "closed" and row.counted_cash == 181_000 and row.expected_cash == 181_400
    assert json.loads(row.closing_counts) == {"100000": 1, "50000": 1, "20000": 1, "10000": 1, "1000": 1}
    assert event.type == "shift_close" and json.loads(event.body) == z
    assert (z["last_seq"], z["last_hash"]) == (before.seq, before.hash)
    assert z["over_short"] == -400 and z["approved_by"] == user(ctx, "manajer").id
    assert verify_journal(ctx.engine) is None
    report = shift_close.z_report(ctx, shift.id)
    assert report.over_short == -400 and report.approved_by == user(ctx, "manajer").full_name


def test_a_closed_shift_is_final(ctx: PosContext) -> None:
    shift = current_shift(ctx)
    assert shift is not None
    close(ctx, OPENING_FLOAT)
    with pytest.raises(InvalidInput, match="Belum ada shift"):
        shift_close.close_shift(ctx, cashier_id=user(ctx, "kasir").id, counts=OPENING_FLOAT, approval_id=None)
    with pytest.raises(InvalidInput, match="Belum ada shift"):
        shift_close.record_cash_movement(ctx, cashier_id=user(ctx, "kasir").id, direction="in", amount=1_000,
                                         reason="x", approval_id=None)
    with pytest.raises(InvalidInput):
        sell_oil(ctx, 1)  # a sale needs a new open shift
    with ctx.engine.connect() as connection:
        frozen = connection.execute(select(Shift.z_report).where(Shift.id == shift.id)).scalar()
    reopened = open_shift(ctx, cashier_id=user(ctx, "kasir").id, counts={100_000: 1})
    assert reopened.id != shift.id
    sell_oil(ctx, 1)
    with ctx.engine.connect() as connection:
        assert connection.execute(select(Shift.z_report).where(Shift.id == shift.id)).scalar() == frozen
    assert shift_close.z_report(ctx, shift.id).figures.sales_count == 0


def test_closing_needs_a_manager_approval_on_this_shift(ctx: PosContext) -> None:
    with pytest.raises(ApprovalRequired):
        shift_close.close_shift(ctx, cashier_id=user(ctx, "kasir").id, counts=OPENING_FLOAT,
                                approval_id=approve(ctx, Action.CLOSE_SHIFT, "another shift"))
    assert current_shift(ctx) is not None

