"""What a cart needs before it may be sold: a manager's approval for each rule it breaks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.money import Rupiah
from kkmp_pos.domain.roles import Action, Role, discount_within_limit

CART_SUBJECT = "keranjang"
"""The approval subject of a whole-cart discount (line approvals use the product's SKU)."""


@dataclass(frozen=True, slots=True)
class Ceiling:
    """A regulated price for one SKU on one day: HET blocks selling above it, HAP only warns."""

    sku: str
    kind: str
    amount: Rupiah
    source: str


@dataclass(frozen=True, slots=True)
class Requirement:
    """One approval the sale must carry: what, about which subject, from what to what."""

    action: Action
    subject: str
    before: Mapping[str, Any] = field(default_factory=dict)
    after: Mapping[str, Any] = field(default_factory=dict)


def required_approvals(cart: Cart, role: Role | str, ceilings: Mapping[str, Ceiling]) -> list[Requirement]:
    """Every approval this cart needs when sold by a user of `role`; HAP ceilings never block."""
    needs: list[Requirement] = []
    for line in cart.lines:
        sku = line.product.sku
        ceiling = ceilings.get(sku)
        if ceiling is not None and ceiling.kind == "HET" and line.unit_price > ceiling.amount:
            needs.append(Requirement(Action.PRICE_ABOVE_HET, sku, {"het": ceiling.amount},
                                     {"price": line.unit_price}))
        if line.manual_price:
            needs.append(Requirement(Action.MANUAL_PRICE, sku, {"price": line.list_price},
                                     {"price": line.unit_price}))
        if not discount_within_limit(role, line.line_discount, line.gross):
            needs.append(Requirement(Action.DISCOUNT_OVER_LIMIT, sku, {"amount": line.gross},
                                     {"discount": line.line_discount}))
    if not discount_within_limit(role, cart.cart_discount, cart.subtotal):
        needs.append(Requirement(Action.DISCOUNT_OVER_LIMIT, CART_SUBJECT, {"amount": cart.subtotal},
                                 {"discount": cart.cart_discount}))
    return needs


def hap_warnings(cart: Cart, ceilings: Mapping[str, Ceiling]) -> list[tuple[str, Ceiling]]:
    """Lines priced above a reference price (HAP): shown as a warning, sold anyway."""
    return [
        (line.product.name, ceilings[line.product.sku])
        for line in cart.lines
        if line.product.sku in ceilings and ceilings[line.product.sku].kind == "HAP"
        and line.unit_price > ceilings[line.product.sku].amount
    ]
