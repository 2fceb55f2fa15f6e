"""The LPG screen (Menu > Elpiji): cylinders per size, the month's allocation and alerts, deliveries from the agen."""

from __future__ import annotations

from PySide6.QtCore import QDate
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
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.clock import business_date
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.lpg import SIZE_LABELS
from kkmp_pos.domain.roles import APPROVER_ROLES, Role
from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.cylinders import (
    Delivery,
    MonthSummary,
    list_deliveries,
    lpg_alerts,
    lpg_month_summary,
    record_delivery,
    record_underweight_swap,
    set_allocation,
)
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import action_button, configure_list_view

MAX_COUNT = 100_000


def summary_columns() -> list[Column[MonthSummary]]:
    return [
        Column(tr("Ukuran"), lambda s: SIZE_LABELS[s.size]),
        Column(tr("Tabung isi"), lambda s: str(s.full), right=True),
        Column(tr("Tabung kosong"), lambda s: str(s.empty), right=True),
        Column(tr("Alokasi"), lambda s: str(s.allocation), right=True),
        Column(tr("Diterima"), lambda s: str(s.received), right=True),
        Column(tr("Terjual"), lambda s: str(s.sold), right=True),
        Column(tr("Sisa alokasi"), lambda s: str(s.remaining), right=True),
        Column(tr("Cukup untuk"), lambda s: "–" if s.days_of_stock is None
               else tr("{days} hari", days=s.days_of_stock), right=True),
    ]


def delivery_columns() -> list[Column[Delivery]]:
    return [
        Column(tr("Tanggal"), lambda d: d.delivered_on.strftime("%d-%m-%Y")),
        Column(tr("No. DO"), lambda d: d.do_number),
        Column(tr("Agen"), lambda d: d.agen),
        Column(tr("Ukuran"), lambda d: SIZE_LABELS[d.size]),
        Column(tr("Isi diterima"), lambda d: str(d.full_received), right=True),
        Column(tr("Kosong dikembalikan"), lambda d: str(d.empties_returned), right=True),
    ]


def _size_combo() -> QComboBox:
    combo = QComboBox()
    for size, label in SIZE_LABELS.items():
        combo.addItem(label, size)
    return combo


def _count_spin() -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, MAX_COUNT)
    return spin


def _table(model: ListTableModel[MonthSummary] | ListTableModel[Delivery]) -> QTableView:
    view = QTableView()
    view.setModel(model)
    configure_list_view(view)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class LpgDialog(QDialog):
    """For the manajer or admin: what is on hand and sold this month, record a delivery, set the allocation,
    record an under-weight cylinder swapped at no charge."""

    def __init__(self, ctx: PosContext, cashier: Cashier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._cashier = cashier
        today = business_date(ctx.clock())
        self._month = today.isoformat()[:7]
        self.setWindowTitle(tr("Elpiji: tabung, pengiriman dan alokasi ({month})",
                               month=today.strftime("%m-%Y")))
        manager = Role(cashier.role) in APPROVER_ROLES

        self.summary_model: ListTableModel[MonthSummary] = ListTableModel(summary_columns(), self)
        self.summary_view = _table(self.summary_model)
        self.alerts_label = QLabel()
        self.alerts_label.setWordWrap(True)
        self.alerts_label.setStyleSheet("color:#a00; font-weight:bold;")
        self.alerts_label.setVisible(False)
        self.deliveries_model: ListTableModel[Delivery] = ListTableModel(delivery_columns(), self)
        self.deliveries_view = _table(self.deliveries_model)

        self.do_input = QLineEdit()
        self.do_input.setPlaceholderText(tr("nomor DO dari surat jalan agen"))
        self.do_input.setMaxLength(40)
        self.date_input = QDateEdit(QDate(today.year, today.month, today.day))
        self.date_input.setDisplayFormat("dd-MM-yyyy")
        self.date_input.setMaximumDate(QDate(today.year, today.month, today.day))
        self.agen_input = QLineEdit()
        self.agen_input.setMaxLength(120)
        self.size_combo = _size_combo()
        self.full_spin = _count_spin()
        self.empties_spin = _count_spin()
        self.record_button = action_button(tr("Catat pengiriman"))
        self.record_button.clicked.connect(self.record_delivery)
        delivery_form = QFormLayout()
        delivery_form.addRow(tr("No. DO"), self.do_input)
        delivery_form.addRow(tr("Tanggal terima"), self.date_input)
        delivery_form.addRow(tr("Agen"), self.agen_input)
        delivery_form.addRow(tr("Ukuran"), self.size_combo)
        delivery_form.addRow(tr("Tabung isi diterima"), self.full_spin)
        delivery_form.addRow(tr("Tabung kosong dikembalikan"), self.empties_spin)
        delivery_form.addRow("", self.record_button)
        delivery_box = QGroupBox(tr("Pengiriman dari agen"))
        delivery_box.setLayout(delivery_form)
        delivery_box.setEnabled(manager)

        self.allocation_size_combo = _size_combo()
        self.allocation_spin = _count_spin()
        self.allocation_button = action_button(tr("Simpan alokasi"))
        self.allocation_button.clicked.connect(self.save_allocation)
        self.allocation_size_combo.currentIndexChanged.connect(self._show_allocation)
        allocation_form = QFormLayout()
        allocation_form.addRow(tr("Ukuran"), self.allocation_size_combo)
        allocation_form.addRow(tr("Alokasi bulan ini (tabung)"), self.allocation_spin)
        allocation_form.addRow("", self.allocation_button)
        allocation_box = QGroupBox(tr("Alokasi bulanan"))
        allocation_box.setLayout(allocation_form)
        allocation_box.setEnabled(manager)

        self.swap_size_combo = _size_combo()
        self.swap_note_input = QLineEdit()
        self.swap_note_input.setPlaceholderText(tr("misalnya: berat 7,2 kg, pembeli Bu Siti"))
        self.swap_button = action_button(tr("Tukar tabung kurang isi"))
        self.swap_button.clicked.connect(self.record_swap)
        swap_form = QFormLayout()
        swap_form.addRow(tr("Ukuran"), self.swap_size_combo)
        swap_form.addRow(tr("Catatan"), self.swap_note_input)
        swap_form.addRow("", self.swap_button)
        swap_box = QGroupBox(tr("Tabung isi kurang berat (ganti gratis)"))
        swap_box.setLayout(swap_form)
        swap_box.setEnabled(manager)

        self.messages = MessageBar()
        self.close_button = action_button(tr("Tutup (Esc)"))
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("Stok tabung dan bulan ini")))
        layout.addWidget(self.summary_view)
        layout.addWidget(self.alerts_label)
        forms = QHBoxLayout()
        forms.addWidget(delivery_box)
        side = QVBoxLayout()
        side.addWidget(allocation_box)
        side.addWidget(swap_box)
        forms.addLayout(side)
        layout.addLayout(forms)
        layout.addWidget(QLabel(tr("Pengiriman tercatat")))
        layout.addWidget(self.deliveries_view, 1)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.resize(1100, 760)
        self.refresh()
        self.do_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    @guarded
    def refresh(self) -> None:
        self.summary_model.set_rows([lpg_month_summary(self._ctx, self._month, size) for size in SIZE_LABELS])
        alerts = lpg_alerts(self._ctx, self._month)
        self.alerts_label.setText("\n".join(alerts))
        self.alerts_label.setVisible(bool(alerts))
        deliveries = list_deliveries(self._ctx)
        self.deliveries_model.set_rows(deliveries)
        if deliveries and not self.agen_input.text():
            self.agen_input.setText(deliveries[0].agen)  # usually the same agen every time
        self._show_allocation()

    def _show_allocation(self) -> None:
        size = str(self.allocation_size_combo.currentData())
        for row in range(self.summary_model.rowCount()):
            summary = self.summary_model.row_at(row)
            if summary.size == size:
                self.allocation_spin.setValue(summary.allocation)

    @guarded
    def record_delivery(self) -> None:
        if not self.do_input.text().strip():
            self.do_input.setFocus()
            raise InvalidInput("Nomor DO wajib diisi. Salin nomor DO dari surat jalan agen.")
        delivery = record_delivery(
            self._ctx, do_number=self.do_input.text(), delivered_on=self.date_input.date().toPython(),
            agen=self.agen_input.text(), size=str(self.size_combo.currentData()),
            full_received=self.full_spin.value(), empties_returned=self.empties_spin.value(), by=self._cashier.id)
        self.do_input.clear()
        self.full_spin.setValue(0)
        self.empties_spin.setValue(0)
        self.refresh()
        self.messages.show_success(tr("Pengiriman DO {number} tercatat: {full} isi masuk, {empties} kosong keluar.",
                                      number=delivery.do_number, full=delivery.full_received,
                                      empties=delivery.empties_returned))

    @guarded
    def save_allocation(self) -> None:
        size = str(self.allocation_size_combo.currentData())
        set_allocation(self._ctx, self._month, size, self.allocation_spin.value(), self._cashier.id)
        self.refresh()
        self.messages.show_success(tr("Alokasi {size} bulan ini disimpan: {quantity} tabung.",
                                      size=SIZE_LABELS[size], quantity=self.allocation_spin.value()))

    @guarded
    def record_swap(self) -> None:
        size = str(self.swap_size_combo.currentData())
        stock = record_underweight_swap(self._ctx, size, by=self._cashier.id, note=self.swap_note_input.text())
        self.swap_note_input.clear()
        self.refresh()
        self.messages.show_success(tr("Tukar tabung {size} kurang isi tercatat; tabung isi tinggal {full}.",
                                      size=SIZE_LABELS[size], full=stock.full))
