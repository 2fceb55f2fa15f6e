"""Paying at the till: split cash + QRIS for a member, kasbon over the limit approved by a manager, bad tenders."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kkmp_pos.domain.member import MemberForm
from kkmp_pos.services import history, kasbon, members
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.demo import DEMO_PINS
from kkmp_pos.services.members import Member
from kkmp_pos.services.receipts import receipt_preview
from kkmp_pos.services.settings import load_settings, save_settings
from kkmp_pos.store.models import Approval, CreditEntry
from kkmp_pos.store.models import Payment as PaymentRow
from kkmp_pos.ui.approval_dialog import ApprovalDialog
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.messages import Level
from kkmp_pos.ui.payment_dialog import PaymentDialog
from kkmp_pos.ui.till import TillWidget
from tests.services.test_kasbon import user
from tests.ui.helpers import open_dialog, open_settings_as_admin, press, scan, use_file_printer, wait_closed

MINYAKITA = "8999900000055"  # Rp15.700, members Rp15.500
LEMPAKE = "64.72.05.1003"


def register(ctx: PosContext, *, kind: str = "anggota", limit: int = 0) -> Member:
    """Registered by the manager, who alone sets kasbon limits."""
    return members.register_member(ctx, MemberForm(
        kind=kind, name="Siti Aminah", nik="6472054101900001" if kind == "anggota" else "",
        address="Jl. Lempake 7", kelurahan_code=LEMPAKE, credit_limit=limit, credit_days=14),
        by=user(ctx, "manajer"))


def ring_up(qtbot: QtBot, till: TillWidget, member: Member | None, pieces: int) -> PaymentDialog:
    """Scan the member card and the goods, then F12."""
    if member is not None:
        scan(qtbot, till, member.member_no)
        assert till.cart_model.cart.member is not None
    scan(qtbot, till, f"{pieces}*{MINYAKITA}")
    press(qtbot, till, Qt.Key.Key_F12)
    return open_dialog(qtbot, till, PaymentDialog)


def key(qtbot: QtBot, dialog: PaymentDialog, which: Qt.Key) -> None:
    """A key pressed in the payment dialog, where the cursor is."""
    focused = dialog.focusWidget() or dialog
    qtbot.keyClick(focused, which)


def payments_of(ctx: PosContext, sale_id: str) -> list[tuple[object, ...]]:
    with ctx.engine.connect() as connection:
        rows = connection.execute(
            select(PaymentRow.method, PaymentRow.amount, PaymentRow.tendered, PaymentRow.change,
                   PaymentRow.reference, PaymentRow.status)
            .where(PaymentRow.sale_id == sale_id).order_by(PaymentRow.method)).all()
    return [tuple(row) for row in rows]


def pair(left: str, right: str) -> str:
    return left + right.rjust(32 - len(left))


def test_a_member_pays_part_by_qris_and_the_rest_in_cash(qtbot: QtBot, window: MainWindow, ctx: PosContext,
                                                         tmp_path: Path) -> None:
    printer = tmp_path / "printer.bin"
    use_file_printer(ctx, printer)
    siti = register(ctx)
    till = window.till
    payment = ring_up(qtbot, till, siti, 3)  # 3 x Rp15.500 member price
    assert payment.total_label.text() == "Rp46.500"
    assert siti.member_no in payment.buyer_label.text()
    assert payment.remaining_label.text() == "Sisa Rp46.500"
    assert payment.received_input.hasFocus() and not payment.confirm_button.isEnabled()

    key(qtbot, payment, Qt.Key.Key_F2)  # QRIS: the amount starts at what remains, the cursor on the reference
    assert payment.method == "qris" and payment.tender_form.amount_input.text() == "46.500"
    assert "belum diatur" in payment.tender_form.qris_image.text()  # no QRIS image set: says where to set it
    assert payment.tender_form.reference_input.hasFocus()
    qtbot.keyClick(payment.tender_form.reference_input, Qt.Key.Key_Return)  # no reference: refused, nothing added
    assert "referensi QRIS" in payment.messages.text() and payment.tenders == []
    payment.tender_form.amount_input.setText("20000")
    qtbot.keyClicks(payment.tender_form.reference_input, "QR-3011-0042")
    qtbot.keyClick(payment.tender_form.reference_input, Qt.Key.Key_Return)
    assert [(p.method, p.amount, p.reference) for p in payment.tenders] == [("qris", 20_000, "QR-3011-0042")]
    assert payment.tender_model.index(0, 2).data() == "Ref: QR-3011-0042 · menunggu verifikasi"
    assert payment.remaining_label.text() == "Sisa Rp26.500"
    assert payment.method == "tunai" and payment.received_input.hasFocus()  # cash last

    qtbot.mouseClick(payment.note_buttons[50_000], Qt.MouseButton.LeftButton)
    assert payment.change_label.text() == "Kembalian Rp23.500" and payment.confirm_button.isEnabled()
    qtbot.keyClick(payment.received_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)

    sale = till.last_sale
    assert sale is not None and sale.change == 23_500
    assert till.change_label.text() == "Kembalian Rp23.500"
    assert payments_of(ctx, sale.sale_id) == [("qris", 20_000, 20_000, 0, "QR-3011-0042", "pending"),
                                              ("tunai", 26_500, 50_000, 23_500, None, "settled")]
    record = history.load_sale(ctx, sale.sale_id)
    assert record.member_no == siti.member_no and record.total == 46_500

    # The 32-column receipt: both tenders, the reference, the QRIS waiting for verification, the change.
    lines = receipt_preview(ctx, sale.sale_id)
    assert all(len(line) <= 32 for line in lines)
    total_at = lines.index(pair("TOTAL", "Rp46.500"))
    assert lines[total_at + 1: total_at + 7] == [
        pair("QRIS", "Rp20.000"), "Ref: QR-3011-0042", "(menunggu verifikasi)", pair("Tunai", "Rp50.000"),
        pair("Kembalian", "Rp23.500"), "-" * 32]
    assert pair("Pelanggan", f"Anggota {siti.member_no}") in lines
    qtbot.waitUntil(lambda: printer.exists() and sale.receipt_no.encode() in printer.read_bytes())
    data = printer.read_bytes()
    for expected in (pair("QRIS", "Rp20.000"), "Ref: QR-3011-0042", "(menunggu verifikasi)", pair("Tunai", "Rp50.000"),
                     pair("Kembalian", "Rp23.500"), f"Anggota {siti.member_no}"):
        assert expected.encode() in data, expected


def test_kasbon_over_the_limit_waits_for_a_manager_pin_then_completes(qtbot: QtBot, window: MainWindow,
                                                                     ctx: PosContext) -> None:
    siti = register(ctx, limit=30_000)
    till = window.till
    payment = ring_up(qtbot, till, siti, 2)  # Rp31.000 on kasbon: over the Rp30.000 limit
    assert "kasbon Rp0 dari batas Rp30.000" in payment.buyer_label.text()
    key(qtbot, payment, Qt.Key.Key_F5)
    assert payment.method == "kasbon" and payment.tender_form.amount_input.text() == "31.000"
    assert "masih bisa Rp30.000 tanpa persetujuan" in payment.tender_form.credit_label.text()
    qtbot.keyClick(payment.tender_form.amount_input, Qt.Key.Key_Return)
    assert payment.messages.level is Level.WARNING and "melebihi batas Rp30.000" in payment.messages.text()
    assert payment.remaining_label.text() == "Sisa Rp0"
    assert payment.change_label.text() == "Sudah tertutup: tekan Enter"

    # Enter: the sale is refused by the kasbon limit and a manager is asked.
    qtbot.keyClick(payment.received_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(payment.approval_dialog, ApprovalDialog)
                    and payment.approval_dialog.isVisible())
    approval = payment.approval_dialog
    assert isinstance(approval, ApprovalDialog)
    assert "Kasbon melebihi batas" in approval.action_label.text() and approval.subject_label.text() == siti.member_no
    assert payment.isVisible() and "Menunggu persetujuan manajer" in payment.messages.text()
    assert history.sales_of_day(ctx) == []

    # Esc: not approved, nothing stored, the cashier may ask again.
    qtbot.keyClick(approval.reason_input, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: "Tidak disetujui" in payment.messages.text())
    assert history.sales_of_day(ctx) == [] and payment.isVisible()

    qtbot.waitUntil(payment.isActiveWindow)
    qtbot.keyClick(payment.received_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: payment.approval_dialog is not approval and payment.approval_dialog is not None
                    and payment.approval_dialog.isVisible())
    approval = payment.approval_dialog
    assert isinstance(approval, ApprovalDialog)
    qtbot.keyClicks(approval.reason_input, "langganan lama, gajian besok")
    qtbot.keyClick(approval.reason_input, Qt.Key.Key_Return)
    approval.select_approver("manajer")
    qtbot.keyClicks(approval.pin_input, DEMO_PINS["manajer"])
    qtbot.keyClick(approval.pin_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)

    sale = till.last_sale
    assert sale is not None and sale.total == 31_000
    assert "tersimpan" in till.messages.text() or "Struk" in till.messages.text()
    assert kasbon.kasbon_balance(ctx, siti.id) == 31_000
    with ctx.engine.connect() as connection:
        used = connection.execute(select(Approval.outcome, Approval.used_by, Approval.reason)
                                  .where(Approval.action == "kasbon_over_limit")).one()
        entry = connection.execute(select(CreditEntry.amount, CreditEntry.due_date)).one()
    assert tuple(used) == ("approved", sale.sale_id, "langganan lama, gajian besok")
    assert tuple(entry) == (31_000, "2026-12-14")


def test_kasbon_needs_a_registered_buyer_and_customers_need_the_setting(qtbot: QtBot, window: MainWindow,
                                                                       ctx: PosContext) -> None:
    till = window.till
    payment = ring_up(qtbot, till, None, 1)
    key(qtbot, payment, Qt.Key.Key_F5)
    assert "Pilih pembelinya dulu (F7)" in payment.messages.text() and payment.method == "tunai"
    qtbot.keyClick(payment.received_input, Qt.Key.Key_Escape)
    wait_closed(qtbot, till)

    customer = register(ctx, kind="pelanggan", limit=100_000)
    till.cart_model.clear()
    payment = ring_up(qtbot, till, customer, 1)
    key(qtbot, payment, Qt.Key.Key_F5)
    qtbot.keyClick(payment.tender_form.amount_input, Qt.Key.Key_Return)
    qtbot.keyClick(payment.received_input, Qt.Key.Key_Return)
    assert "Kasbon hanya untuk anggota" in payment.messages.text() and payment.isVisible()
    assert history.sales_of_day(ctx) == []
    qtbot.keyClick(payment.received_input, Qt.Key.Key_Escape)
    wait_closed(qtbot, till)

    save_settings(ctx, replace(load_settings(ctx), kasbon_for_customers=True))
    press(qtbot, till, Qt.Key.Key_F12)
    payment = open_dialog(qtbot, till, PaymentDialog)
    key(qtbot, payment, Qt.Key.Key_F5)
    qtbot.keyClick(payment.tender_form.amount_input, Qt.Key.Key_Return)
    qtbot.keyClick(payment.received_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)
    assert kasbon.kasbon_balance(ctx, customer.id) == 15_700


def test_bad_tenders_are_refused_in_the_dialog_and_nothing_is_stored(qtbot: QtBot, window: MainWindow,
                                                                     ctx: PosContext, tmp_path: Path) -> None:
    image = tmp_path / "qris.png"
    Image.new("RGB", (300, 300), "white").save(image)
    save_settings(ctx, replace(load_settings(ctx), qris_image_path=str(image)))
    till = window.till
    payment = ring_up(qtbot, till, None, 2)  # Rp31.400
    key(qtbot, payment, Qt.Key.Key_F3)  # transfer: the bank first
    assert payment.tender_form.bank_input.hasFocus() and payment.tender_form.bank_input.isVisible()
    payment.tender_form.amount_input.setText("40000")
    qtbot.keyClicks(payment.tender_form.bank_input, "BRI")
    qtbot.keyClicks(payment.tender_form.reference_input, "TRX-1")
    qtbot.keyClick(payment.tender_form.reference_input, Qt.Key.Key_Return)
    assert "melebihi sisa Rp31.400" in payment.messages.text() and payment.tenders == []
    payment.tender_form.amount_input.setText("10000")
    qtbot.keyClick(payment.tender_form.reference_input, Qt.Key.Key_Return)
    key(qtbot, payment, Qt.Key.Key_F4)  # debit without its EDC approval number
    payment.tender_form.amount_input.setText("5000")
    qtbot.keyClick(payment.tender_form.reference_input, Qt.Key.Key_Return)
    assert "approval" in payment.messages.text()
    key(qtbot, payment, Qt.Key.Key_F2)
    assert payment.tender_form.qris_image.pixmap() is not None and not payment.tender_form.qris_image.pixmap().isNull()
    key(qtbot, payment, Qt.Key.Key_F1)

    # Payment sum ≠ total: Rp10.000 by transfer and no cash is not enough.
    qtbot.keyClick(payment.received_input, Qt.Key.Key_Return)
    assert "Masih kurang Rp21.400" in payment.messages.text()
    qtbot.keyClicks(payment.received_input, "20000")
    assert payment.change_label.text() == "Kurang Rp1.400"
    qtbot.keyClick(payment.received_input, Qt.Key.Key_Return)
    assert "kurang dari sisa Rp21.400" in payment.messages.text()
    assert history.sales_of_day(ctx) == [] and payment.isVisible()

    # F8 takes the transfer back; then cash pays it all.
    key(qtbot, payment, Qt.Key.Key_F8)
    assert payment.tenders == [] and payment.remaining_label.text() == "Sisa Rp31.400"
    qtbot.mouseClick(payment.exact_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(payment.received_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)
    sale = till.last_sale
    assert sale is not None
    assert payments_of(ctx, sale.sale_id) == [("tunai", 31_400, 31_400, 0, None, "settled")]


def test_settings_store_the_qris_image_and_kasbon_for_customers(qtbot: QtBot, window: MainWindow, ctx: PosContext,
                                                                tmp_path: Path) -> None:
    till = window.till
    dialog = open_settings_as_admin(qtbot, window)
    assert dialog.qris_image_input.text() == "" and not dialog.kasbon_customers_check.isChecked()
    dialog.qris_image_input.setText(str(tmp_path / "tidak-ada.png"))
    qtbot.keyClick(dialog.qris_image_input, Qt.Key.Key_Return)
    assert "File gambar QRIS" in dialog.messages.text() and dialog.isVisible()
    assert load_settings(ctx).qris_image_path == ""
    image = tmp_path / "qris.png"
    Image.new("RGB", (200, 200), "white").save(image)
    dialog.qris_image_input.setText(str(image))
    dialog.kasbon_customers_check.setChecked(True)
    qtbot.keyClick(dialog.qris_image_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)
    stored = load_settings(ctx)
    assert (stored.qris_image_path, stored.kasbon_for_customers) == (str(image), True)
