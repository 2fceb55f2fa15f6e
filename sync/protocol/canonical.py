"""Canonical JSON and the journal hash chain, exactly as SYNC_PROTOCOL.md defines them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

GENESIS_HASH = "0" * 64
"""`prev_hash` of a device's first event."""

EVENT_FIELDS = frozenset(
    {"seq", "event_id", "type", "schema_v", "device_time", "master_version", "body", "prev_hash", "hash"}
)


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
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


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
