"""Ed25519 key pairs, strict base64 and signatures over canon(obj) for the sync protocol."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from sync.protocol.canonical import FloatInEvent, canon
from sync.protocol.errors import ProtocolError

__all__ = [
    "Ed25519PrivateKey", "Ed25519PublicKey", "b64decode_strict", "b64encode", "generate_private_key",
    "is_valid_signature", "load_private_key", "load_public_key", "private_key_b64", "public_key_b64", "sign",
    "verify", "verify_canonical",
]

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def b64encode(raw: bytes) -> str:
    """Standard alphabet, padded: the only encoding the protocol accepts."""
    return base64.b64encode(raw).decode("ascii")


def b64decode_strict(text: object, *, size: int | None = None) -> bytes:
    """Decode `text` only if it is exactly `b64encode` of the result (and `size` bytes long); else ValueError.

    Refuses the urlsafe alphabet, missing or extra padding, whitespace, non-zero padding bits: any other
    spelling of the same bytes.
    """
    if type(text) is not str or len(text) % 4 or not _B64.fullmatch(text):
        raise ValueError("not standard padded base64")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not standard padded base64") from exc
    if b64encode(raw) != text:
        raise ValueError("non-canonical base64")
    if size is not None and len(raw) != size:
        raise ValueError(f"expected {size} bytes, got {len(raw)}")
    return raw


def generate_private_key() -> Ed25519PrivateKey:
    """A fresh device (or server) key; the private half never leaves the machine that made it."""
    return Ed25519PrivateKey.generate()


def public_key_b64(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The raw 32-byte public key, base64 (standard, padded), as sent at enrolment and by /v1/server-key."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return b64encode(public.public_bytes(Encoding.Raw, PublicFormat.Raw))


def private_key_b64(key: Ed25519PrivateKey) -> str:
    """The raw 32-byte private key, base64, for the device's own local storage only."""
    return b64encode(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))


def load_private_key(text: str) -> Ed25519PrivateKey:
    """Inverse of `private_key_b64`; ValueError on anything else."""
    return Ed25519PrivateKey.from_private_bytes(b64decode_strict(text, size=32))


def load_public_key(text: object) -> Ed25519PublicKey:
    """A public key from strict base64 of 32 raw bytes; ProtocolError("bad_key") otherwise."""
    try:
        return Ed25519PublicKey.from_public_bytes(b64decode_strict(text, size=PUBLIC_KEY_BYTES))
    except ValueError as exc:
        raise ProtocolError("bad_key", f"public key: {exc}") from None


def sign(key: Ed25519PrivateKey, obj: Any) -> str:
    """Base64 (standard, padded) Ed25519 signature over `canon(obj)`; floats in `obj` are refused."""
    return b64encode(key.sign(canon(obj)))


def sign_canonical(key: Ed25519PrivateKey, message: bytes) -> str:
    """`sign` for a caller that already holds `canon(obj)` (the outlet builds a batch's once)."""
    return b64encode(key.sign(message))


def verify(public_key: Ed25519PublicKey | str, obj: Any, sig: object, *, checked: bool = True) -> None:
    """Raise ProtocolError("bad_signature") unless `sig` is the strict base64 signature of `canon(obj)`.

    `checked=False` skips the float walk for an `obj` already walked (`check_shape`): ~20% of a batch's checks.
    """
    key = load_public_key(public_key) if isinstance(public_key, str) else public_key
    raw = _signature_bytes(sig)
    try:
        message = canon(obj, checked=checked)
    except FloatInEvent as exc:
        raise ProtocolError("float_not_allowed", str(exc)) from None
    _check(key, raw, message)


def verify_canonical(public_key: Ed25519PublicKey | str, message: bytes, sig: object) -> None:
    """`verify` for a caller that already holds `canon(obj)` (the server builds it once per batch)."""
    key = load_public_key(public_key) if isinstance(public_key, str) else public_key
    _check(key, _signature_bytes(sig), message)


def _signature_bytes(sig: object) -> bytes:
    try:
        return b64decode_strict(sig, size=SIGNATURE_BYTES)
    except ValueError as exc:
        raise ProtocolError("bad_signature", f"signature encoding: {exc}") from None


def _check(key: Ed25519PublicKey, raw: bytes, message: bytes) -> None:
    try:
        key.verify(raw, message)
    except InvalidSignature:
        raise ProtocolError("bad_signature", "signature does not verify") from None


def is_valid_signature(public_key: Ed25519PublicKey | str, obj: Any, sig: object) -> bool:
    """`verify` as a yes/no."""
    try:
        verify(public_key, obj, sig)
    except ProtocolError:
        return False
    return True
