"""The till's member actions: attach a member by card, number or name (F7), the member list and simpanan."""

from __future__ import annotations

from typing import cast

from PySide6.QtWidgets import QDialog, QLabel, QWidget

from kkmp_pos.domain.member import ANGGOTA
from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.members import Member, get_member, member_for_sale
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.ui.cart_model import CartTableModel
from kkmp_pos.ui.member_picker import MemberPicker
from kkmp_pos.ui.members_dialog import MembersDialog
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.print_jobs import PrintJobs
from kkmp_pos.ui.savings_dialog import SavingsDialog


class TillMemberActions:
    """Mixed into TillWidget, which provides the attributes below; kept apart so the till stays one screen."""

    _ctx: PosContext
    _cashier: Cashier
    _print_jobs: PrintJobs
    _clear_armed: bool
    cart_model: CartTableModel
    messages: MessageBar
    member_label: QLabel

    def _open_dialog(self, dialog: QDialog) -> bool:
        raise NotImplementedError  # TillWidget's

    def show_exception(self, exc: BaseException) -> None:
        raise NotImplementedError  # TillWidget's

    def show_member(self) -> None:
        """The side panel says who the sale is for; it follows the cart (a new sale starts non-member)."""
        member = self.cart_model.cart.member
        if member is None:
            self.member_label.setText(tr("Non-anggota"))
        elif member.kind == ANGGOTA:
            self.member_label.setText(tr("Anggota: {name} ({member_no})", name=member.name,
                                         member_no=member.member_no))
        else:
            self.member_label.setText(tr("Pelanggan: {name} ({member_no})", name=member.name,
                                         member_no=member.member_no))

    @guarded
    def open_member_picker(self) -> None:
        """F7: attach a member (member prices) or a named customer to this sale, or take them off."""
        self._clear_armed = False
        picker = MemberPicker(self._ctx, self._cashier, self._as_parent(), attached=self.cart_model.cart.member)
        picker.member_chosen.connect(self.attach_member)
        picker.member_cleared.connect(self.detach_member)
        self._open_dialog(picker)

    @guarded
    def attach_member_number(self, member_no: str) -> None:
        """A scanned card or typed number; an unknown or inactive one is refused and nothing changes."""
        self.attach_member(member_for_sale(self._ctx, member_no))

    @guarded
    def attach_member(self, member: Member) -> None:
        self.cart_model.set_member(member.ref())
        if member.kind == ANGGOTA:
            self.messages.show_success(tr("Anggota {name} ({member_no}) dipasang: harga anggota berlaku.",
                                          name=member.name, member_no=member.member_no))
        else:
            self.messages.show_success(tr("Pelanggan {name} ({member_no}) dipasang.", name=member.name,
                                          member_no=member.member_no))

    @guarded
    def detach_member(self) -> None:
        self.cart_model.set_member(None)
        self.messages.show_info(tr("Transaksi tanpa anggota: harga biasa berlaku."))

    @guarded
    def open_members(self) -> None:
        self._clear_armed = False
        self._open_dialog(MembersDialog(self._ctx, self._cashier, self._print_jobs, self._as_parent()))

    @guarded
    def open_savings(self) -> None:
        """Simpanan of the member attached to the sale, or of one chosen now."""
        self._clear_armed = False
        attached = self.cart_model.cart.member
        if attached is not None:
            self._open_savings_for(get_member(self._ctx, attached.id))
            return
        picker = MemberPicker(self._ctx, self._cashier, self._as_parent(), for_sale=False)
        picker.setWindowTitle(tr("Simpanan: pilih anggota"))
        picker.member_chosen.connect(self._open_savings_for)
        self._open_dialog(picker)

    @guarded
    def _open_savings_for(self, member: Member) -> None:
        self._open_dialog(SavingsDialog(self._ctx, self._cashier, self._print_jobs, member, self._as_parent()))

    def _as_parent(self) -> QWidget:
        """The TillWidget this is mixed into: dialogs open over it."""
        return cast(QWidget, self)
