"""Manager approvals of gated acts: PIN check, approval record and `override` journal event in one transaction.

How other services use them: a gated act (a sale with a price above HET, a refund...) is given the ids of
`ApprovalGrant`s; the service spending one checks its `approval` row (action, subject, outcome 'approved',
used_by NULL) and sets used_by in its own transaction (services.approval_use). Acts that live only in the
till (voiding a cart line, cancelling a cart, opening the drawer) are complete once approved: the approval
row and its journal event are their record.

Every decision is kept, refusals included: a wrong PIN, a locked or unknown approver, an approver whose
role cannot approve, a missing reason, or an acting user who may not act at all (a pengawas) is written as
an `approval` row with outcome 'refused' plus an `override` event, committed, and only then raised as
ApprovalRefused.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, select

from kkmp_pos.domain.errors import InvalidInput, PosError
from kkmp_pos.domain.roles import (
    ACTION_LABELS,
    APPROVER_ROLES,
    ROLE_LABELS,
    Action,
    Role,
    can_approve,
    can_sell,
)
from kkmp_pos.i18n import tr
from kkmp_pos.services.auth import ROLE_ORDER, check_pin, require_pin_typed
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import Approval, User
from sync.protocol.canonical import FloatInEvent, canon

_approval = Approval.__table__
_user = User.__table__

OVERRIDE_EVENT = "override"
APPROVAL_PURPOSE = "approval:{action}"
"""How an approver's PIN attempt is labelled in login_attempt."""
MAX_SUBJECT = 160
MAX_REASON = 500

ChangeValues = Mapping[str, Any]
"""Before/after values of a gated act: a JSON object of strings and integers (money in rupiah, never floats)."""


class Refusal(StrEnum):
    """Why an approval was refused, besides the approver's PIN attempt outcomes (auth.AttemptOutcome)."""

    NOT_APPROVER = "not_approver"
    NO_REASON = "no_reason"
    MAY_NOT_ACT = "may_not_act"
    """The acting user's role may not do the act at all, with or without approval (a pengawas)."""


@dataclass(frozen=True, slots=True)
class ApprovalGrant:
    """Proof that a gated act was approved: hand `id` to the service that performs the act."""

    id: str
    action: Action
    subject: str | None
    approver_id: str
    approver_name: str
    reason: str


class ApprovalRefused(PosError):
    """The approval was refused (and recorded as refused); `cause` is a Refusal or an AttemptOutcome value."""

    def __init__(self, message: str, /, *, cause: str, **params: object) -> None:
        self.cause = cause
        super().__init__(message, **params)


@dataclass(frozen=True, slots=True)
class _Request:
    action: Action
    subject: str | None
    reason: str
    before: str | None
    after: str | None


def _json_text(values: ChangeValues | None) -> str | None:
    if values is None:
        return None
    try:
        return canon(dict(values)).decode("utf-8")
    except (FloatInEvent, TypeError) as error:
        raise ValueError(f"before/after values must be JSON strings and integers: {error}") from None


def _request(action: Action | str, subject: str | None, reason: str, before: ChangeValues | None,
             after: ChangeValues | None) -> _Request:
    subject = subject.strip()[:MAX_SUBJECT] if subject is not None else None
    return _Request(action=Action(action), subject=subject or None, reason=(reason or "").strip()[:MAX_REASON],
                    before=_json_text(before), after=_json_text(after))


def _user_row(connection: Connection, user_id: str) -> Cashier:
    row = connection.execute(
        select(_user.c.id, _user.c.username, _user.c.full_name, _user.c.role, _user.c.active)
        .where(_user.c.id == user_id)
    ).first()
    if row is None or not row.active:
        raise InvalidInput("Pengguna kasir tidak dikenal atau tidak aktif. Masuk ulang dengan PIN.")
    return Cashier(id=row.id, username=row.username, full_name=row.full_name, role=row.role)


def _may_not_act(user: Cashier, action: Action) -> ApprovalRefused:
    return ApprovalRefused("{role} hanya dapat melihat data; {name} tidak dapat melakukan: {action}.",
                           cause=Refusal.MAY_NOT_ACT, role=tr(ROLE_LABELS[Role(user.role)]), name=user.full_name,
                           action=tr(ACTION_LABELS[action]))


def _record(connection: Connection, now: datetime, request: _Request, *, cashier_id: str,
            approver_id: str | None, refusal: str | None) -> str:
    """Write the approval row and its override event; returns the approval id."""
    approval_id = str(uuid.uuid4())
    outcome = "refused" if refusal else "approved"
    event = append_event(connection, type=OVERRIDE_EVENT, at=now, body={
        "approval_id": approval_id, "action": request.action.value, "subject": request.subject,
        "cashier_id": cashier_id, "approver_id": approver_id, "outcome": outcome, "refusal": refusal,
        "reason": request.reason,
        "before": None if request.before is None else json.loads(request.before),
        "after": None if request.after is None else json.loads(request.after),
    })
    connection.execute(_approval.insert(), {
        "id": approval_id, "action": request.action.value, "cashier_id": cashier_id, "approver_id": approver_id,
        "outcome": outcome, "reason": request.reason, "subject": request.subject, "before": request.before,
        "after": request.after, "used_by": None, "created_at": now, "journal_seq": event.seq,
    })
    return approval_id


def request_approval(ctx: PosContext, *, action: Action | str, cashier_id: str, approver_username: str, pin: str,
                     reason: str, subject: str | None = None, before: ChangeValues | None = None,
                     after: ChangeValues | None = None) -> ApprovalGrant:
    """A manager (manajer or admin) approves `action` for the acting user `cashier_id` with their PIN.

    The PIN attempt counts towards the approver's lockout like a login. Refused or approved, the decision
    is recorded and committed; a refusal is then raised as ApprovalRefused. An empty PIN field is not an
    attempt: InvalidInput, nothing recorded.
    """
    require_pin_typed(pin)
    request = _request(action, subject, reason, before, after)
    now = ctx.clock()
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        cashier = _user_row(connection, cashier_id)
        check = check_pin(connection, ctx.data_dir, now, username=approver_username, pin=pin,
                          purpose=APPROVAL_PURPOSE.format(action=request.action.value))
        approver = check.user
        refused: ApprovalRefused | None = None
        if not can_sell(cashier.role):
            refused = _may_not_act(cashier, request.action)
        elif check.refusal is not None:
            refused = ApprovalRefused(check.refusal.message, cause=check.refusal.outcome.value,
                                      **check.refusal.params)
        else:
            assert approver is not None  # an accepted PIN always names a user
            if not can_approve(approver.role, request.action):
                refused = ApprovalRefused(
                    "{name} ({role}) tidak berwenang menyetujui: {action}. Minta manajer atau admin.",
                    cause=Refusal.NOT_APPROVER, name=approver.full_name,
                    role=tr(ROLE_LABELS[Role(approver.role)]), action=tr(ACTION_LABELS[request.action]))
            elif not request.reason:
                refused = ApprovalRefused(
                    "Alasan wajib diisi. Tulis singkat mengapa ini perlu, lalu ketik PIN lagi.",
                    cause=Refusal.NO_REASON)
        approval_id = _record(connection, now, request, cashier_id=cashier.id,
                              approver_id=approver.id if approver is not None else None,
                              refusal=refused.cause if refused is not None else None)
        uow.commit()
    if refused is not None:
        raise refused
    assert approver is not None
    return ApprovalGrant(id=approval_id, action=request.action, subject=request.subject, approver_id=approver.id,
                         approver_name=approver.full_name, reason=request.reason)


def record_own_authority(ctx: PosContext, *, action: Action | str, user_id: str, subject: str | None = None,
                         before: ChangeValues | None = None, after: ChangeValues | None = None,
                         reason: str = "") -> ApprovalGrant:
    """The acting user's own role covers `action` (needs_approval is false): recorded, no PIN asked again.

    Still an approval row and an override event, approver = the user. A user whose role does not cover
    the act is recorded as refused and ApprovalRefused is raised.
    """
    request = _request(action, subject, reason, before, after)
    now = ctx.clock()
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        user = _user_row(connection, user_id)
        refused: ApprovalRefused | None = None
        if not can_sell(user.role):
            refused = _may_not_act(user, request.action)
        elif not can_approve(user.role, request.action):
            refused = ApprovalRefused("{action} perlu persetujuan manajer.", cause=Refusal.NOT_APPROVER,
                                      action=tr(ACTION_LABELS[request.action]))
        approval_id = _record(connection, now, request, cashier_id=user.id, approver_id=user.id,
                              refusal=refused.cause if refused is not None else None)
        uow.commit()
    if refused is not None:
        raise refused
    return ApprovalGrant(id=approval_id, action=request.action, subject=request.subject, approver_id=user.id,
                         approver_name=user.full_name, reason=request.reason)


def approvers(ctx: PosContext) -> list[Cashier]:
    """Active users who can approve (manajer, admin) and have a PIN: the approval dialog's list."""
    with reading(ctx.engine) as connection:
        rows = connection.execute(
            select(_user.c.id, _user.c.username, _user.c.full_name, _user.c.role)
            .where(_user.c.active.is_(True), _user.c.pin_hash.is_not(None),
                   _user.c.role.in_([role.value for role in APPROVER_ROLES]))
        ).all()
    users = [Cashier(id=r.id, username=r.username, full_name=r.full_name, role=r.role) for r in rows]
    return sorted(users, key=lambda u: (ROLE_ORDER.get(u.role, 9), u.full_name.casefold()))
