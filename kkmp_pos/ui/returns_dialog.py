"""Returns (F10): find the sale by its receipt barcode or number, choose lines and quantities, refund once a
manager approves, and print the refund receipt."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.clock import format_wita
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.domain.payment import METHOD_LABELS
from kkmp_pos.domain.quantity import format_quantity, parse_quantity
from kkmp_pos.domain.refund import RefundableLine, check_refund_method, clean_reason, plan_return
from kkmp_pos.domain.roles import Action
from kkmp_pos.i18n import tr
from kkmp_pos.services import receipts
from kkmp_pos.services.approvals import ApprovalGrant
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.refunds import (
    CompletedRefund,
    RefundableSale,
    create_refund,
    refund_approval_subject,
    refundable_sale,
)
from kkmp_pos.ui.approval_dialog import ApprovalDialog, ask_approval
from kkmp_pos.ui.formatting import quantity_text
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.print_jobs import PrintJobs
from kkmp_pos.ui.widgets import (
    NavigableLineEdit,
    action_button,
    configure_list_view,
    move_selection,
    select_row,
    selected_row,
)


def _qty(line: RefundableLine, qty_milli: int) -> str:
    return quantity_text(qty_milli, weighed=line.sold_by_weight, unit=line.unit)


class ReturnsDialog(QDialog):
    """Scan or type the receipt number and Enter; Up/Down choose a line, type its return quantity and Enter;
    F12 processes the return (a manager approves, then the refund is recorded and printed)."""

    refund_completed = Signal(object)
    """The CompletedRefund, once it is committed."""

    def __init__(self, ctx: PosContext, cashier: Cashier, print_jobs: PrintJobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._cashier = cashier
        self._print_jobs = print_jobs
        self.sale: RefundableSale | None = None
        self.chosen: dict[str, int] = {}
        self.approval_dialog: ApprovalDialog | None = None
        self.last_refund: CompletedRefund | None = None
        self.setWindowTitle(tr("Retur penjualan (F10)"))

        self.receipt_input = QLineEdit()
        self.receipt_input.setPlaceholderText(tr("Pindai barcode struk atau ketik nomornya, lalu Enter"))
        self.receipt_input.setStyleSheet("font-size:18px; padding:4px;")
        self.sale_label = QLabel()
        self.sale_label.setWordWrap(True)
        self.lines_model: ListTableModel[RefundableLine] = ListTableModel(self._columns(), self)
        self.lines_view = QTableView()
        self.lines_view.setModel(self.lines_model)
        configure_list_view(self.lines_view)
        self.lines_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.lines_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.qty_input = NavigableLineEdit()
        self.qty_input.setPlaceholderText(tr("Jumlah retur baris terpilih, lalu Enter (0 = batal)"))
        self.method_combo = QComboBox()
        self.reason_input = QLineEdit()
        self.reason_input.setMaxLength(200)
        self.reason_input.setPlaceholderText(tr("misalnya: rusak, kedaluwarsa, salah beli"))
        self.reference_input = QLineEdit()
        self.reference_input.setMaxLength(64)
        self.reference_input.setPlaceholderText(tr("nomor referensi bila bukan tunai"))
        self.total_label = QLabel()
        self.total_label.setStyleSheet("font-size:24px; font-weight:bold;")
        self.earlier_label = QLabel()
        self.earlier_label.setWordWrap(True)
        self.messages = MessageBar()
        self.all_button = action_button(tr("Retur semua (Ctrl+A)"))
        self.reprint_button = action_button(tr("Cetak ulang retur terakhir (Ctrl+P)"))
        self.process_button = action_button(tr("Proses retur (F12)"))
        self.process_button.setStyleSheet("font-size:18px; font-weight:bold;")
        self.close_button = action_button(tr("Tutup (Esc)"))

        self.receipt_input.returnPressed.connect(self._receipt_entered)
        self.qty_input.returnPressed.connect(self._quantity_entered)
        self.qty_input.navigate.connect(self._move)
        self.lines_view.selectionModel().currentRowChanged.connect(self._line_selected)
        self.all_button.clicked.connect(self.choose_everything)
        self.reprint_button.clicked.connect(self.reprint_last)
        self.process_button.clicked.connect(self.process)
        self.close_button.clicked.connect(self.reject)
        for key, slot in (("F12", self.process), ("Ctrl+A", self.choose_everything), ("Ctrl+P", self.reprint_last)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(slot)

        form = QFormLayout()
        form.addRow(tr("Jumlah retur"), self.qty_input)
        form.addRow(tr("Dikembalikan"), self.method_combo)
        form.addRow(tr("Alasan"), self.reason_input)
        form.addRow(tr("Referensi"), self.reference_input)
        layout = QVBoxLayout(self)
        layout.addWidget(self.receipt_input)
        layout.addWidget(self.sale_label)
        layout.addWidget(self.lines_view, 1)
        layout.addLayout(form)
        layout.addWidget(self.total_label)
        layout.addWidget(self.earlier_label)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.reprint_button)
        buttons.addWidget(self.all_button)
        buttons.addWidget(self.process_button)
        layout.addLayout(buttons)
        self.resize(900, 620)
        self._show_sale()
        self.receipt_input.setFocus()

    def _columns(self) -> list[Column[RefundableLine]]:
        return [
            Column(tr("Barang"), lambda line: line.name),
            Column(tr("Terjual"), lambda line: _qty(line, line.qty_milli), right=True),
            Column(tr("Sudah diretur"), lambda line: _qty(line, line.returned_qty_milli), right=True),
            Column(tr("Bisa diretur"), lambda line: _qty(line, line.remaining_qty_milli), right=True),
            Column(tr("Retur"), lambda line: _qty(line, self.chosen.get(line.sale_line_id, 0)), right=True),
            Column(tr("Nilai retur"), lambda line: format_rupiah(self._amount(line)), right=True),
        ]

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    def _amount(self, line: RefundableLine) -> int:
        qty = self.chosen.get(line.sale_line_id, 0)
        return line.amount_for(qty) if qty else 0

    # -- finding the sale ---------------------------------------------------------------------------------

    @guarded
    def _receipt_entered(self) -> None:
        self.load(self.receipt_input.text())

    @guarded
    def load(self, receipt_no: str) -> None:
        """Show the sale behind `receipt_no` (or a sale id); what was chosen before is dropped."""
        self.sale = refundable_sale(self._ctx, receipt_no)
        self.receipt_input.setText(self.sale.receipt_no)
        self.chosen = {}
        self._show_sale()
        if self.sale.fully_returned:
            self.messages.show_warning(tr("Semua barang struk {receipt_no} sudah diretur.",
                                          receipt_no=self.sale.receipt_no))
        else:
            self.messages.show_info(tr("Pilih barang dengan panah atas/bawah, ketik jumlah retur, Enter."))
        self.qty_input.setFocus()

    def _show_sale(self) -> None:
        sale = self.sale
        self.lines_model.set_rows(sale.lines if sale else [])
        self.method_combo.clear()
        if sale is None:
            self.sale_label.setText(tr("Belum ada struk."))
            self.earlier_label.clear()
        else:
            buyer = tr("Anggota {member_no}", member_no=sale.member_no) if sale.member_no else tr("Non-anggota")
            self.sale_label.setText(tr("Struk {receipt_no} · {time} · total {total} · {buyer}",
                                       receipt_no=sale.receipt_no, time=format_wita(sale.created_at),
                                       total=format_rupiah(sale.total), buyer=buyer))
            for method in sale.methods:
                self.method_combo.addItem(tr(METHOD_LABELS[method]), method)
            self.earlier_label.setText(tr("Retur sebelumnya: {list}", list=", ".join(
                f"{r.refund_no} ({format_rupiah(r.total)})" for r in sale.refunds)) if sale.refunds else "")
            if sale.lines:
                select_row(self.lines_view, 0)
        self.reprint_button.setEnabled(self._last_refund_id() is not None)
        self._show_total()

    def _show_total(self) -> None:
        total = sum(self._amount(line) for line in self.sale.lines) if self.sale else 0
        self.total_label.setText(tr("Total retur {total}", total=format_rupiah(total)))

    # -- choosing lines and quantities -------------------------------------------------------------------

    @guarded
    def _move(self, step: int) -> None:
        move_selection(self.lines_view, step)

    def selected_line(self) -> RefundableLine | None:
        row = selected_row(self.lines_view)
        return self.lines_model.row_at(row) if row >= 0 else None

    def _line_selected(self) -> None:
        line = self.selected_line()
        qty = self.chosen.get(line.sale_line_id, 0) if line else 0
        self.qty_input.setText(format_quantity(qty, weighed=line.sold_by_weight) if line and qty else "")
        self.qty_input.selectAll()

    @guarded
    def _quantity_entered(self) -> None:
        line = self.selected_line()
        if line is None:
            raise InvalidInput("Muat dulu struknya: pindai barcode struk atau ketik nomornya.")
        self.set_quantity(line, self.qty_input.text())

    def set_quantity(self, line: RefundableLine, text: str) -> None:
        """`0` or empty takes the line out of the return; weighed goods take up to 3 decimals."""
        cleaned = text.strip()
        if cleaned in ("", "0"):
            self.chosen.pop(line.sale_line_id, None)
        else:
            qty = parse_quantity(cleaned, weighed=line.sold_by_weight)
            line.amount_for(qty)  # refuses more than sold minus already returned, with the numbers
            self.chosen[line.sale_line_id] = qty
        self._refresh_rows()
        self.messages.clear_message()

    @guarded
    def choose_everything(self) -> None:
        if self.sale is None:
            raise InvalidInput("Muat dulu struknya: pindai barcode struk atau ketik nomornya.")
        self.chosen = {line.sale_line_id: line.remaining_qty_milli for line in self.sale.lines
                       if line.remaining_qty_milli > 0}
        self._refresh_rows()

    def _refresh_rows(self) -> None:
        row = selected_row(self.lines_view)
        self.lines_model.set_rows(self.sale.lines if self.sale else [])
        if row >= 0:
            select_row(self.lines_view, row)
        self._show_total()

    # -- processing ---------------------------------------------------------------------------------------

    @guarded
    def process(self) -> None:
        """Check everything the cashier can fix first, then ask a manager; the refund is written on approval."""
        sale = self.sale
        if sale is None:
            raise InvalidInput("Muat dulu struknya: pindai barcode struk atau ketik nomornya.")
        plan = plan_return(sale.lines, list(self.chosen.items()))
        method = str(self.method_combo.currentData())
        check_refund_method(method, plan.total, sale.paid_by_method, sale.refunded_by_method)
        clean_reason(self.reason_input.text())
        self.approval_dialog = ask_approval(
            self, self._ctx, self._cashier, Action.REFUND, refund_approval_subject(sale.receipt_no),
            {"receipt_no": sale.receipt_no, "total": sale.total}, {"amount": plan.total}, self._approved)
        if self.approval_dialog is not None:
            # The manager reads the cashier's reason and may keep it: it is asked once, not twice.
            self.approval_dialog.reason_input.setText(self.reason_input.text().strip())

    @guarded
    def _approved(self, grant: ApprovalGrant) -> None:
        assert self.sale is not None
        done = create_refund(self._ctx, self.sale.sale_id, list(self.chosen.items()),
                             str(self.method_combo.currentData()), cashier_id=self._cashier.id,
                             approval_id=grant.id, reason=self.reason_input.text(),
                             reference=self.reference_input.text())
        self.last_refund = done
        self._print(done.refund_id, done.refund_no, copy=False)
        self.load(self.sale.sale_id)
        self.reason_input.clear()
        self.reference_input.clear()
        self.messages.show_success(tr("Retur {refund_no} tersimpan: {amount} dikembalikan ({method}). Mencetak "
                                      "struk retur…", refund_no=done.refund_no, amount=format_rupiah(done.total),
                                      method=tr(METHOD_LABELS[done.method])))
        self.refund_completed.emit(done)

    def _last_refund_id(self) -> tuple[str, str] | None:
        if self.sale is not None and self.sale.refunds:
            return self.sale.refunds[-1].refund_id, self.sale.refunds[-1].refund_no
        return None

    @guarded
    def reprint_last(self) -> None:
        last = self._last_refund_id()
        if last is None:
            raise InvalidInput("Struk ini belum punya retur untuk dicetak ulang.")
        self._print(*last, copy=True)
        self.messages.show_info(tr("Mencetak salinan struk retur {refund_no}…", refund_no=last[1]))

    def _print(self, refund_id: str, refund_no: str, *, copy: bool) -> None:
        self._print_jobs.print_slip(refund_no, partial(receipts.print_refund_receipt, self._ctx, refund_id,
                                                       copy=copy), copy=copy)
