"""Linking this till to the city server: enrolment (keys made here), the device identity file, unlinking."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kkmp_pos.domain.errors import InvalidInput, PosError
from kkmp_pos.domain.roles import APPROVER_ROLES, Role
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.uow import reading
from kkmp_pos.store.files import write_private_file
from kkmp_pos.store.models import Setting
from sync.client.errors import (
    BadRequest,
    InsecureTransport,
    Offline,
    Refused,
    ServerError,
    SyncError,
    TLSError,
)
from sync.client.transport import CityClient, check_base_url
from sync.protocol.batch import is_uuid
from sync.protocol.errors import ProtocolError
from sync.protocol.keys import (
    Ed25519PrivateKey,
    generate_private_key,
    load_private_key,
    load_public_key,
    private_key_b64,
    public_key_b64,
)

IDENTITY_FILE = "sync_identity.json"
"""In the data directory, mode 0600: the device's private key and token (never in the database)."""

SERVER_URL, OUTLET_ID, DEVICE_ID = "sync.server_url", "sync.outlet_id", "sync.device_id"
SERVER_PUBLIC_KEY, ACKED_THROUGH = "sync.server_public_key", "sync.acked_through"
LAST_SUCCESS_AT, BLOCKED = "sync.last_success_at", "sync.blocked"
LAST_ERROR = "sync.last_error"
"""Why the last round did not reach the server ('' after a successful one)."""
PENDING_BATCH = "sync.pending_batch"
"""The batch sent but not acknowledged (id, sent_at, seqs): resent unchanged, as the protocol asks."""
MASTER_ERROR = "sync.master_error"
"""Why the last master data pull was refused ('' when it applied or had nothing new)."""
MASTER_VERSION = "master_version"
SYNC_KEYS = (SERVER_URL, OUTLET_ID, DEVICE_ID, SERVER_PUBLIC_KEY, ACKED_THROUGH, LAST_SUCCESS_AT, BLOCKED,
             LAST_ERROR, PENDING_BATCH, MASTER_ERROR)

ClientFactory = Callable[[str, str | None], CityClient]
"""`(server_url, token) -> CityClient`; tests and the UI pass their own (fewer retries)."""

_setting = Setting.__table__


BACKGROUND_ATTEMPTS = 3
"""Tries per request in one round (a few seconds of backoff): the next round comes within minutes anyway, and a
worker stuck in long backoff would hold up closing the till."""


def default_client(server_url: str, token: str | None) -> CityClient:
    return CityClient(server_url, token=token, max_attempts=BACKGROUND_ATTEMPTS)


# --- settings rows ------------------------------------------------------------------------------------

def read_settings(connection: Connection, keys: Iterable[str]) -> dict[str, str]:
    wanted = list(keys)
    rows = connection.execute(select(_setting.c.key, _setting.c.value).where(_setting.c.key.in_(wanted)))
    return dict(rows.all())


def write_settings(connection: Connection, values: Mapping[str, str]) -> None:
    """Upsert inside the caller's transaction."""
    if not values:
        return
    statement = sqlite_insert(_setting)
    connection.execute(
        statement.on_conflict_do_update(index_elements=["key"], set_={"value": statement.excluded.value}),
        [{"key": k, "value": v} for k, v in values.items()],
    )


def load_sync_settings(ctx: PosContext) -> dict[str, str]:
    with reading(ctx.engine) as connection:
        return read_settings(connection, (*SYNC_KEYS, MASTER_VERSION))


# --- the identity file --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Identity:
    """What this device proves itself with; the private key never leaves the data directory."""

    device_id: str
    token: str
    private_key: Ed25519PrivateKey


def identity_path(ctx: PosContext) -> Path:
    return ctx.data_dir / IDENTITY_FILE


def save_identity(ctx: PosContext, identity: Identity) -> None:
    data = {"device_id": identity.device_id, "token": identity.token,
            "private_key": private_key_b64(identity.private_key)}
    write_private_file(identity_path(ctx), json.dumps(data, sort_keys=True).encode("utf-8"))


def load_identity(ctx: PosContext) -> Identity | None:
    """The identity file, or None when this till was never linked (or was unlinked)."""
    path = identity_path(ctx)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Identity(device_id=data["device_id"], token=data["token"],
                        private_key=load_private_key(data["private_key"]))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as exc:
        raise PosError("File identitas sinkron '{path}' rusak ({error}). Putuskan lalu hubungkan ulang ke server "
                       "kota dengan kode pendaftaran baru.", path=str(path), error=str(exc)) from exc


# --- status, enrolment, unlinking ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LinkStatus:
    enrolled: bool
    server_url: str = ""
    outlet_id: str = ""
    device_id: str = ""


def link_status(ctx: PosContext) -> LinkStatus:
    values = load_sync_settings(ctx)
    if not values.get(DEVICE_ID) or not identity_path(ctx).exists():
        return LinkStatus(enrolled=False)
    return LinkStatus(enrolled=True, server_url=values.get(SERVER_URL, ""), outlet_id=values.get(OUTLET_ID, ""),
                      device_id=values[DEVICE_ID])


def normalise_server_url(text: str) -> str:
    """The URL as typed, checked: https://, or http:// only to this computer (loopback)."""
    url = text.strip()
    if not url:
        raise InvalidInput("Isi alamat server kota (contoh: https://sinkron.samarindakota.go.id).")
    try:
        return check_base_url(url)
    except InsecureTransport:
        raise InvalidInput("Alamat server harus diawali https:// (http:// hanya boleh ke komputer ini sendiri, "
                           "misalnya http://127.0.0.1). Periksa alamat dari Dinas.") from None


def enrolment_error(exc: SyncError) -> PosError:
    """An Indonesian message for why enrolment failed and what to do next."""
    if isinstance(exc, Refused):
        return PosError("Kode pendaftaran salah, sudah dipakai, atau kedaluwarsa. Minta kode baru dari Dinas "
                        "Koperasi.")
    if isinstance(exc, Offline):
        return PosError("Server kota tidak dapat dihubungi. Periksa alamat server dan sambungan internet, lalu "
                        "coba lagi.")
    if isinstance(exc, TLSError):
        return PosError("Sertifikat keamanan server kota tidak dapat diperiksa (TLS). Periksa alamat server; "
                        "jangan lanjutkan bila ragu, hubungi Dinas.")
    if isinstance(exc, BadRequest):
        return PosError("Server kota menolak permintaan pendaftaran ({detail}). Periksa kode lalu coba lagi.",
                        detail=exc.detail)
    if isinstance(exc, ServerError):
        return PosError("Server kota sedang bermasalah. Coba lagi beberapa menit lagi.")
    return PosError("Jawaban server kota tidak dikenali ({error}). Periksa alamat server.", error=str(exc))


def enroll(ctx: PosContext, server_url: str, code: str, device_name: str,
           client_factory: ClientFactory = default_client) -> LinkStatus:
    """Make this device's key pair, enrol it with a one-time code, keep the identity; refuses if linked."""
    url = normalise_server_url(server_url)
    code, device_name = code.strip(), " ".join(device_name.split())
    if not code:
        raise InvalidInput("Isi kode pendaftaran dari Dinas Koperasi.")
    if not device_name:
        raise InvalidInput("Isi nama perangkat (contoh: Kasir 1).")
    if link_status(ctx).enrolled:
        raise InvalidInput("Perangkat ini sudah terhubung ke server kota. Putuskan dulu bila ingin mendaftar ulang.")
    key = generate_private_key()
    try:
        with client_factory(url, None) as client:
            answer = client.enroll(code, public_key_b64(key), device_name)
    except SyncError as exc:
        raise enrolment_error(exc) from exc
    outlet_id, device, token = answer.get("outlet_id"), answer.get("device_id"), answer.get("token")
    server_key = answer.get("server_public_key")
    try:
        load_public_key(server_key)
    except ProtocolError:
        server_key = None
    if not (is_uuid(outlet_id) and is_uuid(device) and isinstance(token, str) and token and server_key):
        raise PosError("Jawaban server kota tidak dikenali ({error}). Periksa alamat server.",
                       error="enroll: " + ", ".join(sorted(answer)))
    assert isinstance(device, str) and isinstance(outlet_id, str) and isinstance(server_key, str)
    # The file first: settings that name a device whose key is lost would be worse than a spare file.
    save_identity(ctx, Identity(device_id=device, token=token, private_key=key))
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        connection.execute(delete(_setting).where(_setting.c.key.in_(SYNC_KEYS)))
        write_settings(connection, {
            SERVER_URL: url, OUTLET_ID: outlet_id, DEVICE_ID: device, SERVER_PUBLIC_KEY: server_key,
            ACKED_THROUGH: "0", LAST_SUCCESS_AT: "", BLOCKED: "", LAST_ERROR: "",
        })
        uow.commit()
    return LinkStatus(enrolled=True, server_url=url, outlet_id=outlet_id, device_id=device)


def require_manager(user: Cashier) -> None:
    if Role(user.role) not in APPROVER_ROLES:
        raise InvalidInput("Hanya manajer atau admin yang boleh mengubah sambungan ke server kota.")


def unlink(ctx: PosContext, user: Cashier) -> None:
    """Forget the city link (manager or admin): sync settings and the identity file go; the journal stays."""
    require_manager(user)
    with ctx.unit_of_work() as uow:
        uow.connection.execute(delete(_setting).where(_setting.c.key.in_(SYNC_KEYS)))
        uow.commit()
    with contextlib.suppress(FileNotFoundError):
        identity_path(ctx).unlink()


def json_setting(raw: str | None) -> dict[str, Any] | None:
    """A JSON object stored in a setting, or None when empty (or unreadable)."""
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
