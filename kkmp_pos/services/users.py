"""The till's users, managed by an admin: list, add, deactivate or reactivate, set or reset a PIN."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from kkmp_pos.domain.errors import InvalidInput, NotFound, PosError
from kkmp_pos.domain.roles import Role
from kkmp_pos.services.auth import (
    PIN_COST,
    ROLE_ORDER,
    KdfCost,
    ensure_pin_key,
    hash_pin,
    normalize_username,
    validate_pin_format,
)
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import Outlet, User

_user = User.__table__
_outlet = Outlet.__table__

USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{2,39}")
USER_CHANGE_EVENT = "user_change"
"""Journal event of every change to the staff list (never carries a PIN or its hash)."""


@dataclass(frozen=True, slots=True)
class UserEntry:
    """One row of the users screen."""

    id: str
    username: str
    full_name: str
    role: str
    active: bool
    has_pin: bool
    failed_pins: int
    locked_until: datetime | None

    def as_cashier(self) -> Cashier:
        return Cashier(id=self.id, username=self.username, full_name=self.full_name, role=self.role)


_COLUMNS = (_user.c.id, _user.c.username, _user.c.full_name, _user.c.role, _user.c.active,
            _user.c.pin_hash.is_not(None).label("has_pin"), _user.c.failed_pins, _user.c.locked_until)


def _entry(row: Row[Any]) -> UserEntry:
    return UserEntry(id=row.id, username=row.username, full_name=row.full_name, role=row.role,
                     active=bool(row.active), has_pin=bool(row.has_pin), failed_pins=row.failed_pins,
                     locked_until=row.locked_until)


def require_admin(connection: Connection, admin_id: str, refusal: PosError | None = None) -> None:
    """`refusal` (by default: only an admin manages users) unless `admin_id` is an active admin."""
    row = connection.execute(select(_user.c.role, _user.c.active).where(_user.c.id == admin_id)).first()
    if row is None or not row.active or row.role != Role.ADMIN:
        raise refusal or PosError("Hanya admin yang dapat mengelola pengguna. Masuk sebagai admin (Ctrl+L).")



def check_admin(ctx: PosContext, admin_id: str) -> None:
    """PosError unless `admin_id` is an active admin (before the users screen is even built)."""
    with reading(ctx.engine) as connection:
        require_admin(connection, admin_id)


def _load(connection: Connection, user_id: str) -> UserEntry:
    row = connection.execute(select(*_COLUMNS).where(_user.c.id == user_id)).first()
    if row is None:
        raise NotFound("Pengguna tidak ditemukan. Muat ulang daftar pengguna.")
    return _entry(row)


def check_new_pin(pin: str, pin_again: str) -> str:
    """A PIN someone chooses: 4-6 digits, typed the same twice, not all one digit nor a straight run."""
    validate_pin_format(pin)
    if pin != pin_again:
        raise InvalidInput("Kedua PIN tidak sama. Ketik PIN yang sama dua kali.")
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}
    if steps in ({0}, {1}, {-1}):
        raise InvalidInput("PIN {pin} terlalu mudah ditebak (angka sama atau berurutan). Pilih PIN lain.",
                           pin=pin)
    return pin


def list_users(ctx: PosContext, *, admin_id: str) -> list[UserEntry]:
    """Every user, active ones first, cashiers before managers."""
    with reading(ctx.engine) as connection:
        require_admin(connection, admin_id)
        rows = connection.execute(select(*_COLUMNS)).all()
    users = [_entry(row) for row in rows]
    return sorted(users, key=lambda u: (not u.active, ROLE_ORDER.get(u.role, 9), u.full_name.casefold()))


def _journal(connection: Connection, now: datetime, user: UserEntry, change: str, admin_id: str) -> None:
    append_event(connection, type=USER_CHANGE_EVENT, at=now, body={
        "user_id": user.id, "username": user.username, "full_name": user.full_name, "role": user.role,
        "active": 1 if user.active else 0, "change": change, "by": admin_id,
    })


def check_user_names(username: str, full_name: str) -> tuple[str, str]:
    """(username, full name) as stored, or InvalidInput saying what is wrong with them."""
    name = normalize_username(username)
    if not USERNAME_PATTERN.fullmatch(name):
        raise InvalidInput("Nama pengguna '{username}' tidak dapat dipakai: 3-40 huruf kecil, angka, titik, "
                           "garis bawah atau tanda hubung, tanpa spasi (contoh: siti.r).", username=username.strip())
    full = " ".join(full_name.split())
    if not full or len(full) > 120:
        raise InvalidInput("Isi nama lengkap (paling banyak 120 huruf).")
    return name, full


def create_user(ctx: PosContext, *, admin_id: str, username: str, full_name: str, role: Role | str, pin: str,
                pin_again: str) -> UserEntry:
    """Add a user with their first PIN; the username is how they pick themselves at login."""
    name, full = check_user_names(username, full_name)
    try:
        chosen_role = Role(role)
    except ValueError:
        raise InvalidInput("Peran '{role}' tidak dikenal.", role=str(role)) from None
    check_new_pin(pin, pin_again)
    now = ctx.clock()
    user_id = str(uuid.uuid4())
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        require_admin(connection, admin_id)
        if connection.execute(select(_user.c.id).where(_user.c.username == name)).first() is not None:
            raise InvalidInput("Nama pengguna '{username}' sudah dipakai. Pilih nama lain.", username=name)
        outlet_id = connection.execute(select(_outlet.c.id).limit(1)).scalar()
        if outlet_id is None:
            raise InvalidInput("Data gerai belum ada. Jalankan penyiapan gerai dulu.")
        pin_hash = hash_pin(pin, ensure_pin_key(ctx.data_dir))
        connection.execute(_user.insert(), {
            "id": user_id, "outlet_id": outlet_id, "username": name, "full_name": full, "role": chosen_role.value,
            "pin_hash": pin_hash, "active": True, "created_at": now, "failed_pins": 0, "locked_until": None,
        })
        user = _load(connection, user_id)
        _journal(connection, now, user, "created", admin_id)
        uow.commit()
    return user


def set_active(ctx: PosContext, *, admin_id: str, user_id: str, active: bool) -> UserEntry:
    """Deactivate (can no longer log in or approve; their records stay) or reactivate a user."""
    if user_id == admin_id and not active:
        raise InvalidInput("Anda tidak dapat menonaktifkan diri sendiri. Minta admin lain.")
    now = ctx.clock()
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        require_admin(connection, admin_id)
        before = _load(connection, user_id)
        if before.active == active:
            return before
        connection.execute(_user.update().where(_user.c.id == user_id).values(active=active))
        user = _load(connection, user_id)
        _journal(connection, now, user, "reactivated" if active else "deactivated", admin_id)
        uow.commit()
    return user


def reset_pin(ctx: PosContext, *, admin_id: str, user_id: str, pin: str, pin_again: str) -> UserEntry:
    """Give a user a new PIN (a forgotten PIN, a new staff member); also lifts a lockout."""
    check_new_pin(pin, pin_again)
    now = ctx.clock()
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        require_admin(connection, admin_id)
        _load(connection, user_id)
        pin_hash = hash_pin(pin, ensure_pin_key(ctx.data_dir))
        connection.execute(_user.update().where(_user.c.id == user_id)
                           .values(pin_hash=pin_hash, failed_pins=0, locked_until=None))
        user = _load(connection, user_id)
        _journal(connection, now, user, "pin_reset", admin_id)
        uow.commit()
    return user


def set_initial_pins(ctx: PosContext, pins: Mapping[str, str], *, cost: KdfCost = PIN_COST) -> None:
    """Outlet set-up: the first PINs of users created with the outlet (by username), in one transaction.

    Like the outlet's creation itself this is set-up, not a change to journal. Only the format is
    checked: the demo outlet's published PINs (1111...) are deliberately simple.
    """
    for pin in pins.values():
        validate_pin_format(pin)
    with ctx.unit_of_work() as uow:
        key = ensure_pin_key(ctx.data_dir)
        for username, pin in pins.items():
            result = uow.connection.execute(
                _user.update().where(_user.c.username == normalize_username(username))
                .values(pin_hash=hash_pin(pin, key, cost=cost), failed_pins=0, locked_until=None))
            if result.rowcount != 1:
                raise NotFound("Pengguna '{username}' tidak ditemukan.", username=username)
        uow.commit()
