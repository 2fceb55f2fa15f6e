"""Contract: journal upload — signed receipts that verify, rows stored byte-exact, duplicates, gap and fork."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from sync.client.errors import Fork, Gap
from sync.protocol.canonical import event_hash
from sync.protocol.receipts import verify_ack
from sync.server.store.schema import device, flag, journal_event
from tests.sync.contract.conftest import City
from tests.sync.helpers.devices import Till, enrol_till


def stored_events(city: City, till: Till) -> list[dict[str, object]]:
    """The device's rows turned back into protocol events, in seq order."""
    with city.engine.connect() as connection:
        rows = connection.execute(select(journal_event).where(journal_event.c.device_id == till.device_id)
                                  .order_by(journal_event.c.seq)).mappings().all()
    return [{"seq": r["seq"], "event_id": r["event_id"], "type": r["type"], "schema_v": r["schema_v"],
             "device_time": r["device_time"], "master_version": r["master_version"], "body": json.loads(r["body"]),
             "prev_hash": r["prev_hash"], "hash": r["hash"]} for r in rows]


def test_upload_is_acknowledged_with_a_receipt_that_verifies(city: City) -> None:
    till = enrol_till(city.engine)
    till.sell(12)
    with city.client(till.token) as client:
        server_key = client.server_key()["public_key"]
        assert server_key == till.server_public_key
        first = client.upload(till.device_id, till.body(1, 5))
        receipt = verify_ack(server_key, device_id=till.device_id, ack=first)
        assert (receipt.acked_through, receipt.last_hash) == (5, till.events[4]["hash"])
        assert receipt.server_time.endswith("Z")
        assert receipt.master_latest_version >= 0
        second = verify_ack(server_key, device_id=till.device_id, ack=client.upload(till.device_id, till.body(6, 12)))
    assert (second.acked_through, second.last_hash) == (12, till.events[-1]["hash"])
    # Stored exactly as sent: every row re-hashes to its event's hash and the chain verifies from genesis.
    stored = stored_events(city, till)
    assert stored == till.events
    assert all(event_hash(event) == event["hash"] for event in stored)
    with city.engine.connect() as connection:
        position = connection.execute(select(device.c.last_seq, device.c.last_hash)
                                      .where(device.c.id == till.device_id)).one()
    assert tuple(position) == (12, till.events[-1]["hash"])


def test_a_receipt_for_another_device_does_not_verify(city: City) -> None:
    till, other = enrol_till(city.engine, seed=1), enrol_till(city.engine, seed=2)
    till.sell(1)
    with city.client(till.token) as client:
        ack = client.upload(till.device_id, till.body(1, 1))
    from sync.protocol.errors import ProtocolError

    with pytest.raises(ProtocolError) as refused:
        verify_ack(till.server_public_key, device_id=other.device_id, ack=ack)
    assert refused.value.code == "bad_receipt"
    tampered = dict(ack, acked_through=ack["acked_through"] + 1)
    with pytest.raises(ProtocolError):
        verify_ack(till.server_public_key, device_id=till.device_id, ack=tampered)


def test_an_uncompressed_body_is_accepted_too(city: City) -> None:
    till = enrol_till(city.engine)
    till.sell(3)
    session = city.session()
    answer = session.post(f"{city.base_url}/v1/devices/{till.device_id}/journal", json=till.body(1, 3),
                          headers={"Authorization": f"Bearer {till.token}"}, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert verify_ack(till.server_public_key, device_id=till.device_id, ack=answer.json()).acked_through == 3


def test_duplicates_gap_and_fork_reach_the_client_as_typed_answers(city: City) -> None:
    till = enrol_till(city.engine)
    till.sell(10)
    with city.client(till.token) as client:
        client.upload(till.device_id, till.body(1, 6))
        # The same events again (a lost acknowledgement): 200, nothing new stored.
        again = client.upload(till.device_id, till.body(1, 6))
        assert again["acked_through"] == 6
        with pytest.raises(Gap) as gap:
            client.upload(till.device_id, till.body(8, 10))
        assert gap.value.expected_seq == 7
        assert client.upload(till.device_id, till.body(7, 10))["acked_through"] == 10
        # The till's database restored from a backup taken at seq 4, then selling again: a different seq 5.
        restored = [dict(event) for event in till.events[:4]]
        till.sell(2, chain=restored)
        with pytest.raises(Fork) as fork:
            client.upload(till.device_id, till.body(5, 6, events=restored))
        assert fork.value.seq == 5
    assert stored_events(city, till) == till.events
    with city.engine.connect() as connection:
        kinds = connection.execute(select(flag.c.kind, flag.c.seq).where(flag.c.device_id == till.device_id)
                                   .order_by(flag.c.id)).all()
        count = connection.execute(select(func.count()).select_from(journal_event)
                                   .where(journal_event.c.device_id == till.device_id)).scalar_one()
    assert ("fork", 5) in [tuple(k) for k in kinds]
    assert ("gap", 7) in [tuple(k) for k in kinds]
    assert count == 10
