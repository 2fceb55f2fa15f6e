"""Shift dialogs: open with a counted float, cash in/out, close with a count (expected vs counted, over/short)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.cash import DENOMINATIONS, MAX_PIECES, count_total
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah, format_rupiah, parse_rupiah
from kkmp_pos.domain.roles import Action
from kkmp_pos.domain.shift_report import over_short
from kkmp_pos.i18n import tr
from kkmp_pos.services.approvals import ApprovalGrant
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.shift_close import (
    IN,
    OUT,
    cash_movement_subject,
    close_shift,
    expected_cash,
    record_cash_movement,
)
from kkmp_pos.services.shifts import current_shift, open_shift
from kkmp_pos.ui.approval_dialog import ApprovalDialog, ask_approval
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import action_button


class DenominationGrid(QWidget):
    """One row per note and coin: pieces typed, the row's value and the running total."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.inputs: dict[Rupiah, QSpinBox] = {}
        self._values: dict[Rupiah, QLabel] = {}
        grid = QGridLayout(self)
        grid.addWidget(QLabel(tr("Pecahan")), 0, 0)
        grid.addWidget(QLabel(tr("Jumlah lembar/keping")), 0, 1)
        grid.addWidget(QLabel(tr("Nilai")), 0, 2)
        for row, denomination in enumerate(DENOMINATIONS, start=1):
            pieces = QSpinBox()
            pieces.setRange(0, MAX_PIECES)
            pieces.valueChanged.connect(self._recount)
            value = QLabel(format_rupiah(0))
            grid.addWidget(QLabel(format_rupiah(denomination)), row, 0)
            grid.addWidget(pieces, row, 1)
            grid.addWidget(value, row, 2)
            self.inputs[denomination] = pieces
            self._values[denomination] = value
        self.total_label = QLabel(format_rupiah(0))
        self.total_label.setStyleSheet("font-size:20px; font-weight:bold;")
        grid.addWidget(QLabel(tr("Total dihitung")), len(DENOMINATIONS) + 1, 0)
        grid.addWidget(self.total_label, len(DENOMINATIONS) + 1, 2)

    def counts(self) -> dict[Rupiah, int]:
        return {d: box.value() for d, box in self.inputs.items() if box.value()}

    def set_count(self, denomination: Rupiah, pieces: int) -> None:
        self.inputs[denomination].setValue(pieces)

    @property
    def total(self) -> Rupiah:
        return count_total(self.counts())

    def _recount(self) -> None:
        for denomination, box in self.inputs.items():
            self._values[denomination].setText(format_rupiah(denomination * box.value()))
        self.total_label.setText(format_rupiah(self.total))
        self.changed.emit()


class OpenShiftDialog(QDialog):
    """The opening float counted note by note; the till sells once this is saved."""

    opened = Signal(object)
    """Emitted with the OpenShift."""

    def __init__(self, ctx: PosContext, cashier: Cashier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._cashier = cashier
        self.setWindowTitle(tr("Buka shift kas"))
        self.grid = DenominationGrid()
        self.messages = MessageBar()
        self.messages.show_info(tr("Hitung uang modal di laci per pecahan, lalu buka shift."))
        self.open_button = action_button(tr("Buka shift"))
        self.cancel_button = action_button(tr("Nanti (Esc)"))
        self.open_button.clicked.connect(self.open_shift)
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.grid)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.open_button)
        layout.addLayout(buttons)

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    @guarded
    def open_shift(self) -> None:
        shift = open_shift(self._ctx, cashier_id=self._cashier.id, counts=self.grid.counts())
        self.opened.emit(shift)
        self.accept()


class CashMovementDialog(QDialog):
    """Cash in or out of the drawer with a reason; a manager approves the exact amount first."""

    recorded = Signal(object)
    """Emitted with the RecordedCashMovement."""

    def __init__(self, ctx: PosContext, cashier: Cashier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._cashier = cashier
        self.approval_dialog: ApprovalDialog | None = None
        self.setWindowTitle(tr("Kas masuk/keluar"))
        self.direction_input = QComboBox()
        self.direction_input.addItem(tr("Kas keluar (setor bank, bayar pemasok)"), OUT)
        self.direction_input.addItem(tr("Kas masuk (tambah uang kecil)"), IN)
        self.amount_input = QLineEdit()
        self.amount_input.setPlaceholderText(tr("Jumlah, misalnya 50000"))
        self.reason_input = QLineEdit()
        self.reason_input.setPlaceholderText(tr("Alasan"))
        self.expected_label = QLabel(tr("Kas seharusnya di laci: {amount}", amount=format_rupiah(expected_cash(ctx))))
        self.messages = MessageBar()
        self.save_button = action_button(tr("Simpan (minta persetujuan)"))
        self.close_button = action_button(tr("Tutup (Esc)"))
        self.save_button.clicked.connect(self.save)
        self.reason_input.returnPressed.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        form = QFormLayout()
        form.addRow(tr("Arah"), self.direction_input)
        form.addRow(tr("Jumlah"), self.amount_input)
        form.addRow(tr("Alasan"), self.reason_input)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.expected_label)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.amount_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    def set_direction(self, direction: str) -> None:
        self.direction_input.setCurrentIndex(self.direction_input.findData(direction))

    @guarded
    def save(self) -> None:
        direction = str(self.direction_input.currentData())
        amount = parse_rupiah(self.amount_input.text())
        reason = self.reason_input.text().strip()
        if amount <= 0:
            raise InvalidInput("Jumlah kas harus lebih dari Rp0.")
        shift = current_shift(self._ctx)
        if shift is None:
            raise InvalidInput("Belum ada shift kas yang terbuka. Buka shift dulu (Menu → Buka shift…).")
        drawer = expected_cash(self._ctx)
        if not reason:
            self.reason_input.setFocus()
            raise InvalidInput("Alasan wajib diisi, misalnya 'setor ke bank' atau 'bayar pemasok'.")
        if direction == OUT and amount > drawer:
            raise InvalidInput("Kas keluar {amount} melebihi uang yang seharusnya ada di laci ({drawer}). "
                               "Periksa jumlahnya.", amount=format_rupiah(amount), drawer=format_rupiah(drawer))
        self.approval_dialog = ask_approval(
            self, self._ctx, self._cashier, Action.CASH_MOVEMENT,
            cash_movement_subject(shift.shift_no, direction, amount), {"expected_cash": drawer},
            {"expected_cash": drawer + amount if direction == IN else drawer - amount},
            lambda grant: self._post(grant, direction, amount, reason))

    @guarded
    def _post(self, grant: ApprovalGrant, direction: str, amount: Rupiah, reason: str) -> None:
        recorded = record_cash_movement(self._ctx, cashier_id=self._cashier.id, direction=direction, amount=amount,
                                        reason=reason, approval_id=grant.id)
        self.recorded.emit(recorded)
        self.accept()


class CloseShiftDialog(QDialog):
    """The drawer counted note by note against what it should hold; a manager approves the close."""

    closed = Signal(object)
    """Emitted with the ClosedShift."""

    def __init__(self, ctx: PosContext, cashier: Cashier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._cashier = cashier
        self.approval_dialog: ApprovalDialog | None = None
        shift = current_shift(ctx)
        if shift is None:
            raise InvalidInput("Belum ada shift kas yang terbuka. Buka shift dulu (Menu → Buka shift…).")
        self.shift_no = shift.shift_no
        self.expected = expected_cash(ctx)
        self.setWindowTitle(tr("Tutup shift {shift_no}", shift_no=shift.shift_no))
        self.grid = DenominationGrid()
        self.grid.changed.connect(self._show_difference)
        self.expected_label = QLabel(tr("Kas seharusnya: {amount}", amount=format_rupiah(self.expected)))
        self.counted_label = QLabel()
        self.difference_label = QLabel()
        self.difference_label.setStyleSheet("font-size:20px; font-weight:bold;")
        self.messages = MessageBar()
        self.messages.show_info(tr("Hitung uang di laci per pecahan. Laporan Z dicetak setelah manajer menyetujui."))
        self.close_shift_button = action_button(tr("Tutup shift (Z)"))
        self.cancel_button = action_button(tr("Batal (Esc)"))
        self.close_shift_button.clicked.connect(self.close_shift)
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.grid)
        layout.addWidget(self.expected_label)
        layout.addWidget(self.counted_label)
        layout.addWidget(self.difference_label)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_shift_button)
        layout.addLayout(buttons)
        self._show_difference()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    @property
    def over_short(self) -> Rupiah:
        return over_short(self.grid.total, self.expected)

    def _show_difference(self) -> None:
        self.counted_label.setText(tr("Kas dihitung: {amount}", amount=format_rupiah(self.grid.total)))
        difference = self.over_short
        if difference > 0:
            self.difference_label.setText(tr("Lebih {amount}", amount=format_rupiah(difference)))
        elif difference < 0:
            self.difference_label.setText(tr("Kurang {amount}", amount=format_rupiah(-difference)))
        else:
            self.difference_label.setText(tr("Pas, tidak ada selisih"))

    @guarded
    def close_shift(self) -> None:
        counts = self.grid.counts()
        self.approval_dialog = ask_approval(
            self, self._ctx, self._cashier, Action.CLOSE_SHIFT, self.shift_no,
            {"expected_cash": self.expected}, {"counted_cash": self.grid.total, "over_short": self.over_short},
            lambda grant: self._post(grant, counts))

    @guarded
    def _post(self, grant: ApprovalGrant, counts: dict[Rupiah, int]) -> None:
        closed = close_shift(self._ctx, cashier_id=self._cashier.id, counts=counts, approval_id=grant.id)
        self.closed.emit(closed)
        self.accept()
