"""PIN login: slow peppered PIN hashes, a lockout after repeated wrong PINs, and a log of every attempt.

A PIN hash is `scrypt(HMAC-SHA256(pepper, PIN), salt)`. The pepper is 32 random bytes in `<data_dir>/pin.key`,
outside the database, so a copied database file alone cannot be used to test a single PIN guess: the
10,000 four-digit PINs would otherwise fall in minutes. Back the key up with the database, or every PIN
has to be set again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row, select

from kkmp_pos.domain.clock import to_wita
from kkmp_pos.domain.errors import InvalidInput, PosError
from kkmp_pos.domain.roles import Role
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.uow import reading
from kkmp_pos.store.files import write_private_file
from kkmp_pos.store.models import LoginAttempt, User

_user = User.__table__
_attempt = LoginAttempt.__table__

PIN_KEY_FILENAME = "pin.key"
PIN_KEY_BYTES = 32
MAX_WRONG_PINS = 5
LOCK_DURATION = timedelta(seconds=60)
PIN_PATTERN = re.compile(r"[0-9]{4,6}")
LOGIN = "login"
"""The purpose logged for a till login; an approval logs `approval:<action>`."""

SCHEME = "scrypt-hmac-sha256"
_MAX_SCRYPT_MEMORY = 64 * 1024 * 1024
"""Refuse absurd stored parameters (a tampered row) instead of exhausting the laptop's memory."""
ROLE_ORDER = {Role.KASIR.value: 0, Role.MANAJER.value: 1, Role.PENGAWAS.value: 2, Role.ADMIN.value: 3}


@dataclass(frozen=True, slots=True)
class KdfCost:
    """scrypt's work factors; stored in every hash, so raising them later never breaks older PINs."""

    n: int
    r: int
    p: int


PIN_COST = KdfCost(n=2**14, r=8, p=1)
"""16 MiB and ~60 ms per check on a 2-core test machine: slow for a thief, unnoticed at the till."""


class AttemptOutcome(StrEnum):
    """How a PIN attempt ended, as logged in login_attempt.detail and shown on the audit screen."""

    OK = "ok"
    WRONG_PIN = "wrong_pin"
    LOCKED = "locked"
    UNKNOWN_USER = "unknown_user"
    INACTIVE = "inactive"
    NO_PIN = "no_pin"
    PIN_KEY = "pin_key"
    """The database's PIN hashes were made with a pin.key this data directory does not have."""
    BAD_HASH = "bad_hash"


class LoginRefused(PosError):
    """A PIN attempt that did not let the user in; `outcome` says why (already logged)."""

    def __init__(self, message: str, /, *, outcome: AttemptOutcome, **params: object) -> None:
        self.outcome = outcome
        super().__init__(message, **params)


@dataclass(frozen=True, slots=True)
class PinCheck:
    """The result of one PIN attempt: the user named (when known) and, if refused, the error to raise."""

    user: Cashier | None
    refusal: LoginRefused | None


# -- the pepper file ---------------------------------------------------------------------------------------

def _key_path(data_dir: Path) -> Path:
    return data_dir / PIN_KEY_FILENAME


def read_pin_key(data_dir: Path) -> bytes | None:
    """The pepper of this data directory, or None when there is none (yet, or a copied database)."""
    path = _key_path(data_dir)
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        return None
    if len(key) != PIN_KEY_BYTES:
        raise PosError("File kunci PIN {path} rusak. Pulihkan file pin.key dari cadangan folder data.",
                       path=str(path))
    return key


def ensure_pin_key(data_dir: Path) -> bytes:
    """The pepper, created once (owner-only permissions) when missing.

    Call it inside the write transaction that stores the hash: that lock keeps two processes from making
    two keys. The key is on disk (fsynced) before the hash that needs it is committed, so a power cut can
    never leave hashes without their key.
    """
    existing = read_pin_key(data_dir)
    if existing is not None:
        return existing
    key = secrets.token_bytes(PIN_KEY_BYTES)
    write_private_file(_key_path(data_dir), key)  # never a half-written pin.key, whatever happens mid-write
    return key


def _key_id(key: bytes) -> str:
    """A short fingerprint naming which pin.key made a hash; says nothing about the key itself."""
    return hashlib.sha256(b"kkmp-pos pin key id\x00" + key).hexdigest()[:8]


# -- hashing -----------------------------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _derive(pin: str, key: bytes, salt: bytes, cost: KdfCost) -> bytes:
    peppered = hmac.new(key, pin.encode("utf-8"), hashlib.sha256).digest()
    return hashlib.scrypt(peppered, salt=salt, n=cost.n, r=cost.r, p=cost.p, maxmem=_MAX_SCRYPT_MEMORY,
                          dklen=32)


def hash_pin(pin: str, key: bytes, *, cost: KdfCost = PIN_COST) -> str:
    """`scrypt-hmac-sha256$n=16384,r=8,p=1$key=1a2b3c4d$<salt>$<hash>` (base64): everything but the key."""
    salt = secrets.token_bytes(16)
    digest = _derive(pin, key, salt, cost)
    return f"{SCHEME}$n={cost.n},r={cost.r},p={cost.p}$key={_key_id(key)}${_b64(salt)}${_b64(digest)}"


@dataclass(frozen=True, slots=True)
class StoredPin:
    cost: KdfCost
    key_id: str
    salt: bytes
    digest: bytes


def parse_pin_hash(stored: str) -> StoredPin:
    """Split a stored hash into its parts; ValueError when it is not one of ours."""
    parts = stored.split("$")
    if len(parts) != 5 or parts[0] != SCHEME or not parts[2].startswith("key="):
        raise ValueError("not a PIN hash of this application")
    params = dict(item.split("=", 1) for item in parts[1].split(","))
    cost = KdfCost(n=int(params["n"]), r=int(params["r"]), p=int(params["p"]))
    if 128 * cost.n * cost.r * cost.p > _MAX_SCRYPT_MEMORY:
        raise ValueError("scrypt parameters out of range")
    return StoredPin(cost=cost, key_id=parts[2][4:], salt=_unb64(parts[3]), digest=_unb64(parts[4]))


def pin_matches(pin: str, stored: StoredPin, key: bytes) -> bool:
    """Constant-time comparison of a typed PIN against a parsed hash made with `key`."""
    if not PIN_PATTERN.fullmatch(pin):
        return False  # cannot match anything we store; still counts as a wrong attempt
    return hmac.compare_digest(_derive(pin, key, stored.salt, stored.cost), stored.digest)


def validate_pin_format(pin: str) -> str:
    """The PIN if it is 4 to 6 digits; otherwise an InvalidInput saying so."""
    if not PIN_PATTERN.fullmatch(pin):
        raise InvalidInput("PIN harus 4 sampai 6 angka.")
    return pin


def require_pin_typed(pin: str) -> None:
    """An empty PIN field is a slip of the Enter key, not an attempt: refused without logging or counting."""
    if not pin:
        raise InvalidInput("Ketik PIN (4 sampai 6 angka), lalu tekan Enter.")


def normalize_username(username: str) -> str:
    return username.strip().casefold()


# -- one attempt -------------------------------------------------------------------------------------------

def lock_end_text(until: datetime) -> str:
    """`10:16 WITA`, rounded up to the minute, so trying again at the time shown always works."""
    if until.second or until.microsecond:
        until = (until + timedelta(minutes=1)).replace(second=0, microsecond=0)
    return to_wita(until).strftime("%H:%M") + " WITA"


def _cashier(row: Row[Any]) -> Cashier:
    return Cashier(id=row.id, username=row.username, full_name=row.full_name, role=row.role)


def _judge(connection: Connection, data_dir: Path, now: datetime, row: Row[Any] | None, username: str,
           pin: str) -> tuple[AttemptOutcome, LoginRefused | None]:
    """Decide one attempt and update the user's counters; the caller logs it."""
    if row is None:
        return AttemptOutcome.UNKNOWN_USER, LoginRefused(
            "Pengguna '{username}' tidak dikenal. Pilih nama dari daftar.", outcome=AttemptOutcome.UNKNOWN_USER,
            username=username)
    name = row.full_name
    if not row.active:
        return AttemptOutcome.INACTIVE, LoginRefused(
            "Pengguna {name} sudah dinonaktifkan. Hubungi admin.", outcome=AttemptOutcome.INACTIVE, name=name)
    locked_until: datetime | None = row.locked_until
    if locked_until is not None and locked_until > now:
        return AttemptOutcome.LOCKED, LoginRefused(
            "Pengguna {name} dikunci sampai {until} karena {count} kali salah PIN.", outcome=AttemptOutcome.LOCKED,
            name=name, until=lock_end_text(locked_until), count=row.failed_pins)
    if not row.pin_hash:
        return AttemptOutcome.NO_PIN, LoginRefused(
            "Pengguna {name} belum punya PIN. Minta admin mengatur PIN di Menu > Pengguna.",
            outcome=AttemptOutcome.NO_PIN, name=name)
    try:
        stored = parse_pin_hash(row.pin_hash)
    except (ValueError, KeyError):
        return AttemptOutcome.BAD_HASH, LoginRefused(
            "Data PIN {name} tidak terbaca. Minta admin mengatur ulang PIN.", outcome=AttemptOutcome.BAD_HASH,
            name=name)
    key = read_pin_key(data_dir)
    if key is None or _key_id(key) != stored.key_id:
        # Not the user's fault and not a guess: never counted towards the lockout.
        return AttemptOutcome.PIN_KEY, LoginRefused(
            "PIN tidak dapat diperiksa: file kunci PIN (pin.key) di folder data tidak ada atau bukan pasangan "
            "database ini. Pulihkan pin.key dari cadangan, atau minta admin mengatur ulang semua PIN.",
            outcome=AttemptOutcome.PIN_KEY)
    if pin_matches(pin, stored, key):
        connection.execute(_user.update().where(_user.c.id == row.id)
                           .values(failed_pins=0, locked_until=None))
        return AttemptOutcome.OK, None
    failed = row.failed_pins + 1
    # From the fifth wrong PIN on, every further wrong PIN locks again: one guess a minute at most.
    lock = now + LOCK_DURATION if failed >= MAX_WRONG_PINS else None
    connection.execute(_user.update().where(_user.c.id == row.id)
                       .values(failed_pins=failed, locked_until=lock))
    if lock is not None:
        return AttemptOutcome.LOCKED, LoginRefused(
            "Pengguna {name} dikunci sampai {until} karena {count} kali salah PIN.", outcome=AttemptOutcome.LOCKED,
            name=name, until=lock_end_text(lock), count=failed)
    return AttemptOutcome.WRONG_PIN, LoginRefused(
        "PIN salah. Sisa percobaan: {left}", outcome=AttemptOutcome.WRONG_PIN, left=MAX_WRONG_PINS - failed)


def check_pin(connection: Connection, data_dir: Path, now: datetime, *, username: str, pin: str,
              purpose: str = LOGIN) -> PinCheck:
    """One PIN attempt inside the caller's write transaction: lockout rules applied, the attempt logged.

    The caller commits even when refused (the attempt and the counter must stay recorded), then raises
    `refusal`.
    """
    name = normalize_username(username)
    row = connection.execute(
        select(_user.c.id, _user.c.username, _user.c.full_name, _user.c.role, _user.c.active, _user.c.pin_hash,
               _user.c.failed_pins, _user.c.locked_until).where(_user.c.username == name)
    ).first()
    outcome, refusal = _judge(connection, data_dir, now, row, username.strip(), pin)
    connection.execute(_attempt.insert(), {
        "id": str(uuid.uuid4()), "user_id": row.id if row is not None else None,
        "username": (name or "-")[:40], "at": now, "success": outcome is AttemptOutcome.OK,
        "detail": f"{purpose}/{outcome.value}"[:120],
    })
    return PinCheck(user=_cashier(row) if row is not None else None, refusal=refusal)


def login(ctx: PosContext, username: str, pin: str) -> Cashier:
    """Log `username` in with `pin`; raises LoginRefused (attempt logged, lockout counted) when refused."""
    require_pin_typed(pin)
    with ctx.unit_of_work() as uow:
        check = check_pin(uow.connection, ctx.data_dir, ctx.clock(), username=username, pin=pin)
        uow.commit()
    if check.refusal is not None:
        raise check.refusal
    assert check.user is not None
    return check.user


# -- who can log in ----------------------------------------------------------------------------------------

def login_choices(ctx: PosContext) -> list[Cashier]:
    """Active users who have a PIN, cashiers first, for the login list."""
    with reading(ctx.engine) as connection:
        rows = connection.execute(
            select(_user.c.id, _user.c.username, _user.c.full_name, _user.c.role)
            .where(_user.c.active.is_(True), _user.c.pin_hash.is_not(None))
        ).all()
    users = [_cashier(row) for row in rows]
    return sorted(users, key=lambda u: (ROLE_ORDER.get(u.role, 9), u.full_name.casefold()))


def last_login_username(ctx: PosContext) -> str | None:
    """Who last logged in at this till, to preselect them after a restart."""
    with reading(ctx.engine) as connection:
        return connection.execute(
            select(_attempt.c.username)
            .where(_attempt.c.success.is_(True), _attempt.c.detail == f"{LOGIN}/{AttemptOutcome.OK.value}")
            .order_by(_attempt.c.at.desc()).limit(1)
        ).scalar()
