"""The till's cash shift: opening it, cash in/out, the X report, and closing it with the Z (printed and PDF)."""

from __future__ import annotations

from functools import partial
from typing import cast

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QDialog, QWidget

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.receipts import print_shift_report
from kkmp_pos.services.shift_close import ClosedShift, RecordedCashMovement, save_z_pdf, x_report, z_report
from kkmp_pos.services.shifts import OpenShift, current_shift
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.print_jobs import PrintJobs
from kkmp_pos.ui.shift_dialogs import CashMovementDialog, CloseShiftDialog, OpenShiftDialog


class TillShiftActions:
    """Mixed into TillWidget, which provides the attributes below.

    The till remembers whether a shift is open so a scan needs no extra database read; when it thinks
    none is, it looks again (a shift opened elsewhere is found), and the sale itself is refused by the
    service without one anyway.
    """

    _ctx: PosContext
    _cashier: Cashier
    _print_jobs: PrintJobs
    messages: MessageBar
    shift: OpenShift | None
    last_z_pdf: str | None
    shift_closed: SignalInstance

    def _open_dialog(self, dialog: QDialog) -> bool:
        raise NotImplementedError  # TillWidget's

    def show_exception(self, exc: BaseException) -> None:
        raise NotImplementedError  # TillWidget's

    def require_seller(self) -> None:
        raise NotImplementedError  # TillGateActions', which comes first in TillWidget's bases

    def require_open_shift(self) -> None:
        """Goods go into a cart only during an open shift: say how to open one."""
        if self.shift is None:
            self.shift = current_shift(self._ctx)
        if self.shift is None:
            raise InvalidInput("Belum ada shift kas yang dibuka. Buka shift dengan menghitung uang modal di laci "
                               "dulu (Menu → Buka shift).")

    def ensure_shift(self) -> OpenShiftDialog | None:
        """After login: when no shift is open, the open-shift dialog comes first (not for a pengawas)."""
        self.shift = current_shift(self._ctx)
        if self.shift is not None:
            return None
        try:
            self.require_seller()
        except InvalidInput:
            return None
        return self.open_shift_dialog()

    @guarded
    def open_shift_dialog(self) -> OpenShiftDialog | None:
        self.require_seller()
        self.shift = current_shift(self._ctx)
        if self.shift is not None:
            raise InvalidInput("Shift kas sudah terbuka. Tutup shift itu dulu (laporan Z) sebelum membuka yang baru.")
        dialog = OpenShiftDialog(self._ctx, self._cashier, cast(QWidget, self))
        dialog.opened.connect(self._shift_opened)
        return dialog if self._open_dialog(dialog) else None

    def _shift_opened(self, shift: OpenShift) -> None:
        self.shift = shift
        self.messages.show_success(tr("Shift {shift_no} dibuka. Silakan berjualan.", shift_no=shift.shift_no))

    @guarded
    def open_cash_movement(self) -> CashMovementDialog | None:
        self.require_seller()
        self.require_open_shift()
        dialog = CashMovementDialog(self._ctx, self._cashier, cast(QWidget, self))
        dialog.recorded.connect(self._cash_moved)
        return dialog if self._open_dialog(dialog) else None

    def _cash_moved(self, movement: RecordedCashMovement) -> None:
        text = tr("Kas masuk dicatat.") if movement.direction == "in" else tr("Kas keluar dicatat.")
        self.messages.show_success(text)

    @guarded
    def print_x_report(self) -> None:
        """The open shift's figures so far, on the receipt printer (not stored)."""
        report = x_report(self._ctx)
        self._print_jobs.print_slip(tr("Laporan X {shift_no}", shift_no=report.shift_no),
                                    partial(print_shift_report, self._ctx, report))

    @guarded
    def open_close_shift(self) -> CloseShiftDialog | None:
        self.require_seller()
        self.require_open_shift()
        dialog = CloseShiftDialog(self._ctx, self._cashier, cast(QWidget, self))
        dialog.closed.connect(self._shift_closed)
        return dialog if self._open_dialog(dialog) else None

    @guarded
    def _shift_closed(self, closed: ClosedShift) -> None:
        self.shift = None
        self.shift_closed.emit(closed)
        path = save_z_pdf(self._ctx, closed.shift_id)
        self.last_z_pdf = str(path)
        self.messages.show_success(tr("Shift {shift_no} ditutup. Laporan Z disimpan: {path}",
                                      shift_no=closed.shift_no, path=str(path)))
        report = z_report(self._ctx, closed.shift_id)
        self._print_jobs.print_slip(tr("Laporan Z {shift_no}", shift_no=closed.shift_no),
                                    partial(print_shift_report, self._ctx, report))
