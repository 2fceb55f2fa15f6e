"""The server's signed acknowledgement of an upload: `canon({device_id, acked_through, last_hash, server_time})`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sync.protocol.batch import is_hex64, is_rfc3339, is_uuid
from sync.protocol.errors import ProtocolError
from sync.protocol.keys import sign, verify

__all__ = ["ACK_FIELDS", "RECEIPT_FIELDS", "Receipt", "build_ack", "receipt_payload", "sign_receipt",
           "verify_ack"]

RECEIPT_FIELDS: Final = ("device_id", "acked_through", "last_hash", "server_time")
"""The fields `receipt_sig` covers."""
ACK_FIELDS: Final = frozenset({"acked_through", "last_hash", "server_time", "receipt_sig", "master_latest_version"})
"""The fields of the `200` answer to a journal upload."""


@dataclass(frozen=True, slots=True)
class Receipt:
    """A verified acknowledgement: the device may mark events acknowledged up to `acked_through`."""

    device_id: str
    acked_through: int
    last_hash: str
    server_time: str
    master_latest_version: int
    receipt_sig: str


def receipt_payload(*, device_id: str, acked_through: int, last_hash: str, server_time: str) -> dict[str, Any]:
    """The object whose `canon` the server signs."""
    return {"device_id": device_id, "acked_through": acked_through, "last_hash": last_hash,
            "server_time": server_time}


def sign_receipt(key: Ed25519PrivateKey, *, device_id: str, acked_through: int, last_hash: str,
                 server_time: str) -> str:
    """`receipt_sig`: base64 Ed25519 signature of the server key over the receipt payload."""
    return sign(key, receipt_payload(device_id=device_id, acked_through=acked_through, last_hash=last_hash,
                                     server_time=server_time))


def build_ack(key: Ed25519PrivateKey, *, device_id: str, acked_through: int, last_hash: str, server_time: str,
              master_latest_version: int) -> dict[str, Any]:
    """The full `200` body of a successful upload, `receipt_sig` included."""
    return {
        "acked_through": acked_through, "last_hash": last_hash, "server_time": server_time,
        "receipt_sig": sign_receipt(key, device_id=device_id, acked_through=acked_through, last_hash=last_hash,
                                    server_time=server_time),
        "master_latest_version": master_latest_version,
    }


def verify_ack(server_key: Ed25519PublicKey | str, *, device_id: str, ack: Mapping[str, Any]) -> Receipt:
    """Check a `200` answer's shape and `receipt_sig` for this device; ProtocolError("bad_receipt") otherwise."""
    if not isinstance(ack, Mapping) or set(ack) != ACK_FIELDS:
        raise ProtocolError("bad_receipt", f"acknowledgement fields must be exactly {sorted(ACK_FIELDS)}")
    acked, last_hash, server_time = ack["acked_through"], ack["last_hash"], ack["server_time"]
    master = ack["master_latest_version"]
    if not (type(acked) is int and acked >= 0 and is_hex64(last_hash) and is_rfc3339(server_time)
            and type(master) is int and master >= 0 and is_uuid(device_id)):
        raise ProtocolError("bad_receipt", "acknowledgement field types")
    try:
        verify(server_key, receipt_payload(device_id=device_id, acked_through=acked, last_hash=last_hash,
                                           server_time=server_time), ack["receipt_sig"])
    except ProtocolError as exc:
        raise ProtocolError("bad_receipt", exc.detail) from None
    return Receipt(device_id=device_id, acked_through=acked, last_hash=last_hash, server_time=server_time,
                   master_latest_version=master, receipt_sig=ack["receipt_sig"])
