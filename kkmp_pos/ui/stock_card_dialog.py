"""Kartu stok: one product's movements with kind, reference, in, out and running balance; older pages on request."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QHBoxLayout, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from kkmp_pos.domain.clock import format_wita
from kkmp_pos.i18n import tr
from kkmp_pos.services import catalog
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.stock_views import OPENING, CardCursor, CardLine, StockCard, stock_card
from kkmp_pos.ui.adjustment_dialog import AdjustmentDialog
from kkmp_pos.ui.formatting import quantity_text
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import action_button, configure_list_view


def kind_text(kind: str) -> str:
    """How the manager names a movement's kind (receipt, count and adjustment by their documents)."""
    labels = {"sale": tr("Penjualan"), "refund": tr("Retur"), "receipt": tr("Penerimaan"), "count": tr("Opname"),
              "adjustment": tr("Penyesuaian"), OPENING: tr("Stok awal")}
    return labels.get(kind, kind)


def card_columns(weighed: bool, unit: str) -> list[Column[CardLine]]:
    def qty(milli: int) -> str:
        return quantity_text(milli, weighed=weighed, unit=unit) if milli else ""

    return [
        Column(tr("Waktu"), lambda c: format_wita(c.moved_at)),
        Column(tr("Jenis"), lambda c: kind_text(c.kind)),
        Column(tr("Referensi"), lambda c: c.reference),
        Column(tr("Stok masuk"), lambda c: qty(c.in_milli), right=True),
        Column(tr("Stok keluar"), lambda c: qty(c.out_milli), right=True),
        Column(tr("Saldo"), lambda c: quantity_text(c.balance_milli, weighed=weighed, unit=unit), right=True),
    ]


class StockCardDialog(QDialog):
    """The newest page first loaded; "Muat yang lebih lama" puts older movements above it."""

    def __init__(self, ctx: PosContext, cashier: Cashier, product_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._cashier = cashier
        self._product_id = product_id
        self._lines: list[CardLine] = []
        self._older: CardCursor | None = None
        self.adjustment_dialog: AdjustmentDialog | None = None
        self.card: StockCard = stock_card(ctx, product_id)
        self.setWindowTitle(tr("Kartu stok — {name}", name=self.card.name))
        self.header = QLabel()
        self.card_model: ListTableModel[CardLine] = ListTableModel(card_columns(self.card.weighed, self.card.unit),
                                                                   self)
        self.card_view = QTableView()
        self.card_view.setModel(self.card_model)
        configure_list_view(self.card_view)
        self.card_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.card_view.horizontalHeader().setStretchLastSection(True)
        self.messages = MessageBar()
        self.older_button = action_button(tr("Muat yang lebih lama"))
        self.adjust_button = action_button(tr("Penyesuaian…"))
        self.close_button = action_button(tr("Tutup (Esc)"))
        self.older_button.clicked.connect(self.load_older)
        self.adjust_button.clicked.connect(self.open_adjustment)
        self.close_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.card_view, 1)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.older_button)
        buttons.addWidget(self.adjust_button)
        layout.addLayout(buttons)
        self.resize(960, 560)
        self._show(self.card, replace=True)

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    @property
    def balance_milli(self) -> int:
        """The on-hand figure shown: the last line's balance."""
        return self._lines[-1].balance_milli if self._lines else 0

    def _show(self, card: StockCard, *, replace: bool) -> None:
        self._lines = list(card.lines) if replace else list(card.lines) + self._lines
        self._older = card.older
        self.card_model.set_rows(self._lines)
        self.older_button.setEnabled(card.older is not None)
        self.header.setText(tr("{name} ({sku}) — stok sekarang: {qty}", name=card.name, sku=card.sku,
                               qty=quantity_text(self.balance_milli, weighed=card.weighed, unit=card.unit)))
        if replace and self._lines:
            self.card_view.scrollToBottom()

    @guarded
    def refresh(self) -> None:
        self.card = stock_card(self._ctx, self._product_id)
        self._show(self.card, replace=True)

    @guarded
    def load_older(self) -> None:
        if self._older is None:
            return
        self._show(stock_card(self._ctx, self._product_id, before=self._older), replace=False)

    @guarded
    def open_adjustment(self) -> None:
        product = catalog.find_by_sku(self._ctx, self.card.sku)
        dialog = AdjustmentDialog(self._ctx, self._cashier, product, self)
        dialog.recorded.connect(lambda _done: self.refresh())
        dialog.finished.connect(dialog.deleteLater)
        self.adjustment_dialog = dialog
        dialog.open()
