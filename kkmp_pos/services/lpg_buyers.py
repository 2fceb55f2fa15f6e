"""The 3 kg LPG buyers the outlet remembers: found by NIK (or member card), registered in the same dialog."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update

from kkmp_pos.domain.clock import business_date
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.lpg import LpgBuyerRef, check_category
from kkmp_pos.domain.nik import normalize_nik
from kkmp_pos.domain.text import search_key
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.nik_vault import (
    decrypt_or_none,
    ensure_nik_key,
    index_for,
    open_nik,
    read_nik_key,
    seal_nik,
)
from kkmp_pos.services.regions import check_nik
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import LpgBuyer, Member

_buyer = LpgBuyer.__table__
_member = Member.__table__


@dataclass(frozen=True, slots=True)
class BuyerForm:
    """What the buyer dialog collects; the NIK is typed (spaces, dots and dashes are fine)."""

    nik: str
    name: str
    address: str
    category: str
    nib: str | None = None
    on_government_list: bool = False
    member_id: str | None = None


@dataclass(frozen=True, slots=True)
class Buyer:
    """A remembered buyer, as the dialog fills itself in (`nik` whole: the dialog masks it once looked up;
    a buyer found by name whose NIK nik.key cannot open carries only the masked NIK)."""

    id: str
    nik: str
    name: str
    address: str
    category: str
    nib: str | None
    on_government_list: bool
    member_id: str | None

    def ref(self) -> LpgBuyerRef:
        return LpgBuyerRef(id=self.id, nik=self.nik, name=self.name, category=self.category)


def _buyer_from(row: object, data_dir: Path, nik: str | None = None) -> Buyer:
    """`nik` is the NIK the caller typed (no decryption needed); otherwise the stored one is opened."""
    if nik is None:
        nik = (row.nik or decrypt_or_none(data_dir, row.nik_enc)  # type: ignore[attr-defined]
               or row.nik_masked or "")  # type: ignore[attr-defined]
    return Buyer(id=row.id, nik=nik, name=row.name, address=row.address,  # type: ignore[attr-defined]
                 category=row.category, nib=row.nib,  # type: ignore[attr-defined]
                 on_government_list=bool(row.on_government_list),  # type: ignore[attr-defined]
                 member_id=row.member_id)  # type: ignore[attr-defined]


def find_buyer(ctx: PosContext, nik: str) -> Buyer | None:
    """The buyer with this NIK (typed with or without separators), or None: found by its blind index."""
    digits = normalize_nik(nik)
    index = index_for(ctx.data_dir, digits)
    if index is None:  # no nik.key yet: no buyer was sealed here
        return None
    with reading(ctx.engine) as connection:
        row = connection.execute(select(_buyer).where(_buyer.c.nik_index == index)).first()
    return _buyer_from(row, ctx.data_dir, nik=digits) if row else None


def buyer_for_member(ctx: PosContext, member_id: str) -> Buyer | BuyerForm | None:
    """A member card scanned at the LPG dialog: their buyer record, else a form filled from the member."""
    with reading(ctx.engine) as connection:
        row = connection.execute(select(_buyer).where(_buyer.c.member_id == member_id)).first()
        if row:
            return _buyer_from(row, ctx.data_dir)
        member = connection.execute(
            select(_member.c.nik, _member.c.nik_enc, _member.c.name, _member.c.address)
            .where(_member.c.id == member_id)
        ).first()
    if member is None or not (member.nik or member.nik_enc):
        return None
    # The till needs the member's NIK for the logbook; it is masked on screen as soon as it is filled in.
    nik = member.nik or open_nik(read_nik_key(ctx.data_dir), member.nik_enc)
    found = find_buyer(ctx, nik)
    if found is not None:
        return found
    return BuyerForm(nik=nik, name=member.name, address=member.address, category="rumah_tangga",
                     member_id=member_id)


def save_buyer(ctx: PosContext, form: BuyerForm) -> Buyer:
    """Register a new buyer or update the one with this NIK; one transaction; refuses bad input."""
    nik = check_nik(form.nik, business_date(ctx.clock())).value
    name, address = " ".join(form.name.split()), " ".join(form.address.split())
    if not name:
        raise InvalidInput("Nama pembeli elpiji wajib diisi sesuai KTP.")
    if not address:
        raise InvalidInput("Alamat pembeli elpiji wajib diisi sesuai KTP.")
    nib = (form.nib or "").strip() or None
    check_category(form.category, nib=nib, on_government_list=form.on_government_list)
    now = ctx.clock()
    values = {"name": name, "address": address, "category": form.category, "nib": nib,
              "on_government_list": form.on_government_list, "updated_at": now}
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        key = ensure_nik_key(ctx.data_dir)  # inside the write lock: one key, on disk before the ciphertext
        sealed = seal_nik(key, nik)
        existing = connection.execute(
            select(_buyer.c.id, _buyer.c.member_id).where(_buyer.c.nik_index == sealed.index)).first()
        if existing is None:
            buyer_id = str(uuid.uuid4())
            connection.execute(_buyer.insert(), {"id": buyer_id, **sealed.columns(), "member_id": form.member_id,
                                                 "created_at": now, **values})
        else:
            buyer_id = existing.id
            connection.execute(update(_buyer).where(_buyer.c.id == buyer_id).values(
                member_id=form.member_id or existing.member_id, **values))
        uow.commit()
    found = find_buyer(ctx, nik)
    assert found is not None
    return found


def search_buyers(ctx: PosContext, text: str, limit: int = 50) -> list[Buyer]:
    """Buyers whose name contains `text`, by whole NIK, or whose NIK starts like the typed digits.

    A partial NIK can only be matched on the masked copy, whose first four digits are in clear."""
    key = search_key(text)
    digits = normalize_nik(text)
    with reading(ctx.engine) as connection:
        query = select(_buyer).order_by(_buyer.c.name).limit(limit)
        if digits.isdigit() and len(digits) == 16:
            query = query.where(_buyer.c.nik_index == (index_for(ctx.data_dir, digits) or ""))
        elif digits.isdigit():
            query = query.where(_buyer.c.nik_masked.startswith(digits[:4]))
        elif key:
            query = query.where(_buyer.c.name.ilike(f"%{key}%"))
        rows = connection.execute(query).all()
    return [_buyer_from(row, ctx.data_dir) for row in rows]

