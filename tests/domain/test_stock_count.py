"""Count lines: differences in quantity and rupiah, totals, reasons that must be there, the scan text."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.stock_count import (
    CountLine,
    CountMode,
    check_counted_quantity,
    check_reason,
    check_reasons,
    count_number,
    count_totals,
    parse_count_quantity,
    split_count_scan,
)

LINE = CountLine(product_id=1, sku="MGR-MKT-1", name="Minyakita 1 L", unit="pcs", weighed=False, cost_price=14_100,
                 expected_milli=50_000, counted_milli=47_000, counted_at=None, reason=None, note=None)


def test_difference_in_quantity_and_rupiah_at_average_cost() -> None:
    assert (LINE.difference_milli, LINE.difference_value) == (-3_000, -42_300)
    rice = replace(LINE, sku="BRS-CURAH", weighed=True, cost_price=12_101, expected_milli=1_000, counted_milli=1_500)
    assert (rice.difference_milli, rice.difference_value) == (500, 6_051)  # 6.050,5 rounds half up
    assert replace(rice, counted_milli=500).difference_value == -6_051     # a shortage mirrors a surplus
    assert replace(LINE, cost_price=None).difference_value == 0
    assert replace(LINE, counted_milli=None).difference_milli == 0


def test_totals_count_what_was_counted_and_split_surplus_from_shortage() -> None:
    lines = [LINE, replace(LINE, product_id=2, counted_milli=52_000), replace(LINE, product_id=3, counted_milli=None),
             replace(LINE, product_id=4, counted_milli=50_000)]
    totals = count_totals(lines)
    assert (totals.products_in_scope, totals.products_counted, totals.lines_with_difference) == (4, 3, 2)
    assert (totals.surplus_value, totals.shortage_value, totals.net_value) == (28_200, -42_300, -14_100)


def test_every_difference_needs_a_reason_and_lainnya_a_note() -> None:
    with pytest.raises(InvalidInput, match="Minyakita 1 L"):
        check_reasons([LINE, replace(LINE, counted_milli=50_000, name="Tanpa selisih")])
    check_reasons([replace(LINE, reason="hilang"), replace(LINE, counted_milli=50_000)])
    with pytest.raises(InvalidInput, match="catatan untuk: Minyakita"):
        check_reasons([replace(LINE, reason="lainnya")])
    many = [replace(LINE, name=f"Produk {n}") for n in range(7)]
    with pytest.raises(InvalidInput, match=r"Produk 4 \(\+2\)"):
        check_reasons(many)
    assert check_reason("lainnya", "  tumpah ") == ("lainnya", "tumpah")
    assert check_reason(None, "") == (None, None)
    with pytest.raises(InvalidInput, match="tidak dikenal"):
        check_reason("dicuri", None)
    with pytest.raises(InvalidInput, match="perlu catatan"):
        check_reason("lainnya", "")


def test_counted_quantities_and_scan_text() -> None:
    assert split_count_scan(" 3*8999900000055 ") == ("3", "8999900000055")
    assert split_count_scan("1,250 * BRS-CURAH") == ("1,250", "BRS-CURAH")
    assert split_count_scan("8999900000055") == (None, "8999900000055")
    assert parse_count_quantity("0", weighed=False) == 0
    assert parse_count_quantity("1,250", weighed=True) == 1_250
    with pytest.raises(InvalidInput):
        parse_count_quantity("1,2345", weighed=True)
    with pytest.raises(InvalidInput):
        parse_count_quantity("-2", weighed=False)
    check_counted_quantity(0, CountMode.SET, weighed=False)
    with pytest.raises(InvalidInput, match="lebih dari nol"):
        check_counted_quantity(0, CountMode.ADD, weighed=False)
    with pytest.raises(InvalidInput, match="terlalu besar"):
        check_counted_quantity(10**12, CountMode.SET, weighed=True)
    assert count_number("LPK-01", 7) == "LPK-01-O000007"
