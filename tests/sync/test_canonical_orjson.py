"""`canon_bytes` (orjson on the server's fast path) is `canon` byte for byte, and the fast path still refuses
floats, integers beyond 64 bits and lone surrogates."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sync.protocol.batch import ProtocolError, _Parsed, build_batch, parse_body, sign_batch, validate_body
from sync.protocol.canonical import (
    GENESIS_HASH,
    INT_MAX,
    INT_MIN,
    _canon_bytes_json,
    _canon_bytes_orjson,
    canon,
    canon_bytes,
    seal_event,
)
from sync.protocol.keys import generate_private_key, public_key_b64

ORJSON_LIMIT = 254
"""orjson's nesting limit: deeper values raise (the fast path then falls back)."""


def reference(value: Any) -> bytes:
    """SYNC_PROTOCOL.md's definition of canon, spelled out."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# Characters where encoders differ if they differ at all: every control, DEL, C1, the JSON specials, the
# separators JavaScript cares about, BOM/non-characters, the BMP top, the astral range and its ends.
SPECIAL = ([chr(c) for c in range(0x20)] + ['"', "\\", "/", "\x7f", "\x80", "\x9f", "\xa0", "\xad", "\u2028",
                                            "\u2029", "\ufeff", "\ue000", "\uf8ff", "\ufffe", "\uffff",
                                            "\U00010000", "\U0001f600", "\U0010ffff", "é", "—", "✓"])
chars = st.one_of(st.sampled_from(SPECIAL), st.characters(exclude_categories=["Cs"]))
strings = st.text(chars, max_size=12)
ints = st.one_of(st.integers(min_value=INT_MIN, max_value=2**64 - 1),  # all orjson encodes
                 st.sampled_from([0, -1, 1, INT_MIN, INT_MIN + 1, INT_MAX, INT_MAX - 1, 2**53, -(2**53),
                                  2**63, 2**64 - 1, 10**18, -(10**18)]))
scalars = st.one_of(st.none(), st.booleans(), ints, strings)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(strings, inner, max_size=6)), max_leaves=40)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values)
@example({"\uffff": 1, "\U00010000": 2, "\ue000": 3, "": 4, "a": 5, "a\x00": 6, "A": 7})
@example("".join(chr(c) for c in range(0x20)) + "\x7f\u2028\u2029\U0010ffff")
@example([[], {}, [[]], {"a": {}}, True, False, None, INT_MIN, INT_MAX, 2**64 - 1])
def test_orjson_spells_every_json_value_as_canon(value: Any) -> None:
    assert _canon_bytes_orjson(value) == reference(value) == canon(value)
    assert _canon_bytes_json(value) == reference(value)


@given(st.dictionaries(strings, st.integers(INT_MIN, INT_MAX), min_size=2, max_size=8))
@settings(max_examples=1000, deadline=None)
def test_key_order_is_code_point_order(value: dict[str, int]) -> None:
    """json sorts keys as Python compares str (code points); UTF-16 order would differ above U+E000."""
    assert _canon_bytes_orjson(value) == reference(value)


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb", "\udc00\ud800"])
def test_lone_surrogates_raise_in_both_encoders(text: str) -> None:
    with pytest.raises(TypeError):
        _canon_bytes_orjson(text)
    with pytest.raises(TypeError):
        _canon_bytes_orjson({text: 1})
    with pytest.raises(UnicodeEncodeError):
        _canon_bytes_json(text)


@pytest.mark.parametrize("number", [2**64, -(2**63) - 1, 10**30, -(10**30)])
def test_integers_beyond_orjsons_range_raise(number: int) -> None:
    with pytest.raises(TypeError):
        _canon_bytes_orjson({"n": [number]})


def test_orjson_refuses_deep_nesting_instead_of_recursing() -> None:
    deep: Any = []
    for _ in range(ORJSON_LIMIT + 10):
        deep = [deep]
    with pytest.raises(TypeError):
        _canon_bytes_orjson(deep)


def test_the_server_uses_orjson_when_installed_and_json_without_it() -> None:
    assert canon_bytes is _canon_bytes_orjson
    code = ("import sys; sys.modules['orjson'] = None\n"
            "from sync.protocol import canonical\n"
            "assert canonical.canon_bytes is canonical._canon_bytes_json\n"
            "assert canonical.canon_bytes({'b': 1, 'a': 'é'}) == b'{\"a\":\"\\xc3\\xa9\",\"b\":1}'\n"
            "print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


# --- through parse_body / validate_body: the fast path accepts exactly canon's bytes -------------------

KEY = generate_private_key()
PUBLIC = public_key_b64(KEY)


def signed_body(payload: Any) -> dict[str, Any]:
    event = seal_event(seq=1, event_id=str(uuid.UUID(int=7, version=4)), type="sale", schema_v=1,
                       device_time="2026-11-30T10:15:00+08:00", master_version=0,
                       body={"x": payload, "total": 1}, prev_hash=GENESIS_HASH)
    batch = build_batch(device_id=str(uuid.UUID(int=1, version=4)),
                        outlet_id=str(uuid.UUID(int=2, version=4)), events=[event],
                        batch_id=str(uuid.UUID(int=3, version=4)), sent_at="2026-11-30T10:20:00+08:00")
    return sign_batch(KEY, batch)


in_range = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-(10**18) + 1, 10**18 - 1), strings),
                        lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                st.dictionaries(strings, inner, max_size=4)), max_leaves=20)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(in_range)
def test_fast_path_takes_canonical_bodies_and_agrees_with_the_strict_path(payload: Any) -> None:
    body = signed_body(payload)
    raw = canon(body)
    parsed = parse_body(raw)
    assert type(parsed) is _Parsed  # the fast path took it
    fast = validate_body(parsed, PUBLIC)
    strict = validate_body(json.loads(raw), PUBLIC)
    assert fast.canonical_events == strict.canonical_events == (canon(body["batch"]["events"][0]),)
    assert fast.canonical_body(0) == canon(body["batch"]["events"][0]["body"]).decode("utf-8")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.sampled_from(SPECIAL), min_size=1, max_size=8))
def test_other_spellings_of_the_same_value_leave_the_fast_path(text: str) -> None:
    """`\\u00e9` for `é`, `\\/` for `/`, upper-case hex: the same value in valid JSON, not canon's bytes."""
    raw = canon(signed_body(text))
    variants = [raw.replace(c.encode("utf-8"), json.dumps(c).encode("ascii")[1:-1])
                for c in set(text) if json.dumps(c, ensure_ascii=False) != json.dumps(c)]
    variants += [re.sub(rb"\\u00([0-9a-f]{2})", lambda m: b"\\u00" + m.group(1).upper(), raw),
                 raw.replace(b'"total":1,', b'"total":1 ,'), raw.replace(b"/", b"\\/")]
    for variant in variants:
        if not variant or variant == raw:
            continue
        parsed = parse_body(variant)
        assert type(parsed) is not _Parsed
        # The strict path still accepts the same value (the signature is over canon, not the received bytes).
        expected = validate_body(parse_body(raw), PUBLIC).canonical_events
        assert validate_body(parsed, PUBLIC).canonical_events == expected


def raw_with(token: bytes) -> bytes:
    """A canonical body whose event body's "total" is `token` as spelled (signature left as it was)."""
    raw = canon(signed_body(None))
    assert raw.count(b'"total":1,') == 1
    return raw.replace(b'"total":1,', b'"total":' + token + b",")


@pytest.mark.parametrize(("token", "code"), [
    (b"1.5", "float_not_allowed"), (b"1.0", "float_not_allowed"), (b"1e3", "float_not_allowed"),
    (b"-0.0", "float_not_allowed"), (b"1E+20", "float_not_allowed"),
    (str(2**63).encode(), "bad_shape"), (str(2**64 - 1).encode(), "bad_shape"),
    (str(2**64).encode(), "bad_shape"),
    (str(-(2**63) - 1).encode(), "bad_shape"), (b"9" * 40, "bad_shape"),
    (b'"\\ud800"', "bad_shape"),
])
def test_floats_big_integers_and_lone_surrogates_are_still_refused(token: bytes, code: str) -> None:
    parsed = parse_body(raw_with(token))
    assert type(parsed) is not _Parsed
    with pytest.raises(ProtocolError) as caught:
        validate_body(parsed, PUBLIC)
    assert caught.value.code == code


floats = st.floats(allow_nan=False, allow_infinity=False)
with_a_float = st.recursive(floats, lambda inner: st.one_of(  # every value holds at least one float
    st.tuples(inner, st.lists(in_range, max_size=3), st.integers(0, 3)).map(
        lambda t: [*t[1][:t[2]], t[0], *t[1][t[2]:]]),
    st.tuples(strings, inner, st.dictionaries(strings, in_range, max_size=3)).map(
        lambda t: {**t[2], t[0]: t[1]})), max_leaves=10)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(in_range, with_a_float)
def test_a_float_anywhere_is_refused_whichever_parser_reads_it(payload: Any, floaty: Any) -> None:
    """orjson parses floats without a hook: the number-shape scan must find every one of them."""
    # canon refuses floats, so the float is spelled into the canonical bytes as json.dumps writes it.
    raw = canon(signed_body([payload, "FLOAT"])).replace(b'"FLOAT"', reference(floaty))
    parsed = parse_body(raw)
    assert type(parsed) is not _Parsed
    with pytest.raises(ProtocolError) as caught:
        validate_body(parsed, PUBLIC)
    assert caught.value.code == "float_not_allowed"


number_text = st.text(st.sampled_from(list(":,[]{}-+.eE0123456789\"\\ ")), min_size=1, max_size=16)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(number_text, min_size=1, max_size=4))
def test_float_like_text_inside_strings_is_still_accepted(texts: list[str]) -> None:
    """`"x":"1.5,"` spells a float's shape inside a string: at worst the body takes the strict path."""
    body = signed_body({text: text for text in texts})
    batch = validate_body(parse_body(canon(body)), PUBLIC)
    assert batch.events[0]["body"]["x"] == {text: text for text in texts}


@pytest.mark.parametrize("number", [INT_MIN, INT_MAX, 10**18, -(10**18)])
def test_the_64_bit_bounds_themselves_pass(number: int) -> None:
    body = signed_body(number)
    batch = validate_body(parse_body(canon(body)), PUBLIC)
    assert batch.events[0]["body"]["x"] == number


def test_orjson_is_the_pinned_version() -> None:
    assert orjson.__version__ == "3.13.0"
