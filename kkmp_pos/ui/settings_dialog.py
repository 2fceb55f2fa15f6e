"""Installation settings: printer, paper width, language, receipt footer, and a test print."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.i18n import LANGUAGES, tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.settings import (
    MAX_IDLE_LOCK_MINUTES,
    PAPER_COLUMNS,
    Settings,
    load_settings,
    save_settings,
)
from kkmp_pos.ui.messages import Level, MessageBar, guarded
from kkmp_pos.ui.print_jobs import PrintJobs
from kkmp_pos.ui.widgets import action_button


class SettingsDialog(QDialog):
    """Edits the stored Settings; a refused value is explained and everything typed stays in place."""

    saved = Signal(object)
    """The Settings just stored."""

    def __init__(self, ctx: PosContext, print_jobs: PrintJobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._print_jobs = print_jobs
        self._loaded = load_settings(ctx)
        self.setWindowTitle(tr("Pengaturan"))

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
        for field in (self.printer_uri_input, self.footer_input, self.logo_input, self.qris_image_input):
            field.returnPressed.connect(self.save)
        self._print_jobs.finished.connect(self._on_print_finished)
        self._listening = True

        form = QFormLayout()
        form.addRow(tr("Printer struk"), self.printer_uri_input)
        form.addRow("", uri_help)
        form.addRow(tr("Lebar kertas"), self.paper_combo)
        form.addRow(tr("Bahasa"), self.language_combo)
        form.addRow("", language_note)
        form.addRow(tr("Catatan kaki struk"), self.footer_input)
        form.addRow(tr("Logo struk (gambar)"), self.logo_input)
        form.addRow("", self.drawer_check)
        form.addRow(tr("Gambar QRIS gerai"), self.qris_image_input)
        form.addRow("", self.kasbon_customers_check)
        form.addRow(tr("Kunci kasir bila tidak dipakai"), self.idle_lock_spin)
        form.addRow(tr("Peringatan: satu NIK melebihi (% alokasi 3 kg)"), self.lpg_nik_alert_spin)
        form.addRow(tr("Peringatan: pengecer melebihi (% penjualan 3 kg)"), self.lpg_pengecer_alert_spin)
        form.addRow(tr("No. registrasi pangkalan elpiji"), self.lpg_registration_input)
        form.addRow(tr("Nama agen elpiji"), self.lpg_agen_input)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_print_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.setMinimumWidth(620)
        self.printer_uri_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    def done(self, result: int) -> None:
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
        )

    def _store(self) -> Settings:
        settings = self.edited_settings()
        save_settings(self._ctx, settings)
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
