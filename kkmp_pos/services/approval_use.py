"""Spending approvals: a gated act proceeds only with a matching, unused, approved `approval` row."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select, update

from kkmp_pos.domain.errors import PosError
from kkmp_pos.domain.roles import ACTION_LABELS, Action
from kkmp_pos.domain.sale_rules import Requirement
from kkmp_pos.i18n import tr
from kkmp_pos.store.models import Approval

_approval = Approval.__table__


class ApprovalRequired(PosError):
    """The act breaks a rule and no manager has approved it yet; `missing` says which approvals."""

    def __init__(self, missing: Sequence[Requirement]) -> None:
        self.missing = list(missing)
        super().__init__("Perlu persetujuan manajer: {what}.",
                         what="; ".join(f"{tr(ACTION_LABELS[r.action])} ({r.subject})" for r in missing))


def use_approvals(connection: Connection, needs: Sequence[Requirement], approval_ids: Sequence[str],
                  used_by: str) -> list[str]:
    """Match each requirement to a given approval and mark those used, inside the caller's transaction.

    Raises ApprovalRequired (and the caller's transaction rolls back) when any requirement is uncovered.
    Returns the ids spent, in requirement order.
    """
    if not needs:
        return []
    rows = connection.execute(
        select(_approval.c.id, _approval.c.action, _approval.c.subject)
        .where(_approval.c.id.in_(list(approval_ids)), _approval.c.outcome == "approved",
               _approval.c.used_by.is_(None))
    ).all() if approval_ids else []
    available = {row.id: (row.action, row.subject) for row in rows}
    spent: list[str] = []
    missing: list[Requirement] = []
    for need in needs:
        match = next((aid for aid, (action, subject) in available.items()
                      if action == need.action and subject == need.subject and aid not in spent), None)
        if match is None:
            missing.append(need)
        else:
            spent.append(match)
    if missing:
        raise ApprovalRequired(missing)
    connection.execute(update(_approval).where(_approval.c.id.in_(spent)).values(used_by=used_by))
    return spent


def approval_matches(connection: Connection, approval_id: str | None, action: Action, subject: str) -> bool:
    """Whether `approval_id` is an unused approval of `action` on `subject` (for single-act gates)."""
    if approval_id is None:
        return False
    row = connection.execute(
        select(_approval.c.id).where(_approval.c.id == approval_id, _approval.c.action == action.value,
                                     _approval.c.subject == subject, _approval.c.outcome == "approved",
                                     _approval.c.used_by.is_(None))
    ).first()
    return row is not None
