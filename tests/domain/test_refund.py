"""Refund arithmetic: returns never exceed what was sold, and add up exactly to what was paid."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.refund import (
    RefundableLine,
    check_refund_method,
    clean_reason,
    plan_return,
    refund_methods,
    refund_number,
)


def make_line(total: int = 47_100, qty_milli: int = 3000, *, weighed: bool = False,
              line_id: str = "L1") -> RefundableLine:
    return RefundableLine(sale_line_id=line_id, line_no=1, product_id=1, sku="MGR-MKT-1", name="Minyakita 1 L",
                          unit="kg" if weighed else "pcs", sold_by_weight=weighed, unit_price=15_700,
                          qty_milli=qty_milli, total=total)


def after_return(line: RefundableLine, qty: int) -> tuple[RefundableLine, int]:
    amount = line.amount_for(qty)
    return replace(line, returned_qty_milli=line.returned_qty_milli + qty,
                   returned_amount=line.returned_amount + amount), amount


@st.composite
def returns_of_a_line(draw: st.DrawFn) -> tuple[RefundableLine, list[int]]:
    weighed = draw(st.booleans())
    step = 1 if weighed else 1000
    qty = draw(st.integers(1, 5000)) * step
    total = draw(st.integers(0, 5_000_000))
    cuts = sorted(set(draw(st.lists(st.integers(1, qty // step - 1), max_size=6)))) if qty // step > 1 else []
    bounds = [0, *[c * step for c in cuts], qty]
    return make_line(total, qty, weighed=weighed), [b - a for a, b in zip(bounds, bounds[1:], strict=False)]


@given(returns_of_a_line())
def test_partial_returns_add_up_exactly_to_what_was_paid(case: tuple[RefundableLine, list[int]]) -> None:
    line, parts = case
    paid_back = []
    for qty in parts:
        line, amount = after_return(line, qty)
        paid_back.append(amount)
        assert amount >= 0 and sum(paid_back) <= line.total
    assert sum(paid_back) == line.total
    assert line.remaining_qty_milli == 0 and line.remaining_amount == 0
    with pytest.raises(InvalidInput, match="paling banyak 0"):
        line.amount_for(line.qty_milli if not line.sold_by_weight else 1)


@given(returns_of_a_line(), st.integers(1, 10_000))
def test_never_more_than_sold_minus_returned(case: tuple[RefundableLine, list[int]], extra: int) -> None:
    line, parts = case
    if len(parts) > 1:
        line, _ = after_return(line, parts[0])
    too_much = line.remaining_qty_milli + (extra if line.sold_by_weight else extra * 1000)
    with pytest.raises(InvalidInput, match="paling banyak"):
        line.amount_for(too_much)


def test_a_partial_return_is_pro_rata_and_the_last_takes_the_remainder() -> None:
    line = make_line(total=10, qty_milli=3000)  # Rp10 for three: 3,33 each
    line, first = after_return(line, 1000)
    line, second = after_return(line, 1000)
    line, last = after_return(line, 1000)
    assert (first, second, last) == (3, 4, 3)
    weighed = make_line(total=17_996, qty_milli=1333, weighed=True)  # 1,333 kg of rice
    assert weighed.amount_for(500) == 6_750
    assert weighed.amount_for(1333) == 17_996


@pytest.mark.parametrize(("qty", "message"), [
    (0, "lebih dari nol"), (-1000, "lebih dari nol"), (1500, "bilangan bulat"), (4000, "paling banyak 3"),
])
def test_bad_quantities_are_refused_with_a_reason(qty: int, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        make_line().amount_for(qty)


def test_a_weighed_line_returns_to_the_gram() -> None:
    line = make_line(total=13_500, qty_milli=1000, weighed=True)
    assert line.amount_for(1) == 14  # 13,5 rounded half up


def test_a_return_plan_checks_its_lines() -> None:
    lines = [make_line(line_id="A"), make_line(total=7_000, qty_milli=2000, line_id="B")]
    plan = plan_return(lines, [("B", 1000), ("A", 3000)])
    assert [(line.sale_line_id, qty, amount) for line, qty, amount in plan.lines] == [
        ("A", 3000, 47_100), ("B", 1000, 3_500)]
    assert plan.total == 50_600
    with pytest.raises(InvalidInput, match="bukan bagian dari struk"):
        plan_return(lines, [("X", 1000)])
    with pytest.raises(InvalidInput, match="hanya boleh dipilih sekali"):
        plan_return(lines, [("A", 1000), ("A", 1000)])
    with pytest.raises(InvalidInput, match="Belum ada barang"):
        plan_return(lines, [])


def test_money_goes_back_in_cash_or_the_way_it_was_paid() -> None:
    paid = {"tunai": 20_000, "qris": 27_100}
    assert refund_methods(paid) == ("tunai", "qris")
    assert refund_methods({"kasbon": 31_000}) == ("tunai", "kasbon")
    check_refund_method("tunai", 99_000, paid, {})
    check_refund_method("qris", 27_100, paid, {})
    with pytest.raises(InvalidInput, match="paling banyak Rp7.100"):
        check_refund_method("qris", 10_000, paid, {"qris": 20_000})
    with pytest.raises(InvalidInput, match="tidak dibayar dengan Debit"):
        check_refund_method("debit", 1_000, paid, {})
    with pytest.raises(InvalidInput, match="tidak dikenal"):
        check_refund_method("emas", 1_000, paid, {})


def test_reason_and_number() -> None:
    assert clean_reason("  kemasan   bocor ") == "kemasan bocor"
    with pytest.raises(InvalidInput, match="Tulis alasan"):
        clean_reason("   ")
    assert refund_number("LPK-01", 7) == "LPK-01-R000007"
