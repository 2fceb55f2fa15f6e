"""Sistem → "Cadangan…": the backups with their check result, "Cadangkan sekarang", and the backup folder."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.clock import format_wita
from kkmp_pos.i18n import tr
from kkmp_pos.services.backup import (
    MAX_EVERY_MINUTES,
    BackupResult,
    backup_folder,
    choose_folder,
    list_backups,
    load_config,
    make_backup,
    save_config,
)
from kkmp_pos.services.context import PosContext
from kkmp_pos.ui.messages import Level, MessageBar, guarded
from kkmp_pos.ui.tasks import TaskManager
from kkmp_pos.ui.widgets import action_button


def reason_label(reason: str) -> str:
    labels = {"periodic": tr("Otomatis"), "z": tr("Tutup shift (Z)"), "manual": tr("Manual"),
              "pre-migration": tr("Sebelum pembaruan")}
    return labels.get(reason) or reason or "-"


def integrity_label(result: BackupResult) -> str:
    if result.ok:
        return tr("Baik")
    if not result.integrity:
        return tr("Belum diperiksa")
    return tr("RUSAK: {problem}", problem=result.integrity)


def size_text(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB".replace(".", ",")


class BackupDialog(QDialog):
    """Each backup is made on the TaskManager: a copy of a big file never freezes the till."""

    backed_up = Signal(object)
    """A BackupResult, after "Cadangkan sekarang"."""
    interval_changed = Signal(int)
    """Minutes between automatic backups (0 = only at Z and on demand)."""

    def __init__(self, ctx: PosContext, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._tasks = tasks
        self.busy = False
        self.backups: list[BackupResult] = []
        self.setWindowTitle(tr("Cadangan"))
        self.folder_label = QLabel()
        self.folder_label.setWordWrap(True)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note = QLabel(tr("Cadangan berisi database saja. Simpan juga salinan file pin.key dan nik.key dari "
                              "folder data di tempat terpisah (bukan di flashdisk cadangan): tanpa kedua file itu PIN "
                              "dan NIK lengkap tidak dapat dibuka di komputer lain."))
        self.note.setWordWrap(True)
        self.every_input = QSpinBox()
        self.every_input.setRange(0, MAX_EVERY_MINUTES)
        self.every_input.setSuffix(tr(" menit"))
        self.every_input.setSpecialValueText(tr("hanya saat tutup shift"))
        self.every_input.setValue(load_config(ctx.data_dir).every_minutes)
        self.every_input.editingFinished.connect(self.save_interval)
        every_row = QHBoxLayout()
        every_row.addWidget(QLabel(tr("Cadangan otomatis setiap")))
        every_row.addWidget(self.every_input)
        every_row.addStretch(1)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([tr("Waktu"), tr("Jenis"), tr("Ukuran"), tr("Pemeriksaan")])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.messages = MessageBar()
        self.backup_button = action_button(tr("Cadangkan sekarang"))
        self.backup_button.clicked.connect(self.backup_now)
        self.folder_button = action_button(tr("Pilih folder…"))
        self.folder_button.clicked.connect(self.pick_folder)
        self.close_button = action_button(tr("Tutup (Esc)"))
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.folder_button)
        buttons.addWidget(self.backup_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.folder_label)
        layout.addLayout(every_row)
        layout.addWidget(self.table)
        layout.addWidget(self.note)
        layout.addWidget(self.messages)
        layout.addLayout(buttons)
        self.setMinimumSize(640, 420)
        self.refresh()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    def refresh(self) -> None:
        self.folder_label.setText(tr("Folder cadangan: {path}", path=str(backup_folder(self._ctx.data_dir))))
        # Read here, not on a worker: a folder listing and a few small JSON files; an answer arriving after the
        # dialog was closed and deleted would have no widget to land on.
        self.show_backups(list_backups(self._ctx))

    def show_backups(self, backups: list[BackupResult]) -> None:
        self.backups = backups
        self.table.setRowCount(len(backups))
        for row, backup in enumerate(backups):
            when = format_wita(backup.created_at, seconds=True) if backup.created_at else backup.path.name
            cells = (when, reason_label(backup.reason), size_text(backup.size), integrity_label(backup))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(backup.path))
                self.table.setItem(row, column, item)
        if not backups:
            self.messages.show_info(tr("Belum ada cadangan di folder ini."))

    @guarded
    def backup_now(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.backup_button.setEnabled(False)
        self.messages.show_info(tr("Membuat cadangan…"))
        ctx = self._ctx
        self._tasks.run(lambda: make_backup(ctx, "manual"), self._done, self._failed)

    def _done(self, result: BackupResult) -> None:
        self.busy = False
        self.backup_button.setEnabled(True)
        if result.ok:
            self.messages.show_success(tr("Cadangan dibuat dan diperiksa: {name}", name=result.path.name))
        else:
            self.messages.show_message(tr("Cadangan dibuat, tetapi pemeriksaannya gagal ({problem}). Hubungi "
                                        "pengelola.", problem=result.integrity), Level.ERROR)
        self.backed_up.emit(result)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.backup_button.setEnabled(True)
        self.messages.show_exception(exc)

    @guarded
    def save_interval(self) -> None:
        minutes = self.every_input.value()
        config = load_config(self._ctx.data_dir)
        if minutes == config.every_minutes:
            return
        save_config(self._ctx.data_dir, replace(config, every_minutes=minutes))
        self.interval_changed.emit(minutes)
        self.messages.show_success(tr("Cadangan otomatis: setiap {minutes} menit bila ada transaksi baru.",
                                      minutes=minutes) if minutes else
                                   tr("Cadangan otomatis hanya saat tutup shift (Z)."))

    @guarded
    def pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Pilih folder cadangan (misalnya flashdisk)"),
                                                  str(backup_folder(self._ctx.data_dir)))
        if folder:
            self.use_folder(folder)

    @guarded
    def use_folder(self, folder: str) -> None:
        """Keep backups in `folder` from now on (refused with a message when it can't be written)."""
        chosen = choose_folder(self._ctx, folder)
        self.messages.show_success(tr("Cadangan berikutnya disimpan di {path}.", path=str(chosen)))
        self.refresh()

    def reject(self) -> None:
        if self.busy:
            self.messages.show_info(tr("Tunggu sebentar, cadangan sedang dibuat…"))
            return
        super().reject()
