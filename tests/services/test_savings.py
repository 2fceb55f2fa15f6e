"""Simpanan: pokok once, pokok/wajib locked while a member, sukarela up to its balance, slips and the ledger."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.member import MemberForm
from kkmp_pos.domain.payment import Payment, cash_payment, non_cash_payment
from kkmp_pos.domain.receipt import layout_text
from kkmp_pos.domain.savings import SavingsKind
from kkmp_pos.domain.savings_receipt import build_savings_receipt
from kkmp_pos.services import members, receipts, savings
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.members import Member
from kkmp_pos.services.outlet import Cashier, default_cashier
from kkmp_pos.store.models import JournalEvent, SavingsEntry
from tests.ui.helpers import use_file_printer


@pytest.fixture
def kasir(ctx: PosContext) -> Cashier:
    return default_cashier(ctx)


@pytest.fixture
def siti(ctx: PosContext, kasir: Cashier) -> Member:
    return members.register_member(ctx, MemberForm(
        kind="anggota", name="Siti Aminah", nik="6472054101900001", address="Jl. Lempake 7",
        kelurahan_code="64.72.05.1003"), by=kasir)


def entry_count(ctx: PosContext) -> int:
    with ctx.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(SavingsEntry)).scalar_one()


def pair(left: str, right: str) -> str:
    """A label and an amount on one 32-column line."""
    return left + right.rjust(32 - len(left))


def cash(amount: int) -> Payment:
    return cash_payment(amount, amount)


def test_deposits_get_their_own_receipt_series_and_build_balances(ctx: PosContext, kasir: Cashier,
                                                                   siti: Member) -> None:
    pokok = savings.deposit_savings(ctx, siti.id, "pokok", cash_payment(100_000, 150_000), by=kasir)
    wajib = savings.deposit_savings(ctx, siti.id, SavingsKind.WAJIB, cash(20_000), by=kasir)
    qris = savings.deposit_savings(ctx, siti.id, "wajib", non_cash_payment("qris", 20_000, reference="QR-88"),
                                   by=kasir)
    sukarela = savings.deposit_savings(ctx, siti.id, "sukarela", cash(75_000), by=kasir)
    assert [r.receipt_no for r in (pokok, wajib, qris, sukarela)] == [
        "LPK-01-S000001", "LPK-01-S000002", "LPK-01-S000003", "LPK-01-S000004"]
    assert (pokok.change, pokok.balance_after, qris.balance_after) == (50_000, 100_000, 40_000)
    ledger = savings.savings_ledger(ctx, siti.id)
    assert (ledger.balances.pokok, ledger.balances.wajib, ledger.balances.sukarela) == (100_000, 40_000, 75_000)
    assert ledger.balances.total == 215_000 and ledger.balances.pokok_paid
    assert [(e.receipt_no, e.kind.value, e.amount, e.method) for e in ledger.entries] == [
        ("LPK-01-S000004", "sukarela", 75_000, "tunai"),
        ("LPK-01-S000003", "wajib", 20_000, "qris"),
        ("LPK-01-S000002", "wajib", 20_000, "tunai"),
        ("LPK-01-S000001", "pokok", 100_000, "tunai"),
    ]
    assert ledger.entries[0].cashier_name == "Siti Rahmawati"


def test_each_entry_writes_a_savings_event(ctx: PosContext, kasir: Cashier, siti: Member) -> None:
    savings.deposit_savings(ctx, siti.id, "wajib",
                            non_cash_payment("transfer", 20_000, reference="TRX 123", bank="BRI"), by=kasir)
    with ctx.engine.connect() as connection:
        body = json.loads(connection.execute(
            select(JournalEvent.body).where(JournalEvent.type == "savings")).scalar_one())
    assert body["member_no"] == "A-000001" and body["kind"] == "wajib" and body["amount"] == 20_000
    assert (body["method"], body["reference"], body["bank"]) == ("transfer", "TRX 123", "BRI")
    assert body["receipt_no"] == "LPK-01-S000001" and body["business_date"] == "2026-11-30"
    assert verify_journal(ctx.engine) is None


def test_pokok_is_paid_once(ctx: PosContext, kasir: Cashier, siti: Member) -> None:
    savings.deposit_savings(ctx, siti.id, "pokok", cash(100_000), by=kasir)
    with pytest.raises(InvalidInput) as second:
        savings.deposit_savings(ctx, siti.id, "pokok", cash(100_000), by=kasir)
    assert str(second.value) == "Simpanan pokok hanya dibayar sekali, dan anggota ini sudah membayarnya."
    assert entry_count(ctx) == 1


def test_pokok_and_wajib_stay_while_a_member_sukarela_up_to_its_balance(ctx: PosContext, kasir: Cashier,
                                                                        siti: Member) -> None:
    for kind, amount in (("pokok", 100_000), ("wajib", 20_000), ("sukarela", 50_000)):
        savings.deposit_savings(ctx, siti.id, kind, cash(amount), by=kasir)
    for kind, label in (("pokok", "Simpanan pokok"), ("wajib", "Simpanan wajib")):
        with pytest.raises(InvalidInput) as locked:
            savings.withdraw_savings(ctx, siti.id, kind, cash(10_000), by=kasir)
        assert str(locked.value).startswith(f"{label} tidak dapat ditarik selama masih menjadi anggota")
    with pytest.raises(InvalidInput) as too_much:
        savings.withdraw_savings(ctx, siti.id, "sukarela", cash(60_000), by=kasir)
    assert str(too_much.value) == "Saldo simpanan sukarela hanya Rp50.000: tidak dapat menarik Rp60.000."
    assert entry_count(ctx) == 3

    out = savings.withdraw_savings(ctx, siti.id, "sukarela", cash(50_000), by=kasir)
    assert (out.amount, out.balance_after, out.receipt_no) == (-50_000, 0, "LPK-01-S000004")

    # Once the member has left, pokok and wajib are paid back.
    members.update_member(ctx, siti.id, replace(siti.form(), status="keluar"), by=kasir)
    savings.withdraw_savings(ctx, siti.id, "pokok", cash(100_000), by=kasir)
    savings.withdraw_savings(ctx, siti.id, "wajib", cash(20_000), by=kasir)
    assert savings.savings_balances(ctx, siti.id).total == 0
    with pytest.raises(InvalidInput, match="sudah keluar"):
        savings.deposit_savings(ctx, siti.id, "wajib", cash(20_000), by=kasir)


def test_bad_amounts_methods_and_people_are_refused(ctx: PosContext, kasir: Cashier, siti: Member) -> None:
    customer = members.register_member(ctx, MemberForm(kind="pelanggan", name="Warung Bu Ani"), by=kasir)
    with pytest.raises(InvalidInput, match="lebih dari nol"):
        savings.deposit_savings(ctx, siti.id, "sukarela", Payment("tunai", 0, 0), by=kasir)
    with pytest.raises(InvalidInput, match="Pilih Tunai, QRIS, Transfer atau Debit"):
        savings.deposit_savings(ctx, siti.id, "wajib", Payment("kasbon", 20_000, 20_000), by=kasir)
    with pytest.raises(InvalidInput, match="referensi QRIS"):
        savings.deposit_savings(ctx, siti.id, "wajib", Payment("qris", 20_000, 20_000), by=kasir)
    with pytest.raises(InvalidInput, match="hanya untuk anggota"):
        savings.deposit_savings(ctx, customer.id, "sukarela", cash(10_000), by=kasir)
    with pytest.raises(InvalidInput, match="Pengawas"):
        savings.deposit_savings(ctx, siti.id, "wajib", cash(20_000), by=replace(kasir, role="pengawas"))
    with pytest.raises(InvalidInput, match="tidak ada kembalian"):
        savings.withdraw_savings(ctx, siti.id, "sukarela", cash_payment(1_000, 2_000), by=kasir)
    assert entry_count(ctx) == 0


def test_slip_shows_kind_amount_change_and_balance(ctx: PosContext, kasir: Cashier, siti: Member) -> None:
    savings.deposit_savings(ctx, siti.id, "wajib", cash(20_000), by=kasir)
    second = savings.deposit_savings(ctx, siti.id, "wajib", cash_payment(20_000, 50_000), by=kasir)
    slip = savings.load_savings_slip(ctx, second.entry_id)
    assert (slip.receipt_no, slip.member_no, slip.tendered, slip.change, slip.balance_after) == (
        "LPK-01-S000002", "A-000001", 50_000, 30_000, 40_000)
    lines = layout_text(build_savings_receipt(slip), 32)
    text = "\n".join(lines)
    for left, right in (("No. Slip", "LPK-01-S000002"), ("Anggota", "A-000001"), ("Jumlah", "Rp20.000"),
                        ("Tunai", "Rp50.000"), ("Kembalian", "Rp30.000"), ("Saldo simpanan wajib", "Rp40.000")):
        assert pair(left, right) in lines
    assert "     SETORAN SIMPANAN WAJIB" in lines and "Siti Aminah".rjust(32) in lines
    assert "KKMP Lempake" in text and "SALINAN" not in text
    assert all(len(line) <= 32 for line in lines)
    assert receipts.savings_receipt_preview(ctx, second.entry_id, copy=True)[0].strip() == "SALINAN"


def test_withdrawal_slip_asks_for_a_signature(ctx: PosContext, kasir: Cashier, siti: Member) -> None:
    savings.deposit_savings(ctx, siti.id, "sukarela", cash(80_000), by=kasir)
    out = savings.withdraw_savings(ctx, siti.id, "sukarela", cash(30_000), by=kasir)
    text = "\n".join(receipts.savings_receipt_preview(ctx, out.entry_id))
    assert "PENARIKAN SIMPANAN SUKARELA" in text and "Rp30.000" in text and "Tanda tangan penerima" in text
    assert pair("Saldo simpanan sukarela", "Rp50.000") in text and "Kembalian" not in text


def test_slip_prints_to_the_receipt_printer(ctx: PosContext, kasir: Cashier, siti: Member,
                                            tmp_path: Path) -> None:
    printer = tmp_path / "printer.bin"
    use_file_printer(ctx, printer)
    entry = savings.deposit_savings(ctx, siti.id, "pokok", cash(100_000), by=kasir)
    receipts.print_savings_receipt(ctx, entry.entry_id)
    data = printer.read_bytes()
    assert b"LPK-01-S000001" in data and b"SETORAN SIMPANAN POKOK" in data and b"Rp100.000" in data
    assert b"\x1bp" in data  # a cash deposit opens the drawer
