"""The help window: the user manual (panduan.md) with its screenshots, a list of chapters, opened at a section."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QGuiApplication, QImage, QKeyEvent, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.i18n import tr
from kkmp_pos.manual import Heading, load_manual, read_image, split_anchors

ANCHOR_ROLE = Qt.ItemDataRole.UserRole
IMAGE_WIDTH = 760
"""Screenshots wider than this are shown scaled down, so the manual reads without scrolling sideways."""


class ManualBrowser(QTextBrowser):
    """A QTextBrowser whose images come from the packaged manual folder (importlib.resources)."""

    def loadResource(self, kind: int, url: QUrl | str) -> object:  # noqa: N802 (Qt override)
        target = QUrl(url) if isinstance(url, str) else url
        if kind == QTextDocument.ResourceType.ImageResource.value and target.isRelative():
            try:
                image = QImage.fromData(read_image(target.path()))
            except (FileNotFoundError, OSError):
                image = QImage()
            if image.width() > IMAGE_WIDTH:
                image = image.scaledToWidth(IMAGE_WIDTH, Qt.TransformationMode.SmoothTransformation)
            if not image.isNull():
                return image
        return super().loadResource(kind, url)


def anchor_headings(document: QTextDocument, headings: list[Heading]) -> dict[str, int]:
    """Name each anchored heading block in `document` (so `#id` links and scrollToAnchor find it).

    The document's heading blocks come in the Markdown's order; returns anchor → block number.
    """
    wanted = iter(headings)
    found: dict[str, int] = {}
    block = document.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() > 0:
            heading = next(wanted, None)
            if heading is not None and heading.anchor:
                cursor = QTextCursor(block)
                cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
                mark = QTextCharFormat()
                mark.setAnchor(True)
                mark.setAnchorNames([heading.anchor])
                cursor.mergeCharFormat(mark)
                found[heading.anchor] = block.blockNumber()
        block = block.next()
    return found


class HelpWindow(QWidget):
    """Chapters on the left, the manual on the right; `show_section(anchor)` opens it where it is needed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(tr("Bantuan — Panduan KKMP POS"))
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)  # the till, not the help, ends the app
        markdown, self.headings = split_anchors(load_manual())
        self.browser = ManualBrowser()
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(False)
        self.browser.document().setDocumentMargin(16)
        self.browser.setMarkdown(markdown)
        self.blocks = anchor_headings(self.browser.document(), self.headings)
        self.chapters = QListWidget()
        self._chapter_of: dict[str, int] = {}
        """Anchor → row of the chapter it is in (a section highlights its chapter in the list)."""
        for heading in self.headings:
            if heading.level == 2 and heading.anchor:
                item = QListWidgetItem(heading.title)
                item.setData(ANCHOR_ROLE, heading.anchor)
                self.chapters.addItem(item)
            if heading.anchor and self.chapters.count():
                self._chapter_of[heading.anchor] = self.chapters.count() - 1
        self.chapters.itemActivated.connect(self._chapter_chosen)
        self.chapters.itemClicked.connect(self._chapter_chosen)
        self.close_button = QPushButton(tr("Tutup (Esc)"))
        self.close_button.clicked.connect(self.close)
        splitter = QSplitter()
        splitter.addWidget(self.chapters)
        splitter.addWidget(self.browser)
        splitter.setSizes([230, 870])
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.resize(1100, 720)
        self.section = ""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() == Qt.Key.Key_Escape:  # a window, not a dialog: Esc is not built in
            self.close()
            return
        super().keyPressEvent(event)

    def _chapter_chosen(self, item: QListWidgetItem) -> None:
        self.scroll_to(str(item.data(ANCHOR_ROLE)))

    def show_section(self, anchor: str) -> None:
        """Show the window (raised, active) at the section `anchor`; an unknown one opens at the top."""
        was_open = self.isVisible()
        self.show()
        # An open help window may be behind the till; offscreen (tests, screenshots) has no stacking to change.
        if was_open and QGuiApplication.platformName() != "offscreen":
            self.raise_()
        self.activateWindow()
        self.scroll_to(anchor)

    def scroll_to(self, anchor: str) -> None:
        self.section = anchor if anchor in self.blocks else ""
        if anchor in self._chapter_of:
            self.chapters.setCurrentRow(self._chapter_of[anchor])
        if not self.section:
            self.browser.verticalScrollBar().setValue(0)
            return
        # Laid out first, so the position of the heading is known before the scroll bar moves.
        self.browser.document().documentLayout().documentSize()
        self.browser.scrollToAnchor(anchor)

    def top_block_text(self) -> str:
        """The text of the first block visible at the top of the manual (what the reader sees first)."""
        cursor = self.browser.cursorForPosition(self.browser.viewport().rect().topLeft())
        return cursor.block().text()
