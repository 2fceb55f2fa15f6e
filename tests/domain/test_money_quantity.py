"""Money and quantity arithmetic and formatting: integer rupiah, exact thousandths."""

from __future__ import annotations

import pytest

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import format_rupiah, parse_rupiah, round_half_up_div
from kkmp_pos.domain.quantity import format_quantity, line_amount, parse_quantity


@pytest.mark.parametrize(("amount", "text"), [
    (0, "Rp0"), (500, "Rp500"), (15700, "Rp15.700"), (1_000_000, "Rp1.000.000"), (-2500, "-Rp2.500"),
])
def test_format_rupiah_uses_dot_thousands_and_no_decimals(amount: int, text: str) -> None:
    assert format_rupiah(amount) == text


@pytest.mark.parametrize(("typed", "amount"), [
    ("50000", 50000), ("50.000", 50000), ("Rp 50.000", 50000), ("Rp15.700,00", 15700), (" 2000 ", 2000),
])
def test_parse_rupiah_reads_what_cashiers_type(typed: str, amount: int) -> None:
    assert parse_rupiah(typed) == amount


@pytest.mark.parametrize("typed", ["", "abc", "12,5", "-100", "1e5"])
def test_parse_rupiah_refuses_non_amounts_with_indonesian_message(typed: str) -> None:
    with pytest.raises(InvalidInput, match="tidak dapat dibaca"):
        parse_rupiah(typed)


@pytest.mark.parametrize(("num", "den", "result"), [(5, 10, 1), (4, 10, 0), (15, 10, 2), (-5, 10, -1), (0, 7, 0)])
def test_round_half_up_div(num: int, den: int, result: int) -> None:
    assert round_half_up_div(num, den) == result


@pytest.mark.parametrize(("typed", "weighed", "milli"), [
    ("1", False, 1000), ("12", False, 12000), ("1,25", True, 1250), ("1.25", True, 1250),
    ("0,005", True, 5), (",5", True, 500), ("2", True, 2000),
])
def test_parse_quantity(typed: str, weighed: bool, milli: int) -> None:
    assert parse_quantity(typed, weighed=weighed) == milli


@pytest.mark.parametrize(("typed", "weighed", "message"), [
    ("1,5", False, "bilangan bulat"), ("0", True, "lebih dari nol"), ("1,2345", True, "3 angka"),
    ("1,2,3", True, "tidak dapat dibaca"), ("dua", False, "tidak dapat dibaca"),
    ("999999999", False, "terlalu besar"),
])
def test_parse_quantity_refuses_bad_input(typed: str, weighed: bool, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_quantity(typed, weighed=weighed)


def test_format_quantity() -> None:
    assert format_quantity(3000, weighed=False) == "3"
    assert format_quantity(1250, weighed=True) == "1,250"
    assert format_quantity(500, weighed=True) == "0,500"


@pytest.mark.parametrize(("price", "milli", "total"), [
    (13500, 1250, 16875), (13500, 1000, 13500), (17500, 333, 5828),  # 5827,5 rounds up
    (30000, 1, 30), (15700, 3000, 47100), (99, 5, 0),  # 0,495 rounds down
])
def test_line_amount_rounds_half_up_to_whole_rupiah(price: int, milli: int, total: int) -> None:
    assert line_amount(price, milli) == total
