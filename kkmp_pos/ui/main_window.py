"""The main window: the till in the middle, a small menu, and a status bar with outlet, cashier and clock."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

from kkmp_pos.domain.clock import format_wita
from kkmp_pos.domain.roles import APPROVER_ROLES, ROLE_LABELS, Role
from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.maintenance import CheckpointResult, checkpoint_wal
from kkmp_pos.services.outlet import Cashier, outlet_info
from kkmp_pos.ui.adjustment_dialog import AdjustmentDialog
from kkmp_pos.ui.lpg_dialog import LpgDialog
from kkmp_pos.ui.lpg_logbook_dialog import LpgLogbookDialog
from kkmp_pos.ui.print_jobs import PrintJobs
from kkmp_pos.ui.receiving_dialog import ReceivingDialog
from kkmp_pos.ui.reports_dialog import ReportsDialog
from kkmp_pos.ui.session import SessionControl
from kkmp_pos.ui.shu_dialog import SHU_ROLES, ShuDialog
from kkmp_pos.ui.stock_count_dialog import StockCountDialog
from kkmp_pos.ui.stock_list_dialog import StockListDialog
from kkmp_pos.ui.tasks import TaskManager
from kkmp_pos.ui.till import TillWidget

CLOCK_INTERVAL_MS = 1_000
REPORT_ROLES = frozenset({Role.MANAJER, Role.PENGAWAS, Role.ADMIN})
"""Who reads the sales reports: whoever runs or supervises the outlet, not the cashier."""
IDLE_CHECKPOINT_MS = 30_000
"""How often to try a WAL checkpoint while nobody is ringing up a sale."""


class MainWindow(QMainWindow):
    """The till for the logged-in `user`; `.till` is the TillWidget, `.tasks` the background task manager,
    `.login` the lock screen and switch of user."""

    def __init__(self, ctx: PosContext, user: Cashier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        outlet = outlet_info(ctx)
        self.cashier = user
        self.tasks = TaskManager(self)
        self.print_jobs = PrintJobs(ctx, self.tasks, self)
        self.till = TillWidget(ctx, self.cashier, self.print_jobs, self)
        self.setCentralWidget(self.till)
        self.setWindowTitle(tr("KKMP POS — {gerai}", gerai=outlet.gerai_name))
        self.resize(1200, 760)
        self.tasks.unhandled_error.connect(self.till.show_exception)
        self.login = SessionControl(ctx, self, self.till, user)
        self.login.user_changed.connect(self._show_user)

        menu = self.menuBar().addMenu(tr("&Menu"))
        # The F-key lives in the text only: the till's own shortcut handles the key, no ambiguity.
        history = QAction(tr("Riwayat penjualan") + "\tF5", self)
        history.triggered.connect(lambda *_args: self.till.open_history())
        settings = QAction(tr("Pengaturan…"), self)
        settings.triggered.connect(lambda *_args: self.till.open_settings())
        self.settings_action = settings
        quit_action = QAction(tr("Keluar"), self)
        quit_action.triggered.connect(lambda *_args: self.close())
        menu.addAction(history)
        members = QAction(tr("Anggota & pelanggan…"), self)
        members.triggered.connect(lambda *_args: self.till.open_members())
        savings = QAction(tr("Simpanan anggota…"), self)
        savings.triggered.connect(lambda *_args: self.till.open_savings())
        menu.addAction(members)
        menu.addAction(savings)
        kasbon = QAction(tr("Kasbon…"), self)
        kasbon.triggered.connect(lambda *_args: self.till.open_kasbon())
        qris = QAction(tr("Rekonsiliasi QRIS…"), self)
        qris.triggered.connect(lambda *_args: self.till.open_qris_reconciliation())
        menu.addAction(kasbon)
        menu.addAction(qris)
        ceilings = QAction(tr("Batas harga (HET/HAP)…"), self)
        ceilings.triggered.connect(lambda *_args: self.till.open_ceilings())
        menu.addAction(ceilings)
        lpg_limits = QAction(tr("Batas elpiji per NIK…"), self)
        lpg_limits.triggered.connect(lambda *_args: self.till.open_lpg_limits())
        self.lpg_limits_action = lpg_limits
        menu.addAction(lpg_limits)
        lpg = QAction(tr("Elpiji…"), self)
        lpg.triggered.connect(lambda *_args: self.open_lpg())
        self.lpg_action = lpg
        menu.addAction(lpg)
        lpg_logbook = QAction(tr("Logbook elpiji 3 kg…"), self)
        lpg_logbook.triggered.connect(lambda *_args: self.open_lpg_logbook())
        menu.addAction(lpg_logbook)
        receiving = QAction(tr("Penerimaan barang…"), self)
        receiving.triggered.connect(lambda *_args: self.open_receiving())
        self.receiving_action = receiving
        menu.addAction(receiving)
        stock_list = QAction(tr("Stok…"), self)
        stock_list.triggered.connect(lambda *_args: self.open_stock_list())
        menu.addAction(stock_list)
        adjustment = QAction(tr("Penyesuaian stok…"), self)
        adjustment.triggered.connect(lambda *_args: self.open_adjustment())
        menu.addAction(adjustment)
        stock_count = QAction(tr("Stok opname…"), self)
        stock_count.triggered.connect(lambda *_args: self.open_stock_count())
        self.stock_count_action = stock_count
        menu.addAction(stock_count)
        sales_reports = QAction(tr("Laporan penjualan…"), self)
        sales_reports.triggered.connect(lambda *_args: self.open_reports())
        self.reports_action = sales_reports
        menu.addAction(sales_reports)
        shu = QAction(tr("SHU & RAT…"), self)
        shu.triggered.connect(lambda *_args: self.open_shu())
        self.shu_action = shu
        menu.addAction(shu)
        menu.addSeparator()
        for text, slot in ((tr("Buka shift…"), self.till.open_shift_dialog),
                           (tr("Kas masuk/keluar…"), self.till.open_cash_movement),
                           (tr("Laporan X"), self.till.print_x_report),
                           (tr("Tutup shift (Z)…"), self.till.open_close_shift)):
            shift_action = QAction(text, self)
            shift_action.triggered.connect(lambda *_args, run=slot: run())
            menu.addAction(shift_action)
        menu.addSeparator()
        menu.addAction(settings)
        menu.addSeparator()
        self.login.add_menu_actions(menu)
        menu.addAction(quit_action)

        self.outlet_label = QLabel(f"{outlet.koperasi_name} · {outlet.gerai_name}")
        self.cashier_label = QLabel()
        self._show_user(user)
        self.clock_label = QLabel()
        status = self.statusBar()
        status.addWidget(self.outlet_label, 1)
        status.addPermanentWidget(self.cashier_label)
        status.addPermanentWidget(self.clock_label)
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(CLOCK_INTERVAL_MS)
        self._clock_timer.timeout.connect(self._tick)
        self._clock_timer.start()
        self._tick()
        self.last_checkpoint: CheckpointResult | None = None
        self._checkpoint_timer = QTimer(self)
        self._checkpoint_timer.setInterval(IDLE_CHECKPOINT_MS)
        self._checkpoint_timer.timeout.connect(self.idle_checkpoint)
        self._checkpoint_timer.start()
        self.till.focus_scan()

    def _show_user(self, user: Cashier) -> None:
        self.cashier = user
        self.cashier_label.setText(f"{tr(ROLE_LABELS[Role(user.role)])}: {user.full_name}")
        # Printer, paper and PIN rules belong to whoever runs the outlet, not to every cashier.
        self.settings_action.setEnabled(Role(user.role) in APPROVER_ROLES)
        self.lpg_limits_action.setEnabled(Role(user.role) in APPROVER_ROLES)
        self.lpg_action.setEnabled(Role(user.role) in APPROVER_ROLES)
        self.receiving_action.setEnabled(Role(user.role) in APPROVER_ROLES)
        self.stock_count_action.setEnabled(Role(user.role) in APPROVER_ROLES)
        self.reports_action.setEnabled(Role(user.role) in REPORT_ROLES)
        self.shu_action.setEnabled(Role(user.role) in SHU_ROLES)

    def open_lpg(self) -> None:
        """The LPG screen (cylinders, deliveries, allocation) for the manajer or admin logged in."""
        self.till.open_dialog(LpgDialog(self._ctx, self.till.cashier, self.till))

    def open_receiving(self) -> ReceivingDialog | None:
        """The goods receipt screen for the manajer or admin logged in."""
        dialog = ReceivingDialog(self._ctx, self.till.cashier, self.print_jobs, self.till)
        return dialog if self.till.open_dialog(dialog) else None

    def open_lpg_logbook(self) -> LpgLogbookDialog | None:
        """The 3 kg logbook for whoever is logged in (the NIK shown whole only to a manajer or admin)."""
        dialog = LpgLogbookDialog(self._ctx, self.cashier, self.tasks, self.till)
        return dialog if self.till.open_dialog(dialog) else None

    def open_stock_count(self) -> StockCountDialog | None:
        """The stock opname screen for the manajer or admin; an open count is resumed where it was left."""
        dialog = StockCountDialog(self._ctx, self.cashier, self.tasks, self.till)
        return dialog if self.till.open_dialog(dialog) else None

    def open_stock_list(self) -> StockListDialog | None:
        """On-hand, value and "perlu dipesan"; the stock card and adjustments open from it."""
        dialog = StockListDialog(self._ctx, self.till.cashier, self.till)
        return dialog if self.till.open_dialog(dialog) else None

    def open_adjustment(self) -> AdjustmentDialog | None:
        """A stock adjustment outside a count (approved by a manager)."""
        dialog = AdjustmentDialog(self._ctx, self.till.cashier, None, self.till)
        return dialog if self.till.open_dialog(dialog) else None

    def open_reports(self) -> ReportsDialog | None:
        """Sales reports with charts for the manajer, pengawas or admin (read-only)."""
        dialog = ReportsDialog(self._ctx, self.tasks, self.till)
        return dialog if self.till.open_dialog(dialog) else None

    def open_shu(self) -> ShuDialog | None:
        """The SHU calculator and the RAT pack for the manajer, pengawas or admin."""
        dialog = ShuDialog(self._ctx, self.cashier, self.tasks, self.till)
        return dialog if self.till.open_dialog(dialog) else None

    def _tick(self) -> None:
        self.clock_label.setText(format_wita(self._ctx.clock()))

    def idle_checkpoint(self) -> bool:
        """Checkpoint the WAL off the GUI thread, only between customers; returns whether it started.

        Left to itself SQLite checkpoints every 1,000 pages inside whichever commit crosses the line,
        which could be a sale at the counter.
        """
        if not self.till.cart_model.cart.is_empty() or self.till.active_dialog is not None:
            return False
        if not self.tasks.is_idle():
            return False
        self.tasks.run(lambda: checkpoint_wal(self._ctx), self._checkpointed)
        return True

    def _checkpointed(self, result: CheckpointResult) -> None:
        self.last_checkpoint = result

    def is_ready(self) -> bool:
        """Shown, on screen, and the scan field is where keystrokes go (or will go once activated)."""
        handle = self.windowHandle()
        return (self.isVisible() and handle is not None and handle.isExposed() and not self.login.is_locked()
                and (self.till.scan_input.hasFocus() or self.focusWidget() is self.till.scan_input))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self._clock_timer.stop()
        self._checkpoint_timer.stop()
        self.login.shutdown()
        dialog = self.till.active_dialog
        if dialog is not None:
            dialog.reject()
        # A receipt may still be printing: let it finish rather than cut the printer off mid-job.
        self.tasks.shutdown()
        super().closeEvent(event)
