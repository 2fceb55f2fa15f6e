"""Who may do what: roles, the acts that need a manager's approval, and each role's discount limit."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    KASIR = "kasir"
    MANAJER = "manajer"
    PENGAWAS = "pengawas"
    ADMIN = "admin"


class Action(StrEnum):
    """Gated acts: each needs a manager's PIN and a reason unless the user's own role covers it."""

    PRICE_ABOVE_HET = "price_above_het"
    DISCOUNT_OVER_LIMIT = "discount_over_limit"
    MANUAL_PRICE = "manual_price"
    VOID_LINE = "void_line"
    CANCEL_CART = "cancel_cart"
    REFUND = "refund"
    OPEN_DRAWER = "open_drawer"
    KASBON_OVER_LIMIT = "kasbon_over_limit"
    MEMBER_OUTSIDE_KELURAHAN = "member_outside_kelurahan"
    LPG_OVER_LIMIT = "lpg_over_limit"
    STOCK_ADJUSTMENT = "stock_adjustment"
    STOCK_COUNT = "stock_count"
    CASH_MOVEMENT = "cash_movement"
    CLOSE_SHIFT = "close_shift"


ACTION_LABELS = {
    Action.PRICE_ABOVE_HET: "Harga di atas HET",
    Action.DISCOUNT_OVER_LIMIT: "Diskon melebihi batas",
    Action.MANUAL_PRICE: "Ubah harga manual",
    Action.VOID_LINE: "Batalkan barang yang sudah dipindai",
    Action.CANCEL_CART: "Batalkan seluruh transaksi",
    Action.REFUND: "Retur / pengembalian uang",
    Action.OPEN_DRAWER: "Buka laci tanpa transaksi",
    Action.KASBON_OVER_LIMIT: "Kasbon melebihi batas",
    Action.MEMBER_OUTSIDE_KELURAHAN: "Anggota dari luar kelurahan",
    Action.LPG_OVER_LIMIT: "Elpiji 3 kg melebihi batas per NIK",
    Action.STOCK_ADJUSTMENT: "Penyesuaian stok",
    Action.STOCK_COUNT: "Persetujuan stok opname",
    Action.CASH_MOVEMENT: "Kas masuk/keluar",
    Action.CLOSE_SHIFT: "Tutup shift",
}

ROLE_LABELS = {Role.KASIR: "Kasir", Role.MANAJER: "Manajer / Ketua", Role.PENGAWAS: "Pengawas",
               Role.ADMIN: "Admin"}

APPROVER_ROLES = frozenset({Role.MANAJER, Role.ADMIN})
"""Only a manajer (ketua) or an admin can approve a gated act; a pengawas reads and never approves."""

SELLING_ROLES = frozenset({Role.KASIR, Role.MANAJER, Role.ADMIN})
"""A pengawas (supervisor) sees everything and changes nothing, so never sells."""

DISCOUNT_LIMIT_BP = {Role.KASIR: 500, Role.MANAJER: 10_000, Role.ADMIN: 10_000, Role.PENGAWAS: 0}
"""Largest discount a role may give on its own, in basis points of the amount (500 = 5 %)."""


def can_sell(role: Role | str) -> bool:
    return Role(role) in SELLING_ROLES


def can_approve(role: Role | str, action: Action | str) -> bool:
    """Whether a user of `role` may approve `action` (for someone else or for themselves)."""
    Action(action)  # unknown actions are a bug, not a refusal
    return Role(role) in APPROVER_ROLES


def needs_approval(role: Role | str, action: Action | str) -> bool:
    """A manager's own act is approved by their role (still recorded); everyone else asks a manager."""
    return not can_approve(role, action)


def discount_within_limit(role: Role | str, discount: int, base: int) -> bool:
    """True if giving `discount` rupiah off `base` rupiah stays within the role's own limit."""
    if discount <= 0:
        return True
    if base <= 0:
        return False
    return discount * 10_000 <= base * DISCOUNT_LIMIT_BP[Role(role)]
