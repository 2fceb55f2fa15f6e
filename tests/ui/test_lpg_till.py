"""Elpiji at the till: the 3 kg buyer dialog (new, remembered, member card, refused), 12 kg without it, limits."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from kkmp_pos.domain.clock import business_date
from kkmp_pos.domain.lpg import Limit
from kkmp_pos.domain.member import MemberForm
from kkmp_pos.services import history, members
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.demo import DEMO_PINS
from kkmp_pos.services.lpg_buyers import BuyerForm, find_buyer, save_buyer
from kkmp_pos.services.lpg_limits import load_lpg_limits, save_lpg_limits
from kkmp_pos.services.lpg_sale import bought_by
from kkmp_pos.store.models import Approval, LpgSaleLine
from kkmp_pos.ui.approval_dialog import ApprovalDialog
from kkmp_pos.ui.cart_model import NAME
from kkmp_pos.ui.held_carts_dialog import HeldCartsDialog
from kkmp_pos.ui.lpg_buyer_dialog import LpgBuyerDialog
from kkmp_pos.ui.lpg_limits_dialog import LpgLimitsDialog
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.messages import Level
from kkmp_pos.ui.payment_dialog import PaymentDialog
from kkmp_pos.ui.till import TillWidget
from tests.services.test_kasbon import user
from tests.ui.helpers import open_dialog, press, scan, wait_closed

REFILL_3KG, REFILL_12KG = "8999900000420", "8999900000451"
NIK = "6472054101900001"
LEMPAKE = "64.72.05.1003"


def enter(qtbot: QtBot, dialog: LpgBuyerDialog) -> None:
    """Enter where the cursor is in the buyer dialog."""
    qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Return)


def type_nik(qtbot: QtBot, dialog: LpgBuyerDialog, text: str) -> None:
    assert dialog.nik_input.hasFocus()
    qtbot.keyClicks(dialog.nik_input, text)
    enter(qtbot, dialog)


def choose_category(dialog: LpgBuyerDialog, category: str) -> None:
    dialog.category_combo.setCurrentIndex(dialog.category_combo.findData(category))


def pay_cash(qtbot: QtBot, till: TillWidget) -> PaymentDialog:
    press(qtbot, till, Qt.Key.Key_F12)
    payment = open_dialog(qtbot, till, PaymentDialog)
    qtbot.mouseClick(payment.note_buttons[100_000], Qt.MouseButton.LeftButton)
    qtbot.keyClick(payment.received_input, Qt.Key.Key_Return)
    return payment


def logbook_rows(ctx: PosContext) -> int:
    with ctx.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(LpgSaleLine)).scalar_one())


def test_a_new_buyer_is_registered_then_remembered_by_nik(qtbot: QtBot, window: MainWindow,
                                                          ctx: PosContext) -> None:
    till = window.till
    scan(qtbot, till, REFILL_3KG)
    dialog = open_dialog(qtbot, till, LpgBuyerDialog)
    assert till.cart_model.rowCount() == 0  # nothing added before the buyer is known

    type_nik(qtbot, dialog, "6472 0541.0190-0001")
    assert "belum terdaftar" in dialog.messages.text()
    assert dialog.nik_input.text() == "6472********0001"  # masked once typed
    assert dialog.name_input.hasFocus()
    qtbot.keyClicks(dialog.name_input, "Siti Aminah")
    dialog.address_input.setFocus()
    qtbot.keyClicks(dialog.address_input, "Jl. Lempake 7 RT 3")
    choose_category(dialog, "rumah_tangga")
    enter(qtbot, dialog)
    wait_closed(qtbot, till)

    buyer = find_buyer(ctx, NIK)
    assert buyer is not None and (buyer.name, buyer.category) == ("Siti Aminah", "rumah_tangga")
    line = till.cart_model.cart.lines[0]
    assert line.lpg_buyer == buyer.ref() and line.qty_milli == 1000
    assert till.cart_model.index(0, NAME).data().endswith("6472********0001 (Rumah tangga)")
    pay_cash(qtbot, till)
    wait_closed(qtbot, till)
    assert till.last_sale is not None

    # The same NIK again, two cylinders: the form fills from memory and Enter adds the line.
    scan(qtbot, till, f"2*{REFILL_3KG}")
    dialog = open_dialog(qtbot, till, LpgBuyerDialog)
    type_nik(qtbot, dialog, NIK)
    assert (dialog.name_input.text(), dialog.address_input.text(), dialog.category) == (
        "Siti Aminah", "Jl. Lempake 7 RT 3", "rumah_tangga")
    assert "sudah terdaftar" in dialog.messages.text() and dialog.nik_input.text() == "6472********0001"
    enter(qtbot, dialog)
    wait_closed(qtbot, till)
    line = till.cart_model.cart.lines[0]
    assert line.lpg_buyer == buyer.ref() and line.qty_milli == 2000
    pay_cash(qtbot, till)
    wait_closed(qtbot, till)

    assert logbook_rows(ctx) == 2  # one logbook row per 3 kg sale line
    assert bought_by(ctx, buyer.id, business_date(ctx.clock())) == (3, 3)


def test_a_member_card_scanned_into_the_nik_field_fills_the_buyer(qtbot: QtBot, window: MainWindow,
                                                                   ctx: PosContext) -> None:
    member = members.register_member(ctx, MemberForm(
        kind="anggota", name="Siti Aminah", nik=NIK, address="Jl. Lempake 7", kelurahan_code=LEMPAKE),
        by=user(ctx, "manajer"))
    till = window.till
    scan(qtbot, till, REFILL_3KG)
    dialog = open_dialog(qtbot, till, LpgBuyerDialog)
    type_nik(qtbot, dialog, member.member_no)
    assert dialog.name_input.text() == "Siti Aminah" and dialog.category == "rumah_tangga"
    assert dialog.nik_input.text() == "6472********0001"
    enter(qtbot, dialog)
    wait_closed(qtbot, till)
    buyer = find_buyer(ctx, NIK)
    assert buyer is not None and buyer.member_id == member.id
    assert till.cart_model.cart.lines[0].lpg_buyer == buyer.ref()


def test_a_gerai_that_is_no_sub_pangkalan_refuses_the_3kg_scan_and_sells_12kg(qtbot: QtBot, window: MainWindow,
                                                                            ctx: PosContext) -> None:
    from dataclasses import replace

    from kkmp_pos.services.settings import load_settings, save_settings

    save_settings(ctx, replace(load_settings(ctx), lpg_sub_pangkalan=False))
    till = window.till
    scan(qtbot, till, REFILL_3KG)
    assert till.active_dialog is None and till.cart_model.rowCount() == 0  # no NIK asked, nothing added
    assert "bukan sub-pangkalan" in till.messages.text()
    scan(qtbot, till, REFILL_12KG)
    assert till.cart_model.rowCount() == 1


def test_a_12kg_refill_is_added_without_asking_a_nik(qtbot: QtBot, window: MainWindow) -> None:
    till = window.till
    scan(qtbot, till, REFILL_12KG)
    assert till.active_dialog is None
    line = till.cart_model.cart.lines[0]
    assert line.product.sku == "LPG-12-ISI" and line.lpg_buyer is None
    assert till.scan_input.hasFocus()


def test_an_invalid_nik_and_a_missing_nib_are_refused_in_the_dialog(qtbot: QtBot, window: MainWindow,
                                                                    ctx: PosContext) -> None:
    till = window.till
    scan(qtbot, till, REFILL_3KG)
    dialog = open_dialog(qtbot, till, LpgBuyerDialog)
    type_nik(qtbot, dialog, "6472 0541 0190")
    assert dialog.messages.level is Level.WARNING and "NIK" in dialog.messages.text()
    assert dialog.name_input.text() == "" and dialog.isVisible()

    dialog.nik_input.clear()
    type_nik(qtbot, dialog, NIK)
    qtbot.keyClicks(dialog.name_input, "Warung Bu Rini")
    dialog.address_input.setFocus()
    qtbot.keyClicks(dialog.address_input, "Jl. Lempake 9")
    enter(qtbot, dialog)
    assert "Pilih kategori" in dialog.messages.text()
    choose_category(dialog, "usaha_mikro")
    assert dialog.nib_input.isEnabled() and not dialog.listed_check.isEnabled()
    enter(qtbot, dialog)
    assert "wajib mengisi NIB" in dialog.messages.text() and dialog.isVisible()
    assert find_buyer(ctx, NIK) is None and till.cart_model.rowCount() == 0

    qtbot.keyClick(dialog.address_input, Qt.Key.Key_Escape)
    wait_closed(qtbot, till)
    assert till.cart_model.rowCount() == 0 and find_buyer(ctx, NIK) is None


def test_over_the_daily_limit_the_payment_waits_for_a_manager(qtbot: QtBot, window: MainWindow,
                                                              ctx: PosContext) -> None:
    save_lpg_limits(ctx, {"rumah_tangga": Limit(per_day=1)})
    save_buyer(ctx, BuyerForm(nik=NIK, name="Siti Aminah", address="Jl. Lempake 7", category="rumah_tangga"))
    till = window.till
    scan(qtbot, till, REFILL_3KG)
    dialog = open_dialog(qtbot, till, LpgBuyerDialog)
    type_nik(qtbot, dialog, NIK)
    enter(qtbot, dialog)
    wait_closed(qtbot, till)
    assert till.messages.level is not Level.WARNING  # the first of the day is within the limit
    pay_cash(qtbot, till)
    wait_closed(qtbot, till)
    first = till.last_sale
    assert first is not None

    scan(qtbot, till, REFILL_3KG)
    dialog = open_dialog(qtbot, till, LpgBuyerDialog)
    type_nik(qtbot, dialog, NIK)
    enter(qtbot, dialog)
    wait_closed(qtbot, till)
    assert till.messages.level is Level.WARNING and "1 tabung per hari" in till.messages.text()

    payment = pay_cash(qtbot, till)
    qtbot.waitUntil(lambda: isinstance(payment.approval_dialog, ApprovalDialog)
                    and payment.approval_dialog.isVisible())
    approval = payment.approval_dialog
    assert isinstance(approval, ApprovalDialog)
    assert "melebihi batas per NIK" in approval.action_label.text()
    assert approval.subject_label.text() == "6472********0001"
    assert len(history.sales_of_day(ctx)) == 1
    qtbot.keyClicks(approval.reason_input, "tabung kedua untuk warung")
    qtbot.keyClick(approval.reason_input, Qt.Key.Key_Return)
    approval.select_approver("manajer")
    qtbot.keyClicks(approval.pin_input, DEMO_PINS["manajer"])
    qtbot.keyClick(approval.pin_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)

    second = till.last_sale
    assert second is not None and second.sale_id != first.sale_id
    with ctx.engine.connect() as connection:
        used = connection.execute(select(Approval.outcome, Approval.used_by)
                                  .where(Approval.action == "lpg_over_limit")).one()
    assert tuple(used) == ("approved", second.sale_id)
    assert logbook_rows(ctx) == 2


def test_limits_are_set_by_a_manager_and_a_negative_one_is_refused(qtbot: QtBot, window: MainWindow,
                                                                   ctx: PosContext) -> None:
    till = window.till
    till.open_lpg_limits()  # the kasir may not
    assert till.active_dialog is None and "Hanya manajer atau admin" in till.messages.text()
    assert not window.lpg_limits_action.isEnabled()

    dialog = LpgLimitsDialog(ctx, till)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.day_inputs["rumah_tangga"], "-1")
    qtbot.keyClick(dialog.day_inputs["rumah_tangga"], Qt.Key.Key_Return)
    assert "tidak boleh negatif" in dialog.messages.text() and dialog.isVisible()
    assert load_lpg_limits(ctx) == {}

    dialog.day_inputs["rumah_tangga"].setText("1")
    qtbot.keyClicks(dialog.month_inputs["rumah_tangga"], "15")
    qtbot.keyClicks(dialog.month_inputs["pengecer"], "dua")
    qtbot.keyClick(dialog.month_inputs["pengecer"], Qt.Key.Key_Return)
    assert "bilangan bulat" in dialog.messages.text() and load_lpg_limits(ctx) == {}
    dialog.month_inputs["pengecer"].clear()
    with qtbot.waitSignal(dialog.saved):
        qtbot.keyClick(dialog.month_inputs["rumah_tangga"], Qt.Key.Key_Return)
    assert load_lpg_limits(ctx) == {"rumah_tangga": Limit(per_day=1, per_month=15)}


def test_a_recalled_3kg_line_keeps_its_buyer(qtbot: QtBot, window: MainWindow, ctx: PosContext) -> None:
    buyer = save_buyer(ctx, BuyerForm(nik=NIK, name="Siti Aminah", address="Jl. Lempake 7",
                                      category="rumah_tangga"))
    till = window.till
    scan(qtbot, till, REFILL_3KG)
    dialog = open_dialog(qtbot, till, LpgBuyerDialog)
    type_nik(qtbot, dialog, NIK)
    enter(qtbot, dialog)
    wait_closed(qtbot, till)
    press(qtbot, till, Qt.Key.Key_F6)
    held = open_dialog(qtbot, till, HeldCartsDialog)
    qtbot.keyClick(held.label_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)
    assert till.cart_model.rowCount() == 0

    press(qtbot, till, Qt.Key.Key_F6)
    held = open_dialog(qtbot, till, HeldCartsDialog)
    qtbot.keyClick(held.label_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)  # the held cart kept the buyer: no buyer dialog on recall
    # The held cart stores only the masked NIK (no whole NIK in the database); the sale needs the buyer id.
    assert [(b.id, b.nik, b.name, b.category) for b in (line.lpg_buyer for line in till.cart_model.cart.lines)
            if b is not None] == [(buyer.id, buyer.ref().nik_masked, buyer.name, buyer.category)]
    pay_cash(qtbot, till)
    wait_closed(qtbot, till)
    assert logbook_rows(ctx) == 1
