"""What the till asks before a sale: the approvals a cart needs, and which of them it does not hold yet."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.clock import business_date
from kkmp_pos.domain.roles import Role
from kkmp_pos.domain.sale_rules import Requirement, required_approvals
from kkmp_pos.services.ceilings import ceilings_in_force
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.uow import reading


@dataclass(frozen=True, slots=True)
class CartApproval:
    """An approval the till holds for the cart being rung up, handed to complete_sale when it is paid."""

    action: str
    subject: str
    approval_id: str


def cart_requirements(ctx: PosContext, cart: Cart, role: Role | str) -> list[Requirement]:
    """Every approval `cart` needs when sold now by a user of `role` (the same rule complete_sale applies)."""
    if cart.is_empty():
        return []
    with reading(ctx.engine) as connection:
        ceilings = ceilings_in_force(connection, [line.product for line in cart.lines],
                                     business_date(ctx.clock()))
    return required_approvals(cart, role, ceilings)


def missing_approvals(needs: Sequence[Requirement], held: Sequence[CartApproval]) -> list[Requirement]:
    """The requirements not covered by `held`; each approval covers one requirement of its action and subject."""
    available = Counter((approval.action, approval.subject) for approval in held)
    missing: list[Requirement] = []
    for need in needs:
        key = (need.action.value, need.subject)
        if available[key] > 0:
            available[key] -= 1
        else:
            missing.append(need)
    return missing
