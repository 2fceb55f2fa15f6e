"""Payments: methods, cash tendered and change, split payments, the references each method needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah, format_rupiah

CASH = "tunai"
QRIS = "qris"
TRANSFER = "transfer"
DEBIT = "debit"
KASBON = "kasbon"
METHODS = (CASH, QRIS, TRANSFER, DEBIT, KASBON)
METHOD_LABELS = {CASH: "Tunai", QRIS: "QRIS", TRANSFER: "Transfer", DEBIT: "Debit", KASBON: "Kasbon"}

SETTLED = "settled"
PENDING = "pending"
"""QRIS taken at the till: 'menunggu verifikasi' until the manager reconciles it with the QRIS statement."""
FAILED = "failed"
STATUS_LABELS = {SETTLED: "Lunas", PENDING: "Menunggu verifikasi", FAILED: "Gagal"}

QUICK_NOTES: tuple[Rupiah, ...] = (2_000, 5_000, 10_000, 20_000, 50_000, 100_000)
"""The notes a cashier is handed most; each button adds its note to the amount received."""


@dataclass(frozen=True, slots=True)
class Payment:
    """One tender: `amount` counts toward the total; for cash, `tendered` and `change` too."""

    method: str
    amount: Rupiah
    tendered: Rupiah
    change: Rupiah = 0
    reference: str | None = None
    bank: str | None = None

    @property
    def status(self) -> str:
        """How the payment is stored: a QRIS payment waits for reconciliation, everything else is settled."""
        return PENDING if self.method == QRIS else SETTLED


def cash_payment(total: Rupiah, received: Rupiah) -> Payment:
    """Cash covering the whole total; refuses when the customer has handed over too little."""
    if total < 0:
        raise InvalidInput("Total belanja tidak boleh negatif.")
    if received < total:
        raise InvalidInput(
            "Uang diterima {received} kurang dari total {total}. Minta kekurangan {short} atau ubah jumlahnya.",
            received=format_rupiah(received),
            total=format_rupiah(total),
            short=format_rupiah(total - received),
        )
    return Payment(method=CASH, amount=total, tendered=received, change=received - total)


def non_cash_payment(method: str, amount: Rupiah, *, reference: str | None = None,
                     bank: str | None = None) -> Payment:
    """A QRIS, transfer, debit or kasbon tender of exactly `amount` (no change)."""
    reference = (reference or "").strip() or None
    bank = (bank or "").strip() or None
    payment = Payment(method=method, amount=amount, tendered=amount, reference=reference, bank=bank)
    check_payment(payment)
    return payment


def check_payment(payment: Payment) -> None:
    """One tender on its own: a known method, a positive amount, the reference its method needs."""
    label = METHOD_LABELS.get(payment.method)
    if label is None:
        raise InvalidInput("Cara bayar '{method}' tidak dikenal.", method=payment.method)
    if payment.amount < 0 or payment.change < 0:
        raise InvalidInput("Jumlah pembayaran tidak boleh negatif.")
    if payment.method == CASH:
        if payment.tendered != payment.amount + payment.change:
            raise InvalidInput("Pembayaran tidak sah: uang diterima kurang dari jumlah yang dibayar.")
        return
    if payment.change:
        raise InvalidInput("Kembalian hanya dari pembayaran tunai.")
    if payment.amount == 0:
        raise InvalidInput("Jumlah {method} harus lebih dari nol.", method=label)
    if payment.method == QRIS and not payment.reference:
        raise InvalidInput("Ketik nomor referensi QRIS dari notifikasi pembayaran sebelum menyelesaikan.")
    if payment.method == TRANSFER and not (payment.reference and payment.bank):
        raise InvalidInput("Transfer perlu nama bank dan nomor referensinya.")
    if payment.method == DEBIT and not payment.reference:
        raise InvalidInput("Debit perlu nomor approval dari struk mesin EDC.")


def check_payments(total: Rupiah, payments: Sequence[Payment]) -> None:
    """A split payment: every tender valid, at most one cash tender, and the amounts add up to the total."""
    if not payments:
        raise InvalidInput("Belum ada pembayaran. Masukkan uang diterima lalu selesaikan.")
    for payment in payments:
        check_payment(payment)
    if sum(1 for p in payments if p.method == CASH) > 1:
        raise InvalidInput("Gabungkan uang tunai dalam satu pembayaran tunai.")
    paid = sum(p.amount for p in payments)
    if paid != total:
        raise InvalidInput(
            "Jumlah pembayaran {paid} tidak sama dengan total {total}.",
            paid=format_rupiah(paid), total=format_rupiah(total),
        )


def remaining(total: Rupiah, payments: Sequence[Payment]) -> Rupiah:
    """What is still to pay after the tenders so far (negative would be an overpayment)."""
    return total - sum(p.amount for p in payments)
