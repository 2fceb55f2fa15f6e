"""Member (anggota) and named customer (pelanggan) records: the form's rules, numbers and who may change what."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah, format_rupiah
from kkmp_pos.domain.nik import mask_nik, parse_nik
from kkmp_pos.domain.roles import APPROVER_ROLES, Role
from kkmp_pos.i18n import tr

ANGGOTA = "anggota"
PELANGGAN = "pelanggan"
MEMBER_KINDS = (ANGGOTA, PELANGGAN)
STATUSES = ("aktif", "nonaktif", "keluar")
KIND_PREFIX = {ANGGOTA: "A", PELANGGAN: "P"}
NUMBER_DIGITS = 6

MEMBER_NO_PATTERN = re.compile(r"^[AP]-(?=[^0-9]*[0-9])[0-9A-Z][0-9A-Z./-]{0,21}$")
"""`A-000123` (anggota), `P-000045` (pelanggan), or a typed number with the same prefix and at least one digit:
what a card carries and what the till's scan field recognises as a member rather than a product name
(`A-Plus` typed to search stays a search)."""

MAX_CREDIT_LIMIT: Rupiah = 100_000_000
MAX_CREDIT_DAYS = 365
_PHONE = re.compile(r"^\+?[0-9]{8,15}$")


def kind_label(kind: str) -> str:
    return tr("Anggota") if kind == ANGGOTA else tr("Pelanggan")


def status_label(status: str) -> str:
    if status == "aktif":
        return tr("Aktif")
    if status == "nonaktif":
        return tr("Nonaktif")
    return tr("Keluar")


def looks_like_member_no(text: str) -> bool:
    """Whether a scanned or typed code is a member card (`A-...`/`P-...`) rather than a product barcode."""
    return MEMBER_NO_PATTERN.match(text.strip().upper()) is not None


def format_member_no(kind: str, number: int) -> str:
    return f"{KIND_PREFIX[kind]}-{number:0{NUMBER_DIGITS}d}"


def next_member_no(kind: str, existing: Collection[str]) -> str:
    """One more than the highest automatic number of this kind (typed numbers with letters are skipped)."""
    prefix = KIND_PREFIX[kind] + "-"
    numbers = [int(no[len(prefix):]) for no in existing if no.startswith(prefix) and no[len(prefix):].isdigit()]
    return format_member_no(kind, max(numbers, default=0) + 1)


def nik_for_viewer(nik: str | None, role: Role | str) -> str:
    """The whole NIK for a manajer or admin; everyone else sees it masked (`6472********0001`)."""
    if not nik:
        return ""
    return nik if Role(role) in APPROVER_ROLES else mask_nik(nik)


@dataclass(frozen=True, slots=True)
class MemberForm:
    """What the register/edit form sends; `member_no` empty means 'give the next number'."""

    kind: str
    name: str
    nik: str = ""
    member_no: str = ""
    address: str = ""
    kelurahan_code: str | None = None
    rt: str = ""
    rw: str = ""
    phone: str = ""
    join_date: date | None = None
    status: str = "aktif"
    credit_limit: Rupiah = 0
    credit_days: int = 30


@dataclass(frozen=True, slots=True)
class CleanMember:
    """A form that passed every rule, normalised as stored."""

    kind: str
    member_no: str
    nik: str | None
    name: str
    address: str
    kelurahan_code: str | None
    rt: str | None
    rw: str | None
    phone: str | None
    join_date: date
    status: str
    credit_limit: Rupiah
    credit_days: int

    def fields(self) -> dict[str, Any]:
        """The stored columns (join_date as ISO text)."""
        return {"kind": self.kind, "member_no": self.member_no, "nik": self.nik, "name": self.name,
                "address": self.address, "kelurahan_code": self.kelurahan_code, "rt": self.rt, "rw": self.rw,
                "phone": self.phone, "join_date": self.join_date.isoformat(), "status": self.status,
                "credit_limit": self.credit_limit, "credit_days": self.credit_days}


def clean_member(form: MemberForm, *, today: date, provinces: Mapping[str, str],
                 kelurahan_codes: Collection[str]) -> CleanMember:
    """Check every field; raises InvalidInput saying which field is wrong and how to fix it."""
    if form.kind not in MEMBER_KINDS:
        raise InvalidInput("Jenis harus anggota atau pelanggan.")
    anggota = form.kind == ANGGOTA
    member_no = _member_no(form.kind, form.member_no)
    name = " ".join(form.name.split())
    if not name:
        raise InvalidInput("Nama wajib diisi (sesuai KTP).")
    if len(name) > 120:
        raise InvalidInput("Nama terlalu panjang (paling banyak 120 huruf).")
    nik: str | None = None
    if form.nik.strip():
        nik = parse_nik(form.nik, provinces, today).value
    elif anggota:
        raise InvalidInput("NIK wajib diisi untuk anggota. Ketik 16 angka NIK sesuai KTP.")
    address = " ".join(form.address.split())
    if anggota and not address:
        raise InvalidInput("Alamat sesuai KTP wajib diisi untuk anggota.")
    if len(address) > 240:
        raise InvalidInput("Alamat terlalu panjang (paling banyak 240 huruf).")
    kelurahan = form.kelurahan_code or None
    if anggota and kelurahan is None:
        raise InvalidInput("Pilih kelurahan sesuai alamat KTP: keanggotaan KKMP menurut kelurahan.")
    if kelurahan is not None and kelurahan not in kelurahan_codes:
        raise InvalidInput("Kelurahan '{code}' tidak ada di daftar kelurahan Samarinda.", code=kelurahan)
    join_date = form.join_date or today
    if join_date > today:
        raise InvalidInput("Tanggal bergabung tidak boleh sesudah hari ini.")
    if form.status not in STATUSES:
        raise InvalidInput("Status harus aktif, nonaktif atau keluar.")
    if not 0 <= form.credit_limit <= MAX_CREDIT_LIMIT:
        raise InvalidInput("Batas kasbon harus antara Rp0 dan {max}.", max=format_rupiah(MAX_CREDIT_LIMIT))
    if not 1 <= form.credit_days <= MAX_CREDIT_DAYS:
        raise InvalidInput("Jangka waktu kasbon harus 1 sampai {max} hari.", max=MAX_CREDIT_DAYS)
    return CleanMember(
        kind=form.kind, member_no=member_no, nik=nik, name=name, address=address, kelurahan_code=kelurahan,
        rt=_rt_rw(form.rt, "RT"), rw=_rt_rw(form.rw, "RW"), phone=_phone(form.phone), join_date=join_date,
        status=form.status, credit_limit=form.credit_limit, credit_days=form.credit_days,
    )


def _member_no(kind: str, typed: str) -> str:
    member_no = typed.strip().upper()
    if not member_no:
        return ""
    prefix = KIND_PREFIX[kind]
    if not MEMBER_NO_PATTERN.match(member_no) or not member_no.startswith(prefix + "-"):
        raise InvalidInput(
            "Nomor '{member_no}' tidak sah: nomor {kind} diawali '{prefix}-' lalu angka, misalnya {example}. "
            "Kosongkan untuk nomor otomatis.", member_no=typed.strip(), kind=kind_label(kind).lower(),
            prefix=prefix, example=format_member_no(kind, 123))
    return member_no


def _rt_rw(text: str, which: str) -> str | None:
    """`5` -> `005`: RT/RW are written with three digits on a KTP."""
    value = text.strip().lstrip("0") or ("0" if text.strip() else "")
    if not value:
        return None
    if not value.isdigit() or len(value) > 3:
        raise InvalidInput("{which} harus angka, paling banyak 3 digit (misalnya 005).", which=which)
    return value.zfill(3)


def _phone(text: str) -> str | None:
    compact = "".join(ch for ch in text if ch not in " -.()")
    if not compact:
        return None
    if not _PHONE.match(compact):
        raise InvalidInput("Nomor telepon '{phone}' tidak sah: ketik 8-15 angka, misalnya 081234567890.",
                           phone=text.strip())
    return compact


CREDIT_FIELDS = ("credit_limit", "credit_days")


def check_member_change_allowed(role: Role | str, *, credit_changed: bool) -> None:
    """A pengawas reads only; the kasbon limit and term are a manager's (or admin's) decision."""
    role = Role(role)
    if role is Role.PENGAWAS:
        raise InvalidInput("Pengawas hanya dapat melihat data anggota, tidak dapat mengubahnya.")
    if credit_changed and role not in APPROVER_ROLES:
        raise InvalidInput("Batas dan jangka kasbon hanya dapat diubah oleh manajer atau admin.")


def changed_fields(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> dict[str, Any]:
    """The fields whose value differs (every field for a new record), NIK masked: the journal's copy.

    The city follows membership numbers and kasbon limits; it does not need a person's whole NIK.
    """
    changed = {key: value for key, value in after.items() if before is None or before.get(key) != value}
    if changed.get("nik"):
        changed["nik"] = mask_nik(changed["nik"])
    return changed
