"""NIK (Nomor Induk Kependudukan): normalising, validating its parts, and masking it for screens and receipts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kkmp_pos.domain.errors import InvalidInput

NIK_LENGTH = 16
_SEPARATORS = str.maketrans("", "", " .-\t")
FEMALE_DAY_OFFSET = 40
"""A woman's NIK carries her birth day plus 40 (41-71)."""


class Gender(StrEnum):
    LAKI_LAKI = "L"
    PEREMPUAN = "P"


@dataclass(frozen=True, slots=True)
class Nik:
    """A checked NIK and what its digits say about the card holder."""

    value: str
    """The 16 digits, without separators."""
    gender: Gender
    birth_date: date
    province_code: str
    province_name: str

    @property
    def masked(self) -> str:
        return mask_nik(self.value)


def normalize_nik(text: str) -> str:
    """`6472 0541.0190-0001` -> `6472054101900001`: people type NIKs grouped, the digits are what count."""
    return text.translate(_SEPARATORS)


def mask_nik(nik: str) -> str:
    """`6472054101900001` -> `6472********0001`: region and serial stay, birth date and district are hidden."""
    digits = normalize_nik(nik)
    if len(digits) <= 8:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def parse_nik(text: str, provinces: Mapping[str, str], today: date) -> Nik:
    """Check a typed NIK part by part; `provinces` maps two-digit province codes to names.

    Only the province is a hard regional check: the code is where the card was first issued, not where the
    person lives, so a NIK from outside Samarinda is valid. Raises InvalidInput naming the wrong part.
    """
    digits = normalize_nik(text.strip())
    if not digits:
        raise InvalidInput("NIK belum diisi. Ketik 16 angka NIK sesuai KTP.")
    if not digits.isascii() or not digits.isdigit():
        wrong = "".join(sorted({ch for ch in digits if not (ch.isascii() and ch.isdigit())}))
        raise InvalidInput(
            "NIK hanya boleh berisi angka (spasi, titik dan tanda hubung boleh), tetapi ada '{chars}'. "
            "Ketik ulang 16 angka NIK sesuai KTP.", chars=wrong)
    if len(digits) != NIK_LENGTH:
        raise InvalidInput("NIK harus 16 angka, yang diketik {n} angka. Periksa lagi NIK di KTP.", n=len(digits))
    province_code = digits[:2]
    province_name = provinces.get(province_code)
    if province_name is None:
        raise InvalidInput(
            "Kode provinsi NIK '{code}' (2 angka pertama) tidak dikenal. Periksa lagi awal NIK di KTP.",
            code=province_code)
    birth_date, gender = _birth_date(digits[6:12], today)
    if digits[12:] == "0000":
        raise InvalidInput("Nomor urut NIK (4 angka terakhir) tidak boleh 0000. Periksa lagi akhir NIK di KTP.")
    return Nik(value=digits, gender=gender, birth_date=birth_date, province_code=province_code,
               province_name=province_name)


def _birth_date(ddmmyy: str, today: date) -> tuple[date, Gender]:
    """Digits 7-12 of a NIK: the birth date, with the day raised by 40 for women."""
    day, month, yy = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])
    gender = Gender.LAKI_LAKI
    if day > FEMALE_DAY_OFFSET:
        day -= FEMALE_DAY_OFFSET
        gender = Gender.PEREMPUAN
    if not 1 <= day <= 31:
        raise InvalidInput(
            "Tanggal lahir di NIK (angka ke-7 dan ke-8: '{digits}') tidak sah: harus 01-31 untuk laki-laki "
            "atau 41-71 untuk perempuan.", digits=ddmmyy[:2])
    if not 1 <= month <= 12:
        raise InvalidInput("Bulan lahir di NIK (angka ke-9 dan ke-10: '{digits}') tidak sah: harus 01-12.",
                           digits=ddmmyy[2:4])
    # Two-digit year: the latest year ending in these digits that is not after this year. A birth date
    # later this year is then "in the future": far more often a typo than a 100-year-old's card.
    year = today.year - (today.year - yy) % 100
    try:
        born = date(year, month, day)
    except ValueError:
        raise InvalidInput(
            "Tanggal lahir di NIK ({date}) tidak ada di kalender. Periksa angka ke-7 sampai ke-12.",
            date=f"{day:02d}-{month:02d}-{year}") from None
    if born > today:
        raise InvalidInput(
            "Tanggal lahir di NIK ({born}) belum terjadi. Periksa angka ke-7 sampai ke-12.",
            born=born.strftime("%d-%m-%Y"))
    return born, gender
