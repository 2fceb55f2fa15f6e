"""SHU split: random pools and purchase sets always sum exactly; ties go by member number; zeros get nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.shu import (
    ShuMember,
    ShuRates,
    compute_shu,
    format_percent_bp,
    parse_percent_bp,
    split_largest_remainder,
)


def member(no: int, purchases: int, savings: int = 0) -> ShuMember:
    return ShuMember(member_id=f"id-{no}", member_no=f"A-{no:06d}", name=f"Anggota {no}", purchases=purchases,
                     savings=savings)


purchase_sets = st.lists(st.integers(min_value=0, max_value=50_000_000), min_size=1, max_size=40)


@given(pool=st.integers(min_value=0, max_value=10**12), purchase_bp=st.integers(min_value=0, max_value=10_000),
       purchases=purchase_sets)
def test_purchase_shares_sum_exactly_to_the_allocated_part(pool: int, purchase_bp: int,
                                                            purchases: list[int]) -> None:
    rates = ShuRates(pool=pool, purchase_bp=purchase_bp)
    result = compute_shu(rates, [member(i + 1, p) for i, p in enumerate(purchases)])
    if any(purchases):
        assert result.purchase_total == pool * purchase_bp // 10_000 and not result.no_purchases
    else:
        assert result.purchase_total == 0 and result.no_purchases
    for share in result.shares:
        assert share.purchase_share >= 0
        if share.member.purchases == 0:
            assert share.purchase_share == 0
    # Nobody is off by more than one rupiah from their exact proportional share.
    total = sum(purchases)
    for share in result.shares:
        if total:
            exact = rates.purchase_part * share.member.purchases / total
            assert abs(share.purchase_share - exact) < 1


@given(pool=st.integers(min_value=0, max_value=10**12), bp=st.tuples(st.integers(0, 5_000), st.integers(0, 5_000)),
       pairs=st.lists(st.tuples(st.integers(0, 9_000_000), st.integers(0, 3_000_000)), min_size=1, max_size=30))
def test_both_parts_sum_exactly_and_each_member_gets_the_sum_of_both(pool: int, bp: tuple[int, int],
                                                                      pairs: list[tuple[int, int]]) -> None:
    rates = ShuRates(pool=pool, purchase_bp=bp[0], savings_bp=bp[1])
    result = compute_shu(rates, [member(i + 1, p, s) for i, (p, s) in enumerate(pairs)])
    if any(p for p, _ in pairs):
        assert result.purchase_total == rates.purchase_part
    if any(s for _, s in pairs):
        assert result.savings_total == rates.savings_part
    assert result.total == sum(s.total for s in result.shares) <= pool


def test_ties_go_to_the_lower_member_number_whatever_the_input_order() -> None:
    # Rp10 over three equal buyers: 3 each, the one rupiah left goes to A-000001.
    rates = ShuRates(pool=10, purchase_bp=10_000)
    result = compute_shu(rates, [member(3, 500), member(1, 500), member(2, 500)])
    assert [(s.member.member_no, s.purchase_share) for s in result.shares] == [
        ("A-000001", 4), ("A-000002", 3), ("A-000003", 3)]
    # Two left over among four equal: the two lowest numbers.
    result = compute_shu(ShuRates(pool=10, purchase_bp=10_000), [member(n, 7) for n in (9, 4, 7, 2)])
    assert [s.purchase_share for s in result.shares] == [3, 3, 2, 2]


def test_the_largest_remainder_wins_before_the_member_number() -> None:
    # 100 over weights 1, 1, 4 (total 6): 16.67, 16.67, 66.67 -> 16, 16, 66 with 2 left: remainders 4, 4, 4
    # (all equal: numbers 1 and 2); with weights 2, 1, 3: 33.3, 16.7, 50 -> 33, 16, 50, one left to A-000002.
    assert split_largest_remainder(100, [("A-1", 1), ("A-2", 1), ("A-3", 4)]) == [17, 17, 66]
    assert split_largest_remainder(100, [("A-1", 2), ("A-2", 1), ("A-3", 3)]) == [33, 17, 50]


def test_zero_purchase_members_get_nothing_and_no_purchases_means_all_zero() -> None:
    result = compute_shu(ShuRates(pool=1_000_001, purchase_bp=4_000), [member(1, 0), member(2, 250_000),
                                                                        member(3, 0)])
    assert [s.purchase_share for s in result.shares] == [0, 400_000, 0]
    nobody = compute_shu(ShuRates(pool=5_000_000, purchase_bp=6_000, savings_bp=1_000),
                         [member(1, 0), member(2, 0)])
    assert nobody.no_purchases and nobody.no_savings and nobody.total == 0
    assert compute_shu(ShuRates(pool=5_000, purchase_bp=5_000), []).no_purchases


def test_impossible_rates_are_refused() -> None:
    with pytest.raises(InvalidInput, match="lebih dari 100 %"):
        compute_shu(ShuRates(pool=1_000, purchase_bp=7_000, savings_bp=4_000), [member(1, 10)])
    with pytest.raises(InvalidInput, match="Dana SHU"):
        compute_shu(ShuRates(pool=-1, purchase_bp=7_000), [member(1, 10)])
    with pytest.raises(InvalidInput, match="antara 0 % dan 100 %"):
        compute_shu(ShuRates(pool=1, purchase_bp=10_001), [member(1, 10)])


def test_percent_text_as_basis_points() -> None:
    assert [parse_percent_bp(t) for t in ("40", "40,5", "12.25", " 7 % ", "")] == [4_000, 4_050, 1_225, 700, 0]
    for bad in ("abc", "1,234", "-5", ",5x"):
        with pytest.raises(InvalidInput, match="tidak dapat dibaca"):
            parse_percent_bp(bad)
    assert [format_percent_bp(b) for b in (4_000, 4_050, 1_225, 0)] == ["40 %", "40,5 %", "12,25 %", "0 %"]
