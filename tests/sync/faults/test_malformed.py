"""1,000+ malformed or re-signed batches through the real server: every answer a 4xx JSON error, nothing stored."""

from __future__ import annotations

from collections import Counter

import requests
from sqlalchemy import Engine

from sync.protocol.keys import generate_private_key
from sync.protocol.receipts import verify_ack
from tests.sync.faults.malformed import MUTATION_WEIGHTS, Generator, Material
from tests.sync.helpers.db import stored_chain, write_fingerprint
from tests.sync.helpers.devices import enrol_till

CASES = 1_050


def test_malformed_batches_get_4xx_and_store_nothing(city_engine: Engine, live_server: str) -> None:
    till = enrol_till(city_engine, seed=500)
    stranger = enrol_till(city_engine, seed=501)
    till.sell(6)
    url = f"{live_server}/v1/devices/{till.device_id}/journal"
    auth = {"Authorization": f"Bearer {till.token}", "Content-Type": "application/json"}
    with requests.Session() as session:
        first = session.post(url, json=till.body(1, 3), headers=auth, timeout=30)
        assert first.status_code == 200
        pristine = till.body(4, 6)
        material = Material(till=till, pristine=pristine, other_key=generate_private_key(),
                            other_device_id=stranger.device_id, other_outlet_id=stranger.outlet_id,
                            stored_event_id=till.events[0]["event_id"])
        cases = Generator(material, seed=20261130).cases(CASES)
        before = write_fingerprint(city_engine)
        statuses: Counter[int] = Counter()
        kinds: Counter[str] = Counter()
        for case in cases:
            answer = session.post(url, data=case.raw, headers={**auth, **case.headers}, timeout=60)
            statuses[answer.status_code] += 1
            kinds[case.kind] += 1
            assert answer.status_code in case.allowed, (case.kind, answer.status_code, answer.text[:300],
                                                        case.raw[:200])
            error = answer.json()
            assert {"error", "detail"} <= set(error) <= {"error", "detail", "seq", "expected_seq"}, case.kind
        after = write_fingerprint(city_engine)
        # The untouched batch is still welcome: the refusals were for the mutations, nothing else.
        accepted = session.post(url, json=pristine, headers=auth, timeout=30)
    assert len(cases) >= 1_000
    assert all(400 <= status < 500 for status in statuses), statuses
    assert after == before  # no event, batch record, flag or device position written by any refusal
    assert accepted.status_code == 200
    assert verify_ack(till.server_public_key, device_id=till.device_id, ack=accepted.json()).acked_through == 6
    assert stored_chain(city_engine, till.device_id) == [(e["seq"], e["hash"]) for e in till.events]
    assert len(kinds) >= len(MUTATION_WEIGHTS)  # every mutation was exercised (bad gzip in several ways)
    assert {400, 403, 409, 413, 415, 422} <= set(statuses)
