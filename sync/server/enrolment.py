"""Outlets and their devices: create an outlet, hand out one-time enrolment codes, enrol and revoke devices."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, update

from sync.protocol.errors import ProtocolError
from sync.protocol.keys import Ed25519PrivateKey, load_public_key, public_key_b64
from sync.server.clock import rfc3339, utc_now
from sync.server.errors import ApiError
from sync.server.store.schema import device, enrolment_code, outlet
from sync.server.tokens import hash_secret, new_secret, normalise_code
from sync.server.tokens import new_enrolment_code as make_code

DEFAULT_CODE_DAYS = 7
MAX_NAME = 120
MAX_CODE_LEN = 64
KELURAHAN_CODE = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}")
"""Kemendagri's kelurahan/desa code, e.g. 64.72.05.1003."""


class AdminError(ValueError):
    """An administrator's request the server refuses; the message is for people (Bahasa Indonesia)."""


def _clean_name(value: str, what: str, maximum: int) -> str:
    text = (value or "").strip()
    if not text:
        raise AdminError(f"{what} wajib diisi.")
    if len(text) > maximum:
        raise AdminError(f"{what} terlalu panjang (paling banyak {maximum} karakter).")
    return text


def _store_code(connection: Any, outlet_id: str, days: int, now: datetime) -> dict[str, str]:
    code = make_code()
    expires_at = rfc3339(now + timedelta(days=days))
    connection.execute(insert(enrolment_code).values(
        code_hash=hash_secret(code), outlet_id=outlet_id, created_at=rfc3339(now), expires_at=expires_at))
    return {"outlet_id": outlet_id, "enrolment_code": code, "expires_at": expires_at}


def create_outlet(engine: Engine, *, name: str, kelurahan_code: str, kelurahan: str = "", kecamatan: str = "",
                  lpg3_allocation: int = 0, days: int = DEFAULT_CODE_DAYS,
                  now: datetime | None = None) -> dict[str, str]:
    """A new outlet and its first enrolment code: `{"outlet_id", "enrolment_code"}`."""
    name = _clean_name(name, "Nama koperasi", MAX_NAME)
    code = (kelurahan_code or "").strip()
    if not KELURAHAN_CODE.fullmatch(code):
        raise AdminError(f"Kode kelurahan '{kelurahan_code}' tidak sah: formatnya NN.NN.NN.NNNN, "
                         "misalnya 64.72.05.1003.")
    if type(lpg3_allocation) is not int or lpg3_allocation < 0:
        raise AdminError("Alokasi elpiji 3 kg harus bilangan bulat 0 atau lebih (tabung per bulan).")
    kelurahan, kecamatan = (kelurahan or "").strip(), (kecamatan or "").strip()
    if len(kelurahan) > 80 or len(kecamatan) > 80:
        raise AdminError("Nama kelurahan/kecamatan terlalu panjang (paling banyak 80 karakter).")
    now = now or utc_now()
    outlet_id = str(uuid.uuid4())
    with engine.begin() as connection:
        connection.execute(insert(outlet).values(
            id=outlet_id, name=name, kelurahan_code=code, kelurahan=kelurahan, kecamatan=kecamatan,
            lpg3_allocation=lpg3_allocation, created_at=rfc3339(now)))
        issued = _store_code(connection, outlet_id, days, now)
    return {"outlet_id": outlet_id, "enrolment_code": issued["enrolment_code"]}


def new_enrolment_code(engine: Engine, outlet_id: str, days: int = DEFAULT_CODE_DAYS,
                       now: datetime | None = None) -> dict[str, str]:
    """Another one-time code for an existing outlet (a new till, a replaced laptop)."""
    if days < 1:
        raise AdminError("Masa berlaku kode minimal 1 hari.")
    now = now or utc_now()
    with engine.begin() as connection:
        if connection.execute(select(outlet.c.id).where(outlet.c.id == outlet_id)).first() is None:
            raise AdminError(f"Gerai '{outlet_id}' tidak ditemukan.")
        return _store_code(connection, outlet_id, days, now)


def revoke_device(engine: Engine, device_id: str) -> dict[str, str]:
    """Refuse the device's token from now on (a lost or stolen till); its stored events stay."""
    with engine.begin() as connection:
        row = connection.execute(select(device.c.outlet_id, device.c.status)
                                 .where(device.c.id == device_id)).first()
        if row is None:
            raise AdminError(f"Perangkat '{device_id}' tidak ditemukan.")
        connection.execute(update(device).where(device.c.id == device_id).values(status="revoked"))
    return {"device_id": device_id, "outlet_id": row.outlet_id, "status": "revoked",
            "was": row.status}


def enroll(engine: Engine, code: object, public_key: object, device_name: object,
           server_key: Ed25519PrivateKey, now: datetime | None = None) -> dict[str, str]:
    """`POST /v1/enroll`: the 201 body; ApiError 422 for a bad key or name, 403 for a wrong/used/expired code.

    The code is spent in the same transaction as the device is created, with `UPDATE … WHERE used_at IS
    NULL`: of two devices racing with one code exactly one gets a row count of 1, the other a 403.
    """
    if type(device_name) is not str or not device_name.strip() or len(device_name.strip()) > MAX_NAME:
        raise ApiError(422, "bad_request", f"device_name must be 1..{MAX_NAME} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in device_name):
        # PostgreSQL refuses NUL in text; no control character belongs in a name shown on the dashboard.
        raise ApiError(422, "bad_request", "device_name contains control characters")
    try:
        load_public_key(public_key)
    except ProtocolError as exc:
        raise ApiError.from_protocol(exc) from None
    if type(code) is not str or not code.strip() or len(code) > MAX_CODE_LEN:
        raise ApiError(403, "bad_code", "wrong, used or expired enrolment code")
    now = now or utc_now()
    stamp = rfc3339(now)
    code_hash = hash_secret(normalise_code(code))
    device_id = str(uuid.uuid4())
    token = new_secret()
    with engine.begin() as connection:
        row = connection.execute(select(enrolment_code.c.outlet_id)
                                 .where(enrolment_code.c.code_hash == code_hash)).first()
        if row is None:
            raise ApiError(403, "bad_code", "wrong, used or expired enrolment code")
        spent = connection.execute(
            update(enrolment_code)
            .where(enrolment_code.c.code_hash == code_hash, enrolment_code.c.used_at.is_(None),
                   enrolment_code.c.expires_at > stamp)
            .values(used_at=stamp, device_id=device_id))
        if spent.rowcount != 1:
            raise ApiError(403, "bad_code", "wrong, used or expired enrolment code")
        connection.execute(insert(device).values(
            id=device_id, outlet_id=row.outlet_id, name=device_name.strip(), public_key=public_key,
            token_hash=hash_secret(token), status="active", enrolled_at=stamp))
    return {"outlet_id": row.outlet_id, "device_id": device_id, "token": token,
            "server_public_key": public_key_b64(server_key)}
