"""The pages of the first-run wizard: cooperative, gerai, admin, printer, tax and LPG, city server, catalogue."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWizardPage,
)

from kkmp_pos.domain.errors import InvalidInput, PosError
from kkmp_pos.domain.sale import OutletInfo
from kkmp_pos.i18n import tr
from kkmp_pos.printing.detect import DetectedPrinter, detect_printers
from kkmp_pos.services import first_run
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.regions import find_kelurahan, samarinda_kelurahan
from kkmp_pos.services.settings import PAPER_COLUMNS
from kkmp_pos.ui.messages import Level, MessageBar, error_text, level_of
from kkmp_pos.ui.tasks import TaskManager
from kkmp_pos.ui.widgets import action_button, show_detected_printers


def kelurahan_combo() -> QComboBox:
    """Samarinda's kelurahan, searchable by typing any part of the name (or the kecamatan)."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.addItem("", "")
    for kelurahan in samarinda_kelurahan():
        combo.addItem(kelurahan.label, kelurahan.code)
    completer = combo.completer()
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    combo.lineEdit().setPlaceholderText(tr("ketik sebagian nama kelurahan, misalnya Lempake"))
    return combo


def kelurahan_code(combo: QComboBox) -> str:
    """The code of the kelurahan chosen, matching typed text to the list ('' when it matches none)."""
    index = combo.findText(combo.currentText().strip(), Qt.MatchFlag.MatchFixedString)
    if index < 0:  # the name alone, without the kecamatan in brackets
        typed = combo.currentText().strip().casefold()
        index = next((i for i in range(combo.count()) if typed and combo.itemText(i).casefold().split(" (")[0] == typed),
                     -1)
    return str(combo.itemData(index) or "") if index >= 0 else ""


def select_kelurahan(combo: QComboBox, code: str) -> None:
    combo.setCurrentIndex(max(0, combo.findData(code)))


class CheckedPage(QWizardPage):
    """A page with a message line; `check()` raises PosError for bad input, shown here with the input kept."""

    def __init__(self, title: str, subtitle: str) -> None:
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.messages = MessageBar()
        self.form = QFormLayout()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.messages)

    def check(self) -> None:
        """Raise the service's InvalidInput when something on the page is wrong."""

    def show_exception(self, exc: BaseException) -> None:
        report = getattr(exc, "report", None)
        text = report(limit=8) if isinstance(exc, PosError) and callable(report) else error_text(exc)
        self.messages.show_message(text, level_of(exc))

    def validatePage(self) -> bool:  # noqa: N802 (Qt override)
        try:
            self.check()
        except Exception as exc:  # noqa: BLE001 - shown on the page; a slot never lets an exception through
            self.show_exception(exc)
            return False
        self.messages.clear_message()
        return True


class CooperativePage(CheckedPage):
    def __init__(self) -> None:
        super().__init__(tr("Koperasi"), tr("Data Koperasi Kelurahan Merah Putih yang memakai kasir ini."))
        self.name_input = QLineEdit()
        self.name_input.setPlaceholderText(tr("misalnya KKMP Lempake"))
        self._pilots = {p.name: p for p in first_run.pilot_cooperatives()}
        names = QCompleter(QStringListModel(list(self._pilots), self), self)
        names.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        names.setFilterMode(Qt.MatchFlag.MatchContains)
        names.activated.connect(self.pilot_chosen)
        self.name_input.setCompleter(names)
        self.kelurahan_combo = kelurahan_combo()
        self.address_input = QLineEdit()
        self.address_input.setPlaceholderText(tr("jalan, nomor, RT"))
        self.nib_input = QLineEdit()
        self.nib_input.setPlaceholderText(tr("13 angka dari sertifikat NIB (OSS)"))
        self.nib_input.setMaxLength(20)
        self.form.addRow(tr("Nama koperasi"), self.name_input)
        self.form.addRow(tr("Kelurahan"), self.kelurahan_combo)
        self.form.addRow(tr("Alamat"), self.address_input)
        self.form.addRow(tr("NIB"), self.nib_input)

    def pilot_chosen(self, name: str) -> None:
        """A pilot cooperative from the list: its kelurahan is known already."""
        pilot = self._pilots.get(name)
        if pilot is not None:
            select_kelurahan(self.kelurahan_combo, pilot.kelurahan_code)

    def check(self) -> None:
        first_run.check_cooperative(self.name_input.text(), kelurahan_code(self.kelurahan_combo),
                                    self.address_input.text(), self.nib_input.text())


class GeraiPage(CheckedPage):
    def __init__(self, cooperative: CooperativePage) -> None:
        super().__init__(tr("Gerai"), tr("Gerai (toko) tempat kasir ini dipakai. Kode gerai mengawali setiap "
                                         "nomor struk dan tidak dapat diubah nanti."))
        self._cooperative = cooperative
        self.name_input = QLineEdit()
        self.name_input.setPlaceholderText(tr("misalnya Gerai Sembako & Elpiji Lempake"))
        self.code_input = QLineEdit()
        self.code_input.setMaxLength(15)
        self.code_input.setPlaceholderText("LPK-01")
        self.form.addRow(tr("Nama gerai"), self.name_input)
        self.form.addRow(tr("Kode gerai"), self.code_input)

    def initializePage(self) -> None:  # noqa: N802 (Qt override)
        found = find_kelurahan(kelurahan_code(self._cooperative.kelurahan_combo))
        if found is not None and not self.code_input.text():
            self.code_input.setText(first_run.suggest_outlet_code(found.name))
        if found is not None and not self.name_input.text():
            self.name_input.setText(tr("Gerai KKMP {kelurahan}", kelurahan=found.name))

    def check(self) -> None:
        first_run.check_gerai(self.name_input.text(), self.code_input.text())


class AdminPage(CheckedPage):
    def __init__(self) -> None:
        super().__init__(tr("Admin pertama"), tr("Admin mengatur gerai, printer dan pengguna lain. PIN 4 sampai 6 "
                                                 "angka, diketik dua kali; jangan angka sama atau berurutan."))
        self.username_input = QLineEdit("admin")
        self.full_name_input = QLineEdit()
        self.pin_input = QLineEdit()
        self.pin_again_input = QLineEdit()
        for field in (self.pin_input, self.pin_again_input):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setMaxLength(6)
            field.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.form.addRow(tr("Nama pengguna"), self.username_input)
        self.form.addRow(tr("Nama lengkap"), self.full_name_input)
        self.form.addRow(tr("PIN"), self.pin_input)
        self.form.addRow(tr("Ulangi PIN"), self.pin_again_input)

    def check(self) -> None:
        first_run.check_admin(self.username_input.text(), self.full_name_input.text(), self.pin_input.text(),
                              self.pin_again_input.text())


class PrinterPage(CheckedPage):
    """Detected printers (found on a worker), the URI as typed, the paper width, and a test print."""

    def __init__(self, ctx: PosContext, tasks: TaskManager, outlet: Callable[[], OutletInfo]) -> None:
        super().__init__(tr("Printer struk"), tr("Pilih printer yang terdeteksi atau ketik alamatnya, pilih lebar "
                                                 "kertas, lalu tekan Cetak uji. Tanpa printer: tulis none."))
        self._ctx = ctx
        self._tasks = tasks
        self._outlet = outlet
        self.detecting = False
        self.printing = False
        self.detected: list[DetectedPrinter] = []
        self.detected_combo = QComboBox()
        self.detected_combo.activated.connect(self._detected_chosen)
        self.detect_button = action_button(tr("Cari lagi"))
        self.detect_button.clicked.connect(self.detect)
        self.uri_input = QLineEdit("none")
        self.uri_input.setPlaceholderText("usb:0416:5011")
        uri_help = QLabel(tr("Contoh: usb:VID:PID · serial:/dev/ttyUSB0[:9600] · tcp://192.168.1.50:9100 · "
                             "file:/path/struk.bin · win32:NamaPrinter · none (tanpa printer)"))
        uri_help.setWordWrap(True)
        self.paper_buttons: dict[int, QRadioButton] = {}
        self.paper_group = QButtonGroup(self)
        paper_row = QHBoxLayout()
        for mm, columns in PAPER_COLUMNS.items():
            button = QRadioButton(tr("{mm} mm ({columns} kolom)", mm=mm, columns=columns))
            self.paper_group.addButton(button, mm)
            self.paper_buttons[mm] = button
            paper_row.addWidget(button)
        paper_row.addStretch(1)
        self.paper_buttons[58].setChecked(True)
        self.test_print_button = action_button(tr("Cetak uji"))
        self.test_print_button.clicked.connect(self.test_print)
        detected_row = QHBoxLayout()
        detected_row.addWidget(self.detected_combo, 1)
        detected_row.addWidget(self.detect_button)
        self.form.addRow(tr("Terdeteksi"), detected_row)
        self.form.addRow(tr("Alamat printer"), self.uri_input)
        self.form.addRow("", uri_help)
        self.form.addRow(tr("Lebar kertas"), paper_row)
        self.form.addRow("", self.test_print_button)

    @property
    def paper_mm(self) -> int:
        return self.paper_group.checkedId()

    def initializePage(self) -> None:  # noqa: N802 (Qt override)
        if not self.detected and not self.detecting:
            self.detect()

    def detect(self) -> None:
        if self.detecting:
            return
        self.detecting = True
        self.detect_button.setEnabled(False)
        self.detected_combo.clear()
        self.detected_combo.addItem(tr("Mencari printer…"), "")
        self._tasks.run(detect_printers, self._detected, self._detect_failed)

    def _detected(self, found: list[DetectedPrinter]) -> None:
        self.detecting = False
        self.detect_button.setEnabled(True)
        self.detected = found
        show_detected_printers(self.detected_combo, found)

    def _detect_failed(self, exc: BaseException) -> None:
        self._detected([])
        self.show_exception(exc)

    def _detected_chosen(self, index: int) -> None:
        uri = self.detected_combo.itemData(index)
        if uri:
            self.uri_input.setText(str(uri))

    def test_print(self) -> None:
        """Print the test page with what is on the page now (nothing is saved before the wizard ends)."""
        if self.printing:
            return
        ctx, uri, paper, outlet = self._ctx, self.uri_input.text(), self.paper_mm, self._outlet()
        self.printing = True
        self.test_print_button.setEnabled(False)
        self.messages.show_info(tr("Mencetak halaman uji…"))
        self._tasks.run(lambda: first_run.print_setup_test_page(ctx, outlet, uri, paper), self._printed,
                        self._print_failed)

    def _printed(self, _result: object) -> None:
        self.printing = False
        self.test_print_button.setEnabled(True)
        self.messages.show_message(tr("Halaman uji dicetak. Periksa: garis angka harus pas satu baris."),
                                   Level.SUCCESS)

    def _print_failed(self, exc: BaseException) -> None:
        self.printing = False
        self.test_print_button.setEnabled(True)
        self.messages.show_message(tr("Halaman uji tidak tercetak: {reason}", reason=error_text(exc)),
                                   level_of(exc))

    def check(self) -> None:
        first_run.check_printer(self.uri_input.text(), self.paper_mm)


class TaxLpgPage(CheckedPage):
    def __init__(self) -> None:
        super().__init__(tr("Pajak dan elpiji"), tr("Status PKP koperasi dan apakah gerai ini sub-pangkalan "
                                                    "elpiji 3 kg bersubsidi."))
        self.pkp_check = QCheckBox(tr("Koperasi adalah PKP (Pengusaha Kena Pajak, memungut PPN)"))
        self.npwp_input = QLineEdit()
        self.npwp_input.setPlaceholderText(tr("15 atau 16 angka"))
        self.lpg_check = QCheckBox(tr("Gerai adalah sub-pangkalan elpiji 3 kg (menjual elpiji bersubsidi)"))
        self.registration_input = QLineEdit()
        self.agen_input = QLineEdit()
        self.form.addRow("", self.pkp_check)
        self.form.addRow(tr("NPWP"), self.npwp_input)
        self.form.addRow("", self.lpg_check)
        self.form.addRow(tr("No. registrasi pangkalan elpiji"), self.registration_input)
        self.form.addRow(tr("Nama agen elpiji"), self.agen_input)
        self.pkp_check.toggled.connect(self._enable)
        self.lpg_check.toggled.connect(self._enable)
        self._enable()

    def _enable(self) -> None:
        self.npwp_input.setEnabled(self.pkp_check.isChecked())
        self.registration_input.setEnabled(self.lpg_check.isChecked())
        self.agen_input.setEnabled(self.lpg_check.isChecked())

    def check(self) -> None:
        if self.pkp_check.isChecked():
            first_run.check_tax(self.npwp_input.text())


class CityPage(CheckedPage):
    def __init__(self) -> None:
        super().__init__(tr("Server kota (boleh dilewati)"),
                         tr("Bila Dinas Koperasi sudah memberi alamat server dan kode pendaftaran, isi di sini. "
                            "Kosongkan untuk melewati: kasir tetap bekerja tanpa internet dan dapat dihubungkan "
                            "nanti di Sistem → Hubungkan ke server kota."))
        self.url_input = QLineEdit()
        self.url_input.setPlaceholderText("https://")
        self.code_input = QLineEdit()
        self.code_input.setPlaceholderText(tr("kode sekali pakai dari Dinas Koperasi"))
        self.device_name_input = QLineEdit(tr("Kasir 1"))
        self.form.addRow(tr("Alamat server"), self.url_input)
        self.form.addRow(tr("Kode pendaftaran"), self.code_input)
        self.form.addRow(tr("Nama perangkat"), self.device_name_input)

    def check(self) -> None:
        if first_run.check_city(self.url_input.text(), self.code_input.text()) and \
                not self.device_name_input.text().strip():
            raise InvalidInput("Isi nama perangkat (contoh: Kasir 1).")


class CatalogPage(CheckedPage):
    """The last page: start from the sample catalogue or import a CSV; Selesai creates the outlet."""

    def __init__(self, finish: Callable[[], bool]) -> None:
        super().__init__(tr("Katalog produk"), tr("Mulai dari katalog contoh (sembako dengan HET), atau impor "
                                                  "katalog gerai dari file CSV seperti resources/catalog_sample.csv. "
                                                  "Tekan Selesai untuk menyimpan semuanya."))
        self._finish = finish
        self.sample_radio = QRadioButton(tr("Katalog contoh (sembako dan elpiji, dengan HET)"))
        self.csv_radio = QRadioButton(tr("Impor file CSV"))
        self.sample_radio.setChecked(True)
        self.csv_path_input = QLineEdit()
        self.csv_path_input.setPlaceholderText(tr("file katalog .csv"))
        self.browse_button = action_button(tr("Pilih file…"))
        self.browse_button.clicked.connect(self.browse)
        self.csv_path_input.textEdited.connect(lambda _text: self.csv_radio.setChecked(True))
        row = QHBoxLayout()
        row.addWidget(self.csv_path_input, 1)
        row.addWidget(self.browse_button)
        self.form.addRow("", self.sample_radio)
        self.form.addRow("", self.csv_radio)
        self.form.addRow(tr("File CSV"), row)

    def browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, tr("Pilih file katalog"), "",
                                                    tr("File CSV (*.csv);;Semua file (*)"))
        if path:
            self.csv_path_input.setText(path)
            self.csv_radio.setChecked(True)

    def catalog_csv(self) -> str | None:
        """None for the sample; the chosen file's text otherwise (InvalidInput when it cannot be read)."""
        if self.sample_radio.isChecked():
            return None
        return first_run.read_catalog_file(self.csv_path_input.text())

    def validatePage(self) -> bool:  # noqa: N802 (Qt override)
        return self._finish()

