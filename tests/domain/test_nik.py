"""NIK validation: DOMAIN.md's vectors plus women's dates, 0000 serials, future dates and typing habits."""

from __future__ import annotations

from datetime import date

import pytest

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.nik import Gender, Nik, mask_nik, normalize_nik, parse_nik
from kkmp_pos.services.regions import check_nik, province_names

TODAY = date(2026, 11, 30)


def nik(text: str) -> Nik:
    return parse_nik(text, province_names(), TODAY)


def refusal(text: str) -> str:
    with pytest.raises(InvalidInput) as caught:
        nik(text)
    return str(caught.value)


def test_domain_sample_is_a_woman_born_1_january_1990_in_kalimantan_timur() -> None:
    checked = nik("6472054101900001")
    assert checked.value == "6472054101900001"
    assert checked.gender is Gender.PEREMPUAN
    assert checked.birth_date == date(1990, 1, 1)
    assert (checked.province_code, checked.province_name) == ("64", "Kalimantan Timur")
    assert checked.masked == "6472********0001"


def test_thirtieth_of_february_does_not_exist() -> None:
    text = refusal("3171013002001234")
    assert "30-02-2000" in text and "tidak ada di kalender" in text


@pytest.mark.parametrize("typed", ["647205410190000", "64720541019000011", "6472"])
def test_anything_but_sixteen_digits_is_refused_with_the_count(typed: str) -> None:
    assert refusal(typed) == f"NIK harus 16 angka, yang diketik {len(typed)} angka. Periksa lagi NIK di KTP."


def test_a_mans_date_is_the_plain_day() -> None:
    checked = nik("3171011708450007")
    assert checked.gender is Gender.LAKI_LAKI and checked.birth_date == date(1945, 8, 17)
    assert checked.province_name == "Daerah Khusus Ibukota Jakarta"


@pytest.mark.parametrize(("digits", "born"), [
    ("71", date(1999, 12, 31)),   # 31 + 40: the highest day a woman's NIK carries
    ("69", date(1999, 12, 29)),
])
def test_womens_days_are_raised_by_forty(digits: str, born: date) -> None:
    checked = nik(f"647205{digits}1299" + "0042")
    assert checked.gender is Gender.PEREMPUAN and checked.birth_date == born


@pytest.mark.parametrize(("ddmmyy", "part"), [
    ("000190", "angka ke-7 dan ke-8: '00'"),  # day 0
    ("320190", "angka ke-7 dan ke-8: '32'"),  # neither a man's (01-31) nor a woman's (41-71) day
    ("400190", "angka ke-7 dan ke-8: '40'"),
    ("720190", "angka ke-7 dan ke-8: '72'"),
    ("011390", "angka ke-9 dan ke-10: '13'"),
    ("010090", "angka ke-9 dan ke-10: '00'"),
])
def test_impossible_day_or_month_names_the_digits(ddmmyy: str, part: str) -> None:
    assert part in refusal(f"647205{ddmmyy}0001")


def test_a_womans_thirtieth_of_february_is_refused_too() -> None:
    assert "30-02-1990" in refusal("6472057002900001")


def test_leap_days() -> None:
    assert nik("6472052902000001").birth_date == date(2000, 2, 29)
    assert "29-02-2001" in refusal("6472052902010001")


def test_serial_0000_is_refused() -> None:
    assert refusal("6472054101900000") == (
        "Nomor urut NIK (4 angka terakhir) tidak boleh 0000. Periksa lagi akhir NIK di KTP.")


def test_two_digit_years_take_the_latest_year_not_after_today() -> None:
    assert nik("6472053011260001").birth_date == date(2026, 11, 30)  # born today
    assert nik("6472050101270001").birth_date == date(1927, 1, 1)    # '27 has not come yet: 1927
    assert nik("6472050101000001").birth_date == date(2000, 1, 1)


@pytest.mark.parametrize("ddmmyy", ["011226", "411226"])
def test_a_birth_date_later_this_year_is_in_the_future(ddmmyy: str) -> None:
    text = refusal(f"647205{ddmmyy}0001")
    assert "01-12-2026" in text and "belum terjadi" in text


@pytest.mark.parametrize(("typed", "shown"), [
    ("64720541019O0001", "O"),   # a letter O for a zero
    ("6472-0541-0190-000l", "l"),
    ("6472054101900001*", "*"),
])
def test_non_digits_are_named(typed: str, shown: str) -> None:
    text = refusal(typed)
    assert text.startswith("NIK hanya boleh berisi angka") and f"'{shown}'" in text


def test_empty_nik_asks_for_it() -> None:
    assert refusal("  ") == "NIK belum diisi. Ketik 16 angka NIK sesuai KTP."


def test_unknown_province_99_is_refused_but_any_real_province_is_fine() -> None:
    assert refusal("9972054101900001") == (
        "Kode provinsi NIK '99' (2 angka pertama) tidak dikenal. Periksa lagi awal NIK di KTP.")
    # Never refused for being from outside Samarinda: the code is where the card was first issued.
    assert nik("1101014101900001").province_name == "Aceh"
    assert nik("9601014101900001").province_name == "Papua Barat Daya"


@pytest.mark.parametrize("typed", ["6472 0541 0190 0001", "6472.0541.0190.0001", "6472-054101-900001",
                                   " 64 72 05 41 01 90 00 01 "])
def test_spaces_dots_and_dashes_are_stripped(typed: str) -> None:
    assert normalize_nik(typed.strip()) == "6472054101900001"
    assert nik(typed).value == "6472054101900001"


def test_mask_keeps_region_and_serial_only() -> None:
    assert mask_nik("6472054101900001") == "6472********0001"
    assert mask_nik("6472 0541 0190 0001") == "6472********0001"
    assert mask_nik("123") == "***"


def test_check_nik_uses_the_shipped_province_table() -> None:
    assert check_nik("6472054101900001", TODAY).province_name == "Kalimantan Timur"
    assert len(province_names()) == 38
