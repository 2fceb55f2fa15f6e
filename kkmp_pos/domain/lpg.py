"""Elpiji rules: buyer categories, cylinder sizes, what a sale does to full and empty cylinders, limits."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.nik import mask_nik
from kkmp_pos.domain.product import Product

CATEGORY_LABELS = {
    "rumah_tangga": "Rumah tangga",
    "usaha_mikro": "Usaha mikro",
    "nelayan_sasaran": "Nelayan sasaran",
    "petani_sasaran": "Petani sasaran",
    "pengecer": "Pengecer",
}
GOVERNMENT_LISTED = frozenset({"nelayan_sasaran", "petani_sasaran"})
"""Fishers and farmers qualify only when the government lists them; the outlet cannot register them as such."""
NEEDS_NIB = frozenset({"usaha_mikro"})

SIZE_LABELS = {"3kg": "3 kg", "5_5kg": "5,5 kg", "12kg": "12 kg"}
SUBSIDISED_KINDS = frozenset({"subsidi_refill", "subsidi_new"})
REFILL_KINDS = frozenset({"subsidi_refill", "refill"})
"""A refill swaps the buyer's empty for a full one; a new cylinder (tabung baru + isi) leaves no empty."""
_SIZE_IN_NAME = re.compile(r"(\d+(?:[.,]\d)?)\s*kg", re.IGNORECASE)


def is_subsidised(product: Product) -> bool:
    """The 3 kg 'melon' cylinder: every sale needs the buyer's NIK and category."""
    return product.lpg_kind in SUBSIDISED_KINDS


def cylinder_size(product: Product) -> str | None:
    """'3kg', '5_5kg' or '12kg' for an LPG product (subsidised is always 3 kg; others from the name)."""
    if product.lpg_kind is None:
        return None
    if product.lpg_kind in SUBSIDISED_KINDS:
        return "3kg"
    match = _SIZE_IN_NAME.search(product.name)
    if match is None:
        return None
    size = match.group(1).replace(",", "_").replace(".", "_") + "kg"
    return size if size in SIZE_LABELS else None


def cylinder_deltas(lpg_kind: str, pieces: int) -> tuple[int, int]:
    """(full, empty) change when `pieces` cylinders of this kind are sold: refill -n/+n, new -n/0."""
    return (-pieces, pieces if lpg_kind in REFILL_KINDS else 0)


def refund_cylinder_deltas(lpg_kind: str, pieces: int) -> tuple[int, int]:
    """(full, empty) change when `pieces` cylinders of this kind come back on a refund: the sale undone.

    A refill was a swap, so its return is the swap backwards: the full cylinder comes back (+n full) and the
    customer takes their own empty home again (-n empty; empties are interchangeable, any one of ours will do).
    A new cylinder with gas left no empty behind, so only the full one comes back (+n full, empty 0).
    Both are exactly the negated sale deltas, which keeps a sale plus its full refund at zero.
    """
    full, empty = cylinder_deltas(lpg_kind, pieces)
    return (-full, -empty)


@dataclass(frozen=True, slots=True)
class LpgBuyerRef:
    """The buyer of a 3 kg line, as the cart carries it (already registered: `id` is set)."""

    id: str
    nik: str
    name: str
    category: str

    @property
    def nik_masked(self) -> str:
        return mask_nik(self.nik)


def check_category(category: str, *, nib: str | None, on_government_list: bool) -> None:
    """A 3 kg buyer's category must be one of the five, with its proof (NIB, government list)."""
    if category not in CATEGORY_LABELS:
        raise InvalidInput("Pilih kategori pembeli elpiji 3 kg (rumah tangga, usaha mikro, nelayan sasaran, "
                           "petani sasaran atau pengecer).")
    if category in NEEDS_NIB and not (nib or "").strip():
        raise InvalidInput("Usaha mikro wajib mengisi NIB (Nomor Induk Berusaha). Minta NIB-nya, atau pilih "
                           "kategori lain bila bukan usaha.")
    if category in GOVERNMENT_LISTED and not on_government_list:
        raise InvalidInput("Nelayan/petani sasaran hanya bila terdaftar di data pemerintah. Centang 'terdaftar' "
                           "setelah memeriksa kartunya, atau pilih kategori lain.")


@dataclass(frozen=True, slots=True)
class Limit:
    """Cylinders one NIK may buy per WITA day and per calendar month (None = no limit)."""

    per_day: int | None = None
    per_month: int | None = None


LpgLimits = Mapping[str, Limit]


def parse_limits(raw: str | None) -> dict[str, Limit]:
    """Limits as stored (JSON `{"rumah_tangga": {"day": 1, "month": 15}, ...}`); empty by default."""
    if not raw:
        return {}
    data = json.loads(raw)
    return {cat: Limit(per_day=v.get("day"), per_month=v.get("month")) for cat, v in data.items()
            if cat in CATEGORY_LABELS}


def dump_limits(limits: LpgLimits) -> str:
    """The stored form; a negative or unknown entry is refused with a message."""
    data: dict[str, dict[str, int | None]] = {}
    for category, limit in limits.items():
        if category not in CATEGORY_LABELS:
            raise InvalidInput("Kategori elpiji '{category}' tidak dikenal.", category=category)
        for value in (limit.per_day, limit.per_month):
            if value is not None and value < 0:
                raise InvalidInput("Batas pembelian elpiji tidak boleh negatif. Kosongkan bila tanpa batas.")
        data[category] = {"day": limit.per_day, "month": limit.per_month}
    return json.dumps(data, sort_keys=True)


def over_limit(limit: Limit | None, *, bought_today: int, bought_this_month: int, buying: int) -> str | None:
    """'day' or 'month' when this purchase would pass that limit, else None (the 15th passes, the 16th not)."""
    if limit is None:
        return None
    if limit.per_day is not None and bought_today + buying > limit.per_day:
        return "day"
    if limit.per_month is not None and bought_this_month + buying > limit.per_month:
        return "month"
    return None
