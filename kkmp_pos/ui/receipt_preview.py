"""An on-screen copy of the receipt document, in a fixed-width font exactly as the printer lays it out."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QWidget

PREVIEW_COLUMNS = 48
"""Wide enough for 80 mm paper; 58 mm receipts (32 columns) simply leave space on the right."""


class ReceiptPreview(QPlainTextEdit):
    """Read-only, monospace, no wrapping: a line on screen is a line on paper."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(max(font.pointSize(), 11))
        self.setFont(font)
        margin = 2 * (self.frameWidth() + int(self.document().documentMargin())) + 24
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M" * PREVIEW_COLUMNS) + margin)

    def show_lines(self, lines: Sequence[str]) -> None:
        self.setPlainText("\n".join(lines))
        self.moveCursor(self.textCursor().MoveOperation.Start)

    def lines(self) -> list[str]:
        return self.toPlainText().split("\n") if self.toPlainText() else []
