"""The admin's settings screen: koperasi and gerai, printer (detected, test print), receipt and tax, till, LPG,
city server, catalogue import, language."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.i18n import LANGUAGES, tr
from kkmp_pos.printing.detect import detect_printers
from kkmp_pos.services.catalog import ImportResult, import_catalog_text
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.first_run import read_catalog_file
from kkmp_pos.services.settings import (
    MAX_IDLE_LOCK_MINUTES,
    PAPER_COLUMNS,
    OutletProfile,
    Settings,
    clean_nib,
    clean_npwp,
    load_outlet_profile,
    load_settings,
    save_outlet_profile,
)
from kkmp_pos.services.sync_link import link_status
from kkmp_pos.ui.first_run_pages import kelurahan_code, kelurahan_combo, select_kelurahan
from kkmp_pos.ui.messages import Level, MessageBar, guarded
from kkmp_pos.ui.print_jobs import PrintJobs
from kkmp_pos.ui.tasks import TaskManager
from kkmp_pos.ui.widgets import action_button, show_detected_printers


class SettingsDialog(QDialog):
    """Edits the stored Settings and the outlet profile (the main window opens it for an admin only); a refused
    value is explained and everything typed stays in place."""

    saved = Signal(object)
    """The Settings just stored."""

    def __init__(self, ctx: PosContext, print_jobs: PrintJobs, user_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._user_id = user_id  # who saves: the service refuses anyone but an active admin
        self._print_jobs = print_jobs
        self._loaded = load_settings(ctx)
        self._profile = load_outlet_profile(ctx)
        self.setWindowTitle(tr("Pengaturan"))

        self.koperasi_name_input = QLineEdit(self._profile.koperasi_name)
        self.gerai_name_input = QLineEdit(self._profile.gerai_name)
        self.address_input = QLineEdit(self._profile.address)
        self.kelurahan_combo = kelurahan_combo()
        select_kelurahan(self.kelurahan_combo, self._profile.kelurahan_code)
        self.nib_input = QLineEdit(self._loaded.koperasi_nib)
        self.nib_input.setPlaceholderText(tr("13 angka dari sertifikat NIB (OSS)"))
        code_label = QLabel(tr("{code} (mengawali nomor struk; tidak dapat diubah)", code=self._profile.code))
        self.detected_combo = QComboBox()
        self.detected_combo.addItem(tr("Tekan Cari printer untuk melihat perangkat yang terpasang"), "")
        self.detected_combo.activated.connect(self._detected_chosen)
        self.detect_button = action_button(tr("Cari printer"))
        self.detect_button.clicked.connect(self.detect_printers)
        self.pkp_check = QCheckBox(tr("Koperasi adalah PKP (Pengusaha Kena Pajak, memungut PPN)"))
        self.pkp_check.setChecked(self._loaded.pkp)
        self.npwp_input = QLineEdit(self._loaded.npwp)
        self.npwp_input.setPlaceholderText(tr("15 atau 16 angka"))
        pkp_note = QLabel(tr("Status PKP dan NPWP disimpan; struk belum mencetak baris PPN."))
        pkp_note.setWordWrap(True)
        self.lpg_sub_pangkalan_check = QCheckBox(tr("Gerai adalah sub-pangkalan elpiji 3 kg (menjual elpiji "
                                                    "bersubsidi)"))
        self.lpg_sub_pangkalan_check.setChecked(self._loaded.lpg_sub_pangkalan)
        lpg_note = QLabel(tr("Bukan sub-pangkalan: menu Logbook elpiji 3 kg disembunyikan setelah aplikasi dibuka "
                             "ulang."))
        lpg_note.setWordWrap(True)
        self.city_label = QLabel()
        self.city_label.setWordWrap(True)
        self._show_city_link()

        self.printer_uri_input = QLineEdit(self._loaded.printer_uri)
        self.printer_uri_input.setPlaceholderText("usb:0x0416:0x5011")
        uri_help = QLabel(tr("Contoh: usb:VID:PID · serial:/dev/ttyUSB0[:9600] · tcp://192.168.1.50:9100 · "
                             "file:/path/struk.bin · win32:NamaPrinter · none (tanpa printer)"))
        uri_help.setWordWrap(True)
        self.paper_combo = QComboBox()
        for mm, columns in PAPER_COLUMNS.items():
            self.paper_combo.addItem(tr("{mm} mm ({columns} kolom)", mm=mm, columns=columns), mm)
        self.paper_combo.setCurrentIndex(max(0, self.paper_combo.findData(self._loaded.paper_mm)))
        self.language_combo = QComboBox()
        for code, name in LANGUAGES.items():
            self.language_combo.addItem(name, code)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(self._loaded.language)))
        language_note = QLabel(tr("Bahasa baru berlaku setelah aplikasi ditutup dan dibuka lagi."))
        language_note.setWordWrap(True)
        self.footer_input = QLineEdit(self._loaded.receipt_footer)
        self.logo_input = QLineEdit(self._loaded.logo_path)
        self.logo_input.setPlaceholderText(tr("kosongkan bila tanpa logo; contoh: /home/kasir/logo.png"))
        self.drawer_check = QCheckBox(tr("Buka laci uang saat struk pembayaran tunai dicetak"))
        self.drawer_check.setChecked(self._loaded.open_drawer_on_cash)
        self.qris_image_input = QLineEdit(self._loaded.qris_image_path)
        self.qris_image_input.setPlaceholderText(tr("gambar QRIS statis gerai; contoh: /home/kasir/qris.png"))
        self.kasbon_customers_check = QCheckBox(tr("Izinkan kasbon untuk pelanggan terdaftar (bukan anggota)"))
        self.kasbon_customers_check.setChecked(self._loaded.kasbon_for_customers)
        self.idle_lock_spin = QSpinBox()
        self.idle_lock_spin.setRange(0, MAX_IDLE_LOCK_MINUTES)
        self.idle_lock_spin.setSuffix(tr(" menit"))
        self.idle_lock_spin.setSpecialValueText(tr("tidak pernah"))
        self.idle_lock_spin.setValue(self._loaded.idle_lock_minutes)
        self.lpg_nik_alert_spin = _percent_spin(self._loaded.lpg_nik_share_alert_pct)
        self.lpg_pengecer_alert_spin = _percent_spin(self._loaded.lpg_pengecer_share_alert_pct)
        self.lpg_registration_input = QLineEdit(self._loaded.lpg_registration_no)
        self.lpg_agen_input = QLineEdit(self._loaded.lpg_agen_name)

        self.messages = MessageBar()
        self.test_print_button = action_button(tr("Cetak uji"))
        self.save_button = action_button(tr("Simpan (Enter)"))
        self.cancel_button = action_button(tr("Batal (Esc)"))
        self.test_print_button.clicked.connect(self.test_print)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        for field in (self.printer_uri_input, self.footer_input, self.logo_input, self.qris_image_input,
                      self.koperasi_name_input, self.gerai_name_input, self.address_input, self.nib_input,
                      self.npwp_input, self.lpg_registration_input, self.lpg_agen_input):
            field.returnPressed.connect(self.save)
        self._print_jobs.finished.connect(self._on_print_finished)
        self._listening = True
        self._tasks = TaskManager(self)
        self.importing = False
        self.catalog_path_input = QLineEdit()
        self.catalog_path_input.setPlaceholderText(tr("file katalog .csv"))
        self.catalog_browse_button = action_button(tr("Pilih file…"))
        self.catalog_browse_button.clicked.connect(self.browse_catalog)
        self.catalog_import_button = action_button(tr("Impor katalog"))
        self.catalog_import_button.clicked.connect(self.import_catalog)
        catalog_note = QLabel(tr("Kolom seperti resources/catalog_sample.csv. Produk dengan SKU yang sudah ada "
                                 "diperbarui; file dengan kesalahan tidak diimpor sama sekali."))
        catalog_note.setWordWrap(True)

        self.tabs = QTabWidget()
        koperasi = self._tab(tr("Koperasi dan gerai"))
        koperasi.addRow(tr("Nama koperasi"), self.koperasi_name_input)
        koperasi.addRow(tr("NIB"), self.nib_input)
        koperasi.addRow(tr("Nama gerai"), self.gerai_name_input)
        koperasi.addRow(tr("Kode gerai"), code_label)
        koperasi.addRow(tr("Alamat"), self.address_input)
        koperasi.addRow(tr("Kelurahan"), self.kelurahan_combo)
        printer = self._tab(tr("Printer"))
        detected_row = QHBoxLayout()
        detected_row.addWidget(self.detected_combo, 1)
        detected_row.addWidget(self.detect_button)
        printer.addRow(tr("Terdeteksi"), detected_row)
        printer.addRow(tr("Printer struk"), self.printer_uri_input)
        printer.addRow("", uri_help)
        printer.addRow(tr("Lebar kertas"), self.paper_combo)
        printer.addRow("", self.drawer_check)
        receipt = self._tab(tr("Struk dan pajak"))
        receipt.addRow(tr("Catatan kaki struk"), self.footer_input)
        receipt.addRow(tr("Logo struk (gambar)"), self.logo_input)
        receipt.addRow("", self.pkp_check)
        receipt.addRow(tr("NPWP"), self.npwp_input)
        receipt.addRow("", pkp_note)
        till = self._tab(tr("Kasir"))
        till.addRow(tr("Gambar QRIS gerai"), self.qris_image_input)
        till.addRow("", self.kasbon_customers_check)
        till.addRow(tr("Kunci kasir bila tidak dipakai"), self.idle_lock_spin)
        lpg = self._tab(tr("Elpiji"))
        lpg.addRow("", self.lpg_sub_pangkalan_check)
        lpg.addRow("", lpg_note)
        lpg.addRow(tr("No. registrasi pangkalan elpiji"), self.lpg_registration_input)
        lpg.addRow(tr("Nama agen elpiji"), self.lpg_agen_input)
        lpg.addRow(tr("Peringatan: satu NIK melebihi (% alokasi 3 kg)"), self.lpg_nik_alert_spin)
        lpg.addRow(tr("Peringatan: pengecer melebihi (% penjualan 3 kg)"), self.lpg_pengecer_alert_spin)
        city = self._tab(tr("Server kota"))
        city.addRow(self.city_label)
        catalog = self._tab(tr("Katalog"))
        catalog_row = QHBoxLayout()
        catalog_row.addWidget(self.catalog_path_input, 1)
        catalog_row.addWidget(self.catalog_browse_button)
        catalog.addRow(tr("File CSV"), catalog_row)
        catalog.addRow("", catalog_note)
        catalog.addRow("", self.catalog_import_button)
        language = self._tab(tr("Bahasa"))
        language.addRow(tr("Bahasa"), self.language_combo)
        language.addRow("", language_note)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_print_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.setMinimumWidth(620)
        self.koperasi_name_input.setFocus()

    def _tab(self, title: str) -> QFormLayout:
        page = QWidget()
        self.tabs.addTab(page, title)
        return QFormLayout(page)

    def _show_city_link(self) -> None:
        status = link_status(self._ctx)
        if status.enrolled:
            self.city_label.setText(tr("Terhubung ke server kota {url} (perangkat {device}). Ubah atau putuskan "
                                       "sambungan di Sistem → Hubungkan ke server kota.", url=status.server_url,
                                       device=status.device_id))
        else:
            self.city_label.setText(tr("Belum terhubung ke server kota; kasir bekerja tanpa internet. Hubungkan "
                                       "dengan kode dari Dinas Koperasi di Sistem → Hubungkan ke server kota."))

    @guarded
    def detect_printers(self) -> None:
        """List the printers this computer sees (quick: a USB and serial listing); choosing one fills the URI."""
        show_detected_printers(self.detected_combo, detect_printers())

    def _detected_chosen(self, index: int) -> None:
        uri = self.detected_combo.itemData(index)
        if uri:
            self.printer_uri_input.setText(str(uri))

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    def browse_catalog(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, tr("Pilih file katalog"), "",
                                                    tr("File CSV (*.csv);;Semua file (*)"))
        if path:
            self.catalog_path_input.setText(path)

    @guarded
    def import_catalog(self) -> None:
        """Import the chosen CSV on a worker (a city-sized catalogue takes seconds); all or nothing."""
        if self.importing:
            return
        ctx, text = self._ctx, read_catalog_file(self.catalog_path_input.text())
        self.importing = True
        self.catalog_import_button.setEnabled(False)
        self.messages.show_info(tr("Mengimpor katalog…"))
        self._tasks.run(lambda: import_catalog_text(ctx, text), self._catalog_imported, self._catalog_failed)

    def _catalog_imported(self, result: ImportResult) -> None:
        self.importing = False
        self.catalog_import_button.setEnabled(True)
        self.messages.show_success(tr("Katalog diimpor: {created} produk baru, {updated} diperbarui.",
                                      created=result.created, updated=result.updated))

    def _catalog_failed(self, exc: BaseException) -> None:
        self.importing = False
        self.catalog_import_button.setEnabled(True)
        report = getattr(exc, "report", None)
        if callable(report):
            self.messages.show_message(report(limit=8), Level.WARNING)
        else:
            self.messages.show_exception(exc)

    def done(self, result: int) -> None:
        self._tasks.shutdown()
        if self._listening:
            self._listening = False
            self._print_jobs.finished.disconnect(self._on_print_finished)
        super().done(result)

    def edited_settings(self) -> Settings:
        """The form as Settings; fields this dialog does not show keep their stored values."""
        return replace(
            self._loaded,
            printer_uri=self.printer_uri_input.text().strip() or "none",
            paper_mm=int(self.paper_combo.currentData()),
            language=str(self.language_combo.currentData()),
            receipt_footer=self.footer_input.text().strip(),
            logo_path=self.logo_input.text().strip(),
            open_drawer_on_cash=self.drawer_check.isChecked(),
            qris_image_path=self.qris_image_input.text().strip(),
            kasbon_for_customers=self.kasbon_customers_check.isChecked(),
            idle_lock_minutes=self.idle_lock_spin.value(),
            lpg_nik_share_alert_pct=self.lpg_nik_alert_spin.value(),
            lpg_pengecer_share_alert_pct=self.lpg_pengecer_alert_spin.value(),
            lpg_registration_no=" ".join(self.lpg_registration_input.text().split()),
            lpg_agen_name=" ".join(self.lpg_agen_input.text().split()),
            koperasi_nib=clean_nib(self.nib_input.text()),
            pkp=self.pkp_check.isChecked(),
            npwp=clean_npwp(self.npwp_input.text()),
            lpg_sub_pangkalan=self.lpg_sub_pangkalan_check.isChecked(),
        )

    def edited_profile(self) -> OutletProfile:
        return OutletProfile(code=self._profile.code, koperasi_name=self.koperasi_name_input.text(),
                             gerai_name=self.gerai_name_input.text(), address=self.address_input.text(),
                             kelurahan_code=kelurahan_code(self.kelurahan_combo))

    def _store(self) -> Settings:
        settings = self.edited_settings()
        self._profile = save_outlet_profile(self._ctx, self.edited_profile(), settings, by=self._user_id)
        self._loaded = settings
        self.saved.emit(settings)
        return settings

    @guarded
    def save(self) -> None:
        self._store()
        self.accept()

    @guarded
    def test_print(self) -> None:
        # The test page is printed with the stored settings, so what is on screen is saved first.
        self._store()
        self.messages.show_info(tr("Pengaturan disimpan. Mencetak halaman uji…"))
        self._print_jobs.print_test_page()

    def _on_print_finished(self, text: str, level: Level) -> None:
        self.messages.show_message(text, level)


def _percent_spin(value: int) -> QSpinBox:
    """0 to 100 %, where 0 switches the alert off."""
    spin = QSpinBox()
    spin.setRange(0, 100)
    spin.setSuffix(" %")
    spin.setSpecialValueText(tr("mati"))
    spin.setValue(value)
    return spin
