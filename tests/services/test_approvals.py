"""Manager approvals: the approval row and its override event together, refusals kept, the role matrix."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.roles import Action, Role
from kkmp_pos.services import auth
from kkmp_pos.services.approvals import (
    ApprovalGrant,
    ApprovalRefused,
    Refusal,
    approvers,
    record_own_authority,
    request_approval,
)
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.demo import DEMO_PINS
from kkmp_pos.services.journal import iter_events, verify_journal
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import Approval, LoginAttempt, User

_approval = Approval.__table__
_attempt = LoginAttempt.__table__
_user = User.__table__
VOID = {"before": {"name": "Minyakita 1 L", "qty_milli": 2000, "total": 31_400},
        "after": {"qty_milli": 0, "total": 0}}


def user(ctx: PosContext, username: str) -> Cashier:
    return auth.login(ctx, username, DEMO_PINS[username])


def approval_rows(ctx: PosContext) -> list[Any]:
    with reading(ctx.engine) as connection:
        return list(connection.execute(select(_approval).order_by(_approval.c.journal_seq)).all())


def events(ctx: PosContext, type_: str = "override") -> list[dict[str, Any]]:
    with reading(ctx.engine) as connection:
        return [event for event in iter_events(connection) if event["type"] == type_]


def test_an_approval_writes_its_row_and_override_event_together(ctx: PosContext) -> None:
    kasir = user(ctx, "kasir")
    grant = request_approval(ctx, action=Action.VOID_LINE, cashier_id=kasir.id, approver_username="manajer",
                             pin="2222", reason="  Salah pindai  ", subject="MNK-1L", **VOID)
    manajer = user(ctx, "manajer")
    assert grant == ApprovalGrant(id=grant.id, action=Action.VOID_LINE, subject="MNK-1L", approver_id=manajer.id,
                                  approver_name="Budi Santoso", reason="Salah pindai")
    (row,) = approval_rows(ctx)
    assert (row.id, row.action, row.cashier_id, row.approver_id, row.outcome, row.reason, row.used_by) == (
        grant.id, "void_line", kasir.id, manajer.id, "approved", "Salah pindai", None)
    assert json.loads(row.before) == VOID["before"] and json.loads(row.after) == VOID["after"]
    (event,) = events(ctx)
    assert event["seq"] == row.journal_seq  # the row points at the event written in its transaction
    assert event["body"] == {
        "approval_id": grant.id, "action": "void_line", "subject": "MNK-1L", "cashier_id": kasir.id,
        "approver_id": manajer.id, "outcome": "approved", "refusal": None, "reason": "Salah pindai",
        "before": VOID["before"], "after": VOID["after"]}
    assert verify_journal(ctx.engine) is None
    with reading(ctx.engine) as connection:
        details = connection.execute(select(_attempt.c.detail).where(_attempt.c.user_id == manajer.id)).scalars()
        assert "approval:void_line/ok" in list(details)


@pytest.mark.parametrize(("approver", "pin", "reason", "cause", "message"), [
    ("manajer", "2223", "Salah pindai", "wrong_pin", "PIN salah. Sisa percobaan: 4"),
    ("kasir", "1111", "Salah pindai", Refusal.NOT_APPROVER, "Siti Rahmawati (Kasir) tidak berwenang"),
    ("pengawas", "3333", "Salah pindai", Refusal.NOT_APPROVER, "Dewi Lestari (Pengawas) tidak berwenang"),
    ("manajer", "2222", "   ", Refusal.NO_REASON, "Alasan wajib diisi"),
    ("direktur", "2222", "Salah pindai", "unknown_user", "tidak dikenal"),
])
def test_a_refused_approval_is_recorded_committed_and_raised(ctx: PosContext, approver: str, pin: str,
                                                              reason: str, cause: str, message: str) -> None:
    kasir = user(ctx, "kasir")
    with pytest.raises(ApprovalRefused) as caught:
        request_approval(ctx, action=Action.CANCEL_CART, cashier_id=kasir.id, approver_username=approver,
                         pin=pin, reason=reason, subject="keranjang", before={"lines": 3, "total": 47_100},
                         after={"lines": 0, "total": 0})
    assert caught.value.cause == cause and message in str(caught.value)
    (row,) = approval_rows(ctx)
    assert (row.outcome, row.action, row.cashier_id, row.reason) == ("refused", "cancel_cart", kasir.id,
                                                                      reason.strip())
    named = {"direktur": None}.get(approver, "known")
    assert (row.approver_id is None) == (named is None)
    (event,) = events(ctx)
    assert event["body"]["outcome"] == "refused" and event["body"]["refusal"] == cause
    assert event["seq"] == row.journal_seq and verify_journal(ctx.engine) is None


def test_a_locked_manager_cannot_approve_until_the_lock_ends(ctx: PosContext) -> None:
    kasir = user(ctx, "kasir")
    for _ in range(5):
        with pytest.raises(ApprovalRefused):
            request_approval(ctx, action=Action.OPEN_DRAWER, cashier_id=kasir.id, approver_username="manajer",
                             pin="0000", reason="Tukar uang kecil")
    with pytest.raises(ApprovalRefused, match="dikunci sampai 10:16 WITA karena 5 kali salah PIN") as caught:
        request_approval(ctx, action=Action.OPEN_DRAWER, cashier_id=kasir.id, approver_username="manajer",
                         pin="2222", reason="Tukar uang kecil")
    assert caught.value.cause == "locked"
    # The lockout is shared with the login: the manager is locked out of the till as well.
    with pytest.raises(auth.LoginRefused, match="dikunci"):
        auth.login(ctx, "manajer", "2222")
    assert [row.outcome for row in approval_rows(ctx)] == ["refused"] * 6


def test_an_empty_pin_field_is_not_an_attempt(ctx: PosContext) -> None:
    kasir = user(ctx, "kasir")
    with pytest.raises(InvalidInput):
        request_approval(ctx, action=Action.VOID_LINE, cashier_id=kasir.id, approver_username="manajer",
                         pin="", reason="x")
    assert approval_rows(ctx) == [] and events(ctx) == []


ACTING = {Role.KASIR: "kasir", Role.MANAJER: "manajer", Role.PENGAWAS: "pengawas", Role.ADMIN: "admin"}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_role_by_action_matrix_with_and_without_approval(ctx: PosContext, role: Role, action: Action) -> None:
    acting = user(ctx, ACTING[role])
    # Without approval: only a role that may approve authorises its own act.
    if role in (Role.MANAJER, Role.ADMIN):
        own = record_own_authority(ctx, action=action, user_id=acting.id, subject="X")
        assert own.approver_id == acting.id
    else:
        with pytest.raises(ApprovalRefused) as caught:
            record_own_authority(ctx, action=action, user_id=acting.id, subject="X")
        assert caught.value.cause == (Refusal.MAY_NOT_ACT if role is Role.PENGAWAS else Refusal.NOT_APPROVER)
    # With a manager's approval: everyone who may act at all; a pengawas never.
    if role is Role.PENGAWAS:
        with pytest.raises(ApprovalRefused) as caught:
            request_approval(ctx, action=action, cashier_id=acting.id, approver_username="manajer", pin="2222",
                             reason="Uji", subject="X")
        assert caught.value.cause == Refusal.MAY_NOT_ACT
    else:
        grant = request_approval(ctx, action=action, cashier_id=acting.id, approver_username="admin",
                                 pin="9999", reason="Uji", subject="X")
        assert grant.approver_name == "Admin Demo"
    # And as the approver for a cashier: manajer and admin approve, kasir and pengawas are refused.
    kasir = user(ctx, "kasir")
    if role in (Role.MANAJER, Role.ADMIN):
        assert request_approval(ctx, action=action, cashier_id=kasir.id, approver_username=ACTING[role],
                                pin=DEMO_PINS[ACTING[role]], reason="Uji").approver_id == acting.id
    else:
        with pytest.raises(ApprovalRefused) as caught:
            request_approval(ctx, action=action, cashier_id=kasir.id, approver_username=ACTING[role],
                             pin=DEMO_PINS[ACTING[role]], reason="Uji")
        assert caught.value.cause == Refusal.NOT_APPROVER
    rows = approval_rows(ctx)
    assert len(rows) == len(events(ctx)) == 3 and all(row.action == action.value for row in rows)
    assert verify_journal(ctx.engine) is None


def test_approver_list_is_active_managers_and_admins_with_a_pin(ctx: PosContext) -> None:
    assert [(u.username, u.role) for u in approvers(ctx)] == [("manajer", "manajer"), ("admin", "admin")]


def test_before_and_after_refuse_floats(ctx: PosContext) -> None:
    kasir = user(ctx, "kasir")
    with pytest.raises(ValueError, match="integers"):
        request_approval(ctx, action=Action.MANUAL_PRICE, cashier_id=kasir.id, approver_username="manajer",
                         pin="2222", reason="x", before={"price": 15.7})
    assert approval_rows(ctx) == []
