"""The first-run wizard: shown when the data directory has no outlet; ends with an outlet ready to log in to."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget, QWizard

from kkmp_pos.domain.sale import OutletInfo
from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.first_run import FirstRunChoices, FirstRunResult, complete_first_run, enroll_city
from kkmp_pos.services.sync_link import ClientFactory, LinkStatus, default_client
from kkmp_pos.ui.first_run_pages import (
    AdminPage,
    CatalogPage,
    CityPage,
    CooperativePage,
    GeraiPage,
    PrinterPage,
    TaxLpgPage,
    kelurahan_code,
)
from kkmp_pos.ui.help import install_help
from kkmp_pos.ui.messages import error_text, level_of
from kkmp_pos.ui.tasks import TaskManager


class FirstRunWizard(QWizard):
    """Cooperative → gerai → admin → printer → PKP and LPG → city server → catalogue, then Selesai.

    Selesai checks everything and creates the outlet in one transaction (a refusal keeps every field as typed
    and says what is wrong); a city server, if given, is linked afterwards on a worker: when that fails the
    outlet is kept and Selesai again goes on without the link.
    """

    def __init__(self, ctx: PosContext, parent: QWidget | None = None,
                 client_factory: ClientFactory = default_client) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._client_factory = client_factory
        self.tasks = TaskManager(self)
        self.result_: FirstRunResult | None = None
        self.link: LinkStatus | None = None
        self.enrolling = False
        self.enrol_failed = False
        self.help = install_help(self)  # F1: the manual's section on setting up a gerai
        self.setWindowTitle(tr("Penyiapan gerai KKMP POS"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setButtonText(QWizard.WizardButton.NextButton, tr("Lanjut >"))
        self.setButtonText(QWizard.WizardButton.BackButton, tr("< Kembali"))
        self.setButtonText(QWizard.WizardButton.FinishButton, tr("Selesai"))
        self.setButtonText(QWizard.WizardButton.CancelButton, tr("Batal"))

        self.cooperative_page = CooperativePage()
        self.gerai_page = GeraiPage(self.cooperative_page)
        self.admin_page = AdminPage()
        self.printer_page = PrinterPage(ctx, self.tasks, self.outlet_preview)
        self.tax_lpg_page = TaxLpgPage()
        self.city_page = CityPage()
        self.catalog_page = CatalogPage(self.finish_setup)
        self.pages = (self.cooperative_page, self.gerai_page, self.admin_page, self.printer_page,
                      self.tax_lpg_page, self.city_page, self.catalog_page)
        for page in self.pages:
            self.addPage(page)
        self.resize(720, 520)

    @property
    def created(self) -> bool:
        return self.result_ is not None

    def outlet_preview(self) -> OutletInfo:
        """The outlet as typed so far: the test page prints its name before anything is saved."""
        return OutletInfo(koperasi_name=" ".join(self.cooperative_page.name_input.text().split()),
                          gerai_name=" ".join(self.gerai_page.name_input.text().split()),
                          address=" ".join(self.cooperative_page.address_input.text().split()), receipt_footer="")

    def choices(self) -> FirstRunChoices:
        """Every page's input as typed (the catalogue file read now: InvalidInput if it cannot be)."""
        coop, gerai, admin = self.cooperative_page, self.gerai_page, self.admin_page
        tax, city = self.tax_lpg_page, self.city_page
        return FirstRunChoices(
            koperasi_name=coop.name_input.text(), kelurahan_code=kelurahan_code(coop.kelurahan_combo),
            address=coop.address_input.text(), nib=coop.nib_input.text(),
            gerai_name=gerai.name_input.text(), outlet_code=gerai.code_input.text(),
            admin_username=admin.username_input.text(), admin_full_name=admin.full_name_input.text(),
            admin_pin=admin.pin_input.text(), admin_pin_again=admin.pin_again_input.text(),
            printer_uri=self.printer_page.uri_input.text(), paper_mm=self.printer_page.paper_mm,
            pkp=tax.pkp_check.isChecked(), npwp=tax.npwp_input.text(),
            lpg_sub_pangkalan=tax.lpg_check.isChecked(), lpg_registration_no=tax.registration_input.text(),
            lpg_agen_name=tax.agen_input.text(),
            server_url=city.url_input.text(), enrolment_code=city.code_input.text(),
            device_name=city.device_name_input.text(), catalog_csv=self.catalog_page.catalog_csv(),
        )

    def finish_setup(self) -> bool:
        """Selesai on the last page; True lets the wizard close (accepted)."""
        page = self.catalog_page
        if self.enrolling:
            return False
        if self.created:
            return True  # the city link failed and was shown: going on without it
        try:
            choices = self.choices()
            self.result_ = complete_first_run(self._ctx, choices)
        except Exception as exc:  # noqa: BLE001 - shown on the page, every field kept as typed
            page.show_exception(exc)
            return False
        # The outlet exists now: going back or cancelling would only confuse.
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButton, True)
        if not choices.server_url.strip():
            return True
        self.enrolling = True
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        page.messages.show_info(tr("Gerai disimpan. Menghubungkan ke server kota…"))
        ctx, factory = self._ctx, self._client_factory
        self.tasks.run(lambda: enroll_city(ctx, choices, factory), self._enrolled, self._enrol_failed)
        return False

    def _enrolled(self, status: LinkStatus | None) -> None:
        self.enrolling = False
        self.link = status
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
        self.accept()

    def _enrol_failed(self, exc: BaseException) -> None:
        self.enrolling = False
        self.enrol_failed = True
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
        self.catalog_page.messages.show_message(
            tr("Gerai sudah disimpan, tetapi belum terhubung ke server kota: {reason} Tekan Selesai untuk mulai "
               "berjualan tanpa server kota; hubungkan nanti di Sistem → Hubungkan ke server kota.",
               reason=error_text(exc)), level_of(exc))

    def done(self, result: int) -> None:
        # A test print or detection may still run: let it end before the wizard (and its pages) go.
        self.tasks.shutdown()
        super().done(result)
