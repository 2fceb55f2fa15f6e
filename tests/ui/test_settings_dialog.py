"""The admin's settings screen: koperasi and gerai, printer, PKP, sub-pangkalan; a kasir or manajer cannot open it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kkmp_pos.services.catalog import find_by_sku
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import outlet_info
from kkmp_pos.services.settings import load_outlet_profile, load_settings, save_settings
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.settings_dialog import SettingsDialog
from tests.ui.helpers import logged_in_window, open_dialog, wait_closed


@pytest.fixture
def admin_window(qtbot: QtBot, ctx: PosContext) -> Iterator[MainWindow]:
    main = logged_in_window(qtbot, ctx, "admin")
    yield main
    main.close()
    assert main.tasks.wait_for_done(10_000)


@pytest.mark.parametrize("username", ["kasir", "manajer", "pengawas"])
def test_only_an_admin_opens_the_settings(qtbot: QtBot, ctx: PosContext, username: str) -> None:
    window = logged_in_window(qtbot, ctx, username)
    try:
        assert not window.settings_action.isEnabled()
        window.settings_action.trigger()  # a disabled action does nothing...
        assert window.open_settings() is False  # ...and asked directly, the window refuses too
        assert window.till.active_dialog is None
        assert "Hanya admin yang dapat membuka Pengaturan" in window.till.messages.text()
    finally:
        window.close()
        assert window.tasks.wait_for_done(10_000)


def test_the_admin_changes_the_outlet_printer_pkp_and_sub_pangkalan(qtbot: QtBot, admin_window: MainWindow,
                                                                    ctx: PosContext, tmp_path: Path) -> None:
    till = admin_window.till
    assert admin_window.settings_action.isEnabled()
    assert admin_window.lpg_logbook_action.isVisible()  # the demo outlet is a sub-pangkalan
    admin_window.settings_action.trigger()
    dialog = open_dialog(qtbot, till, SettingsDialog)
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "Koperasi dan gerai", "Printer", "Struk dan pajak", "Kasir", "Elpiji", "Server kota", "Katalog", "Bahasa"]
    assert dialog.koperasi_name_input.text() == "KKMP Lempake"
    assert dialog.kelurahan_combo.currentData() == "64.72.05.1003"
    assert "Belum terhubung ke server kota" in dialog.city_label.text()
    assert dialog.lpg_sub_pangkalan_check.isChecked() and not dialog.pkp_check.isChecked()

    # Wrong input is refused with the reason; everything typed stays.
    dialog.nib_input.setText("123")
    dialog.pkp_check.setChecked(True)
    dialog.gerai_name_input.setText("Gerai Lempake Baru")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "NIB '123' salah" in dialog.messages.text() and dialog.isVisible()
    dialog.nib_input.setText("9120001234567")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "wajib mengisi NPWP" in dialog.messages.text() and dialog.isVisible()
    assert dialog.gerai_name_input.text() == "Gerai Lempake Baru" and dialog.pkp_check.isChecked()
    assert outlet_info(ctx).gerai_name == "Gerai Sembako & Elpiji Lempake"  # nothing stored yet

    # Printer detection fills the combo (whatever this computer has); the URI and paper are typed.
    qtbot.mouseClick(dialog.detect_button, Qt.MouseButton.LeftButton)
    assert dialog.detected_combo.count() >= 1
    dialog.npwp_input.setText("01.234.567.8-722.000")
    dialog.printer_uri_input.setText(f"file:{tmp_path / 'struk.bin'}")
    dialog.paper_combo.setCurrentIndex(dialog.paper_combo.findData(80))
    dialog.lpg_sub_pangkalan_check.setChecked(False)
    dialog.kelurahan_combo.lineEdit().setText("Sempaja Barat")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_closed(qtbot, till)
    stored = load_settings(ctx)
    assert (stored.printer_uri, stored.paper_mm, stored.pkp, stored.npwp, stored.lpg_sub_pangkalan,
            stored.koperasi_nib) == (f"file:{tmp_path / 'struk.bin'}", 80, True, "012345678722000", False,
                                     "9120001234567")
    profile = load_outlet_profile(ctx)
    assert (profile.code, profile.gerai_name, profile.kelurahan_code) == (
        "LPK-01", "Gerai Lempake Baru", "64.72.05.1012")
    assert till.messages.text() == "Pengaturan disimpan."


def test_the_admin_imports_a_catalogue_csv_all_or_nothing(qtbot: QtBot, admin_window: MainWindow,
                                                           ctx: PosContext, tmp_path: Path) -> None:
    admin_window.settings_action.trigger()
    dialog = open_dialog(qtbot, admin_window.till, SettingsDialog)
    bad = tmp_path / "salah.csv"
    bad.write_text("sku,name,category,unit,price\nTLR-1,Telur ayam,Telur,butir,abc\n", encoding="utf-8")
    dialog.catalog_path_input.setText(str(bad))
    qtbot.mouseClick(dialog.catalog_import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.importing)
    assert "Katalog tidak diimpor" in dialog.messages.text() and "Baris 2" in dialog.messages.text()
    assert find_by_sku(ctx, "TLR-1") is None
    good = tmp_path / "katalog.csv"
    good.write_text("sku,name,category,unit,price\nTLR-1,Telur ayam,Telur,butir,2500\n"
                    "MGR-MKT-1,Minyakita 1 L,Minyak,liter,15700\n", encoding="utf-8")
    dialog.catalog_path_input.setText(str(good))
    qtbot.mouseClick(dialog.catalog_import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.importing)
    assert dialog.messages.text() == "Katalog diimpor: 1 produk baru, 1 diperbarui."
    assert find_by_sku(ctx, "TLR-1") is not None
    dialog.reject()
    wait_closed(qtbot, admin_window.till)


def test_a_till_that_is_no_sub_pangkalan_hides_the_3kg_logbook(qtbot: QtBot, ctx: PosContext) -> None:
    save_settings(ctx, replace(load_settings(ctx), lpg_sub_pangkalan=False))
    window = logged_in_window(qtbot, ctx, "admin")
    try:
        assert not window.lpg_logbook_action.isVisible()
    finally:
        window.close()
        assert window.tasks.wait_for_done(10_000)
