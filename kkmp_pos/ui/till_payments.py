"""The till's money actions: pay (F12) with split tenders and manager approvals, kasbon and QRIS screens."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QLabel, QWidget

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.domain.payment import Payment
from kkmp_pos.domain.roles import ACTION_LABELS, APPROVER_ROLES, Role
from kkmp_pos.domain.sale_rules import Requirement
from kkmp_pos.i18n import tr
from kkmp_pos.services.approval_use import ApprovalRequired
from kkmp_pos.services.approvals import ApprovalGrant
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.kasbon import credit_standing
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.sales import CompletedSale, complete_sale
from kkmp_pos.services.settings import load_settings
from kkmp_pos.ui.approval_dialog import ask_approval
from kkmp_pos.ui.cart_model import CartTableModel
from kkmp_pos.ui.kasbon_dialog import KasbonDialog
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.payment_dialog import PaymentDialog
from kkmp_pos.ui.print_jobs import PrintJobs
from kkmp_pos.ui.qris_dialog import QrisDialog


class TillPaymentActions:
    """Mixed into TillWidget, which provides the attributes below; kept apart so the till stays one screen."""

    _ctx: PosContext
    _cashier: Cashier
    _print_jobs: PrintJobs
    _clear_armed: bool
    cart_model: CartTableModel
    messages: MessageBar
    change_label: QLabel
    last_receipt_label: QLabel
    last_sale: CompletedSale | None
    require_seller: Callable[[], None]
    """TillGateActions': refuses a pengawas."""
    cart_approval_ids: Callable[[], list[str]]
    """TillCartActions': approvals already given for this cart (discount, manual price, HET)."""

    def _open_dialog(self, dialog: QDialog) -> bool:
        raise NotImplementedError  # TillWidget's

    @property
    def active_dialog(self) -> QDialog | None:
        raise NotImplementedError  # TillWidget's

    def focus_scan(self) -> None:
        raise NotImplementedError  # TillWidget's

    def show_exception(self, exc: BaseException) -> None:
        raise NotImplementedError  # TillWidget's

    def _as_widget(self) -> QWidget:
        return cast(QWidget, self)

    # -- paying ---------------------------------------------------------------------------------------------

    @guarded
    def pay(self) -> None:
        """F12: the payment dialog for the cart's total; kasbon shows the attached buyer's balance and limit."""
        self._clear_armed = False
        self.require_seller()
        cart = self.cart_model.cart
        if cart.is_empty():
            raise InvalidInput("Keranjang masih kosong. Pindai barang dulu.")
        credit = credit_standing(self._ctx, cart.member.id) if cart.member else None
        self._open_dialog(PaymentDialog(cart.total, self.complete_payment, self._as_widget(), member=cart.member,
                                        credit=credit, qris_image_path=load_settings(self._ctx).qris_image_path))

    def complete_payment(self, payments: list[Payment]) -> bool:
        """Record the sale (one transaction). False while a manager's approval is asked for: the sale is then
        retried with the approvals, and the payment dialog closed, once every approval is given."""
        return self._record_sale(payments, self.cart_approval_ids())

    def _record_sale(self, payments: list[Payment], approvals: Sequence[str]) -> bool:
        try:
            sale = complete_sale(self._ctx, self.cart_model.cart, payments, cashier_id=self._cashier.id,
                                 approvals=approvals)
        except ApprovalRequired as needed:
            self._ask_approvals(needed.missing, payments, list(approvals))
            return False
        try:
            self._after_sale(sale, payments)
        except Exception as exc:  # noqa: BLE001 - the sale is committed: report, never undo or repeat it
            self.show_exception(exc)
        return True

    def _ask_approvals(self, missing: list[Requirement], payments: list[Payment], granted: list[str]) -> None:
        """One approval dialog per missing requirement, in turn; then the sale again with all the grants."""
        dialog = self.active_dialog
        if not isinstance(dialog, PaymentDialog):
            return
        if not missing:
            self._retry_sale(dialog, payments, granted)
            return
        need, rest = missing[0], missing[1:]

        def approved(grant: ApprovalGrant) -> None:
            # Continue from the event loop: a manager's own authority answers at once, inside this call.
            QTimer.singleShot(0, lambda: self._ask_approvals(rest, payments, [*granted, grant.id]))

        def cancelled() -> None:
            dialog.messages.show_warning(tr("Tidak disetujui: {what}. Hapus pembayaran itu (F8) atau tekan Enter "
                                            "untuk meminta persetujuan lagi.", what=tr(ACTION_LABELS[need.action])))

        dialog.approval_dialog = ask_approval(dialog, self._ctx, self._cashier, need.action, need.subject,
                                              dict(need.before), dict(need.after), approved, on_cancelled=cancelled)

    def _retry_sale(self, dialog: PaymentDialog, payments: list[Payment], granted: list[str]) -> None:
        try:
            if self._record_sale(payments, granted):
                dialog.finish()
        except Exception as exc:  # noqa: BLE001 - shown in the payment dialog, which stays open
            dialog.show_exception(exc)

    def _after_sale(self, sale: CompletedSale, payments: Sequence[Payment]) -> None:
        self.last_sale = sale
        self.cart_model.clear()
        self.change_label.setText(tr("Kembalian {change}", change=format_rupiah(sale.change)))
        self.last_receipt_label.setText(tr("Struk {receipt_no} · total {total} · diterima {tendered}",
                                           receipt_no=sale.receipt_no, total=format_rupiah(sale.total),
                                           tendered=format_rupiah(sum(p.tendered for p in payments))))
        self.messages.show_success(tr("Transaksi {receipt_no} tersimpan. Mencetak struk…",
                                      receipt_no=sale.receipt_no))
        # Only now, after the commit: a printer problem can never cost the sale.
        self._print_jobs.print_receipt(sale.sale_id, sale.receipt_no)
        self.focus_scan()

    # -- kasbon and QRIS screens ------------------------------------------------------------------------------

    @guarded
    def open_kasbon(self) -> None:
        """Kasbon balances, a customer's history, repayments at the till and the aging report."""
        self._clear_armed = False
        member = self.cart_model.cart.member
        self._open_dialog(KasbonDialog(self._ctx, self._cashier, self._print_jobs, self._as_widget(),
                                       member_id=member.id if member else None))

    @guarded
    def open_qris_reconciliation(self) -> None:
        """Managers (and admins) match pending QRIS payments with the QRIS statement."""
        self._clear_armed = False
        if Role(self._cashier.role) not in APPROVER_ROLES:
            raise InvalidInput("Hanya manajer atau admin yang dapat merekonsiliasi pembayaran QRIS.")
        self._open_dialog(QrisDialog(self._ctx, self._cashier, self._as_widget()))
