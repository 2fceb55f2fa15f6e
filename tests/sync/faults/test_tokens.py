"""Wrong, revoked and other devices' tokens: 401/403 over real HTTP, and nothing stored."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import Engine

from sync.client.errors import Refused
from sync.client.transport import CityClient
from sync.server import enrolment
from tests.sync.helpers.db import stored_chain, write_fingerprint
from tests.sync.helpers.devices import enrol_till


def test_tokens_that_are_not_this_devices_are_refused(city_engine: Engine, live_server: str) -> None:
    till = enrol_till(city_engine, seed=400)
    colleague = enrol_till(city_engine, outlet_id=till.outlet_id, seed=401, name="Kasir 2")  # same outlet
    stranger = enrol_till(city_engine, seed=402)  # another outlet
    till.sell(3)
    body = till.body(1, 3)
    before = write_fingerprint(city_engine)
    cases = [
        (None, 401), ("", 401), ("not-a-real-token", 401), (till.token + "x", 401), (till.token[:-1], 401),
        ("x" * 5000, 401), ("tøken", 401), (colleague.token, 403), (stranger.token, 403),
    ]
    for token, status in cases:
        with CityClient(live_server, token=token or None, max_attempts=1) as client, \
                pytest.raises(Refused) as refused:
            client.upload(till.device_id, body)
        assert refused.value.status == (status if token else None), token  # no token: the client refuses itself
    with requests.Session() as session:
        url = f"{live_server}/v1/devices/{till.device_id}/journal"
        for header in ("", "Bearer", "Bearer ", f"Token {till.token}", f"bearer{till.token}", f"Basic {till.token}"):
            answer = session.post(url, json=body, headers={"Authorization": header}, timeout=30)
            assert answer.status_code == 401, header
            assert set(answer.json()) == {"error", "detail"}
        # The right token on another device's URL, and another device's signed batch under the right URL.
        answer = session.post(f"{live_server}/v1/devices/{colleague.device_id}/journal", json=body,
                              headers={"Authorization": f"Bearer {till.token}"}, timeout=30)
        assert answer.status_code == 403
        colleague.sell(1)
        answer = session.post(url, json=colleague.body(1, 1), headers={"Authorization": f"Bearer {till.token}"},
                              timeout=30)
        assert answer.status_code in (400, 403)  # signed by another key, and not this device's batch
    assert write_fingerprint(city_engine) == before


def test_a_revoked_device_is_refused_and_its_stored_events_stay(city_engine: Engine, live_server: str) -> None:
    till = enrol_till(city_engine, seed=403)
    till.sell(6)
    with CityClient(live_server, token=till.token, max_attempts=1) as client:
        assert client.upload(till.device_id, till.body(1, 3))["acked_through"] == 3
        enrolment.revoke_device(city_engine, till.device_id)
        before = write_fingerprint(city_engine)
        for body in (till.body(4, 6), till.body(1, 3)):
            with pytest.raises(Refused) as refused:
                client.upload(till.device_id, body)
            assert refused.value.status == 403
        with pytest.raises(Refused) as refused:
            client.pull_master(till.outlet_id, 0)
        assert refused.value.status == 403
    assert write_fingerprint(city_engine) == before
    assert stored_chain(city_engine, till.device_id) == [(e["seq"], e["hash"]) for e in till.events[:3]]
