"""Journal upload batches: build and sign at the outlet, validate strictly at the city (SYNC_PROTOCOL.md)."""

from __future__ import annotations

import calendar
import copy
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sync.protocol.canonical import (
    EVENT_FIELDS,
    GENESIS_HASH,
    INT_MAX,
    INT_MIN,
    MAX_DEPTH,
    canon,
    canon_bytes,
    canon_text,
    check_json_value,
    event_canon,
    event_hash,
    within_max_depth,
)
from sync.protocol.errors import STATUS, ProtocolError
from sync.protocol.keys import sign, sign_canonical, verify_canonical

__all__ = [
    "BATCH_FIELDS", "BODY_FIELDS", "MAX_BODY_BYTES", "MAX_EVENTS", "STATUS", "ProtocolError", "ValidBatch",
    "build_batch", "check_chain", "check_shape", "is_hex64", "is_rfc3339", "is_uuid", "parse_body", "sign_batch",
    "signed_wire", "unchecked_batch", "validate_body",
]

MAX_EVENTS: Final = 500
MAX_BODY_BYTES: Final = 1 << 20
"""1 MiB compressed per batch; the server enforces it on the wire (`413`)."""
MAX_TYPE_LEN: Final = 64

BODY_FIELDS: Final = frozenset({"batch", "sig"})
BATCH_FIELDS: Final = frozenset({"device_id", "outlet_id", "batch_id", "from_seq", "prev_hash", "sent_at", "events"})

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_RFC3339 = re.compile(
    r"([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(?:\.[0-9]{1,9})?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)


def is_uuid(value: object) -> bool:
    """A UUID string in canonical form: lowercase hex, 8-4-4-4-12."""
    return type(value) is str and _UUID.fullmatch(value) is not None


def is_hex64(value: object) -> bool:
    """A SHA-256 hex digest as `hashlib` writes it: 64 lowercase hex digits."""
    return type(value) is str and _HEX64.fullmatch(value) is not None


def is_rfc3339(value: object) -> bool:
    """An RFC 3339 date-time with a `Z` or ±hh:mm offset and real calendar/clock values (ASCII digits only)."""
    if type(value) is not str:
        return False
    match = _RFC3339.fullmatch(value)
    if match is None:
        return False
    year, month, day = match.group(1, 2, 3)
    if year == "0000":
        return False
    # The pattern already bounds month, hour, minute, second and offset; only days 29-31 need the calendar.
    return day <= "28" or int(day) <= calendar.monthrange(int(year), int(month))[1]


def _is_int(value: object, minimum: int = INT_MIN) -> bool:
    return type(value) is int and minimum <= value <= INT_MAX


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key in an object")
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class _NotCanonical(Exception):
    """Raised inside the fast parse: leave this body to the strict path."""


def _no_float(text: str) -> Any:
    raise _NotCanonical


_loads_strict = json.JSONDecoder(object_pairs_hook=_reject_duplicates, parse_constant=_no_constants).decode
_loads_json = json.JSONDecoder(parse_float=_no_float, parse_constant=_no_constants).decode


def _loads_json_bytes(raw: bytes) -> Any:
    return _loads_json(raw.decode("utf-8"))


# The fast path parses with orjson where it is installed (the city server; ~2x the standard parser, which is
# the largest single cost of a batch's checks). orjson has no float hook: `_FLOAT` finds floats in the bytes.
try:
    from orjson import loads as _loads_orjson
except ImportError:  # pragma: no cover - depends on the environment
    _loads_orjson = None
_loads_fast: Any = _loads_orjson or _loads_json_bytes


class _Parsed(dict[str, Any]):
    """`parse_body`'s result for a canonical, clean body: a plain JSON object that also remembers the canonical
    bytes of each event and of the batch, so `validate_body` neither walks nor re-serialises it.

    Copies and pickles are plain dicts (the remembered bytes describe this object only).
    """

    __slots__ = ("batch", "canon_batch", "events", "pieces", "sig")

    def intact(self) -> bool:
        """The top-level objects are still the parsed ones (a guard only: nothing may edit a parsed body)."""
        batch = dict.get(self, "batch")
        return (batch is self.batch and dict.get(self, "sig") is self.sig and batch.get("events") is self.events
                and len(self.events) == len(self.pieces))

    def __reduce_ex__(self, protocol: Any) -> Any:
        return dict, (dict(self),)

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return copy.deepcopy(dict(self), memo)


_EVENT_DEPTH: Final = 3
"""Depth of an event object inside a body (body 0, batch 1, events 2)."""
_MAX_OPENERS: Final = MAX_DEPTH - _EVENT_DEPTH
"""An event spelling N `{`/`[` (strings included) nests no container deeper than 3 + N - 1 < MAX_DEPTH."""


def _number_class(byte: int) -> int:
    if 0x30 <= byte <= 0x39:
        return 0x39  # digits → 9
    if byte in b":,[":
        return 0x3A  # where a value starts → :
    if byte in b"}]":
        return 0x3B  # where a value ends (besides `,`) → ;
    if byte in b"eE":
        return 0x65
    return byte if byte in b".-+" else 0x20


_NUMBER_SHAPE = bytes(_number_class(b) for b in range(256))
"""The bytes as number shapes: in canonical JSON a number token follows `:`, `,` or `[` and is followed by `,`,
`}` or `]`, so every number shows as `:`, maybe `-`, its digits as 9s, and `:` or `;`."""
_LONG_INTS = (b":" + b"9" * 19, b"-" + b"9" * 19)
"""Every integer of 18 digits or fewer fits 64 bits; only a 19-digit run needs a look."""
_FLOAT = re.compile(rb":-?9+(?:\.9+(?:e[-+]?9+)?|e[-+]?9+)[:;]")
"""A float token (fraction or exponent) in number shapes. Every float matches; text inside a string rarely does
(`"x:1.5,"`), and then the body merely takes the strict path."""
_ENVELOPE_TEXT: Final = ("batch_id", "device_id", "outlet_id", "prev_hash", "sent_at")


def _parse_canonical(raw: bytes) -> _Parsed | None:
    """The fast path for a body spelled exactly as `canon` spells it (as every client sends it); None leaves
    the body to the strict path.

    Byte equality with canon proves no duplicate keys; `_FLOAT` (or the standard parser's hook) refused
    floats; UTF-8 encoding refused lone surrogates; the digit runs bound every integer and the bracket counts
    the depth. So `_walk` would pass the body, and each event's canonical bytes are at hand for its hash and
    for the signature.
    """
    if not raw.startswith(b'{"batch":{"batch_id":'):  # not canonical (or not a batch): no need to parse twice
        return None
    shapes = raw.translate(_NUMBER_SHAPE)
    if any(run in shapes for run in _LONG_INTS) or (_loads_orjson is not None and _FLOAT.search(shapes)):
        return None
    try:
        body = _loads_fast(raw)
    except (_NotCanonical, ValueError, RecursionError, UnicodeDecodeError):
        return None
    if type(body) is not dict or body.keys() != BODY_FIELDS:
        return None
    batch, sig = body["batch"], body["sig"]
    if type(batch) is not dict or batch.keys() != BATCH_FIELDS or type(sig) is not str:
        return None
    events = batch["events"]
    if (type(events) is not list or len(events) > MAX_EVENTS or type(batch["from_seq"]) is not int
            or not all(type(batch[name]) is str for name in _ENVELOPE_TEXT)):
        return None
    try:
        pieces = [canon_bytes(event) for event in events]
        head, tail = _batch_ends(batch)
        sig_member = b',"sig":' + canon_text(sig).encode("utf-8") + b"}"
    except (UnicodeEncodeError, TypeError):  # a lone surrogate; canon_bytes: also an integer beyond 64 bits
        return None
    # raw == b'{"batch":' + canon(batch) + sig_member, compared in place (no copy of the megabyte)
    joined = b",".join(pieces)
    events_at = 9 + len(head)
    batch_end = events_at + len(joined) + len(tail)
    if not (len(raw) == batch_end + len(sig_member) and raw.startswith(b'{"batch":') and raw.startswith(head, 9)
            and raw.startswith(joined, events_at) and raw.startswith(tail, batch_end - len(tail))
            and raw.endswith(sig_member)):
        return None
    openers = [piece.count(b"{") + piece.count(b"[") for piece in pieces]
    if max(openers, default=0) > _MAX_OPENERS and not all(
            within_max_depth(event, _EVENT_DEPTH) for event, count in zip(events, openers, strict=True)
            if count > _MAX_OPENERS):
        return None
    parsed = _Parsed(body)
    parsed.batch, parsed.sig, parsed.events, parsed.pieces = batch, sig, events, pieces
    parsed.canon_batch = memoryview(raw)[9:batch_end]
    return parsed


def _batch_ends(batch: Mapping[str, Any]) -> tuple[bytes, bytes]:
    """`canon(batch)` around its events: sorted keys put "events" between "device_id" and "from_seq"."""
    head = canon_text({"batch_id": batch["batch_id"], "device_id": batch["device_id"]})
    tail = canon_text({"from_seq": batch["from_seq"], "outlet_id": batch["outlet_id"], "prev_hash": batch["prev_hash"],
                       "sent_at": batch["sent_at"]})
    return head[:-1].encode("utf-8") + b',"events":[', b"]," + tail[1:].encode("utf-8")


def _canon_batch(batch: Mapping[str, Any], pieces: list[bytes]) -> bytes:
    """`canon(batch)` from its events' canonical bytes."""
    head, tail = _batch_ends(batch)
    return b"".join((head, b",".join(pieces), tail))


def parse_body(raw: bytes) -> Any:
    """Strict JSON from the (already decompressed) request bytes; ProtocolError("bad_json") on anything odd.

    UTF-8 only (no BOM), no duplicate keys, no NaN/Infinity; shape is left to `check_shape`. A body spelled
    exactly as `canon` spells it comes back as a dict that remembers its canonical pieces: pass it to
    `validate_body` unchanged.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError("bad_json", f"body is not strict UTF-8 JSON: {exc}") from None
    parsed = _parse_canonical(raw)
    if parsed is not None:
        return parsed
    try:
        return _loads_strict(text)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError("bad_json", f"body is not strict UTF-8 JSON: {exc}") from None


def _shape(condition: bool, detail: str) -> None:
    if not condition:
        raise ProtocolError("bad_shape", detail)


def _event_ok(event: Any) -> bool:
    """`_check_event` as yes/no, with no error text built: it runs for every event."""
    if type(event) is not dict or event.keys() != EVENT_FIELDS:
        return False
    kind, seq, schema_v, master = event["type"], event["seq"], event["schema_v"], event["master_version"]
    return (type(seq) is int and 1 <= seq <= INT_MAX and type(schema_v) is int and 1 <= schema_v <= INT_MAX
            and type(master) is int and 0 <= master <= INT_MAX and type(kind) is str and 0 < len(kind) <= MAX_TYPE_LEN
            and type(event["body"]) is dict and is_uuid(event["event_id"]) and is_hex64(event["prev_hash"])
            and is_hex64(event["hash"]) and is_rfc3339(event["device_time"]))


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
    """A batch that passed shape, signature, hash and chain checks; events in seq order (or, made by
    `unchecked_batch`, one as sent, to be checked before anything done with it is kept)."""

    device_id: str
    outlet_id: str
    batch_id: str
    from_seq: int
    prev_hash: str
    sent_at: str
    events: tuple[dict[str, Any], ...]
    sig: str
    canonical_events: tuple[bytes, ...] = ()
    """`canon(event)` of each event (hash included), as the checks computed it."""

    @property
    def to_seq(self) -> int:
        return self.from_seq + len(self.events) - 1

    @property
    def last_hash(self) -> str:
        return self.events[-1]["hash"]

    def canonical_body(self, index: int) -> str:
        """`canon(events[index]["body"])` as text, cut from the event's canonical bytes instead of re-encoded.

        "body" sorts first; the member after it is "device_time" (RFC 3339, checked), and no member after that
        can spell `,"device_time":"` (inside a JSON string every quote is escaped), so the last one is it.
        """
        if len(self.canonical_events) != len(self.events):
            return canon(self.events[index]["body"], checked=False).decode("utf-8")
        piece = self.canonical_events[index]
        return piece[len(b'{"body":'):piece.rfind(b',"device_time":"')].decode("utf-8")


def unchecked_batch(body: Any) -> ValidBatch | None:
    """A canonical `parse_body` result's batch exactly as sent, with nothing checked yet, for a server that
    checks it (`validate_body`) while it stores it and keeps nothing unless the checks pass; None for a body
    the strict path parsed. Fields may hold anything: use them only inside what the checks can undo."""
    if type(body) is not _Parsed or not body.intact():
        return None
    batch = body.batch
    return ValidBatch(device_id=batch["device_id"], outlet_id=batch["outlet_id"], batch_id=batch["batch_id"],
                      from_seq=batch["from_seq"], prev_hash=batch["prev_hash"], sent_at=batch["sent_at"],
                      events=tuple(body.events), sig=body.sig, canonical_events=tuple(body.pieces))


def check_shape(body: Any, *, walk: bool = True) -> dict[str, Any]:
    """The exact body shape and types (`400`/`413`/`422`); returns `body["batch"]`. Hashes are not checked.

    `walk=False` leaves out the walk through every value (floats, lone surrogates, depth): for events whose
    bodies travel as the canonical text they were sealed with, not as these objects.
    """
    if type(body) is not dict and type(body) is not _Parsed:
        raise ProtocolError("bad_shape", "body is not a JSON object")
    _shape(body.keys() == BODY_FIELDS, f"body fields must be exactly {sorted(BODY_FIELDS)}")
    batch = body["batch"]
    _shape(type(batch) is dict, "batch is not an object")
    if batch.keys() != BATCH_FIELDS:
        keys = set(batch)
        raise ProtocolError("bad_shape", f"batch fields: missing {sorted(BATCH_FIELDS - keys)}, "
                                         f"unexpected {sorted(keys - BATCH_FIELDS)}")
    events = batch["events"]
    if type(events) is list and len(events) > MAX_EVENTS:
        raise ProtocolError("too_large", f"{len(events)} events; at most {MAX_EVENTS} per batch")
    if walk and not (type(body) is _Parsed and body.intact()):  # a parsed canonical body was proven clean
        check_json_value(body)
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
        if not _event_ok(event):
            _check_event(event, index)
        event_id = event["event_id"]
        if event_id in seen:
            raise ProtocolError("bad_shape", f"events[{index}].event_id repeats within the batch")
        seen.add(event_id)
    return batch


def check_chain(batch: Mapping[str, Any]) -> None:
    """Every event's hash and the chain inside a shape-checked batch (`400 bad_hash` / `400 bad_chain`)."""
    _check_chain(batch, None)


_HASH_MEMBER: Final = len(b'"hash":"') + 64 + len(b'",')


def _hash_from_piece(event: Mapping[str, Any], piece: bytes) -> str:
    """`event_hash(event)` from `canon(event)`: drop the `"hash":"<64 hex>",` member instead of re-encoding.

    The batch is shape-checked: exactly EVENT_FIELDS and a hex hash. Only master_version, prev_hash, schema_v,
    seq and type follow "hash", and none can spell `"hash":"` (quotes inside strings are escaped), so the
    last occurrence is the member itself.
    """
    at = piece.rfind(b'"hash":"')
    if at < 0 or piece[at + _HASH_MEMBER - 2:at + _HASH_MEMBER] != b'",':
        return event_hash(event, checked=False)
    return hashlib.sha256(bytes.fromhex(event["prev_hash"]) + piece[:at] + piece[at + _HASH_MEMBER:]).hexdigest()


def _check_chain(batch: Mapping[str, Any], pieces: Sequence[bytes] | None) -> None:
    events = batch["events"]
    first = events[0]
    if batch["from_seq"] != first["seq"]:
        raise ProtocolError("bad_chain", f"from_seq {batch['from_seq']} is not the first seq {first['seq']}")
    if batch["prev_hash"] != first["prev_hash"]:
        raise ProtocolError("bad_chain", "batch.prev_hash is not the first event's prev_hash")
    expected_seq, expected_prev = first["seq"], first["prev_hash"]
    for index, event in enumerate(events):
        seq = event["seq"]
        if seq != expected_seq:
            raise ProtocolError("bad_chain", f"seq {seq} where {expected_seq} was due: events not consecutive")
        if event["prev_hash"] != expected_prev:
            raise ProtocolError("bad_chain", f"seq {seq}: prev_hash is not the previous event's hash")
        if (seq == 1) != (event["prev_hash"] == GENESIS_HASH):
            raise ProtocolError("bad_chain", f"seq {seq}: only seq 1 has the genesis prev_hash")
        recomputed = event_hash(event, checked=False) if pieces is None else _hash_from_piece(event, pieces[index])
        if recomputed != event["hash"]:
            raise ProtocolError("bad_hash", f"seq {seq}: hash does not match the event")
        expected_seq, expected_prev = seq + 1, event["hash"]


def validate_body(body: Any, public_key: Ed25519PublicKey | str) -> ValidBatch:
    """The server's checks in the protocol's order: shape (`400`/`413`/`422`), signature, hashes and chain.

    Each event is encoded once (or not at all for a `parse_body` result, which kept its canonical bytes):
    the same bytes give every event's hash and, joined, the signed `canon(batch)`.
    """
    batch = check_shape(body)
    if type(body) is _Parsed and body.intact():
        pieces, message = body.pieces, body.canon_batch
    else:  # shape-checked: JSON types only, no floats or lone surrogates, so canon cannot fail
        pieces = [canon_text(event).encode("utf-8") for event in batch["events"]]
        message = _canon_batch(batch, pieces)
    verify_canonical(public_key, message, body["sig"])
    _check_chain(batch, pieces)
    return ValidBatch(
        device_id=batch["device_id"], outlet_id=batch["outlet_id"], batch_id=batch["batch_id"],
        from_seq=batch["from_seq"], prev_hash=batch["prev_hash"], sent_at=batch["sent_at"],
        events=tuple(batch["events"]), sig=body["sig"], canonical_events=tuple(pieces),
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


def signed_wire(key: Ed25519PrivateKey, *, device_id: str, outlet_id: str, events: Sequence[Mapping[str, Any]],
                batch_id: str, sent_at: str, body_texts: Sequence[str]) -> bytes:
    """`build_batch` + `sign_batch` + the canonical request bytes in one pass, for events whose bodies are at
    hand as the canonical text they were sealed with (the journal stores them so): each event is spelled once,
    by joining text, and those bytes serve its hash check, the signed `canon(batch)` and the wire alike.

    ProtocolError when the events would not pass `validate_body`; a body text other than the sealed one fails
    its event's hash.
    """
    if len(body_texts) != len(events):
        raise ValueError("one body text per event")
    batch: dict[str, Any] = {
        "device_id": device_id, "outlet_id": outlet_id, "batch_id": batch_id,
        "from_seq": events[0]["seq"] if events else 0,
        "prev_hash": events[0]["prev_hash"] if events else GENESIS_HASH, "sent_at": sent_at, "events": list(events),
    }
    check_shape({"batch": batch, "sig": ""}, walk=False)
    pieces = [event_canon(event, text) for event, text in zip(events, body_texts, strict=True)]
    _check_chain(batch, pieces)
    message = _canon_batch(batch, pieces)
    return b"".join((b'{"batch":', message, b',"sig":"', sign_canonical(key, message).encode("ascii"), b'"}'))


def sign_batch(key: Ed25519PrivateKey, batch: Mapping[str, Any]) -> dict[str, Any]:
    """The request body `{"batch": batch, "sig": b64}`, signed over `canon(batch)`."""
    return {"batch": dict(batch), "sig": sign(key, batch)}
