"""F1 help: the window or dialog in front chooses the manual's section that the help window opens at."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from kkmp_pos.ui.help_dialog import HelpWindow

HELP_SECTIONS: dict[str, str] = {
    "MainWindow": "menjual",
    "TillWidget": "menjual",
    "LoginDialog": "masuk",
    "OpenShiftDialog": "buka-shift",
    "SearchDialog": "menjual",
    "QuantityDialog": "menjual",
    "PriceDialog": "harga",
    "CeilingsDialog": "harga",
    "DiscountDialog": "diskon",
    "HeldCartsDialog": "tahan",
    "ApprovalDialog": "persetujuan",
    "PaymentDialog": "pembayaran",
    "QrisDialog": "qris",
    "HistoryDialog": "riwayat",
    "ReceiptPreview": "riwayat",
    "ReturnsDialog": "retur",
    "MemberPicker": "anggota",
    "MembersDialog": "anggota",
    "MemberFormDialog": "anggota",
    "SavingsDialog": "simpanan",
    "KasbonDialog": "kasbon",
    "ShuDialog": "shu",
    "LpgBuyerDialog": "elpiji",
    "LpgLimitsDialog": "elpiji-batas",
    "LpgDialog": "elpiji-tabung",
    "LpgLogbookDialog": "logbook",
    "ReceivingDialog": "penerimaan",
    "SuppliersDialog": "penerimaan",
    "StockListDialog": "stok",
    "StockCardDialog": "stok",
    "ExpiryDialog": "stok",
    "AdjustmentDialog": "stok",
    "StockCountDialog": "stok-opname",
    "CashMovementDialog": "tutup-hari",
    "CloseShiftDialog": "tutup-hari",
    "ReportsDialog": "laporan",
    "JournalCheckDialog": "laporan",
    "AuditExportDialog": "laporan",
    "SyncLinkDialog": "sinkron",
    "BackupDialog": "cadangan",
    "RecoveryDialog": "pemulihan",
    "UsersDialog": "pengguna",
    "AuditDialog": "pengguna",
    "SettingsDialog": "pengaturan",
    "FirstRunWizard": "penyiapan",
}
"""Window or dialog class name → anchor in panduan.md (a test checks every anchor exists). Names, not
classes: importing every dialog here would load the whole UI for a lookup."""
DEFAULT_SECTION = "menjual"
HELP_KEYS = ((Qt.Key.Key_F1, Qt.KeyboardModifier.NoModifier), (Qt.Key.Key_F1, Qt.KeyboardModifier.ShiftModifier))
"""F1, and Shift+F1 for screens where F1 already does something (Pembayaran: F1 is Tunai)."""


def section_for(widget: QWidget | None) -> str:
    """The section for `widget`: its own class (or a base class) if mapped, else the nearest parent's."""
    while widget is not None:
        for cls in type(widget).__mro__:
            if cls.__name__ in HELP_SECTIONS:
                return HELP_SECTIONS[cls.__name__]
        widget = widget.parentWidget()
    return DEFAULT_SECTION


class HelpController(QObject):
    """Catches F1 / Shift+F1 for `window` and every dialog opened over it; one help window, reused.

    An application event filter, because dialogs are windows of their own and a QShortcut lives in one
    window; a key that a screen already binds to a QShortcut (F1 = Tunai when paying) reaches that shortcut
    first and never comes here, so Shift+F1 is the help key there.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self.help_window: HelpWindow | None = None
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def _belongs_here(self, widget: QWidget | None) -> bool:
        while widget is not None:
            if widget is self._window:
                return True
            widget = widget.parentWidget()
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if kind == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if (event.key(), event.modifiers()) in HELP_KEYS:
                front = QApplication.activeWindow()
                if self._belongs_here(front):
                    self.open_help(section_for(front))
                    return True
        elif kind == QEvent.Type.Close and watched is self._window and self.help_window is not None:
            self.help_window.close()  # closing the till must end the app, help or no help
        return False

    def open_help(self, section: str) -> HelpWindow:
        """The help window (made on first use), shown at `section`."""
        if self.help_window is None:
            self.help_window = HelpWindow()
            self.destroyed.connect(self.help_window.deleteLater)
        self.help_window.show_section(section)
        return self.help_window


def install_help(window: QWidget) -> HelpController:
    """F1 help for `window` and its dialogs; the controller lives and dies with the window."""
    return HelpController(window)
