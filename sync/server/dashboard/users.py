"""Dashboard users: creation (the `create-user` admin command) and password checks with a login throttle."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import Engine, func, insert, select

from sync.server.clock import rfc3339, utc_now
from sync.server.dashboard.passwords import DUMMY_HASH, generate_password, hash_password, verify_password
from sync.server.store.schema import dashboard_user, outlet

ROLES = ("dinas", "koperasi")
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
MIN_PASSWORD = 10


@dataclass(frozen=True)
class Viewer:
    """Who is looking at the dashboard: the one thing every query is scoped by."""

    user_id: str
    username: str
    role: str
    outlet_id: str | None


def create_user(engine: Engine, *, username: str, role: str, outlet_id: str | None = None,
                password: str | None = None) -> dict:
    """Add a dashboard user; the password is generated (16 chars) when not given and returned once."""
    username = (username or "").strip()
    if not USERNAME_RE.fullmatch(username):
        raise ValueError("Nama pengguna tidak sah: 2–64 huruf, angka, titik, garis bawah, @ atau tanda hubung.")
    if role not in ROLES:
        raise ValueError("Peran harus 'dinas' atau 'koperasi'.")
    if role == "koperasi" and not outlet_id:
        raise ValueError("Pengguna koperasi memerlukan --outlet (ID gerai).")
    if role == "dinas" and outlet_id:
        raise ValueError("Pengguna dinas melihat semua gerai: jangan beri --outlet.")
    if password is None:
        password = generate_password()
    elif len(password) < MIN_PASSWORD:
        raise ValueError(f"Kata sandi terlalu pendek: minimal {MIN_PASSWORD} karakter.")
    password_hash = hash_password(password)
    with engine.begin() as connection:
        if outlet_id is not None and connection.scalar(
                select(outlet.c.id).where(outlet.c.id == outlet_id)) is None:
            raise ValueError(f"Gerai tidak ditemukan: {outlet_id}")
        # Usernames are unique regardless of case: "Dinas" and "dinas" would be two names for one person.
        taken = connection.scalar(select(dashboard_user.c.id).where(
            func.lower(dashboard_user.c.username) == username.lower()))
        if taken is not None:
            raise ValueError(f"Nama pengguna sudah dipakai: {username}")
        connection.execute(insert(dashboard_user).values(
            id=str(uuid.uuid4()), username=username, password_hash=password_hash, role=role,
            outlet_id=outlet_id, active=True, created_at=rfc3339(utc_now())))
    return {"username": username, "role": role, "outlet_id": outlet_id, "password": password}


def check_password(engine: Engine, username: str, password: str) -> Viewer | None:
    """The active user with this username and password, else None (same work whether the name exists or not)."""
    if not USERNAME_RE.fullmatch(username.strip()):
        verify_password(password, DUMMY_HASH)
        return None
    with engine.connect() as connection:
        row = connection.execute(select(
            dashboard_user.c.id, dashboard_user.c.username, dashboard_user.c.role, dashboard_user.c.outlet_id,
            dashboard_user.c.password_hash, dashboard_user.c.active,
        ).where(func.lower(dashboard_user.c.username) == username.strip().lower())).first()
    if row is None:
        verify_password(password, DUMMY_HASH)
        return None
    if not verify_password(password, row.password_hash) or not row.active:
        return None
    return Viewer(row.id, row.username, row.role, row.outlet_id)
