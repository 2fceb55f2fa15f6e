"""The audit trail, read-only: approvals and refusals of gated acts, and every PIN attempt, with filters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Select, func, literal_column, or_, select
from sqlalchemy.orm import aliased

from kkmp_pos.domain.clock import day_bounds_utc
from kkmp_pos.domain.errors import InvalidInput, PosError
from kkmp_pos.domain.roles import Action, Role
from kkmp_pos.services.approvals import APPROVAL_PURPOSE
from kkmp_pos.services.auth import ROLE_ORDER
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import Approval, JournalEvent, LoginAttempt, User

_approval = Approval.__table__
_attempt = LoginAttempt.__table__
_journal = JournalEvent.__table__
_user = User.__table__

AUDIT_ROLES = frozenset({Role.MANAJER, Role.PENGAWAS, Role.ADMIN})
"""Who may read the audit trail: those who approve, supervise or administer; never the cashier alone."""
APPROVED = "approved"
REFUSED = "refused"
DEFAULT_LIMIT = 2_000


def can_view_audit(role: Role | str) -> bool:
    return Role(role) in AUDIT_ROLES


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """WITA days from `first_day` to `last_day` inclusive; None means any action, user or outcome.

    `outcome` is APPROVED or REFUSED; for PIN attempts it means accepted or refused.
    """

    first_day: date
    last_day: date
    action: Action | None = None
    user_id: str | None = None
    outcome: str | None = None


@dataclass(frozen=True, slots=True)
class ApprovalEntry:
    """One decision on a gated act."""

    id: str
    at: datetime
    action: str
    subject: str | None
    cashier_name: str
    approver_name: str | None
    outcome: str
    refusal: str | None
    """Why it was refused: an approvals.Refusal or auth.AttemptOutcome value."""
    reason: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    used_by: str | None
    own_authority: bool
    """The acting user's own role covered the act (no second person involved)."""


@dataclass(frozen=True, slots=True)
class AttemptEntry:
    """One PIN attempt: a login, or an approver's PIN for `action`."""

    id: str
    at: datetime
    username: str
    full_name: str | None
    success: bool
    action: str | None
    """None for a login; the gated act for an approval's PIN."""
    outcome: str
    """An auth.AttemptOutcome value."""


def _require_viewer(connection: Connection, viewer_id: str) -> None:
    row = connection.execute(select(_user.c.role, _user.c.active).where(_user.c.id == viewer_id)).first()
    if row is None or not row.active or not can_view_audit(row.role):
        raise PosError("Audit hanya untuk manajer, pengawas dan admin.")


def check_viewer(ctx: PosContext, viewer_id: str) -> None:
    """PosError unless `viewer_id` may read the audit trail (before a screen is even built)."""
    with reading(ctx.engine) as connection:
        _require_viewer(connection, viewer_id)


def _bounds(flt: AuditFilter) -> tuple[datetime, datetime]:
    if flt.first_day > flt.last_day:
        raise InvalidInput("Tanggal awal ({first}) sesudah tanggal akhir ({last}). Tukar kedua tanggal.",
                           first=flt.first_day.strftime("%d-%m-%Y"), last=flt.last_day.strftime("%d-%m-%Y"))
    return day_bounds_utc(flt.first_day)[0], day_bounds_utc(flt.last_day)[1]


def _json(text: str | None) -> dict[str, Any] | None:
    return json.loads(text) if text else None


def list_approvals(ctx: PosContext, flt: AuditFilter, *, viewer_id: str,
                   limit: int = DEFAULT_LIMIT) -> list[ApprovalEntry]:
    """Approvals and refusals in the filter, newest first."""
    start, end = _bounds(flt)
    cashier = aliased(_user)
    approver = aliased(_user)
    query: Select[Any] = (
        select(_approval, cashier.c.full_name.label("cashier_name"), approver.c.full_name.label("approver_name"),
               func.json_extract(_journal.c.body, "$.refusal").label("refusal"))
        .join(cashier, cashier.c.id == _approval.c.cashier_id)
        .outerjoin(approver, approver.c.id == _approval.c.approver_id)
        .join(_journal, _journal.c.seq == _approval.c.journal_seq)
        .where(_approval.c.created_at >= start, _approval.c.created_at < end)
        .order_by(_approval.c.created_at.desc(), _approval.c.journal_seq.desc())
        .limit(limit)
    )
    if flt.action is not None:
        query = query.where(_approval.c.action == Action(flt.action).value)
    if flt.user_id is not None:
        query = query.where(or_(_approval.c.cashier_id == flt.user_id, _approval.c.approver_id == flt.user_id))
    if flt.outcome is not None:
        query = query.where(_approval.c.outcome == flt.outcome)
    with reading(ctx.engine) as connection:
        _require_viewer(connection, viewer_id)
        rows = connection.execute(query).all()
    return [
        ApprovalEntry(id=r.id, at=r.created_at, action=r.action, subject=r.subject, cashier_name=r.cashier_name,
                      approver_name=r.approver_name, outcome=r.outcome, refusal=r.refusal, reason=r.reason,
                      before=_json(r.before), after=_json(r.after), used_by=r.used_by,
                      own_authority=r.approver_id == r.cashier_id)
        for r in rows
    ]


def _purpose_action(detail: str) -> tuple[str | None, str]:
    """`approval:void_line/wrong_pin` -> ("void_line", "wrong_pin"); `login/ok` -> (None, "ok")."""
    purpose, _, outcome = detail.partition("/")
    prefix = APPROVAL_PURPOSE.format(action="")
    return (purpose[len(prefix):] if purpose.startswith(prefix) else None), outcome


def list_login_attempts(ctx: PosContext, flt: AuditFilter, *, viewer_id: str,
                        limit: int = DEFAULT_LIMIT) -> list[AttemptEntry]:
    """PIN attempts in the filter, newest first; an action filter keeps the approvers' PINs for that act."""
    start, end = _bounds(flt)
    query: Select[Any] = (
        select(_attempt, _user.c.full_name)
        .outerjoin(_user, _user.c.id == _attempt.c.user_id)
        .where(_attempt.c.at >= start, _attempt.c.at < end)
        .order_by(_attempt.c.at.desc(), literal_column("login_attempt.rowid").desc())
        .limit(limit)
    )
    if flt.action is not None:
        purpose = APPROVAL_PURPOSE.format(action=Action(flt.action).value)
        query = query.where(_attempt.c.detail.startswith(purpose + "/", autoescape=True))
    if flt.user_id is not None:
        query = query.where(_attempt.c.user_id == flt.user_id)
    if flt.outcome is not None:
        query = query.where(_attempt.c.success.is_(flt.outcome == APPROVED))
    with reading(ctx.engine) as connection:
        _require_viewer(connection, viewer_id)
        rows = connection.execute(query).all()
    entries = []
    for r in rows:
        action, outcome = _purpose_action(r.detail)
        entries.append(AttemptEntry(id=r.id, at=r.at, username=r.username, full_name=r.full_name,
                                    success=bool(r.success), action=action, outcome=outcome))
    return entries


def audit_people(ctx: PosContext, *, viewer_id: str) -> list[Cashier]:
    """Everyone who ever had an account (inactive too): the user filter's choices."""
    with reading(ctx.engine) as connection:
        _require_viewer(connection, viewer_id)
        rows = connection.execute(select(_user.c.id, _user.c.username, _user.c.full_name, _user.c.role)).all()
    people = [Cashier(id=r.id, username=r.username, full_name=r.full_name, role=r.role) for r in rows]
    return sorted(people, key=lambda u: (ROLE_ORDER.get(u.role, 9), u.full_name.casefold()))

