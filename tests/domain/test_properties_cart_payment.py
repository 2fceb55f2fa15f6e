"""Properties of the cart and of split payments: no rupiah invented or lost, totals whole and never negative."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kkmp_pos.domain.cart import Cart, Discount, allocate
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import round_half_up_div
from kkmp_pos.domain.payment import (
    CASH,
    DEBIT,
    KASBON,
    QRIS,
    TRANSFER,
    Payment,
    cash_payment,
    check_payments,
    non_cash_payment,
    remaining,
)
from kkmp_pos.domain.product import Product
from kkmp_pos.domain.quantity import MAX_QUANTITY_MILLI, MILLI, line_amount

prices = st.integers(0, 5_000_000)
discounts = st.one_of(st.none(), st.builds(Discount, amount=st.integers(0, 10_000_000)),
                      st.builds(Discount, percent_bp=st.integers(0, 10_000)))


@st.composite
def products(draw: st.DrawFn, product_id: int) -> Product:
    weighed = draw(st.booleans())
    price = draw(prices)
    member = draw(st.one_of(st.none(), st.integers(0, price)))
    return Product(id=product_id, sku=f"SKU-{product_id}", name=f"Barang {product_id}", category="Uji",
                   unit="kg" if weighed else "pcs", price=price, member_price=member, sold_by_weight=weighed)


@st.composite
def carts(draw: st.DrawFn) -> Cart:
    """A cart rung up the way a cashier does: scans (pieces merge), weighed lines, discounts, manual prices."""
    cart = Cart()
    catalogue = [draw(products(i)) for i in range(draw(st.integers(1, 6)))]
    for _ in range(draw(st.integers(1, 12))):
        product = draw(st.sampled_from(catalogue))
        qty = draw(st.integers(1, 25_000)) if product.sold_by_weight else MILLI * draw(st.integers(1, 20))
        existing = sum(line.qty_milli for line in cart.lines if line.product.id == product.id)
        if existing + qty > MAX_QUANTITY_MILLI:
            continue
        index = cart.add(product, qty)
        if draw(st.booleans()):
            cart.set_line_discount(index, draw(discounts))
        if draw(st.integers(0, 9)) == 0:
            cart.set_price(index, draw(prices))
    cart.discount = draw(discounts)
    return cart


@given(carts())
def test_cart_totals_are_whole_never_negative_and_add_up(cart: Cart) -> None:
    for line in cart.lines:
        assert line.gross == round_half_up_div(line.unit_price * line.qty_milli, MILLI) == line_amount(
            line.unit_price, line.qty_milli)
        assert 0 <= line.line_discount <= line.gross
        assert line.total == line.gross - line.line_discount >= 0
    assert all(type(v) is int for v in (cart.subtotal, cart.cart_discount, cart.discount_total, cart.total))
    assert cart.subtotal == sum(line.total for line in cart.lines)
    assert 0 <= cart.cart_discount <= cart.subtotal
    assert cart.total == cart.subtotal - cart.cart_discount >= 0
    gross = sum(line.gross for line in cart.lines)
    assert gross - cart.discount_total == cart.total  # every discounted rupiah accounted for once


@given(carts())
def test_the_cart_discount_spreads_over_the_lines_exactly(cart: Cart) -> None:
    shares = cart.cart_discount_shares()
    assert len(shares) == len(cart.lines)
    assert sum(shares) == cart.cart_discount
    # What the sale stores per line (services.sales): never below zero, summing to the cart's total.
    stored = [line.total - share for line, share in zip(cart.lines, shares, strict=True)]
    assert all(0 <= share <= line.total for line, share in zip(cart.lines, shares, strict=True))
    assert sum(stored) == cart.total and min(stored, default=0) >= 0


@given(st.integers(0, 10**12), st.lists(st.integers(0, 10**9), max_size=30))
def test_allocate_sums_exactly_and_stays_proportional(amount: int, weights: list[int]) -> None:
    shares = allocate(amount, weights)
    assert len(shares) == len(weights)
    total = sum(weights)
    if amount == 0 or total == 0:
        assert shares == [0] * len(weights)
        return
    assert sum(shares) == amount
    for share, weight in zip(shares, weights, strict=True):
        exact_floor = amount * weight // total
        assert exact_floor <= share <= exact_floor + 1  # largest remainder: never more than a rupiah off
        if weight == 0:
            assert share == 0
    assert shares == allocate(amount, list(weights))  # deterministic: refunds rely on it


@given(st.integers(0, 10**9), st.data())
def test_split_payments_add_up_with_change_only_from_cash(total: int, data: st.DataObject) -> None:
    """Any split the rules accept pays exactly the total; cash alone carries change; nothing is invented."""
    count = data.draw(st.integers(1, 4))
    cuts = sorted(data.draw(st.lists(st.integers(0, total), min_size=count - 1, max_size=count - 1)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    methods = data.draw(st.lists(st.sampled_from((QRIS, TRANSFER, DEBIT, KASBON)), min_size=count,
                                 max_size=count))
    cash_at = data.draw(st.one_of(st.none(), st.integers(0, count - 1)))
    payments: list[Payment] = []
    for index, (part, method) in enumerate(zip(parts, methods, strict=True)):
        if index == cash_at:
            received = part + data.draw(st.integers(0, 200_000))
            payments.append(cash_payment(part, received))
        elif part > 0:
            payments.append(non_cash_payment(method, part, reference="REF-1", bank="BRI"))
    if not payments:
        with pytest.raises(InvalidInput):
            check_payments(total, payments)
        return
    check_payments(total, payments)
    assert remaining(total, payments) == 0
    assert sum(p.amount for p in payments) == total
    for payment in payments:
        if payment.method == CASH:
            assert payment.tendered == payment.amount + payment.change and payment.change >= 0
        else:
            assert payment.change == 0 and payment.tendered == payment.amount > 0
    # What the drawer gains is the cash amount: tendered minus change, to the rupiah.
    drawer = sum(p.tendered - p.change for p in payments if p.method == CASH)
    assert drawer + sum(p.amount for p in payments if p.method != CASH) == total


@given(st.integers(0, 10**9), st.integers(1, 10**6), st.sampled_from((QRIS, TRANSFER, DEBIT, KASBON)))
def test_payments_that_do_not_add_up_are_refused(total: int, off: int, method: str) -> None:
    wrong = total + off
    with pytest.raises(InvalidInput):
        check_payments(total, [non_cash_payment(method, wrong, reference="R", bank="BNI")])
    if total >= off:
        with pytest.raises(InvalidInput):
            check_payments(total, [cash_payment(total - off, total)])
    with pytest.raises(InvalidInput):  # change from a non-cash tender would invent cash
        check_payments(total, [Payment(method=method, amount=total, tendered=total + off, change=off,
                                       reference="R", bank="BNI")])
    with pytest.raises(InvalidInput):  # two cash tenders
        check_payments(2 * total, [cash_payment(total, total), cash_payment(total, total)])
