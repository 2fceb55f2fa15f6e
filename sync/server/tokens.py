"""Secrets the server hands out once (device tokens, enrolment codes, sessions) and stores only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_secret(nbytes: int = 32) -> str:
    """A URL-safe random secret (device token, session token)."""
    return secrets.token_urlsafe(nbytes)


def new_enrolment_code() -> str:
    """A code a person can read out and type: 4 groups of 4 from an unambiguous alphabet (~80 bits)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def normalise_code(code: str) -> str:
    """What the user typed, in the form the code was hashed in (case, spaces and dashes forgiven)."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def hash_secret(secret: str) -> str:
    """sha256 hex: a token or code is high-entropy, so a plain hash is enough to keep the table harmless."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
