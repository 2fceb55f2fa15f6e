"""The suppliers screen (manajer/admin): the list of pemasok and adding one."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.suppliers import SupplierEntry, add_supplier, list_suppliers
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import action_button, configure_list_view, select_row


def supplier_columns() -> list[Column[SupplierEntry]]:
    return [
        Column(tr("Nama pemasok"), lambda s: s.name),
        Column(tr("Kontak"), lambda s: s.contact),
        Column(tr("Telepon"), lambda s: s.phone),
    ]


class SuppliersDialog(QDialog):
    """`added` carries each new supplier, so the receipt screen can pick it at once."""

    added = Signal(object)

    def __init__(self, ctx: PosContext, manager: Cashier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._manager = manager
        self.setWindowTitle(tr("Pemasok"))
        self.suppliers_model: ListTableModel[SupplierEntry] = ListTableModel(supplier_columns(), self)
        self.suppliers_view = QTableView()
        self.suppliers_view.setModel(self.suppliers_model)
        configure_list_view(self.suppliers_view)
        self.suppliers_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.suppliers_view.horizontalHeader().setStretchLastSection(True)
        self.name_input = QLineEdit()
        self.name_input.setMaxLength(120)
        self.name_input.setPlaceholderText(tr("contoh: CV Sumber Rezeki Samarinda"))
        self.contact_input = QLineEdit()
        self.contact_input.setMaxLength(120)
        self.phone_input = QLineEdit()
        self.phone_input.setMaxLength(24)
        self.add_button = action_button(tr("Tambah pemasok"))
        self.messages = MessageBar()
        self.close_button = action_button(tr("Tutup (Esc)"))

        self.add_button.clicked.connect(self.add)
        self.phone_input.returnPressed.connect(self.add)
        self.close_button.clicked.connect(self.reject)

        form = QFormLayout()
        form.addRow(tr("Nama"), self.name_input)
        form.addRow(tr("Kontak"), self.contact_input)
        form.addRow(tr("Telepon"), self.phone_input)
        form.addRow(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.suppliers_view, 1)
        layout.addLayout(form)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.resize(640, 480)
        self.refresh()
        self.name_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    @guarded
    def refresh(self, select_id: str | None = None) -> None:
        suppliers = list_suppliers(self._ctx)
        self.suppliers_model.set_rows(suppliers)
        row = next((i for i, s in enumerate(suppliers) if s.id == select_id), -1)
        if row >= 0:
            select_row(self.suppliers_view, row)

    @guarded
    def add(self) -> None:
        supplier = add_supplier(self._ctx, self.name_input.text(), self.contact_input.text(), self.phone_input.text(),
                                by=self._manager)
        for field in (self.name_input, self.contact_input, self.phone_input):
            field.clear()
        self.refresh(supplier.id)
        self.messages.show_success(tr("Pemasok {name} ditambahkan.", name=supplier.name))
        self.added.emit(supplier)
        self.name_input.setFocus()
