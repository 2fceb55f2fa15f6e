"""Dashboard password hashes: scrypt (hashlib) stored as scrypt$n$r$p$salt_hex$hash_hex."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# 2**14 × 8 × 128 bytes = 16 MiB per hash: slow enough for a login form, inside hashlib's default maxmem.
SCRYPT_N = 2 ** 14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
_MAX_N = 2 ** 20
_PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


def generate_password(length: int = 16) -> str:
    """A random password a person can copy without confusing 0/O or 1/l."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen,
                          maxmem=256 * r * n + 1024 * 1024)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches `stored`; a malformed or foreign hash is simply False."""
    try:
        scheme, n_text, r_text, p_text, salt_hex, hash_hex = stored.split("$")
        n, r, p = int(n_text), int(r_text), int(p_text)
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(hash_hex)
    except ValueError:
        return False
    # Parameters come from our own table, but a bounded n keeps a corrupted row from eating the server's memory.
    if scheme != "scrypt" or not (2 <= n <= _MAX_N) or n & (n - 1) or not (1 <= r <= 32) or not (1 <= p <= 16):
        return False
    if not expected or not salt:
        return False
    digest = _scrypt(password, salt, n, r, p, len(expected))
    return hmac.compare_digest(digest, expected)


# Verified against when the username is unknown, so a wrong username costs the same time as a wrong password.
DUMMY_HASH = hash_password(generate_password())
