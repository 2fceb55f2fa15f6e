"""The till's cart operations: hold/recall (F6), discounts (F8), manual price (F11), returns (F10), ceilings.

A change that needs a manager (a discount over the user's limit, a manual price, a price above HET) is
applied, then approved at once; the approval ids stay with the cart and go to complete_sale when it is paid.
If the manager does not approve, the cart goes back to how it was before the change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QTableView, QWidget

from kkmp_pos.domain.cart import Cart, Discount
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.domain.roles import ACTION_LABELS, Action
from kkmp_pos.domain.sale_rules import CART_SUBJECT, Requirement
from kkmp_pos.i18n import tr
from kkmp_pos.services.approvals import ApprovalGrant
from kkmp_pos.services.cart_checks import CartApproval, cart_requirements, missing_approvals
from kkmp_pos.services.ceilings import ceiling_for
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.held_carts import default_label, hold_cart, recall_cart
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.ui.approval_dialog import ask_approval
from kkmp_pos.ui.cart_model import CartTableModel
from kkmp_pos.ui.ceilings_dialog import CeilingsDialog
from kkmp_pos.ui.discount_dialog import WHOLE_CART, DiscountDialog
from kkmp_pos.ui.held_carts_dialog import HeldCartsDialog
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.price_dialog import PriceDialog, ceiling_warning
from kkmp_pos.ui.print_jobs import PrintJobs
from kkmp_pos.ui.returns_dialog import ReturnsDialog
from kkmp_pos.ui.widgets import select_row, selected_row


def _snapshot(cart: Cart) -> Cart:
    """A copy to go back to: lines are immutable values, so copying the list is enough."""
    return Cart(lines=list(cart.lines), member=cart.member, discount=cart.discount)


class TillCartActions:
    """Mixed into TillWidget, which provides the attributes below; kept apart so the till stays one screen."""

    _ctx: PosContext
    _cashier: Cashier
    _print_jobs: PrintJobs
    _clear_armed: bool
    cart_model: CartTableModel
    cart_view: QTableView
    messages: MessageBar
    cart_approvals: list[CartApproval]
    """Approvals given for the cart being rung up; spent by complete_sale, forgotten when the cart empties."""
    require_seller: Callable[[], None]

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

    # -- approvals held by the cart -------------------------------------------------------------------------

    def cart_snapshot(self) -> Cart:
        return _snapshot(self.cart_model.cart)

    def cart_approval_ids(self) -> list[str]:
        return [approval.approval_id for approval in self.cart_approvals]

    def forget_cart_approvals_if_empty(self) -> None:
        """An emptied cart (paid, cancelled, parked) takes its approvals with it: never reused on the next."""
        if self.cart_model.cart.is_empty():
            self.cart_approvals.clear()

    def _drop_approvals(self, action: Action, subject: str) -> None:
        """A changed discount or price needs approving again: the old approval was for the old value."""
        self.cart_approvals[:] = [a for a in self.cart_approvals
                                  if (a.action, a.subject) != (action.value, subject)]

    def _approve_change(self, before: Cart, wanted: Callable[[Requirement], bool], done: str, *,
                        warn: bool = False) -> None:
        """Ask for every approval the changed cart lacks (those `wanted` selects), one after the other;
        keep the change when all are given (then say `done`, as a warning if `warn`), go back to `before`
        when one is not."""
        needs = cart_requirements(self._ctx, self.cart_model.cart, self._cashier.role)
        missing = [need for need in missing_approvals(needs, self.cart_approvals) if wanted(need)]
        self._ask_next(missing, [], before, done, warn)

    def _ask_next(self, missing: list[Requirement], granted: list[CartApproval], before: Cart, done: str,
                  warn: bool) -> None:
        if not missing:
            self.cart_approvals.extend(granted)
            (self.messages.show_warning if warn else self.messages.show_success)(done)
            self.focus_scan()
            return
        need, rest = missing[0], missing[1:]

        def approved(grant: ApprovalGrant) -> None:
            approval = CartApproval(need.action.value, need.subject, grant.id)
            # From the event loop: a manager's own authority answers at once, inside ask_approval.
            QTimer.singleShot(0, lambda: self._ask_next(rest, [*granted, approval], before, done, warn))

        def cancelled() -> None:
            self._restore(before)
            self.messages.show_warning(tr("Tidak disetujui: {what} ({subject}). Keranjang kembali seperti "
                                          "sebelumnya.", what=tr(ACTION_LABELS[need.action]), subject=need.subject))

        try:
            dialog = ask_approval(self._as_widget(), self._ctx, self._cashier, need.action, need.subject,
                                  dict(need.before), dict(need.after), approved, open_dialog=self._open_dialog,
                                  on_cancelled=cancelled)
        except Exception:
            self._restore(before)
            raise
        if dialog is not None and self.active_dialog is not dialog:
            self._restore(before)  # another window was in the way: nothing may stay unapproved
            raise InvalidInput("Tutup dulu jendela yang terbuka, lalu ulangi.")

    def _restore(self, before: Cart) -> None:
        """Back to `before`, keeping the cashier's place in the cart (the next F8/F11 acts on the same line)."""
        row = selected_row(self.cart_view)
        self.cart_model.load(before)
        if self.cart_model.rowCount():
            select_row(self.cart_view, max(0, min(row, self.cart_model.rowCount() - 1)))

    # -- a price above its HET when scanned -----------------------------------------------------------------

    def check_scanned_price(self, row: int, before: Cart) -> None:
        """A product priced above its HET (a catalogue error) needs a manager before it may stay in the cart;
        above a HAP the cashier is only warned."""
        line = self.cart_model.line(row)
        ceiling = ceiling_for(self._ctx, line.product)
        warning = ceiling_warning(line.unit_price, ceiling)
        if not warning:
            return
        if ceiling is not None and ceiling.kind == "HAP":
            self.messages.show_warning(f"{line.product.name}: {warning}")
            return
        self.messages.show_warning(tr("{name} berharga {price}, di atas HET {het}: perlu persetujuan manajer.",
                                      name=line.product.name, price=format_rupiah(line.unit_price),
                                      het=format_rupiah(ceiling.amount if ceiling else 0)))
        sku = line.product.sku
        self._approve_change(before, lambda need: (need.action, need.subject) == (Action.PRICE_ABOVE_HET, sku),
                             tr("Disetujui: {name} dijual di atas HET.", name=line.product.name))

    # -- discounts (F8) -------------------------------------------------------------------------------------

    @guarded
    def open_discount(self) -> None:
        self._clear_armed = False
        self.require_seller()
        if self.cart_model.cart.is_empty():
            raise InvalidInput("Keranjang masih kosong. Pindai barang dulu.")
        dialog = DiscountDialog(self.cart_model.cart, selected_row(self.cart_view), self._cashier.role,
                                self._as_widget())
        dialog.discount_chosen.connect(self._discount_chosen)
        self._open_dialog(dialog)

    @guarded
    def _discount_chosen(self, target: int, discount: Discount | None) -> None:
        before = _snapshot(self.cart_model.cart)
        if target == WHOLE_CART:
            subject = CART_SUBJECT
            self.cart_model.set_cart_discount(discount)
        else:
            subject = self.cart_model.line(target).product.sku
            self.cart_model.set_line_discount(target, discount)
            select_row(self.cart_view, target)
        self._drop_approvals(Action.DISCOUNT_OVER_LIMIT, subject)
        done = tr("Diskon dihapus.") if discount is None else tr(
            "Diskon diberikan: total sekarang {total}.", total=format_rupiah(self.cart_model.cart.total))
        self._approve_change(before, lambda need: (need.action, need.subject) == (Action.DISCOUNT_OVER_LIMIT,
                                                                                   subject), done)

    # -- manual price (F11) ---------------------------------------------------------------------------------

    @guarded
    def open_price_change(self) -> None:
        self._clear_armed = False
        self.require_seller()
        row = selected_row(self.cart_view)
        if row < 0 or row >= self.cart_model.rowCount():
            raise InvalidInput("Pilih dulu baris di keranjang (panah atas/bawah).")
        line = self.cart_model.line(row)
        dialog = PriceDialog(line, ceiling_for(self._ctx, line.product), self._as_widget())
        dialog.price_chosen.connect(lambda price, changed=row: self._price_chosen(changed, price))
        self._open_dialog(dialog)

    @guarded
    def _price_chosen(self, row: int, price: int) -> None:
        before = _snapshot(self.cart_model.cart)
        line = self.cart_model.line(row)
        sku = line.product.sku
        self.cart_model.set_price(row, price)
        select_row(self.cart_view, row)
        self._drop_approvals(Action.MANUAL_PRICE, sku)
        ceiling = ceiling_for(self._ctx, line.product)
        hap_warning = ceiling_warning(price, ceiling) if ceiling is not None and ceiling.kind == "HAP" else ""
        done = tr("Harga {name} menjadi {price}.", name=line.product.name, price=format_rupiah(price))
        self._approve_change(before, lambda need: need.subject == sku and need.action in (
            Action.MANUAL_PRICE, Action.PRICE_ABOVE_HET), f"{done} {hap_warning}".strip(), warn=bool(hap_warning))

    # -- hold and recall (F6) -------------------------------------------------------------------------------

    @guarded
    def hold_or_recall(self) -> None:
        self._clear_armed = False
        self.require_seller()
        cart = self.cart_model.cart
        dialog = HeldCartsDialog(self._ctx, self._cashier, cart_has_goods=not cart.is_empty(),
                                 default_label=default_label(cart, self._ctx.clock()) if cart.lines else "",
                                 parent=self._as_widget())
        dialog.hold_requested.connect(self.hold_current)
        dialog.recall_requested.connect(self.recall_held)
        self._open_dialog(dialog)

    @guarded
    def hold_current(self, label: str = "") -> None:
        held = hold_cart(self._ctx, self.cart_model.cart, cashier_id=self._cashier.id, label=label,
                         approval_ids=self.cart_approval_ids())
        self.cart_model.clear()
        self.messages.show_success(tr("Transaksi ditahan: {label} ({total}). Tekan F6 untuk memanggilnya lagi.",
                                      label=held.label, total=format_rupiah(held.total)))
        self.focus_scan()

    @guarded
    def recall_held(self, held_id: str) -> None:
        """Bring a parked cart back; goods still in the cart are parked first, so nothing is lost."""
        if not self.cart_model.cart.is_empty():
            hold_cart(self._ctx, self.cart_model.cart, cashier_id=self._cashier.id,
                      approval_ids=self.cart_approval_ids())
            self.cart_model.clear()
        recalled = recall_cart(self._ctx, held_id)
        self.cart_model.load(recalled.cart)
        self.cart_approvals[:] = recalled.approvals
        if self.cart_model.rowCount():
            select_row(self.cart_view, self.cart_model.rowCount() - 1)
        if recalled.notices:
            self.messages.show_warning(" ".join([tr("Transaksi {label} dipanggil.", label=recalled.label),
                                                 *recalled.notices]))
        else:
            self.messages.show_success(tr("Transaksi {label} dipanggil.", label=recalled.label))
        self.focus_scan()

    # -- returns (F10) and the ceilings screen --------------------------------------------------------------

    @guarded
    def open_returns(self) -> None:
        self._clear_armed = False
        self.require_seller()
        dialog = ReturnsDialog(self._ctx, self._cashier, self._print_jobs, self._as_widget())
        dialog.refund_completed.connect(
            lambda done: self.messages.show_success(tr("Retur {refund_no} tersimpan ({amount}).",
                                                       refund_no=done.refund_no, amount=format_rupiah(done.total))))
        self._open_dialog(dialog)

    @guarded
    def open_ceilings(self) -> None:
        self._clear_armed = False
        self._open_dialog(CeilingsDialog(self._ctx, self._cashier, self._as_widget()))
