"""Properties of refunds, SHU and stock arithmetic: never more back than was sold, no rupiah or gram lost."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kkmp_pos.domain.cart import Cart, Discount
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.product import Product
from kkmp_pos.domain.quantity import MILLI
from kkmp_pos.domain.refund import RefundableLine, check_refund_method, plan_return
from kkmp_pos.domain.shu import FULL_BP, ShuMember, ShuRates, compute_shu, split_largest_remainder
from kkmp_pos.domain.stock import moving_average_cost, stock_value, to_base_units
from kkmp_pos.domain.stock_count import CountLine, count_totals, difference_value

# --- refunds ---------------------------------------------------------------------------------------------


@st.composite
def sold_lines(draw: st.DrawFn) -> list[RefundableLine]:
    """The lines of a real cart (discounts and all) as the returns screen sees them after the sale."""
    cart = Cart()
    for product_id in range(draw(st.integers(1, 5))):
        weighed = draw(st.booleans())
        product = Product(id=product_id, sku=f"S{product_id}", name=f"Barang {product_id}", category="Uji",
                          unit="kg" if weighed else "pcs", price=draw(st.integers(0, 500_000)),
                          sold_by_weight=weighed)
        index = cart.add(product, draw(st.integers(1, 9_999)) if weighed else MILLI * draw(st.integers(1, 30)))
        if draw(st.booleans()):
            cart.set_line_discount(index, Discount(percent_bp=draw(st.integers(0, 5_000))))
    cart.discount = Discount(amount=draw(st.integers(0, 50_000)))
    shares = cart.cart_discount_shares()
    return [RefundableLine(sale_line_id=f"L{n}", line_no=n, product_id=line.product.id, sku=line.product.sku,
                           name=line.product.name, unit=line.product.unit,
                           sold_by_weight=line.product.sold_by_weight, unit_price=line.unit_price,
                           qty_milli=line.qty_milli, total=line.total - share)
            for n, (line, share) in enumerate(zip(cart.lines, shares, strict=True), start=1)]


@given(sold_lines(), st.data())
def test_partial_refunds_never_exceed_the_sale_and_sum_back_exactly(lines: list[RefundableLine],
                                                                    data: st.DataObject) -> None:
    sale_total = sum(line.total for line in lines)
    refunded = 0
    for _round in range(data.draw(st.integers(1, 8))):
        open_lines = [line for line in lines if line.remaining_qty_milli > 0]
        if not open_lines:
            break
        chosen = data.draw(st.lists(st.sampled_from(open_lines), min_size=1, max_size=len(open_lines),
                                    unique_by=lambda line: line.sale_line_id))
        wanted = []
        for line in chosen:
            step = 1 if line.sold_by_weight else MILLI
            wanted.append((line.sale_line_id, step * data.draw(st.integers(1, line.remaining_qty_milli // step))))
        plan = plan_return(lines, wanted)
        assert plan.total == sum(amount for _l, _q, amount in plan.lines) >= 0
        by_id = {line.sale_line_id: line for line in lines}
        for line, qty, amount in plan.lines:
            assert 0 <= amount <= line.remaining_amount and qty <= line.remaining_qty_milli
            by_id[line.sale_line_id] = replace(line, returned_qty_milli=line.returned_qty_milli + qty,
                                               returned_amount=line.returned_amount + amount)
        lines = [by_id[line.sale_line_id] for line in lines]
        refunded += plan.total
        assert refunded <= sale_total
    for line in lines:  # over-returning is refused, whatever is left
        assert line.returned_qty_milli <= line.qty_milli and line.returned_amount <= line.total
        with pytest.raises(InvalidInput):
            plan_return(lines, [(line.sale_line_id, line.remaining_qty_milli + MILLI)])
    # Returning everything that is left pays back exactly what the sale took in.
    rest = [(line.sale_line_id, line.remaining_qty_milli) for line in lines if line.remaining_qty_milli]
    if rest:
        refunded += plan_return(lines, rest).total
    assert refunded == sale_total


@given(st.dictionaries(st.sampled_from(("tunai", "qris", "transfer", "debit", "kasbon")),
                       st.integers(0, 10**7), min_size=1),
       st.sampled_from(("qris", "transfer", "debit", "kasbon")), st.integers(1, 10**7))
def test_a_refund_by_another_method_never_exceeds_what_was_paid_that_way(paid: dict[str, int], method: str,
                                                                         amount: int) -> None:
    already = {method: paid.get(method, 0) // 2}
    left = paid.get(method, 0) - already[method]
    if 0 < amount <= left:
        check_refund_method(method, amount, paid, already)
    else:
        with pytest.raises(InvalidInput):
            check_refund_method(method, amount, paid, already)
    check_refund_method("tunai", amount, paid, already)  # cash back is always possible


# --- SHU -------------------------------------------------------------------------------------------------


members = st.lists(
    st.builds(ShuMember, member_id=st.uuids().map(str), member_no=st.from_regex(r"A-\d{5}", fullmatch=True),
              name=st.just("Anggota"), purchases=st.integers(0, 10**10), savings=st.integers(0, 10**9)),
    max_size=40, unique_by=lambda m: m.member_no)


@st.composite
def shu_rates(draw: st.DrawFn) -> ShuRates:
    purchase_bp = draw(st.integers(0, FULL_BP))
    return ShuRates(pool=draw(st.integers(0, 10**13)), purchase_bp=purchase_bp,
                    savings_bp=draw(st.integers(0, FULL_BP - purchase_bp)))


@given(shu_rates(), members)
def test_shu_shares_sum_exactly_to_each_part(rates: ShuRates, people: list[ShuMember]) -> None:
    result = compute_shu(rates, people)
    assert [s.member.member_no for s in result.shares] == sorted(m.member_no for m in people)
    buyers = sum(m.purchases for m in people)
    savers = sum(m.savings for m in people)
    assert result.purchase_total == (rates.purchase_part if buyers and rates.purchase_part else 0)
    assert result.savings_total == (rates.savings_part if savers and rates.savings_part else 0)
    assert result.total == result.purchase_total + result.savings_total <= rates.pool
    for share in result.shares:
        assert share.purchase_share >= 0 and share.savings_share >= 0
        if share.member.purchases == 0:
            assert share.purchase_share == 0
        elif buyers:  # within one rupiah of the exact proportion
            exact = rates.purchase_part * share.member.purchases // buyers
            assert exact <= share.purchase_share <= exact + 1
        if share.member.savings == 0:
            assert share.savings_share == 0
    assert compute_shu(rates, list(reversed(people))) == result  # input order never changes the table


@given(st.integers(-10, 10**12),
       st.lists(st.tuples(st.text(max_size=3), st.integers(-10**6, 10**9)), max_size=30))
def test_largest_remainder_loses_no_rupiah(amount: int, weights: list[tuple[str, int]]) -> None:
    shares = split_largest_remainder(amount, weights)
    positive = sum(max(w, 0) for _k, w in weights)
    assert sum(shares) == (amount if amount > 0 and positive else 0)
    assert all(share >= 0 for share in shares)
    assert all(share == 0 for share, (_k, w) in zip(shares, weights, strict=True) if w <= 0)


# --- stock arithmetic ------------------------------------------------------------------------------------


@given(st.integers(1, 10**6), st.integers(1, 10**6))
def test_pack_units_convert_to_the_gram_or_are_refused(unit_qty: int, factor: int) -> None:
    exact = unit_qty * factor
    if exact % MILLI:
        with pytest.raises(InvalidInput):
            to_base_units(unit_qty, factor)
    else:
        base = to_base_units(unit_qty, factor)
        assert base * MILLI == exact  # no gram dropped by the conversion


@given(st.integers(-10**7, 10**7), st.one_of(st.none(), st.integers(0, 10**7)), st.integers(1, 10**7),
       st.integers(0, 10**10))
def test_the_moving_average_stays_between_the_old_and_new_costs(on_hand: int, average: int | None,
                                                                received: int, cost: int) -> None:
    new = moving_average_cost(on_hand, average, received, cost)
    unit_cost = cost * MILLI / received  # the receipt's own cost per base unit (comparison only)
    if on_hand <= 0 or average is None:
        assert abs(new - unit_cost) <= 0.5
    else:
        low, high = min(average, unit_cost), max(average, unit_cost)
        assert low - 0.5 <= new <= high + 0.5
    assert type(new) is int and new >= 0
    assert stock_value(on_hand, new) == (0 if on_hand <= 0 else (on_hand * new * 2 + MILLI) // (2 * MILLI))


@st.composite
def count_sheets(draw: st.DrawFn) -> list[CountLine]:
    lines = []
    for n in range(draw(st.integers(0, 20))):
        weighed = draw(st.booleans())
        step = 1 if weighed else MILLI
        expected = step * draw(st.integers(-50, 5_000))
        counted = draw(st.one_of(st.none(), st.integers(0, 5_000).map(lambda q, s=step: q * s)))
        lines.append(CountLine(product_id=n, sku=f"S{n}", name=f"Barang {n}", unit="kg" if weighed else "pcs",
                               weighed=weighed, cost_price=draw(st.one_of(st.none(), st.integers(0, 10**6))),
                               expected_milli=expected, counted_milli=counted, counted_at=None,
                               reason="rusak", note=None))
    return lines


@given(count_sheets())
def test_a_count_moves_the_ledger_to_the_counted_quantity_to_the_gram(lines: list[CountLine]) -> None:
    totals = count_totals(lines)
    for line in lines:
        if line.counted_milli is None:
            assert line.difference_milli == 0
            continue
        # The adjustment a count posts is its difference: expected + difference is what was counted.
        assert (line.expected_milli or 0) + line.difference_milli == line.counted_milli
        assert line.difference_value == (difference_value(line.difference_milli, line.cost_price)
                                         if line.cost_price else 0)
        if line.cost_price:  # a surplus and a shortage of the same size are worth the same
            assert difference_value(-line.difference_milli, line.cost_price) == -line.difference_value
    values = [line.difference_value for line in lines if line.counted]
    assert totals.net_value == sum(values)
    assert totals.surplus_value >= 0 >= totals.shortage_value
    assert totals.products_counted == sum(1 for line in lines if line.counted)
