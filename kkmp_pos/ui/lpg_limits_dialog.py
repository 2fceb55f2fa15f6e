"""The manager's per-NIK 3 kg LPG limits: per category, cylinders per day and per month (empty = no limit)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.lpg import CATEGORY_LABELS, Limit
from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.lpg_limits import load_lpg_limits, save_lpg_limits
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import action_button


def _limit_value(text: str, label: str) -> int | None:
    """'' -> None (no limit); a whole number as typed; a negative one is left for dump_limits to refuse."""
    cleaned = text.strip()
    if not cleaned:
        return None
    try:
        return int(cleaned)
    except ValueError:
        raise InvalidInput("Batas {category} harus bilangan bulat (jumlah tabung), atau kosong bila tanpa batas.",
                           category=label) from None


class LpgLimitsDialog(QDialog):
    """One row per buyer category; Enter or Simpan stores all of them at once, or nothing when one is wrong."""

    saved = Signal()
    """Emitted after the limits are stored and the dialog has closed."""

    def __init__(self, ctx: PosContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setWindowTitle(tr("Batas pembelian elpiji 3 kg per NIK"))
        limits = load_lpg_limits(ctx)
        self.day_inputs: dict[str, QLineEdit] = {}
        self.month_inputs: dict[str, QLineEdit] = {}
        grid = QGridLayout()
        grid.addWidget(QLabel(tr("Kategori")), 0, 0)
        grid.addWidget(QLabel(tr("Per hari")), 0, 1)
        grid.addWidget(QLabel(tr("Per bulan")), 0, 2)
        for row, (category, label) in enumerate(CATEGORY_LABELS.items(), start=1):
            limit = limits.get(category, Limit())
            day, month = QLineEdit(), QLineEdit()
            for field, value in ((day, limit.per_day), (month, limit.per_month)):
                field.setText("" if value is None else str(value))
                field.setPlaceholderText(tr("tanpa batas"))
                field.returnPressed.connect(self.save)
            grid.addWidget(QLabel(tr(label)), row, 0)
            grid.addWidget(day, row, 1)
            grid.addWidget(month, row, 2)
            self.day_inputs[category] = day
            self.month_inputs[category] = month
        hint = QLabel(tr("Jumlah tabung per NIK (hari dan bulan menurut WITA). Kosongkan bila tanpa batas. "
                         "Lewat batas: pembayaran perlu persetujuan manajer."))
        hint.setWordWrap(True)
        self.messages = MessageBar()
        self.save_button = action_button(tr("Simpan (Enter)"))
        self.save_button.clicked.connect(self.save)
        self.cancel_button = action_button(tr("Batal (Esc)"))
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(grid)
        layout.addWidget(self.messages)
        layout.addLayout(buttons)
        self.setMinimumWidth(480)
        self.day_inputs["rumah_tangga"].setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    def limits(self) -> dict[str, Limit]:
        """What the form says; only categories with a limit are kept."""
        found: dict[str, Limit] = {}
        for category, label in CATEGORY_LABELS.items():
            limit = Limit(per_day=_limit_value(self.day_inputs[category].text(), tr(label)),
                          per_month=_limit_value(self.month_inputs[category].text(), tr(label)))
            if limit != Limit():
                found[category] = limit
        return found

    @guarded
    def save(self) -> None:
        save_lpg_limits(self._ctx, self.limits())
        self.accept()
        self.saved.emit()
