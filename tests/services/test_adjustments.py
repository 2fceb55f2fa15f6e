"""Stock adjustments: approval (asked by a kasir, own authority for a manager), one transaction, journaled."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.roles import Action
from kkmp_pos.services import catalog, stock
from kkmp_pos.services.adjustments import AdjustmentLine, adjustment_subject, record_adjustment
from kkmp_pos.services.approval_use import ApprovalRequired
from kkmp_pos.services.approvals import record_own_authority, request_approval
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.store.models import Approval, JournalEvent, StockAdjustment, StockMovement, User

OIL, RICE = "MGR-MKT-1", "BRS-CURAH"


def user_id(ctx: PosContext, username: str) -> str:
    with ctx.engine.connect() as connection:
        return connection.execute(select(User.id).where(User.username == username)).scalar_one()


def pid(ctx: PosContext, sku: str) -> int:
    found = catalog.find_by_sku(ctx, sku)
    assert found is not None
    return found.id


def counts(ctx: PosContext) -> tuple[int, int, int]:
    with ctx.engine.connect() as connection:
        return (connection.execute(select(func.count()).select_from(StockAdjustment)).scalar_one(),
                connection.execute(select(func.count()).select_from(StockMovement)).scalar_one(),
                connection.execute(select(func.count()).select_from(JournalEvent)).scalar_one())


def manager_approves(ctx: PosContext, subject: str) -> str:
    return request_approval(ctx, action=Action.STOCK_ADJUSTMENT, cashier_id=user_id(ctx, "kasir"),
                            approver_username="manajer", pin="2222", reason="kemasan sobek", subject=subject).id


def test_a_kasir_needs_a_managers_approval_and_the_adjustment_is_journaled(ctx: PosContext) -> None:
    oil, rice = pid(ctx, OIL), pid(ctx, RICE)
    lines = [AdjustmentLine(oil, 2000), AdjustmentLine(rice, 1250)]
    subject = adjustment_subject("rusak", [(OIL, -2000), (RICE, -1250)])
    before = counts(ctx)
    with pytest.raises(ApprovalRequired):
        record_adjustment(ctx, reason="rusak", note=None, lines=lines, cashier_id=user_id(ctx, "kasir"),
                          approval_id=None)
    assert counts(ctx) == before
    approval = manager_approves(ctx, subject)
    done = record_adjustment(ctx, reason="rusak", note="tikus", lines=lines, cashier_id=user_id(ctx, "kasir"),
                             approval_id=approval)
    assert stock.on_hand(ctx, [oil, rice]) == {oil: 48_000, rice: 48_750}
    with ctx.engine.connect() as connection:
        event = connection.execute(select(JournalEvent.type, JournalEvent.body)
                                   .where(JournalEvent.seq == done.journal_seq)).one()
        row = connection.execute(select(StockAdjustment).where(StockAdjustment.id == done.adjustment_id)).one()
        moves = connection.execute(select(StockMovement.kind, StockMovement.qty_milli)
                                   .where(StockMovement.ref_id == done.adjustment_id)).all()
        used_by = connection.execute(select(Approval.used_by).where(Approval.id == approval)).scalar_one()
    body = json.loads(event.body)
    assert event.type == "stock_adjustment"
    assert (body["reason"], body["note"], body["approval_id"]) == ("rusak", "tikus", approval)
    assert body["lines"] == [{"sku": OIL, "qty_milli": -2000}, {"sku": RICE, "qty_milli": -1250}]
    assert (row.reason, row.approval_id, row.journal_seq) == ("rusak", approval, done.journal_seq)
    assert sorted(moves) == [("adjustment", -2000), ("adjustment", -1250)]
    assert used_by == done.adjustment_id
    assert verify_journal(ctx.engine) is None
    # The approval is spent: the same id cannot post a second adjustment.
    with pytest.raises(ApprovalRequired):
        record_adjustment(ctx, reason="rusak", note="tikus", lines=lines, cashier_id=user_id(ctx, "kasir"),
                          approval_id=approval)


def test_an_approval_for_other_lines_does_not_cover_the_adjustment(ctx: PosContext) -> None:
    oil = pid(ctx, OIL)
    approval = manager_approves(ctx, adjustment_subject("rusak", [(OIL, -1000)]))
    before = counts(ctx)
    with pytest.raises(ApprovalRequired):
        record_adjustment(ctx, reason="rusak", note=None, lines=[AdjustmentLine(oil, 9000)],
                          cashier_id=user_id(ctx, "kasir"), approval_id=approval)
    assert counts(ctx) == before


def test_a_manager_authorises_a_correction_in_by_their_own_role(ctx: PosContext) -> None:
    oil = pid(ctx, OIL)
    manager = user_id(ctx, "manajer")
    subject = adjustment_subject("koreksi", [(OIL, 3000)])
    assert subject == "koreksi: MGR-MKT-1 +3000"
    grant = record_own_authority(ctx, action=Action.STOCK_ADJUSTMENT, user_id=manager, subject=subject)
    record_adjustment(ctx, reason="koreksi", note="salah input penjualan kemarin",
                      lines=[AdjustmentLine(oil, 3000, incoming=True)], cashier_id=manager, approval_id=grant.id)
    assert stock.on_hand(ctx, [oil])[oil] == 53_000
    assert verify_journal(ctx.engine) is None


@pytest.mark.parametrize(("reason", "note", "lines", "message"), [
    ("rusak", None, [], "Belum ada barang"),
    ("rusak", None, [(OIL, 0, False)], "lebih dari nol"),
    ("rusak", None, [(OIL, -5000, False)], "lebih dari nol"),
    ("rusak", None, [(OIL, 500_000_000, False)], "terlalu besar"),
    ("rusak", None, [(OIL, 1500, False)], "bilangan bulat"),
    ("rusak", None, [(OIL, 1000, False), (OIL, 2000, False)], "dua kali"),
    ("rusak", None, [(OIL, 1000, True)], "Hanya koreksi"),
    ("koreksi", "  ", [(OIL, 1000, True)], "wajib diberi catatan"),
    ("", None, [(OIL, 1000, False)], "Pilih alasan"),
    ("hilang", None, [(OIL, 1000, False)], "Pilih alasan"),
])
def test_bad_input_is_refused_in_indonesian_and_nothing_is_stored(
        ctx: PosContext, reason: str, note: str | None, lines: list[tuple[str, int, bool]], message: str) -> None:
    manager = user_id(ctx, "manajer")
    adjustment = [AdjustmentLine(pid(ctx, sku), qty, incoming) for sku, qty, incoming in lines]
    grant = record_own_authority(ctx, action=Action.STOCK_ADJUSTMENT, user_id=manager,
                                 subject=adjustment_subject(reason, [(s, q) for s, q, _ in lines]))
    before = counts(ctx)
    with pytest.raises(InvalidInput, match=message):
        record_adjustment(ctx, reason=reason, note=note, lines=adjustment, cashier_id=manager, approval_id=grant.id)
    assert counts(ctx) == before


def test_weighed_goods_adjust_to_the_gram(ctx: PosContext) -> None:
    rice = pid(ctx, RICE)
    manager = user_id(ctx, "manajer")
    grant = record_own_authority(ctx, action=Action.STOCK_ADJUSTMENT, user_id=manager,
                                 subject=adjustment_subject("pemakaian_sendiri", [(RICE, -1_337)]))
    record_adjustment(ctx, reason="pemakaian_sendiri", note=None, lines=[AdjustmentLine(rice, 1_337)],
                      cashier_id=manager, approval_id=grant.id)
    assert stock.on_hand(ctx, [rice])[rice] == 48_663
