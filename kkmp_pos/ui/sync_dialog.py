"""Sistem → "Hubungkan ke server kota": enrol this till with a one-time code, or see and end the link.

After a restore from a backup, enrolling again takes back the old device's events from the city at once
(services.sync_restore), before the first sync round starts: the journal must continue where the backup ended.
"""

from __future__ import annotations

import platform

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.sync_link import ClientFactory, LinkStatus, default_client, enroll, link_status, unlink
from kkmp_pos.services.sync_restore import CityRecovery, city_recovery_pending, recover_from_city
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.tasks import TaskManager
from kkmp_pos.ui.widgets import action_button


class SyncLinkDialog(QDialog):
    """Not linked: server URL, code and device name, enrolled on a worker thread. Linked: the link, and unlink."""

    changed = Signal()
    """The till was linked or unlinked."""
    recovery_progress = Signal(int, int)
    """Emitted from the worker taking events back: (seq reached, the old device's last seq at the city)."""

    def __init__(self, ctx: PosContext, tasks: TaskManager, user: Cashier, parent: QWidget | None = None,
                 client_factory: ClientFactory = default_client) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._tasks = tasks
        self._user = user
        self._client_factory = client_factory
        self.busy = False
        self.unlink_box: QMessageBox | None = None
        self.setWindowTitle(tr("Hubungkan ke server kota"))

        self.url_input = QLineEdit()
        self.url_input.setPlaceholderText("https://")
        self.code_input = QLineEdit()
        self.code_input.setPlaceholderText(tr("kode sekali pakai dari Dinas Koperasi"))
        self.name_input = QLineEdit(platform.node()[:60] or tr("Kasir 1"))
        for field in (self.url_input, self.code_input, self.name_input):
            field.returnPressed.connect(self.connect_to_city)
        self.form = QWidget()
        form = QFormLayout(self.form)
        form.addRow(tr("Alamat server"), self.url_input)
        form.addRow(tr("Kode pendaftaran"), self.code_input)
        form.addRow(tr("Nama perangkat"), self.name_input)
        self.linked_label = QLabel()
        self.linked_label.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.messages = MessageBar()
        self.connect_button = action_button(tr("Hubungkan (Enter)"))
        self.connect_button.clicked.connect(self.connect_to_city)
        self.unlink_button = action_button(tr("Putuskan sambungan…"))
        self.unlink_button.clicked.connect(self.ask_unlink)
        self.recover_button = action_button(tr("Ambil kembali transaksi dari server kota"))
        self.recover_button.clicked.connect(self.take_back)
        self.recovery_progress.connect(self._show_recovery_progress)
        self.recovered: CityRecovery | None = None
        self.close_button = action_button(tr("Tutup (Esc)"))
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.unlink_button)
        buttons.addWidget(self.recover_button)
        buttons.addWidget(self.connect_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.form)
        layout.addWidget(self.linked_label)
        layout.addWidget(self.messages)
        layout.addLayout(buttons)
        self.setMinimumWidth(520)
        self.show_link(link_status(ctx))

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    def show_link(self, status: LinkStatus) -> None:
        linked = status.enrolled
        self.form.setVisible(not linked)
        self.connect_button.setVisible(not linked)
        self.unlink_button.setVisible(linked)
        self.recover_button.setVisible(linked and city_recovery_pending(self._ctx))
        self.linked_label.setVisible(linked)
        if linked:
            self.hint.setText(tr("Perangkat ini terhubung ke server kota. Jurnal dikirim otomatis setiap 5 menit "
                                 "dan setelah tutup shift (Z)."))
            self.linked_label.setText(tr("Server: {url}\nID gerai di kota: {outlet}\nID perangkat: {device}",
                                         url=status.server_url, outlet=status.outlet_id, device=status.device_id))
        else:
            self.hint.setText(tr("Isi alamat server dan kode pendaftaran dari Dinas Koperasi. Kunci perangkat "
                                 "dibuat di komputer ini dan tidak pernah dikirim."))
            self.url_input.setFocus()

    @guarded
    def connect_to_city(self) -> None:
        if self.busy:
            return
        url, code, name = self.url_input.text(), self.code_input.text(), self.name_input.text()
        ctx, factory = self._ctx, self._client_factory
        self.busy = True
        self.connect_button.setEnabled(False)
        self.messages.show_info(tr("Menghubungkan ke server kota…"))
        self._tasks.run(lambda: enroll(ctx, url, code, name, factory), self._enrolled, self._enrol_failed)

    def _enrolled(self, status: LinkStatus) -> None:
        self.busy = False
        self.connect_button.setEnabled(True)
        self.code_input.clear()
        self.show_link(status)
        self.messages.show_success(tr("Terhubung ke server kota. Pengiriman jurnal dimulai."))
        if city_recovery_pending(self._ctx):
            self.take_back(announce_changed=True)  # before the first round: see the module docstring
            return
        self.changed.emit()

    @guarded
    def take_back(self, *_args: object, announce_changed: bool = False) -> None:
        """Take back, on a worker, what the old device sent the city after the backup; progress shown here."""
        if self.busy:
            return
        self.busy = True
        self.recover_button.setEnabled(False)
        self.unlink_button.setEnabled(False)
        self.messages.show_info(tr("Mengambil kembali transaksi dari server kota…"))
        ctx, factory, progress = self._ctx, self._client_factory, self.recovery_progress.emit

        def done(result: CityRecovery) -> None:
            self._taken_back(result, announce_changed)

        def failed(exc: BaseException) -> None:
            self._take_back_failed(exc, announce_changed)

        self._tasks.run(lambda: recover_from_city(ctx, client_factory=factory, progress=progress), done, failed)

    def _show_recovery_progress(self, seq: int, last: int) -> None:
        if self.busy:
            self.messages.show_info(tr("Mengambil kembali transaksi dari server kota… {seq} dari {last}",
                                       seq=seq, last=last))

    def _taken_back(self, result: CityRecovery, announce_changed: bool) -> None:
        self.busy = False
        self.recovered = result
        self.recover_button.setEnabled(True)
        self.unlink_button.setEnabled(True)
        self.show_link(link_status(self._ctx))
        if result.events:
            self.messages.show_success(tr(
                "Transaksi dari server kota sudah diambil kembali: {events} catatan jurnal, {sales} penjualan "
                "(nomor jurnal {first} sampai {last}). Stok, laporan dan nomor struk sudah termasuk.",
                events=result.events, sales=result.sales, first=result.from_seq + 1, last=result.through_seq))
        else:
            self.messages.show_success(tr("Tidak ada transaksi di server kota yang perlu diambil kembali."))
        if announce_changed:
            self.changed.emit()

    def _take_back_failed(self, exc: BaseException, announce_changed: bool) -> None:
        self.busy = False
        self.recover_button.setEnabled(True)
        self.unlink_button.setEnabled(True)
        self.messages.show_exception(exc)
        if announce_changed:
            self.changed.emit()  # the link itself stands: the status bar must learn of it

    def _enrol_failed(self, exc: BaseException) -> None:
        self.busy = False
        self.connect_button.setEnabled(True)
        self.messages.show_exception(exc)
        self.code_input.setFocus()

    def reject(self) -> None:
        # The worker's answer comes back to this dialog: it stays until then (a few seconds at most).
        if self.busy:
            self.messages.show_info(tr("Tunggu sebentar, sedang menghubungkan ke server kota…"))
            return
        super().reject()

    def ask_unlink(self) -> QMessageBox:
        """Unlinking is for the manager, after a confirmation that says what it means."""
        box = QMessageBox(QMessageBox.Icon.Warning, tr("Putuskan sambungan ke server kota"),
                          tr("Perangkat ini berhenti mengirim jurnal ke server kota. Jurnal tetap tersimpan di "
                             "perangkat ini. Untuk menyambung lagi perlu kode pendaftaran baru dari Dinas. "
                             "Putuskan?"),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _result: self._unlink_answered(box))
        box.open()
        self.unlink_box = box
        return box

    @guarded
    def _unlink_answered(self, box: QMessageBox) -> None:
        yes = box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes
        box.deleteLater()
        self.unlink_box = None
        if not yes:
            return
        unlink(self._ctx, self._user)
        self.show_link(link_status(self._ctx))
        self.messages.show_success(tr("Sambungan ke server kota diputuskan."))
        self.changed.emit()
