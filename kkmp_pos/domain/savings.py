"""Simpanan (member savings) rules: pokok once, pokok and wajib locked while a member, sukarela up to its balance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah, format_rupiah
from kkmp_pos.domain.payment import KASBON, METHOD_LABELS
from kkmp_pos.domain.sale import OutletInfo
from kkmp_pos.i18n import tr

MAX_SAVINGS_AMOUNT: Rupiah = 1_000_000_000
"""Rp1 miliar in one slip: far above any real deposit, low enough to catch a scanner typed into the field."""

SAVINGS_METHODS = tuple(method for method in METHOD_LABELS if method != KASBON)
"""Savings are paid in money; putting them on credit (kasbon) would make the koperasi lend to itself."""


class SavingsKind(StrEnum):
    POKOK = "pokok"
    WAJIB = "wajib"
    SUKARELA = "sukarela"


LOCKED_KINDS = frozenset({SavingsKind.POKOK, SavingsKind.WAJIB})
"""Paid into the koperasi's capital: returned only when the member leaves (status keluar)."""


def savings_kind_label(kind: SavingsKind | str) -> str:
    """`pokok` -> `Simpanan pokok` (literal calls, so the translation test finds each text)."""
    kind = SavingsKind(kind)
    if kind is SavingsKind.POKOK:
        return tr("Simpanan pokok")
    if kind is SavingsKind.WAJIB:
        return tr("Simpanan wajib")
    return tr("Simpanan sukarela")


@dataclass(frozen=True, slots=True)
class SavingsBalances:
    """What a member has in each kind of simpanan, and whether pokok was ever paid."""

    pokok: Rupiah = 0
    wajib: Rupiah = 0
    sukarela: Rupiah = 0
    pokok_paid: bool = False

    def of(self, kind: SavingsKind | str) -> Rupiah:
        return int(getattr(self, SavingsKind(kind).value))

    @property
    def total(self) -> Rupiah:
        return self.pokok + self.wajib + self.sukarela

    @classmethod
    def from_sums(cls, sums: Mapping[str, int], pokok_paid: bool) -> SavingsBalances:
        return cls(pokok=sums.get("pokok", 0), wajib=sums.get("wajib", 0), sukarela=sums.get("sukarela", 0),
                   pokok_paid=pokok_paid)


def check_savings_method(method: str) -> None:
    """Savings move real money: any method but kasbon (the reference rules are the payment's own)."""
    if method not in SAVINGS_METHODS:
        raise InvalidInput("Simpanan tidak dapat dibayar dengan {method}. Pilih Tunai, QRIS, Transfer atau Debit.",
                           method=tr(METHOD_LABELS.get(method, method)))


def _check_amount(amount: Rupiah) -> None:
    if amount <= 0:
        raise InvalidInput("Jumlah simpanan harus lebih dari nol.")
    if amount > MAX_SAVINGS_AMOUNT:
        raise InvalidInput("Jumlah {amount} terlalu besar untuk satu slip simpanan. Periksa lagi angkanya.",
                           amount=format_rupiah(amount))


def check_deposit(kind: SavingsKind | str, amount: Rupiah, balances: SavingsBalances, *, member_kind: str,
                  member_status: str) -> None:
    """A deposit (setoran): only members who have not left; simpanan pokok only once."""
    kind = SavingsKind(kind)
    _check_amount(amount)
    if member_kind != "anggota":
        raise InvalidInput("Simpanan hanya untuk anggota koperasi; pelanggan tidak menyimpan simpanan.")
    if member_status == "keluar":
        raise InvalidInput("Anggota ini sudah keluar: tidak dapat menyetor simpanan lagi.")
    if kind is SavingsKind.POKOK and balances.pokok_paid:
        raise InvalidInput("Simpanan pokok hanya dibayar sekali, dan anggota ini sudah membayarnya.")


def check_withdrawal(kind: SavingsKind | str, amount: Rupiah, balances: SavingsBalances, *,
                     member_status: str) -> None:
    """A withdrawal (penarikan): pokok and wajib only after the member has left; never more than the balance."""
    kind = SavingsKind(kind)
    _check_amount(amount)
    if kind in LOCKED_KINDS and member_status != "keluar":
        raise InvalidInput(
            "{kind} tidak dapat ditarik selama masih menjadi anggota; hanya dikembalikan setelah anggota "
            "keluar. Yang dapat ditarik sekarang: simpanan sukarela.", kind=savings_kind_label(kind))
    balance = balances.of(kind)
    if amount > balance:
        raise InvalidInput("Saldo {kind} hanya {balance}: tidak dapat menarik {amount}.",
                           kind=savings_kind_label(kind).lower(), balance=format_rupiah(balance),
                           amount=format_rupiah(amount))


@dataclass(frozen=True, slots=True)
class SavingsSlip:
    """Everything the receipt of one simpanan entry shows; `amount` is negative for a withdrawal."""

    receipt_no: str
    created_at: datetime
    cashier_name: str
    outlet: OutletInfo
    member_no: str
    member_name: str
    kind: SavingsKind
    amount: Rupiah
    method: str
    reference: str | None
    tendered: Rupiah
    change: Rupiah
    balance_after: Rupiah
    """The member's balance of this kind right after the entry."""
    journal_seq: int | None = None
    journal_hash: str | None = None
    bank: str | None = None

    @property
    def is_withdrawal(self) -> bool:
        return self.amount < 0
