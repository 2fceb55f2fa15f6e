"""The main window: the till in the middle, menus by part of the work, a status bar with outlet, cashier, clock."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QWidget

from kkmp_pos.domain.clock import format_wita
from kkmp_pos.domain.roles import APPROVER_ROLES, ROLE_LABELS, Role
from kkmp_pos.i18n import tr
from kkmp_pos.services.backup import BackupResult, load_config, make_backup, needs_backup
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.maintenance import CheckpointResult, checkpoint_wal
from kkmp_pos.services.outlet import Cashier, outlet_info
from kkmp_pos.services.settings import load_settings
from kkmp_pos.services.sync_restore import city_recovery_pending
from kkmp_pos.ui.adjustment_dialog import AdjustmentDialog
from kkmp_pos.ui.backup_dialog import BackupDialog
from kkmp_pos.ui.help import install_help
from kkmp_pos.ui.journal_check_dialog import AuditExportDialog, JournalCheckDialog
from kkmp_pos.ui.lpg_dialog import LpgDialog
from kkmp_pos.ui.lpg_logbook_dialog import LpgLogbookDialog
from kkmp_pos.ui.messages import error_text, log
from kkmp_pos.ui.print_jobs import PrintJobs
from kkmp_pos.ui.receiving_dialog import ReceivingDialog
from kkmp_pos.ui.reports_dialog import ReportsDialog
from kkmp_pos.ui.session import SessionControl
from kkmp_pos.ui.shu_dialog import SHU_ROLES, ShuDialog
from kkmp_pos.ui.stock_count_dialog import StockCountDialog
from kkmp_pos.ui.stock_list_dialog import StockListDialog
from kkmp_pos.ui.sync_status import SyncStatusWidget
from kkmp_pos.ui.tasks import TaskManager
from kkmp_pos.ui.till import TillWidget

CLOCK_INTERVAL_MS = 1_000
REPORT_ROLES = frozenset({Role.MANAJER, Role.PENGAWAS, Role.ADMIN})
"""Who reads the sales reports: whoever runs or supervises the outlet, not the cashier."""
SETTINGS_ROLES = frozenset({Role.ADMIN})
"""Who opens Sistem → Pengaturan."""
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
        self.sync_status = SyncStatusWidget(ctx, self.tasks, lambda: self.cashier, self.till.open_dialog, self)
        self.login.user_changed.connect(self.sync_status.user_changed)
        self.till.shift_closed.connect(self.sync_status.after_z_close)
        self.backup_running = False
        self.last_backup: BackupResult | None = None
        self.last_backup_error = ""
        self.till.shift_closed.connect(self.backup_after_z)

        self._role_gated: list[tuple[QAction, frozenset[Role]]] = []
        self._build_menus()
        self.help = install_help(self)  # F1 (Shift+F1 where F1 is taken) opens the manual at this screen
        self._action(self.menuBar().addMenu(tr("&Bantuan")), tr("Panduan pengguna") + "\tF1",
                     lambda: self.help.open_help(""))

        self.outlet_label = QLabel(f"{outlet.koperasi_name} · {outlet.gerai_name}")
        self.cashier_label = QLabel()
        self._show_user(user)
        self.clock_label = QLabel()
        status = self.statusBar()
        status.addWidget(self.outlet_label, 1)
        status.addPermanentWidget(self.sync_status)
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
        self._backup_timer = QTimer(self)
        every = load_config(ctx.data_dir).every_minutes
        self._backup_timer.setInterval(max(every, 1) * 60_000)
        self._backup_timer.timeout.connect(self.periodic_backup)
        if every > 0:
            self._backup_timer.start()
        if city_recovery_pending(ctx):
            # A sale made now ends the restored journal somewhere the city's copy does not: the transactions
            # after the backup could then no longer come back to this computer.
            self.till.messages.show_warning(tr(
                "Database ini dipulihkan dari cadangan: transaksi sesudah cadangan itu masih di server kota. "
                "Sebelum berjualan, minta manajer menghubungkan ulang kasir (Sistem → Hubungkan ke server kota) "
                "agar transaksi itu diambil kembali."))
        self.till.focus_scan()

    def _action(self, menu: QMenu, text: str, slot: Callable[[], object],
                roles: frozenset[Role] | None = None) -> QAction:
        """A menu entry; with `roles`, enabled only while a user of one of them is logged in."""
        action = QAction(text, self)
        action.triggered.connect(lambda *_args: slot())
        menu.addAction(action)
        if roles is not None:
            self._role_gated.append((action, roles))
        return action

    def _build_menus(self) -> None:
        """One menu per part of the work; entries a role may not use stay visible but disabled."""
        till = self.till
        bar = self.menuBar()
        sales = bar.addMenu(tr("&Penjualan"))
        # The F-key lives in the text only: the till's own shortcut handles the key, no ambiguity.
        self._action(sales, tr("Riwayat penjualan") + "\tF5", till.open_history)
        self._action(sales, tr("Kasbon…"), till.open_kasbon)
        self._action(sales, tr("Rekonsiliasi QRIS…"), till.open_qris_reconciliation)
        self._action(sales, tr("Batas harga (HET/HAP)…"), till.open_ceilings)
        sales.addSeparator()
        self._action(sales, tr("Buka shift…"), till.open_shift_dialog)
        self._action(sales, tr("Kas masuk/keluar…"), till.open_cash_movement)
        self._action(sales, tr("Laporan X"), till.print_x_report)
        self._action(sales, tr("Tutup shift (Z)…"), till.open_close_shift)
        members = bar.addMenu(tr("&Anggota"))
        self._action(members, tr("Anggota && pelanggan…"), till.open_members)
        self._action(members, tr("Simpanan anggota…"), till.open_savings)
        self.shu_action = self._action(members, tr("SHU && RAT…"), self.open_shu, SHU_ROLES)
        lpg = bar.addMenu(tr("&Elpiji"))
        self.lpg_action = self._action(lpg, tr("Elpiji…"), self.open_lpg, APPROVER_ROLES)
        self.lpg_logbook_action = self._action(lpg, tr("Logbook elpiji 3 kg…"), self.open_lpg_logbook)
        # Only a (sub-)pangkalan sells subsidised 3 kg LPG, so only it keeps the logbook (Pengaturan → Elpiji).
        self.lpg_logbook_action.setVisible(load_settings(self._ctx).lpg_sub_pangkalan)
        self.lpg_limits_action = self._action(lpg, tr("Batas elpiji per NIK…"), till.open_lpg_limits,
                                              APPROVER_ROLES)
        stock = bar.addMenu(tr("S&tok"))
        self._action(stock, tr("Stok…"), self.open_stock_list)
        self.receiving_action = self._action(stock, tr("Penerimaan barang…"), self.open_receiving, APPROVER_ROLES)
        self._action(stock, tr("Penyesuaian stok…"), self.open_adjustment)
        self.stock_count_action = self._action(stock, tr("Stok opname…"), self.open_stock_count, APPROVER_ROLES)
        reports = bar.addMenu(tr("&Laporan"))
        self.reports_action = self._action(reports, tr("Laporan penjualan…"), self.open_reports, REPORT_ROLES)
        self.audit_export_action = self._action(reports, tr("Ekspor audit (CSV)…"), self.open_audit_export,
                                                REPORT_ROLES)
        self.journal_check_action = self._action(reports, tr("Periksa jurnal"), self.open_journal_check,
                                                 REPORT_ROLES)
        system = bar.addMenu(tr("&Sistem"))
        # The outlet's identity, printer, tax and LPG status are set up by the admin (issue 9), no one else.
        self.settings_action = self._action(system, tr("Pengaturan…"), self.open_settings, SETTINGS_ROLES)
        self.sync_status.add_menu_actions(system, self._action)
        self.backup_action = self._action(system, tr("Cadangan…"), self.open_backups, APPROVER_ROLES)
        system.addSeparator()
        self.login.add_menu_actions(system)
        self._action(system, tr("Keluar"), self.close)

    def _show_user(self, user: Cashier) -> None:
        self.cashier = user
        self.cashier_label.setText(f"{tr(ROLE_LABELS[Role(user.role)])}: {user.full_name}")
        role = Role(user.role)
        for action, roles in self._role_gated:
            action.setEnabled(role in roles)

    def open_settings(self) -> bool:
        """The settings screen, for an admin only (the menu entry is disabled for anyone else, and this checks
        again because a disabled action can still be triggered)."""
        if Role(self.cashier.role) not in SETTINGS_ROLES:
            self.till.messages.show_warning(tr("Hanya admin yang dapat membuka Pengaturan. Masuk sebagai admin "
                                               "(Ctrl+L)."))
            return False
        self.till.open_settings()
        return True

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

    def open_journal_check(self) -> JournalCheckDialog | None:
        """The three-way journal check (chain, city receipts, Z reports) for the manajer, pengawas or admin."""
        dialog = JournalCheckDialog(self._ctx, self.cashier, self.tasks, self.till)
        return dialog if self.till.open_dialog(dialog) else None

    def open_audit_export(self) -> AuditExportDialog | None:
        """The audit CSV of a period for the pengawas and the Dinas."""
        dialog = AuditExportDialog(self._ctx, self.cashier, self.tasks, self.till)
        return dialog if self.till.open_dialog(dialog) else None

    def open_shu(self) -> ShuDialog | None:
        """The SHU calculator and the RAT pack for the manajer, pengawas or admin."""
        dialog = ShuDialog(self._ctx, self.cashier, self.tasks, self.till)
        return dialog if self.till.open_dialog(dialog) else None

    def open_backups(self) -> BackupDialog | None:
        """The backups, "Cadangkan sekarang" and the backup folder, for the manajer or admin."""
        dialog = BackupDialog(self._ctx, self.tasks, self.till)
        dialog.interval_changed.connect(self.set_backup_interval)
        return dialog if self.till.open_dialog(dialog) else None

    def set_backup_interval(self, minutes: int) -> None:
        self._backup_timer.stop()
        if minutes > 0:
            self._backup_timer.setInterval(minutes * 60_000)
            self._backup_timer.start()

    def start_backup(self, reason: str) -> bool:
        """A backup on the TaskManager (one at a time); returns whether it started.

        A periodic one is skipped (on the worker: the folder may be a slow stick) when no journal event came
        since the last good backup, so an idle till does not fill the folder with identical copies.
        """
        if self.backup_running:
            return False
        self.backup_running = True
        ctx = self._ctx

        def work() -> BackupResult | None:
            if reason == "periodic" and not needs_backup(ctx):
                return None
            return make_backup(ctx, reason)

        self.tasks.run(work, self._backed_up, self._backup_failed)
        return True

    def periodic_backup(self) -> bool:
        """Every N minutes (Sistem → Cadangan sets N): a backup if sales came since the last one."""
        return self.start_backup("periodic")

    def backup_after_z(self, *_args: object) -> None:
        """The closed day, copied while it is fresh."""
        self.start_backup("z")

    def _backed_up(self, result: BackupResult | None) -> None:
        self.backup_running = False
        if result is None:  # nothing new to copy
            return
        self.last_backup = result
        self.last_backup_error = "" if result.ok else result.integrity
        if not result.ok:
            log.error("Backup %s failed its integrity check: %s", result.path, result.integrity)
            self.statusBar().showMessage(tr("Cadangan gagal diperiksa ({problem}). Hubungi pengelola.",
                                            problem=result.integrity))

    def _backup_failed(self, exc: BaseException) -> None:
        # A full stick or a pulled-out stick must not interrupt selling: the status bar says it.
        self.backup_running = False
        self.last_backup_error = error_text(exc)
        self.statusBar().showMessage(self.last_backup_error)

    def _tick(self) -> None:
        self.clock_label.setText(format_wita(self._ctx.clock()))

    def idle_checkpoint(self) -> bool:
        """Checkpoint the WAL off the GUI thread, only between customers; returns whether it started.

        SQLite's own checkpoint is pushed back to WAL_AUTOCHECKPOINT_PAGES (a cap for a till that never
        idles), so this is what empties the WAL, never a sale's commit at the counter.
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
        self._backup_timer.stop()
        self.sync_status.shutdown()
        self.login.shutdown()
        dialog = self.till.active_dialog
        if dialog is not None:
            dialog.reject()
        # A receipt may still be printing: let it finish rather than cut the printer off mid-job.
        self.tasks.shutdown()
        super().closeEvent(event)
