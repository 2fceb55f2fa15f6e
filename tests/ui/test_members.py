"""Members at the till: register (a bad NIK first), attach by scanning the card, simpanan printed to a file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kkmp_pos.domain.member import MemberForm
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.services import history, members, sales, savings
from kkmp_pos.services.auth import KdfCost
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.members import Member
from kkmp_pos.services.users import set_initial_pins
from kkmp_pos.ui.main_window import MainWindow
from kkmp_pos.ui.member_form import MemberFormDialog
from kkmp_pos.ui.member_picker import MemberPicker
from kkmp_pos.ui.members_dialog import MembersDialog
from kkmp_pos.ui.messages import Level
from kkmp_pos.ui.savings_dialog import SavingsDialog
from kkmp_pos.ui.till import TillWidget
from tests.ui.helpers import open_dialog, press, scan, use_file_printer, wait_closed

MINYAKITA = "8999900000055"  # Rp15.700, members Rp15.500
LEMPAKE = "64.72.05.1003"


def register_siti(ctx: PosContext, window: MainWindow) -> Member:
    return members.register_member(ctx, MemberForm(
        kind="anggota", name="Siti Aminah", nik="6472054101900001", address="Jl. Lempake 7",
        kelurahan_code=LEMPAKE), by=window.cashier)


def test_register_refuses_a_bad_nik_then_saves_and_lists_the_member_masked(qtbot: QtBot, window: MainWindow,
                                                                          ctx: PosContext) -> None:
    till = window.till
    till.open_members()
    dialog = open_dialog(qtbot, till, MembersDialog)
    assert dialog.members_model.rowCount() == 0
    qtbot.keyClick(dialog.search_input, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(dialog.child, MemberFormDialog))
    form = dialog.child
    assert isinstance(form, MemberFormDialog)
    qtbot.waitUntil(form.isActiveWindow)
    assert form.number_input.placeholderText() == "kosongkan untuk nomor otomatis: A-000001"
    assert not form.credit_limit_input.isEnabled()  # a kasir does not set kasbon limits

    qtbot.keyClicks(form.nik_input, "3171 0130 0200 1234")   # 30 February
    qtbot.keyClicks(form.name_input, "Siti Aminah")
    qtbot.keyClicks(form.address_input, "Jl. D.I. Panjaitan Gg. Mawar 7")
    form.kelurahan_combo.setCurrentIndex(form.kelurahan_combo.findData(LEMPAKE))
    qtbot.keyClicks(form.rt_input, "5")
    qtbot.keyClick(form.name_input, Qt.Key.Key_Return)
    assert form.isVisible() and "30-02-2000" in form.messages.text()
    assert form.messages.level is Level.WARNING
    assert members.search_members(ctx, "") == []

    form.nik_input.clear()
    qtbot.keyClicks(form.nik_input, "6472.0541.0190.0001")
    qtbot.keyClick(form.nik_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.child is None)
    [siti] = members.search_members(ctx, "")
    assert (siti.member_no, siti.nik, siti.rt, siti.kelurahan_name) == ("A-000001", "6472054101900001", "005",
                                                                        "Lempake")
    assert dialog.messages.text() == "Data Siti Aminah (A-000001) disimpan."
    model = dialog.members_model
    row = [model.index(0, column).data() for column in range(model.columnCount())]
    assert row == ["A-000001", "Siti Aminah", "Anggota", "6472********0001", "Lempake", "Aktif"]
    qtbot.keyClick(dialog.search_input, Qt.Key.Key_Escape)
    wait_closed(qtbot, till)


def test_anggota_from_another_kelurahan_is_saved_after_a_managers_pin(qtbot: QtBot, window: MainWindow,
                                                                      ctx: PosContext) -> None:
    set_initial_pins(ctx, {"manajer": "2468"}, cost=KdfCost(n=2**10, r=8, p=1))
    till = window.till
    till.open_members()
    dialog = open_dialog(qtbot, till, MembersDialog)
    dialog.register_new()
    form = dialog.child
    assert isinstance(form, MemberFormDialog)
    qtbot.waitUntil(form.isActiveWindow)
    qtbot.keyClicks(form.nik_input, "6472054101900001")
    qtbot.keyClicks(form.name_input, "Siti Aminah")
    qtbot.keyClicks(form.address_input, "Jl. Sempaja 3")
    form.kelurahan_combo.setCurrentIndex(form.kelurahan_combo.findData("64.72.05.1002"))
    qtbot.keyClick(form.name_input, Qt.Key.Key_Return)
    approval = form.approval_dialog
    assert approval is not None
    qtbot.waitUntil(approval.isActiveWindow)
    assert members.search_members(ctx, "") == []  # nothing stored while the manager decides
    assert approval.subject_label.text() == "Siti Aminah (Sempaja Selatan)"
    assert approval.change_label.text() == "kelurahan Lempake → kelurahan Sempaja Selatan"
    qtbot.keyClicks(approval.reason_input, "pindah rumah, KTP belum diganti")
    approval.select_approver("manajer")
    qtbot.keyClicks(approval.pin_input, "2468")
    qtbot.keyClick(approval.pin_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.child is None)
    [siti] = members.search_members(ctx, "")
    assert (siti.member_no, siti.kelurahan_name) == ("A-000001", "Sempaja Selatan")
    assert dialog.messages.text() == "Data Siti Aminah (A-000001) disimpan."
    dialog.reject()
    wait_closed(qtbot, till)


def test_member_card_is_saved_from_the_list(qtbot: QtBot, window: MainWindow, ctx: PosContext,
                                           tmp_path: Path) -> None:
    siti = register_siti(ctx, window)
    window.till.open_members()
    dialog = open_dialog(qtbot, window.till, MembersDialog)
    assert dialog.selected_member() == siti
    dialog.save_card_to(siti, tmp_path / "kartu.pdf")
    data = (tmp_path / "kartu.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and b"(A-000001) Tj" in data
    assert dialog.messages.text().startswith("Kartu A-000001 disimpan: ")
    dialog.reject()
    wait_closed(qtbot, window.till)


def test_scanning_a_member_card_attaches_the_member_and_member_prices(qtbot: QtBot, window: MainWindow,
                                                                      ctx: PosContext) -> None:
    till: TillWidget = window.till
    siti = register_siti(ctx, window)
    assert till.member_label.text() == "Non-anggota"
    scan(qtbot, till, MINYAKITA)
    assert till.total_label.text() == "Rp15.700"

    scan(qtbot, till, "A-000404")  # an unknown card changes nothing
    assert till.messages.level is Level.WARNING
    assert till.messages.text().startswith("Kartu A-000404 tidak dikenal: tidak ada anggota yang dipasang.")
    assert till.cart_model.cart.member is None and till.member_label.text() == "Non-anggota"

    scan(qtbot, till, "a-000001")
    assert till.cart_model.cart.member == siti.ref()
    assert till.member_label.text() == "Anggota: Siti Aminah (A-000001)"
    assert till.messages.text() == "Anggota Siti Aminah (A-000001) dipasang: harga anggota berlaku."
    assert till.total_label.text() == "Rp15.500"  # the line already scanned moved to the member price
    assert till.cart_model.rowCount() == 1 and till.scan_input.hasFocus()

    sale = sales.complete_sale(ctx, till.cart_model.cart, [cash_payment(15_500, 20_000)],
                               cashier_id=window.cashier.id)
    record = history.load_sale(ctx, sale.sale_id)
    assert (record.member_no, record.member_name, record.total) == ("A-000001", "Siti Aminah", 15_500)


def test_f7_picks_a_member_by_name_and_takes_them_off_again(qtbot: QtBot, window: MainWindow,
                                                            ctx: PosContext) -> None:
    till = window.till
    register_siti(ctx, window)
    press(qtbot, till, Qt.Key.Key_F7)
    picker = open_dialog(qtbot, till, MemberPicker)
    qtbot.keyClicks(picker.search_input, "amin")
    assert picker.members_model.rowCount() == 1
    qtbot.keyClick(picker.search_input, Qt.Key.Key_Return)
    wait_closed(qtbot, till)
    assert till.member_label.text() == "Anggota: Siti Aminah (A-000001)"

    press(qtbot, till, Qt.Key.Key_F7)
    picker = open_dialog(qtbot, till, MemberPicker)
    assert picker.attached_label.text() == "Terpasang: Siti Aminah (A-000001)"
    qtbot.mouseClick(picker.clear_button, Qt.MouseButton.LeftButton)
    wait_closed(qtbot, till)
    assert till.cart_model.cart.member is None and till.member_label.text() == "Non-anggota"


def test_simpanan_payment_prints_its_slip_to_the_printer(qtbot: QtBot, window: MainWindow, ctx: PosContext,
                                                        tmp_path: Path) -> None:
    printer = tmp_path / "printer.bin"
    use_file_printer(ctx, printer)
    till = window.till
    siti = register_siti(ctx, window)
    scan(qtbot, till, "A-000001")
    till.open_savings()
    dialog = open_dialog(qtbot, till, SavingsDialog)
    assert dialog.member == siti

    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("pokok"))
    qtbot.keyClicks(dialog.amount_input, "100000")
    qtbot.keyClicks(dialog.received_input, "150.000")
    qtbot.keyClick(dialog.received_input, Qt.Key.Key_Return)
    qtbot.waitUntil(window.tasks.is_idle, timeout=10_000)
    data = printer.read_bytes()
    assert b"LPK-01-S000001" in data and b"SETORAN SIMPANAN POKOK" in data and b"Rp150.000" in data
    assert dialog.last_label.text() == ("Setoran simpanan pokok Rp100.000 tersimpan (slip LPK-01-S000001). "
                                        "Kembalian Rp50.000.")
    assert dialog.messages.text() == "Struk LPK-01-S000001 dicetak."
    assert dialog.balance_labels[savings.SavingsKind.POKOK].text() == "Simpanan pokok: Rp100.000"
    assert dialog.entries_model.rowCount() == 1 and dialog.amount_input.text() == ""

    # A second pokok is refused in the dialog, and nothing is printed or stored.
    size = printer.stat().st_size
    qtbot.keyClicks(dialog.amount_input, "100000")
    qtbot.keyClick(dialog.amount_input, Qt.Key.Key_Return)
    assert dialog.messages.text() == "Simpanan pokok hanya dibayar sekali, dan anggota ini sudah membayarnya."
    assert savings.savings_balances(ctx, siti.id).pokok == 100_000 and printer.stat().st_size == size
    qtbot.keyClick(dialog.amount_input, Qt.Key.Key_Escape)
    wait_closed(qtbot, till)
