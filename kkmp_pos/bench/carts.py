"""Random but plausible carts and cash payments, shared by the sale bench and the crash child."""

from __future__ import annotations

import random
from collections.abc import Sequence

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.lpg import is_subsidised
from kkmp_pos.domain.payment import Payment, cash_payment
from kkmp_pos.domain.product import Product
from kkmp_pos.domain.quantity import MILLI


def random_cart(rng: random.Random, products: Sequence[Product], lines: int) -> Cart:
    """`lines` distinct products (so `lines` cart lines); pieces 1..3, weighed goods 0,1..3 kg in grams."""
    cart = Cart()
    # Subsidised 3 kg LPG needs a registered buyer per line; these carts are plain sembako.
    pool = [p for p in products if not is_subsidised(p)]
    for product in rng.sample(pool, min(lines, len(pool))):
        qty = rng.randint(100, 3_000) if product.sold_by_weight else rng.randint(1, 3) * MILLI
        cart.add(product, qty)
    return cart


def cash_for(total: int, rng: random.Random) -> Payment:
    """Exact money, or the next 5,000 / 50,000 note up, so the change path is exercised too."""
    note = rng.choice((5_000, 50_000))
    received = total if rng.random() < 0.3 else -(-total // note) * note
    return cash_payment(total, received)
