"""Units convert exactly, moving-average cost rounds half up to the rupiah, and receipt lines add up."""

from __future__ import annotations

import pytest

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.goods_receipt import line_amounts, parse_day
from kkmp_pos.domain.stock import moving_average_cost, stock_value, to_base_units


def test_pack_units_convert_exactly_to_the_base_unit() -> None:
    assert to_base_units(2000, 25_000) == 50_000  # 2 karung of 25 kg = 50 kg
    assert to_base_units(1500, 40_000) == 60_000  # 1,5 dus of 40 pcs = 60 pcs
    assert to_base_units(750, 1000) == 750
    with pytest.raises(InvalidInput, match="tidak bisa dihitung pas"):
        to_base_units(1, 1500)
    with pytest.raises(InvalidInput, match="belum punya konversi"):
        to_base_units(1000, 0)
    with pytest.raises(InvalidInput, match="lebih dari nol"):
        to_base_units(-1000, 25_000)


def test_moving_average_by_hand() -> None:
    # 50 pcs at Rp3.100, then 10 dus (400 pcs) for Rp1.200.000: 1.355.000 / 450 = 3.011,11.
    first = moving_average_cost(50_000, 3100, 400_000, 1_200_000)
    assert first == 3011
    # Then 5 dus (200 pcs) for Rp630.000: (450 x 3.011 + 630.000) / 650 = 3.053,77.
    assert moving_average_cost(450_000, first, 200_000, 630_000) == 3054
    # Nothing on hand (or negative): the receipt's own cost per base unit.
    assert moving_average_cost(0, 3100, 400_000, 1_200_000) == 3000
    assert moving_average_cost(-2000, 3100, 400_000, 1_200_000) == 3000
    assert moving_average_cost(10_000, None, 400_000, 1_200_000) == 3000
    # Half a rupiah rounds up: 1 kg for Rp12.001 plus 1 kg at Rp12.000 = 12.000,5 -> 12.001.
    assert moving_average_cost(1000, 12_000, 1000, 12_001) == 12_001
    assert stock_value(49_250, 12_000) == 591_000


def test_line_amounts_and_their_limits() -> None:
    amounts = line_amounts(2000, 25_000, 300_000, weighed=True)
    assert (amounts.base_qty_milli, amounts.line_cost) == (50_000, 600_000)
    assert line_amounts(1500, 1000, 13_333, weighed=True).line_cost == 20_000  # 19.999,5 rounds up
    with pytest.raises(InvalidInput, match="bilangan bulat"):
        line_amounts(333, 40_000, 120_000, weighed=False)
    with pytest.raises(InvalidInput, match="terlalu besar"):
        line_amounts(100_000_001, 1000, 1, weighed=True)
    with pytest.raises(InvalidInput, match="negatif"):
        line_amounts(1000, 1000, -1, weighed=False)
    with pytest.raises(InvalidInput, match="tidak masuk akal"):
        line_amounts(1000, 1000, 2_000_000_000, weighed=False)


def test_expiry_dates_are_read_day_first() -> None:
    assert str(parse_day("31-12-2027")) == "2027-12-31"
    assert str(parse_day("2027-12-31")) == "2027-12-31"
    assert str(parse_day("1/2/2028")) == "2028-02-01"
    assert parse_day("  ") is None
    with pytest.raises(InvalidInput, match="tidak dapat dibaca"):
        parse_day("31-13-2027")
