"""Who buys a 3 kg LPG cylinder: NIK (or member card) first, a known buyer fills in, a new one is registered."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.clock import business_date
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.lpg import CATEGORY_LABELS, GOVERNMENT_LISTED, NEEDS_NIB
from kkmp_pos.domain.member import looks_like_member_no
from kkmp_pos.domain.nik import mask_nik, normalize_nik
from kkmp_pos.domain.product import Product
from kkmp_pos.domain.quantity import MILLI
from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.lpg_buyers import Buyer, BuyerForm, buyer_for_member, find_buyer, save_buyer
from kkmp_pos.services.members import find_member_by_number
from kkmp_pos.services.regions import check_nik
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import action_button

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class LpgBuyerDialog(QDialog):
    """NIK, Enter: a remembered buyer fills the form and Enter again adds the line; a new buyer is typed in.

    The NIK shows in full only while it is typed; once looked up it is masked like on the receipt.
    """

    buyer_chosen = Signal(object)
    """The registered Buyer, emitted after the dialog has closed."""

    def __init__(self, ctx: PosContext, product: Product, qty_milli: int = MILLI,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.product = product
        self.qty_milli = qty_milli
        self._nik: str | None = None
        """The looked-up NIK (16 digits); None while the field is being typed."""
        self._known: Buyer | None = None
        self._member_id: str | None = None
        self.setWindowTitle(tr("Pembeli elpiji 3 kg"))

        title = QLabel(tr("{name} × {pieces}: isi NIK pembeli (KTP) atau pindai kartu anggota, lalu Enter.",
                          name=product.name, pieces=qty_milli // MILLI))
        title.setWordWrap(True)
        title.setStyleSheet("font-size:15px; font-weight:bold;")
        self.nik_input = QLineEdit()
        self.nik_input.setStyleSheet("font-size:20px; padding:4px;")
        self.nik_input.setPlaceholderText(tr("16 angka NIK, boleh dengan spasi/titik/strip"))
        self.nik_input.textEdited.connect(self._nik_edited)
        self.name_input = QLineEdit()
        self.address_input = QLineEdit()
        self.category_combo = QComboBox()
        self.category_combo.addItem(tr("— pilih kategori —"), "")
        for category, label in CATEGORY_LABELS.items():
            self.category_combo.addItem(tr(label), category)
        self.category_combo.currentIndexChanged.connect(self._category_changed)
        self.nib_input = QLineEdit()
        self.nib_input.setPlaceholderText(tr("Wajib untuk usaha mikro"))
        self.listed_check = QCheckBox(tr("Terdaftar di data pemerintah (sudah diperiksa)"))
        self.messages = MessageBar()
        self.ok_button = action_button(tr("Tambahkan (Enter)"))
        self.ok_button.clicked.connect(self.confirm)
        self.cancel_button = action_button(tr("Batal (Esc)"))
        self.cancel_button.clicked.connect(self.reject)

        form = QFormLayout()
        form.addRow(tr("NIK"), self.nik_input)
        form.addRow(tr("Nama (sesuai KTP)"), self.name_input)
        form.addRow(tr("Alamat"), self.address_input)
        form.addRow(tr("Kategori"), self.category_combo)
        form.addRow(tr("NIB"), self.nib_input)
        form.addRow("", self.listed_check)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.messages)
        layout.addLayout(buttons)
        self.setMinimumWidth(520)
        self._category_changed()
        self.nik_input.setFocus()

    # -- what the form says ----------------------------------------------------------------------------

    @property
    def category(self) -> str:
        return str(self.category_combo.currentData() or "")

    def _set_category(self, category: str) -> None:
        index = self.category_combo.findData(category)
        self.category_combo.setCurrentIndex(max(index, 0))

    def _category_changed(self, *_args: object) -> None:
        # The NIB and the government-list tick only mean something for their categories.
        self.nib_input.setEnabled(self.category in NEEDS_NIB)
        self.listed_check.setEnabled(self.category in GOVERNMENT_LISTED)

    def _form(self) -> BuyerForm:
        return BuyerForm(nik=self._nik or self.nik_input.text(), name=self.name_input.text(),
                         address=self.address_input.text(), category=self.category,
                         nib=self.nib_input.text() if self.category in NEEDS_NIB else None,
                         on_government_list=self.category in GOVERNMENT_LISTED and self.listed_check.isChecked(),
                         member_id=self._member_id)

    def _unchanged(self, buyer: Buyer) -> bool:
        form = self._form()
        return (" ".join(form.name.split()), " ".join(form.address.split()), form.category,
                (form.nib or "").strip() or None, form.on_government_list) == (
                buyer.name, buyer.address, buyer.category, buyer.nib, buyer.on_government_list)

    def _nik_edited(self, _text: str) -> None:
        # Typing again: whatever was looked up no longer belongs to this NIK.
        if self._nik is not None:
            self._nik = None
            self._known = None
            self._member_id = None

    def _fill(self, nik: str, name: str, address: str, category: str, nib: str | None, listed: bool) -> None:
        self._nik = normalize_nik(nik)
        self.nik_input.setText(mask_nik(self._nik))
        self.name_input.setText(name)
        self.address_input.setText(address)
        self._set_category(category)
        self.nib_input.setText(nib or "")
        self.listed_check.setChecked(listed)

    # -- keyboard ----------------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        # Enter anywhere: look the NIK up while it is being typed, otherwise add the line.
        if event.key() in _ENTER_KEYS:
            if self._nik is None and self.focusWidget() is self.nik_input:
                self.look_up()
            else:
                self.confirm()
            return
        super().keyPressEvent(event)

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    @guarded
    def look_up(self) -> None:
        """The NIK or member card typed: fill a remembered buyer, or start a new one."""
        text = self.nik_input.text().strip()
        if looks_like_member_no(text):
            self._look_up_member(text)
            return
        nik = normalize_nik(text)
        if not nik:
            raise InvalidInput("NIK belum diisi. Ketik 16 angka NIK sesuai KTP.")
        buyer = find_buyer(self._ctx, nik)
        if buyer is None:
            nik = check_nik(nik, business_date(self._ctx.clock())).value  # a wrong NIK is said at once
            self._nik = nik
            self.nik_input.setText(mask_nik(nik))
            self.messages.show_info(tr("NIK {nik} belum terdaftar: isi nama, alamat dan kategori, lalu Enter.",
                                       nik=mask_nik(nik)))
            self.name_input.setFocus()
            return
        self._use_buyer(buyer)

    def _look_up_member(self, member_no: str) -> None:
        member = find_member_by_number(self._ctx, member_no)
        if member is None:
            raise InvalidInput("Kartu anggota {member_no} tidak dikenal. Ketik NIK pembeli.", member_no=member_no)
        found = buyer_for_member(self._ctx, member.id)
        if found is None:
            raise InvalidInput("{name} ({member_no}) belum punya NIK di data anggota. Ketik NIK dari KTP-nya.",
                               name=member.name, member_no=member.member_no)
        if isinstance(found, Buyer):
            self._use_buyer(found)
            return
        self._member_id = member.id
        self._fill(found.nik, found.name, found.address, found.category, found.nib, found.on_government_list)
        self.messages.show_info(tr("Data {name} diambil dari kartu anggota: periksa kategori, lalu Enter.",
                                   name=found.name))
        self.category_combo.setFocus()

    def _use_buyer(self, buyer: Buyer) -> None:
        self._known = buyer
        self._member_id = buyer.member_id
        self._fill(buyer.nik, buyer.name, buyer.address, buyer.category, buyer.nib, buyer.on_government_list)
        self.messages.show_success(tr("{name} ({category}) sudah terdaftar. Tekan Enter untuk menambahkan.",
                                      name=buyer.name, category=tr(CATEGORY_LABELS[buyer.category])))
        self.nik_input.setFocus()  # Enter adds the line; typing replaces the NIK
        self.nik_input.selectAll()

    @guarded
    def confirm(self) -> None:
        """Add the line for this buyer; a new or changed buyer is saved first (refused input: nothing stored)."""
        if self._nik is None:
            self.look_up()
            if self._nik is None or self._known is None:
                return  # a new NIK: the form still needs filling
        known = self._known
        buyer = known if known is not None and self._unchanged(known) else save_buyer(self._ctx, self._form())
        self.accept()
        self.buyer_chosen.emit(buyer)
