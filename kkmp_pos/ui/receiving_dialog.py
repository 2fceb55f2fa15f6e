"""The goods receipt screen (penerimaan barang): supplier and invoice, lines by scan or search, save, print."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.clock import business_date
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.goods_receipt import (
    GoodsReceiptDraft,
    ReceiptLineInput,
    line_amounts,
    parse_day,
    unit_quantity_text,
)
from kkmp_pos.domain.money import format_rupiah, parse_rupiah
from kkmp_pos.domain.product import Product
from kkmp_pos.domain.quantity import format_quantity, parse_quantity
from kkmp_pos.i18n import tr
from kkmp_pos.services.catalog import MIN_SEARCH_CHARS, search_products
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.receiving import (
    SavedGoodsReceipt,
    find_receivable_product,
    goods_receipt_preview,
    print_goods_receipt,
    record_goods_receipt,
)
from kkmp_pos.services.suppliers import SupplierEntry, list_suppliers
from kkmp_pos.services.units import PackUnit, add_pack_unit, product_units, remove_pack_unit
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.messages import Level, MessageBar, guarded
from kkmp_pos.ui.print_jobs import PrintJobs
from kkmp_pos.ui.receipt_preview import ReceiptPreview
from kkmp_pos.ui.suppliers_dialog import SuppliersDialog
from kkmp_pos.ui.widgets import action_button, configure_list_view, selected_row


@dataclass(frozen=True, slots=True)
class DraftLine:
    """A line entered but not saved yet, with its amounts already checked."""

    product: Product
    unit: str
    unit_qty_milli: int
    unit_cost: int
    line_cost: int
    base_qty_milli: int
    expiry_date: date | None


def draft_columns() -> list[Column[DraftLine]]:
    return [
        Column(tr("Barang"), lambda line: line.product.name),
        Column(tr("Jumlah"), lambda line: unit_quantity_text(line.unit_qty_milli, line.unit), right=True),
        Column(tr("Harga beli/satuan"), lambda line: format_rupiah(line.unit_cost), right=True),
        Column(tr("Subtotal"), lambda line: format_rupiah(line.line_cost), right=True),
        Column(tr("Kedaluwarsa"), lambda line: line.expiry_date.strftime("%d-%m-%Y") if line.expiry_date else ""),
    ]


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class ReceivingDialog(QDialog):
    """Nothing is stored until "Simpan penerimaan": then the whole receipt at once, and its document shows."""

    saved = Signal(object)
    """The SavedGoodsReceipt just committed."""

    def __init__(self, ctx: PosContext, manager: Cashier, print_jobs: PrintJobs,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._manager = manager
        self._print_jobs = print_jobs
        self._product: Product | None = None
        self._units: list[PackUnit] = []
        self.last_saved: SavedGoodsReceipt | None = None
        self.setWindowTitle(tr("Penerimaan barang"))

        self.supplier_combo = QComboBox()
        self.suppliers_button = action_button(tr("Pemasok…"))
        self.reference_input = QLineEdit()
        self.reference_input.setMaxLength(60)
        self.reference_input.setPlaceholderText(tr("nomor faktur / surat jalan pemasok"))
        self.date_edit = QDateEdit(_qdate(business_date(ctx.clock())))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("dd-MM-yyyy")
        self.note_input = QLineEdit()
        self.note_input.setMaxLength(200)

        self.scan_input = QLineEdit()
        self.scan_input.setPlaceholderText(tr("Pindai barcode, ketik SKU atau nama barang, lalu Enter"))
        self.matches_combo = QComboBox()
        self.product_label = QLabel(tr("Belum ada barang dipilih."))
        self.unit_combo = QComboBox()
        self.qty_input = QLineEdit()
        self.qty_input.setPlaceholderText(tr("jumlah dalam satuan terpilih"))
        self.cost_input = QLineEdit()
        self.cost_input.setPlaceholderText(tr("harga beli per satuan terpilih"))
        self.expiry_input = QLineEdit()
        self.expiry_input.setPlaceholderText(tr("HH-BB-TTTT (boleh kosong)"))
        self.add_line_button = action_button(tr("Tambah baris"))
        self.new_unit_input = QLineEdit()
        self.new_unit_input.setPlaceholderText(tr("karung, dus, pak…"))
        self.new_factor_input = QLineEdit()
        self.new_factor_input.setPlaceholderText(tr("isi dalam satuan dasar, misalnya 25"))
        self.add_unit_button = action_button(tr("Tambah satuan"))
        self.remove_unit_button = action_button(tr("Hapus satuan terpilih"))

        self.lines_model: ListTableModel[DraftLine] = ListTableModel(draft_columns(), self)
        self.lines_view = QTableView()
        self.lines_view.setModel(self.lines_model)
        configure_list_view(self.lines_view)
        self.lines_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.lines_view.horizontalHeader().setStretchLastSection(True)
        self.remove_line_button = action_button(tr("Hapus baris"))
        self.total_label = QLabel()
        self.preview = ReceiptPreview()
        self.messages = MessageBar()
        self.save_button = action_button(tr("Simpan penerimaan"))
        self.save_button.setStyleSheet("font-weight:bold;")
        self.print_button = action_button(tr("Cetak"))
        self.print_button.setEnabled(False)
        self.close_button = action_button(tr("Tutup (Esc)"))

        self.suppliers_button.clicked.connect(self.open_suppliers)
        self.scan_input.returnPressed.connect(self.find_product)
        self.matches_combo.activated.connect(self._match_chosen)
        self.qty_input.returnPressed.connect(self.cost_input.setFocus)
        self.cost_input.returnPressed.connect(self.add_line)
        self.expiry_input.returnPressed.connect(self.add_line)
        self.add_line_button.clicked.connect(self.add_line)
        self.add_unit_button.clicked.connect(self.add_unit)
        self.new_factor_input.returnPressed.connect(self.add_unit)
        self.remove_unit_button.clicked.connect(self.remove_unit)
        self.remove_line_button.clicked.connect(self.remove_line)
        self.save_button.clicked.connect(self.save)
        self.print_button.clicked.connect(self.print_last)
        self.close_button.clicked.connect(self.reject)
        self._print_jobs.finished.connect(self._on_print_finished)
        self._listening = True
        self._build_layout()
        self.refresh_suppliers()
        self._show_total()
        self.reference_input.setFocus()

    def _build_layout(self) -> None:
        head = QFormLayout()
        supplier_row = QHBoxLayout()
        supplier_row.addWidget(self.supplier_combo, 1)
        supplier_row.addWidget(self.suppliers_button)
        head.addRow(tr("Pemasok"), supplier_row)
        head.addRow(tr("No. faktur"), self.reference_input)
        head.addRow(tr("Tanggal terima"), self.date_edit)
        head.addRow(tr("Catatan"), self.note_input)
        line_box = QGroupBox(tr("Baris barang"))
        line_form = QFormLayout(line_box)
        line_form.addRow(tr("Barang"), self.scan_input)
        line_form.addRow(tr("Hasil cari"), self.matches_combo)
        line_form.addRow(self.product_label)
        line_form.addRow(tr("Satuan"), self.unit_combo)
        line_form.addRow(tr("Jumlah"), self.qty_input)
        line_form.addRow(tr("Harga beli"), self.cost_input)
        line_form.addRow(tr("Kedaluwarsa"), self.expiry_input)
        line_form.addRow(self.add_line_button)
        unit_box = QGroupBox(tr("Satuan kemasan barang ini"))
        unit_form = QFormLayout(unit_box)
        unit_form.addRow(tr("Nama satuan"), self.new_unit_input)
        unit_form.addRow(tr("Isi"), self.new_factor_input)
        unit_row = QHBoxLayout()
        unit_row.addWidget(self.add_unit_button)
        unit_row.addWidget(self.remove_unit_button)
        unit_form.addRow(unit_row)
        left = QVBoxLayout()
        left.addLayout(head)
        left.addWidget(line_box)
        left.addWidget(unit_box)
        left.addStretch(1)
        middle = QVBoxLayout()
        middle.addWidget(self.lines_view, 1)
        middle.addWidget(self.total_label)
        middle.addWidget(self.remove_line_button)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(middle, 4)
        body.addWidget(self.preview, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        for button in (self.close_button, self.print_button, self.save_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.resize(1280, 720)

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    def done(self, result: int) -> None:
        # Stop listening before the dialog goes: later print results belong to the till only.
        if self._listening:
            self._listening = False
            self._print_jobs.finished.disconnect(self._on_print_finished)
        super().done(result)

    # --- supplier ---------------------------------------------------------------------------------

    @guarded
    def refresh_suppliers(self, select_id: str | None = None) -> None:
        current = select_id or self.supplier_combo.currentData()
        self.supplier_combo.clear()
        self.supplier_combo.addItem(tr("— pilih pemasok —"), None)
        for supplier in list_suppliers(self._ctx):
            self.supplier_combo.addItem(supplier.name, supplier.id)
        index = self.supplier_combo.findData(current) if current else -1
        self.supplier_combo.setCurrentIndex(max(index, 0))

    def select_supplier(self, name: str) -> None:
        self.supplier_combo.setCurrentIndex(max(self.supplier_combo.findText(name), 0))

    @guarded
    def open_suppliers(self) -> None:
        dialog = SuppliersDialog(self._ctx, self._manager, self)
        dialog.added.connect(self._supplier_added)
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        dialog.open()

    def _supplier_added(self, supplier: SupplierEntry) -> None:
        self.refresh_suppliers(supplier.id)

    # --- the current product and its units --------------------------------------------------------

    @guarded
    def find_product(self) -> None:
        text = self.scan_input.text().strip()
        if not text:
            return
        product = find_receivable_product(self._ctx, text)
        self.matches_combo.clear()
        if product is not None:
            self.scan_input.clear()
            self._choose(product)
            return
        if len(text) < MIN_SEARCH_CHARS:
            raise InvalidInput("Ketik paling sedikit 2 huruf untuk mencari barang.")
        found = search_products(self._ctx, text)
        if not found:
            raise InvalidInput("Tidak ada barang dengan barcode, SKU atau nama '{text}'.", text=text)
        for match in found:
            self.matches_combo.addItem(f"{match.name} ({match.sku})", match)
        self._choose(found[0])
        if len(found) > 1:
            self.messages.show_info(tr("{count} barang cocok: pilih yang benar di Hasil cari.", count=len(found)))

    def _match_chosen(self, index: int) -> None:
        product = self.matches_combo.itemData(index)
        if isinstance(product, Product):
            self._choose(product)

    def _choose(self, product: Product) -> None:
        self._product = product
        self.product_label.setText(tr("{name} ({sku}), satuan dasar {unit}", name=product.name, sku=product.sku,
                                      unit=product.unit))
        self._load_units()
        self.qty_input.setFocus()

    def _load_units(self, select: str | None = None) -> None:
        assert self._product is not None
        self._units = product_units(self._ctx, self._product.id)
        self.unit_combo.clear()
        for unit in self._units:
            if unit.is_base:
                self.unit_combo.addItem(unit.unit, unit.unit)
            else:
                self.unit_combo.addItem(tr("{unit} (isi {factor} {base})", unit=unit.unit,
                                           factor=format_quantity(unit.factor_milli, weighed=self._product.sold_by_weight),
                                           base=self._product.unit), unit.unit)
        self.unit_combo.setCurrentIndex(max(self.unit_combo.findData(select), 0) if select else 0)

    def select_unit(self, unit: str) -> None:
        self.unit_combo.setCurrentIndex(self.unit_combo.findData(unit))

    def _require_product(self) -> Product:
        if self._product is None:
            raise InvalidInput("Pindai atau cari barangnya dulu.")
        return self._product

    @guarded
    def add_unit(self) -> None:
        product = self._require_product()
        factor = parse_quantity(self.new_factor_input.text(), weighed=product.sold_by_weight)
        unit = add_pack_unit(self._ctx, product.id, self.new_unit_input.text(), factor, by=self._manager)
        self.new_unit_input.clear()
        self.new_factor_input.clear()
        self._load_units(unit.unit)
        self.messages.show_success(tr("Satuan {unit} ditambahkan untuk {name}.", unit=unit.unit, name=product.name))

    @guarded
    def remove_unit(self) -> None:
        product = self._require_product()
        unit = str(self.unit_combo.currentData() or "")
        remove_pack_unit(self._ctx, product.id, unit, by=self._manager)
        self._load_units()
        self.messages.show_success(tr("Satuan {unit} dihapus dari {name}.", unit=unit, name=product.name))

    # --- lines -------------------------------------------------------------------------------------

    @guarded
    def add_line(self) -> None:
        product = self._require_product()
        unit = next((u for u in self._units if u.unit == self.unit_combo.currentData()), None)
        if unit is None:
            raise InvalidInput("Pilih satuannya dulu.")
        # Pack units may be received in part (1,5 dus); the base unit follows how the product is sold.
        qty = parse_quantity(self.qty_input.text(), weighed=product.sold_by_weight or not unit.is_base)
        if not self.cost_input.text().strip():
            raise InvalidInput("Isi harga beli per {unit}.", unit=unit.unit)
        cost = parse_rupiah(self.cost_input.text())
        expiry = parse_day(self.expiry_input.text())
        amounts = line_amounts(qty, unit.factor_milli, cost, weighed=product.sold_by_weight)
        self.lines_model.set_rows([*self._lines(), DraftLine(
            product=product, unit=unit.unit, unit_qty_milli=qty, unit_cost=cost, line_cost=amounts.line_cost,
            base_qty_milli=amounts.base_qty_milli, expiry_date=expiry)])
        for field in (self.qty_input, self.cost_input, self.expiry_input):
            field.clear()
        self._show_total()
        self.messages.show_success(tr("{name}: {qty} ditambahkan.", name=product.name,
                                      qty=unit_quantity_text(qty, unit.unit)))
        self.scan_input.setFocus()

    def _lines(self) -> list[DraftLine]:
        return [self.lines_model.row_at(i) for i in range(self.lines_model.rowCount())]

    @guarded
    def remove_line(self) -> None:
        row = selected_row(self.lines_view)
        if row < 0:
            raise InvalidInput("Pilih dulu baris yang akan dihapus.")
        lines = self._lines()
        del lines[row]
        self.lines_model.set_rows(lines)
        self._show_total()

    def _show_total(self) -> None:
        lines = self._lines()
        self.total_label.setText(tr("{count} baris · total {total}", count=len(lines),
                                    total=format_rupiah(sum(line.line_cost for line in lines))))

    # --- saving and printing -----------------------------------------------------------------------

    @guarded
    def save(self) -> None:
        day = self.date_edit.date()
        draft = GoodsReceiptDraft(
            supplier_id=self.supplier_combo.currentData(), reference=self.reference_input.text(),
            received_on=date(day.year(), day.month(), day.day()), note=self.note_input.text(),
            lines=tuple(ReceiptLineInput(product_id=line.product.id, unit=line.unit,
                                         unit_qty_milli=line.unit_qty_milli, unit_cost=line.unit_cost,
                                         expiry_date=line.expiry_date) for line in self._lines()),
        )
        saved = record_goods_receipt(self._ctx, draft, by=self._manager)
        self.last_saved = saved
        self.lines_model.set_rows([])
        for field in (self.reference_input, self.note_input, self.scan_input):
            field.clear()
        self._show_total()
        self.preview.show_lines(goods_receipt_preview(self._ctx, saved.id))
        self.print_button.setEnabled(True)
        self.messages.show_success(tr("Penerimaan {receipt_no} tersimpan: {lines} baris, total {total}. Stok dan "
                                      "harga pokok sudah diperbarui.", receipt_no=saved.receipt_no,
                                      lines=saved.lines, total=format_rupiah(saved.total_cost)))
        self.saved.emit(saved)
        self.reference_input.setFocus()

    @guarded
    def print_last(self) -> None:
        saved = self.last_saved
        if saved is None:
            raise InvalidInput("Simpan penerimaannya dulu, baru dicetak.")
        self.messages.show_info(tr("Mencetak penerimaan {receipt_no}…", receipt_no=saved.receipt_no))
        self._print_jobs.print_slip(saved.receipt_no, partial(print_goods_receipt, self._ctx, saved.id))

    def _on_print_finished(self, text: str, level: Level) -> None:
        self.messages.show_message(text, level)
