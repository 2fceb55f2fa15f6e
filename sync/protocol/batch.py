"""Journal upload batches: build and sign at the outlet, validate strictly at the city (SYNC_PROTOCOL.md)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sync.protocol.canonical import EVENT_FIELDS, GENESIS_HASH, event_hash
from sync.protocol.errors import STATUS, ProtocolError
from sync.protocol.keys import sign, verify

__all__ = [
    "BATCH_FIELDS", "BODY_FIELDS", "MAX_BODY_BYTES", "MAX_EVENTS", "STATUS", "ProtocolError", "ValidBatch",
    "build_batch", "check_chain", "check_shape", "is_hex64", "is_rfc3339", "is_uuid", "parse_body", "sign_batch",
    "validate_body",
]

MAX_EVENTS: Final = 500
MAX_BODY_BYTES: Final = 1 << 20
"""1 MiB compressed per batch; the server enforces it on the wire (`413`)."""
MAX_DEPTH: Final = 64
"""Deepest nesting accepted anywhere in a body (an event body is 5 levels down)."""
INT_MIN: Final = -(1 << 63)
INT_MAX: Final = (1 << 63) - 1
"""Every integer must fit a signed 64-bit column."""
MAX_TYPE_LEN: Final = 64

BODY_FIELDS: Final = frozenset({"batch", "sig"})
BATCH_FIELDS: Final = frozenset({"device_id", "outlet_id", "batch_id", "from_seq", "prev_hash", "sent_at", "events"})

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))"
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def is_uuid(value: object) -> bool:
    """A UUID string in canonical form: lowercase hex, 8-4-4-4-12."""
    return type(value) is str and _UUID.fullmatch(value) is not None


def is_hex64(value: object) -> bool:
    """A SHA-256 hex digest as `hashlib` writes it: 64 lowercase hex digits."""
    return type(value) is str and _HEX64.fullmatch(value) is not None


def is_rfc3339(value: object) -> bool:
    """An RFC 3339 date-time with a `Z` or ±hh:mm offset and real calendar/clock values."""
    if type(value) is not str:
        return False
    match = _RFC3339.fullmatch(value)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    try:
        if match.group(9):
            off_h, off_m = int(match.group(10)), int(match.group(11))
            if off_h > 23 or off_m > 59:
                return False
            tz = timezone(timedelta(hours=off_h, minutes=off_m))
        else:
            tz = timezone.utc
        datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        return False
    return True


def _is_int(value: object, minimum: int = INT_MIN) -> bool:
    return type(value) is int and minimum <= value <= INT_MAX


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key in an object")
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_body(raw: bytes) -> Any:
    """Strict JSON from the (already decompressed) request bytes; ProtocolError("bad_json") on anything odd.

    UTF-8 only (no BOM), no duplicate keys, no NaN/Infinity; shape is left to `check_shape`.
    """
    try:
        text = raw.decode("utf-8")
        return json.loads(text, object_pairs_hook=_reject_duplicates, parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError("bad_json", f"body is not strict UTF-8 JSON: {exc}") from None


def _walk(value: Any) -> None:
    """Only JSON types, no floats, no lone surrogates, 64-bit ints, bounded depth — without recursion."""
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


def _shape(condition: bool, detail: str) -> None:
    if not condition:
        raise ProtocolError("bad_shape", detail)


def _check_event(event: Any, index: int) -> None:
    where = f"events[{index}]"
    _shape(type(event) is dict, f"{where} is not an object")
    keys = set(event)
    _shape(keys == EVENT_FIELDS,
           f"{where} fields: missing {sorted(EVENT_FIELDS - keys)}, unexpected {sorted(keys - EVENT_FIELDS)}")
    _shape(_is_int(event["seq"], 1), f"{where}.seq is not an integer ≥ 1")
    _shape(is_uuid(event["event_id"]), f"{where}.event_id is not a UUID")
    kind = event["type"]
    _shape(type(kind) is str and 0 < len(kind) <= MAX_TYPE_LEN, f"{where}.type is not a short string")
    _shape(_is_int(event["schema_v"], 1), f"{where}.schema_v is not an integer ≥ 1")
    _shape(is_rfc3339(event["device_time"]), f"{where}.device_time is not RFC 3339 with offset")
    _shape(_is_int(event["master_version"], 0), f"{where}.master_version is not an integer ≥ 0")
    _shape(type(event["body"]) is dict, f"{where}.body is not an object")
    _shape(is_hex64(event["prev_hash"]), f"{where}.prev_hash is not 64 lowercase hex")
    _shape(is_hex64(event["hash"]), f"{where}.hash is not 64 lowercase hex")


@dataclass(frozen=True, slots=True)
class ValidBatch:
    """A batch that passed shape, signature, hash and chain checks; events in seq order."""

    device_id: str
    outlet_id: str
    batch_id: str
    from_seq: int
    prev_hash: str
    sent_at: str
    events: tuple[dict[str, Any], ...]
    sig: str

    @property
    def to_seq(self) -> int:
        return self.from_seq + len(self.events) - 1

    @property
    def last_hash(self) -> str:
        return self.events[-1]["hash"]


def check_shape(body: Any) -> dict[str, Any]:
    """The exact body shape and types (`400`/`413`/`422`); returns `body["batch"]`. Hashes are not checked."""
    if type(body) is not dict:
        raise ProtocolError("bad_shape", "body is not a JSON object")
    _shape(set(body) == BODY_FIELDS, f"body fields must be exactly {sorted(BODY_FIELDS)}")
    batch = body["batch"]
    _shape(type(batch) is dict, "batch is not an object")
    keys = set(batch)
    _shape(keys == BATCH_FIELDS,
           f"batch fields: missing {sorted(BATCH_FIELDS - keys)}, unexpected {sorted(keys - BATCH_FIELDS)}")
    events = batch["events"]
    if type(events) is list and len(events) > MAX_EVENTS:
        raise ProtocolError("too_large", f"{len(events)} events; at most {MAX_EVENTS} per batch")
    _walk(body)
    _shape(type(events) is list, "batch.events is not a list")
    _shape(len(events) > 0, "batch.events is empty")
    _shape(type(body["sig"]) is str, "sig is not a string")
    _shape(is_uuid(batch["device_id"]), "batch.device_id is not a UUID")
    _shape(is_uuid(batch["outlet_id"]), "batch.outlet_id is not a UUID")
    _shape(is_uuid(batch["batch_id"]), "batch.batch_id is not a UUID")
    _shape(_is_int(batch["from_seq"], 1), "batch.from_seq is not an integer ≥ 1")
    _shape(is_hex64(batch["prev_hash"]), "batch.prev_hash is not 64 lowercase hex")
    _shape(is_rfc3339(batch["sent_at"]), "batch.sent_at is not RFC 3339 with offset")
    seen: set[str] = set()
    for index, event in enumerate(events):
        _check_event(event, index)
        _shape(event["event_id"] not in seen, f"events[{index}].event_id repeats within the batch")
        seen.add(event["event_id"])
    return batch


def check_chain(batch: Mapping[str, Any]) -> None:
    """Every event's hash and the chain inside a shape-checked batch (`400 bad_hash` / `400 bad_chain`)."""
    events = batch["events"]
    first = events[0]
    if batch["from_seq"] != first["seq"]:
        raise ProtocolError("bad_chain", f"from_seq {batch['from_seq']} is not the first seq {first['seq']}")
    if batch["prev_hash"] != first["prev_hash"]:
        raise ProtocolError("bad_chain", "batch.prev_hash is not the first event's prev_hash")
    expected_seq, expected_prev = first["seq"], first["prev_hash"]
    for event in events:
        seq = event["seq"]
        if seq != expected_seq:
            raise ProtocolError("bad_chain", f"seq {seq} where {expected_seq} was due: events not consecutive")
        if event["prev_hash"] != expected_prev:
            raise ProtocolError("bad_chain", f"seq {seq}: prev_hash is not the previous event's hash")
        if (seq == 1) != (event["prev_hash"] == GENESIS_HASH):
            raise ProtocolError("bad_chain", f"seq {seq}: only seq 1 has the genesis prev_hash")
        if event_hash(event, checked=False) != event["hash"]:
            raise ProtocolError("bad_hash", f"seq {seq}: hash does not match the event")
        expected_seq, expected_prev = seq + 1, event["hash"]


def validate_body(body: Any, public_key: Ed25519PublicKey | str) -> ValidBatch:
    """The server's checks in the protocol's order: shape (`400`/`413`/`422`), signature, hashes and chain."""
    batch = check_shape(body)
    verify(public_key, batch, body["sig"])
    check_chain(batch)
    return ValidBatch(
        device_id=batch["device_id"], outlet_id=batch["outlet_id"], batch_id=batch["batch_id"],
        from_seq=batch["from_seq"], prev_hash=batch["prev_hash"], sent_at=batch["sent_at"],
        events=tuple(batch["events"]), sig=body["sig"],
    )


def build_batch(*, device_id: str, outlet_id: str, events: Sequence[Mapping[str, Any]], batch_id: str,
                sent_at: str) -> dict[str, Any]:
    """An unsigned batch of consecutive journal events; ProtocolError if it would not pass `validate_body`."""
    copied = [dict(event) for event in events]
    batch: dict[str, Any] = {
        "device_id": device_id, "outlet_id": outlet_id, "batch_id": batch_id,
        "from_seq": copied[0]["seq"] if copied else 0,
        "prev_hash": copied[0]["prev_hash"] if copied else GENESIS_HASH,
        "sent_at": sent_at, "events": copied,
    }
    check_shape({"batch": batch, "sig": ""})
    check_chain(batch)
    return batch


def sign_batch(key: Ed25519PrivateKey, batch: Mapping[str, Any]) -> dict[str, Any]:
    """The request body `{"batch": batch, "sig": b64}`, signed over `canon(batch)`."""
    return {"batch": dict(batch), "sig": sign(key, batch)}
