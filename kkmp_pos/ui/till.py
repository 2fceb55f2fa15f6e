"""The till: the scan field, the cart, the big total and the F-key actions that ring up a sale."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.lpg import LpgBuyerRef, is_subsidised
from kkmp_pos.domain.member import looks_like_member_no
from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.domain.product import Product
from kkmp_pos.domain.quantity import MILLI, parse_quantity
from kkmp_pos.i18n import current_language, tr
from kkmp_pos.services.cart_checks import CartApproval
from kkmp_pos.services.catalog import find_by_barcode
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.sales import CompletedSale
from kkmp_pos.services.settings import Settings
from kkmp_pos.services.shifts import OpenShift, current_shift
from kkmp_pos.ui.cart_model import LINE_TOTAL, NAME, PRICE, QUANTITY, CartTableModel
from kkmp_pos.ui.formatting import quantity_text
from kkmp_pos.ui.history_dialog import HistoryDialog
from kkmp_pos.ui.messages import MessageBar, error_text, guarded, level_of
from kkmp_pos.ui.print_jobs import PrintJobs
from kkmp_pos.ui.quantity_dialog import QuantityDialog
from kkmp_pos.ui.search_dialog import SearchDialog
from kkmp_pos.ui.settings_dialog import SettingsDialog
from kkmp_pos.ui.till_cart_ops import TillCartActions
from kkmp_pos.ui.till_gates import TillGateActions
from kkmp_pos.ui.till_lpg import TillLpgActions
from kkmp_pos.ui.till_members import TillMemberActions
from kkmp_pos.ui.till_payments import TillPaymentActions
from kkmp_pos.ui.till_shift import TillShiftActions
from kkmp_pos.ui.widgets import (
    NavigableLineEdit,
    action_button,
    configure_list_view,
    move_selection,
    select_row,
    selected_row,
)

MULTIPLIED_SCAN = re.compile(r"^(\d+(?:[.,]\d{1,3})?)\s*\*\s*(\S.*)$")
"""`3*8999900000055` adds three; `1,25*<code>` 1,250 of a weighed product."""


class TillWidget(TillLpgActions, TillMemberActions, TillGateActions, TillShiftActions, TillPaymentActions,
                 TillCartActions, QWidget):
    """Everything happens from the scan field, which keeps the focus; the buttons repeat the F-keys."""

    shift_closed = Signal(object)
    """A shift was closed with its Z (a ClosedShift): the window starts a sync round."""

    def __init__(self, ctx: PosContext, cashier: Cashier, print_jobs: PrintJobs,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._cashier = cashier
        self._print_jobs = print_jobs
        self._dialog: QDialog | None = None
        self._clear_armed = False
        self.last_sale: CompletedSale | None = None
        self.cart_approvals: list[CartApproval] = []
        """Manager approvals given for this cart (discount, manual price, HET); passed to complete_sale."""
        self.shift: OpenShift | None = current_shift(ctx)
        """The open cash shift as the till last saw it (TillShiftActions)."""
        self.last_z_pdf: str | None = None

        self.cart_model = CartTableModel(parent=self)
        self.scan_input = NavigableLineEdit()
        self.scan_input.setPlaceholderText(tr("Pindai barcode, atau ketik nama barang lalu Enter"))
        self.scan_input.setStyleSheet("font-size:22px; padding:6px;")
        self.messages = MessageBar()
        self.cart_view = QTableView()
        self.cart_view.setModel(self.cart_model)
        configure_list_view(self.cart_view)
        cart_font = self.cart_view.font()
        cart_font.setPointSize(max(cart_font.pointSize(), 13))
        self.cart_view.setFont(cart_font)  # a font, not a style sheet, so ResizeToContents measures it
        header = self.cart_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        # Widths fit the widest everyday values, so columns don't jump as lines are scanned.
        metrics = self.cart_view.fontMetrics()
        for column, widest in ((QUANTITY, "1000,000 liter"), (PRICE, "Rp100.000/liter"), (LINE_TOTAL, "Rp10.000.000")):
            header.resizeSection(column, metrics.horizontalAdvance(widest) + 24)
        self.cart_view.verticalHeader().setDefaultSectionSize(34)

        self.total_label = QLabel(format_rupiah(0))
        self.total_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.total_label.setStyleSheet("font-size:44px; font-weight:bold;")
        self.item_count_label = QLabel()
        self.item_count_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.change_label = QLabel()
        self.change_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.change_label.setStyleSheet("font-size:34px; font-weight:bold; color:#135c2b;")
        self.last_receipt_label = QLabel()
        self.last_receipt_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.last_receipt_label.setWordWrap(True)
        self.member_label = QLabel()
        """Who the sale is for: 'Non-anggota' or the attached member's name and number (F7)."""
        self.member_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.member_label.setWordWrap(True)
        self.member_label.setStyleSheet("font-size:18px; font-weight:bold;")

        self.buttons: dict[str, QPushButton] = {}
        button_grid = QGridLayout()
        actions = (
            ("F2", tr("Cari"), self.open_search), ("F3", tr("Jumlah"), self.change_quantity),
            ("F4", tr("Hapus baris"), self.remove_selected_line), ("F5", tr("Riwayat"), self.open_history),
            ("F6", tr("Tahan/Panggil"), self.hold_or_recall), ("F7", tr("Anggota"), self.open_member_picker),
            ("F8", tr("Diskon"), self.open_discount), ("F9", tr("Transaksi baru"), self.new_transaction),
            ("F10", tr("Retur"), self.open_returns), ("F11", tr("Ubah harga"), self.open_price_change),
            ("F12", tr("Bayar"), self.pay),
        )
        for position, (key, label, slot) in enumerate(actions):
            button = action_button(f"{key}  {label}")
            button.setMinimumHeight(56)
            button.clicked.connect(lambda *_args, run=slot: run())  # `checked` is not an argument
            button_grid.addWidget(button, position // 3, position % 3)
            self.buttons[key] = button
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(slot)
        self.buttons["F12"].setStyleSheet("font-size:18px; font-weight:bold;")

        self.scan_input.returnPressed.connect(self._on_scan_entered)
        self.scan_input.navigate.connect(self._move_in_cart)
        self.scan_input.delete_when_empty.connect(self.remove_selected_line)
        self.cart_model.changed.connect(self._update_totals)
        self._print_jobs.finished.connect(self.messages.show_message)

        side = QVBoxLayout()
        side.addWidget(self.member_label)
        side.addWidget(QLabel(tr("Total")))
        side.addWidget(self.total_label)
        side.addWidget(self.item_count_label)
        side.addSpacing(24)
        side.addWidget(self.change_label)
        side.addWidget(self.last_receipt_label)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.cart_view, 2)
        body.addLayout(side, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scan_input)
        layout.addWidget(self.messages)
        layout.addLayout(body, 1)
        layout.addLayout(button_grid)
        self._update_totals()
        self.scan_input.setFocus()

    # -- focus and messages -------------------------------------------------------------------------

    @property
    def active_dialog(self) -> QDialog | None:
        """The dialog open over the till, if any (one at a time)."""
        return self._dialog

    def focus_scan(self) -> None:
        self.scan_input.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_message(error_text(exc), level_of(exc))
        self.focus_scan()

    def _open_dialog(self, dialog: QDialog) -> bool:
        if self._dialog is not None:
            dialog.deleteLater()
            self._dialog.raise_()
            self._dialog.activateWindow()
            return False
        self._dialog = dialog
        dialog.finished.connect(lambda _result, closed=dialog: self._dialog_finished(closed))
        dialog.open()
        return True

    def _dialog_finished(self, dialog: QDialog) -> None:
        if self._dialog is dialog:
            self._dialog = None
        dialog.deleteLater()
        # Give the keyboard back to the till window (some window managers leave it nowhere).
        self.window().activateWindow()
        self.focus_scan()

    # -- scanning and adding --------------------------------------------------------------------------

    def _on_scan_entered(self) -> None:
        self.submit_scan(self.scan_input.text())

    @guarded
    def submit_scan(self, text: str) -> None:
        """What Enter in the scan field does: a barcode (optionally `3*` before it) or a name to search."""
        self.scan_input.clear()
        self._clear_armed = False
        entry = text.strip()
        if not entry:
            self.focus_scan()
            return
        qty_text: str | None = None
        match = MULTIPLIED_SCAN.match(entry)
        if match:
            qty_text, entry = match.group(1), match.group(2).strip()
        if qty_text is None and looks_like_member_no(entry):
            self.attach_member_number(entry)  # a member card: its barcode is the member number
            self.focus_scan()
            return
        product = find_by_barcode(self._ctx, entry) if entry.isdigit() else None
        if product is None:
            if entry.isdigit():
                self.messages.show_warning(tr(
                    "Barcode {code} tidak dikenal: tidak ada yang ditambahkan. Cari barangnya dengan nama.",
                    code=entry))
            self.open_search(entry, qty_text=qty_text)
            return
        self._add_chosen(product, qty_text)
        self.focus_scan()

    @guarded
    def _add_chosen(self, product: Product, qty_text: str | None) -> None:
        self.require_seller()
        if is_subsidised(product):  # the 3 kg cylinder: its buyer (NIK, category) before the line
            self.ask_lpg_buyer(product, MILLI if qty_text is None else parse_quantity(qty_text, weighed=False))
        elif qty_text is not None:
            self.add_product(product, parse_quantity(qty_text, weighed=product.sold_by_weight))
        elif product.sold_by_weight:
            self.ask_weight(product)
        else:
            self.add_product(product, MILLI)

    def add_product(self, product: Product, qty_milli: int, lpg_buyer: LpgBuyerRef | None = None) -> None:
        self.require_seller()
        self.require_open_shift()
        if self.cart_model.cart.is_empty():
            self.change_label.clear()  # a new customer: the previous change is no longer theirs
        before = self.cart_snapshot()
        row = self.cart_model.add(product, qty_milli, lpg_buyer=lpg_buyer)
        select_row(self.cart_view, row)
        line = self.cart_model.line(row)
        weighed = product.sold_by_weight
        self.messages.show_info(tr("{name}: {qty} = {total}", name=product.name,
                                   qty=quantity_text(line.qty_milli, weighed=weighed, unit=product.unit),
                                   total=format_rupiah(line.total)))
        self.check_scanned_price(row, before)  # above its HET: a manager first; above a HAP: a warning

    def ask_weight(self, product: Product) -> None:
        dialog = QuantityDialog(product, self)
        dialog.quantity_chosen.connect(lambda qty, chosen=product: self._add_weighed(chosen, qty))
        self._open_dialog(dialog)

    @guarded
    def _add_weighed(self, product: Product, qty_milli: int) -> None:
        self.add_product(product, qty_milli)

    @guarded
    def open_search(self, initial_text: str = "", *, qty_text: str | None = None) -> None:
        self._clear_armed = False
        dialog = SearchDialog(self._ctx, self, initial_text=initial_text)
        dialog.product_chosen.connect(lambda product, qty=qty_text: self._add_chosen(product, qty))
        self._open_dialog(dialog)

    def recall_held(self, held_id: str) -> None:
        super().recall_held(held_id)
        self.ask_missing_lpg_buyers()  # a recalled 3 kg line without its buyer cannot be paid

    # -- changing the cart ------------------------------------------------------------------------------

    @guarded
    def _move_in_cart(self, step: int) -> None:
        move_selection(self.cart_view, step)

    def _selected_line_row(self) -> int:
        row = selected_row(self.cart_view)
        if row < 0 or row >= self.cart_model.rowCount():
            raise InvalidInput("Pilih dulu baris di keranjang (panah atas/bawah).")
        return row

    @guarded
    def change_quantity(self) -> None:
        self._clear_armed = False
        self.require_seller()
        row = self._selected_line_row()
        line = self.cart_model.line(row)
        dialog = QuantityDialog(line.product, self, current_milli=line.qty_milli)
        dialog.quantity_chosen.connect(lambda qty, changed=row: self._quantity_chosen(changed, qty))
        self._open_dialog(dialog)

    @guarded
    def _quantity_chosen(self, row: int, qty_milli: int) -> None:
        self.change_line_quantity(row, qty_milli, self._set_quantity)  # less than before needs approval

    @guarded
    def _set_quantity(self, row: int, qty_milli: int) -> None:
        self.cart_model.set_quantity(row, qty_milli)
        select_row(self.cart_view, row)
        line = self.cart_model.line(row)
        self.messages.show_info(tr("Jumlah {name} diubah.", name=line.product.name))

    @guarded
    def remove_selected_line(self) -> None:
        self._clear_armed = False
        self.require_seller()
        self.void_line(self._selected_line_row(), self._remove_line)  # after a manager's approval

    @guarded
    def _remove_line(self, row: int) -> None:
        line = self.cart_model.remove(row)
        if self.cart_model.rowCount():
            select_row(self.cart_view, min(row, self.cart_model.rowCount() - 1))
        self.messages.show_info(tr("Baris dihapus: {name}.", name=line.product.name))
        self.focus_scan()

    @guarded
    def new_transaction(self) -> None:
        """F9: an empty till for the next customer; a full cart needs F9 twice so no slip loses it."""
        if not self.cart_model.cart.is_empty() and not self._clear_armed:
            self.require_seller()
            self._clear_armed = True
            self.messages.show_warning(tr("Tekan F9 sekali lagi untuk mengosongkan keranjang "
                                          "({n} baris). Tombol lain membatalkan.", n=self.cart_model.rowCount()))
            return
        self._clear_armed = False
        if not self.cart_model.cart.is_empty():
            self.cancel_cart(self._clear_cart)  # after a manager's approval
            return
        self._clear_cart()

    @guarded
    def _clear_cart(self) -> None:
        self._clear_armed = False
        self.cart_model.clear()
        self.change_label.clear()
        self.messages.show_info(tr("Transaksi baru. Silakan pindai barang."))
        self.focus_scan()

    def _update_totals(self) -> None:
        cart = self.cart_model.cart
        self.forget_cart_approvals_if_empty()
        self.show_member()
        self.total_label.setText(format_rupiah(cart.total))
        self.item_count_label.setText(tr("{items} barang · {lines} baris", items=cart.item_count,
                                         lines=len(cart.lines)))

    # -- other windows ------------------------------------------------------------------------------------

    @guarded
    def open_history(self) -> None:
        self._clear_armed = False
        self._open_dialog(HistoryDialog(self._ctx, self._print_jobs, self))

    @guarded
    def open_settings(self) -> None:
        self._clear_armed = False
        dialog = SettingsDialog(self._ctx, self._print_jobs, self.cashier.id, self)
        dialog.saved.connect(self._settings_saved)
        self._open_dialog(dialog)

    def _settings_saved(self, settings: Settings) -> None:
        if settings.language != current_language():
            self.messages.show_success(tr("Pengaturan disimpan. Bahasa baru berlaku setelah aplikasi dibuka "
                                          "ulang."))
        else:
            self.messages.show_success(tr("Pengaturan disimpan."))
