"""Small reusable widgets: a text field that hands arrow keys to a list, big touch-friendly buttons."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLineEdit, QPushButton, QTableView, QWidget

from kkmp_pos.i18n import tr
from kkmp_pos.printing.detect import DetectedPrinter

BUTTON_MIN_HEIGHT = 48
"""About 9 mm on a laptop screen: big enough for a fingertip on a touch screen."""

_STEPS = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 10, Qt.Key.Key_PageUp: -10}


class NavigableLineEdit(QLineEdit):
    """A text field that keeps focus while Up/Down move through a list, and reports Delete when empty.

    Typing stays in the field (the scanner and the search both type there); the arrow keys are passed on
    as `navigate(step)` so the list beside it can move without ever taking the focus.
    """

    navigate = Signal(int)
    delete_when_empty = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        step = _STEPS.get(Qt.Key(event.key()))
        if step is not None and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.navigate.emit(step)
            event.accept()
            return
        if event.key() == Qt.Key.Key_Delete and not self.text():
            self.delete_when_empty.emit()
            event.accept()
            return
        super().keyPressEvent(event)


def configure_list_view(view: QTableView) -> None:
    """One whole row selected at a time, read-only, and no keyboard focus (the text field keeps it)."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(False)


def move_selection(view: QTableView, step: int) -> int:
    """Select the row `step` away from the current one (clamped); returns the new row or -1 if empty."""
    model = view.model()
    count = model.rowCount() if model is not None else 0
    if count == 0:
        return -1
    current = view.currentIndex().row()
    row = 0 if current < 0 else max(0, min(count - 1, current + step))
    select_row(view, row)
    return row


def select_row(view: QTableView, row: int) -> None:
    view.selectRow(row)
    view.scrollTo(view.model().index(row, 0))


def selected_row(view: QTableView) -> int:
    """The chosen (current) row, or -1 when there is none.

    The current index, not the selection: QTableView.selectRow moves the current index before it
    selects, so a currentRowChanged handler would otherwise read the previous row.
    """
    index = view.currentIndex()
    return index.row() if index.isValid() else -1


def action_button(text: str, parent: QWidget | None = None) -> QPushButton:
    """A big button that never steals the keyboard focus from the field the cashier is typing in."""
    button = QPushButton(text, parent)
    button.setMinimumHeight(BUTTON_MIN_HEIGHT)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setAutoDefault(False)
    button.setDefault(False)
    return button


def show_detected_printers(combo: QComboBox, found: Sequence[DetectedPrinter]) -> None:
    """The printers found in `combo` (each item's data its URI), under a first line that says what to do."""
    combo.clear()
    if not found:
        combo.addItem(tr("Tidak ada printer terdeteksi: ketik alamatnya di bawah"), "")
        return
    combo.addItem(tr("{count} perangkat terdeteksi: pilih satu", count=len(found)), "")
    for printer in found:
        combo.addItem(printer.label, printer.uri)
