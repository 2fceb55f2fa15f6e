"""The status bar's sync corner: online/offline/stopped, events waiting, last sync; rounds run in the background."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QMenu, QMessageBox, QWidget

from kkmp_pos.domain.roles import APPROVER_ROLES, Role
from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.sync_link import ClientFactory, default_client
from kkmp_pos.services.sync_round import SyncOutcome, SyncStatus, run_sync_round, sync_status
from kkmp_pos.services.sync_upload import clear_block
from kkmp_pos.ui.messages import error_text, log
from kkmp_pos.ui.sync_dialog import SyncLinkDialog
from kkmp_pos.ui.tasks import TaskManager

ROUND_INTERVAL_MS = 5 * 60 * 1000
"""A background round every five minutes (and after each Z, and on "Sinkron sekarang")."""

_STYLES = {
    "online": "color:#135c2b;",
    "offline": "color:#6b4500;",
    "blocked": "background:#c62828; color:white; font-weight:bold; padding:0 6px;",
    "not_enrolled": "color:#555;",
}

MenuAction = Callable[[QMenu, str, Callable[[], object], frozenset[Role] | None], QAction]


def block_explanation(status: SyncStatus) -> str:
    """What the stop means for the manager, and what to do."""
    blocked = status.blocked or {}
    kind = blocked.get("kind")
    if kind == "fork":
        return tr("Jurnal perangkat ini berbeda dengan yang sudah diterima server kota mulai nomor {seq} "
                  "(misalnya database lama dipulihkan dari cadangan). Pengiriman dihentikan agar data kota tidak "
                  "rusak; penjualan tetap berjalan dan semua transaksi tetap tersimpan di perangkat ini. Hubungi "
                  "Dinas Koperasi sebelum melanjutkan.", seq=blocked.get("seq") or "-")
    if kind == "refused":
        return tr("Server kota menolak perangkat ini (token tidak dikenal atau perangkat dicabut). Hubungi Dinas "
                  "Koperasi; mungkin perangkat perlu didaftarkan ulang dengan kode baru.")
    return tr("Server kota menolak kiriman dari perangkat ini ({detail}). Hubungi Dinas Koperasi.",
              detail=str(blocked.get("detail") or "-"))


class SyncStatusWidget(QWidget):
    """`refresh()` shows the stored status; `sync_now()` starts a round on the TaskManager, one at a time."""

    def __init__(self, ctx: PosContext, tasks: TaskManager, current_user: Callable[[], Cashier],
                 open_dialog: Callable[[QDialog], bool], parent: QWidget | None = None,
                 client_factory: ClientFactory = default_client, interval_ms: int = ROUND_INTERVAL_MS) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._tasks = tasks
        self._current_user = current_user
        self._open_dialog = open_dialog
        self.client_factory = client_factory
        self.round_running = False
        self.rounds_done = 0
        self.last_outcome: SyncOutcome | None = None
        self.status: SyncStatus | None = None
        self.alert_box: QMessageBox | None = None
        self.confirm_box: QMessageBox | None = None
        self._alerted: str | None = None
        """The block (its `at`) the manager was already told about: one box per stop, not one per round."""

        self.state_label = QLabel()
        self.waiting_label = QLabel()
        self.last_label = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for label in (self.state_label, self.waiting_label, self.last_label):
            layout.addWidget(label)
        self._state_style = ""
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.sync_now)
        self.timer.start()
        self.refresh()

    # -- menu ------------------------------------------------------------------------------------------

    def add_menu_actions(self, menu: QMenu, action: MenuAction) -> None:
        """The Sistem menu's sync entries, through the window's role-gated `_action`."""
        self.link_action = action(menu, tr("Hubungkan ke server kota…"), self.open_link_dialog,
                                  frozenset(APPROVER_ROLES))
        self.sync_action = action(menu, tr("Sinkron sekarang"), self.sync_now, None)
        self.resolve_action = action(menu, tr("Selesaikan sinkron yang terhenti…"), self.resolve_block,
                                     frozenset(APPROVER_ROLES))

    def open_link_dialog(self) -> SyncLinkDialog | None:
        dialog = SyncLinkDialog(self._ctx, self._tasks, self._current_user(), self.window(),
                                client_factory=self.client_factory)
        dialog.changed.connect(self._linked)
        return dialog if self._open_dialog(dialog) else None

    def _linked(self) -> None:
        self.refresh()
        self.sync_now()

    # -- rounds ----------------------------------------------------------------------------------------

    def sync_now(self) -> bool:
        """Start a round unless one is running or the till is not linked; returns whether it started."""
        if self.round_running or not self.refresh().enrolled:
            return False
        self.round_running = True
        self.state_label.setText(tr("Sinkron…"))
        ctx, factory = self._ctx, self.client_factory
        self._tasks.run(lambda: run_sync_round(ctx, factory), self._round_done, self._round_failed)
        return True

    def after_z_close(self, *_args: object) -> None:
        """A Z closes the day's shift: send its figures while everyone still remembers the day."""
        self.sync_now()

    def _round_done(self, outcome: SyncOutcome) -> None:
        self.round_running = False
        self.rounds_done += 1
        self.last_outcome = outcome
        self.refresh()

    def _round_failed(self, exc: BaseException) -> None:
        # An unexpected error (a bug, a corrupt identity file): shown as the status, never lost.
        self.round_running = False
        self.rounds_done += 1
        log.error("Sync round failed", exc_info=(type(exc), exc, exc.__traceback__))
        self.refresh()
        self.state_label.setToolTip(error_text(exc))

    # -- showing ---------------------------------------------------------------------------------------

    def refresh(self) -> SyncStatus:
        status = sync_status(self._ctx)
        self.status = status
        texts = {"online": tr("Daring"), "offline": tr("Luring"), "blocked": tr("Terhenti"),
                 "not_enrolled": tr("Belum terhubung ke server kota")}
        self.state_label.setText(texts[status.state])
        style = _STYLES[status.state]
        if style != self._state_style:  # restyling re-polishes: only when the state changes
            self._state_style = style
            self.state_label.setStyleSheet(f"QLabel {{ {style} }}")
        tip = status.last_error or status.master_error
        if status.state == "blocked":
            tip = block_explanation(status)
        self.state_label.setToolTip(tip)
        self.waiting_label.setText(tr("{n} menunggu", n=status.waiting) if status.enrolled else "")
        self.last_label.setText(tr("Terakhir sinkron: {time}", time=status.last_success_text(self._ctx.clock()))
                                if status.last_success_at is not None else "")
        if status.state == "blocked":
            self._alert(status)
        return status

    def _is_manager(self) -> bool:
        return Role(self._current_user().role) in APPROVER_ROLES

    def _alert(self, status: SyncStatus) -> None:
        """A message box once per stop, for the manager or admin (a cashier sees the red status)."""
        at = str((status.blocked or {}).get("at"))
        if self._alerted == at or not self._is_manager():
            return
        self._alerted = at
        box = QMessageBox(QMessageBox.Icon.Critical, tr("Sinkron ke server kota terhenti"),
                          block_explanation(status), QMessageBox.StandardButton.Ok, self.window())
        box.setInformativeText(tr("Setelah masalahnya jelas, pilih Sistem → Selesaikan sinkron yang terhenti."))
        box.finished.connect(box.deleteLater)
        box.open()  # non-blocking: the till keeps selling behind it
        self.alert_box = box

    def user_changed(self, *_args: object) -> None:
        """A manager who logs in later is told about a stop the cashier only saw in red."""
        self.refresh()

    # -- resolving -------------------------------------------------------------------------------------

    def resolve_block(self) -> QMessageBox | None:
        """Ask the manager to confirm, then let uploading resume; returns the confirmation box."""
        status = self.refresh()
        if status.state != "blocked":
            self._show_info(tr("Sinkron tidak sedang terhenti; tidak ada yang perlu diselesaikan."))
            return None
        box = QMessageBox(QMessageBox.Icon.Warning, tr("Selesaikan sinkron yang terhenti"),
                          block_explanation(status),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self.window())
        box.setInformativeText(tr("Lanjutkan pengiriman hanya bila Dinas Koperasi sudah setuju. Bila jurnal tetap "
                                  "berbeda, pengiriman akan terhenti lagi. Lanjutkan?"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _result: self._resolve_answered(box))
        box.open()
        self.confirm_box = box
        return box

    def _resolve_answered(self, box: QMessageBox) -> None:
        yes = box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes
        box.deleteLater()
        self.confirm_box = None
        if not yes:
            return
        try:
            clear_block(self._ctx, self._current_user())
        except Exception as exc:  # noqa: BLE001 - a slot must never let an exception through
            self._show_info(error_text(exc))
            return
        self._alerted = None
        self.refresh()
        self.sync_now()

    def _show_info(self, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, tr("Sinkron"), text, QMessageBox.StandardButton.Ok,
                          self.window())
        box.finished.connect(box.deleteLater)
        box.open()
        self.alert_box = box

    def shutdown(self) -> None:
        """On close: no new round (the window's TaskManager lets a running one finish)."""
        self.timer.stop()
