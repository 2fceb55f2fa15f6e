"""SHU (sisa hasil usaha) shares per member in whole rupiah, summing exactly to the allocated pool.

UU 25/1992 art. 45 shares the surplus in proportion to each member's business with the koperasi. The RAT
decides the pool; the manager enters it with the part for member purchases (jasa anggota/usaha) and, if the
cooperative uses it, the part for simpanan (jasa modal), both in basis points (10000 = 100 %).

Remainder rule (deterministic, printed on the SHU table): each part is first split as
floor(part × weight / total weight) per member; the rupiah left over (always fewer than the number of members
with a weight) go one each to the members with the largest remainder of that division; equal remainders go to
the lower member number first. So the shares of a part always add up exactly to that part, a member with no
purchases (or no simpanan) gets nothing from it, and the same inputs always give the same table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah

FULL_BP = 10_000
"""100 % in basis points."""
MAX_POOL = 10**13
"""Rp10 triliun: far above any gerai's surplus; stops a typo with extra zeros."""
_PERCENT = re.compile(r"(\d{1,3})(?:\.(\d{1,2}))?")


@dataclass(frozen=True, slots=True)
class ShuMember:
    """What one member brought in the fiscal year: the weights of the split."""

    member_id: str
    member_no: str
    name: str
    purchases: Rupiah
    """Net purchases (sales minus refunds of those sales)."""
    savings: Rupiah
    """Simpanan balance (pokok + wajib + sukarela) at the end of the year."""


@dataclass(frozen=True, slots=True)
class ShuRates:
    pool: Rupiah
    purchase_bp: int
    savings_bp: int = 0

    @property
    def purchase_part(self) -> Rupiah:
        """The pool's part for member purchases (whole rupiah, rounded down: what is not shared stays in the pool)."""
        return self.pool * self.purchase_bp // FULL_BP

    @property
    def savings_part(self) -> Rupiah:
        return self.pool * self.savings_bp // FULL_BP


@dataclass(frozen=True, slots=True)
class ShuShare:
    member: ShuMember
    purchase_share: Rupiah
    savings_share: Rupiah

    @property
    def total(self) -> Rupiah:
        return self.purchase_share + self.savings_share


@dataclass(frozen=True, slots=True)
class ShuResult:
    rates: ShuRates
    shares: tuple[ShuShare, ...]
    """In member-number order."""
    no_purchases: bool
    """No member bought anything: nothing of the purchase part could be shared."""
    no_savings: bool
    """A simpanan part was asked for but no member has simpanan."""

    @property
    def purchase_total(self) -> Rupiah:
        return sum(s.purchase_share for s in self.shares)

    @property
    def savings_total(self) -> Rupiah:
        return sum(s.savings_share for s in self.shares)

    @property
    def total(self) -> Rupiah:
        return self.purchase_total + self.savings_total


def check_rates(rates: ShuRates) -> None:
    """A clear message for an impossible pool or percentage; nothing is computed from bad input."""
    if rates.pool < 0 or rates.pool > MAX_POOL:
        raise InvalidInput("Dana SHU harus antara Rp0 dan Rp10.000.000.000.000. Periksa angka yang diketik.")
    for bp in (rates.purchase_bp, rates.savings_bp):
        if bp < 0 or bp > FULL_BP:
            raise InvalidInput("Persentase harus antara 0 % dan 100 %.")
    if rates.purchase_bp + rates.savings_bp > FULL_BP:
        raise InvalidInput("Jasa anggota dan jasa modal bersama-sama lebih dari 100 % dana SHU. Kurangi salah "
                           "satunya.")


def split_largest_remainder(amount: Rupiah, weights: Sequence[tuple[str, int]]) -> list[Rupiah]:
    """`amount` split over (tie key, weight) pairs in proportion to the weights, in whole rupiah.

    Sums exactly to `amount` when any weight is positive; all zeros otherwise. Negative weights count as zero.
    Leftover rupiah go to the largest remainders, equal remainders to the smaller tie key first.
    """
    clean = [max(weight, 0) for _key, weight in weights]
    total = sum(clean)
    if amount <= 0 or total == 0:
        return [0] * len(clean)
    shares = [amount * weight // total for weight in clean]
    order = sorted((i for i, weight in enumerate(clean) if weight > 0),
                   key=lambda i: (-(amount * clean[i] % total), weights[i][0]))
    for i in order[: amount - sum(shares)]:
        shares[i] += 1
    return shares


def compute_shu(rates: ShuRates, members: Sequence[ShuMember]) -> ShuResult:
    """Each member's jasa usaha (by purchases) and jasa modal (by simpanan); see the module docstring."""
    check_rates(rates)
    ordered = sorted(members, key=lambda m: m.member_no)
    purchase = split_largest_remainder(rates.purchase_part, [(m.member_no, m.purchases) for m in ordered])
    savings = split_largest_remainder(rates.savings_part, [(m.member_no, m.savings) for m in ordered])
    shares = tuple(ShuShare(member=m, purchase_share=p, savings_share=s)
                   for m, p, s in zip(ordered, purchase, savings, strict=True))
    return ShuResult(rates=rates, shares=shares,
                     no_purchases=not any(m.purchases > 0 for m in ordered),
                     no_savings=rates.savings_bp > 0 and not any(m.savings > 0 for m in ordered))


def parse_percent_bp(text: str) -> int:
    """'40', '40,5' or '12.25' (percent, at most two decimals) as basis points; empty is 0."""
    cleaned = text.strip().replace("%", "").strip().replace(",", ".")
    if not cleaned:
        return 0
    match = _PERCENT.fullmatch(cleaned)
    if match is None:
        raise InvalidInput("Persentase '{text}' tidak dapat dibaca. Ketik angka seperti 40 atau 12,5.", text=text)
    whole, fraction = match.group(1), match.group(2) or ""
    return int(whole or "0") * 100 + int((fraction + "00")[:2])


def format_percent_bp(bp: int) -> str:
    """4050 -> '40,5 %' (Indonesian decimal comma)."""
    whole, fraction = divmod(bp, 100)
    return f"{whole},{fraction:02d}".rstrip("0").rstrip(",") + " %"
