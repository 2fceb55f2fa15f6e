"""First run: the set-up wizard's choices, checked, and the outlet made from them in one transaction."""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path

from sqlalchemy import Connection, insert, select

from kkmp_pos.domain.catalog_import import CatalogRow, parse_catalog_csv
from kkmp_pos.domain.ceiling_import import CeilingRow, parse_ceilings_csv
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.receipt import printer_test_document
from kkmp_pos.domain.roles import Role
from kkmp_pos.domain.sale import OutletInfo
from kkmp_pos.printing.escpos_render import render_receipt
from kkmp_pos.printing.transports import send_to_printer
from kkmp_pos.services.auth import PIN_COST, ensure_pin_key, hash_pin
from kkmp_pos.services.catalog import write_catalog_rows
from kkmp_pos.services.ceilings import domain_ceilings_text
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.demo import sample_catalog_text
from kkmp_pos.services.outlet import Cashier, has_outlet
from kkmp_pos.services.settings import (
    PAPER_COLUMNS,
    OutletProfile,
    Settings,
    check_outlet_profile,
    check_settings,
    clean_nib,
    clean_npwp,
    load_settings,
    write_settings,
)
from kkmp_pos.services.sync_link import (
    ClientFactory,
    LinkStatus,
    default_client,
    enroll,
    normalise_server_url,
)
from kkmp_pos.services.users import check_new_pin, check_user_names
from kkmp_pos.store.models import Outlet, PriceCeiling, User

_outlet = Outlet.__table__
_user = User.__table__
_ceiling = PriceCeiling.__table__

OUTLET_CODE_PATTERN = re.compile(r"[A-Z0-9]{2,8}(?:-[A-Z0-9]{1,6})?")
"""Prefix of every receipt number (`LPK-01-000123`): short, capitals and digits, one dash at most."""
SUBSIDISED_LPG = frozenset({"subsidi_refill", "subsidi_new"})


@dataclass(frozen=True, slots=True)
class FirstRunChoices:
    """Everything the first-run wizard asks, as typed; `check_choices` tidies and validates it."""

    koperasi_name: str
    kelurahan_code: str
    address: str
    nib: str
    gerai_name: str
    outlet_code: str
    admin_username: str
    admin_full_name: str
    admin_pin: str
    admin_pin_again: str
    printer_uri: str = "none"
    paper_mm: int = 58
    pkp: bool = False
    npwp: str = ""
    lpg_sub_pangkalan: bool = False
    lpg_registration_no: str = ""
    lpg_agen_name: str = ""
    server_url: str = ""
    """Empty: no city server now (the till works offline; link later from Sistem)."""
    enrolment_code: str = ""
    device_name: str = "Kasir 1"
    catalog_csv: str | None = None
    """The text of a catalogue CSV to import; None starts from the sample catalogue."""


@dataclass(frozen=True, slots=True)
class FirstRunResult:
    outlet_id: str
    admin: Cashier
    products: int
    ceilings: int


@dataclass(frozen=True, slots=True)
class PilotCooperative:
    """One row of resources/kkmp_samarinda_pilots.csv: offered while the name is typed."""

    name: str
    kelurahan_code: str


@cache
def pilot_cooperatives() -> tuple[PilotCooperative, ...]:
    text = resources.files("kkmp_pos.resources").joinpath("kkmp_samarinda_pilots.csv").read_text(encoding="utf-8")
    return tuple(PilotCooperative(name=row["nama_koperasi"].strip(), kelurahan_code=row["kode_kelurahan"].strip())
                 for row in csv.DictReader(io.StringIO(text)))


def read_catalog_file(path_text: str) -> str:
    """The text of the catalogue CSV chosen in the wizard; InvalidInput saying what to do when unreadable."""
    if not path_text.strip():
        raise InvalidInput("Pilih file CSV katalog (tombol Pilih file…), atau mulai dari katalog contoh.")
    path = Path(path_text.strip()).expanduser()
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        raise InvalidInput("File {file} tidak ditemukan. Periksa nama dan foldernya.", file=str(path)) from None
    except UnicodeDecodeError:
        raise InvalidInput("File {file} bukan teks UTF-8. Simpan ulang sebagai CSV UTF-8 lalu impor lagi.",
                           file=str(path)) from None
    except OSError as exc:
        raise InvalidInput("File {file} tidak dapat dibaca ({error}).", file=str(path), error=exc.strerror or str(exc)
                           ) from None


# --- one check per wizard page, so a page can refuse exactly what is wrong on it ----------------------------

def check_cooperative(koperasi_name: str, kelurahan_code: str, address: str, nib: str) -> tuple[str, str]:
    """The cooperative page: name, kelurahan from the Samarinda list, address; returns (tidy name, NIB)."""
    if not " ".join(koperasi_name.split()):
        raise InvalidInput("Isi nama koperasi (paling banyak 120 huruf), misalnya KKMP Lempake.")
    if not "".join(nib.split()):
        raise InvalidInput("Isi NIB koperasi (13 angka, dari sertifikat NIB OSS).")
    tidy_nib = clean_nib(nib)
    profile = check_outlet_profile(OutletProfile(code="", koperasi_name=koperasi_name, gerai_name="-",
                                                 address=address, kelurahan_code=kelurahan_code))
    return profile.koperasi_name, tidy_nib


def check_gerai(gerai_name: str, outlet_code: str) -> tuple[str, str]:
    """The gerai page: its name and the code that starts every receipt number."""
    name = " ".join(gerai_name.split())
    if not name or len(name) > 120:
        raise InvalidInput("Isi nama gerai (paling banyak 120 huruf), misalnya Gerai Sembako Lempake.")
    code = outlet_code.strip().upper()
    if not OUTLET_CODE_PATTERN.fullmatch(code):
        raise InvalidInput("Kode gerai '{code}' tidak dapat dipakai: 2-8 huruf besar atau angka, boleh diikuti "
                           "tanda hubung dan nomor, misalnya LPK-01. Kode ini mengawali nomor struk.",
                           code=outlet_code.strip())
    return name, code


def suggest_outlet_code(kelurahan_name: str) -> str:
    """`Lempake` -> `LEM-01`: a starting point the admin may change."""
    letters = "".join(ch for ch in kelurahan_name.upper() if ch.isalnum())[:3]
    return f"{letters or 'KKMP'}-01"


def check_admin(username: str, full_name: str, pin: str, pin_again: str) -> tuple[str, str]:
    """The admin page: username, full name and a PIN typed twice; returns (username, full name)."""
    name, full = check_user_names(username, full_name)
    check_new_pin(pin, pin_again)
    return name, full


def check_printer(printer_uri: str, paper_mm: int) -> str:
    """The printer page: a URI the transports understand (or none) and a paper width; returns the URI."""
    uri = printer_uri.strip() or "none"
    check_settings(replace(Settings(), printer_uri=uri, paper_mm=paper_mm))
    return uri


def check_tax(npwp: str) -> str:
    """The PKP part of the tax page: a PKP needs its NPWP; returns it as digits."""
    if not npwp.strip():
        raise InvalidInput("Koperasi PKP wajib mengisi NPWP (15 atau 16 angka).")
    return clean_npwp(npwp)


def check_city(server_url: str, enrolment_code: str) -> str:
    """The city server page: both empty (skip), or a URL and a code; returns the URL ('' to skip)."""
    if not server_url.strip() and not enrolment_code.strip():
        return ""
    url = normalise_server_url(server_url)
    if not enrolment_code.strip():
        raise InvalidInput("Isi kode pendaftaran dari Dinas Koperasi, atau kosongkan alamat server untuk "
                           "menghubungkan nanti.")
    return url


def catalog_rows(catalog_csv: str | None, lpg_sub_pangkalan: bool) -> tuple[list[CatalogRow], list[CeilingRow]]:
    """The products and price ceilings to start with: an imported CSV as it is, or the sample catalogue with
    its HET/HAP list; an outlet that is no 3 kg sub-pangkalan gets the sample without subsidised LPG."""
    if catalog_csv is not None:
        if not catalog_csv.strip():
            raise InvalidInput("File katalog kosong. Pilih file CSV katalog, atau mulai dari katalog contoh.")
        return parse_catalog_csv(catalog_csv), []
    rows = [row for row in parse_catalog_csv(sample_catalog_text())
            if lpg_sub_pangkalan or row.lpg_kind not in SUBSIDISED_LPG]
    skus = {row.sku for row in rows}
    return rows, [row for row in parse_ceilings_csv(domain_ceilings_text()) if row.sku in skus]


def settings_for(base: Settings, choices: FirstRunChoices) -> Settings:
    """The installation settings the wizard chose, over `base` (the defaults on an empty data directory)."""
    return replace(
        base, printer_uri=choices.printer_uri.strip() or "none", paper_mm=choices.paper_mm,
        koperasi_nib=clean_nib(choices.nib), pkp=choices.pkp, npwp=clean_npwp(choices.npwp) if choices.pkp else "",
        lpg_sub_pangkalan=choices.lpg_sub_pangkalan,
        lpg_registration_no=" ".join(choices.lpg_registration_no.split()) if choices.lpg_sub_pangkalan else "",
        lpg_agen_name=" ".join(choices.lpg_agen_name.split()) if choices.lpg_sub_pangkalan else "",
    )


def check_choices(choices: FirstRunChoices) -> FirstRunChoices:
    """Every page's check, in wizard order; the choices tidied (names, NIB, code, username, URL)."""
    koperasi, nib = check_cooperative(choices.koperasi_name, choices.kelurahan_code, choices.address, choices.nib)
    gerai, code = check_gerai(choices.gerai_name, choices.outlet_code)
    username, full_name = check_admin(choices.admin_username, choices.admin_full_name, choices.admin_pin,
                                      choices.admin_pin_again)
    uri = check_printer(choices.printer_uri, choices.paper_mm)
    npwp = check_tax(choices.npwp) if choices.pkp else ""
    url = check_city(choices.server_url, choices.enrolment_code)
    if url and not " ".join(choices.device_name.split()):
        raise InvalidInput("Isi nama perangkat (contoh: Kasir 1).")
    return replace(choices, koperasi_name=koperasi, nib=nib, gerai_name=gerai, outlet_code=code,
                   address=" ".join(choices.address.split()), admin_username=username, admin_full_name=full_name,
                   printer_uri=uri, npwp=npwp, server_url=url)


# --- doing it ----------------------------------------------------------------------------------------------

def complete_first_run(ctx: PosContext, choices: FirstRunChoices) -> FirstRunResult:
    """Create the outlet, its admin with their PIN, the settings and the catalogue: all or nothing.

    Everything is checked before anything is written, then written in one transaction, so a failure leaves
    the data directory as empty as it was and the wizard can simply run again. The city link is separate
    (`enroll_city`): it needs the network and the till works without it.
    """
    tidy = check_choices(choices)
    products, ceilings = catalog_rows(tidy.catalog_csv, tidy.lpg_sub_pangkalan)
    settings = settings_for(load_settings(ctx), tidy)
    check_settings(settings)
    if has_outlet(ctx):
        raise InvalidInput("Folder data ini sudah berisi gerai. Penyiapan awal hanya untuk folder data kosong; "
                           "ubah data gerai di Sistem → Pengaturan.")
    now = ctx.clock()
    outlet_id, admin_id = str(uuid.uuid4()), str(uuid.uuid4())
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        if connection.execute(select(_outlet.c.id).limit(1)).first() is not None:  # another start got here first
            raise InvalidInput("Folder data ini sudah berisi gerai. Penyiapan awal hanya untuk folder data kosong; "
                               "ubah data gerai di Sistem → Pengaturan.")
        connection.execute(_outlet.insert(), {
            "id": outlet_id, "code": tidy.outlet_code, "koperasi_name": tidy.koperasi_name,
            "gerai_name": tidy.gerai_name, "address": tidy.address, "kelurahan_code": tidy.kelurahan_code,
            "created_at": now,
        })
        # The pepper is written (fsynced) before the hash that needs it is committed, as in users.create_user.
        pin_hash = hash_pin(tidy.admin_pin, ensure_pin_key(ctx.data_dir), cost=PIN_COST)
        connection.execute(_user.insert(), {
            "id": admin_id, "outlet_id": outlet_id, "username": tidy.admin_username,
            "full_name": tidy.admin_full_name, "role": Role.ADMIN.value, "pin_hash": pin_hash, "active": True,
            "created_at": now, "failed_pins": 0, "locked_until": None,
        })
        imported = write_catalog_rows(connection, products, now)
        _insert_ceilings(connection, ceilings, now)
        write_settings(connection, settings)
        uow.commit()
    admin = Cashier(id=admin_id, username=tidy.admin_username, full_name=tidy.admin_full_name,
                    role=Role.ADMIN.value)
    return FirstRunResult(outlet_id=outlet_id, admin=admin, products=imported.total, ceilings=len(ceilings))


def _insert_ceilings(connection: Connection, rows: list[CeilingRow], now: datetime) -> None:
    """The shipped HET/HAP rows into an outlet that has none yet (services.ceilings' row shape)."""
    if rows:
        connection.execute(insert(_ceiling), [
            {"sku": row.sku, "kind": row.kind, "amount": row.amount, "source": row.source, "region": row.region,
             "effective_from": row.effective_from.isoformat(), "created_at": now}
            for row in rows
        ])


def enroll_city(ctx: PosContext, choices: FirstRunChoices,
                client_factory: ClientFactory = default_client) -> LinkStatus | None:
    """After the outlet exists: link to the city server if a URL was given (None when skipped).

    Raises the PosError of sync_link.enroll when the server cannot be reached or refuses the code; the
    outlet stays as created and can be linked later from Sistem → Hubungkan ke server kota.
    """
    if not choices.server_url.strip():
        return None
    return enroll(ctx, choices.server_url, choices.enrolment_code, choices.device_name, client_factory)


def print_setup_test_page(ctx: PosContext, outlet: OutletInfo, printer_uri: str, paper_mm: int) -> None:
    """The settings screen's test page (receipts.print_test_page) for a printer not saved yet: the wizard
    prints it before the outlet exists. Raises InvalidInput for a bad URI, PrinterError when it cannot print."""
    uri = check_printer(printer_uri, paper_mm)
    if uri.lower() == "none":
        raise InvalidInput("Belum ada printer yang dipilih. Pilih printer yang terdeteksi atau ketik alamatnya, "
                           "lalu coba lagi.")
    columns = PAPER_COLUMNS[paper_mm]
    document = printer_test_document(outlet, ctx.clock(), printer_uri=uri, paper_mm=paper_mm, columns=columns)
    send_to_printer(uri, render_receipt(document, columns, logo_path=""))
