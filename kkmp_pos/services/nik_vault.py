"""NIKs at rest: AES-256-GCM with a key file outside the database, a blind index for lookups, masked copies.

The key is 32 random bytes in `<data_dir>/nik.key` (like `pin.key`): a copied database file alone shows
only masked NIKs (`6472********0001`) and ciphertext. Each stored NIK has three columns: `nik_enc`
(`v1:<key id>:<base64 nonce+ciphertext>`), `nik_index` (HMAC-SHA256 under a key derived for indexing, hex:
equality lookups and uniqueness without decrypting) and `nik_masked` (what screens and receipts show).
The old clear `nik` column stays in the schema only to be emptied by `convert_clear_niks` at start-up.
Losing nik.key loses the whole NIKs (the masked copies remain): back it up with the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, select, update

from kkmp_pos.domain.errors import InvalidInput, PosError
from kkmp_pos.domain.nik import mask_nik, normalize_nik
from kkmp_pos.domain.roles import APPROVER_ROLES, Role
from kkmp_pos.store.db import BEGIN_OPTION
from kkmp_pos.store.files import write_private_file
from kkmp_pos.store.models import LpgBuyer, Member

if TYPE_CHECKING:
    from kkmp_pos.services.context import PosContext

NIK_KEY_FILENAME = "nik.key"
NIK_KEY_BYTES = 32
NONCE_BYTES = 12
SCHEME = "v1"
_AAD = b"kkmp-pos nik v1"
WHOLE_NIK_ROLES = APPROVER_ROLES
"""Who may see a whole NIK (manajer, admin: they answer for the agen's logbook); others see it masked."""
NIK_TABLES = (Member.__table__, LpgBuyer.__table__)


class NikLocked(PosError):
    """A stored NIK this data directory cannot decrypt: nik.key is missing or is not the one that sealed it."""

    def __init__(self) -> None:
        super().__init__("NIK lengkap tidak dapat dibuka: file kunci nik.key di folder data tidak ada atau bukan "
                         "kunci database ini. Pulihkan nik.key dari cadangan folder data; NIK tersamar tetap "
                         "tampil.")


# -- the key file ------------------------------------------------------------------------------------------

def read_nik_key(data_dir: Path) -> bytes | None:
    """This data directory's NIK key, or None when there is none (yet, or a copied database)."""
    path = data_dir / NIK_KEY_FILENAME
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        return None
    if len(key) != NIK_KEY_BYTES:
        raise PosError("File kunci NIK {path} rusak. Pulihkan file nik.key dari cadangan folder data.",
                       path=str(path))
    return key


def ensure_nik_key(data_dir: Path) -> bytes:
    """The key, created once (owner-only, fsynced, atomic rename) when missing.

    Call it inside the write transaction that stores a sealed NIK: the write lock keeps two processes from
    making two keys, and the key is on disk before any ciphertext that needs it is committed.
    """
    existing = read_nik_key(data_dir)
    if existing is not None:
        return existing
    key = secrets.token_bytes(NIK_KEY_BYTES)
    write_private_file(data_dir / NIK_KEY_FILENAME, key)
    return key


def _subkey(key: bytes, purpose: bytes) -> bytes:
    # Separate keys for sealing and indexing: the index never helps an attack on the ciphertext.
    return hmac.new(key, b"kkmp-pos nik " + purpose, hashlib.sha256).digest()


def _key_id(key: bytes) -> str:
    return hashlib.sha256(b"kkmp-pos nik key id\x00" + key).hexdigest()[:8]


# -- sealing -----------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SealedNik:
    """The stored form of one NIK: ciphertext, blind index, masked copy."""

    enc: str
    index: str
    masked: str

    def columns(self) -> dict[str, Any]:
        return {"nik": None, "nik_enc": self.enc, "nik_index": self.index, "nik_masked": self.masked}


EMPTY_COLUMNS = {"nik": None, "nik_enc": None, "nik_index": None, "nik_masked": None}


def blind_index(key: bytes, nik: str) -> str:
    return hmac.new(_subkey(key, b"index"), normalize_nik(nik).encode("ascii"), hashlib.sha256).hexdigest()


def seal_nik(key: bytes, nik: str) -> SealedNik:
    digits = normalize_nik(nik)
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(_subkey(key, b"seal")).encrypt(nonce, digits.encode("ascii"), _AAD)
    token = f"{SCHEME}:{_key_id(key)}:{base64.b64encode(nonce + sealed).decode('ascii')}"
    return SealedNik(enc=token, index=blind_index(key, digits), masked=mask_nik(digits))


def open_nik(key: bytes | None, token: str) -> str:
    """The NIK sealed in `token`; NikLocked when `key` is missing or is not the one that sealed it."""
    if key is None:
        raise NikLocked()
    try:
        scheme, key_id, payload = token.split(":", 2)
        raw = base64.b64decode(payload, validate=True)
    except ValueError:
        raise PosError("Data NIK tersimpan rusak (format tidak dikenal).") from None
    if scheme != SCHEME or key_id != _key_id(key):
        raise NikLocked()
    try:
        return AESGCM(_subkey(key, b"seal")).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _AAD).decode("ascii")
    except InvalidTag:
        raise PosError("Data NIK tersimpan rusak atau diubah di luar aplikasi.") from None


def sealed_columns(data_dir: Path, nik: str | None) -> dict[str, Any]:
    """The four NIK columns to write for `nik` (None clears them); creates nik.key on first use."""
    if not nik:
        return dict(EMPTY_COLUMNS)
    return seal_nik(ensure_nik_key(data_dir), nik).columns()


def index_for(data_dir: Path, nik: str) -> str | None:
    """The blind index of `nik` under this data directory's key; None when there is no key (nothing matches)."""
    key = read_nik_key(data_dir)
    return None if key is None else blind_index(key, nik)


def decrypt_or_none(data_dir: Path, token: str | None) -> str | None:
    """For the services' own use (never shown as such): the NIK, or None when it cannot be opened."""
    if not token:
        return None
    try:
        return open_nik(read_nik_key(data_dir), token)
    except NikLocked:
        return None


def may_see_whole_nik(role: Role | str) -> bool:
    return Role(role) in WHOLE_NIK_ROLES


def reveal_nik(ctx: PosContext, viewer: Any, token: str | None) -> str:
    """The whole NIK for a viewer (a Cashier, or just a role) who may see it; refuses everyone else.

    Raises NikLocked when this data directory's nik.key cannot open it."""
    if not may_see_whole_nik(getattr(viewer, "role", viewer)):
        raise InvalidInput("NIK lengkap hanya dapat dilihat oleh manajer atau admin.")
    if not token:
        return ""
    return open_nik(read_nik_key(ctx.data_dir), token)


# -- start-up conversion -----------------------------------------------------------------------------------

def convert_clear_niks(engine: Engine, data_dir: Path) -> int:
    """Seal every NIK still stored in clear (a database from before encryption) and empty its clear column.

    Idempotent and cheap when there is nothing to do (one indexed-or-small query per table). Returns how many.
    """
    with engine.connect().execution_options(**{BEGIN_OPTION: None}) as connection:
        pending = any(connection.execute(select(t.c.id).where(t.c.nik.is_not(None)).limit(1)).first()
                      for t in NIK_TABLES)
    if not pending:
        return 0
    converted = 0
    with engine.connect().execution_options(**{BEGIN_OPTION: "IMMEDIATE"}) as connection:
        key = ensure_nik_key(data_dir)
        for table in NIK_TABLES:
            rows = connection.execute(select(table.c.id, table.c.nik).where(table.c.nik.is_not(None))).all()
            for row in rows:
                connection.execute(update(table).where(table.c.id == row.id)
                                   .values(**seal_nik(key, row.nik).columns()))
            converted += len(rows)
        connection.commit()
    # The clear values may linger in free pages and the WAL: overwrite and checkpoint them away.
    with engine.connect().execution_options(**{BEGIN_OPTION: None}) as connection:
        connection.exec_driver_sql("PRAGMA secure_delete=ON")
        connection.exec_driver_sql("VACUUM")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return converted
