"""The role policy as a matrix: every gated act for every role, acting alone or approving someone else."""

from __future__ import annotations

import pytest

from kkmp_pos.domain.roles import (
    ACTION_LABELS,
    ROLE_LABELS,
    Action,
    Role,
    can_approve,
    can_sell,
    discount_within_limit,
    needs_approval,
)

EXPECTED = {
    # role: (may sell, needs a manager for every gated act, may approve every gated act)
    Role.KASIR: (True, True, False),
    Role.MANAJER: (True, False, True),
    Role.ADMIN: (True, False, True),
    Role.PENGAWAS: (False, True, False),
}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_every_role_for_every_gated_act(role: Role, action: Action) -> None:
    sells, needs_manager, approves = EXPECTED[role]
    assert can_sell(role) is sells
    assert needs_approval(role, action) is needs_manager
    assert can_approve(role, action) is approves
    # A role that may approve for others authorises its own act; nobody approves what they must ask for.
    assert can_approve(role, action) is not needs_approval(role, action)


def test_pengawas_can_neither_act_nor_approve() -> None:
    for action in Action:
        assert not can_sell(Role.PENGAWAS) and not can_approve(Role.PENGAWAS, action)


def test_every_act_and_role_has_a_label_and_unknown_acts_are_bugs() -> None:
    assert set(ACTION_LABELS) == set(Action) and set(ROLE_LABELS) == set(Role)
    with pytest.raises(ValueError):
        can_approve(Role.MANAJER, "give_away_stock")
    with pytest.raises(ValueError):
        can_sell("owner")


@pytest.mark.parametrize(("role", "discount", "allowed"), [
    (Role.KASIR, 500, True), (Role.KASIR, 501, False), (Role.MANAJER, 10_000, True),
    (Role.PENGAWAS, 1, False), (Role.PENGAWAS, 0, True),
])
def test_discount_limits_per_role(role: Role, discount: int, allowed: bool) -> None:
    assert discount_within_limit(role, discount, 10_000) is allowed
