"""The stock opname screen: start or resume a count, scan or type counts, give reasons, approve, berita acara."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.domain.quantity import MILLI, format_quantity
from kkmp_pos.domain.roles import Action
from kkmp_pos.domain.stock import COUNT_REASONS
from kkmp_pos.domain.stock_count import (
    CountLine,
    CountMode,
    CountScope,
    count_totals,
    parse_count_quantity,
    split_count_scan,
)
from kkmp_pos.i18n import tr
from kkmp_pos.services.approvals import ApprovalGrant
from kkmp_pos.services.catalog import find_by_barcode, find_by_sku
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.stock_count import (
    CountSheet,
    approve_count,
    cancel_count,
    clear_count,
    count_categories,
    count_sheet,
    open_counts,
    record_count,
    set_reason,
    start_count,
    zero_uncounted,
)
from kkmp_pos.services.stock_count_report import export_count_report, reason_text, scope_label, scope_text
from kkmp_pos.ui.approval_dialog import ask_approval
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.tasks import TaskManager
from kkmp_pos.ui.widgets import (
    NavigableLineEdit,
    action_button,
    configure_list_view,
    move_selection,
    select_row,
)


def filter_labels() -> dict[str, str]:
    return {"all": tr("Semua produk"), "uncounted": tr("Belum dihitung"), "differing": tr("Berselisih"),
            "no_reason": tr("Berselisih tanpa alasan")}


def _qty(milli: int | None, line: CountLine, *, signed: bool = False) -> str:
    if milli is None:
        return "—"
    sign = "+" if signed and milli > 0 else ""
    return f"{sign}{format_quantity(milli, weighed=line.weighed)} {line.unit}"


def count_columns() -> list[Column[CountLine]]:
    return [
        Column(tr("SKU"), lambda line: line.sku),
        Column(tr("Produk"), lambda line: line.name),
        Column(tr("Tercatat"), lambda line: _qty(line.expected_milli, line), right=True),
        Column(tr("Dihitung"), lambda line: _qty(line.counted_milli, line) if line.counted else tr("belum"),
               right=True),
        Column(tr("Selisih"), lambda line: _qty(line.difference_milli, line, signed=True) if line.counted else "",
               right=True),
        Column(tr("Nilai selisih"), lambda line: format_rupiah(line.difference_value) if line.counted else "",
               right=True),
        Column(tr("Alasan"), reason_text),
    ]


def _keep(line: CountLine, chosen: str) -> bool:
    if chosen == "uncounted":
        return not line.counted
    if chosen == "differing":
        return bool(line.difference_milli)
    if chosen == "no_reason":
        return bool(line.difference_milli) and not line.reason
    return True


class StockCountDialog(QDialog):
    """Every count and reason is stored the moment it is entered: closing the screen only pauses the count."""

    def __init__(self, ctx: PosContext, user: Cashier, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._user = user
        self._tasks = tasks
        self.sheet: CountSheet | None = None
        self.setWindowTitle(tr("Stok opname"))

        self.scope_combo = QComboBox()
        for scope in CountScope:
            self.scope_combo.addItem(scope_label(scope), scope.value)
        self.category_combo = QComboBox()
        self.category_combo.addItems(count_categories(ctx))
        self.skus_input = QLineEdit()
        self.skus_input.setPlaceholderText(tr("SKU, dipisah koma"))
        self.start_button = action_button(tr("Mulai stok opname baru"))
        self.start_button.clicked.connect(lambda *_args: self.start())
        self.count_combo = QComboBox()
        self.count_combo.currentIndexChanged.connect(lambda *_args: self.load())
        self.cancel_button = action_button(tr("Batalkan stok opname"))
        self.cancel_button.clicked.connect(lambda *_args: self.cancel())

        self.hint = QLabel(tr("Pindai barang: setiap pindaian menambah 1 (atau ketik 3*kode). Barang yang dipindai "
                              "lagi dijumlahkan. Jumlah yang diketik di 'Jumlah dihitung' mengganti hitungan "
                              "baris yang dipilih."))
        self.hint.setWordWrap(True)
        self.scan_input = NavigableLineEdit()
        self.scan_input.setPlaceholderText(tr("Pindai barcode atau ketik SKU, lalu Enter"))
        self.scan_input.returnPressed.connect(lambda: self.submit_scan(self.scan_input.text()))
        self.scan_input.navigate.connect(lambda step: move_selection(self.view, step))
        self.filter_combo = QComboBox()
        for key, label in filter_labels().items():
            self.filter_combo.addItem(label, key)
        self.filter_combo.currentIndexChanged.connect(lambda *_args: self._show_rows())

        self.model: ListTableModel[CountLine] = ListTableModel(count_columns(), self)
        self.view = QTableView()
        self.view.setModel(self.model)
        configure_list_view(self.view)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.selectionModel().currentRowChanged.connect(lambda *_args: self._line_chosen())

        self.qty_input = QLineEdit()
        self.qty_input.setPlaceholderText(tr("Jumlah dihitung"))
        self.qty_input.returnPressed.connect(lambda: self.set_quantity(self.qty_input.text()))
        self.clear_button = action_button(tr("Hapus hitungan"))
        self.clear_button.clicked.connect(lambda *_args: self.clear_line())
        self.reason_combo = QComboBox()
        self.reason_combo.addItem(tr("— alasan —"), None)
        for code, label in COUNT_REASONS.items():
            self.reason_combo.addItem(tr(label), code)
        self.note_input = QLineEdit()
        self.note_input.setPlaceholderText(tr("Catatan (wajib untuk 'Lainnya')"))
        self.note_input.returnPressed.connect(lambda: self.save_reason())
        self.reason_button = action_button(tr("Simpan alasan"))
        self.reason_button.clicked.connect(lambda *_args: self.save_reason())
        self.zero_check = QCheckBox(tr("Saya pastikan barang yang belum dihitung memang tidak ada"))
        self.zero_button = action_button(tr("Hitung yang belum dihitung = 0"))
        self.zero_button.clicked.connect(lambda *_args: self.zero_rest())
        self.zero_check.toggled.connect(lambda *_args: self._enable())

        self.totals_label = QLabel()
        self.counter_input = QLineEdit()
        self.counter_input.setPlaceholderText(tr("Nama penghitung"))
        self.witness_input = QLineEdit()
        self.witness_input.setPlaceholderText(tr("Nama saksi"))
        self.approve_button = action_button(tr("Setujui stok opname…"))
        self.approve_button.clicked.connect(lambda *_args: self.approve())
        self.pdf_button = action_button(tr("Berita acara (PDF)…"))
        self.pdf_button.clicked.connect(lambda *_args: self.export_report())
        self.close_button = action_button(tr("Tutup (Esc)"))
        self.close_button.clicked.connect(self.reject)
        self.messages = MessageBar()

        start_row = QHBoxLayout()
        for widget in (QLabel(tr("Cakupan")), self.scope_combo, self.category_combo, self.skus_input,
                       self.start_button):
            start_row.addWidget(widget)
        count_row = QHBoxLayout()
        count_row.addWidget(QLabel(tr("Stok opname")))
        count_row.addWidget(self.count_combo, 1)
        count_row.addWidget(self.cancel_button)
        scan_row = QHBoxLayout()
        scan_row.addWidget(self.scan_input, 1)
        scan_row.addWidget(self.filter_combo)
        edit = QGridLayout()
        edit.addWidget(QLabel(tr("Baris dipilih")), 0, 0)
        edit.addWidget(self.qty_input, 0, 1)
        edit.addWidget(self.clear_button, 0, 2)
        edit.addWidget(self.reason_combo, 1, 0)
        edit.addWidget(self.note_input, 1, 1)
        edit.addWidget(self.reason_button, 1, 2)
        edit.addWidget(self.zero_check, 2, 0, 1, 2)
        edit.addWidget(self.zero_button, 2, 2)
        approve_row = QHBoxLayout()
        for widget in (self.counter_input, self.witness_input, self.approve_button, self.pdf_button,
                       self.close_button):
            approve_row.addWidget(widget)
        layout = QVBoxLayout(self)
        for row in (start_row, count_row):
            layout.addLayout(row)
        layout.addWidget(self.hint)
        layout.addLayout(scan_row)
        layout.addWidget(self.view, 1)
        layout.addLayout(edit)
        layout.addWidget(self.totals_label)
        layout.addWidget(self.messages)
        layout.addLayout(approve_row)
        self.resize(1100, 720)
        self.refresh_counts()
        self.scan_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    # -- which count ------------------------------------------------------------------------------------------

    @guarded
    def refresh_counts(self, select_id: str | None = None) -> None:
        """Open counts in the list (resumed after a restart); a count just approved stays shown for its PDF."""
        current = select_id or (self.sheet.header.id if self.sheet else None)
        headers = open_counts(self._ctx)
        self.count_combo.blockSignals(True)
        self.count_combo.clear()
        for header in headers:
            self.count_combo.addItem(f"{header.count_no} · {scope_text(header)}", header.id)
        if current is not None and self.count_combo.findData(current) < 0 and self.sheet is not None \
                and self.sheet.header.id == current:
            self.count_combo.addItem(f"{self.sheet.header.count_no} · {tr('disetujui')}", current)
        index = self.count_combo.findData(current) if current else 0
        self.count_combo.setCurrentIndex(max(index, 0))
        self.count_combo.blockSignals(False)
        self.load()

    @guarded
    def load(self) -> None:
        count_id = self.count_combo.currentData()
        self.sheet = count_sheet(self._ctx, count_id) if count_id else None
        self._show_rows()

    def _show_rows(self, product_id: int | None = None) -> None:
        keep = product_id if product_id is not None else self.selected_product_id()
        chosen = self.filter_combo.currentData()
        lines = [line for line in self.sheet.lines if _keep(line, chosen)] if self.sheet else []
        self.model.set_rows(lines)
        row = next((i for i, line in enumerate(lines) if line.product_id == keep), -1)
        if row >= 0:
            select_row(self.view, row)
        self._show_totals()
        self._enable()

    def _show_totals(self) -> None:
        if self.sheet is None:
            self.totals_label.setText(tr("Belum ada stok opname terbuka. Pilih cakupan lalu mulai."))
            return
        t = count_totals(self.sheet.lines)
        self.totals_label.setText(tr(
            "Dihitung {counted} dari {scope} produk · {differing} berselisih · lebih {surplus} · kurang "
            "{shortage} · selisih {net}", counted=t.products_counted, scope=t.products_in_scope,
            differing=t.lines_with_difference, surplus=format_rupiah(t.surplus_value),
            shortage=format_rupiah(t.shortage_value), net=format_rupiah(t.net_value)))

    def _enable(self) -> None:
        editable = self.sheet is not None and self.sheet.header.is_open
        for widget in (self.scan_input, self.qty_input, self.clear_button, self.reason_combo, self.note_input,
                       self.reason_button, self.cancel_button, self.approve_button, self.counter_input,
                       self.witness_input, self.zero_check):
            widget.setEnabled(editable)
        self.zero_button.setEnabled(editable and self.zero_check.isChecked())
        self.pdf_button.setEnabled(self.sheet is not None)

    @guarded
    def start(self) -> None:
        scope = CountScope(self.scope_combo.currentData())
        value = {CountScope.CATEGORY: self.category_combo.currentText(),
                 CountScope.LIST: self.skus_input.text()}.get(scope)
        header = start_count(self._ctx, scope, value, by=self._user)
        self.refresh_counts(header.id)
        self.messages.show_success(tr("Stok opname {no} dimulai. Pindai barangnya.", no=header.count_no))
        self.scan_input.setFocus()

    @guarded
    def cancel(self) -> None:
        if self.sheet is None:
            return
        cancel_count(self._ctx, self.sheet.header.id, by=self._user)
        number = self.sheet.header.count_no
        self.sheet = None
        self.refresh_counts()
        self.messages.show_info(tr("Stok opname {no} dibatalkan; tidak ada stok yang diubah.", no=number))

    # -- counting ---------------------------------------------------------------------------------------------

    def _current_id(self) -> str:
        if self.sheet is None:
            raise InvalidInput("Mulai stok opname dulu (pilih cakupan, lalu 'Mulai stok opname baru').")
        return self.sheet.header.id

    def selected_line(self) -> CountLine | None:
        index = self.view.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def selected_product_id(self) -> int | None:
        line = self.selected_line()
        return line.product_id if line else None

    def _chosen_line(self) -> CountLine:
        line = self.selected_line()
        if line is None:
            raise InvalidInput("Pilih barisnya dulu (pindai barangnya atau pakai panah atas/bawah).")
        return line

    def _after_change(self, product_id: int) -> None:
        self.sheet = count_sheet(self._ctx, self._current_id())
        self._show_rows(product_id)

    @guarded
    def submit_scan(self, text: str) -> None:
        """A barcode or SKU adds 1; `qty*code` adds that quantity; a weighed product asks for its weight."""
        self.scan_input.clear()
        qty_text, code = split_count_scan(text)
        if not code:
            return
        count_id = self._current_id()
        product = find_by_barcode(self._ctx, code) or find_by_sku(self._ctx, code)
        if product is None:
            raise InvalidInput("Kode '{code}' tidak ada di katalog. Periksa kodenya lalu pindai lagi.", code=code)
        if qty_text is None and product.sold_by_weight:
            self._show_rows(product.id)
            self.qty_input.setFocus()
            self.messages.show_info(tr("{name} barang timbang: ketik beratnya lalu Enter.", name=product.name))
            return
        qty = parse_count_quantity(qty_text, weighed=product.sold_by_weight) if qty_text else MILLI
        line = record_count(self._ctx, count_id, product.id, qty, CountMode.ADD)
        self._after_change(product.id)
        self.messages.show_success(tr("{name}: dihitung {qty}.", name=line.name, qty=_qty(line.counted_milli, line)))

    @guarded
    def set_quantity(self, text: str) -> None:
        """The typed quantity replaces the chosen line's count; the next line is chosen, like a sheet."""
        line = self._chosen_line()
        qty = parse_count_quantity(text, weighed=line.weighed)
        saved = record_count(self._ctx, self._current_id(), line.product_id, qty, CountMode.SET)
        self.qty_input.clear()
        self._after_change(line.product_id)
        move_selection(self.view, 1)
        self.messages.show_success(tr("{name}: dihitung {qty}.", name=saved.name,
                                      qty=_qty(saved.counted_milli, saved)))

    @guarded
    def clear_line(self) -> None:
        line = self._chosen_line()
        clear_count(self._ctx, self._current_id(), line.product_id)
        self._after_change(line.product_id)

    def _line_chosen(self) -> None:
        line = self.selected_line()
        self.reason_combo.setCurrentIndex(max(self.reason_combo.findData(line.reason if line else None), 0))
        self.note_input.setText(line.note or "" if line else "")

    @guarded
    def save_reason(self) -> None:
        line = self._chosen_line()
        set_reason(self._ctx, self._current_id(), line.product_id, self.reason_combo.currentData(),
                   self.note_input.text())
        self._after_change(line.product_id)
        self.messages.show_success(tr("Alasan untuk {name} disimpan.", name=line.name))

    @guarded
    def zero_rest(self) -> None:
        zeroed = zero_uncounted(self._ctx, self._current_id())
        self.zero_check.setChecked(False)
        self._after_change(self.selected_product_id() or -1)
        self.messages.show_info(tr("{n} produk yang belum dihitung dicatat 0. Isi alasan selisihnya.", n=zeroed))

    # -- approval and report ----------------------------------------------------------------------------------

    @guarded
    def approve(self) -> None:
        count_id = self._current_id()
        assert self.sheet is not None
        totals = count_totals(self.sheet.lines)
        ask_approval(self, self._ctx, self._user, Action.STOCK_COUNT, self.sheet.header.count_no,
                     {"products_counted": totals.products_counted},
                     {"lines_with_difference": totals.lines_with_difference, "net_value": totals.net_value},
                     lambda grant: self._approved(count_id, grant))

    @guarded
    def _approved(self, count_id: str, grant: ApprovalGrant) -> None:
        sheet = approve_count(self._ctx, count_id, approval_id=grant.id, by=self._user,
                              counter_name=self.counter_input.text(), witness_name=self.witness_input.text())
        self.sheet = sheet
        self.refresh_counts(count_id)
        moved = sum(1 for line in sheet.lines if line.difference_milli)
        self.messages.show_success(tr("Stok opname {no} disetujui: {n} koreksi stok dicatat. Cetak berita "
                                      "acaranya.", no=sheet.header.count_no, n=moved))

    @guarded
    def export_report(self, path: Path | None = None) -> None:
        count_id = self._current_id()
        assert self.sheet is not None
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, tr("Simpan berita acara"), str(Path.home() / f"berita-acara-{self.sheet.header.count_no}.pdf"),
                "PDF (*.pdf)")
            if not chosen:
                return
            path = Path(chosen)
        target = path
        work: Callable[[], object] = lambda: export_count_report(self._ctx, count_id, target)  # noqa: E731
        self.messages.show_info(tr("Menyimpan…"))
        self._tasks.run(work, lambda _r: self.messages.show_success(
            tr("Berita acara disimpan ke {path}.", path=str(target))), self.show_exception)
