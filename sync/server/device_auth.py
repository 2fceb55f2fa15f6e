"""Who is calling: the device behind a bearer token, refused with 401/403 as SYNC_PROTOCOL.md says."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from sync.server.errors import ApiError
from sync.server.store.schema import device
from sync.server.tokens import hash_secret

MAX_TOKEN_LEN = 200


@dataclass(frozen=True, slots=True)
class DeviceRecord:
    id: str
    outlet_id: str
    public_key: str
    status: str
    last_seq: int
    last_hash: str
    forked_at_seq: int | None
    inherited_seq: int = 0


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header; 401 when missing or malformed."""
    if not authorization:
        raise ApiError(401, "unauthorized", "missing Authorization: Bearer <token>")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LEN or not token.isascii():
        raise ApiError(401, "unauthorized", "Authorization must be 'Bearer <token>'")
    return token


def device_for_token(connection: Connection, authorization: str | None, device_id: str | None = None, *,
                     lock: bool = False) -> DeviceRecord:
    """The active device owning the token. 401 unknown token; 403 revoked device or another device's URL.

    `lock=True` takes the device row's lock (PostgreSQL `FOR UPDATE`; SQLite's BEGIN IMMEDIATE already
    serialises writers) so two uploads of one device cannot interleave.
    """
    token = bearer_token(authorization)
    query = select(device).where(device.c.token_hash == hash_secret(token))
    if lock and connection.dialect.name == "postgresql":
        query = query.with_for_update()
    row = connection.execute(query).mappings().first()
    if row is None:
        raise ApiError(401, "unauthorized", "unknown device token")
    if row["status"] != "active":
        raise ApiError(403, "forbidden", "this device has been revoked")
    if device_id is not None and row["id"] != device_id:
        raise ApiError(403, "forbidden", "the token belongs to another device")
    return DeviceRecord(id=row["id"], outlet_id=row["outlet_id"], public_key=row["public_key"],
                        status=row["status"], last_seq=row["last_seq"], last_hash=row["last_hash"],
                        forked_at_seq=row["forked_at_seq"], inherited_seq=row["inherited_seq"])
