"""Installation settings (printer, paper, language, receipt footer, tax and LPG status) and the outlet profile."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, fields, replace
from pathlib import Path

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kkmp_pos.domain.errors import InvalidInput, PosError
from kkmp_pos.i18n import LANGUAGES
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.regions import find_kelurahan
from kkmp_pos.services.uow import reading
from kkmp_pos.services.users import require_admin
from kkmp_pos.store.models import Outlet, Setting

_setting = Setting.__table__
_outlet = Outlet.__table__
PAPER_COLUMNS = {58: 32, 80: 48}
MAX_IDLE_LOCK_MINUTES = 240
NIB_PATTERN = re.compile(r"[0-9]{13}")
"""Nomor Induk Berusaha from OSS: 13 digits."""
NPWP_PATTERN = re.compile(r"[0-9]{15,16}")
"""NPWP: 15 digits, or the 16-digit form (NIK-based) used since 2024; dots and dashes are dropped first."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What an admin can change without a new release; all stored as text."""

    printer_uri: str = "none"
    paper_mm: int = 58
    language: str = "id"
    receipt_footer: str = "Terima kasih. Barang yang sudah dibeli tidak dapat ditukar tanpa struk."
    logo_path: str = ""
    open_drawer_on_cash: bool = True
    qris_image_path: str = ""
    """The outlet's static QRIS code (an image file), shown to the buyer when they pay by QRIS."""
    kasbon_for_customers: bool = False
    """Kasbon for named customers (pelanggan) too, not only members; the sale service reads this key."""
    idle_lock_minutes: int = 10
    """Lock the till (PIN to continue) after this many minutes without a key or click; 0 = never."""
    lpg_registration_no: str = ""
    """The outlet's registration number as a (sub-)pangkalan of 3 kg LPG, printed on the logbook and HET notice."""
    lpg_agen_name: str = ""
    """The agen that supplies the outlet's LPG."""
    lpg_nik_share_alert_pct: int = 0
    """Alert when one NIK bought more than this % of the month's 3 kg allocation; 0 = off."""
    lpg_pengecer_share_alert_pct: int = 0
    """Alert when pengecer bought more than this % of the month's 3 kg cylinders sold; 0 = off."""
    koperasi_nib: str = ""
    """The cooperative's NIB (13 digits), asked by the first-run wizard; empty on older installations."""
    pkp: bool = False
    """Whether the cooperative is a Pengusaha Kena Pajak (charges PPN); stored, not yet printed on receipts."""
    npwp: str = ""
    """The cooperative's NPWP (digits only), for a PKP."""
    lpg_sub_pangkalan: bool = True
    """The outlet is a registered (sub-)pangkalan of subsidised 3 kg LPG. True for installations from before the
    wizard asked (the demo outlet is one); when False the till hides the 3 kg logbook."""

    @property
    def columns(self) -> int:
        return PAPER_COLUMNS[self.paper_mm]


def _decode(name: str, raw: str) -> object:
    default = getattr(Settings(), name)
    if isinstance(default, bool):
        return raw == "1"
    if isinstance(default, int):
        return int(raw)
    return raw


def _encode(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def load_settings(ctx: PosContext) -> Settings:
    names = {f.name for f in fields(Settings)}
    with reading(ctx.engine) as connection:
        stored = dict(connection.execute(select(_setting.c.key, _setting.c.value)).all())
    values = {name: _decode(name, stored[name]) for name in names if name in stored}
    return replace(Settings(), **values)  # type: ignore[arg-type]


def save_settings(ctx: PosContext, settings: Settings) -> None:
    """Validate and store every setting in one transaction."""
    check_settings(settings)
    with ctx.unit_of_work() as uow:
        write_settings(uow.connection, settings)
        uow.commit()


def write_settings(connection: Connection, settings: Settings) -> None:
    """Upsert every setting inside the caller's transaction (already checked by `check_settings`)."""
    rows = [{"key": f.name, "value": _encode(getattr(settings, f.name))} for f in fields(Settings)]
    statement = sqlite_insert(_setting)
    connection.execute(
        statement.on_conflict_do_update(index_elements=["key"], set_={"value": statement.excluded.value}),
        rows,
    )


def clean_nib(text: str) -> str:
    """The NIB as typed, spaces dropped: 13 digits or empty; otherwise InvalidInput saying so."""
    nib = "".join(text.split())
    if nib and not NIB_PATTERN.fullmatch(nib):
        raise InvalidInput("NIB '{nib}' salah: NIB koperasi terdiri dari 13 angka (lihat sertifikat NIB dari OSS).",
                           nib=text.strip())
    return nib


def clean_npwp(text: str) -> str:
    """The NPWP as typed without dots, dashes and spaces: 15 or 16 digits, or empty."""
    npwp = re.sub(r"[\s.\-]", "", text)
    if npwp and not NPWP_PATTERN.fullmatch(npwp):
        raise InvalidInput("NPWP '{npwp}' salah: tulis 15 atau 16 angka (titik dan tanda hubung boleh).",
                           npwp=text.strip())
    return npwp


def check_settings(settings: Settings) -> None:
    """Every rule a stored setting must meet; InvalidInput naming the first one broken."""
    from kkmp_pos.printing.uri import parse_printer_uri  # the URI grammar lives with the transports

    parse_printer_uri(settings.printer_uri)
    if settings.paper_mm not in PAPER_COLUMNS:
        raise InvalidInput("Lebar kertas harus 58 atau 80 mm.")
    if not 0 <= settings.idle_lock_minutes <= MAX_IDLE_LOCK_MINUTES:
        raise InvalidInput("Kunci otomatis harus 0 sampai {most} menit (0 = tidak pernah).",
                           most=MAX_IDLE_LOCK_MINUTES)
    for pct in (settings.lpg_nik_share_alert_pct, settings.lpg_pengecer_share_alert_pct):
        if not 0 <= pct <= 100:
            raise InvalidInput("Batas peringatan elpiji harus 0 sampai 100 persen (0 = mati).")
    if settings.logo_path and not Path(settings.logo_path).expanduser().is_file():
        raise InvalidInput(
            "File logo '{path}' tidak ditemukan. Pilih file gambar (PNG/JPG) yang ada, atau kosongkan kolom logo.",
            path=settings.logo_path,
        )
    if settings.qris_image_path and not Path(settings.qris_image_path).expanduser().is_file():
        raise InvalidInput(
            "File gambar QRIS '{path}' tidak ditemukan. Pilih file gambar QRIS gerai (PNG/JPG) yang ada, atau "
            "kosongkan kolomnya.", path=settings.qris_image_path,
        )
    if settings.language not in LANGUAGES:
        raise InvalidInput("Bahasa '{language}' tidak tersedia.", language=settings.language)
    if clean_nib(settings.koperasi_nib) != settings.koperasi_nib:
        raise InvalidInput("NIB koperasi harus 13 angka tanpa spasi.")
    if clean_npwp(settings.npwp) != settings.npwp:
        raise InvalidInput("NPWP harus 15 atau 16 angka tanpa titik.")
    if settings.pkp and not settings.npwp:
        raise InvalidInput("Koperasi PKP wajib mengisi NPWP (15 atau 16 angka).")


def device_id(ctx: PosContext) -> str:
    """This installation's id in the journal; made once, on first use."""
    with ctx.unit_of_work() as uow:
        value = uow.connection.execute(select(_setting.c.value).where(_setting.c.key == "device_id")).scalar()
        if value is None:
            value = str(uuid.uuid4())
            uow.connection.execute(_setting.insert(), {"key": "device_id", "value": value})
            uow.commit()
    return value


# --- the outlet profile (name, address, kelurahan), edited by an admin on the settings screen ------------

@dataclass(frozen=True, slots=True)
class OutletProfile:
    """What an admin may correct about the outlet later; its code stays (it prefixes every receipt number)."""

    code: str
    koperasi_name: str
    gerai_name: str
    address: str
    kelurahan_code: str


def check_outlet_profile(profile: OutletProfile) -> OutletProfile:
    """The profile with names and address tidied; InvalidInput naming what is missing or unknown."""
    koperasi = " ".join(profile.koperasi_name.split())
    gerai = " ".join(profile.gerai_name.split())
    address = " ".join(profile.address.split())
    if not koperasi or len(koperasi) > 120:
        raise InvalidInput("Isi nama koperasi (paling banyak 120 huruf), misalnya KKMP Lempake.")
    if not gerai or len(gerai) > 120:
        raise InvalidInput("Isi nama gerai (paling banyak 120 huruf), misalnya Gerai Sembako Lempake.")
    if not address or len(address) > 240:
        raise InvalidInput("Isi alamat gerai (paling banyak 240 huruf): jalan, RT, kelurahan.")
    if find_kelurahan(profile.kelurahan_code) is None:
        raise InvalidInput("Pilih kelurahan dari daftar kelurahan Kota Samarinda (ketik sebagian namanya untuk "
                           "mencari).")
    return replace(profile, koperasi_name=koperasi, gerai_name=gerai, address=address)


def load_outlet_profile(ctx: PosContext) -> OutletProfile:
    with reading(ctx.engine) as connection:
        row = connection.execute(select(_outlet.c.code, _outlet.c.koperasi_name, _outlet.c.gerai_name,
                                        _outlet.c.address, _outlet.c.kelurahan_code).limit(1)).one()
    return OutletProfile(code=row.code, koperasi_name=row.koperasi_name, gerai_name=row.gerai_name,
                         address=row.address, kelurahan_code=row.kelurahan_code)


def save_outlet_profile(ctx: PosContext, profile: OutletProfile, settings: Settings, *, by: str) -> OutletProfile:
    """Store the corrected profile and the settings together, in one transaction; `by` must be an active admin
    (the menu hides the screen from everyone else, but the rule lives here, where the change is made)."""
    with ctx.unit_of_work() as uow:
        require_admin(uow.connection, by, PosError("Hanya admin yang dapat mengubah pengaturan gerai. Masuk "
                                                   "sebagai admin (Ctrl+L), lalu simpan lagi."))
        tidy = check_outlet_profile(profile)
        check_settings(settings)
        uow.connection.execute(_outlet.update().where(_outlet.c.code == tidy.code).values(
            koperasi_name=tidy.koperasi_name, gerai_name=tidy.gerai_name, address=tidy.address,
            kelurahan_code=tidy.kelurahan_code))
        write_settings(uow.connection, settings)
        uow.commit()
    return tidy
