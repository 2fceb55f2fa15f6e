"""Cart lines, totals and cash payment rules."""

from __future__ import annotations

import pytest

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.domain.product import Product

OIL = Product(id=1, sku="MGR-MKT-1", name="Minyakita 1 L", category="Minyak", unit="pcs", price=15700)
RICE = Product(id=2, sku="BRS-CURAH", name="Beras Curah", category="Beras", unit="kg", price=13500,
               sold_by_weight=True)


def test_scanning_the_same_piece_goods_adds_to_its_line() -> None:
    cart = Cart()
    assert cart.add(OIL) == 0
    assert cart.add(OIL, 2000) == 0
    assert len(cart.lines) == 1
    assert cart.lines[0].qty_milli == 3000
    assert cart.total == 47100
    assert cart.item_count == 3


def test_weighed_goods_get_their_own_line_and_round_to_rupiah() -> None:
    cart = Cart()
    cart.add(RICE, 1250)
    cart.add(RICE, 333)
    assert [line.total for line in cart.lines] == [16875, 4496]  # 4495,5 -> 4496
    assert cart.total == 21371
    assert cart.item_count == 2


def test_price_is_a_snapshot_taken_when_scanned() -> None:
    cart = Cart()
    cart.add(OIL)
    cheaper = Product(id=1, sku="MGR-MKT-1", name="Minyakita 1 L", category="Minyak", unit="pcs", price=15000)
    cart.add(cheaper)
    assert [(line.unit_price, line.qty_milli) for line in cart.lines] == [(15700, 1000), (15000, 1000)]


def test_quantity_changes_and_removal() -> None:
    cart = Cart()
    cart.add(OIL)
    cart.add(RICE, 1000)
    cart.set_quantity(0, 4000)
    assert cart.total == 4 * 15700 + 13500
    removed = cart.remove(1)
    assert removed.product is RICE
    assert cart.total == 62800
    with pytest.raises(InvalidInput):
        cart.set_quantity(0, 1500)
    with pytest.raises(InvalidInput):
        cart.set_quantity(0, 0)


def test_cash_payment_gives_change_to_the_rupiah() -> None:
    payment = cash_payment(47100, 50000)
    assert (payment.method, payment.amount, payment.tendered, payment.change) == ("tunai", 47100, 50000, 2900)
    assert cash_payment(47100, 47100).change == 0


def test_cash_payment_refuses_too_little_money() -> None:
    with pytest.raises(InvalidInput, match="kurang dari total Rp47.100") as error:
        cash_payment(47100, 47000)
    assert "Rp100" in str(error.value)
