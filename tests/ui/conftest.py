"""UI fixtures: the main window on the demo outlet, shown offscreen, torn down with its threads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from kkmp_pos.i18n import set_language
from kkmp_pos.services.auth import login
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.demo import DEMO_PINS
from kkmp_pos.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot: QtBot, ctx: PosContext) -> Iterator[MainWindow]:
    """The till as the kasir sees it after logging in with their PIN: shown, active, scan field focused."""
    set_language("id")
    main = MainWindow(ctx, login(ctx, "kasir", DEMO_PINS["kasir"]))
    qtbot.addWidget(main)
    main.show()
    main.activateWindow()
    qtbot.waitUntil(lambda: main.till.scan_input.hasFocus())
    yield main
    main.close()  # waits for print workers: nothing may touch the database after ctx closes
    assert main.tasks.wait_for_done(10_000)
