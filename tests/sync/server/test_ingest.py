"""Journal upload ingest against a real database: exactly once, fork/gap answers, refusals store nothing."""

from __future__ import annotations

import gzip
import json
import threading
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select

from sync.protocol.batch import build_batch, sign_batch
from sync.protocol.canonical import GENESIS_HASH, canon, seal_event
from sync.protocol.keys import generate_private_key, public_key_b64, sign
from sync.protocol.receipts import verify_ack
from sync.server.clock import rfc3339
from sync.server.errors import ApiError
from sync.server.ingest import MAX_DECOMPRESSED, ingest_upload
from sync.server.store.schema import (
    device,
    flag,
    journal_event,
    master_item,
    master_version,
    outlet,
    sales_day,
    sales_product_day,
    upload_batch,
)
from sync.server.tokens import hash_secret, new_secret

NOW = datetime(2026, 11, 30, 2, 15, tzinfo=timezone.utc)  # 10:15 WITA
SERVER_KEY = generate_private_key()


@pytest.fixture
def engine(city_engine: Engine) -> Engine:
    """H4's migrated city database: a fresh SQLite file, then a fresh database on a real PostgreSQL."""
    return city_engine


class Device:
    """An enrolled outlet device with its own key and journal, producing real signed batches."""

    def __init__(self, engine: Engine, outlet_id: str | None = None) -> None:
        self.engine = engine
        self.key = generate_private_key()
        self.token = new_secret()
        self.id = str(uuid.uuid4())
        self.outlet_id = outlet_id or str(uuid.uuid4())
        self.journal: list[dict[str, Any]] = []
        self.clock = NOW - timedelta(hours=1)
        with engine.begin() as connection:
            if connection.execute(select(outlet.c.id).where(outlet.c.id == self.outlet_id)).first() is None:
                connection.execute(insert(outlet).values(
                    id=self.outlet_id, name="KKMP Uji", kelurahan_code="6472011001", created_at=rfc3339(NOW)))
            connection.execute(insert(device).values(
                id=self.id, outlet_id=self.outlet_id, name="Kasir 1", public_key=public_key_b64(self.key),
                token_hash=hash_secret(self.token), enrolled_at=rfc3339(NOW)))

    @property
    def auth(self) -> str:
        return f"Bearer {self.token}"

    def add(self, type: str, body: Mapping[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
        self.clock += timedelta(seconds=30)
        event = seal_event(
            seq=len(self.journal) + 1, event_id=event_id or str(uuid.uuid4()), type=type, schema_v=1,
            device_time=rfc3339(self.clock), master_version=0, body=body,
            prev_hash=self.journal[-1]["hash"] if self.journal else GENESIS_HASH)
        self.journal.append(event)
        return event

    def body(self, first: int = 1, last: int | None = None, *, batch_id: str | None = None) -> dict[str, Any]:
        events = self.journal[first - 1:last if last is not None else len(self.journal)]
        batch = build_batch(device_id=self.id, outlet_id=self.outlet_id, events=events,
                            batch_id=batch_id or str(uuid.uuid4()), sent_at=rfc3339(NOW))
        return sign_batch(self.key, batch)

    def upload(self, first: int = 1, last: int | None = None, *, raw: bytes | None = None,
               encoding: str | None = None, auth: str | None = None, device_id: str | None = None,
               batch_id: str | None = None) -> dict[str, Any]:
        if raw is None:
            raw = canon(self.body(first, last, batch_id=batch_id))
        return ingest_upload(self.engine, device_id=device_id or self.id, authorization=auth or self.auth,
                             raw_body=raw, content_encoding=encoding, server_key=SERVER_KEY, now=NOW)


def sale(total: int = 15700, *, sku: str = "MGR-MKT-1", qty: int = 1000, price: int | None = None,
         member: bool = False, method: str = "tunai", day: str = "2026-11-30", **line: Any) -> dict[str, Any]:
    price = total * 1000 // qty if price is None else price
    return {
        "sale_id": str(uuid.uuid4()), "outlet_id": "local", "receipt_no": "LPK-01-000001", "cashier_id": "c1",
        "member_id": "m1" if member else None, "member_no": None, "sold_at": rfc3339(NOW), "business_date": day,
        "shift_id": "s1", "subtotal": total, "discount_total": 0, "total": total, "approvals": [],
        "lines": [{"line_id": str(uuid.uuid4()), "line_no": 1, "sku": sku, "name": f"Barang {sku}",
                   "unit": "pcs", "qty_milli": qty, "unit_price": price, "list_price": price, "line_discount": 0,
                   "cart_discount_share": 0, "total": total, **line}],
        "payments": [{"payment_id": str(uuid.uuid4()), "method": method, "amount": total, "tendered": total,
                      "change": 0, "reference": None, "bank": None, "status": "ok"}],
    }


def stored(engine: Engine, device_id: str | None = None) -> list[int]:
    query = select(journal_event.c.seq).order_by(journal_event.c.seq)
    if device_id:
        query = query.where(journal_event.c.device_id == device_id)
    with engine.connect() as connection:
        return list(connection.execute(query).scalars())


def flags(engine: Engine, kind: str | None = None) -> list[dict[str, Any]]:
    query = select(flag).order_by(flag.c.id)
    if kind:
        query = query.where(flag.c.kind == kind)
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def refused(call: Any, status: int, code: str) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call()
    assert (caught.value.status, caught.value.code) == (status, code), caught.value
    return caught.value


# --- the happy path, replays and overlaps -----------------------------------------------------------------

def test_batch_is_stored_and_acknowledged_with_a_verifiable_receipt(engine: Engine) -> None:
    dev = Device(engine)
    for _ in range(3):
        dev.add("sale", sale())
    ack = dev.upload()
    receipt = verify_ack(public_key_b64(SERVER_KEY), device_id=dev.id, ack=ack)
    assert (receipt.acked_through, receipt.last_hash) == (3, dev.journal[-1]["hash"])
    assert receipt.server_time == rfc3339(NOW) and receipt.master_latest_version == 0
    assert stored(engine) == [1, 2, 3]
    with engine.connect() as connection:
        row = connection.execute(select(device).where(device.c.id == dev.id)).mappings().one()
        body = connection.execute(select(journal_event.c.body).where(journal_event.c.seq == 2)).scalar_one()
        batch = connection.execute(select(upload_batch)).mappings().one()
    assert (row["last_seq"], row["last_hash"], row["last_sync_at"]) == (3, dev.journal[-1]["hash"], rfc3339(NOW))
    assert row["last_device_time"] == dev.journal[-1]["device_time"]
    assert body == canon(dev.journal[1]["body"]).decode("utf-8")
    assert (batch["from_seq"], batch["to_seq"], batch["stored"]) == (1, 3, 3)


def test_same_batch_twice_is_stored_once(engine: Engine) -> None:
    dev = Device(engine)
    dev.add("sale", sale())
    dev.add("sale", sale())
    raw = canon(dev.body())
    first = dev.upload(raw=raw)
    again = dev.upload(raw=raw)
    assert first["acked_through"] == again["acked_through"] == 2
    assert again["last_hash"] == dev.journal[-1]["hash"]
    assert stored(engine) == [1, 2]
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(upload_batch)).scalar_one() == 1


def test_overlapping_batch_stores_only_the_new_events(engine: Engine) -> None:
    dev = Device(engine)
    for _ in range(5):
        dev.add("sale", sale())
    assert dev.upload(1, 3)["acked_through"] == 3
    assert dev.upload(2, 5)["acked_through"] == 5
    assert stored(engine) == [1, 2, 3, 4, 5]


def test_old_duplicates_only_batch_acks_the_latest_position(engine: Engine) -> None:
    dev = Device(engine)
    for _ in range(4):
        dev.add("sale", sale())
    dev.upload()
    ack = dev.upload(1, 2)
    assert (ack["acked_through"], ack["last_hash"]) == (4, dev.journal[-1]["hash"])


def test_master_latest_version_is_reported(engine: Engine) -> None:
    dev = Device(engine)
    dev.add("sale", sale())
    with engine.begin() as connection:
        for version in (1, 2):
            connection.execute(insert(master_version).values(version=version, published_at=rfc3339(NOW),
                                                             source="katalog.csv", items=1))
    assert dev.upload()["master_latest_version"] == 2


def test_reused_batch_id_with_other_events_still_stores_them(engine: Engine) -> None:
    dev = Device(engine)
    dev.add("sale", sale())
    dev.add("sale", sale())
    batch_id = str(uuid.uuid4())
    dev.upload(1, 1, batch_id=batch_id)
    assert dev.upload(2, 2, batch_id=batch_id)["acked_through"] == 2
    assert stored(engine) == [1, 2]


def test_gzip_body_is_accepted(engine: Engine) -> None:
    dev = Device(engine)
    for _ in range(20):
        dev.add("sale", sale())
    ack = dev.upload(raw=gzip.compress(canon(dev.body())), encoding="gzip")
    assert ack["acked_through"] == 20


def test_multi_member_gzip_is_whole_and_trailing_garbage_is_refused(engine: Engine) -> None:
    dev = Device(engine)
    dev.add("sale", sale())
    raw = canon(dev.body())
    members = gzip.compress(raw[:100]) + gzip.compress(raw[100:])
    refused(lambda: dev.upload(raw=members + b"junk", encoding="gzip"), 400, "bad_json")
    assert dev.upload(raw=members, encoding=" GZIP ")["acked_through"] == 1


# --- gap and fork --------------------------------------------------------------------------------------------

def test_gap_is_refused_with_the_expected_seq_and_flagged_once(engine: Engine) -> None:
    dev = Device(engine)
    for _ in range(6):
        dev.add("sale", sale())
    dev.upload(1, 2)
    error = refused(lambda: dev.upload(4, 6), 409, "gap")
    assert error.as_json()["expected_seq"] == 3
    refused(lambda: dev.upload(5, 6), 409, "gap")
    assert stored(engine) == [1, 2]
    gaps = flags(engine, "gap")
    assert len(gaps) == 1 and gaps[0]["device_id"] == dev.id and gaps[0]["seq"] == 3
    assert dev.upload(3, 6)["acked_through"] == 6  # the gap heals by resending from expected_seq
    assert flags(engine, "gap")[0]["resolved_at"] == rfc3339(NOW)  # …and its flag with it


def test_first_upload_must_start_at_seq_one(engine: Engine) -> None:
    dev = Device(engine)
    dev.add("sale", sale())
    dev.add("sale", sale())
    assert refused(lambda: dev.upload(2, 2), 409, "gap").as_json()["expected_seq"] == 1
    assert stored(engine) == []


def test_fork_is_refused_flagged_and_nothing_of_the_batch_is_stored(engine: Engine) -> None:
    dev = Device(engine)
    for _ in range(3):
        dev.add("sale", sale())
    dev.upload()
    # The outlet restores an old backup (2 events) and sells again: a different seq 3, then seq 4.
    dev.journal = dev.journal[:2]
    dev.add("sale", sale(9999))
    dev.add("sale", sale())
    error = refused(lambda: dev.upload(2, 4), 409, "fork")
    assert error.as_json() == {"error": "fork", "detail": error.detail, "seq": 3}
    refused(lambda: dev.upload(3, 4), 409, "fork")
    assert stored(engine) == [1, 2, 3]
    with engine.connect() as connection:
        row = connection.execute(select(device).where(device.c.id == dev.id)).mappings().one()
        hash3 = connection.execute(select(journal_event.c.hash).where(journal_event.c.seq == 3)).scalar_one()
    assert (row["forked_at_seq"], row["last_seq"]) == (3, 3)
    assert hash3 != dev.journal[2]["hash"]
    forks = flags(engine, "fork")
    assert len(forks) == 1 and forks[0]["seq"] == 3 and forks[0]["resolved_at"] is None


def test_after_a_fork_the_stored_chain_can_still_continue(engine: Engine) -> None:
    """No special state: a forked device is refused while it sends the conflicting seqs; events that link to
    the stored chain (e.g. after the outlet restored its newest data) are accepted as usual."""
    dev = Device(engine)
    for _ in range(3):
        dev.add("sale", sale())
    dev.upload()
    good = list(dev.journal)
    dev.journal = dev.journal[:2]
    dev.add("sale", sale(1))
    refused(lambda: dev.upload(3, 3), 409, "fork")
    dev.journal = good
    dev.add("sale", sale())
    assert dev.upload(2, 4)["acked_through"] == 4
    assert stored(engine) == [1, 2, 3, 4]


def test_concurrent_uploads_of_one_batch_store_it_once(engine: Engine) -> None:
    dev = Device(engine)
    for _ in range(50):
        dev.add("sale", sale())
    raw = canon(dev.body())
    results: list[Any] = []

    def upload() -> None:
        try:
            results.append(dev.upload(raw=raw)["acked_through"])
        except Exception as exc:  # reported below: a thread must not swallow the failure
            results.append(exc)

    threads = [threading.Thread(target=upload) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [50, 50, 50, 50]
    assert stored(engine) == list(range(1, 51))


def test_concurrent_devices_of_one_outlet_add_up(engine: Engine) -> None:
    devices = [Device(engine)]
    devices += [Device(engine, outlet_id=devices[0].outlet_id) for _ in range(3)]
    for dev in devices:
        for index in range(30):
            dev.add("sale", sale(1000, sku=f"SKU-{(index * 7) % 11}"))
    results: list[Any] = []

    def upload(dev: Device) -> None:
        try:
            for first in range(1, 31, 10):
                results.append(dev.upload(first, first + 9)["acked_through"])
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=upload, args=(dev,)) for dev in devices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [10] * 4 + [20] * 4 + [30] * 4
    with engine.connect() as connection:
        count, total = connection.execute(select(sales_day.c.sales_count, sales_day.c.sales_total)).one()
        lines = connection.execute(select(func.sum(sales_product_day.c.lines))).scalar_one()
    assert (count, total, lines) == (120, 120_000, 120)


# --- refusals: who is calling, and what they send ------------------------------------------------------------

def test_unknown_or_missing_token_is_401_and_stores_nothing(engine: Engine) -> None:
    dev = Device(engine)
    dev.add("sale", sale())
    refused(lambda: dev.upload(auth="Bearer not-a-token"), 401, "unauthorized")
    refused(lambda: ingest_upload(engine, device_id=dev.id, authorization=None, raw_body=canon(dev.body()),
                                  content_encoding=None, server_key=SERVER_KEY, now=NOW), 401, "unauthorized")
    assert stored(engine) == []


def test_revoked_device_is_403(engine: Engine) -> None:
    dev = Device(engine)
    dev.add("sale", sale())
    with engine.begin() as connection:
        connection.execute(device.update().where(device.c.id == dev.id).values(status="revoked"))
    refused(lambda: dev.upload(), 403, "forbidden")
    assert stored(engine) == []


def test_another_devices_token_url_or_batch_is_403(engine: Engine) -> None:
    dev = Device(engine)
    other = Device(engine, outlet_id=dev.outlet_id)
    dev.add("sale", sale())
    refused(lambda: dev.upload(auth=other.auth), 403, "forbidden")  # URL of dev, token of other
    # other's token and URL, but dev's signed batch (its device_id): signature by the wrong key → 400.
    refused(lambda: other.upload(raw=canon(dev.body())), 400, "bad_signature")
    # A batch naming another device, properly signed by the caller.
    batch = build_batch(device_id=dev.id, outlet_id=dev.outlet_id, events=dev.journal,
                        batch_id=str(uuid.uuid4()), sent_at=rfc3339(NOW))
    refused(lambda: other.upload(raw=canon(sign_batch(other.key, batch))), 403, "forbidden")
    foreign = Device(engine)
    batch = build_batch(device_id=other.id, outlet_id=foreign.outlet_id, events=dev.journal,
                        batch_id=str(uuid.uuid4()), sent_at=rfc3339(NOW))
    refused(lambda: other.upload(raw=canon(sign_batch(other.key, batch))), 403, "forbidden")
    assert stored(engine) == []


def test_bad_signature_hash_and_chain_are_400(engine: Engine) -> None:
    dev = Device(engine)
    for _ in range(3):
        dev.add("sale", sale())
    body = dev.body()
    sig = body["sig"]
    body["sig"] = ("B" if sig[0] != "B" else "C") + sig[1:]  # other signature bytes, still strict base64
    refused(lambda: dev.upload(raw=canon(body)), 400, "bad_signature")
    tampered = json.loads(canon(dev.body()["batch"]))
    tampered["events"][1]["body"]["total"] = 1  # the device key signs it, but the hash no longer matches
    refused(lambda: dev.upload(raw=canon(sign_batch(dev.key, tampered))), 400, "bad_hash")
    skipping = json.loads(canon(dev.body()["batch"]))
    del skipping["events"][1]
    refused(lambda: dev.upload(raw=canon(sign_batch(dev.key, skipping))), 400, "bad_chain")
    assert stored(engine) == []


def test_a_canonical_batch_checked_while_it_is_copied_is_answered_by_its_first_failed_check(engine: Engine) -> None:
    """Canonical batches are checked while PostgreSQL copies their rows: values the database cannot even store
    (a NUL, a seq that is no number) or a batch that also leaves a gap are still answered by the check that
    fails first in SYNC_PROTOCOL.md's order, and nothing of them, no flag either, is kept."""
    dev = Device(engine)
    for _ in range(3):
        dev.add("sale", sale())
    dev.upload(1, 1)

    def signed_as_is(events: list[dict[str, Any]]) -> bytes:
        batch = {"device_id": dev.id, "outlet_id": dev.outlet_id, "batch_id": str(uuid.uuid4()),
                 "from_seq": events[0]["seq"], "prev_hash": events[0]["prev_hash"], "sent_at": rfc3339(NOW),
                 "events": events}
        return canon({"batch": batch, "sig": sign(dev.key, batch)})

    rest = json.loads(canon(dev.journal[1:]))
    with_nul = json.loads(canon(rest))
    with_nul[1]["type"] = "sale\x00"
    refused(lambda: dev.upload(raw=signed_as_is(with_nul)), 400, "bad_hash")  # the hash covers the type
    not_a_number = json.loads(canon(rest))
    not_a_number[1]["seq"] = "tiga"
    refused(lambda: dev.upload(raw=signed_as_is(not_a_number)), 422, "bad_shape")
    gap_and_bad_hash = json.loads(canon(rest[1:]))  # starts at seq 3 where 2 is due, and is tampered
    gap_and_bad_hash[0]["body"]["total"] = 1
    refused(lambda: dev.upload(raw=signed_as_is(gap_and_bad_hash)), 400, "bad_hash")
    assert stored(engine, dev.id) == [1] and flags(engine, "gap") == []
    assert dev.upload(raw=signed_as_is(rest))["acked_through"] == 3  # the untouched events still go in


@pytest.mark.parametrize(("raw", "encoding", "status", "code"), [
    (b"", None, 400, "bad_json"),
    (b"{not json", None, 400, "bad_json"),
    (b'{"batch": 1, "batch": 2}', None, 400, "bad_json"),
    (b"[]", None, 422, "bad_shape"),
    (b"{}", "br", 415, "unsupported_encoding"),
    (b"not gzip at all", "gzip", 400, "bad_json"),
    (gzip.compress(b'{"batch": 1}')[:-6], "gzip", 400, "bad_json"),
    (b"x" * (1 << 20 | 1), None, 413, "too_large"),
])
def test_malformed_bodies_are_4xx(engine: Engine, raw: bytes, encoding: str | None, status: int,
                                  code: str) -> None:
    dev = Device(engine)
    refused(lambda: dev.upload(raw=raw, encoding=encoding), status, code)
    assert stored(engine) == []


def test_gzip_bomb_is_413_without_inflating_it_all(engine: Engine) -> None:
    dev = Device(engine)
    bomb = gzip.compress(b"[" + b" " * (MAX_DECOMPRESSED + 10) + b"]", compresslevel=9)
    assert len(bomb) < 1 << 20
    refused(lambda: dev.upload(raw=bomb, encoding="gzip"), 413, "too_large")


def test_duplicate_event_id_across_devices_is_refused(engine: Engine) -> None:
    first = Device(engine)
    second = Device(engine, outlet_id=first.outlet_id)
    shared = str(uuid.uuid4())
    first.add("sale", sale(), event_id=shared)
    first.upload()
    second.add("sale", sale())
    second.add("sale", sale(), event_id=shared)
    refused(lambda: second.upload(), 409, "duplicate_event_id")
    assert stored(engine, second.id) == []
    assert stored(engine, first.id) == [1]


# --- unknown types and effects through the full path --------------------------------------------------------

def test_unknown_type_is_stored_and_flagged(engine: Engine) -> None:
    dev = Device(engine)
    dev.add("sale", sale())
    dev.add("barter_ayam", {"ekor": 2})
    assert dev.upload()["acked_through"] == 2
    assert stored(engine) == [1, 2]
    unknown = flags(engine, "unknown_type")
    assert len(unknown) == 1 and unknown[0]["seq"] == 2 and "barter_ayam" in unknown[0]["detail"]


def test_price_above_het_is_stored_and_flagged(engine: Engine) -> None:
    dev = Device(engine)
    with engine.begin() as connection:
        connection.execute(insert(master_version).values(version=1, published_at=rfc3339(NOW), source="het.csv",
                                                         items=1))
        connection.execute(insert(master_item).values(kind="ceiling", key="MGR-MKT-1|HET|2024-08-01", version=1,
                                                      payload=json.dumps({
                                                          "sku": "MGR-MKT-1", "kind": "HET", "amount": "15700",
                                                          "source": "Permendag", "region": "Nasional",
                                                          "effective_from": "2024-08-01"})))
    dev.add("sale", sale(15700))
    dev.add("sale", sale(16500))
    dev.upload()
    het = flags(engine, "price_above_het")
    assert [f["seq"] for f in het] == [2]
    assert "Rp16.500" in het[0]["detail"] and "Rp15.700" in het[0]["detail"]


def test_a_restored_till_enrolled_again_continues_its_old_device_without_counting_twice(engine: Engine) -> None:
    old = Device(engine)
    for _ in range(10):
        old.add("sale", sale(10_000))
    old.upload()
    # The till is restored from a backup taken at seq 6 and enrolled again: a new device, same outlet, whose
    # journal starts with the six events the city already holds, then sells on.
    new = Device(engine, outlet_id=old.outlet_id)
    new.journal = [dict(event) for event in old.journal[:6]]
    new.clock = old.clock
    for _ in range(3):
        new.add("sale", sale(20_000))
    ack = new.upload(1, 7)  # the carried events and the first own one in one batch
    assert ack["acked_through"] == 7
    ack = new.upload(5)  # overlapping the carried part again: duplicates, then the rest
    assert ack["acked_through"] == 9 and ack["last_hash"] == new.journal[-1]["hash"]
    assert stored(engine, old.id) == list(range(1, 11))
    assert stored(engine, new.id) == [7, 8, 9]  # nothing of the old device stored twice
    with engine.connect() as connection:
        day = connection.execute(select(sales_day.c.sales_count, sales_day.c.sales_total)).one()
        position = connection.execute(select(device.c.inherited_seq, device.c.inherited_from)
                                      .where(device.c.id == new.id)).one()
    assert tuple(day) == (13, 10 * 10_000 + 3 * 20_000)
    assert tuple(position) == (6, old.id)
    [restored] = flags(engine, "restored")
    assert restored["device_id"] == new.id and restored["seq"] == 6 and "4 peristiwa" in restored["detail"]
    from sync.server.verify import verify_outlet

    assert verify_outlet(engine, old.outlet_id)["ok"]
    with engine.begin() as connection:  # the carried link is part of the new device's chain
        connection.execute(journal_event.update().where(journal_event.c.device_id == old.id,
                                                        journal_event.c.seq == 6).values(hash="f" * 64))
    report = verify_outlet(engine, old.outlet_id)
    assert {item["device_id"]: item["first_bad_seq"] for item in report["devices"]} == {old.id: 6, new.id: 6}


def test_events_of_another_outlets_device_are_never_carried(engine: Engine) -> None:
    other = Device(engine)
    for _ in range(3):
        other.add("sale", sale())
    other.upload()
    copycat = Device(engine)  # another outlet: the same events are not its history
    copycat.journal = [dict(event) for event in other.journal]
    refused(lambda: copycat.upload(), 409, "duplicate_event_id")
    assert stored(engine, copycat.id) == [] and flags(engine, "restored") == []
