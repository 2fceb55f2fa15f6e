"""F1 help: the manual opens at the section of the screen in front, with its screenshots, and closes with the till."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QTextDocument
from pytestqt.qtbot import QtBot

import kkmp_pos.ui
from kkmp_pos.domain.payment import CASH, QRIS
from kkmp_pos.manual import anchors, load_manual, referenced_images
from kkmp_pos.ui.help import HELP_SECTIONS, section_for
from kkmp_pos.ui.help_dialog import IMAGE_WIDTH, HelpWindow
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.payment_dialog import PaymentDialog
from kkmp_pos.ui.shift_dialogs import CloseShiftDialog
from tests.ui.helpers import open_dialog, press, scan

MINYAKITA = "8999900000055"


def shown_help(qtbot: QtBot, window: MainWindow) -> HelpWindow:
    qtbot.waitUntil(lambda: window.help.help_window is not None and window.help.help_window.isVisible())
    help_window = window.help.help_window
    assert help_window is not None
    return help_window


def test_every_section_the_f1_map_uses_is_an_anchor_of_the_manual() -> None:
    known = anchors(load_manual())
    assert sorted(set(HELP_SECTIONS.values()) - set(known)) == []
    assert "menjual" in known and "pembayaran" in known and "stok-opname" in known


def test_every_class_the_f1_map_names_is_a_screen_of_the_app() -> None:
    names: set[str] = set()
    for module in pkgutil.iter_modules(kkmp_pos.ui.__path__):
        if module.name == "screenshots":
            continue
        loaded = importlib.import_module(f"kkmp_pos.ui.{module.name}")
        names |= {name for name, value in vars(loaded).items() if inspect.isclass(value)}
    assert sorted(set(HELP_SECTIONS) - names) == []


def test_f1_at_the_till_opens_the_manual_at_selling(qtbot: QtBot, window: MainWindow) -> None:
    press(qtbot, window.till, Qt.Key.Key_F1)
    help_window = shown_help(qtbot, window)
    assert help_window.section == "menjual"
    assert help_window.top_block_text() == "Menjual"  # the heading is the first line the reader sees
    assert help_window.browser.verticalScrollBar().value() > 0
    assert help_window.chapters.currentItem().text() == "Menjual"
    assert window.till.cart_model.rowCount() == 0  # F1 did nothing else at the till

    # A chapter chosen in the list moves the manual there.
    item = next(help_window.chapters.item(row) for row in range(help_window.chapters.count())
                if help_window.chapters.item(row).text() == "Cadangan")
    help_window.chapters.itemClicked.emit(item)
    assert help_window.top_block_text() == "Cadangan"


def test_shift_f1_in_the_payment_dialog_opens_payments_and_f1_stays_cash(qtbot: QtBot,
                                                                         window: MainWindow) -> None:
    till = window.till
    scan(qtbot, till, MINYAKITA)
    press(qtbot, till, Qt.Key.Key_F12)
    payment = open_dialog(qtbot, till, PaymentDialog)
    payment.choose_method(QRIS)
    qtbot.keyClick(payment.focusWidget(), Qt.Key.Key_F1)  # the payment screen's own key: Tunai
    assert payment.method == CASH
    assert window.help.help_window is None

    qtbot.keyClick(payment.focusWidget(), Qt.Key.Key_F1, Qt.KeyboardModifier.ShiftModifier)
    help_window = shown_help(qtbot, window)
    assert help_window.section == "pembayaran"
    assert help_window.top_block_text() == "Pembayaran"
    assert till.active_dialog is payment  # the sale waits, untouched, behind the help


def test_f1_in_a_dialog_opens_its_section_and_closing_the_till_closes_help(qtbot: QtBot,
                                                                          window: MainWindow) -> None:
    till = window.till
    till.open_close_shift()
    dialog = open_dialog(qtbot, till, CloseShiftDialog)
    qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_F1)
    help_window = shown_help(qtbot, window)
    assert help_window.section == "tutup-hari"
    assert help_window.top_block_text() == "Menutup hari: kas dan laporan Z"
    assert section_for(dialog) == "tutup-hari"
    dialog.reject()
    qtbot.waitUntil(lambda: till.active_dialog is None)
    window.close()
    assert not help_window.isVisible()


def test_the_help_window_shows_the_manuals_screenshots(qtbot: QtBot) -> None:
    help_window = HelpWindow()
    qtbot.addWidget(help_window)
    document = help_window.browser.document()
    for image in referenced_images(load_manual()):
        loaded = help_window.browser.loadResource(QTextDocument.ResourceType.ImageResource.value, QUrl(image))
        assert isinstance(loaded, QImage) and not loaded.isNull(), image
        assert loaded.width() <= IMAGE_WIDTH
    assert document.toPlainText().startswith("Panduan Pengguna KKMP POS")
    assert "<a id=" not in document.toPlainText()  # the anchor lines are markup, not text
    help_window.show_section("no-such-section")
    assert help_window.section == "" and help_window.browser.verticalScrollBar().value() == 0
    qtbot.waitUntil(help_window.isActiveWindow)
    qtbot.keyClick(help_window.chapters, Qt.Key.Key_Escape)
    assert not help_window.isVisible()


def test_a_section_inside_a_chapter_highlights_its_chapter(qtbot: QtBot) -> None:
    help_window = HelpWindow()
    qtbot.addWidget(help_window)
    help_window.show_section("qris")
    assert help_window.top_block_text() == "QRIS dan rekonsiliasi"
    assert help_window.chapters.currentItem().text() == "Pembayaran"
