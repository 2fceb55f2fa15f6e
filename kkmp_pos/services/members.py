"""Members and named customers: register, edit, find (number, name, NIK), and attach to a sale."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, case, or_, select, update
from sqlalchemy.exc import IntegrityError

from kkmp_pos.domain.cart import MemberRef
from kkmp_pos.domain.clock import business_date
from kkmp_pos.domain.errors import InvalidInput, NotFound
from kkmp_pos.domain.member import (
    ANGGOTA,
    CREDIT_FIELDS,
    CleanMember,
    MemberForm,
    changed_fields,
    check_member_change_allowed,
    clean_member,
    format_member_no,
    next_member_no,
    nik_for_viewer,
    status_label,
)
from kkmp_pos.domain.money import Rupiah
from kkmp_pos.domain.nik import mask_nik, normalize_nik
from kkmp_pos.domain.roles import Action, Role
from kkmp_pos.domain.sale_rules import Requirement
from kkmp_pos.domain.text import search_key
from kkmp_pos.printing.member_card import MemberCard, render_member_card
from kkmp_pos.services.approval_use import use_approvals
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.nik_vault import decrypt_or_none, index_for, sealed_columns
from kkmp_pos.services.outlet import Cashier, outlet_info
from kkmp_pos.services.regions import kelurahan_name, province_names, samarinda_kelurahan
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import Member as MemberRow
from kkmp_pos.store.models import Outlet

SEARCH_LIMIT = 50
_member = MemberRow.__table__
_outlet = Outlet.__table__
_STILL_MEMBER = ("aktif", "nonaktif")
"""A NIK may be registered once among people who have not left (keluar)."""


@dataclass(frozen=True, slots=True)
class Member:
    """A stored anggota or pelanggan. `nik` is whole (None if nik.key cannot open it): screens show
    `nik_for(role)`."""

    id: str
    member_no: str
    kind: str
    nik: str | None
    name: str
    address: str
    kelurahan_code: str | None
    rt: str | None
    rw: str | None
    phone: str | None
    join_date: date
    status: str
    credit_limit: Rupiah
    credit_days: int
    nik_masked: str | None = None
    """Stored in clear for screens and receipts; still shown when the whole NIK cannot be decrypted."""

    @property
    def kelurahan_name(self) -> str:
        return kelurahan_name(self.kelurahan_code)

    @property
    def status_text(self) -> str:
        return status_label(self.status)

    def nik_for(self, role: Role | str) -> str:
        if self.nik is None:  # no key for it here: the masked copy is all anyone sees
            return self.nik_masked or ""
        return nik_for_viewer(self.nik, role)

    def ref(self) -> MemberRef:
        """What the cart carries: member prices follow `kind`."""
        return MemberRef(id=self.id, member_no=self.member_no, name=self.name, kind=self.kind)

    def form(self) -> MemberForm:
        """The record as the edit form starts from."""
        return MemberForm(kind=self.kind, name=self.name, nik=self.nik or "", member_no=self.member_no,
                          address=self.address, kelurahan_code=self.kelurahan_code, rt=self.rt or "",
                          rw=self.rw or "", phone=self.phone or "", join_date=self.join_date, status=self.status,
                          credit_limit=self.credit_limit, credit_days=self.credit_days)


def _to_member(row: Any, data_dir: Path) -> Member:
    # Decrypted for the service's own use (edit form, LPG buyer); screens mask it by role via nik_for.
    nik = row.nik or decrypt_or_none(data_dir, row.nik_enc)
    masked = row.nik_masked or (mask_nik(nik) if nik else None)
    return Member(id=row.id, member_no=row.member_no, kind=row.kind, nik=nik, name=row.name,
                  address=row.address, kelurahan_code=row.kelurahan_code, rt=row.rt, rw=row.rw, phone=row.phone,
                  join_date=date.fromisoformat(row.join_date), status=row.status, credit_limit=row.credit_limit,
                  credit_days=row.credit_days, nik_masked=masked)


def _stored(ctx: PosContext, fields: dict[str, Any]) -> dict[str, Any]:
    """The fields as written: the NIK sealed (ciphertext, blind index, masked), never in clear."""
    stored = {key: value for key, value in fields.items() if key != "nik"}
    return {**stored, **sealed_columns(ctx.data_dir, fields.get("nik"))}


# --- approvals -------------------------------------------------------------------------------------------


def outlet_kelurahan(ctx: PosContext) -> str:
    with reading(ctx.engine) as connection:
        return str(connection.execute(select(_outlet.c.kelurahan_code).limit(1)).scalar_one())


def needs_kelurahan_approval(ctx: PosContext, form: MemberForm) -> bool:
    """An anggota living outside the outlet's kelurahan joins only with a manager's approval."""
    return form.kind == ANGGOTA and bool(form.kelurahan_code) and form.kelurahan_code != outlet_kelurahan(ctx)


def kelurahan_approval_subject(form: MemberForm | CleanMember) -> str:
    """What the approval is about, the same on the dialog and in the check: the person and their kelurahan."""
    return f"{' '.join(form.name.split())} ({kelurahan_name(form.kelurahan_code)})"[:160]


def kelurahan_approval_values(ctx: PosContext, form: MemberForm) -> tuple[dict[str, str], dict[str, str]]:
    """(before, after) for the approval record: the outlet's kelurahan and the member's."""
    return ({"kelurahan": kelurahan_name(outlet_kelurahan(ctx))},
            {"kelurahan": kelurahan_name(form.kelurahan_code)})


def _kelurahan_requirement(connection: Connection, member: CleanMember) -> Requirement | None:
    home = connection.execute(select(_outlet.c.kelurahan_code).limit(1)).scalar_one()
    if member.kind != ANGGOTA or member.kelurahan_code == home:
        return None
    return Requirement(Action.MEMBER_OUTSIDE_KELURAHAN, kelurahan_approval_subject(member),
                       {"kelurahan": kelurahan_name(home)}, {"kelurahan": kelurahan_name(member.kelurahan_code)})


def _clean(form: MemberForm, now: datetime) -> CleanMember:
    return clean_member(form, today=business_date(now), provinces=province_names(),
                        kelurahan_codes={k.code for k in samarinda_kelurahan()})


# --- register and edit -------------------------------------------------------------------------------------


def register_member(ctx: PosContext, form: MemberForm, *, by: Cashier,
                    approval_id: str | None = None) -> Member:
    """Store a new anggota or pelanggan; `approval_id` covers a home outside the outlet's kelurahan."""
    now = ctx.clock()
    clean = _clean(form, now)
    check_member_change_allowed(by.role, credit_changed=(clean.credit_limit, clean.credit_days) != (0, 30))
    member_id = str(uuid.uuid4())
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        member_no = clean.member_no or _next_number(connection, clean.kind)
        fields = {**clean.fields(), "member_no": member_no}
        _check_unique(ctx, connection, member_no, clean.nik, member_id)
        requirement = _kelurahan_requirement(connection, clean)
        spent = use_approvals(connection, [requirement], [approval_id] if approval_id else [],
                              used_by=member_id) if requirement else []
        try:
            connection.execute(_member.insert(), {
                "id": member_id, **_stored(ctx, fields), "name_norm": search_key(clean.name), "created_at": now,
                "updated_at": now,
            })
        except IntegrityError:
            raise _duplicate_number(member_no) from None
        _journal(connection, now, member_id, fields, changed_fields(None, fields), "register", by, spent)
        uow.commit()
    return get_member(ctx, member_id)


def update_member(ctx: PosContext, member_id: str, form: MemberForm, *, by: Cashier,
                  approval_id: str | None = None) -> Member:
    """Change a member's record; only the changed fields go to the journal. Nothing changed: nothing written."""
    now = ctx.clock()
    clean = _clean(form, now)
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        row = connection.execute(select(_member).where(_member.c.id == member_id)).first()
        if row is None:
            raise NotFound("Anggota tidak ditemukan (mungkin sudah dihapus dari daftar).")
        current = _to_member(row, ctx.data_dir)
        # A pelanggan who becomes an anggota (or back) moves to that kind's series unless a number is typed.
        member_no = clean.member_no or (current.member_no if clean.kind == current.kind
                                        else _next_number(connection, clean.kind))
        fields = {**clean.fields(), "member_no": member_no}
        before = {key: current.nik if key == "nik" else row._mapping[key] for key in fields}
        changes = changed_fields(before, fields)
        check_member_change_allowed(by.role, credit_changed=any(f in changes for f in CREDIT_FIELDS))
        if not changes:
            return current
        _check_unique(ctx, connection, fields["member_no"], clean.nik, member_id)
        moved = {"kind", "kelurahan_code"} & changes.keys()
        requirement = _kelurahan_requirement(connection, clean) if moved else None
        spent = use_approvals(connection, [requirement], [approval_id] if approval_id else [],
                              used_by=member_id) if requirement else []
        try:
            connection.execute(update(_member).where(_member.c.id == member_id).values(
                **_stored(ctx, fields), name_norm=search_key(clean.name), updated_at=now))
        except IntegrityError:
            raise _duplicate_number(fields["member_no"]) from None
        _journal(connection, now, member_id, fields, changes, "edit", by, spent)
        uow.commit()
    return get_member(ctx, member_id)


def check_member_form(ctx: PosContext, form: MemberForm, member_id: str | None = None) -> None:
    """Every check `register_member`/`update_member` makes before writing, without writing: the form runs it
    before asking a manager's approval, so a typo found later never wastes one."""
    clean = _clean(form, ctx.clock())
    with reading(ctx.engine) as connection:
        _check_unique(ctx, connection, clean.member_no, clean.nik, member_id or "")


def _next_number(connection: Connection, kind: str) -> str:
    prefix = format_member_no(kind, 0)[:2]
    existing = connection.execute(
        select(_member.c.member_no).where(_member.c.member_no.startswith(prefix, autoescape=True))
    ).scalars().all()
    return next_member_no(kind, existing)


def suggested_member_no(ctx: PosContext, kind: str) -> str:
    """The number a new record of `kind` would get now (shown greyed in the empty field)."""
    with reading(ctx.engine) as connection:
        return _next_number(connection, kind)


def _duplicate_number(member_no: str) -> InvalidInput:
    return InvalidInput("Nomor {member_no} sudah dipakai. Pakai nomor lain, atau kosongkan untuk nomor otomatis.",
                        member_no=member_no)


def _check_unique(ctx: PosContext, connection: Connection, member_no: str, nik: str | None,
                  member_id: str) -> None:
    taken = connection.execute(
        select(_member.c.id).where(_member.c.member_no == member_no, _member.c.id != member_id)
    ).first()
    if taken is not None:
        raise _duplicate_number(member_no)
    index = None if nik is None else index_for(ctx.data_dir, nik)
    if index is None:  # no NIK, or no key yet (so no sealed NIK it could equal)
        return
    other = connection.execute(
        select(_member.c.member_no, _member.c.name)
        .where(_member.c.nik_index == index, _member.c.id != member_id, _member.c.status.in_(_STILL_MEMBER))
    ).first()
    if other is not None:
        raise InvalidInput("NIK ini sudah terdaftar atas nama {name} ({member_no}). Satu NIK hanya untuk satu "
                           "anggota; buka data yang sudah ada.", name=other.name, member_no=other.member_no)


def _journal(connection: Connection, now: datetime, member_id: str, fields: dict[str, Any], changes: dict[str, Any],
             change: str, by: Cashier, approvals: list[str]) -> None:
    body: dict[str, Any] = {"member_id": member_id, "member_no": fields["member_no"], "kind": fields["kind"],
                            "change": change, "fields": changes, "by": by.id}
    if approvals:
        body["approval_ids"] = approvals
    append_event(connection, type="member_change", at=now, body=body)


# --- finding -------------------------------------------------------------------------------------------------


def get_member(ctx: PosContext, member_id: str) -> Member:
    with reading(ctx.engine) as connection:
        row = connection.execute(select(_member).where(_member.c.id == member_id)).first()
    if row is None:
        raise NotFound("Anggota tidak ditemukan (mungkin sudah dihapus dari daftar).")
    return _to_member(row, ctx.data_dir)


def find_member_by_number(ctx: PosContext, member_no: str) -> Member | None:
    """Exact member number, as printed on the card (case and spaces around it ignored)."""
    with reading(ctx.engine) as connection:
        row = connection.execute(select(_member).where(_member.c.member_no == member_no.strip().upper())).first()
    return _to_member(row, ctx.data_dir) if row else None


def member_for_sale(ctx: PosContext, member_no: str) -> Member:
    """The member a scanned card or typed number names, if they may buy as one; else a clear refusal."""
    member = find_member_by_number(ctx, member_no)
    if member is None:
        raise NotFound("Kartu {member_no} tidak dikenal: tidak ada anggota yang dipasang. Periksa nomornya "
                       "atau cari dengan nama (F7).", member_no=member_no.strip().upper())
    if member.status != "aktif":
        raise InvalidInput("{name} ({member_no}) berstatus {status}: tidak dapat dipasang ke transaksi.",
                           name=member.name, member_no=member.member_no, status=member.status_text.lower())
    return member


def search_members(ctx: PosContext, text: str, *, limit: int = SEARCH_LIMIT) -> list[Member]:
    """By number (whole or its start, or just the digits: `123` finds A-000123), name (accent-insensitive,
    start of the name first) or a whole NIK; an empty query lists the latest registered."""
    key = search_key(text)
    query = select(_member).limit(limit)
    if not key:
        return _rows(ctx, query.order_by(_member.c.created_at.desc(), _member.c.member_no.desc()))
    upper = text.strip().upper()
    conditions = [_member.c.member_no.startswith(upper, autoescape=True),
                  _member.c.name_norm.contains(key, autoescape=True)]
    digits = normalize_nik(text.strip())
    if digits.isdigit():
        index = index_for(ctx.data_dir, digits) if len(digits) == 16 else None
        if index is not None:
            conditions.append(_member.c.nik_index == index)
        elif len(digits) <= 6:
            conditions.append(_member.c.member_no.in_(
                [format_member_no(kind, int(digits)) for kind in ("anggota", "pelanggan")]))
    rank = case((_member.c.member_no == upper, 0), (_member.c.name_norm.startswith(key, autoescape=True), 1),
                else_=2)
    return _rows(ctx, query.where(or_(*conditions)).order_by(rank, _member.c.name_norm, _member.c.member_no))


def _rows(ctx: PosContext, query: Any) -> list[Member]:
    with reading(ctx.engine) as connection:
        return [_to_member(row, ctx.data_dir) for row in connection.execute(query)]


# --- the member card -----------------------------------------------------------------------------------------


def member_card(ctx: PosContext, member_id: str) -> MemberCard:
    member = get_member(ctx, member_id)
    outlet = outlet_info(ctx)
    return MemberCard(koperasi_name=outlet.koperasi_name, gerai_name=outlet.gerai_name,
                      member_no=member.member_no, member_name=member.name, kind=member.kind,
                      join_date=member.join_date, kelurahan=member.kelurahan_name)


def save_member_card(ctx: PosContext, member_id: str, path: Path) -> Path:
    """Write the member's card as a PDF to `path` (a `.pdf` suffix is added when missing)."""
    data = render_member_card(member_card(ctx, member_id))
    if path.suffix.lower() != ".pdf":
        path = path.with_name(path.name + ".pdf")
    try:
        path.write_bytes(data)
    except OSError as error:
        raise InvalidInput("Kartu tidak dapat disimpan ke {path}: {reason}. Pilih folder lain.", path=str(path),
                           reason=error.strerror or str(error)) from error
    return path
