"""The manual's screenshots, taken from the real windows on a demo outlet (offscreen, fixed clock and data)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop, QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QTabWidget, QWidget

from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.member import MemberForm
from kkmp_pos.i18n import set_language
from kkmp_pos.services.auth import login
from kkmp_pos.services.backup import make_backup
from kkmp_pos.services.catalog import find_by_barcode
from kkmp_pos.services.context import PosContext, open_context
from kkmp_pos.services.demo import DEMO_PINS, seed_demo
from kkmp_pos.services.members import register_member
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.settings import load_settings, save_settings
from kkmp_pos.services.stock_count import record_count, start_count
from kkmp_pos.ui.backup_dialog import BackupDialog
from kkmp_pos.ui.login_dialog import LoginDialog
from kkmp_pos.ui.lpg_buyer_dialog import LpgBuyerDialog
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.member_picker import MemberPicker
from kkmp_pos.ui.payment_dialog import PaymentDialog
from kkmp_pos.ui.settings_dialog import SettingsDialog
from kkmp_pos.ui.shift_dialogs import CloseShiftDialog, OpenShiftDialog
from kkmp_pos.ui.stock_count_dialog import StockCountDialog
from kkmp_pos.ui.sync_dialog import SyncLinkDialog

MOMENT = datetime(2026, 11, 30, 1, 30, tzinfo=timezone.utc)
"""Monday 30 November 2026, 09:30 WITA: every clock the screens show."""
MAX_SIZE = QSize(900, 600)
"""No shot is larger: the manual's pages and the help window both fit it."""
MAIN_SIZE = QSize(1100, 720)
DIALOG_MIN = QSize(560, 360)
SHOTS = ("masuk", "buka-shift", "kasir", "anggota", "pembayaran", "elpiji-nik", "tutup-shift", "stok-opname",
         "sinkron", "cadangan", "pengaturan")
"""Every shot this script makes (plus `wizard` when the first-run wizard exists), as img/<name>.png."""
MINYAKITA, GULA, INDOMIE, LPG_3KG = "8999900000055", "8999900000093", "8999900000222", "8999900000420"
SAMPLE_NIK = "6472054101900001"
LEMPAKE = "64.72.05.1003"
D = TypeVar("D", bound=QDialog)


def settle(rounds: int = 5) -> None:
    """Let queued events (layouts, paints, activation) run; no timers are waited for."""
    for _ in range(rounds):
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
        QCoreApplication.sendPostedEvents(None, 0)


def save_grab(widget: QWidget, path: Path) -> Path:
    """The widget as the screen shows it, scaled down to MAX_SIZE, as an 8-bit-per-channel PNG."""
    settle()
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    if image.width() > MAX_SIZE.width() or image.height() > MAX_SIZE.height():
        image = image.scaled(MAX_SIZE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path), "PNG", 0):  # quality 0 = smallest file: maximum zlib compression
        raise OSError(f"cannot write {path}")
    return path


def _show_dialog(dialog: QWidget, size: QSize | None = None) -> None:
    hint = dialog.sizeHint()
    wanted = size or QSize(max(hint.width(), DIALOG_MIN.width()), max(hint.height(), DIALOG_MIN.height()))
    dialog.resize(wanted)
    if not dialog.isVisible():
        dialog.show()
    settle()


def _active(main: MainWindow, kind: type[D]) -> D:
    dialog = main.till.active_dialog
    if not isinstance(dialog, kind):
        raise RuntimeError(f"expected {kind.__name__} over the till, found {type(dialog).__name__}: "
                           f"{main.till.messages.text()}")
    return dialog


def _close_active(main: MainWindow) -> None:
    dialog = main.till.active_dialog
    if dialog is not None:
        dialog.reject()
    settle()


def _typed(widget: QLineEdit, text: str) -> None:
    """Text as typed by hand (setText is what the keys end in; no key events are needed for a picture)."""
    widget.setText(text)
    settle()


def _prepare_outlet(ctx: PosContext, data_dir: Path) -> None:
    seed_demo(ctx)
    # Receipts go to a file: no printer dialog or preview comes up while the shots are taken.
    settings = load_settings(ctx)
    save_settings(ctx, replace(settings, printer_uri=f"file:{data_dir / 'struk.bin'}"))


def take_screenshots(out_dir: Path, work_dir: Path | None = None) -> list[Path]:
    """Every shot in SHOTS (and the wizard's first page when it exists) into `out_dir`; returns the files."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("take_screenshots needs a QApplication")
    app.setCursorFlashTime(0)  # a blinking caret would make two runs differ
    set_language("id")
    # A fixed folder by default: the backup screen shows its path, which must not change from run to run.
    work = work_dir or Path(tempfile.gettempdir()) / "kkmp-pos-panduan"
    data_dir = work / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    ctx = open_context(data_dir, clock=fixed_clock(MOMENT))
    try:
        _prepare_outlet(ctx, data_dir)
        return _shoot(ctx, out_dir)
    finally:
        ctx.close()
        shutil.rmtree(data_dir, ignore_errors=True)


def _shoot(ctx: PosContext, out: Path) -> list[Path]:
    files: list[Path] = []

    def shot(name: str, widget: QWidget) -> None:
        files.append(save_grab(widget, out / f"{name}.png"))

    login_dialog = LoginDialog(ctx)
    _show_dialog(login_dialog, QSize(640, 300))
    shot("masuk", login_dialog)
    login_dialog.close_for_shutdown()
    login_dialog.deleteLater()

    kasir = login(ctx, "kasir", DEMO_PINS["kasir"])
    manager = login(ctx, "manajer", DEMO_PINS["manajer"])
    for name, nik, address in (("Siti Aminah", SAMPLE_NIK, "Jl. Lempake 7"),
                               ("Sitti Rahmah", "6472055203850003", "Gg. Mawar 3, Lempake")):
        register_member(ctx, MemberForm(kind="anggota", name=name, nik=nik, address=address, kelurahan_code=LEMPAKE),
                        by=manager)
    main = MainWindow(ctx, kasir)
    main.resize(MAIN_SIZE)
    main.show()
    settle()
    try:
        _till_shots(main, shot)
        _manager_shots(ctx, main, manager, shot)
        _wizard_shot(ctx, shot)
    finally:
        _close_active(main)
        main.close()
        main.tasks.wait_for_done(10_000)
        main.deleteLater()
        settle()
    return files


def _till_shots(main: MainWindow, shot: Callable[[str, QWidget], None]) -> None:
    till = main.till
    till.open_shift_dialog()
    opening = _active(main, OpenShiftDialog)
    for denomination, pieces in ((50_000, 2), (10_000, 5), (5_000, 4), (1_000, 10)):
        opening.grid.inputs[denomination].setValue(pieces)
    _show_dialog(opening)
    shot("buka-shift", opening)
    opening.open_button.click()
    settle()

    till.submit_scan("A-000001")  # Siti Aminah's member card: member prices
    for code in (f"2*{MINYAKITA}", GULA, f"5*{INDOMIE}"):
        till.submit_scan(code)
    settle()
    shot("kasir", main)

    till.open_member_picker()
    picker = _active(main, MemberPicker)
    _typed(picker.search_input, "Sit")
    _show_dialog(picker)
    shot("anggota", picker)
    _close_active(main)

    till.pay()
    payment = _active(main, PaymentDialog)
    _typed(payment.received_input, "100000")
    _show_dialog(payment)
    shot("pembayaran", payment)
    payment.confirm_button.click()  # the sale is recorded: the Z shows it
    settle()
    main.tasks.wait_for_done(10_000)

    till.submit_scan(LPG_3KG)
    buyer = _active(main, LpgBuyerDialog)
    _typed(buyer.nik_input, SAMPLE_NIK)
    buyer.look_up()  # what Enter in the NIK field does: a new buyer, so the form asks for the rest
    _typed(buyer.name_input, "Siti Aminah")
    _typed(buyer.address_input, "Jl. Lempake 7, RT 12")
    buyer.category_combo.setCurrentIndex(1)
    _show_dialog(buyer)
    shot("elpiji-nik", buyer)
    _close_active(main)

    till.open_close_shift()
    closing = _active(main, CloseShiftDialog)
    # Exactly what the drawer should hold (Rp180.000 float + Rp65.500 sale): "Pas, tidak ada selisih".
    for denomination, pieces in ((100_000, 1), (50_000, 2), (20_000, 2), (5_000, 1), (500, 1)):
        closing.grid.inputs[denomination].setValue(pieces)
    _show_dialog(closing)
    shot("tutup-shift", closing)
    _close_active(main)


def _manager_shots(ctx: PosContext, main: MainWindow, manager: Cashier,
                   shot: Callable[[str, QWidget], None]) -> None:
    till = main.till
    header = start_count(ctx, "category", "Minyak Goreng", by=manager)
    oil = find_by_barcode(ctx, MINYAKITA)
    assert oil is not None
    record_count(ctx, header.id, oil.id, 46_000, "set")
    count = StockCountDialog(ctx, manager, main.tasks, till)
    till.open_dialog(count)
    main.tasks.wait_for_done(10_000)
    _show_dialog(count, QSize(1000, 660))
    shot("stok-opname", count)
    _close_active(main)

    sync = SyncLinkDialog(ctx, main.tasks, manager, till)
    till.open_dialog(sync)
    _typed(sync.url_input, "https://kkmp.samarindakota.go.id")
    _typed(sync.name_input, "Kasir 1")  # the default is the computer's name
    _show_dialog(sync)
    shot("sinkron", sync)
    _close_active(main)

    make_backup(ctx, "manual")
    backups = BackupDialog(ctx, main.tasks, till)
    till.open_dialog(backups)
    _show_dialog(backups, QSize(760, 460))
    shot("cadangan", backups)
    _close_active(main)

    # A USB printer as most gerai have, rather than the file the receipts above went to.
    save_settings(ctx, replace(load_settings(ctx), printer_uri="usb:0416:5011"))
    settings = SettingsDialog(ctx, main.print_jobs, till.cashier.id, till)
    till.open_dialog(settings)
    tabs = settings.findChild(QTabWidget)
    if tabs is not None:  # the printer is what the manual's settings section is mostly about
        printer = next((i for i in range(tabs.count()) if tabs.tabText(i).replace("&", "") == "Printer"), 0)
        tabs.setCurrentIndex(printer)
    _show_dialog(settings)
    shot("pengaturan", settings)
    _close_active(main)


def _wizard_shot(ctx: PosContext, shot: Callable[[str, QWidget], None]) -> None:
    """The first-run wizard's first page, once the wizard module exists (built alongside this script)."""
    try:
        from kkmp_pos.ui.first_run_wizard import FirstRunWizard  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return
    wizard = FirstRunWizard(ctx)
    _show_dialog(wizard, QSize(760, 540))
    shot("wizard", wizard)
    wizard.reject()
    wizard.deleteLater()
    settle()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kkmp_pos.ui.screenshots",
                                     description="Ambil gambar layar untuk panduan dari aplikasi sungguhan.")
    parser.add_argument("--out", type=Path, default=Path("resources/manual/img"), help="folder tujuan PNG")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    files = take_screenshots(args.out)
    for path in files:
        print(f"{path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
