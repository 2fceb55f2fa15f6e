"""Installation settings (printer, paper, language, receipt footer) with their defaults."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.i18n import LANGUAGES
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import Setting

_setting = Setting.__table__
PAPER_COLUMNS = {58: 32, 80: 48}
MAX_IDLE_LOCK_MINUTES = 240


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
    rows = [{"key": f.name, "value": _encode(getattr(settings, f.name))} for f in fields(Settings)]
    with ctx.unit_of_work() as uow:
        statement = sqlite_insert(_setting)
        uow.connection.execute(
            statement.on_conflict_do_update(index_elements=["key"], set_={"value": statement.excluded.value}),
            rows,
        )
        uow.commit()


def device_id(ctx: PosContext) -> str:
    """This installation's id in the journal; made once, on first use."""
    with ctx.unit_of_work() as uow:
        value = uow.connection.execute(select(_setting.c.value).where(_setting.c.key == "device_id")).scalar()
        if value is None:
            value = str(uuid.uuid4())
            uow.connection.execute(_setting.insert(), {"key": "device_id", "value": value})
            uow.commit()
    return value
