"""Printing off the GUI thread: receipts after the sale is committed, reprints, the test page."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, Signal

from kkmp_pos.i18n import tr
from kkmp_pos.services import receipts
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.settings import load_settings
from kkmp_pos.ui.messages import Level, error_text, level_of
from kkmp_pos.ui.tasks import TaskManager


class PrintJobs(QObject):
    """Starts print tasks and announces each outcome as a ready-to-show message.

    A printer that is off, missing or out of paper only produces a warning: the sale is already safe in
    the database and can be reprinted from the history.
    """

    finished = Signal(str, object)
    """(message, Level) when a print job has ended, successfully or not."""

    def __init__(self, ctx: PosContext, tasks: TaskManager, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._tasks = tasks

    def print_receipt(self, sale_id: str, receipt_no: str, *, copy: bool = False) -> int:
        """Queue the receipt of a committed sale; `copy=True` prints it marked SALINAN."""
        return self._tasks.run(
            partial(_print_if_configured, self._ctx, sale_id, copy),
            on_done=lambda printed: self._printed(receipt_no, copy, printed),
            on_error=lambda exc: self._receipt_failed(receipt_no, copy, exc),
        )

    def print_slip(self, receipt_no: str, print_job: Callable[[], None], *, copy: bool = False) -> int:
        """Queue any other committed slip (simpanan, kasbon repayment...): `print_job` prints it on a worker."""
        return self._tasks.run(
            partial(_run_if_configured, self._ctx, print_job),
            on_done=lambda printed: self._printed(receipt_no, copy, printed),
            on_error=lambda exc: self.finished.emit(
                tr("Slip {receipt_no} tidak tercetak: {reason}", receipt_no=receipt_no, reason=error_text(exc)),
                level_of(exc)),
        )

    def open_drawer(self) -> int:
        """Kick the cash drawer open through the printer (an approved no-sale opening)."""
        return self._tasks.run(
            partial(receipts.open_drawer, self._ctx),
            on_done=lambda _result: self.finished.emit(tr("Laci uang dibuka."), Level.SUCCESS),
            on_error=lambda exc: self.finished.emit(
                tr("Laci uang tidak terbuka: {reason}", reason=error_text(exc)), level_of(exc)),
        )

    def print_test_page(self) -> int:
        return self._tasks.run(
            partial(receipts.print_test_page, self._ctx),
            on_done=lambda _result: self.finished.emit(tr("Halaman uji dicetak."), Level.SUCCESS),
            on_error=lambda exc: self.finished.emit(
                tr("Halaman uji tidak tercetak: {reason}", reason=error_text(exc)), level_of(exc)),
        )

    def _printed(self, receipt_no: str, copy: bool, printed: bool) -> None:
        if not printed:
            self.finished.emit(tr("Struk {receipt_no} tidak dicetak: belum ada printer. Pilih printer di "
                                  "Menu > Pengaturan.", receipt_no=receipt_no), Level.INFO)
        elif copy:
            self.finished.emit(tr("Salinan struk {receipt_no} dicetak.", receipt_no=receipt_no), Level.SUCCESS)
        else:
            self.finished.emit(tr("Struk {receipt_no} dicetak.", receipt_no=receipt_no), Level.SUCCESS)

    def _receipt_failed(self, receipt_no: str, copy: bool, exc: BaseException) -> None:
        reason = error_text(exc)
        if copy:
            text = tr("Salinan struk {receipt_no} tidak tercetak: {reason}", receipt_no=receipt_no,
                      reason=reason)
        else:
            text = tr("Struk tidak tercetak: {reason} Cetak ulang dari Riwayat (F5).", reason=reason)
        self.finished.emit(text, level_of(exc))


def _print_if_configured(ctx: PosContext, sale_id: str, copy: bool) -> bool:
    """Worker side: print unless the till is set up without a printer; says whether it printed."""
    if load_settings(ctx).printer_uri.strip().lower() == "none":
        return False
    receipts.print_receipt(ctx, sale_id, copy=copy)
    return True


def _run_if_configured(ctx: PosContext, print_job: Callable[[], None]) -> bool:
    """Worker side of `print_slip`: nothing to do on a till set up without a printer."""
    if load_settings(ctx).printer_uri.strip().lower() == "none":
        return False
    print_job()
    return True
