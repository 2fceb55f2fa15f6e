"""The stock screens: the list with "perlu dipesan", a product's stock card, an adjustment approved by a manager."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kkmp_pos.services import catalog
from kkmp_pos.services.auth import login
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.demo import DEMO_PINS
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.stock_views import set_low_stock
from kkmp_pos.store.models import StockAdjustment, User
from kkmp_pos.ui.adjustment_dialog import AdjustmentDialog
from kkmp_pos.ui.approval_dialog import ApprovalDialog
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.stock_card_dialog import StockCardDialog
from kkmp_pos.ui.stock_list_dialog import ExpiryDialog, StockListDialog
from tests.ui.helpers import open_dialog

OIL = "MGR-MKT-1"


def oil_id(ctx: PosContext) -> int:
    found = catalog.find_by_sku(ctx, OIL)
    assert found is not None
    return found.id


def test_filter_open_the_card_and_adjust_with_a_managers_approval(qtbot: QtBot, ctx: PosContext,
                                                                  window: MainWindow) -> None:
    with ctx.engine.connect() as connection:
        manager = connection.execute(select(User.id).where(User.username == "manajer")).scalar_one()
    set_low_stock(ctx, oil_id(ctx), 60_000, user_role="manajer", user_id=manager)
    window.open_stock_list()
    stock = open_dialog(qtbot, window.till, StockListDialog)
    assert stock.listing.matching > 1 and not stock.threshold_button.isEnabled()  # a kasir only looks
    stock.needs_order_input.setChecked(True)
    assert [row.sku for row in stock.listing.rows] == [OIL]
    assert stock.stock_model.data(stock.stock_model.index(0, 6)) == "Perlu dipesan"

    qtbot.mouseClick(stock.card_button, Qt.MouseButton.LeftButton)
    card = stock.child
    assert isinstance(card, StockCardDialog)
    qtbot.waitUntil(card.isVisible)
    assert card.balance_milli == 50_000 and "stok sekarang: 50" in card.header.text()
    assert card.card_model.data(card.card_model.index(0, 1)) == "Stok awal"

    qtbot.mouseClick(card.adjust_button, Qt.MouseButton.LeftButton)
    adjustment = card.adjustment_dialog
    assert isinstance(adjustment, AdjustmentDialog)
    qtbot.waitUntil(adjustment.isVisible)
    assert adjustment.product_input.text() == OIL
    adjustment.note_input.setText("botol pecah")
    qtbot.keyClicks(adjustment.qty_input, "2")
    qtbot.keyClick(adjustment.qty_input, Qt.Key.Key_Return)
    assert [(line.product.sku, line.qty_milli) for line in adjustment.lines] == [(OIL, 2000)]
    qtbot.mouseClick(adjustment.save_button, Qt.MouseButton.LeftButton)

    approval = adjustment.approval_dialog
    assert isinstance(approval, ApprovalDialog)
    qtbot.waitUntil(approval.isVisible)
    qtbot.keyClicks(approval.reason_input, "botol pecah")
    qtbot.keyClick(approval.reason_input, Qt.Key.Key_Return)
    approval.select_approver("manajer")
    qtbot.keyClicks(approval.pin_input, "2222")
    qtbot.keyClick(approval.pin_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: adjustment.completed is not None)

    assert card.balance_milli == 48_000
    last = card.card_model.rowCount() - 1
    assert [card.card_model.data(card.card_model.index(last, column)) for column in range(1, 6)] == [
        "Penyesuaian", "Rusak: botol pecah", "", "2", "48"]
    with ctx.engine.connect() as connection:
        assert connection.execute(select(StockAdjustment.reason)).scalars().all() == ["rusak"]
    assert verify_journal(ctx.engine) is None
    card.reject()
    qtbot.waitUntil(lambda: stock.listing.rows[0].on_hand_milli == 48_000)


@pytest.fixture
def manager_window(qtbot: QtBot, ctx: PosContext) -> Iterator[MainWindow]:
    main = MainWindow(ctx, login(ctx, "manajer", DEMO_PINS["manajer"]))
    qtbot.addWidget(main)
    main.show()
    main.activateWindow()
    qtbot.waitUntil(lambda: main.till.scan_input.hasFocus())
    yield main
    main.close()
    assert main.tasks.wait_for_done(10_000)


def test_a_manager_sets_a_threshold_and_sees_the_expiry_list(qtbot: QtBot, ctx: PosContext,
                                                              manager_window: MainWindow) -> None:
    manager_window.open_stock_list()
    stock = open_dialog(qtbot, manager_window.till, StockListDialog)
    qtbot.keyClicks(stock.search_input, OIL.lower())
    assert [row.sku for row in stock.listing.rows] == [OIL]
    qtbot.keyClicks(stock.threshold_input, "70")
    qtbot.mouseClick(stock.threshold_button, Qt.MouseButton.LeftButton)
    assert stock.listing.rows[0].low_stock_milli == 70_000 and stock.listing.rows[0].needs_order
    assert "Batas minimum" in stock.messages.text()
    stock.search_input.clear()
    stock.needs_order_input.setChecked(True)
    assert stock.listing.matching == 1
    qtbot.mouseClick(stock.expiry_button, Qt.MouseButton.LeftButton)
    expiry = stock.child
    assert isinstance(expiry, ExpiryDialog)
    qtbot.waitUntil(expiry.isVisible)
    assert expiry.expiry_model.rowCount() == 0 and "Tidak ada" in expiry.messages.text()
    expiry.reject()
