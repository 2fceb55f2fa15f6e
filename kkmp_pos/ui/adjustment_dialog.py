"""Penyesuaian stok: a reason, a note and lines out (or in, for a koreksi), approved by a manager, then posted."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.product import Product
from kkmp_pos.domain.quantity import parse_quantity
from kkmp_pos.domain.roles import Action
from kkmp_pos.domain.stock import ADJUSTMENT_REASONS
from kkmp_pos.i18n import tr
from kkmp_pos.services import catalog
from kkmp_pos.services.adjustments import (
    CORRECTION,
    AdjustmentLine,
    CompletedAdjustment,
    adjustment_subject,
    check_adjustment,
    record_adjustment,
)
from kkmp_pos.services.approvals import ApprovalGrant
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.ui.approval_dialog import ApprovalDialog, ask_approval
from kkmp_pos.ui.formatting import quantity_text
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import action_button, configure_list_view, selected_row


@dataclass(frozen=True, slots=True)
class DraftLine:
    """A line on screen: the product as found and the quantity typed."""

    product: Product
    qty_milli: int
    incoming: bool

    def as_line(self) -> AdjustmentLine:
        return AdjustmentLine(self.product.id, self.qty_milli, self.incoming)


def _reason_labels() -> dict[str, str]:
    return {code: tr(label) for code, label in ADJUSTMENT_REASONS.items()}


def line_columns() -> list[Column[DraftLine]]:
    return [
        Column(tr("Barang"), lambda d: d.product.name),
        Column(tr("SKU"), lambda d: d.product.sku),
        Column(tr("Arah"), lambda d: tr("Stok masuk") if d.incoming else tr("Stok keluar")),
        Column(tr("Jumlah"), lambda d: quantity_text(d.qty_milli, weighed=d.product.sold_by_weight,
                                                      unit=d.product.unit), right=True),
    ]


class AdjustmentDialog(QDialog):
    """Lines are added by SKU, barcode or name; Simpan asks for approval (a manager's own role covers it)."""

    recorded = Signal(object)
    """Emitted with the CompletedAdjustment once it is posted."""

    def __init__(self, ctx: PosContext, cashier: Cashier, product: Product | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._cashier = cashier
        self._lines: list[DraftLine] = []
        self.approval_dialog: ApprovalDialog | None = None
        self.completed: CompletedAdjustment | None = None
        self.setWindowTitle(tr("Penyesuaian stok"))
        self.reason_input = QComboBox()
        for code, label in _reason_labels().items():
            self.reason_input.addItem(label, code)
        self.note_input = QLineEdit()
        self.note_input.setPlaceholderText(tr("Catatan (wajib untuk koreksi)"))
        self.product_input = QLineEdit()
        self.product_input.setPlaceholderText(tr("SKU, barcode atau nama barang"))
        self.qty_input = QLineEdit()
        self.qty_input.setPlaceholderText(tr("Jumlah (kg: 3 angka di belakang koma)"))
        self.incoming_input = QCheckBox(tr("Masuk (hanya koreksi)"))
        self.add_button = action_button(tr("Tambah baris"))
        self.remove_button = action_button(tr("Hapus baris"))
        self.lines_model: ListTableModel[DraftLine] = ListTableModel(line_columns(), self)
        self.lines_view = QTableView()
        self.lines_view.setModel(self.lines_model)
        configure_list_view(self.lines_view)
        self.lines_view.horizontalHeader().setStretchLastSection(True)
        self.messages = MessageBar()
        self.save_button = action_button(tr("Simpan (minta persetujuan)"))
        self.close_button = action_button(tr("Tutup (Esc)"))
        self.add_button.clicked.connect(self.add_line)
        self.qty_input.returnPressed.connect(self.add_line)
        self.remove_button.clicked.connect(self.remove_line)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)

        form = QFormLayout()
        form.addRow(tr("Alasan"), self.reason_input)
        form.addRow(tr("Catatan"), self.note_input)
        entry = QHBoxLayout()
        entry.addWidget(self.product_input, 2)
        entry.addWidget(self.qty_input, 1)
        entry.addWidget(self.incoming_input)
        entry.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(entry)
        layout.addWidget(self.lines_view, 1)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.resize(760, 480)
        if product is not None:
            self.product_input.setText(product.sku)
            self.qty_input.setFocus()
        else:
            self.product_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    @property
    def lines(self) -> list[DraftLine]:
        return list(self._lines)

    def _find_product(self, typed: str) -> Product:
        code = typed.strip()
        if not code:
            raise InvalidInput("Ketik SKU, barcode atau nama barang dulu.")
        found = catalog.find_by_barcode(self._ctx, code) or catalog.find_by_sku(self._ctx, code)
        if found is not None:
            return found
        matches = catalog.search_products(self._ctx, code, limit=2)
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise InvalidInput("Barang '{text}' tidak ditemukan. Periksa SKU atau namanya.", text=code)
        raise InvalidInput("Ada beberapa barang untuk '{text}'. Ketik SKU atau nama yang lebih lengkap.", text=code)

    @guarded
    def add_line(self) -> None:
        product = self._find_product(self.product_input.text())
        qty = parse_quantity(self.qty_input.text(), weighed=product.sold_by_weight)
        incoming = self.incoming_input.isChecked()
        if incoming and self.reason_input.currentData() != CORRECTION:
            raise InvalidInput("Hanya koreksi yang boleh menambah stok. Untuk barang datang, pakai penerimaan "
                               "barang.")
        if any(line.product.id == product.id for line in self._lines):
            raise InvalidInput("Satu barang muncul dua kali. Gabungkan jumlahnya dalam satu baris.")
        self._lines.append(DraftLine(product, qty, incoming))
        self.lines_model.set_rows(self._lines)
        self.product_input.clear()
        self.qty_input.clear()
        self.incoming_input.setChecked(False)
        self.product_input.setFocus()
        self.messages.clear_message()

    @guarded
    def remove_line(self) -> None:
        row = selected_row(self.lines_view)
        if row < 0:
            raise InvalidInput("Pilih baris yang akan dihapus.")
        del self._lines[row]
        self.lines_model.set_rows(self._lines)

    @guarded
    def save(self) -> None:
        """Check everything first, then ask for approval; posting happens once it is given."""
        reason = str(self.reason_input.currentData())
        note = self.note_input.text()
        lines = [line.as_line() for line in self._lines]
        check_adjustment(reason, note, lines)
        signed = [(line.product.sku, line.as_line().delta_milli) for line in self._lines]
        self.approval_dialog = ask_approval(
            self, self._ctx, self._cashier, Action.STOCK_ADJUSTMENT, adjustment_subject(reason, signed), None,
            {"lines": len(lines)}, lambda grant: self._post(grant, reason, note, lines))

    @guarded
    def _post(self, grant: ApprovalGrant, reason: str, note: str, lines: list[AdjustmentLine]) -> None:
        self.completed = record_adjustment(self._ctx, reason=reason, note=note, lines=lines,
                                           cashier_id=self._cashier.id, approval_id=grant.id)
        self.recorded.emit(self.completed)
        self.accept()
