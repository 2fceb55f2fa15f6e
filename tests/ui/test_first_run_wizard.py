"""The first-run wizard from an empty data directory to a till that sells, with the settings chosen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from kkmp_pos.i18n import set_language
from kkmp_pos.services.catalog import find_by_sku
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.history import sales_of_day
from kkmp_pos.services.outlet import has_outlet, outlet_info
from kkmp_pos.services.settings import load_settings
from kkmp_pos.services.sync_link import link_status
from kkmp_pos.ui.app import TillLauncher
from kkmp_pos.ui.first_run_wizard import FirstRunWizard
from kkmp_pos.ui.payment_dialog import PaymentDialog
from kkmp_pos.ui.shift_dialogs import OpenShiftDialog
from tests.services.sync_server import quick_client, running_city
from tests.ui.helpers import open_dialog, press, scan, wait_closed
from tests.ui.test_printing_and_history import closed_port

MINYAKITA = "8999900000055"  # Rp15.700 in the sample catalogue


@pytest.fixture
def wizard(qtbot: QtBot, empty_ctx: PosContext) -> Iterator[FirstRunWizard]:
    set_language("id")
    shown = FirstRunWizard(empty_ctx, client_factory=quick_client)
    qtbot.addWidget(shown)
    shown.show()
    yield shown
    shown.tasks.shutdown()


def next_page(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


def finish(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)


def fill_cooperative(qtbot: QtBot, wizard: FirstRunWizard, nib: str = "9120001234567") -> None:
    page = wizard.cooperative_page
    page.name_input.setText("KKMP Sempaja Barat")  # set, not typed: the completer's popup needs a real screen
    page.kelurahan_combo.lineEdit().setText("Sempaja Barat")  # matched to the list by name
    qtbot.keyClicks(page.address_input, "Jl. P.M. Noor No. 12, RT 21")
    qtbot.keyClicks(page.nib_input, nib)


def fill_until_catalog(qtbot: QtBot, wizard: FirstRunWizard, printer: Path, *, server: tuple[str, str] = ("", ""),
                       sub_pangkalan: bool = False) -> None:
    fill_cooperative(qtbot, wizard)
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.gerai_page, wizard.cooperative_page.messages.text()
    assert wizard.gerai_page.code_input.text() == "SEM-01"  # suggested from the kelurahan
    next_page(qtbot, wizard)
    admin = wizard.admin_page
    admin.username_input.setText("rina")
    qtbot.keyClicks(admin.full_name_input, "Rina Wulandari")
    qtbot.keyClicks(admin.pin_input, "4826")
    qtbot.keyClicks(admin.pin_again_input, "4826")
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.printer_page, admin.messages.text()
    qtbot.waitUntil(lambda: not wizard.printer_page.detecting)
    wizard.printer_page.uri_input.setText(f"file:{printer}")
    wizard.printer_page.paper_buttons[80].setChecked(True)
    next_page(qtbot, wizard)
    tax = wizard.tax_lpg_page
    tax.pkp_check.setChecked(True)
    qtbot.keyClicks(tax.npwp_input, "01.234.567.8-722.000")
    tax.lpg_check.setChecked(sub_pangkalan)
    next_page(qtbot, wizard)
    wizard.city_page.url_input.setText(server[0])
    wizard.city_page.code_input.setText(server[1])
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.catalog_page, wizard.city_page.messages.text()


def test_the_wizard_ends_on_a_till_that_sells_with_the_chosen_settings(
        qtbot: QtBot, wizard: FirstRunWizard, empty_ctx: PosContext, tmp_path: Path) -> None:
    ctx, receipts = empty_ctx, tmp_path / "struk.bin"
    assert wizard.currentPage() is wizard.cooperative_page
    fill_until_catalog(qtbot, wizard, receipts)
    assert wizard.catalog_page.sample_radio.isChecked()
    finish(qtbot, wizard)
    assert wizard.result() == QWizard.DialogCode.Accepted.value, wizard.catalog_page.messages.text()
    assert not wizard.isVisible()

    # The choices are stored: outlet, settings (printer, paper, PKP, not a sub-pangkalan), no city link.
    assert has_outlet(ctx)
    outlet = outlet_info(ctx)
    assert (outlet.koperasi_name, outlet.address) == ("KKMP Sempaja Barat", "Jl. P.M. Noor No. 12, RT 21")
    settings = load_settings(ctx)
    assert (settings.printer_uri, settings.paper_mm, settings.pkp, settings.npwp) == (
        f"file:{receipts}", 80, True, "012345678722000")
    assert (settings.lpg_sub_pangkalan, settings.koperasi_nib) == (False, "9120001234567")
    assert not link_status(ctx).enrolled
    assert find_by_sku(ctx, "MGR-MKT-1") is not None
    assert find_by_sku(ctx, "LPG-3-ISI") is None  # no subsidised 3 kg LPG for a non-sub-pangkalan
    assert find_by_sku(ctx, "LPG-12-ISI") is not None

    # The login knows the admin and their PIN; the till opens with the shift count first.
    launcher = TillLauncher(ctx)
    qtbot.addWidget(launcher.login)
    launcher.show()
    login = launcher.login
    qtbot.waitUntil(login.is_ready)
    assert login.user_combo.currentData() == "rina"
    qtbot.keyClicks(login.pin_input, "4826")
    qtbot.keyClick(login.pin_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: launcher.window is not None)
    window = launcher.window
    assert window is not None
    qtbot.addWidget(window)
    till = window.till
    assert till.cashier.username == "rina" and till.cashier.role == "admin"
    opening = open_dialog(qtbot, till, OpenShiftDialog)
    opening.grid.set_count(50_000, 1)
    qtbot.mouseClick(opening.open_button, Qt.MouseButton.LeftButton)
    wait_closed(qtbot, till)

    # A sample product sells for cash; the receipt goes to the printer chosen in the wizard.
    scan(qtbot, till, MINYAKITA)
    assert till.total_label.text() == "Rp15.700"
    press(qtbot, till, Qt.Key.Key_F12)
    payment = open_dialog(qtbot, till, PaymentDialog)
    qtbot.mouseClick(payment.note_buttons[20_000], Qt.MouseButton.LeftButton)
    qtbot.keyClick(payment.received_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)
    assert "SEM-01-000001" in till.last_receipt_label.text()
    qtbot.waitUntil(lambda: window.tasks.is_idle() and receipts.exists(), timeout=10_000)
    assert [(s.receipt_no, s.total) for s in sales_of_day(ctx)] == [("SEM-01-000001", 15_700)]
    data = receipts.read_bytes()
    assert b"KKMP Sempaja Barat" in data and b"SEM-01-000001" in data and b"Minyakita" in data
    # The admin may open the settings screen, which shows what the wizard chose.
    assert window.settings_action.isEnabled()
    launcher.close()
    assert window.tasks.wait_for_done(10_000)


def test_a_bad_nib_and_a_pin_typed_differently_keep_everything_typed(qtbot: QtBot, wizard: FirstRunWizard,
                                                                     empty_ctx: PosContext) -> None:
    fill_cooperative(qtbot, wizard, nib="91200012345")
    next_page(qtbot, wizard)
    page = wizard.cooperative_page
    assert wizard.currentPage() is page
    assert "NIB '91200012345' salah" in page.messages.text() and "13 angka" in page.messages.text()
    assert (page.name_input.text(), page.address_input.text(), page.nib_input.text()) == (
        "KKMP Sempaja Barat", "Jl. P.M. Noor No. 12, RT 21", "91200012345")
    qtbot.keyClicks(page.nib_input, "67")
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.gerai_page and page.messages.text() == ""
    next_page(qtbot, wizard)
    admin = wizard.admin_page
    qtbot.keyClicks(admin.full_name_input, "Rina Wulandari")
    qtbot.keyClicks(admin.pin_input, "4826")
    qtbot.keyClicks(admin.pin_again_input, "4862")
    next_page(qtbot, wizard)
    assert wizard.currentPage() is admin
    assert admin.messages.text() == "Kedua PIN tidak sama. Ketik PIN yang sama dua kali."
    assert (admin.full_name_input.text(), admin.pin_input.text(), admin.pin_again_input.text()) == (
        "Rina Wulandari", "4826", "4862")
    admin.pin_again_input.setText("1234")
    admin.pin_input.setText("1234")
    next_page(qtbot, wizard)
    assert wizard.currentPage() is admin and "terlalu mudah ditebak" in admin.messages.text()
    # An unknown kelurahan is refused on its page too, once we go back to it.
    wizard.back()
    wizard.back()
    page.kelurahan_combo.lineEdit().setText("Kelurahan Antah")
    next_page(qtbot, wizard)
    assert wizard.currentPage() is page and "Pilih kelurahan dari daftar" in page.messages.text()
    assert not has_outlet(empty_ctx)


def test_the_test_print_uses_what_is_typed_before_anything_is_saved(qtbot: QtBot, wizard: FirstRunWizard,
                                                                    empty_ctx: PosContext, tmp_path: Path) -> None:
    fill_cooperative(qtbot, wizard)
    next_page(qtbot, wizard)
    next_page(qtbot, wizard)
    admin = wizard.admin_page
    qtbot.keyClicks(admin.full_name_input, "Rina Wulandari")
    admin.pin_input.setText("4826")
    admin.pin_again_input.setText("4826")
    next_page(qtbot, wizard)
    printer = wizard.printer_page
    qtbot.waitUntil(lambda: not printer.detecting)
    # The detected list is what this machine has (maybe nothing); choosing an entry fills the URI.
    assert printer.detected_combo.count() == len(printer.detected) + 1
    printer.uri_input.setText("usb:0000:1")
    qtbot.mouseClick(printer.test_print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not printer.printing)
    assert "Alamat USB 'usb:0000:1' salah" in printer.messages.text()
    target = tmp_path / "uji.bin"
    printer.uri_input.setText(f"file:{target}")
    qtbot.mouseClick(printer.test_print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not printer.printing)
    assert printer.messages.text().startswith("Halaman uji dicetak.")
    data = target.read_bytes()
    assert data.startswith(b"\x1b@") and b"TES PRINTER" in data
    assert b"KKMP Sempaja Barat" in data and b"Gerai KKMP Sempaja Barat" in data
    assert b"58 mm, 32 kolom" in data
    assert not has_outlet(empty_ctx)  # printing saved nothing


def test_an_imported_csv_is_the_catalogue_and_a_bad_one_is_refused_with_its_lines(
        qtbot: QtBot, wizard: FirstRunWizard, empty_ctx: PosContext, tmp_path: Path) -> None:
    fill_until_catalog(qtbot, wizard, tmp_path / "struk.bin", sub_pangkalan=True)
    page = wizard.catalog_page
    bad = tmp_path / "katalog-salah.csv"
    bad.write_text("sku,name,category,unit,price\nTLR-1,Telur ayam,Telur,butir,-5\n", encoding="utf-8")
    page.csv_radio.setChecked(True)
    page.csv_path_input.setText(str(tmp_path / "tidak-ada.csv"))
    finish(qtbot, wizard)
    assert wizard.isVisible() and "tidak ditemukan" in page.messages.text()
    page.csv_path_input.setText(str(bad))
    finish(qtbot, wizard)
    assert wizard.isVisible() and "Katalog tidak diimpor" in page.messages.text()
    assert "Baris 2" in page.messages.text()
    assert not has_outlet(empty_ctx)  # all or nothing: the outlet was not created either
    good = tmp_path / "katalog.csv"
    good.write_text("sku,barcode,name,category,unit,price\nTLR-1,8991234500010,Telur ayam,Telur,butir,2500\n"
                    "GLA-1,,Gula pasir 1 kg,Gula,pak,18500\n", encoding="utf-8")
    page.csv_path_input.setText(str(good))
    finish(qtbot, wizard)
    assert wizard.result() == QWizard.DialogCode.Accepted.value, page.messages.text()
    assert find_by_sku(empty_ctx, "TLR-1") is not None and find_by_sku(empty_ctx, "MGR-MKT-1") is None
    assert load_settings(empty_ctx).lpg_sub_pangkalan is True


def test_the_city_link_is_made_after_the_outlet_and_a_failure_can_be_skipped(
        qtbot: QtBot, wizard: FirstRunWizard, empty_ctx: PosContext, tmp_path: Path) -> None:
    with running_city(tmp_path) as city:
        outlet = city.new_outlet("KKMP Sempaja Barat")
        wrong = (f"http://127.0.0.1:{closed_port()}", "KODE-SALAH")  # nothing listens there
        fill_until_catalog(qtbot, wizard, tmp_path / "struk.bin", server=wrong)
        finish(qtbot, wizard)
        page = wizard.catalog_page
        qtbot.waitUntil(lambda: wizard.enrol_failed, timeout=20_000)
        assert "Gerai sudah disimpan, tetapi belum terhubung" in page.messages.text()
        assert has_outlet(empty_ctx) and not link_status(empty_ctx).enrolled
        assert not wizard.button(QWizard.WizardButton.CancelButton).isVisible()
        finish(qtbot, wizard)  # go on without the city
        assert wizard.result() == QWizard.DialogCode.Accepted.value

        # A second wizard on another empty directory links for real with a code from the city.
        code = city.new_code(outlet["outlet_id"])
        from kkmp_pos.services.context import open_context

        other = open_context(tmp_path / "data2", clock=empty_ctx.clock)
        try:
            second = FirstRunWizard(other, client_factory=quick_client)
            qtbot.addWidget(second)
            second.show()
            fill_until_catalog(qtbot, second, tmp_path / "struk2.bin", server=(city.url, code))
            finish(qtbot, second)
            qtbot.waitUntil(lambda: second.result() == QWizard.DialogCode.Accepted.value, timeout=20_000)
            status = link_status(other)
            assert status.enrolled and status.outlet_id == outlet["outlet_id"]
            assert second.link == status
            second.tasks.shutdown()
        finally:
            other.close()


def test_a_pilot_cooperative_fills_its_kelurahan(wizard: FirstRunWizard) -> None:
    page = wizard.cooperative_page
    page.pilot_chosen("KKMP Rapak Dalam")
    assert page.kelurahan_combo.currentText() == "Rapak Dalam (Loa Janan Ilir)"
    assert page.kelurahan_combo.currentData() == "64.72.10.1005"


def test_cancelling_leaves_the_data_directory_empty(qtbot: QtBot, wizard: FirstRunWizard,
                                                    empty_ctx: PosContext) -> None:
    fill_cooperative(qtbot, wizard)
    next_page(qtbot, wizard)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CancelButton), Qt.MouseButton.LeftButton)
    assert wizard.result() == QWizard.DialogCode.Rejected.value
    assert not has_outlet(empty_ctx)


def test_the_command_opens_the_wizard_on_an_empty_directory_and_cancel_exits_2(
        qtbot: QtBot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kkmp_pos.cli import main

    seen: list[object] = []

    def cancel() -> None:
        wizard = QApplication.activeModalWidget()
        seen.append(wizard)
        if wizard is not None:
            wizard.close()  # the window's close button: the same as Batal

    QTimer.singleShot(0, cancel)
    assert main(["--data-dir", str(tmp_path / "data")]) == 2
    assert len(seen) == 1 and isinstance(seen[0], FirstRunWizard)
    assert "Penyiapan gerai dibatalkan" in capsys.readouterr().err


def test_f1_in_the_wizard_opens_the_manual_at_setting_up_a_gerai(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    qtbot.keyClick(wizard.currentPage(), Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: wizard.help.help_window is not None and wizard.help.help_window.isVisible())
    help_window = wizard.help.help_window
    assert help_window is not None and help_window.section == "penyiapan"
    help_window.close()
