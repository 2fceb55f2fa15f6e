"""Ed25519 keys and strict base64 signatures of the sync protocol."""

from __future__ import annotations

import base64

import pytest

from sync.protocol.errors import STATUS, ProtocolError
from sync.protocol.keys import (
    b64decode_strict,
    b64encode,
    generate_private_key,
    is_valid_signature,
    load_private_key,
    load_public_key,
    private_key_b64,
    public_key_b64,
    sign,
    verify,
)

OBJ = {"b": [1, 2, {"c": None}], "a": "Rp15.000 — gula", "t": True}


def _re_encodings(sig: str) -> list[str]:
    """Other spellings of the same signature bytes, every one of which must be refused."""
    raw = base64.b64decode(sig)
    out = [
        base64.urlsafe_b64encode(raw).decode(),
        sig.rstrip("="),
        sig + "=",
        sig + "\n",
        " " + sig,
        sig[:40] + "\n" + sig[40:],
        sig[:20] + " " + sig[20:],
        base64.encodebytes(raw).decode(),
        sig.encode().hex(),
        raw.hex(),
    ]
    # Non-canonical: the last data character carries padding bits; set them (same decoded bytes).
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    body = sig.rstrip("=")
    last = alphabet.index(body[-1])
    for bits in (1, 2, 3):
        out.append(body[:-1] + alphabet[last | bits] + sig[len(body):])
    return [s for s in out if s != sig]


def test_key_pair_round_trip() -> None:
    key = generate_private_key()
    pub = public_key_b64(key)
    assert len(base64.b64decode(pub, validate=True)) == 32
    assert b64encode(base64.b64decode(pub)) == pub
    assert public_key_b64(load_public_key(pub)) == pub
    again = load_private_key(private_key_b64(key))
    assert public_key_b64(again) == pub
    assert public_key_b64(key.public_key()) == pub


def test_sign_and_verify_over_canon() -> None:
    key = generate_private_key()
    sig = sign(key, OBJ)
    assert len(base64.b64decode(sig)) == 64
    verify(public_key_b64(key), OBJ, sig)
    verify(key.public_key(), dict(reversed(list(OBJ.items()))), sig)  # key order is irrelevant to canon
    assert is_valid_signature(key.public_key(), OBJ, sig)


def test_tampered_object_or_other_key_refused() -> None:
    key, other = generate_private_key(), generate_private_key()
    sig = sign(key, OBJ)
    for obj in ({**OBJ, "t": False}, {**OBJ, "extra": 1}, {k: v for k, v in OBJ.items() if k != "a"}):
        with pytest.raises(ProtocolError) as info:
            verify(key.public_key(), obj, sig)
        assert info.value.code == "bad_signature" and info.value.status == 400
    assert not is_valid_signature(other.public_key(), OBJ, sig)
    assert not is_valid_signature(key.public_key(), OBJ, sign(other, OBJ))


@pytest.mark.parametrize("index", range(13))
def test_re_encoded_signature_refused(index: int) -> None:
    key = generate_private_key()
    for _ in range(20):  # some signatures end in a character whose padding bits hide few variants
        sig = sign(key, {**OBJ, "n": _})
        variants = _re_encodings(sig)
        if index < len(variants):
            break
    variant = variants[index % len(variants)]
    with pytest.raises(ProtocolError) as info:
        verify(key.public_key(), {**OBJ, "n": _}, variant)
    assert info.value.code == "bad_signature" and info.value.status == 400
    verify(key.public_key(), {**OBJ, "n": _}, sig)


def test_every_re_encoding_of_many_signatures_refused() -> None:
    key = generate_private_key()
    count = 0
    for n in range(100):
        obj = {"n": n}
        sig = sign(key, obj)
        for variant in _re_encodings(sig):
            assert not is_valid_signature(key.public_key(), obj, variant), variant
            count += 1
    assert count >= 1000


@pytest.mark.parametrize("bad", [None, 5, b"abc", "", "A" * 88, "A" * 43, "####", "AAAA" * 16])
def test_malformed_signatures_refused(bad: object) -> None:
    key = generate_private_key()
    with pytest.raises(ProtocolError) as info:
        verify(key.public_key(), OBJ, bad)
    assert info.value.code == "bad_signature"


def test_strict_base64() -> None:
    raw = bytes(range(32))
    text = b64encode(raw)
    assert b64decode_strict(text, size=32) == raw
    for bad in (text.rstrip("="), text + "\n", text.replace("/", "_"), base64.urlsafe_b64encode(raw).decode(),
                "", None, 1):
        if bad == text:
            continue
        with pytest.raises(ValueError):
            b64decode_strict(bad, size=32)
    with pytest.raises(ValueError):
        b64decode_strict(b64encode(bytes(31)), size=32)


@pytest.mark.parametrize("bad", [None, "", "x", b64encode(bytes(31)), b64encode(bytes(33)),
                                 base64.urlsafe_b64encode(b"\xff" * 32).decode(),
                                 b64encode(bytes(32)).rstrip("=")])
def test_bad_public_keys_refused(bad: object) -> None:
    with pytest.raises(ProtocolError) as info:
        load_public_key(bad)
    assert info.value.code == "bad_key" and info.value.status == STATUS["bad_key"] == 422


def test_floats_refused_when_signing_and_verifying() -> None:
    key = generate_private_key()
    with pytest.raises(ValueError):
        sign(key, {"price": 1.5})
    sig = sign(key, {"price": 1})
    with pytest.raises(ProtocolError) as info:
        verify(key.public_key(), {"price": 1.0}, sig)
    assert info.value.code == "float_not_allowed" and info.value.status == 422
