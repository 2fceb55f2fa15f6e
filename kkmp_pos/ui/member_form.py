"""Registering or editing one anggota / pelanggan; asks a manager's approval for a home outside the kelurahan."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.clock import business_date
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.member import (
    ANGGOTA,
    MAX_CREDIT_DAYS,
    MEMBER_KINDS,
    STATUSES,
    MemberForm,
    kind_label,
    status_label,
)
from kkmp_pos.domain.money import group_thousands, parse_rupiah
from kkmp_pos.domain.roles import APPROVER_ROLES, Action, Role
from kkmp_pos.i18n import tr
from kkmp_pos.services.approvals import ApprovalGrant
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.members import (
    Member,
    check_member_form,
    kelurahan_approval_subject,
    kelurahan_approval_values,
    needs_kelurahan_approval,
    register_member,
    suggested_member_no,
    update_member,
)
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.regions import samarinda_kelurahan
from kkmp_pos.ui.approval_dialog import ApprovalDialog, ask_approval
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import action_button


class MemberFormDialog(QDialog):
    """Enter saves; a wrong field is named in the message bar and nothing is stored until all is right."""

    saved = Signal(object)
    """The stored Member, emitted after the dialog has closed."""

    def __init__(self, ctx: PosContext, viewer: Cashier, member: Member | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._viewer = viewer
        self._member = member
        self._privileged = Role(viewer.role) in APPROVER_ROLES
        today = business_date(ctx.clock())
        self.setWindowTitle(tr("Ubah data {member_no}", member_no=member.member_no) if member
                            else tr("Daftar anggota / pelanggan baru"))

        self.kind_combo = QComboBox()
        for kind in MEMBER_KINDS:
            self.kind_combo.addItem(kind_label(kind), kind)
        self.number_input = QLineEdit()
        self.nik_input = QLineEdit()
        self.nik_input.setPlaceholderText(tr("16 angka sesuai KTP (wajib untuk anggota)"))
        self.name_input = QLineEdit()
        self.address_input = QLineEdit()
        self.address_input.setPlaceholderText(tr("alamat sesuai KTP"))
        self.kelurahan_combo = QComboBox()
        self.kelurahan_combo.addItem(tr("— pilih kelurahan —"), None)
        for kelurahan in samarinda_kelurahan():
            self.kelurahan_combo.addItem(kelurahan.label, kelurahan.code)
        self.rt_input = QLineEdit()
        self.rt_input.setPlaceholderText(tr("RT"))
        self.rw_input = QLineEdit()
        self.rw_input.setPlaceholderText(tr("RW"))
        self.phone_input = QLineEdit()
        self.phone_input.setPlaceholderText(tr("misalnya 081234567890"))
        self.join_date_input = QDateEdit()
        self.join_date_input.setDisplayFormat("dd-MM-yyyy")
        self.join_date_input.setCalendarPopup(True)
        self.join_date_input.setMaximumDate(QDate(today.year, today.month, today.day))
        self.status_combo = QComboBox()
        for status in STATUSES:
            self.status_combo.addItem(status_label(status), status)
        self.credit_limit_input = QLineEdit("0")
        self.credit_days_input = QSpinBox()
        self.credit_days_input.setRange(1, MAX_CREDIT_DAYS)
        self.credit_days_input.setSuffix(tr(" hari"))
        # The kasbon terms are a manager's decision: a kasir sees them but cannot change them.
        self.credit_limit_input.setEnabled(self._privileged)
        self.credit_days_input.setEnabled(self._privileged)
        self.nik_note = QLabel()
        self.approval_dialog: ApprovalDialog | None = None
        """The manager-approval dialog, while a home outside the outlet's kelurahan waits for it."""
        self._grant: ApprovalGrant | None = None
        self.messages = MessageBar()
        self.save_button = action_button(tr("Simpan (Enter)"))
        self.cancel_button = action_button(tr("Batal (Esc)"))

        self._fill(member.form() if member else MemberForm(kind=ANGGOTA, name="", join_date=today))
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        for field in (self.number_input, self.nik_input, self.name_input, self.address_input, self.rt_input,
                      self.rw_input, self.phone_input, self.credit_limit_input):
            field.returnPressed.connect(self.save)

        form = QFormLayout()
        form.addRow(tr("Jenis"), self.kind_combo)
        form.addRow(tr("Nomor"), self.number_input)
        form.addRow(tr("NIK"), self.nik_input)
        form.addRow("", self.nik_note)
        form.addRow(tr("Nama (sesuai KTP)"), self.name_input)
        form.addRow(tr("Alamat KTP"), self.address_input)
        form.addRow(tr("Kelurahan"), self.kelurahan_combo)
        rt_rw = QHBoxLayout()
        rt_rw.addWidget(self.rt_input)
        rt_rw.addWidget(self.rw_input)
        form.addRow(tr("RT / RW"), rt_rw)
        form.addRow(tr("Telepon"), self.phone_input)
        form.addRow(tr("Tanggal bergabung"), self.join_date_input)
        form.addRow(tr("Status"), self.status_combo)
        form.addRow(tr("Batas kasbon (Rp)"), self.credit_limit_input)
        form.addRow(tr("Jangka kasbon"), self.credit_days_input)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.setMinimumWidth(560)
        (self.name_input if member else self.nik_input).setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    def _fill(self, form: MemberForm) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(form.kind))
        self.number_input.setText(form.member_no)
        self._show_suggested_number(form.kind)
        masked = self._member is not None and bool(self._member.nik) and not self._privileged
        if masked and self._member is not None:
            # Shown masked and kept as stored: only a manajer or admin sees (and so corrects) the whole NIK.
            self.nik_input.setText(self._member.nik_for(self._viewer.role))
            self.nik_input.setReadOnly(True)
            self.nik_note.setText(tr("NIK hanya dapat dilihat dan diubah oleh manajer atau admin."))
        else:
            self.nik_input.setText(form.nik)
        self.name_input.setText(form.name)
        self.address_input.setText(form.address)
        self.kelurahan_combo.setCurrentIndex(max(0, self.kelurahan_combo.findData(form.kelurahan_code)))
        self.rt_input.setText(form.rt)
        self.rw_input.setText(form.rw)
        self.phone_input.setText(form.phone)
        joined = form.join_date or business_date(self._ctx.clock())
        self.join_date_input.setDate(QDate(joined.year, joined.month, joined.day))
        self.status_combo.setCurrentIndex(self.status_combo.findData(form.status))
        self.credit_limit_input.setText(group_thousands(form.credit_limit))
        self.credit_days_input.setValue(form.credit_days)

    def _show_suggested_number(self, kind: str) -> None:
        self.number_input.setPlaceholderText(tr("kosongkan untuk nomor otomatis: {number}",
                                                number=suggested_member_no(self._ctx, kind)))

    @guarded
    def _kind_changed(self) -> None:
        kind = str(self.kind_combo.currentData())
        if self._member is not None and kind != self._member.kind:
            self.number_input.clear()  # the old number carries the other kind's prefix
        elif self._member is not None:
            self.number_input.setText(self._member.member_no)
        self._show_suggested_number(kind)

    def form(self) -> MemberForm:
        """What the fields say now; only the rupiah field can be unreadable (InvalidInput)."""
        joined = self.join_date_input.date()
        nik = self.nik_input.text()
        if self.nik_input.isReadOnly() and self._member is not None:
            nik = self._member.nik or ""
        return MemberForm(
            kind=str(self.kind_combo.currentData()), name=self.name_input.text(), nik=nik,
            member_no=self.number_input.text(), address=self.address_input.text(),
            kelurahan_code=self.kelurahan_combo.currentData(), rt=self.rt_input.text(), rw=self.rw_input.text(),
            phone=self.phone_input.text(), join_date=date(joined.year(), joined.month(), joined.day()),
            status=str(self.status_combo.currentData()),
            credit_limit=parse_rupiah(self.credit_limit_input.text() or "0"),
            credit_days=self.credit_days_input.value(),
        )

    @guarded
    def save(self) -> None:
        form = self.form()
        if not form.name.strip():
            raise InvalidInput("Nama wajib diisi (sesuai KTP).")
        moved = self._member is None or (form.kind, form.kelurahan_code) != (self._member.kind,
                                                                             self._member.kelurahan_code)
        if moved and needs_kelurahan_approval(self._ctx, form):
            check_member_form(self._ctx, form, self._member.id if self._member else None)
            subject = kelurahan_approval_subject(form)
            if self._grant is not None and self._grant.subject == subject:
                self._store(form, self._grant)  # approved already; the save failed on something else
                return
            before, after = kelurahan_approval_values(self._ctx, form)
            self.messages.show_info(tr("Kelurahan di luar wilayah gerai: minta persetujuan manajer."))
            self.approval_dialog = ask_approval(self, self._ctx, self._viewer, Action.MEMBER_OUTSIDE_KELURAHAN,
                                                subject, before, after,
                                                lambda grant, sent=form: self._store(sent, grant))
            return
        self._store(form, None)

    @guarded
    def _store(self, form: MemberForm, grant: ApprovalGrant | None) -> None:
        self._grant = grant
        approval_id = grant.id if grant is not None else None
        if self._member is None:
            member = register_member(self._ctx, form, by=self._viewer, approval_id=approval_id)
        else:
            member = update_member(self._ctx, self._member.id, form, by=self._viewer, approval_id=approval_id)
        self.accept()
        self.saved.emit(member)
