"""Upload batches: real journal events as test vectors, and 1,000+ malformed or tampered variants refused."""

from __future__ import annotations

import base64
import copy
import gzip
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import iter_events
from sync.protocol.batch import (
    MAX_EVENTS,
    STATUS,
    ProtocolError,
    ValidBatch,
    _Parsed,
    build_batch,
    check_chain,
    check_shape,
    is_rfc3339,
    parse_body,
    sign_batch,
    validate_body,
)
from sync.protocol.canonical import EVENT_FIELDS, GENESIS_HASH, canon, event_hash, seal_event
from sync.protocol.keys import Ed25519PrivateKey, generate_private_key, public_key_b64, sign
from sync.protocol.receipts import build_ack, receipt_payload, sign_receipt, verify_ack

DEVICE_ID = "3f2b8c1e-0d4a-4f6b-9a7c-2e5d8f1a0b3c"
OUTLET_ID = "9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"
BATCH_ID = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
SENT_AT = "2026-11-30T10:20:00+08:00"

Body = dict[str, Any]


def _hand_events(after: dict[str, Any] | None, count: int) -> list[dict[str, Any]]:
    """Events continuing a chain, built by hand: a sale, a refund, LPG, an unknown type…"""
    seq, prev = (after["seq"] + 1, after["hash"]) if after else (1, GENESIS_HASH)
    kinds = ["sale", "refund", "lpg_delivery", "cash_movement", "override", "type_from_the_future"]
    out = []
    for n in range(count):
        body = {"sale_no": f"LPK-01-{n:06d}", "total": 15_000 * (n + 1), "member": n % 2 == 0, "note": None,
                "lines": [{"sku": "BRS-MED-5", "qty_milli": 1000 * (n + 1), "price": 15_000}],
                "nama": "Ibu Siti — Jl. Pramuka ✓"}
        event = seal_event(seq=seq, event_id=str(uuid.UUID(int=0xABC0 + n, version=4)), type=kinds[n % len(kinds)],
                           schema_v=1, device_time=f"2026-11-30T{10 + n % 10:02d}:0{n % 10}:00.{n:03d}+08:00",
                           master_version=n // 3, body=body, prev_hash=prev)
        out.append(event)
        seq, prev = seq + 1, event["hash"]
    return out


@pytest.fixture
def journal(ctx: PosContext) -> list[dict[str, Any]]:
    """The seeded demo outlet's real journal, extended with hand-built events: 20 events from seq 1."""
    with ctx.engine.connect() as connection:
        real = list(iter_events(connection))
    assert len(real) >= 5 and real[0]["seq"] == 1 and real[0]["prev_hash"] == GENESIS_HASH
    events = real + _hand_events(real[-1], 20 - len(real))
    assert len(events) == 20
    return events


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return generate_private_key()


def _body(key: Ed25519PrivateKey, events: list[dict[str, Any]]) -> Body:
    return sign_batch(key, build_batch(device_id=DEVICE_ID, outlet_id=OUTLET_ID, events=events,
                                       batch_id=BATCH_ID, sent_at=SENT_AT))


def _resign(key: Ed25519PrivateKey, body: Body) -> Body:
    return {**body, "sig": sign(key, body["batch"])}


def _resign_unchecked(key: Ed25519PrivateKey, body: Body) -> Body:
    """Re-sign over the JSON text a careless client would send (its floats as they are)."""
    text = json.dumps(body["batch"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return {**body, "sig": base64.b64encode(key.sign(text)).decode()}


def _expect(code: str, body: Any, key: Ed25519PrivateKey) -> None:
    with pytest.raises(ProtocolError) as info:
        validate_body(body, public_key_b64(key))
    assert info.value.code == code, (code, info.value)
    assert info.value.status == STATUS[code]


# --- the good path -------------------------------------------------------------------------------------


def test_real_journal_batch_validates(journal: list[dict[str, Any]], key: Ed25519PrivateKey) -> None:
    body = _body(key, journal)
    assert set(body) == {"batch", "sig"}
    batch = body["batch"]
    assert batch["from_seq"] == 1 and batch["prev_hash"] == GENESIS_HASH and len(batch["events"]) == 20
    valid = validate_body(body, public_key_b64(key))
    assert isinstance(valid, ValidBatch)
    assert (valid.device_id, valid.outlet_id, valid.batch_id, valid.sent_at) == (DEVICE_ID, OUTLET_ID, BATCH_ID,
                                                                                  SENT_AT)
    assert valid.from_seq == 1 and valid.to_seq == 20 and valid.last_hash == journal[-1]["hash"]
    assert all(set(e) == EVENT_FIELDS for e in valid.events)


def test_survives_the_wire(journal: list[dict[str, Any]], key: Ed25519PrivateKey) -> None:
    """JSON with any key order and escaping, gzip on the way: the signature is over canon, so it verifies."""
    body = _body(key, journal)
    for wire in (json.dumps(body).encode(), canon(body), gzip.decompress(gzip.compress(canon(body))),
                 json.dumps(body, indent=2, ensure_ascii=True, sort_keys=False).encode()):
        validate_body(parse_body(wire), key.public_key())


def test_a_later_slice_validates(journal: list[dict[str, Any]], key: Ed25519PrivateKey) -> None:
    body = _body(key, journal[6:15])
    valid = validate_body(body, key.public_key())
    assert valid.from_seq == 7 and valid.prev_hash == journal[5]["hash"] and valid.to_seq == 15


def test_build_refuses_non_consecutive(journal: list[dict[str, Any]]) -> None:
    for events in ([], journal[:3] + journal[4:6], list(reversed(journal[:4])), journal[1:3] + journal[:1]):
        with pytest.raises(ProtocolError):
            build_batch(device_id=DEVICE_ID, outlet_id=OUTLET_ID, events=events, batch_id=BATCH_ID, sent_at=SENT_AT)
    with pytest.raises(ProtocolError) as info:
        build_batch(device_id=DEVICE_ID, outlet_id=OUTLET_ID, events=[{**journal[0], "x": 1}], batch_id=BATCH_ID,
                    sent_at=SENT_AT)
    assert info.value.code == "bad_shape"


def test_max_events(key: Ed25519PrivateKey) -> None:
    events = _hand_events(None, MAX_EVENTS + 1)
    validate_body(_body(key, events[:MAX_EVENTS]), key.public_key())
    batch = {"device_id": DEVICE_ID, "outlet_id": OUTLET_ID, "batch_id": BATCH_ID, "from_seq": 1,
             "prev_hash": GENESIS_HASH, "sent_at": SENT_AT, "events": events}
    _expect("too_large", {"batch": batch, "sig": sign(key, batch)}, key)
    assert STATUS["too_large"] == 413


# --- strict JSON ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [
    b"", b"{", b"not json", b'{"a":1,"a":2}', b'{"batch":{"x":1,"x":1},"sig":""}', b'{"a":NaN}', b'[Infinity]',
    b"\xef\xbb\xbf{}", b'{"a":"\xff"}', "{}".encode("utf-16"), b"[" * 100_000 + b"]" * 100_000,
    b'{"n":' + b"9" * 5000 + b"}",
])
def test_parse_body_refuses_odd_json(raw: bytes) -> None:
    with pytest.raises(ProtocolError) as info:
        parse_body(raw)
    assert info.value.code == "bad_json" and info.value.status == 400


def test_parsed_oddities_are_shape_errors(journal: list[dict[str, Any]], key: Ed25519PrivateKey) -> None:
    body = _body(key, journal[:2])
    text = json.dumps(body)
    for needle, replacement, code in (
        ('"body": {', '"body": {"s": "\\ud800", ', "bad_shape"),
        ('"body": {', '"body": {"big": 9223372036854775808, ', "bad_shape"),
        ('"body": {', '"body": {"p": 1e400, ', "float_not_allowed"),
        ('"body": {', '"body": {"p": 1.0, ', "float_not_allowed"),
        ('"body": {', '"body": {"deep": ' + "[" * 80 + "]" * 80 + ", ", "bad_shape"),
    ):
        _expect(code, parse_body(text.replace(needle, replacement, 1).encode()), key)


@pytest.mark.parametrize("value,ok", [
    ("2026-11-30T10:20:00+08:00", True), ("2026-11-30T02:15:00.000+00:00", True), ("2026-11-30T02:15:00Z", True),
    ("2026-11-30t02:15:00.123456789z", True), ("2024-02-29T00:00:00-03:30", True),
    ("2026-11-30T10:20:00", False), ("2026-11-30 10:20:00+08:00", False), ("2026-11-30", False),
    ("2026-13-30T10:20:00Z", False), ("2025-02-29T00:00:00Z", False), ("2026-11-30T24:00:00Z", False),
    ("2026-11-30T10:20:00+0800", False), ("2026-11-30T10:20:00+24:00", False), ("2026-11-30T10:20Z", False),
    (" 2026-11-30T10:20:00Z", False), ("2026-11-30T10:20:00Z\n", False), (1_700_000_000, False), (None, False),
])
def test_rfc3339(value: object, ok: bool) -> None:
    assert is_rfc3339(value) is ok


# --- 1,000+ malformed, tampered and re-signed variants -----------------------------------------------------

_BAD_UUIDS = ["3F2B8C1E-0D4A-4F6B-9A7C-2E5D8F1A0B3C", "3f2b8c1e0d4a4f6b9a7c2e5d8f1a0b3c",
              "{3f2b8c1e-0d4a-4f6b-9a7c-2e5d8f1a0b3c}", "3f2b8c1e-0d4a-4f6b-9a7c-2e5d8f1a0b3", "", "urn:uuid:x"]
_BAD_TIMES = ["2026-11-30T10:20:00", "2026-11-30", "2026-11-31T10:20:00Z", "yesterday", ""]
_BAD_HEX = ["A" * 64, "0" * 63, "0" * 65, "g" * 64, ""]
_WRONG_TYPES: list[Any] = [None, True, False, [], {}, "1", "x"]

Mutation = tuple[str, Callable[[Body], Any], str]


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Body], Body]:
    def apply(body: Body) -> Body:
        target = body
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
        return body
    return apply


def _delete(path: tuple[Any, ...]) -> Callable[[Body], Body]:
    def apply(body: Body) -> Body:
        target = body
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]
        return body
    return apply


def _field_type_ok(field: str, value: Any) -> bool:
    return (field == "body" and value == {}) or (field == "type" and value in ("1", "x"))


def _mutations(n_events: int) -> Iterator[Mutation]:
    """Variants applied to a copy of a valid signed body, with the code each must be refused with."""
    yield "body not an object", lambda b: [b], "bad_shape"
    yield "body is a string", lambda b: json.dumps(b), "bad_shape"
    yield "body extra key", _set(("extra",), 1), "bad_shape"
    yield "body missing sig", _delete(("sig",)), "bad_shape"
    yield "body missing batch", _delete(("batch",)), "bad_shape"
    for bad in (None, 1, True, [], {}):
        yield f"sig {bad!r}", _set(("sig",), bad), "bad_shape"
    yield "sig float", _set(("sig",), 1.5), "float_not_allowed"
    yield "batch not an object", _set(("batch",), []), "bad_shape"
    yield "batch extra key", _set(("batch", "protocol"), 1), "bad_shape"
    yield "events empty", _set(("batch", "events"), []), "bad_shape"
    yield "events object", _set(("batch", "events"), {}), "bad_shape"
    for field in ("device_id", "outlet_id", "batch_id", "from_seq", "prev_hash", "sent_at", "events"):
        yield f"batch missing {field}", _delete(("batch", field)), "bad_shape"
        yield f"batch {field} float", _set(("batch", field), 1.0), "float_not_allowed"
        for bad in _WRONG_TYPES:
            yield f"batch {field} {bad!r}", _set(("batch", field), bad), "bad_shape"
    for field in ("device_id", "outlet_id", "batch_id"):
        for bad in _BAD_UUIDS:
            yield f"batch {field} {bad!r}", _set(("batch", field), bad), "bad_shape"
    for bad in _BAD_TIMES:
        yield f"sent_at {bad!r}", _set(("batch", "sent_at"), bad), "bad_shape"
    for bad in _BAD_HEX:
        yield f"batch prev_hash {bad!r}", _set(("batch", "prev_hash"), bad), "bad_shape"
    for bad in (0, -1, 2**63):
        yield f"from_seq {bad}", _set(("batch", "from_seq"), bad), "bad_shape"
    for i in range(n_events):
        ev = ("batch", "events", i)
        yield f"[{i}] not an object", _set(ev, [1]), "bad_shape"
        yield f"[{i}] extra field", _set(ev + ("device_id",), DEVICE_ID), "bad_shape"
        yield f"[{i}] float deep in body", _set(ev + ("body", "x"), {"y": [1, {"z": 0.5}]}), "float_not_allowed"
        yield f"[{i}] float in body", _set(ev + ("body", "price"), 15000.0), "float_not_allowed"
        for field in sorted(EVENT_FIELDS):
            yield f"[{i}] missing {field}", _delete(ev + (field,)), "bad_shape"
            yield f"[{i}] {field} float", _set(ev + (field,), 1.0), "float_not_allowed"
            for bad in _WRONG_TYPES:
                if not _field_type_ok(field, bad):
                    yield f"[{i}] {field} {bad!r}", _set(ev + (field,), bad), "bad_shape"
        for bad in _BAD_UUIDS:
            yield f"[{i}] event_id {bad!r}", _set(ev + ("event_id",), bad), "bad_shape"
        for bad in _BAD_TIMES:
            yield f"[{i}] device_time {bad!r}", _set(ev + ("device_time",), bad), "bad_shape"
        for bad in _BAD_HEX:
            yield f"[{i}] hash {bad!r}", _set(ev + ("hash",), bad), "bad_shape"
            yield f"[{i}] prev_hash {bad!r}", _set(ev + ("prev_hash",), bad), "bad_shape"
        yield f"[{i}] seq 0", _set(ev + ("seq",), 0), "bad_shape"
        yield f"[{i}] schema_v 0", _set(ev + ("schema_v",), 0), "bad_shape"
        yield f"[{i}] master_version -1", _set(ev + ("master_version",), -1), "bad_shape"
        yield f"[{i}] type empty", _set(ev + ("type",), ""), "bad_shape"
        yield f"[{i}] type huge", _set(ev + ("type",), "sale" * 100), "bad_shape"
        yield f"[{i}] body int too big", _set(ev + ("body", "n"), 2**64), "bad_shape"
        yield f"[{i}] body bytes", _set(ev + ("body", "b"), b"x"), "bad_shape"
        yield f"[{i}] body tuple", _set(ev + ("body", "t"), (1, 2)), "bad_shape"
        yield f"[{i}] body non-str key", _set(ev + ("body",), {1: "a"}), "bad_shape"
        yield f"[{i}] body surrogate", _set(ev + ("body", "s"), "\udc80"), "bad_shape"
        # Well-formed but tampered, NOT re-signed: the signature no longer covers it.
        yield f"[{i}] body edited", _set(ev + ("body", "tampered"), 1), "bad_signature"
        yield f"[{i}] type edited", _set(ev + ("type",), "void"), "bad_signature"
        yield f"[{i}] time edited", _set(ev + ("device_time",), "2020-01-01T00:00:00Z"), "bad_signature"
        yield f"[{i}] hash edited", _set(ev + ("hash",), "f" * 64), "bad_signature"


def _resigned_mutations(events: list[dict[str, Any]], key: Ed25519PrivateKey) -> Iterator[Mutation]:
    """Tampering re-signed with the device's own key: the signature verifies, the hashes or chain do not."""
    n = len(events)
    last = n - 1

    def resigned(change: Callable[[Body], Any]) -> Callable[[Body], Body]:
        def apply(body: Body) -> Body:
            change(body)
            return _resign(key, body)
        return apply

    def rehash(i: int, **fields: Any) -> Callable[[Body], None]:
        def apply(body: Body) -> None:
            event = body["batch"]["events"][i]
            event.update(fields)
            event["hash"] = event_hash(event)
        return apply

    for i in range(n):
        ev = ("batch", "events", i)
        yield f"[{i}] body edited, re-signed", resigned(_set(ev + ("body", "total"), 1)), "bad_hash"
        yield f"[{i}] master_version edited, re-signed", resigned(_set(ev + ("master_version",), 99)), "bad_hash"
        yield f"[{i}] type edited, re-signed", resigned(_set(ev + ("type",), "void")), "bad_hash"
        yield f"[{i}] event_id edited, re-signed", resigned(_set(ev + ("event_id",), str(uuid.uuid4()))), "bad_hash"
        yield f"[{i}] hash edited, re-signed", resigned(_set(ev + ("hash",), "e" * 64)), "bad_hash"
        yield f"[{i}] seq edited, re-signed", resigned(_set(ev + ("seq",), events[i]["seq"] + 100)), "bad_chain"
        yield f"[{i}] prev_hash edited, re-signed", resigned(_set(ev + ("prev_hash",), "d" * 64)), "bad_chain"
        yield f"[{i}] duplicated, re-signed", resigned(
            lambda b, i=i: b["batch"]["events"].insert(i, copy.deepcopy(b["batch"]["events"][i]))), "bad_shape"
        if i < last:
            yield f"[{i}] edited and re-hashed, re-signed", resigned(rehash(i, body={"total": 1})), "bad_chain"
            yield f"[{i}] swapped with next, re-signed", resigned(
                lambda b, i=i: b["batch"]["events"].__setitem__(
                    slice(i, i + 2), b["batch"]["events"][i:i + 2][::-1])), "bad_chain"
        if 0 < i < last:
            yield f"[{i}] dropped, re-signed", resigned(_delete(ev)), "bad_chain"
        yield f"[{i}] re-signed by another key", lambda b: {**b, "sig": sign(generate_private_key(), b["batch"])}, (
            "bad_signature")
    yield "first dropped, re-signed", resigned(_delete(("batch", "events", 0))), "bad_chain"
    yield "from_seq + 1, re-signed", resigned(lambda b: b["batch"].__setitem__("from_seq", 2)), "bad_chain"
    yield "batch prev_hash, re-signed", resigned(_set(("batch", "prev_hash"), "c" * 64)), "bad_chain"
    yield "reversed, re-signed", resigned(lambda b: b["batch"]["events"].reverse()), "bad_chain"
    yield "seq 1 not genesis, re-signed", resigned(rehash(0, prev_hash="b" * 64)), "bad_chain"
    yield "batch_id edited", _set(("batch", "batch_id"), str(uuid.uuid4())), "bad_signature"
    yield "device_id edited", _set(("batch", "device_id"), str(uuid.uuid4())), "bad_signature"
    yield "sent_at edited", _set(("batch", "sent_at"), "2026-12-01T00:00:00Z"), "bad_signature"


def test_1000_plus_variants_all_refused_with_the_right_code(journal: list[dict[str, Any]],
                                                             key: Ed25519PrivateKey) -> None:
    original = _body(key, journal)
    pristine = canon(original)
    count = 0
    for name, mutate, code in [*_mutations(len(journal)), *_resigned_mutations(journal, key)]:
        body = mutate(copy.deepcopy(original))
        with pytest.raises(ProtocolError) as info:
            validate_body(body, key.public_key())
        assert info.value.code == code, f"{name}: {info.value.code} ({info.value.detail}), expected {code}"
        assert info.value.status == STATUS[code] and info.value.status in (400, 413, 422)
        assert info.value.as_json() == {"error": code, "detail": info.value.detail}
        count += 1
    assert count >= 1000, count
    assert canon(original) == pristine
    validate_body(original, key.public_key())


def test_re_encoded_batch_signature_refused(journal: list[dict[str, Any]], key: Ed25519PrivateKey) -> None:
    body = _body(key, journal[:4])
    raw = base64.b64decode(body["sig"])
    for sig in (base64.urlsafe_b64encode(raw).decode(), body["sig"].rstrip("="), body["sig"] + "\n",
                base64.encodebytes(raw).decode(), " " + body["sig"], raw.hex()):
        if sig != body["sig"]:
            _expect("bad_signature", {**body, "sig": sig}, key)


def test_float_anywhere_rejected(journal: list[dict[str, Any]], key: Ed25519PrivateKey) -> None:
    body = _body(key, journal[:3])
    paths: list[tuple[Any, ...]] = [("batch", "from_seq"), ("batch", "events", 1, "seq"),
                                     ("batch", "events", 2, "master_version"), ("batch", "events", 0, "schema_v")]
    for path in paths:
        _expect("float_not_allowed", _resign_unchecked(key, _set(path, 1.0)(copy.deepcopy(body))), key)
    for event in journal[:3]:
        body2 = copy.deepcopy(body)
        body2["batch"]["events"][event["seq"] - 1]["body"]["nested"] = [[{"q": -0.0}]]
        _expect("float_not_allowed", body2, key)
    with pytest.raises(ValueError):
        seal_event(seq=1, event_id=str(uuid.uuid4()), type="sale", schema_v=1, device_time=SENT_AT,
                   master_version=0, body={"total": 1.5}, prev_hash=GENESIS_HASH)


def test_check_functions_usable_separately(journal: list[dict[str, Any]], key: Ed25519PrivateKey) -> None:
    body = _body(key, journal[:5])
    batch = check_shape(body)
    check_chain(batch)
    bad = copy.deepcopy(batch)
    bad["events"][2]["body"]["x"] = 1
    with pytest.raises(ProtocolError, match="bad_hash"):
        check_chain(bad)


# --- receipts -----------------------------------------------------------------------------------------------


def test_receipt_round_trip_and_tampering(journal: list[dict[str, Any]]) -> None:
    server = generate_private_key()
    ack = build_ack(server, device_id=DEVICE_ID, acked_through=20, last_hash=journal[-1]["hash"],
                    server_time="2026-11-30T02:20:01.5+00:00", master_latest_version=3)
    receipt = verify_ack(public_key_b64(server), device_id=DEVICE_ID, ack=ack)
    assert receipt.acked_through == 20 and receipt.master_latest_version == 3
    assert ack["receipt_sig"] == sign_receipt(server, device_id=DEVICE_ID, acked_through=20,
                                              last_hash=journal[-1]["hash"], server_time=ack["server_time"])
    assert sign(server, receipt_payload(device_id=DEVICE_ID, acked_through=20, last_hash=journal[-1]["hash"],
                                        server_time=ack["server_time"])) == ack["receipt_sig"]
    raw = base64.b64decode(ack["receipt_sig"])
    bad_acks: list[tuple[str, dict[str, Any]]] = [
        (DEVICE_ID, {**ack, "acked_through": 21}),
        (DEVICE_ID, {**ack, "acked_through": 20.0}),
        (DEVICE_ID, {**ack, "acked_through": True}),
        (DEVICE_ID, {**ack, "last_hash": "0" * 64}),
        (DEVICE_ID, {**ack, "server_time": "2026-11-30T02:20:02+00:00"}),
        (DEVICE_ID, {**ack, "receipt_sig": ack["receipt_sig"].rstrip("=")}),
        (DEVICE_ID, {**ack, "receipt_sig": sign(generate_private_key(), {"x": 1})}),
        (DEVICE_ID, {k: v for k, v in ack.items() if k != "master_latest_version"}),
        (DEVICE_ID, {**ack, "extra": 1}),
        (OUTLET_ID, ack),  # another device's receipt
    ]
    urlsafe = base64.urlsafe_b64encode(raw).decode()
    if urlsafe != ack["receipt_sig"]:  # a signature without '+' or '/' reads the same in both alphabets
        bad_acks.append((DEVICE_ID, {**ack, "receipt_sig": urlsafe}))
    for device, bad in bad_acks:
        with pytest.raises(ProtocolError) as info:
            verify_ack(server.public_key(), device_id=device, ack=bad)
        assert info.value.code == "bad_receipt"
    # master_latest_version is outside the signature by the contract, so it can change without breaking it
    verify_ack(server.public_key(), device_id=DEVICE_ID, ack={**ack, "master_latest_version": 4})


def test_a_simulated_days_wire_batches_are_its_signed_batches_in_canonical_form() -> None:
    """`signed_wire` (each body's stored text joined, one pass) makes exactly the bytes of build_batch +
    sign_batch + canonical encoding, and the server's fast path reads them back."""
    from datetime import date, datetime, timezone

    from sync.client.transport import encode_body
    from sync.server.simulate import DayPlan, SimulatedDevice, load_catalog

    till = SimulatedDevice(seed=5, catalog=load_catalog())
    till.device_id, till.outlet_id = str(uuid.uuid4()), str(uuid.uuid4())
    till.simulate_day(date(2026, 11, 27), DayPlan(sales=60, refund_rate=0.05, stock_receipt=True,
                                                  lpg_delivery=True, stock_count=True))
    moment = datetime(2026, 11, 27, 12, tzinfo=timezone.utc)
    state = till.rng.getstate()
    wires = till.wire_batches(40, sent_at=moment)
    till.rng.setstate(state)  # the same batch ids again
    assert wires == [encode_body(body) for body in till.batches(40, sent_at=moment)]
    assert len(wires) > 1
    for wire in wires:
        parsed = parse_body(wire)
        assert type(parsed) is _Parsed
        assert validate_body(parsed, till.public_key).device_id == till.device_id
