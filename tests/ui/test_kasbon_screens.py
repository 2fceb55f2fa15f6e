"""The Kasbon screen (balances, history, repayment printed, aging) and QRIS reconciliation, driven by keyboard."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.member import MemberForm
from kkmp_pos.domain.payment import non_cash_payment
from kkmp_pos.services import catalog, history, kasbon, members, qris, sales
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.members import Member
from kkmp_pos.ui.kasbon_dialog import KasbonDialog
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.messages import Level
from kkmp_pos.ui.qris_dialog import QrisDialog
from tests.services.test_kasbon import user
from tests.ui.helpers import open_dialog, use_file_printer, wait_closed

MINYAKITA = "8999900000055"


def register(ctx: PosContext, name: str, nik: str) -> Member:
    return members.register_member(ctx, MemberForm(
        kind="anggota", name=name, nik=nik, address="Jl. Lempake 7", kelurahan_code="64.72.05.1003",
        credit_limit=100_000, credit_days=14), by=user(ctx, "manajer"))


def sell(ctx: PosContext, member: Member | None, pieces: int, *, qris_reference: str | None = None) -> str:
    product = catalog.find_by_barcode(ctx, MINYAKITA)
    assert product is not None
    cart = Cart(member=member.ref() if member else None)
    cart.add(product, pieces * 1000)
    payment = (non_cash_payment("qris", cart.total, reference=qris_reference) if qris_reference
               else non_cash_payment("kasbon", cart.total))
    return sales.complete_sale(ctx, cart, [payment], cashier_id=user(ctx, "kasir").id).receipt_no


def test_a_repayment_at_the_till_prints_its_receipt_and_bad_amounts_are_refused(
        qtbot: QtBot, window: MainWindow, ctx: PosContext, tmp_path: Path) -> None:
    printer = tmp_path / "printer.bin"
    use_file_printer(ctx, printer)
    siti = register(ctx, "Siti Aminah", "6472054101900001")
    budi = register(ctx, "Budi Santoso", "6472051708850003")
    sell(ctx, siti, 2)   # Rp31.000
    sell(ctx, budi, 3)   # Rp46.500
    till = window.till
    till.open_kasbon()
    dialog = open_dialog(qtbot, till, KasbonDialog)
    assert [dialog.accounts_model.index(r, 0).data() for r in range(2)] == [budi.member_no, siti.member_no]
    assert dialog.summary_label.text() == "2 pelanggan · kasbon Rp77.500 · 0 melewati batas"
    assert dialog.accounts_model.index(0, 4).data() == "14-12-2026"  # oldest due date

    qtbot.keyClicks(dialog.filter_input, "siti")
    assert dialog.accounts_model.rowCount() == 1 and dialog.member_id == siti.id
    assert "Siti Aminah" in dialog.customer_label.text() and "kasbon Rp31.000" in dialog.customer_label.text()
    assert dialog.history_model.rowCount() == 1
    qtbot.keyClick(dialog.filter_input, Qt.Key.Key_Return)  # Enter: on to the amount
    assert dialog.amount_input.hasFocus()

    for typed, message in (("40000", "terlalu besar"), ("0", "lebih dari nol"), ("", "Ketik jumlah")):
        dialog.amount_input.setText(typed)
        qtbot.keyClick(dialog.amount_input, Qt.Key.Key_Return)
        assert message in dialog.messages.text() and dialog.messages.level is Level.WARNING, typed
    assert kasbon.kasbon_balance(ctx, siti.id) == 31_000

    qtbot.mouseClick(dialog.full_button, Qt.MouseButton.LeftButton)
    assert dialog.amount_input.text() == "31.000"
    qtbot.keyClicks(dialog.received_input, "50000")
    qtbot.keyClick(dialog.received_input, Qt.Key.Key_Return)
    assert "LPK-01-K000001" in dialog.last_label.text() and "Kembalian Rp19.000" in dialog.last_label.text()
    assert kasbon.kasbon_balance(ctx, siti.id) == 0
    # Paid off: she leaves the list of balances, her history stays on screen.
    assert dialog.accounts_model.rowCount() == 0 and dialog.history_model.rowCount() == 2
    assert "kasbon Rp0" in dialog.customer_label.text()
    qtbot.waitUntil(lambda: printer.exists() and b"LPK-01-K000001" in printer.read_bytes())
    assert b"PEMBAYARAN KASBON" in printer.read_bytes() and b"LUNAS" in printer.read_bytes()

    dialog.filter_input.clear()
    dialog.tabs.setCurrentIndex(1)
    assert dialog.aging_model.rowCount() == 1 and dialog.aging_model.index(0, 2).data() == "Rp46.500"
    assert "total Rp46.500" in dialog.aging_total_label.text()
    qtbot.keyClick(dialog.filter_input, Qt.Key.Key_Escape)
    wait_closed(qtbot, till)


def test_a_manager_verifies_one_qris_and_turns_a_failed_one_into_kasbon(qtbot: QtBot, window: MainWindow,
                                                                       ctx: PosContext) -> None:
    siti = register(ctx, "Siti Aminah", "6472054101900001")
    first = sell(ctx, None, 1, qris_reference="QR-A1")
    second = sell(ctx, siti, 2, qris_reference="QR-B2")
    till = window.till
    till.open_qris_reconciliation()  # the kasir may not
    assert "Hanya manajer atau admin" in till.messages.text() and till.active_dialog is None

    till.set_cashier(user(ctx, "manajer"))
    till.open_qris_reconciliation()
    dialog = open_dialog(qtbot, till, QrisDialog)
    assert dialog.summary_label.text() == "2 pembayaran QRIS menunggu verifikasi · total Rp46.700"
    assert dialog.pending_model.index(0, 1).data() == first
    assert dialog.pending_model.index(0, 0).data() == "30-11-2026 10:15 WITA"

    qtbot.keyClick(dialog.filter_input, Qt.Key.Key_F2)  # the first one is on the QRIS statement
    assert f"QRIS struk {first}" in dialog.messages.text()
    assert dialog.summary_label.text() == "1 pembayaran QRIS menunggu verifikasi · total Rp31.000"

    qtbot.keyClicks(dialog.filter_input, "qr-b2")
    assert dialog.pending_model.rowCount() == 1
    qtbot.keyClick(dialog.filter_input, Qt.Key.Key_F3)  # the second never arrived
    assert dialog.failure_box.isVisible() and dialog.settlement_combo.currentData() == "kasbon"
    qtbot.keyClick(dialog.settlement_combo, Qt.Key.Key_Return)
    assert dialog.messages.text() == f"QRIS struk {second} gagal: Rp31.000 menjadi kasbon {siti.member_no}."
    assert qris.pending_qris(ctx) == [] and dialog.pending_model.rowCount() == 0
    assert kasbon.kasbon_balance(ctx, siti.id) == 31_000
    assert not dialog.failure_box.isVisible()
    qtbot.keyClick(dialog.filter_input, Qt.Key.Key_Escape)
    wait_closed(qtbot, till)


def test_a_failed_qris_without_a_member_is_paid_again_in_cash(qtbot: QtBot, window: MainWindow,
                                                              ctx: PosContext) -> None:
    receipt_no = sell(ctx, None, 1, qris_reference="QR-C3")
    till = window.till
    till.set_cashier(user(ctx, "manajer"))
    till.open_qris_reconciliation()
    dialog = open_dialog(qtbot, till, QrisDialog)
    qtbot.keyClick(dialog.filter_input, Qt.Key.Key_F3)
    assert dialog.settlement_combo.currentData() == "tunai"  # no member: kasbon is not offered first
    dialog.settlement_combo.setCurrentIndex(dialog.settlement_combo.findData("kasbon"))
    qtbot.keyClick(dialog.settlement_combo, Qt.Key.Key_Return)
    assert "tanpa anggota" in dialog.messages.text() and len(qris.pending_qris(ctx)) == 1
    dialog.settlement_combo.setCurrentIndex(dialog.settlement_combo.findData("tunai"))
    qtbot.keyClicks(dialog.received_input, "20000")
    qtbot.keyClick(dialog.received_input, Qt.Key.Key_Return)
    assert "dibayar ulang dengan Tunai" in dialog.messages.text() and "Kembalian Rp4.300" in dialog.messages.text()
    assert qris.pending_qris(ctx) == []
    record = history.load_sale(ctx, history.find_sale_id(ctx, receipt_no))
    assert sorted((p.method, p.amount, p.tendered, p.change, p.status) for p in record.payments) == [
        ("qris", 15_700, 15_700, 0, "failed"), ("tunai", 15_700, 20_000, 4_300, "settled")]
