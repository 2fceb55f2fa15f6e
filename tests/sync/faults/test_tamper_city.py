"""1,000 seeded tamper edits of the city's copy of an outlet: `verify_outlet` names the device and first bad seq.

Three simulated tills of one outlet upload two business days each (sales, refunds, receipts, counts, Z) through
the real `ingest_upload`, into SQLite and into the real PostgreSQL. Each edit is then committed with plain SQL
to the stored `journal_event` rows, exactly as someone with database access would; the real
`verify_outlet(engine, outlet_id)` reads them through the real engine; the device's rows are then put back
from a saved copy (a committed restore, not a rollback, so verification never shares the edit's connection).

The device row (`last_seq`, `last_hash`: what the city signed in its last acknowledgement) is not edited: so
here, unlike at the outlet, deleting the tail or appending a well-linked forged event is caught too. A chain
re-hashed from seq k to the end is caught only at last_seq + 1 (its end no longer matches the signed position);
`test_a_rechained_tail_is_caught_at_the_signed_position` pins that down.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, delete, event, insert, select, text

from sync.protocol.canonical import GENESIS_HASH, canon, event_hash
from sync.server import enrolment
from sync.server.ingest import ingest_upload
from sync.server.server_key import load_or_create_server_key
from sync.server.simulate import DayPlan, SimulatedDevice, gzip_body
from sync.server.store.schema import journal_event
from sync.server.verify import verify_outlet
from tests.sync.helpers.tamper import changed_body

EDITS = 1_000
DAYS = (date(2026, 11, 27), date(2026, 11, 28))
PLAN = DayPlan(sales=22, refund_rate=0.1, stock_receipt=True, stock_count=True)
KINDS = ("amount", "type", "device_time", "master_version", "schema_v", "event_id", "hash", "prev_hash",
         "body_float", "body_not_json", "delete", "delete_range", "delete_tail", "swap", "move",
         "forge_wrong_link", "forge_linked", "append_wrong_link", "append_linked")


@dataclass
class Stored:
    outlet_id: str
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Every device's stored rows (all columns) in seq order, as uploaded."""


def _upload_outlet(engine: Engine) -> Stored:
    created = enrolment.create_outlet(engine, name="KKMP Lempake", kelurahan_code="64.72.05.1003",
                                      kelurahan="Lempake", kecamatan="Samarinda Utara", lpg3_allocation=500)
    server_key = load_or_create_server_key(engine)
    stored = Stored(outlet_id=created["outlet_id"])
    code = created["enrolment_code"]
    for n in range(3):
        till = SimulatedDevice(seed=880 + n, name=f"Kasir {n + 1}")
        if n:
            code = enrolment.new_enrolment_code(engine, stored.outlet_id)["enrolment_code"]
        till.enroll_local(engine, code, server_key)
        for day in DAYS:
            till.simulate_day(day, PLAN)
        for body in till.batches(max_events=40):
            ack = ingest_upload(engine, device_id=till.device_id or "", authorization=till.authorization,
                                raw_body=gzip_body(body), content_encoding="gzip", server_key=server_key,
                                now=datetime(2026, 11, 28, 14, 0, tzinfo=timezone.utc))
            till.acknowledge(ack["acked_through"])
        assert till.pending == []
        stored.rows[till.device_id or ""] = _device_rows(engine, till.device_id or "")
    return stored


def _device_rows(engine: Engine, device_id: str) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(
            select(journal_event).where(journal_event.c.device_id == device_id).order_by(journal_event.c.seq)
        ).mappings()]


def _restore(engine: Engine, device_id: str, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as connection:
        connection.execute(delete(journal_event).where(journal_event.c.device_id == device_id))
        connection.execute(insert(journal_event), rows)


@dataclass(frozen=True)
class Edit:
    kind: str
    statements: list[tuple[str, dict[str, Any]]]
    first_bad: int


def _forged(rows: list[dict[str, Any]], seq: int, prev_hash: str, rng: random.Random) -> dict[str, Any]:
    template = rows[rng.randrange(len(rows))]
    event = {name: template[name] for name in ("type", "schema_v", "device_time", "master_version")}
    event |= {"seq": seq, "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
              "body": json.loads(template["body"]), "prev_hash": prev_hash}
    event["hash"] = event_hash(event)
    return {**template, **event, "body": canon(event["body"]).decode()}


_COLUMNS = [column.name for column in journal_event.columns]
_INSERT = (f"INSERT INTO journal_event ({', '.join(_COLUMNS)}) "
           f"VALUES ({', '.join(':' + name for name in _COLUMNS)})")


def _set(device_id: str, seq: int, column: str, value: Any) -> tuple[str, dict[str, Any]]:
    return (f"UPDATE journal_event SET {column} = :value WHERE device_id = :device AND seq = :seq",
            {"value": value, "device": device_id, "seq": seq})


def _shift(device_id: str, from_seq: int) -> list[tuple[str, dict[str, Any]]]:
    """Rows from `from_seq` on moved one seq up, through negatives (the key is checked row by row)."""
    where = {"device": device_id, "seq": from_seq}
    return [("UPDATE journal_event SET seq = -(seq + 1) WHERE device_id = :device AND seq >= :seq", where),
            ("UPDATE journal_event SET seq = -seq WHERE device_id = :device AND seq < 0", {"device": device_id})]


def make_edit(device_id: str, rows: list[dict[str, Any]], rng: random.Random) -> Edit:  # noqa: C901
    """One random edit of a device's stored rows and the first seq verification must name."""
    last = len(rows)
    k = rng.randint(1, last)
    row = rows[k - 1]
    kind = rng.choice(KINDS)
    if kind == "amount":
        return Edit(kind, [_set(device_id, k, "body", changed_body(row["body"], rng))], k)
    if kind == "type":
        other = rng.choice([t for t in ("sale", "refund", "void", "stock_count") if t != row["type"]])
        return Edit(kind, [_set(device_id, k, "type", other)], k)
    if kind == "device_time":
        return Edit(kind, [_set(device_id, k, "device_time", "2026-11-26T23:00:00.000+08:00")], k)
    if kind in ("master_version", "schema_v"):
        return Edit(kind, [_set(device_id, k, kind, row[kind] + rng.choice((1, 2, 7)))], k)
    if kind == "event_id":
        return Edit(kind, [_set(device_id, k, "event_id", str(uuid.UUID(int=rng.getrandbits(128), version=4)))],
                    k)
    if kind == "hash":
        flipped = row["hash"][:-1] + ("0" if row["hash"][-1] != "0" else "1")
        return Edit(kind, [_set(device_id, k, "hash", flipped)], k)
    if kind == "prev_hash":
        return Edit(kind, [_set(device_id, k, "prev_hash", f"{rng.getrandbits(256):064x}")], k)
    if kind == "body_float":  # 100 -> 100.5: floats are refused anywhere in an event
        body = row["body"]
        ends = [i + 1 for i, ch in enumerate(body) if ch.isdigit() and not body[i + 1].isdigit()
                and body[body.rindex(":", 0, i + 1) + 1:i + 1].lstrip("-").isdigit()]
        text_body = (body[:(at := rng.choice(ends))] + ".5" + body[at:]) if ends else body[:-1] + ',"zz":0.5}'
        return Edit(kind, [_set(device_id, k, "body", text_body)], k)
    if kind == "body_not_json":
        return Edit(kind, [_set(device_id, k, "body", row["body"][: rng.randint(0, len(row["body"]) - 1)])], k)
    if kind in ("delete", "delete_range", "delete_tail"):
        end = {"delete": k, "delete_range": rng.randint(k, last), "delete_tail": last}[kind]
        return Edit(kind, [("DELETE FROM journal_event WHERE device_id = :device AND seq BETWEEN :a AND :b",
                            {"device": device_id, "a": k, "b": end})], k)
    if kind == "swap":
        a, b = sorted(rng.sample(range(1, last + 1), 2))
        return Edit(kind, [_set(device_id, a, "seq", -1), _set(device_id, b, "seq", a),
                           _set(device_id, -1, "seq", b)], a)
    if kind == "move":
        return Edit(kind, [_set(device_id, k, "seq", last + rng.randint(1, 5))], k)
    if kind == "forge_wrong_link":
        forged = _forged(rows, k, f"{rng.getrandbits(256):064x}", rng)
        return Edit(kind, [*_shift(device_id, k), (_INSERT, forged)], k)
    if kind == "forge_linked":
        forged = _forged(rows, k, rows[k - 2]["hash"] if k > 1 else GENESIS_HASH, rng)
        return Edit(kind, [*_shift(device_id, k), (_INSERT, forged)], k + 1)
    link = f"{rng.getrandbits(256):064x}" if kind == "append_wrong_link" else rows[-1]["hash"]
    return Edit(kind, [(_INSERT, _forged(rows, last + 1, link, rng))], last + 1)


def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous=OFF")


@pytest.fixture
def outlet(city_engine: Engine) -> Stored:
    """The uploaded outlet; on SQLite without fsync per commit (as the test PostgreSQL runs): 3,000 commits."""
    if city_engine.dialect.name == "sqlite":
        event.listen(city_engine, "connect", _no_fsync)
        city_engine.dispose()  # pooled connections made before the listener get it too
    return _upload_outlet(city_engine)


def test_a_thousand_city_tamper_edits_name_the_device_and_first_bad_seq(city_engine: Engine,
                                                                        outlet: Stored) -> None:
    devices = list(outlet.rows)
    assert len(devices) == 3 and all(len(rows) >= 50 for rows in outlet.rows.values())
    assert verify_outlet(city_engine, outlet.outlet_id)["ok"]
    rng = random.Random(8_2026)
    kinds: dict[str, int] = {}
    wrong: list[tuple[int, str, str, int, Any]] = []
    for n in range(EDITS):
        target = rng.choice(devices)
        edit = make_edit(target, outlet.rows[target], rng)
        with city_engine.begin() as connection:
            for statement, params in edit.statements:
                connection.execute(text(statement), params)
        report = verify_outlet(city_engine, outlet.outlet_id)
        _restore(city_engine, target, outlet.rows[target])
        bad = {item["device_id"]: item["first_bad_seq"] for item in report["devices"] if not item["ok"]}
        kinds[edit.kind] = kinds.get(edit.kind, 0) + 1
        if report["ok"] or bad != {target: edit.first_bad}:
            wrong.append((n, edit.kind, target, edit.first_bad, bad))
    assert not wrong, wrong[:10]
    assert set(kinds) == set(KINDS) and min(kinds.values()) >= 25, kinds
    assert verify_outlet(city_engine, outlet.outlet_id)["ok"]  # every device put back exactly
    assert {d: _device_rows(city_engine, d) for d in devices} == outlet.rows


def test_a_rechained_tail_is_caught_at_the_signed_position(city_engine: Engine, outlet: Stored) -> None:
    """Re-hashing every event from seq k on makes a valid chain; only the device's signed position (last_seq,
    last_hash) betrays it, so the report names last_seq + 1 rather than k. The Z reports narrow it further."""
    target, rows = next(iter(outlet.rows.items()))
    k = len(rows) // 2
    prev = rows[k - 2]["hash"]
    with city_engine.begin() as connection:
        for row in rows[k - 1:]:
            body = json.loads(changed_body(row["body"], random.Random(row["seq"])))
            event = {name: row[name] for name in ("seq", "event_id", "type", "schema_v", "device_time",
                                                  "master_version")}
            event |= {"body": body, "prev_hash": prev}
            event["hash"] = prev = event_hash(event)
            connection.execute(text("UPDATE journal_event SET body = :b, prev_hash = :p, hash = :h "
                                    "WHERE device_id = :d AND seq = :s"),
                               {"b": canon(body).decode(), "p": event["prev_hash"], "h": event["hash"],
                                "d": target, "s": row["seq"]})
    report = verify_outlet(city_engine, outlet.outlet_id)
    assert [(d["device_id"], d["first_bad_seq"]) for d in report["devices"] if not d["ok"]] == [
        (target, len(rows) + 1)]
