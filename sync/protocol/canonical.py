"""Canonical JSON and the journal hash chain, exactly as SYNC_PROTOCOL.md defines them."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from json.encoder import c_make_encoder, encode_basestring
from typing import Any, Final

from sync.protocol.errors import ProtocolError

GENESIS_HASH = "0" * 64
"""`prev_hash` of a device's first event."""

EVENT_FIELDS = frozenset(
    {"seq", "event_id", "type", "schema_v", "device_time", "master_version", "body", "prev_hash", "hash"}
)

MAX_DEPTH: Final = 64
"""Deepest nesting accepted anywhere in a body (an event body is 5 levels down)."""
INT_MIN: Final = -(1 << 63)
INT_MAX: Final = (1 << 63) - 1
"""Every integer must fit a signed 64-bit column."""
_SURROGATE = re.compile("[\ud800-\udfff]")

CANON_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
"""The encoder behind `canon`, built once: `json.dumps` with these options builds a new one per call."""
_encode = CANON_ENCODER.encode


def _not_json(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# The C encoder `CANON_ENCODER` builds on every call, built once without a cycle check: same text, ~15% less
# time on the server's hot path, where every value came from the JSON parser (or passed its walk) and so
# can hold no cycle. Python without the C accelerator falls back to the encoder itself.
_c_encode = (c_make_encoder(None, _not_json, encode_basestring, None, ":", ",", True, False, True)
             if c_make_encoder is not None else None)


def canon_text(value: Any) -> str:
    """`canon(value).decode()` for a value known to hold JSON types only, no floats and no cycles."""
    if _c_encode is None:
        return _encode(value)
    return "".join(_c_encode(value, 0))


def event_canon(event: Mapping[str, Any], body_text: str) -> bytes:
    """`canon(event)` of a complete event whose fields have their protocol types (ints, hex hashes), from the
    body's canonical text as the outlet's journal stores it: nothing of the body is encoded again."""
    return "".join((
        '{"body":', body_text, ',"device_time":', encode_basestring(event["device_time"]),
        ',"event_id":', encode_basestring(event["event_id"]), ',"hash":"', event["hash"],
        '","master_version":', str(event["master_version"]), ',"prev_hash":"', event["prev_hash"],
        '","schema_v":', str(event["schema_v"]), ',"seq":', str(event["seq"]), ',"type":',
        encode_basestring(event["type"]), "}")).encode("utf-8")


def _canon_bytes_json(value: Any) -> bytes:
    return canon_text(value).encode("utf-8")


# `canon_bytes(value)` is `canon(value)` for a value fresh from the JSON parser (JSON types only, no floats,
# no cycles), ~6x faster with orjson. Only the server's verification fast path uses it, and that path compares
# the result with the bytes it received and falls back to the strict parser on any difference. It raises
# TypeError (orjson: an integer beyond 64 bits, a lone surrogate, nesting deeper than 254) or
# UnicodeEncodeError (a lone surrogate): the caller falls back. Where orjson accepts a value its output is
# `canon`'s byte for byte — the same escapes for quote, backslash and the controls below 0x20 and no others,
# keys sorted by code point, integers in decimal; tests/sync/test_canonical_orjson.py proves it property-wise.
# Its integer range (-2^63 .. 2^64-1) is wider than ours: the fast path bounds integers itself.
# orjson is optional: the city server installs it (the `server` extra), the outlet app never needs it.
try:
    from orjson import OPT_SORT_KEYS as _SORT_KEYS
    from orjson import dumps as _orjson_dumps

    def _canon_bytes_orjson(value: Any) -> bytes:
        return _orjson_dumps(value, option=_SORT_KEYS)

    canon_bytes = _canon_bytes_orjson
except ImportError:  # pragma: no cover - depends on the environment
    canon_bytes = _canon_bytes_json


class FloatInEvent(ValueError):
    """Floats are not allowed anywhere in an event: money and quantities are integers."""


def reject_floats(value: Any) -> None:
    """Raise FloatInEvent if a float hides anywhere in `value` (exact `type` checks: this is on the sale path)."""
    kind = type(value)
    if kind is float:
        raise FloatInEvent(f"float {value!r} in an event")
    if kind is dict or isinstance(value, Mapping):
        for item in value.values():
            reject_floats(item)
    elif kind is list or kind is tuple:
        for item in value:
            reject_floats(item)


def canon(value: Any, *, checked: bool = True) -> bytes:
    """`canon(x)` of the protocol: sorted keys, no spaces, UTF-8, floats refused.

    `checked=False` skips the float walk for a value whose parts were already checked.
    """
    if checked:
        reject_floats(value)
    return _encode(value).encode("utf-8")


def event_hash(event_without_hash: Mapping[str, Any], *, checked: bool = True) -> str:
    """`sha256_hex(bytes.fromhex(prev_hash) + canon(event without "hash"))`."""
    fields = {k: v for k, v in event_without_hash.items() if k != "hash"}
    return hashlib.sha256(bytes.fromhex(fields["prev_hash"]) + canon(fields, checked=checked)).hexdigest()


def seal_event(
    *,
    seq: int,
    event_id: str,
    type: str,
    schema_v: int,
    device_time: str,
    master_version: int,
    body: Mapping[str, Any],
    prev_hash: str,
) -> dict[str, Any]:
    """Build a complete event with its hash; refuses floats in the body (the only caller-shaped field)."""
    reject_floats(body)
    event: dict[str, Any] = {
        "seq": seq,
        "event_id": event_id,
        "type": type,
        "schema_v": schema_v,
        "device_time": device_time,
        "master_version": master_version,
        "body": dict(body),
        "prev_hash": prev_hash,
    }
    event["hash"] = event_hash(event, checked=False)
    return event


def first_bad_seq(events: Iterable[Mapping[str, Any]], *, start_hash: str = GENESIS_HASH,
                  start_seq: int = 1) -> int | None:
    """Walk a chain in order; the seq of the first event that breaks it, or None if it verifies."""
    expected_prev, expected_seq = start_hash, start_seq
    for event in events:
        seq = event.get("seq")
        if seq != expected_seq or event.get("prev_hash") != expected_prev:
            return expected_seq
        if set(event) != EVENT_FIELDS:
            return expected_seq
        try:
            recomputed = event_hash(event)
        except (FloatInEvent, ValueError, KeyError, TypeError):
            return expected_seq
        if recomputed != event["hash"]:
            return expected_seq
        expected_prev, expected_seq = event["hash"], expected_seq + 1
    return None


# --- the JSON values the protocol accepts ---------------------------------------------------------------

def _walk(value: Any) -> None:
    """Only JSON types, no floats, no lone surrogates, 64-bit ints, bounded depth — without recursion.

    The authority on the first fault found; `check_json_value` asks the much faster `_clean` first.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if kind is str:
            if _SURROGATE.search(item):
                raise ProtocolError("bad_shape", "string with a lone surrogate")
        elif kind is int:
            if not INT_MIN <= item <= INT_MAX:
                raise ProtocolError("bad_shape", "integer outside the signed 64-bit range")
        elif kind is float:
            raise ProtocolError("float_not_allowed", f"float {item!r}: numbers are integers")
        elif kind is dict or kind is list:
            if depth >= MAX_DEPTH:
                raise ProtocolError("bad_shape", f"nested deeper than {MAX_DEPTH}")
            if kind is dict:
                for key, child in item.items():
                    if type(key) is not str or _SURROGATE.search(key):
                        raise ProtocolError("bad_shape", "object key is not a string")
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)
        elif not (item is None or kind is bool):
            raise ProtocolError("bad_shape", f"{kind.__name__} is not a JSON value")


def _clean(value: Any, depth: int, strings: list[str]) -> bool:
    """`_walk`'s rules as yes/no, recursively; strings are collected for one surrogate check at the end."""
    if depth >= MAX_DEPTH:
        return False
    if type(value) is dict:
        strings.extend(value)
        if not all(type(key) is str for key in value):
            return False
        children = value.values()
    else:
        children = value
    for child in children:
        kind = type(child)
        if kind is str:
            strings.append(child)
        elif kind is int:
            if not INT_MIN <= child <= INT_MAX:
                return False
        elif kind is dict or kind is list:
            if not _clean(child, depth + 1, strings):
                return False
        elif not (child is None or kind is bool):
            return False
    return True


def check_json_value(value: Any) -> None:
    """ProtocolError for the first value the protocol's JSON refuses (float, lone surrogate, integer beyond
    64 bits, nesting at MAX_DEPTH, non-JSON type); as `_walk`, at a third of its cost when there is none."""
    strings: list[str] = []
    if type(value) is dict and _clean(value, 0, strings):
        try:
            "".join(strings).encode("utf-8")
            return
        except UnicodeEncodeError:
            pass
    _walk(value)


def within_max_depth(value: Any, depth: int) -> bool:
    """No container at MAX_DEPTH or deeper, counting `value` as `depth` deep."""
    if type(value) is dict:
        children = value.values()
    elif type(value) is list:
        children = value
    else:
        return True
    return depth < MAX_DEPTH and all(within_max_depth(child, depth + 1) for child in children)
