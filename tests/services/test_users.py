"""Managing users (admin only), and reading the audit trail with its filters."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.errors import InvalidInput, PosError
from kkmp_pos.domain.roles import Action
from kkmp_pos.services import auth, users
from kkmp_pos.services.approvals import ApprovalRefused, record_own_authority, request_approval
from kkmp_pos.services.audit import APPROVED, REFUSED, AuditFilter, list_approvals, list_login_attempts
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import iter_events, verify_journal
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import User
from tests.conftest import TEST_MOMENT

TODAY = date(2026, 11, 30)


def user_events(ctx: PosContext) -> list[dict[str, Any]]:
    with reading(ctx.engine) as connection:
        return [e["body"] for e in iter_events(connection) if e["type"] == "user_change"]


def test_admin_adds_deactivates_and_resets_and_each_change_is_journaled(ctx: PosContext) -> None:
    admin = auth.login(ctx, "admin", "9999")
    added = users.create_user(ctx, admin_id=admin.id, username=" Rudi.H ", full_name="  Rudi   Hartono ",
                              role="manajer", pin="480516", pin_again="480516")
    assert (added.username, added.full_name, added.role, added.active, added.has_pin) == (
        "rudi.h", "Rudi Hartono", "manajer", True, True)
    assert auth.login(ctx, "rudi.h", "480516").id == added.id
    users.set_active(ctx, admin_id=admin.id, user_id=added.id, active=False)
    with pytest.raises(auth.LoginRefused, match="dinonaktifkan"):
        auth.login(ctx, "rudi.h", "480516")
    users.set_active(ctx, admin_id=admin.id, user_id=added.id, active=True)
    for _ in range(5):
        with pytest.raises(auth.LoginRefused):
            auth.login(ctx, "rudi.h", "000000")
    reset = users.reset_pin(ctx, admin_id=admin.id, user_id=added.id, pin="7391", pin_again="7391")
    assert (reset.failed_pins, reset.locked_until) == (0, None)  # a new PIN also lifts the lock
    assert auth.login(ctx, "rudi.h", "7391").id == added.id
    events = user_events(ctx)
    assert [e["change"] for e in events] == ["created", "deactivated", "reactivated", "pin_reset"]
    assert all(e["by"] == admin.id and e["user_id"] == added.id for e in events)
    assert not any("pin" in key for e in events for key in e)  # never a PIN or its hash
    assert verify_journal(ctx.engine) is None
    listed = users.list_users(ctx, admin_id=admin.id)
    assert [u.username for u in listed] == ["kasir", "manajer", "rudi.h", "pengawas", "admin"]


@pytest.mark.parametrize(("username", "full_name", "role", "pin", "again", "message"), [
    ("kasir", "Siti Dua", "kasir", "4826", "4826", "sudah dipakai"),
    ("si", "Si", "kasir", "4826", "4826", "tidak dapat dipakai"),
    ("budi santoso", "Budi", "kasir", "4826", "4826", "tidak dapat dipakai"),
    ("budi", "", "kasir", "4826", "4826", "nama lengkap"),
    ("budi", "Budi", "bos", "4826", "4826", "tidak dikenal"),
    ("budi", "Budi", "kasir", "4826", "4827", "tidak sama"),
    ("budi", "Budi", "kasir", "482", "482", "4 sampai 6 angka"),
    ("budi", "Budi", "kasir", "7777", "7777", "terlalu mudah"),
    ("budi", "Budi", "kasir", "654321", "654321", "terlalu mudah"),
])
def test_bad_new_users_are_refused_and_nothing_is_stored(ctx: PosContext, username: str, full_name: str,
                                                         role: str, pin: str, again: str, message: str) -> None:
    admin = auth.login(ctx, "admin", "9999")
    with pytest.raises(InvalidInput, match=message):
        users.create_user(ctx, admin_id=admin.id, username=username, full_name=full_name, role=role, pin=pin,
                          pin_again=again)
    assert len(users.list_users(ctx, admin_id=admin.id)) == 4 and user_events(ctx) == []


def test_only_an_active_admin_manages_users_and_never_deactivates_themselves(ctx: PosContext) -> None:
    manajer = auth.login(ctx, "manajer", "2222")
    admin = auth.login(ctx, "admin", "9999")
    with pytest.raises(PosError, match="Hanya admin"):
        users.list_users(ctx, admin_id=manajer.id)
    with pytest.raises(PosError, match="Hanya admin"):
        users.reset_pin(ctx, admin_id=manajer.id, user_id=manajer.id, pin="4826", pin_again="4826")
    with pytest.raises(InvalidInput, match="diri sendiri"):
        users.set_active(ctx, admin_id=admin.id, user_id=admin.id, active=False)
    with reading(ctx.engine) as connection:
        assert connection.execute(select(User.__table__.c.active).where(User.__table__.c.id == admin.id)).scalar()


def test_audit_filters_by_days_action_user_and_outcome(ctx: PosContext) -> None:
    kasir = auth.login(ctx, "kasir", "1111")
    manajer = auth.login(ctx, "manajer", "2222")
    request_approval(ctx, action=Action.VOID_LINE, cashier_id=kasir.id, approver_username="manajer", pin="2222",
                     reason="Salah pindai", subject="MGR-MKT-1")
    ctx.clock = fixed_clock(TEST_MOMENT + timedelta(days=1))
    with pytest.raises(ApprovalRefused):
        request_approval(ctx, action=Action.OPEN_DRAWER, cashier_id=kasir.id, approver_username="manajer",
                         pin="0000", reason="Tukar uang")
    record_own_authority(ctx, action=Action.CANCEL_CART, user_id=manajer.id, subject="keranjang")

    def approvals(**changes: Any) -> list[tuple[str, str]]:
        flt = AuditFilter(**{"first_day": TODAY, "last_day": TODAY + timedelta(days=1), **changes})
        return [(e.action, e.outcome) for e in list_approvals(ctx, flt, viewer_id=manajer.id)]

    assert approvals() == [("cancel_cart", APPROVED), ("open_drawer", REFUSED), ("void_line", APPROVED)]
    assert approvals(last_day=TODAY) == [("void_line", APPROVED)]
    assert approvals(action=Action.OPEN_DRAWER) == [("open_drawer", REFUSED)]
    assert approvals(outcome=REFUSED) == [("open_drawer", REFUSED)]
    assert approvals(user_id=kasir.id) == [("open_drawer", REFUSED), ("void_line", APPROVED)]
    (refused,) = list_approvals(ctx, AuditFilter(TODAY, TODAY + timedelta(days=1), outcome=REFUSED),
                                viewer_id=manajer.id)
    assert (refused.refusal, refused.cashier_name, refused.approver_name) == ("wrong_pin", "Siti Rahmawati",
                                                                              "Budi Santoso")
    attempts = list_login_attempts(ctx, AuditFilter(TODAY, TODAY + timedelta(days=1)), viewer_id=manajer.id)
    assert [(a.username, a.action, a.outcome) for a in attempts] == [
        ("manajer", "open_drawer", "wrong_pin"), ("manajer", "void_line", "ok"), ("manajer", None, "ok"),
        ("kasir", None, "ok")]
    assert [a.outcome for a in list_login_attempts(ctx, AuditFilter(TODAY, TODAY, outcome=REFUSED),
                                                   viewer_id=manajer.id)] == []
    with pytest.raises(InvalidInput, match="Tukar kedua tanggal"):
        list_approvals(ctx, AuditFilter(TODAY, TODAY - timedelta(days=1)), viewer_id=manajer.id)
    with pytest.raises(PosError, match="Audit hanya"):
        list_approvals(ctx, AuditFilter(TODAY, TODAY), viewer_id=kasir.id)
    pengawas = auth.login(ctx, "pengawas", "3333")
    assert len(list_approvals(ctx, AuditFilter(TODAY, TODAY + timedelta(days=1)), viewer_id=pengawas.id)) == 3
