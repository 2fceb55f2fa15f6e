"""The till's gated acts and who may sell: voiding scanned goods, cancelling a cart, opening the drawer."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PySide6.QtWidgets import QDialog, QWidget

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.roles import Action, can_sell
from kkmp_pos.domain.sale_rules import CART_SUBJECT
from kkmp_pos.services.approvals import ApprovalGrant, ChangeValues
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.receipts import check_drawer_printer
from kkmp_pos.ui.approval_dialog import ask_approval
from kkmp_pos.ui.cart_model import CartTableModel
from kkmp_pos.ui.messages import guarded
from kkmp_pos.ui.print_jobs import PrintJobs


class TillGateActions:
    """Mixed into TillWidget, which provides the attributes below.

    Taking goods off a scanned cart (a line, part of a line, or the whole cart) and opening the drawer
    without a sale are where cash goes missing at a till, so a kasir needs a manager's PIN for each; a
    manager's own act is recorded without asking again.
    """

    _ctx: PosContext
    _cashier: Cashier
    _print_jobs: PrintJobs
    _clear_armed: bool
    cart_model: CartTableModel

    def _open_dialog(self, dialog: QDialog) -> bool:
        raise NotImplementedError  # TillWidget's

    def show_exception(self, exc: BaseException) -> None:
        raise NotImplementedError  # TillWidget's

    @property
    def cashier(self) -> Cashier:
        """Who is logged in at the till: the sales, approvals and messages are theirs."""
        return self._cashier

    def set_cashier(self, cashier: Cashier) -> None:
        """Another user logged in (switch user, or after the lock screen); the cart stays as it is."""
        self._cashier = cashier
        self._clear_armed = False

    def open_dialog(self, dialog: QDialog) -> bool:
        """Open `dialog` over the till, non-blocking, one at a time; False if another one is open."""
        return self._open_dialog(dialog)

    def require_seller(self) -> None:
        if not can_sell(self._cashier.role):
            raise InvalidInput("{name} masuk sebagai pengawas: hanya dapat melihat, tidak dapat berjualan. Ganti "
                               "pengguna (Ctrl+L) untuk berjualan.", name=self._cashier.full_name)

    def ask_manager(self, action: Action, subject: str | None, before: ChangeValues | None,
                    after: ChangeValues | None, on_approved: Callable[[ApprovalGrant], None]) -> None:
        """ask_approval for the logged-in user, the dialog opened as the till's one dialog."""
        ask_approval(cast(QWidget, self), self._ctx, self._cashier, action, subject, before, after, on_approved,
                     open_dialog=self._open_dialog)

    def void_line(self, row: int, remove: Callable[[int], None]) -> None:
        """Take a scanned line off the cart once approved; `remove(row)` does it."""
        line = self.cart_model.line(row)
        self.ask_manager(Action.VOID_LINE, line.product.sku,
                         {"name": line.product.name, "qty_milli": line.qty_milli, "total": line.total},
                         {"qty_milli": 0, "total": 0}, lambda _grant: remove(row))

    def change_line_quantity(self, row: int, qty_milli: int, apply: Callable[[int, int], None]) -> None:
        """More of a line is just selling; less is voiding part of it, gated like a void."""
        line = self.cart_model.line(row)
        if qty_milli >= line.qty_milli:
            apply(row, qty_milli)
            return
        self.ask_manager(Action.VOID_LINE, line.product.sku,
                         {"name": line.product.name, "qty_milli": line.qty_milli, "total": line.total},
                         {"qty_milli": qty_milli}, lambda _grant: apply(row, qty_milli))

    def cancel_cart(self, clear: Callable[[], None]) -> None:
        """Empty a cart that still has goods on it once approved; `clear()` does it."""
        cart = self.cart_model.cart
        self.ask_manager(Action.CANCEL_CART, CART_SUBJECT, {"lines": len(cart.lines), "total": cart.total},
                         {"lines": 0, "total": 0}, lambda _grant: clear())

    @guarded
    def open_drawer_without_sale(self) -> None:
        """Menu: kick the cash drawer open with no sale (change for a note, a count); approval first."""
        self._clear_armed = False
        self.require_seller()
        check_drawer_printer(self._ctx)  # no printer, no drawer: say so before a manager is called over
        self.ask_manager(Action.OPEN_DRAWER, None, None, None, lambda _grant: self._print_jobs.open_drawer())
