"""Region codes shipped with the app: Indonesia's provinces (for NIKs) and Samarinda's kelurahan (for members)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from kkmp_pos.domain.nik import Nik, parse_nik


@dataclass(frozen=True, slots=True)
class Region:
    """One row of a region table: `64.72.05.1003`, `Lempake`, `kelurahan`."""

    code: str
    name: str
    level: str


@dataclass(frozen=True, slots=True)
class Kelurahan:
    """A kelurahan with the kecamatan it lies in, as the member form offers it."""

    code: str
    name: str
    kecamatan: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.kecamatan})"


@cache
def _table(filename: str) -> tuple[Region, ...]:
    """Read once per process: the tables are small, fixed and shipped inside the package."""
    text = resources.files("kkmp_pos.resources").joinpath("wilayah", filename).read_text(encoding="utf-8")
    return tuple(Region(code=row["kode"].strip(), name=row["nama"].strip(), level=row["level"].strip())
                 for row in csv.DictReader(io.StringIO(text)))


@cache
def province_names() -> dict[str, str]:
    """Two-digit province code -> name (`64` -> `Kalimantan Timur`)."""
    return {r.code: r.name for r in _table("provinsi_kabkota.csv") if r.level == "provinsi"}


@cache
def samarinda_kelurahan() -> tuple[Kelurahan, ...]:
    """Samarinda's kelurahan in table order (grouped by kecamatan)."""
    rows = _table("samarinda.csv")
    kecamatan = {r.code: r.name for r in rows if r.level == "kecamatan"}
    return tuple(Kelurahan(code=r.code, name=r.name, kecamatan=kecamatan.get(r.code.rsplit(".", 1)[0], ""))
                 for r in rows if r.level == "kelurahan")


@cache
def _kelurahan_by_code() -> dict[str, Kelurahan]:
    return {k.code: k for k in samarinda_kelurahan()}


def find_kelurahan(code: str | None) -> Kelurahan | None:
    return _kelurahan_by_code().get(code) if code else None


def kelurahan_name(code: str | None) -> str:
    """The kelurahan's name, or the code itself when it is not in the table (never an empty cell)."""
    found = find_kelurahan(code)
    return found.name if found else (code or "")


def check_nik(text: str, today: date) -> Nik:
    """Validate a typed NIK against the shipped province table; raises InvalidInput naming the wrong part."""
    return parse_nik(text, province_names(), today)
