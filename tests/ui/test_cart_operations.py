"""Cart operations at the till: hold and recall, discounts over the limit, manual prices and HET, returns."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kkmp_pos.domain.clock import business_date
from kkmp_pos.domain.roles import Action
from kkmp_pos.services import ceilings, held_carts, history, refunds
from kkmp_pos.services.auth import login
from kkmp_pos.services.catalog import find_by_barcode
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.demo import DEMO_PINS
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.stock import on_hand
from kkmp_pos.store.models import Approval, JournalEvent
from kkmp_pos.ui.approval_dialog import ApprovalDialog
from kkmp_pos.ui.ceilings_dialog import CeilingsDialog
from kkmp_pos.ui.discount_dialog import DiscountDialog, parse_discount
from kkmp_pos.ui.held_carts_dialog import HeldCartsDialog
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.messages import Level
from kkmp_pos.ui.payment_dialog import PaymentDialog
from kkmp_pos.ui.price_dialog import PriceDialog
from kkmp_pos.ui.returns_dialog import ReturnsDialog
from kkmp_pos.ui.till import TillWidget
from tests.ui.helpers import approve, open_dialog, press, scan, use_file_printer, wait_closed

MINYAKITA, INDOMIE, SUGAR = "8999900000055", "8999900000222", "8999900000093"


def pay_exact(qtbot: QtBot, till: TillWidget) -> str:
    """F12, 'Uang pas', Enter: returns the receipt number."""
    press(qtbot, till, Qt.Key.Key_F12)
    payment = open_dialog(qtbot, till, PaymentDialog)
    qtbot.mouseClick(payment.exact_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(payment.received_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)
    assert till.last_sale is not None
    return till.last_sale.receipt_no


def approve_in(qtbot: QtBot, dialog: ApprovalDialog | None, *, reason: str = "Barang rusak") -> None:
    """A manager approves a dialog opened over another dialog (not the till's own)."""
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClicks(dialog.reason_input, reason)
    qtbot.keyClick(dialog.reason_input, Qt.Key.Key_Return)
    dialog.select_approver("manajer")
    qtbot.keyClicks(dialog.pin_input, "2222")
    qtbot.keyClick(dialog.pin_input, Qt.Key.Key_Return)
    assert dialog.grant is not None, dialog.messages.text()


def test_a_held_cart_is_recalled_after_another_sale(qtbot: QtBot, window: MainWindow, ctx: PosContext) -> None:
    till = window.till
    scan(qtbot, till, f"2*{MINYAKITA}")
    scan(qtbot, till, INDOMIE)
    assert till.total_label.text() == "Rp34.900"

    # F6 with goods in the cart: the label is suggested, Enter parks the cart.
    press(qtbot, till, Qt.Key.Key_F6)
    dialog = open_dialog(qtbot, till, HeldCartsDialog)
    assert dialog.label_input.text() == "10:15 Minyakita 1 L (+1)"
    dialog.label_input.setText("Bu Rina")
    qtbot.keyClick(dialog.label_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)
    assert till.cart_model.rowCount() == 0 and "Bu Rina" in till.messages.text()

    # The next customer buys and pays meanwhile.
    scan(qtbot, till, INDOMIE)
    first = pay_exact(qtbot, till)

    # F6 on an empty cart lists the held carts; Enter brings Bu Rina's back exactly as it was.
    press(qtbot, till, Qt.Key.Key_F6)
    dialog = open_dialog(qtbot, till, HeldCartsDialog)
    assert dialog.held_model.rowCount() == 1 and dialog.selected().label == "Bu Rina"  # type: ignore[union-attr]
    qtbot.keyClick(dialog.label_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)
    assert [line.qty_milli for line in till.cart_model.cart.lines] == [2000, 1000]
    assert till.total_label.text() == "Rp34.900" and till.messages.level is Level.SUCCESS
    assert held_carts.held_carts(ctx) == []
    second = pay_exact(qtbot, till)
    assert [s.receipt_no for s in history.sales_of_day(ctx)] == [second, first]


def test_a_kasir_line_discount_over_five_percent_asks_a_manager(qtbot: QtBot, window: MainWindow,
                                                                ctx: PosContext) -> None:
    till = window.till
    scan(qtbot, till, f"2*{MINYAKITA}")  # Rp31.400

    # 5 % is within a kasir's own limit: no one is asked.
    press(qtbot, till, Qt.Key.Key_F8)
    dialog = open_dialog(qtbot, till, DiscountDialog)
    qtbot.keyClicks(dialog.discount_input, "5%")
    assert dialog.preview_label.text() == "Dari Rp31.400: diskon Rp1.570, menjadi Rp29.830."
    qtbot.keyClick(dialog.discount_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)
    assert till.total_label.text() == "Rp29.830" and till.cart_approvals == []

    # 10 % needs a manager; refused (Esc) puts the 5 % back.
    press(qtbot, till, Qt.Key.Key_F8)
    dialog = open_dialog(qtbot, till, DiscountDialog)
    assert dialog.discount_input.text() == "5%"
    dialog.discount_input.setText("10%")
    qtbot.keyClick(dialog.discount_input, Qt.Key.Key_Return)
    asked = open_dialog(qtbot, till, ApprovalDialog)
    assert asked.action_label.text() == "Diskon melebihi batas" and asked.subject_label.text() == "MGR-MKT-1"
    assert till.total_label.text() == "Rp28.260"
    qtbot.keyClick(asked.reason_input, Qt.Key.Key_Escape)
    wait_closed(qtbot, till)
    assert till.total_label.text() == "Rp29.830" and "Tidak disetujui" in till.messages.text()

    # Asked again and approved: the sale carries the approval, which is spent.
    press(qtbot, till, Qt.Key.Key_F8)
    dialog = open_dialog(qtbot, till, DiscountDialog)
    dialog.discount_input.setText("10%")
    qtbot.keyClick(dialog.discount_input, Qt.Key.Key_Return)
    grant = approve(qtbot, till, reason="Pelanggan tetap")
    assert till.total_label.text() == "Rp28.260"
    assert [a.approval_id for a in till.cart_approvals] == [grant.id]
    receipt_no = pay_exact(qtbot, till)
    with ctx.engine.connect() as connection:
        used_by = connection.execute(select(Approval.used_by).where(Approval.id == grant.id)).scalar_one()
    assert till.last_sale is not None and used_by == till.last_sale.sale_id
    sale = history.load_sale(ctx, till.last_sale.sale_id)
    assert (sale.receipt_no, sale.total, sale.lines[0].line_discount) == (receipt_no, 28_260, 3_140)
    assert till.cart_approvals == []


def test_a_whole_cart_discount_in_rupiah(qtbot: QtBot, window: MainWindow) -> None:
    till = window.till
    scan(qtbot, till, f"10*{INDOMIE}")  # Rp35.000
    press(qtbot, till, Qt.Key.Key_F8)
    dialog = open_dialog(qtbot, till, DiscountDialog)
    dialog.choose_whole_cart()
    qtbot.keyClicks(dialog.discount_input, "1.500")
    qtbot.keyClick(dialog.discount_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)  # Rp1.500 of Rp35.000 is 4,3 %: within the kasir's limit
    assert till.total_label.text() == "Rp33.500"
    assert parse_discount("12,5 %").percent_bp == 1250 and parse_discount("0") is None  # type: ignore[union-attr]


def test_a_manual_price_above_het_needs_two_approvals(qtbot: QtBot, window: MainWindow, ctx: PosContext) -> None:
    till = window.till
    scan(qtbot, till, MINYAKITA)
    press(qtbot, till, Qt.Key.Key_F11)
    dialog = open_dialog(qtbot, till, PriceDialog)
    assert "HET Rp15.700 (Permendag 18/2024" in dialog.ceiling_label.text()
    dialog.price_input.setText("16500")
    assert dialog.warning_label.text() == "Di atas HET Rp15.700: dilarang kecuali disetujui manajer."
    qtbot.keyClick(dialog.price_input, Qt.Key.Key_Return)
    # Two approvals, one dialog after the other: the manual price, then the price above HET.
    first_dialog = open_dialog(qtbot, till, ApprovalDialog)
    approve_in(qtbot, first_dialog, reason="Harga grosir naik")
    first = first_dialog.grant
    qtbot.waitUntil(lambda: isinstance(till.active_dialog, ApprovalDialog) and till.active_dialog is not first_dialog)
    second = approve(qtbot, till, reason="Harga grosir naik")
    assert first is not None
    assert {a.action for a in till.cart_approvals} == {Action.MANUAL_PRICE.value, Action.PRICE_ABOVE_HET.value}
    assert {first.action, second.action} == {Action.MANUAL_PRICE, Action.PRICE_ABOVE_HET}
    assert till.total_label.text() == "Rp16.500"
    pay_exact(qtbot, till)
    assert till.last_sale is not None and till.last_sale.total == 16_500


def test_scanning_a_product_priced_above_its_het_asks_first(qtbot: QtBot, window: MainWindow,
                                                           ctx: PosContext) -> None:
    till = window.till
    today = business_date(ctx.clock())
    # A new HET below the catalogue price (Rp18.000) from today: the catalogue is now wrong.
    ceilings.import_ceilings_csv(ctx, "sku,kind,amount,source,region,effective_from\n"
                                      f"GLA-1,HET,17800,Uji HET gula,Kota Samarinda,{today.isoformat()}\n"
                                      f"GLA-1,HET,17000,Belum berlaku,Kota Samarinda,"
                                      f"{(today + timedelta(days=3)).isoformat()}\n")
    scan(qtbot, till, SUGAR)
    asked = open_dialog(qtbot, till, ApprovalDialog)
    assert asked.action_label.text() == "Harga di atas HET" and asked.subject_label.text() == "GLA-1"
    assert "di atas HET Rp17.800" in till.messages.text()
    qtbot.keyClick(asked.reason_input, Qt.Key.Key_Escape)
    wait_closed(qtbot, till)
    assert till.cart_model.rowCount() == 0  # not approved: not sold

    scan(qtbot, till, SUGAR)
    approve(qtbot, till, reason="Harga pemasok")
    scan(qtbot, till, SUGAR)  # the same line again: its approval already covers it
    assert till.active_dialog is None and till.cart_model.line(0).qty_milli == 2000
    pay_exact(qtbot, till)


def test_a_hap_only_warns(qtbot: QtBot, window: MainWindow) -> None:
    till = window.till
    scan(qtbot, till, SUGAR)  # Rp18.000, HAP Rp17.500
    assert till.cart_model.rowCount() == 1 and till.active_dialog is None
    assert till.messages.level is Level.WARNING
    assert "Di atas HAP Rp17.500 (harga acuan): hanya peringatan" in till.messages.text()
    # A manual price above the HAP: one approval (the manual price), then a warning, never a block.
    press(qtbot, till, Qt.Key.Key_F11)
    dialog = open_dialog(qtbot, till, PriceDialog)
    dialog.price_input.setText("18500")
    qtbot.keyClick(dialog.price_input, Qt.Key.Key_Return)
    grant = approve(qtbot, till, reason="Harga pemasok naik")
    assert grant.action is Action.MANUAL_PRICE and till.total_label.text() == "Rp18.500"
    assert till.messages.level is Level.WARNING and "Harga Gula Pasir 1 kg menjadi Rp18.500" in till.messages.text()


def test_a_partial_return_with_a_manager_approval(qtbot: QtBot, window: MainWindow, ctx: PosContext,
                                                  tmp_path: Path) -> None:
    till = window.till
    scan(qtbot, till, f"3*{MINYAKITA}")
    scan(qtbot, till, INDOMIE)
    receipt_no = pay_exact(qtbot, till)
    oil = find_by_barcode(ctx, MINYAKITA)
    assert oil is not None
    stock_before = on_hand(ctx, [oil.id])[oil.id]

    press(qtbot, till, Qt.Key.Key_F10)
    dialog = open_dialog(qtbot, till, ReturnsDialog)
    qtbot.keyClicks(dialog.receipt_input, receipt_no)  # as the scanner reads the receipt's barcode
    qtbot.keyClick(dialog.receipt_input, Qt.Key.Key_Return)
    assert dialog.sale is not None and dialog.lines_model.rowCount() == 2
    assert dialog.qty_input.hasFocus()

    qtbot.keyClicks(dialog.qty_input, "4")  # more than sold: refused with the numbers
    qtbot.keyClick(dialog.qty_input, Qt.Key.Key_Return)
    assert "paling banyak 3 (terjual 3, sudah diretur 0)" in dialog.messages.text()
    dialog.qty_input.setText("2")
    qtbot.keyClick(dialog.qty_input, Qt.Key.Key_Return)
    assert dialog.total_label.text() == "Total retur Rp31.400"
    qtbot.keyClick(dialog.qty_input, Qt.Key.Key_F12)
    assert "Tulis alasan retur" in dialog.messages.text()  # before any manager is called over
    qtbot.keyClicks(dialog.reason_input, "Kemasan bocor")
    qtbot.keyClick(dialog.reason_input, Qt.Key.Key_F12)
    assert dialog.approval_dialog is not None
    assert dialog.approval_dialog.subject_label.text() == receipt_no
    assert dialog.approval_dialog.reason_input.text() == "Kemasan bocor"  # the cashier's reason, kept
    approve_in(qtbot, dialog.approval_dialog, reason="")
    qtbot.waitUntil(lambda: dialog.last_refund is not None)

    assert dialog.last_refund is not None and dialog.last_refund.refund_no == "LPK-01-R000001"
    assert "Retur LPK-01-R000001 tersimpan: Rp31.400" in dialog.messages.text()
    assert [line.remaining_qty_milli for line in dialog.sale.lines] == [1000, 1000]
    assert on_hand(ctx, [oil.id])[oil.id] == stock_before + 2000
    again = refunds.refundable_sale(ctx, receipt_no)
    assert again.refunded_total == 31_400 and again.refunds[0].method == "tunai"
    with ctx.engine.connect() as connection:
        body = json.loads(connection.execute(select(JournalEvent.body).where(JournalEvent.type == "refund"))
                          .scalar_one())
    assert body["sale_receipt_no"] == receipt_no and body["reason"] == "Kemasan bocor"
    assert verify_journal(ctx.engine) is None
    # The refund slip prints; Ctrl+P prints a copy marked SALINAN.
    slips = tmp_path / "retur.bin"
    use_file_printer(ctx, slips)
    qtbot.keyClick(dialog.qty_input, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: slips.exists() and b"SALINAN" in slips.read_bytes())
    printed = slips.read_bytes()
    assert b"RETUR PENJUALAN" in printed and receipt_no.encode() in printed and b"LPK-01-R000001" in printed
    qtbot.keyClick(dialog.qty_input, Qt.Key.Key_Escape)
    wait_closed(qtbot, till)


def test_the_ceilings_screen_lists_and_imports(qtbot: QtBot, window: MainWindow, ctx: PosContext,
                                               tmp_path: Path) -> None:
    till = window.till
    till.open_ceilings()
    dialog = open_dialog(qtbot, till, CeilingsDialog)
    assert dialog.ceilings_model.rowCount() == 10
    assert not dialog.import_button.isEnabled()  # a kasir looks, a manager imports
    dialog.reject()
    wait_closed(qtbot, till)

    till.set_cashier(login(ctx, "manajer", DEMO_PINS["manajer"]))
    till.open_ceilings()
    dialog = open_dialog(qtbot, till, CeilingsDialog)
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,kind,amount,source,region,effective_from\nGLA-1,HAP,17.900,Uji,Nasional,2027-01-01\n",
                   encoding="utf-8")
    dialog.import_file(str(bad))
    assert dialog.problems_view.isVisibleTo(dialog)
    assert "Baris 2, kolom 'amount'" in dialog.problems_view.toPlainText()
    good = tmp_path / "good.csv"
    good.write_text("sku,kind,amount,source,region,effective_from\nGLA-1,HAP,17900,Uji,Nasional,2027-01-01\n",
                    encoding="utf-8")
    dialog.import_file(str(good))
    assert dialog.messages.text() == "Batas harga diimpor: 1 baru, 0 sudah ada."
    assert dialog.ceilings_model.rowCount() == 11
    upcoming = [dialog.ceilings_model.index(r, 4).data() for r in range(11)]
    assert upcoming.count("Akan berlaku") == 1


def test_recalling_parks_the_current_cart_and_cancelling_a_held_cart_needs_a_manager(
        qtbot: QtBot, window: MainWindow, ctx: PosContext) -> None:
    till = window.till
    scan(qtbot, till, MINYAKITA)
    till.hold_current("Pak Budi")
    scan(qtbot, till, f"3*{INDOMIE}")

    # F6 with goods in the cart, Down to Pak Budi's, F6: the goods on the counter are parked first.
    press(qtbot, till, Qt.Key.Key_F6)
    dialog = open_dialog(qtbot, till, HeldCartsDialog)
    qtbot.keyClick(dialog.label_input, Qt.Key.Key_Down)
    assert dialog.selected().label == "Pak Budi"  # type: ignore[union-attr]
    qtbot.keyClick(dialog.label_input, Qt.Key.Key_F6)
    wait_closed(qtbot, till)
    assert [line.product.sku for line in till.cart_model.cart.lines] == ["MGR-MKT-1"]
    assert [h.label for h in held_carts.held_carts(ctx)] == ["10:15 Indomie Goreng 85 g"]

    # Cancelling a parked cart is cancelling a cart: a manager's PIN, then it is gone.
    press(qtbot, till, Qt.Key.Key_F6)
    dialog = open_dialog(qtbot, till, HeldCartsDialog)
    dialog.label_input.clear()
    qtbot.keyClick(dialog.label_input, Qt.Key.Key_Delete)
    assert dialog.approval_dialog is not None
    assert dialog.approval_dialog.action_label.text() == "Batalkan seluruh transaksi"
    approve_in(qtbot, dialog.approval_dialog, reason="Pembeli batal")
    qtbot.waitUntil(lambda: dialog.held_model.rowCount() == 0)
    assert held_carts.held_carts(ctx) == [] and "dibatalkan" in dialog.messages.text()
    qtbot.keyClick(dialog.label_input, Qt.Key.Key_Escape)
    wait_closed(qtbot, till)
    assert till.cart_model.rowCount() == 1
