"""Shown at start-up when the database fails its check: restore the newest good backup, or quit."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kkmp_pos.domain.clock import format_wita
from kkmp_pos.i18n import tr
from kkmp_pos.services.backup import BackupResult, newest_good_backup
from kkmp_pos.services.recovery import RestoreResult, StartupCheck, restore_backup
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.tasks import TaskManager
from kkmp_pos.ui.widgets import action_button


class RecoveryDialog(QDialog):
    """Accepted once the backup is in place (the app then opens it); rejected = quit without touching anything."""

    def __init__(self, data_dir: Path, check: StartupCheck, tasks: TaskManager,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self._tasks = tasks
        self.busy = False
        self.restored: RestoreResult | None = None
        self.backup: BackupResult | None = newest_good_backup(data_dir)
        self.setWindowTitle(tr("Database rusak"))
        self.explanation = QLabel(tr(
            "Pemeriksaan awal menemukan kerusakan pada database gerai ({problem}). Penyebabnya biasanya listrik "
            "padam atau disk yang bermasalah. File yang rusak tidak dihapus: disimpan di folder 'damaged' di "
            "folder data.", problem=check.result[:200]))
        self.explanation.setWordWrap(True)
        self.backup_label = QLabel()
        self.backup_label.setWordWrap(True)
        self.messages = MessageBar()
        self.restore_button = action_button(tr("Pulihkan dari cadangan terbaru"))
        self.restore_button.clicked.connect(self.restore)
        self.quit_button = action_button(tr("Keluar"))
        self.quit_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.restore_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addWidget(self.backup_label)
        layout.addWidget(self.messages)
        layout.addLayout(buttons)
        self.setMinimumWidth(560)
        if self.backup is None:
            self.backup_label.setText(tr("Tidak ada cadangan yang baik. Jangan hapus folder data; hubungi pengelola "
                                         "atau Dinas Koperasi."))
            self.restore_button.setEnabled(False)
        else:
            when = format_wita(self.backup.created_at) if self.backup.created_at else self.backup.path.name
            self.backup_label.setText(tr(
                "Cadangan terbaru yang baik: {when}. Transaksi setelah waktu itu hilang dari komputer ini, kecuali "
                "yang sudah terkirim ke server kota: setelah dipulihkan, daftarkan ulang perangkat ke server kota "
                "dengan kode baru dari Dinas, dan transaksi itu diambil kembali otomatis sebelum kasir berjualan "
                "lagi.", when=when))

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    @guarded
    def restore(self) -> None:
        if self.busy or self.backup is None:
            return
        self.busy = True
        self.restore_button.setEnabled(False)
        self.quit_button.setEnabled(False)
        self.messages.show_info(tr("Memulihkan cadangan…"))
        data_dir, backup = self._data_dir, self.backup
        self._tasks.run(lambda: restore_backup(data_dir, backup), self._restored, self._failed)

    def _restored(self, result: RestoreResult) -> None:
        self.busy = False
        self.restored = result
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.quit_button.setEnabled(True)
        self.messages.show_exception(exc)

    def reject(self) -> None:
        if self.busy:
            return  # a restore half-way must finish: the file is being put in place
        super().reject()
