"""Replayed, reordered and dropped batches heal; a restored old outlet database selling again is a refused fork."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select

from sync.client.errors import Fork, Gap
from sync.client.transport import CityClient
from sync.protocol.receipts import verify_ack
from sync.server.store.schema import flag
from tests.sync.helpers.db import device_position, stored_chain, write_fingerprint
from tests.sync.helpers.devices import Till, enrol_till


@pytest.fixture
def till(city_engine: Engine) -> Till:
    made = enrol_till(city_engine, seed=300)
    made.sell(40)
    return made


@pytest.fixture
def client(live_server: str, till: Till) -> Iterator[CityClient]:
    with CityClient(live_server, token=till.token, max_attempts=1) as made:
        yield made


def chain_of(till: Till, upto: int) -> list[tuple[int, str]]:
    return [(e["seq"], e["hash"]) for e in till.events[:upto]]


def flags(engine: Engine, device_id: str) -> list[tuple[str, int]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(flag.c.kind, flag.c.seq).where(flag.c.device_id == device_id).order_by(flag.c.id))]


def test_replayed_and_reordered_batches(city_engine: Engine, till: Till, client: CityClient) -> None:
    first, second, third = till.body(1, 5), till.body(6, 10), till.body(11, 15)
    assert client.upload(till.device_id, first)["acked_through"] == 5
    assert client.upload(till.device_id, second)["acked_through"] == 10
    # Replays of old batches, in any order, even after newer ones: 200 duplicates, receipts still valid.
    for replay in (first, second, first):
        answer = client.upload(till.device_id, replay)
        receipt = verify_ack(till.server_public_key, device_id=till.device_id, ack=answer)
        assert (receipt.acked_through, receipt.last_hash) == (10, till.events[9]["hash"])
    before = write_fingerprint(city_engine)
    # A batch overtaking one still in flight: 409 gap, nothing stored, a gap flag.
    ahead = till.body(16, 20)
    with pytest.raises(Gap) as gap:
        client.upload(till.device_id, ahead)
    assert gap.value.expected_seq == 11
    after = write_fingerprint(city_engine)
    assert after["journal_event"] == before["journal_event"]
    assert after["upload_batch"] == before["upload_batch"]
    assert ("gap", 11) in flags(city_engine, till.device_id)
    # The late batch arrives, then the overtaking one is resent and accepted.
    assert client.upload(till.device_id, third)["acked_through"] == 15
    assert client.upload(till.device_id, ahead)["acked_through"] == 20
    # A batch that overlaps what is stored: the known part is skipped, the rest stored.
    assert client.upload(till.device_id, till.body(18, 24))["acked_through"] == 24
    assert stored_chain(city_engine, till.device_id) == chain_of(till, 24)


def test_a_dropped_batch_leaves_a_gap_that_heals_by_resending_from_expected_seq(
        city_engine: Engine, till: Till, client: CityClient) -> None:
    assert client.upload(till.device_id, till.body(1, 10))["acked_through"] == 10
    till.body(11, 20)  # made and lost on the way: never reaches the server
    with pytest.raises(Gap) as gap:
        client.upload(till.device_id, till.body(21, 30))
    assert stored_chain(city_engine, till.device_id) == chain_of(till, 10)
    # What the outlet's sync does on a gap: resend everything from expected_seq.
    resend = till.body(gap.value.expected_seq, 30)
    assert client.upload(till.device_id, resend)["acked_through"] == 30
    assert stored_chain(city_engine, till.device_id) == chain_of(till, 30)
    # A second refused gap on the same device adds no second open gap flag.
    with pytest.raises(Gap):
        client.upload(till.device_id, till.body(35, 40))
    assert flags(city_engine, till.device_id).count(("gap", 11)) == 1


def test_a_restored_old_database_selling_again_is_a_refused_and_flagged_fork(
        city_engine: Engine, till: Till, client: CityClient) -> None:
    assert client.upload(till.device_id, till.body(1, 20))["acked_through"] == 20
    # The outlet's disk died; its database came back from a backup taken after seq 12 and it sold on.
    restored = [dict(event) for event in till.events[:12]]
    till.sell(10, chain=restored)
    assert restored[12]["hash"] != till.events[12]["hash"]
    before = write_fingerprint(city_engine)
    for start, end in ((13, 22), (1, 22), (10, 15), (21, 22)):
        # Whatever the restored till sends — from its own next seq, from the start, across the split, or
        # only beyond what the server holds — it never lands: the fork is found or the chain does not link.
        with pytest.raises((Fork, Gap)) as refused:
            client.upload(till.device_id, till.body(start, end, events=restored))
        if start <= 20:
            assert isinstance(refused.value, Fork)
            assert refused.value.seq == 13
    after = write_fingerprint(city_engine)
    assert after["journal_event"] == before["journal_event"]
    assert stored_chain(city_engine, till.device_id) == chain_of(till, 20)
    assert ("fork", 13) in flags(city_engine, till.device_id)
    assert device_position(city_engine, till.device_id) == (20, till.events[19]["hash"], 13)
    # The genuine chain is still accepted, as duplicates: the server kept the first history it was given.
    assert client.upload(till.device_id, till.body(11, 20))["acked_through"] == 20
