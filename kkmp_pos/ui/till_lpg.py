"""The till's elpiji actions: ask the 3 kg buyer before the line is added, warn at a reached limit, limits."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from PySide6.QtWidgets import QDialog, QWidget

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.clock import business_date
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.lpg import LpgBuyerRef, is_subsidised, over_limit
from kkmp_pos.domain.product import Product
from kkmp_pos.domain.quantity import MILLI
from kkmp_pos.domain.roles import APPROVER_ROLES, Role
from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.lpg_buyers import Buyer
from kkmp_pos.services.lpg_limits import load_lpg_limits
from kkmp_pos.services.lpg_sale import bought_by
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.settings import load_settings
from kkmp_pos.ui.cart_model import CartTableModel
from kkmp_pos.ui.lpg_buyer_dialog import LpgBuyerDialog
from kkmp_pos.ui.lpg_limits_dialog import LpgLimitsDialog
from kkmp_pos.ui.messages import MessageBar, guarded


class TillLpgActions:
    """Mixed into TillWidget, which provides the attributes below; kept apart so the till stays one screen."""

    _ctx: PosContext
    _cashier: Cashier
    _clear_armed: bool
    cart_model: CartTableModel
    messages: MessageBar

    def _open_dialog(self, dialog: QDialog) -> bool:
        raise NotImplementedError  # TillWidget's

    def show_exception(self, exc: BaseException) -> None:
        raise NotImplementedError  # TillWidget's

    def focus_scan(self) -> None:
        raise NotImplementedError  # TillWidget's

    def add_product(self, product: Product, qty_milli: int, lpg_buyer: LpgBuyerRef | None = None) -> None:
        raise NotImplementedError  # TillWidget's

    def _lpg_parent(self) -> QWidget:
        return cast(QWidget, self)

    # -- the buyer of a 3 kg line ---------------------------------------------------------------------------

    def ask_lpg_buyer(self, product: Product, qty_milli: int) -> None:
        """A subsidised 3 kg cylinder (scanned, `3*` scanned or picked in search): its buyer first, then the line."""
        if qty_milli % MILLI:
            raise InvalidInput("Elpiji dijual per tabung: ketik jumlah bilangan bulat.")
        if not load_settings(self._ctx).lpg_sub_pangkalan:  # refused at the scan, not only when paid
            raise InvalidInput("Gerai ini bukan sub-pangkalan elpiji 3 kg (Pengaturan → Elpiji): elpiji 3 kg "
                               "bersubsidi tidak dapat dijual di sini. Tawarkan elpiji 5,5 atau 12 kg.")
        dialog = LpgBuyerDialog(self._ctx, product, qty_milli, self._lpg_parent())
        dialog.buyer_chosen.connect(lambda buyer, chosen=product, qty=qty_milli: self._lpg_buyer_chosen(
            chosen, qty, buyer))
        dialog.rejected.connect(lambda: self.messages.show_info(tr("Elpiji 3 kg tidak ditambahkan: data pembeli "
                                                                   "belum diisi.")))
        self._open_dialog(dialog)

    @guarded
    def _lpg_buyer_chosen(self, product: Product, qty_milli: int, buyer: Buyer) -> None:
        self.add_product(product, qty_milli, lpg_buyer=buyer.ref())
        self.warn_lpg_limit(buyer.ref())
        self.focus_scan()

    def warn_lpg_limit(self, buyer: LpgBuyerRef) -> bool:
        """Say at once when this NIK's cylinders (bought today/this month plus in the cart) pass its limit:
        the sale will then need a manager's approval at payment. True when warned."""
        limit = load_lpg_limits(self._ctx).get(buyer.category)
        if limit is None:
            return False
        today, this_month = bought_by(self._ctx, buyer.id, business_date(self._ctx.clock()))
        in_cart = sum(line.qty_milli // MILLI for line in self.cart_model.cart.lines
                      if line.lpg_buyer is not None and line.lpg_buyer.id == buyer.id)
        exceeded = over_limit(limit, bought_today=today, bought_this_month=this_month, buying=in_cart)
        if exceeded is None:
            return False
        if exceeded == "day":
            self.messages.show_warning(tr(
                "Batas elpiji 3 kg NIK {nik}: {limit} tabung per hari, sudah dibeli {bought} hari ini. "
                "Pembayaran perlu persetujuan manajer.", nik=buyer.nik_masked, limit=limit.per_day, bought=today))
        else:
            self.messages.show_warning(tr(
                "Batas elpiji 3 kg NIK {nik}: {limit} tabung per bulan, sudah dibeli {bought} bulan ini. "
                "Pembayaran perlu persetujuan manajer.", nik=buyer.nik_masked, limit=limit.per_month,
                bought=this_month))
        return True

    @guarded
    def ask_missing_lpg_buyers(self) -> None:
        """A recalled cart whose 3 kg line has no buyer: ask for it now, line by line."""
        for row, line in enumerate(self.cart_model.cart.lines):
            if is_subsidised(line.product) and line.lpg_buyer is None:
                dialog = LpgBuyerDialog(self._ctx, line.product, line.qty_milli, self._lpg_parent())
                dialog.buyer_chosen.connect(lambda buyer, changed=row: self._set_line_buyer(changed, buyer))
                dialog.rejected.connect(lambda: self.messages.show_warning(tr(
                    "Elpiji 3 kg di keranjang belum ada data pembelinya: transaksi tidak bisa dibayar. "
                    "Hapus barisnya (F4), lalu pindai lagi.")))
                self._open_dialog(dialog)
                return

    @guarded
    def _set_line_buyer(self, row: int, buyer: Buyer) -> None:
        cart = self.cart_model.cart
        lines = list(cart.lines)
        lines[row] = replace(lines[row], lpg_buyer=buyer.ref())
        self.cart_model.load(Cart(lines=lines, member=cart.member, discount=cart.discount))
        self.messages.show_success(tr("Pembeli elpiji {nik} dicatat.", nik=buyer.ref().nik_masked))
        self.warn_lpg_limit(buyer.ref())
        self.ask_missing_lpg_buyers()
        self.focus_scan()

    # -- limits (manajer, admin) ------------------------------------------------------------------------------

    @guarded
    def open_lpg_limits(self) -> None:
        self._clear_armed = False
        if Role(self._cashier.role) not in APPROVER_ROLES:
            raise InvalidInput("Hanya manajer atau admin yang dapat mengubah batas pembelian elpiji.")
        dialog = LpgLimitsDialog(self._ctx, self._lpg_parent())
        dialog.saved.connect(lambda: self.messages.show_success(tr("Batas pembelian elpiji 3 kg disimpan.")))
        self._open_dialog(dialog)
