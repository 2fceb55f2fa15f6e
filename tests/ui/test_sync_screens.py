"""The till's sync screens against the real city server: enrol, the status bar, "Sinkron sekarang", the alerts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.services import catalog, outlet, sales
from kkmp_pos.services.context import PosContext, open_context
from kkmp_pos.services.shifts import current_shift
from kkmp_pos.services.sync_link import enroll, link_status
from kkmp_pos.services.sync_round import run_sync_round, sync_status
from kkmp_pos.services.sync_upload import last_seq
from kkmp_pos.store.db import DB_FILENAME
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.shift_dialogs import CloseShiftDialog
from kkmp_pos.ui.sync_dialog import SyncLinkDialog
from tests.conftest import TEST_MOMENT
from tests.services.sync_server import CityServer, copy_database, put_back, quick_client, running_city
from tests.ui.helpers import logged_in_window, open_dialog, wait_closed


@pytest.fixture
def city(tmp_path: Path) -> Iterator[CityServer]:
    with running_city(tmp_path) as server:
        yield server


@pytest.fixture
def manager_window(qtbot: QtBot, ctx: PosContext) -> Iterator[MainWindow]:
    main = logged_in_window(qtbot, ctx, "manajer", quick_client)
    yield main
    main.close()
    assert main.tasks.wait_for_done(10_000)


def _sell(ctx: PosContext, count: int = 1) -> None:
    rice = catalog.find_by_sku(ctx, "BRS-CURAH")
    assert rice is not None
    for _ in range(count):
        cart = Cart()
        cart.add(rice, 100)
        sales.complete_sale(ctx, cart, [cash_payment(cart.total, cart.total)],
                            cashier_id=outlet.default_cashier(ctx).id)


def _idle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.sync_status.round_running and window.tasks.is_idle(), timeout=30_000)


def test_enrol_from_the_sistem_menu_then_the_status_bar_goes_online(
        qtbot: QtBot, manager_window: MainWindow, ctx: PosContext, city: CityServer) -> None:
    bar = manager_window.sync_status
    assert bar.state_label.text() == "Belum terhubung ke server kota"
    assert bar.link_action.isEnabled()
    bar.link_action.trigger()
    dialog = open_dialog(qtbot, manager_window.till, SyncLinkDialog)
    assert dialog.url_input.hasFocus()

    # A plain-http address elsewhere than this computer is refused before anything is sent.
    qtbot.keyClicks(dialog.url_input, "http://sinkron.example.org")
    qtbot.keyClicks(dialog.code_input, "ABCD-EFGH")
    qtbot.keyClick(dialog.code_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.busy and "https://" in dialog.messages.text())
    # A wrong code: the city says no, in Indonesian.
    dialog.url_input.setText(city.url)
    qtbot.keyClick(dialog.code_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.busy and "Kode pendaftaran salah" in dialog.messages.text())
    assert not link_status(ctx).enrolled

    dialog.code_input.setText(city.new_outlet()["enrolment_code"])
    dialog.name_input.setText("Kasir depan")
    qtbot.keyClick(dialog.code_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: link_status(ctx).enrolled and not dialog.busy, timeout=30_000)
    assert "Terhubung ke server kota" in dialog.messages.text()
    assert dialog.unlink_button.isVisible() and not dialog.form.isVisible()
    device = link_status(ctx).device_id
    assert city.scalar("SELECT name FROM device WHERE id = :d", d=device) == "Kasir depan"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    wait_closed(qtbot, manager_window.till)
    # Linking starts a round at once: everything the demo outlet recorded goes up.
    qtbot.waitUntil(lambda: bar.state_label.text() == "Daring", timeout=30_000)
    _idle(qtbot, manager_window)
    assert bar.waiting_label.text() == "0 menunggu"
    assert bar.last_label.text() == "Terakhir sinkron: 10:15 WITA"
    assert city.events(device) == last_seq(ctx)


def test_sinkron_sekarang_sends_what_waits_and_the_count_drops(
        qtbot: QtBot, ctx: PosContext, city: CityServer) -> None:
    enroll(ctx, city.url, city.new_outlet()["enrolment_code"], "Kasir 1", client_factory=quick_client)
    device = link_status(ctx).device_id
    main = logged_in_window(qtbot, ctx, "kasir", quick_client)
    try:
        bar = main.sync_status
        assert not bar.link_action.isEnabled() and bar.sync_action.isEnabled()
        waiting = last_seq(ctx)
        assert (bar.state_label.text(), bar.waiting_label.text()) == ("Luring", f"{waiting} menunggu")
        bar.sync_action.trigger()
        assert bar.round_running and not bar.sync_now()  # one round at a time
        qtbot.waitUntil(lambda: bar.waiting_label.text() == "0 menunggu", timeout=30_000)
        assert bar.state_label.text() == "Daring" and city.events(device) == waiting

        city.stop()
        _sell(ctx, 2)
        bar.sync_action.trigger()
        _idle(qtbot, main)
        assert (bar.state_label.text(), bar.waiting_label.text()) == ("Luring", "2 menunggu")
        assert bar.last_label.text() == "Terakhir sinkron: 10:15 WITA"
        city.start()
        bar.sync_action.trigger()
        qtbot.waitUntil(lambda: bar.waiting_label.text() == "0 menunggu", timeout=30_000)
        assert bar.state_label.text() == "Daring" and city.events(device) == last_seq(ctx)
    finally:
        main.close()
        assert main.tasks.wait_for_done(10_000)


def test_closing_the_shift_with_its_z_starts_a_round(qtbot: QtBot, manager_window: MainWindow, ctx: PosContext,
                                                     city: CityServer) -> None:
    enroll(ctx, city.url, city.new_outlet()["enrolment_code"], "Kasir 1", client_factory=quick_client)
    device = link_status(ctx).device_id
    bar = manager_window.sync_status
    rounds = bar.rounds_done
    closing = manager_window.till.open_close_shift()
    assert isinstance(closing, CloseShiftDialog)
    closing.grid.set_count(50_000, 2)
    closing.grid.set_count(10_000, 5)
    qtbot.mouseClick(closing.close_shift_button, Qt.MouseButton.LeftButton)
    wait_closed(qtbot, manager_window.till)
    assert current_shift(ctx) is None
    qtbot.waitUntil(lambda: bar.rounds_done > rounds, timeout=30_000)
    _idle(qtbot, manager_window)
    assert city.events(device) == last_seq(ctx)
    assert city.scalar("SELECT count(*) FROM journal_event WHERE device_id = :d AND type = 'shift_close'",
                       d=device) == 1
    assert bar.waiting_label.text() == "0 menunggu"


def test_a_refused_device_turns_the_status_red_for_the_cashier_without_a_box(
        qtbot: QtBot, ctx: PosContext, city: CityServer) -> None:
    from sync.server.enrolment import revoke_device

    status = enroll(ctx, city.url, city.new_outlet()["enrolment_code"], "Kasir 1", client_factory=quick_client)
    revoke_device(city.engine, status.device_id)
    main = logged_in_window(qtbot, ctx, "kasir", quick_client)
    try:
        bar = main.sync_status
        bar.sync_now()
        qtbot.waitUntil(lambda: bar.state_label.text() == "Terhenti", timeout=30_000)
        _idle(qtbot, main)
        assert "background:#c62828" in bar.state_label.styleSheet()
        assert "menolak perangkat ini" in bar.state_label.toolTip()
        assert bar.alert_box is None  # the cashier sees red; the box is for the manager
    finally:
        main.close()
        assert main.tasks.wait_for_done(10_000)


def _fork(ctx: PosContext, city: CityServer, tmp_path: Path) -> PosContext:
    """Enrol, sync, keep a copy of the database, sell and sync on, then put the old copy back and sell."""
    enroll(ctx, city.url, city.new_outlet()["enrolment_code"], "Kasir 1", client_factory=quick_client)
    assert run_sync_round(ctx, quick_client).state == "online"
    database = ctx.data_dir / DB_FILENAME
    backup = tmp_path / "backup.sqlite3"
    copy_database(database, backup)
    _sell(ctx, 2)
    assert run_sync_round(ctx, quick_client).state == "online"
    ctx.close()
    put_back(backup, database)
    restored = open_context(ctx.data_dir, clock=fixed_clock(TEST_MOMENT))
    _sell(restored)
    return restored


def test_a_fork_alerts_the_manager_once_and_resolving_needs_a_confirmation(
        qtbot: QtBot, ctx: PosContext, city: CityServer, tmp_path: Path) -> None:
    restored = _fork(ctx, city, tmp_path)
    main = logged_in_window(qtbot, restored, "manajer", quick_client)
    try:
        bar = main.sync_status
        bar.sync_action.trigger()
        qtbot.waitUntil(lambda: bar.alert_box is not None and bar.alert_box.isVisible(), timeout=30_000)
        box = bar.alert_box
        assert box is not None
        assert "berbeda dengan yang sudah diterima server kota" in box.text()
        assert "database lama dipulihkan" in box.text() and "Hubungi Dinas Koperasi" in box.text()
        assert bar.state_label.text() == "Terhenti" and sync_status(restored).blocked is not None
        box.button(QMessageBox.StandardButton.Ok).click()
        qtbot.waitUntil(lambda: not box.isVisible())
        _idle(qtbot, main)
        bar.alert_box = None
        bar.refresh()
        assert bar.alert_box is None  # once per stop, not on every refresh

        # "Selesaikan": a cancelled confirmation changes nothing; a confirmed one resumes (and the fork is back).
        confirm = bar.resolve_block()
        assert confirm is not None and confirm.isVisible() and "Lanjutkan?" in confirm.informativeText()
        confirm.button(QMessageBox.StandardButton.Cancel).click()
        qtbot.waitUntil(lambda: bar.confirm_box is None)
        assert sync_status(restored).state == "blocked"
        rounds = bar.rounds_done
        confirm = bar.resolve_block()
        assert confirm is not None
        confirm.button(QMessageBox.StandardButton.Yes).click()
        qtbot.waitUntil(lambda: bar.rounds_done > rounds, timeout=30_000)
        _idle(qtbot, main)
        assert bar.state_label.text() == "Terhenti"
        qtbot.waitUntil(lambda: bar.alert_box is not None and bar.alert_box.isVisible())
        bar.alert_box.button(QMessageBox.StandardButton.Ok).click()
    finally:
        main.close()
        assert main.tasks.wait_for_done(10_000)
        restored.close()


def test_the_manager_unlinks_after_confirming(qtbot: QtBot, manager_window: MainWindow, ctx: PosContext,
                                              city: CityServer) -> None:
    enroll(ctx, city.url, city.new_outlet()["enrolment_code"], "Kasir 1", client_factory=quick_client)
    dialog = manager_window.sync_status.open_link_dialog()
    assert dialog is not None and dialog.unlink_button.isVisible()
    assert city.url in dialog.linked_label.text()
    box = dialog.ask_unlink()
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: dialog.unlink_box is None)
    assert link_status(ctx).enrolled
    box = dialog.ask_unlink()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: not link_status(ctx).enrolled)
    assert dialog.form.isVisible() and "diputuskan" in dialog.messages.text()
    assert manager_window.sync_status.state_label.text() == "Belum terhubung ke server kota"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    wait_closed(qtbot, manager_window.till)
