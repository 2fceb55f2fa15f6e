"""A seeded generator of malformed and re-signed upload requests, each with the statuses the protocol allows."""

from __future__ import annotations

import copy
import gzip
import json
import random
import re
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sync.protocol.batch import MAX_BODY_BYTES, MAX_EVENTS
from sync.protocol.canonical import event_hash
from sync.protocol.keys import Ed25519PrivateKey, b64encode, sign
from tests.sync.helpers.devices import Till

Body = dict[str, Any]


@dataclass(frozen=True)
class Case:
    """One request: raw bytes, extra headers, the statuses SYNC_PROTOCOL.md allows for it."""

    kind: str
    raw: bytes
    headers: dict[str, str]
    allowed: frozenset[int]


@dataclass
class Material:
    """What the generator works from: a valid body, the till that signed it, and strangers' keys and ids."""

    till: Till
    pristine: Body
    other_key: Ed25519PrivateKey
    other_device_id: str
    other_outlet_id: str
    stored_event_id: str
    """An event id the server already holds (of an earlier seq of this till)."""


def encode(body: Any) -> bytes:
    # sort_keys: the raw text starts with {"batch": (the duplicate-key mutation relies on it).
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def rehash(events: list[dict[str, Any]]) -> None:
    """Re-link and re-hash a list of events from its first prev_hash, as a forger with the key would."""
    prev = events[0]["prev_hash"]
    for event in events:
        event["prev_hash"] = prev
        event["hash"] = event_hash(event)
        prev = event["hash"]


def resign(body: Body, key: Ed25519PrivateKey) -> Body:
    body["sig"] = sign(key, body["batch"])
    return body


_INT_VALUE = re.compile(rb'(":)(-?\d+)(?=[,}\]])')
_BAD_UUIDS = ["", "not-a-uuid", "0" * 36, "ABCDEF01-2345-4789-ABCD-EF0123456789", uuid.uuid4().hex,
              "{" + str(uuid.UUID(int=2)) + "}", str(uuid.UUID(int=3))[:-1]]
_BAD_HEX = ["", "0" * 63, "0" * 65, "A" * 64, "g" * 64, " " + "0" * 63]
_BAD_TIMES = ["", "2026-11-30T10:15:00", "2026-02-30T10:15:00Z", "2026-11-30 10:15:00+08:00", "30/11/2026",
              "2026-11-30T24:00:00Z", "2026-11-30T10:15:00+08", "2026-11-30T10:15:00+24:00", "now"]
_WRONG_TYPES: list[Any] = [None, True, False, "1", 1, -1, [], {}, [1], {"a": 1}, "ünïcödé"]


class Generator:
    """`cases(n)`: n malformed requests drawn from every mutation below, reproducibly from `seed`."""

    def __init__(self, material: Material, seed: int) -> None:
        self.m = material
        self.rng = random.Random(seed)
        self.mutations: list[tuple[str, int, Callable[[], Case]]] = [
            (name.removeprefix("m_"), weight, getattr(self, name))
            for name, weight in MUTATION_WEIGHTS.items()
        ]
        self._bomb: bytes | None = None

    # -- helpers -----------------------------------------------------------------------------------------

    def body(self) -> Body:
        return copy.deepcopy(self.m.pristine)

    def case(self, kind: str, body: Any, allowed: set[int], *, raw: bytes | None = None,
             headers: dict[str, str] | None = None, maybe_gzip: bool = True) -> Case:
        data = encode(body) if raw is None else raw
        extra = dict(headers or {})
        if maybe_gzip and "Content-Encoding" not in extra and self.rng.random() < 0.5:
            data = gzip.compress(data, mtime=0)
            extra["Content-Encoding"] = "gzip"
        return Case(kind, data, extra, frozenset(allowed))

    def event(self, body: Body) -> dict[str, Any]:
        return self.rng.choice(body["batch"]["events"])

    def container(self, body: Body) -> dict[str, Any]:
        """The top level, the batch, or one event: where a field-level mutation lands."""
        return self.rng.choice([body, body["batch"], self.event(body)])

    def cases(self, count: int) -> list[Case]:
        names = [name for name, _, _ in self.mutations]
        weights = [weight for _, weight, _ in self.mutations]
        made = [fn() for _, _, fn in self.mutations]  # every mutation at least once
        while len(made) < count:
            index = self.rng.choices(range(len(names)), weights)[0]
            made.append(self.mutations[index][2]())
        return made

    # -- raw bytes and encodings -------------------------------------------------------------------------

    def m_truncated_json(self) -> Case:
        raw = encode(self.body())
        return self.case("truncated_json", None, {400}, raw=raw[:self.rng.randrange(len(raw))])

    def m_garbage_bytes(self) -> Case:
        raw = self.rng.randbytes(self.rng.randint(1, 300))
        return self.case("garbage_bytes", None, {400, 422}, raw=raw)

    def m_invalid_utf8(self) -> Case:
        raw = encode(self.body())
        at = self.rng.randrange(len(raw))
        return self.case("invalid_utf8", None, {400}, raw=raw[:at] + self.rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80"])
                         + raw[at:])

    def m_bom(self) -> Case:
        return self.case("bom", None, {400}, raw=b"\xef\xbb\xbf" + encode(self.body()))

    def m_duplicate_key(self) -> Case:
        raw = encode(self.body())
        assert raw.startswith(b'{"batch":')
        sig = json.dumps(self.m.pristine["sig"]).encode()
        return self.case("duplicate_key", None, {400}, raw=b'{"sig":' + sig + b"," + raw[1:])

    def _replace_int(self, replacement: bytes) -> bytes:
        raw = encode(self.body())
        matches = list(_INT_VALUE.finditer(raw))
        match = self.rng.choice(matches)
        return raw[:match.start(2)] + replacement + raw[match.end(2):]

    def m_nan_literal(self) -> Case:
        token = self.rng.choice([b"NaN", b"Infinity", b"-Infinity"])
        return self.case("nan_literal", None, {400}, raw=self._replace_int(token))

    def m_float_literal(self) -> Case:
        token = self.rng.choice([b"4.0", b"1e3", b"0.5", b"-0.0", b"1E-2", b"18500.00"])
        return self.case("float_literal", None, {422}, raw=self._replace_int(token))

    def m_huge_integer(self) -> Case:
        digits = self.rng.choice([str(2**63), str(-(2**63) - 1), str(10**30), str(2**62), str(-(2**62)),
                                  "1" + "0" * self.rng.randint(19, 6000)])
        # 2**62 fits 64 bits: then the shape passes and the (stale) signature fails. Over 4300 digits is not JSON.
        return self.case("huge_integer", None, {400, 422}, raw=self._replace_int(digits.encode()))

    def m_deep_nesting_raw(self) -> Case:
        depth = self.rng.choice([70, 500, 990, 5_000, 100_000])
        return self.case("deep_nesting_raw", None, {400, 422}, raw=b"[" * depth + b"]" * depth)

    def m_deep_nesting_in_body(self) -> Case:
        body = self.body()
        nested: Any = "dasar"
        for _ in range(self.rng.randint(65, 400)):
            nested = self.rng.choice([[nested], {"x": nested}])
        self.event(body)["body"]["catatan"] = nested
        return self.case("deep_nesting_in_body", body, {400, 422})

    def m_not_an_object(self) -> Case:
        raw = self.rng.choice([b"null", b"[]", b"123", b'"batch"', b"true", b"{}", b"[{}]", b"-0"])
        return self.case("not_an_object", None, {422}, raw=raw)

    def m_empty_body(self) -> Case:
        return self.case("empty_body", None, {400}, raw=b"")

    def m_bad_gzip(self) -> Case:
        packed = bytearray(gzip.compress(encode(self.body()), mtime=0))
        how = self.rng.choice(["truncate", "flip", "plain"])
        if how == "truncate":
            data = bytes(packed[:self.rng.randrange(len(packed) - 1)])
        elif how == "flip":
            at = self.rng.randrange(10, len(packed))  # past the header, whose mtime nobody checks
            packed[at] ^= 1 << self.rng.randrange(8)
            data = bytes(packed)
        else:
            data = encode(self.body())  # labelled gzip, sent plain
        return self.case(f"bad_gzip_{how}", None, {400}, raw=data, headers={"Content-Encoding": "gzip"})

    def m_gzip_bomb(self) -> Case:
        if self._bomb is None:
            self._bomb = gzip.compress(b" " * (17 << 20), compresslevel=9, mtime=0)
        return self.case("gzip_bomb", None, {413}, raw=self._bomb, headers={"Content-Encoding": "gzip"})

    def m_unknown_encoding(self) -> Case:
        encoding = self.rng.choice(["br", "deflate", "compress", "zstd", "gzip, gzip", "x-gzip;q=1", "identity, br"])
        return self.case("unknown_encoding", self.body(), {400, 415}, headers={"Content-Encoding": encoding},
                         maybe_gzip=False)

    def m_oversize_body(self) -> Case:
        body = self.body()
        self.event(body)["body"]["catatan"] = "x" * (MAX_BODY_BYTES + 10)
        return self.case("oversize_body", body, {413}, maybe_gzip=False)

    # -- shape ---------------------------------------------------------------------------------------------

    def m_missing_field(self) -> Case:
        body = self.body()
        where = self.container(body)
        del where[self.rng.choice(sorted(where))]
        return self.case("missing_field", body, {422})

    def m_extra_field(self) -> Case:
        body = self.body()
        self.container(body)[self.rng.choice(["extra", "Seq", "hash2", "sig ", "batch_v"])] = 1
        return self.case("extra_field", body, {422})

    def m_wrong_type(self) -> Case:
        body = self.body()
        where = self.container(body)
        field = self.rng.choice(sorted(where))
        original = type(where[field])
        where[field] = self.rng.choice([v for v in _WRONG_TYPES if type(v) is not original])
        return self.case("wrong_type", body, {422})

    def m_bad_format(self) -> Case:
        body = self.body()
        batch, event = body["batch"], self.event(body)
        target, field, value = self.rng.choice([
            (batch, "device_id", self.rng.choice(_BAD_UUIDS)), (batch, "outlet_id", self.rng.choice(_BAD_UUIDS)),
            (batch, "batch_id", self.rng.choice(_BAD_UUIDS)), (event, "event_id", self.rng.choice(_BAD_UUIDS)),
            (batch, "prev_hash", self.rng.choice(_BAD_HEX)), (event, "prev_hash", self.rng.choice(_BAD_HEX)),
            (event, "hash", self.rng.choice(_BAD_HEX)), (batch, "sent_at", self.rng.choice(_BAD_TIMES)),
            (event, "device_time", self.rng.choice(_BAD_TIMES)), (event, "seq", self.rng.choice([0, -1, -(2**40)])),
            (batch, "from_seq", self.rng.choice([0, -4])), (event, "schema_v", self.rng.choice([0, -1])),
            (event, "master_version", -1), (event, "type", self.rng.choice(["", "x" * 65])),
            (batch, "events", []),
        ])
        target[field] = value
        return self.case("bad_format", body, {422})

    def m_too_many_events(self) -> Case:
        body = self.body()
        events = body["batch"]["events"]
        body["batch"]["events"] = [events[i % len(events)] for i in range(MAX_EVENTS + 1)]
        return self.case("too_many_events", body, {413}, headers={"Content-Encoding": "gzip"}, raw=gzip.compress(
            encode(body), mtime=0))

    def m_lone_surrogate(self) -> Case:
        body = self.body()
        self.event(body)["body"]["catatan"] = "a\ud800b"
        raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("ascii")  # as a \ud800 escape
        return self.case("lone_surrogate", None, {422}, raw=raw)

    def m_float_in_body(self) -> Case:
        body = self.body()
        event = self.event(body)
        event["body"][self.rng.choice(["total", "subtotal", "catatan"])] = self.rng.choice([0.1, 18500.0, -1.5])
        return self.case("float_in_body", body, {422})

    # -- signatures ----------------------------------------------------------------------------------------

    def m_tampered_content_stale_sig(self) -> Case:
        body = self.body()
        event = self.event(body)
        event["body"]["total"] = event["body"]["total"] + self.rng.randint(1, 100_000)
        return self.case("tampered_content_stale_sig", body, {400})

    def m_signed_by_another_key(self) -> Case:
        return self.case("signed_by_another_key", resign(self.body(), self.m.other_key), {400})

    def m_misencoded_sig(self) -> Case:
        body = self.body()
        sig: str = body["sig"]
        variants = [sig.rstrip("="), sig + "==", " " + sig, sig + "\n", sig[:-4], sig.lower(), sig.upper(),
                    sig[:40] + "\n" + sig[40:], "", "=" * 88, b64encode(b"\0" * 64),
                    "".join(self.rng.choice(string.ascii_letters) for _ in range(88))]
        if "+" in sig or "/" in sig:
            variants.append(sig.replace("+", "-").replace("/", "_"))
        body["sig"] = self.rng.choice([v for v in variants if v != sig])
        return self.case("misencoded_sig", body, {400})

    def m_sig_of_another_batch(self) -> Case:
        body = self.body()
        other = copy.deepcopy(body["batch"])
        other["batch_id"] = str(uuid.uuid4())
        body["sig"] = sign(self.m.till.key, other)
        return self.case("sig_of_another_batch", body, {400})

    # -- re-signed with the device's own key, yet wrong ------------------------------------------------

    def m_resigned_bad_hash(self) -> Case:
        body = self.body()
        event = self.event(body)
        event["body"]["total"] = event["body"]["total"] + 1
        return self.case("resigned_bad_hash", resign(body, self.m.till.key), {400})

    def m_resigned_broken_link(self) -> Case:
        body = self.body()
        events = body["batch"]["events"]
        k = self.rng.randrange(1, len(events))
        events[k]["prev_hash"] = uuid.uuid4().hex * 2
        rehash_from = events[k:]
        rehash(rehash_from)  # every hash right, one link wrong
        return self.case("resigned_broken_link", resign(body, self.m.till.key), {400})

    def m_resigned_batch_header(self) -> Case:
        body = self.body()
        batch = body["batch"]
        if self.rng.random() < 0.5:
            batch["from_seq"] = batch["from_seq"] + self.rng.choice([-1, 1, 2])
        else:
            batch["prev_hash"] = uuid.uuid4().hex * 2
        return self.case("resigned_batch_header", resign(body, self.m.till.key), {400})

    def m_resigned_reordered(self) -> Case:
        body = self.body()
        events = body["batch"]["events"]
        i, j = self.rng.sample(range(len(events)), 2)
        events[i], events[j] = events[j], events[i]
        return self.case("resigned_reordered", resign(body, self.m.till.key), {400})

    def m_resigned_seq_jump(self) -> Case:
        body = self.body()
        events = body["batch"]["events"]
        k = self.rng.randrange(1, len(events))
        for event in events[k:]:
            event["seq"] += self.rng.choice([1, 5])
        rehash(events)
        return self.case("resigned_seq_jump", resign(body, self.m.till.key), {400})

    def m_resigned_genesis_midway(self) -> Case:
        body = self.body()
        events = body["batch"]["events"]
        body["batch"]["prev_hash"] = events[0]["prev_hash"] = "0" * 64  # from_seq > 1 may not start at genesis
        rehash(events)
        return self.case("resigned_genesis_midway", resign(body, self.m.till.key), {400})

    def m_resigned_repeated_event_id(self) -> Case:
        body = self.body()
        events = body["batch"]["events"]
        events[-1]["event_id"] = events[0]["event_id"]
        rehash(events)
        return self.case("resigned_repeated_event_id", resign(body, self.m.till.key), {422})

    def m_resigned_nul_in_type(self) -> Case:
        body = self.body()
        events = body["batch"]["events"]
        self.rng.choice(events)["type"] = self.rng.choice(["sa\x00le", "\x00"])
        rehash(events)
        return self.case("resigned_nul_in_type", resign(body, self.m.till.key), {422})

    def m_resigned_foreign_ids(self) -> Case:
        body = self.body()
        field = self.rng.choice(["device_id", "outlet_id"])
        body["batch"][field] = self.m.other_device_id if field == "device_id" else self.m.other_outlet_id
        return self.case("resigned_foreign_ids", resign(body, self.m.till.key), {403})

    def m_resigned_stored_event_id(self) -> Case:
        """A perfect next batch except that it reuses an event_id the server already holds: UNIQUE(event_id)."""
        body = self.body()
        events = body["batch"]["events"]
        events[self.rng.randrange(len(events))]["event_id"] = self.m.stored_event_id
        rehash(events)
        return self.case("resigned_stored_event_id", resign(body, self.m.till.key), {409})


MUTATION_WEIGHTS: dict[str, int] = {
    "m_truncated_json": 6, "m_garbage_bytes": 3, "m_invalid_utf8": 3, "m_bom": 1, "m_duplicate_key": 2,
    "m_nan_literal": 2, "m_float_literal": 3, "m_huge_integer": 3, "m_deep_nesting_raw": 2,
    "m_deep_nesting_in_body": 2, "m_not_an_object": 2, "m_empty_body": 1, "m_bad_gzip": 4, "m_gzip_bomb": 1,
    "m_unknown_encoding": 2, "m_oversize_body": 1, "m_missing_field": 6, "m_extra_field": 4, "m_wrong_type": 8,
    "m_bad_format": 8, "m_too_many_events": 1, "m_lone_surrogate": 2, "m_float_in_body": 3,
    "m_tampered_content_stale_sig": 4, "m_signed_by_another_key": 4, "m_misencoded_sig": 5,
    "m_sig_of_another_batch": 2, "m_resigned_bad_hash": 4, "m_resigned_broken_link": 3,
    "m_resigned_batch_header": 3, "m_resigned_reordered": 2, "m_resigned_seq_jump": 2,
    "m_resigned_genesis_midway": 2, "m_resigned_repeated_event_id": 2, "m_resigned_nul_in_type": 2,
    "m_resigned_foreign_ids": 3, "m_resigned_stored_event_id": 2,
}
"""How often each mutation is drawn (relative); the expensive ones (1 MiB, 17 MiB bombs, 501 events) rarely."""
