"""complete_first_run: the wizard's choices checked, then outlet, admin, settings and catalogue in one transaction."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kkmp_pos.domain.catalog_import import CatalogFileInvalid
from kkmp_pos.domain.errors import InvalidInput, PosError, StorageFull
from kkmp_pos.domain.sale import OutletInfo
from kkmp_pos.services.auth import login
from kkmp_pos.services.catalog import find_by_sku
from kkmp_pos.services.ceilings import ceiling_overview
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.first_run import (
    FirstRunChoices,
    check_choices,
    complete_first_run,
    enroll_city,
    pilot_cooperatives,
    print_setup_test_page,
    read_catalog_file,
    suggest_outlet_code,
)
from kkmp_pos.services.outlet import has_outlet, outlet_info
from kkmp_pos.services.settings import load_settings
from kkmp_pos.services.sync_link import link_status
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import Product, Setting
from tests.services.sync_server import quick_client, running_city
from tests.services.test_disk_full import fill_disk, limited_disk

CHOICES = FirstRunChoices(
    koperasi_name="  KKMP   Sempaja Barat ", kelurahan_code="64.72.05.1012", address="Jl. P.M. Noor 12",
    nib="9120 0012 34567", gerai_name="Gerai Sembako Sempaja", outlet_code="smb-01", admin_username=" Rina ",
    admin_full_name="Rina  Wulandari", admin_pin="4826", admin_pin_again="4826",
)


def count(ctx: PosContext, table: type) -> int:
    with reading(ctx.engine) as connection:
        return int(connection.execute(select(func.count()).select_from(table.__table__)).scalar_one())


def test_the_sample_outlet_is_created_with_its_admin_settings_and_ceilings(empty_ctx: PosContext,
                                                                          tmp_path: Path) -> None:
    ctx = empty_ctx
    choices = replace(CHOICES, printer_uri=f"file:{tmp_path / 'p.bin'}", paper_mm=80, pkp=True,
                      npwp="01.234.567.8-722.000", lpg_sub_pangkalan=True, lpg_registration_no=" 6472-0123 ",
                      lpg_agen_name="PT Agen Elpiji")
    result = complete_first_run(ctx, choices)
    assert result.products == 48 and result.ceilings == 10
    info = outlet_info(ctx)
    assert (info.koperasi_name, info.gerai_name, info.address) == (
        "KKMP Sempaja Barat", "Gerai Sembako Sempaja", "Jl. P.M. Noor 12")
    admin = login(ctx, "rina", "4826")
    assert (admin.id, admin.role, admin.full_name) == (result.admin.id, "admin", "Rina Wulandari")
    settings = load_settings(ctx)
    assert (settings.printer_uri, settings.paper_mm, settings.koperasi_nib, settings.pkp, settings.npwp) == (
        f"file:{tmp_path / 'p.bin'}", 80, "9120001234567", True, "012345678722000")
    assert (settings.lpg_sub_pangkalan, settings.lpg_registration_no, settings.lpg_agen_name) == (
        True, "6472-0123", "PT Agen Elpiji")
    assert find_by_sku(ctx, "LPG-3-ISI") is not None
    assert "LPG-3-ISI" in {view.sku for view in ceiling_overview(ctx)}
    # Run again on the same directory: refused, nothing doubled.
    with pytest.raises(InvalidInput, match="sudah berisi gerai"):
        complete_first_run(ctx, choices)
    assert count(ctx, Product) == 48


def test_an_outlet_that_is_no_sub_pangkalan_starts_without_subsidised_lpg(empty_ctx: PosContext) -> None:
    result = complete_first_run(empty_ctx, CHOICES)
    assert result.products == 46 and result.ceilings == 9
    assert find_by_sku(empty_ctx, "LPG-3-ISI") is None and find_by_sku(empty_ctx, "LPG-3-BARU") is None
    settings = load_settings(empty_ctx)
    assert (settings.lpg_sub_pangkalan, settings.pkp, settings.npwp, settings.printer_uri) == (
        False, False, "", "none")


def test_an_imported_catalogue_replaces_the_sample_and_a_bad_one_creates_nothing(empty_ctx: PosContext) -> None:
    bad = "sku,name,category,unit,price\nTLR-1,Telur ayam,Telur,butir,abc\n"
    with pytest.raises(CatalogFileInvalid) as refused:
        complete_first_run(empty_ctx, replace(CHOICES, catalog_csv=bad))
    assert "Baris 2" in refused.value.report()
    assert not has_outlet(empty_ctx) and count(empty_ctx, Setting) == 0
    good = "sku,name,category,unit,price\nTLR-1,Telur ayam,Telur,butir,2500\n"
    result = complete_first_run(empty_ctx, replace(CHOICES, catalog_csv=good))
    assert result.products == 1 and result.ceilings == 0
    assert find_by_sku(empty_ctx, "TLR-1") is not None and find_by_sku(empty_ctx, "MGR-MKT-1") is None


def test_a_failure_while_writing_leaves_the_directory_empty_and_set_up_runs_again(empty_ctx: PosContext) -> None:
    ctx = empty_ctx
    with limited_disk(ctx) as disk:
        pages = fill_disk(ctx, disk)
        disk.max_pages = pages + 3  # room for the outlet and admin rows, not for the catalogue
        with pytest.raises(StorageFull):
            complete_first_run(ctx, CHOICES)
        assert not has_outlet(ctx)
        assert count(ctx, Product) == 0 and count(ctx, Setting) == 0
        disk.max_pages = None
        complete_first_run(ctx, CHOICES)
    assert has_outlet(ctx) and login(ctx, "rina", "4826").role == "admin"


@pytest.mark.parametrize(("change", "message"), [
    ({"nib": "12345"}, "NIB '12345' salah: NIB koperasi terdiri dari 13 angka"),
    ({"nib": ""}, "Isi NIB koperasi"),
    ({"koperasi_name": "  "}, "Isi nama koperasi"),
    ({"kelurahan_code": "64.72.99.9999"}, "Pilih kelurahan dari daftar kelurahan Kota Samarinda"),
    ({"address": ""}, "Isi alamat gerai"),
    ({"gerai_name": ""}, "Isi nama gerai"),
    ({"outlet_code": "kode gerai"}, "Kode gerai 'kode gerai' tidak dapat dipakai"),
    ({"admin_username": "r"}, "Nama pengguna 'r' tidak dapat dipakai"),
    ({"admin_pin_again": "4862"}, "Kedua PIN tidak sama"),
    ({"admin_pin": "12", "admin_pin_again": "12"}, "PIN harus 4 sampai 6 angka"),
    ({"admin_pin": "1111", "admin_pin_again": "1111"}, "terlalu mudah ditebak"),
    ({"printer_uri": "lpt1"}, "Alamat printer 'lpt1' tidak dikenal"),
    ({"paper_mm": 72}, "Lebar kertas harus 58 atau 80 mm"),
    ({"pkp": True}, "Koperasi PKP wajib mengisi NPWP"),
    ({"pkp": True, "npwp": "12.345"}, "NPWP '12.345' salah"),
    ({"enrolment_code": "ABC"}, "Isi alamat server kota"),
    ({"server_url": "https://kota.example"}, "Isi kode pendaftaran"),
    ({"server_url": "http://kota.example", "enrolment_code": "ABC"}, "harus diawali https://"),
])
def test_bad_choices_are_refused_in_indonesian(change: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        check_choices(replace(CHOICES, **change))  # type: ignore[arg-type]


def test_a_refused_choice_writes_nothing(empty_ctx: PosContext) -> None:
    with pytest.raises(InvalidInput, match="Kedua PIN tidak sama"):
        complete_first_run(empty_ctx, replace(CHOICES, admin_pin_again="4862"))
    assert not has_outlet(empty_ctx) and count(empty_ctx, Setting) == 0


def test_choices_are_tidied() -> None:
    tidy = check_choices(replace(CHOICES, server_url=" http://127.0.0.1:8000/ ", enrolment_code="K-1"))
    assert (tidy.koperasi_name, tidy.nib, tidy.outlet_code, tidy.admin_username, tidy.admin_full_name) == (
        "KKMP Sempaja Barat", "9120001234567", "SMB-01", "rina", "Rina Wulandari")
    assert tidy.server_url.startswith("http://127.0.0.1:8000")
    assert suggest_outlet_code("Sungai Pinang Dalam") == "SUN-01" and suggest_outlet_code("") == "KKMP-01"
    pilots = pilot_cooperatives()
    assert pilots[0].name == "KKMP Lempake" and pilots[0].kelurahan_code == "64.72.05.1003"


def test_reading_the_chosen_catalogue_file_says_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="Pilih file CSV katalog"):
        read_catalog_file(" ")
    with pytest.raises(InvalidInput, match="tidak ditemukan"):
        read_catalog_file(str(tmp_path / "tidak-ada.csv"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("sku,name\nA,Kacang\xe9\n".encode("latin-1"))
    with pytest.raises(InvalidInput, match="bukan teks UTF-8"):
        read_catalog_file(str(latin))


def test_the_test_page_prints_the_outlet_as_typed_without_saving(empty_ctx: PosContext, tmp_path: Path) -> None:
    target = tmp_path / "uji.bin"
    outlet = OutletInfo(koperasi_name="KKMP Sempaja Barat", gerai_name="Gerai Sempaja", address="Jl. Noor",
                        receipt_footer="")
    print_setup_test_page(empty_ctx, outlet, f"file:{target}", 80)
    data = target.read_bytes()
    assert b"KKMP Sempaja Barat" in data and b"80 mm, 48 kolom" in data
    with pytest.raises(InvalidInput, match="Belum ada printer"):
        print_setup_test_page(empty_ctx, outlet, "none", 58)
    with pytest.raises(PosError):
        print_setup_test_page(empty_ctx, outlet, f"file:{tmp_path / 'no-such-dir' / 'x.bin'}", 58)
    assert not has_outlet(empty_ctx)


def test_the_city_link_comes_after_the_outlet_and_is_optional(empty_ctx: PosContext, tmp_path: Path) -> None:
    assert enroll_city(empty_ctx, CHOICES) is None  # skipped
    with running_city(tmp_path) as city:
        outlet = city.new_outlet("KKMP Sempaja Barat")
        choices = replace(CHOICES, server_url=city.url, enrolment_code=outlet["enrolment_code"])
        complete_first_run(empty_ctx, choices)
        with pytest.raises(PosError, match="Kode pendaftaran salah"):
            enroll_city(empty_ctx, replace(choices, enrolment_code="SALAH-123"), quick_client)
        assert not link_status(empty_ctx).enrolled and has_outlet(empty_ctx)  # the outlet stays
        status = enroll_city(empty_ctx, choices, quick_client)
        assert status is not None and status.enrolled and status.outlet_id == outlet["outlet_id"]
