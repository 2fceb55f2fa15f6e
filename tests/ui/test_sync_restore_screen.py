"""Enrolling a restored till again takes back the city's events at once, off the GUI thread, before any round."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kkmp_pos.i18n import set_language
from kkmp_pos.services.auth import login
from kkmp_pos.services.context import open_context
from kkmp_pos.services.demo import DEMO_PINS
from kkmp_pos.services.sync_restore import city_recovery_pending
from kkmp_pos.ui.sync_dialog import SyncLinkDialog
from kkmp_pos.ui.tasks import TaskManager
from tests.services.sync_server import quick_client
from tests.services.test_backup import MINYAKITA, sell, ticking_clock
from tests.services.test_sync_restore import damaged_and_restored, till_figures


def test_the_link_dialog_takes_back_the_lost_sales_after_re_enrolment(qtbot: QtBot, tmp_path: Path) -> None:
    set_language("id")
    with damaged_and_restored(tmp_path, enrol_again=False) as (city, outlet, data_dir, before, _old):
        ctx = open_context(data_dir, clock=ticking_clock())
        tasks = TaskManager()
        try:
            dialog = SyncLinkDialog(ctx, tasks, login(ctx, "manajer", DEMO_PINS["manajer"]),
                                    client_factory=quick_client)
            qtbot.addWidget(dialog)
            dialog.show()
            changed: list[bool] = []
            dialog.changed.connect(lambda: changed.append(city_recovery_pending(ctx)))
            dialog.url_input.setText(city.url)
            dialog.code_input.setText(city.new_code(outlet["outlet_id"]))
            qtbot.keyClick(dialog.code_input, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: dialog.recovered is not None and not dialog.busy, timeout=30_000)
            assert "sudah diambil kembali" in dialog.messages.text() and "20 penjualan" in dialog.messages.text()
            assert changed == [False]  # the first sync round is started only once everything is back
            assert not dialog.recover_button.isVisible()
            assert till_figures(ctx) == before
        finally:
            tasks.shutdown()
            ctx.close()


def test_a_refused_take_back_is_explained_and_the_button_stays_for_a_retry(qtbot: QtBot, tmp_path: Path) -> None:
    set_language("id")
    with damaged_and_restored(tmp_path, enrol_again=False) as (city, outlet, data_dir, _before, _old):
        ctx = open_context(data_dir, clock=ticking_clock())
        tasks = TaskManager()
        try:
            sell(ctx, MINYAKITA)  # sold before enrolling again: the journal no longer ends at the backup
            dialog = SyncLinkDialog(ctx, tasks, login(ctx, "manajer", DEMO_PINS["manajer"]),
                                    client_factory=quick_client)
            qtbot.addWidget(dialog)
            dialog.show()
            changed: list[bool] = []
            dialog.changed.connect(lambda: changed.append(True))
            dialog.url_input.setText(city.url)
            dialog.code_input.setText(city.new_code(outlet["outlet_id"]))
            qtbot.keyClick(dialog.code_input, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: "Sudah ada transaksi baru" in dialog.messages.text() and not dialog.busy,
                            timeout=30_000)
            assert changed == [True] and dialog.recovered is None
            assert dialog.recover_button.isVisible() and dialog.recover_button.isEnabled()
            assert till_figures(ctx)["sales"] == 31
        finally:
            tasks.shutdown()
            ctx.close()


def test_the_till_warns_before_selling_while_the_citys_transactions_are_not_back(qtbot: QtBot,
                                                                                 tmp_path: Path) -> None:
    from kkmp_pos.ui.main_window import MainWindow

    set_language("id")
    with damaged_and_restored(tmp_path, enrol_again=False) as (_city, _outlet, data_dir, _before, _old):
        ctx = open_context(data_dir, clock=ticking_clock())
        try:
            assert city_recovery_pending(ctx)
            window = MainWindow(ctx, login(ctx, "kasir", DEMO_PINS["kasir"]))
            qtbot.addWidget(window)
            assert "masih di server kota" in window.till.messages.text()
            window.close()
        finally:
            ctx.close()
