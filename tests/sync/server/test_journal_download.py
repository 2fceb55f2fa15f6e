"""`GET /v1/outlets/{id}/journal` on a live server (SQLite and PostgreSQL): exact events, paging, signature, access."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from sqlalchemy import Engine

from sync.client.errors import BadRequest, Refused
from sync.client.transport import CityClient
from sync.protocol.canonical import first_bad_seq, seal_event
from sync.protocol.keys import verify
from sync.server.enrolment import revoke_device
from tests.sync.helpers.devices import START, Till, enrol_till, new_outlet


def _upload(base_url: str, till: Till, from_seq: int, to_seq: int, events: list[dict[str, Any]] | None = None) -> None:
    answer = requests.post(f"{base_url}/v1/devices/{till.device_id}/journal", json=till.body(from_seq, to_seq,
                           events=events), headers={"Authorization": f"Bearer {till.token}"}, timeout=30)
    assert answer.status_code == 200, answer.text


def _odd_first_event(till: Till) -> None:
    """A body with text canonical JSON must not alter: non-ASCII, escapes, nesting, big integers."""
    till.events.append(seal_event(
        seq=1, event_id=str(uuid.uuid4()), type="member_change", schema_v=1, device_time=START.isoformat(),
        master_version=0, body={"name": "Siti Nurhaliza — Ñ ☕ \"kutip\" \\ \u0001", "n": 2**53 + 1,
                                "nested": {"z": [1, {"b": None, "a": True}], "a": ""}},
        prev_hash="0" * 64))


def _client(base_url: str, till: Till) -> CityClient:
    return CityClient(base_url, token=till.token, max_attempts=1)


def test_pages_return_the_events_exactly_as_uploaded_and_signed(city_engine: Engine, live_server: str) -> None:
    till = enrol_till(city_engine)
    _odd_first_event(till)
    till.sell(39)
    _upload(live_server, till, 1, 25)
    _upload(live_server, till, 26, 40)
    reader = enrol_till(city_engine, outlet_id=till.outlet_id, name="Kasir 2")
    got: list[dict[str, Any]] = []
    after = pages = 0
    with _client(live_server, reader) as client:
        while True:
            page = client.download_journal(till.outlet_id, till.device_id, after=after, limit=15,
                                           server_public_key=reader.server_public_key)
            assert page["last_seq"] == 40 and page["device_id"] == till.device_id
            got += page["events"]
            pages += 1
            if not page["more"]:
                break
            after = page["events"][-1]["seq"]
        assert client.download_journal(till.outlet_id, till.device_id, after=40,
                                       server_public_key=reader.server_public_key)["events"] == []
    assert pages == 3
    assert got == till.events  # every field, body byte for byte in canonical form
    assert first_bad_seq(got) is None

    raw = requests.get(f"{live_server}/v1/outlets/{till.outlet_id}/journal",
                       params={"device": till.device_id, "after": 38}, timeout=30,
                       headers={"Authorization": f"Bearer {reader.token}"}).json()
    verify(reader.server_public_key, {k: v for k, v in raw.items() if k != "sig"}, raw["sig"])
    assert [e["seq"] for e in raw["events"]] == [39, 40] and raw["more"] is False


def test_a_restored_devices_journal_includes_what_it_carried_from_its_predecessor(city_engine: Engine,
                                                                                   live_server: str) -> None:
    old = enrol_till(city_engine)
    old.sell(12)
    _upload(live_server, old, 1, 12)
    new = enrol_till(city_engine, outlet_id=old.outlet_id, seed=8, name="Kasir 1 (pulih)")
    new.events = list(old.events[:8])  # restored from a backup at seq 8
    new.sell(3)
    _upload(live_server, new, 1, 11)  # 1..8 carried, 9..11 its own
    with _client(live_server, old) as client:
        page = client.download_journal(old.outlet_id, new.device_id, after=5, limit=500,
                                       server_public_key=old.server_public_key)
    assert page["events"] == new.events[5:] and page["last_seq"] == 11
    assert first_bad_seq(page["events"], start_hash=new.events[4]["hash"], start_seq=6) is None


def test_only_current_devices_of_the_same_outlet_may_read(city_engine: Engine, live_server: str) -> None:
    till = enrol_till(city_engine)
    till.sell(3)
    _upload(live_server, till, 1, 3)
    other_outlet = new_outlet(city_engine, "KKMP Sungai Pinang")
    stranger = enrol_till(city_engine, outlet_id=other_outlet["outlet_id"], seed=9)
    colleague = enrol_till(city_engine, outlet_id=till.outlet_id, seed=10, name="Kasir 2")
    url = f"{live_server}/v1/outlets/{till.outlet_id}/journal"

    def get(token: str | None, outlet_url: str = url, **params: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.get(outlet_url, params={"device": till.device_id, **params}, headers=headers, timeout=30)

    def error(response: requests.Response, status: int) -> str:
        assert response.status_code == status, response.text
        body = response.json()
        assert isinstance(body["detail"], str)
        return str(body["error"])

    assert error(get(None), 401) == "unauthorized"
    assert error(get("not-a-token"), 401) == "unauthorized"
    assert error(get(stranger.token), 403) == "forbidden"  # a device of another outlet
    foreign = f"{live_server}/v1/outlets/{other_outlet['outlet_id']}/journal"
    assert error(get(stranger.token, foreign), 403) == "forbidden"  # its own outlet's URL, our device
    assert error(get(colleague.token, device=str(uuid.uuid4())), 403) == "forbidden"
    for params in ({"limit": "0"}, {"limit": "501"}, {"after": "-1"}, {"after": "x"}, {"device": ""},
                   {"device": "a\x00b"}):
        error(get(colleague.token, **params), 422)
    assert get(colleague.token).status_code == 200
    revoke_device(city_engine, till.device_id)  # the damaged till's old identity, revoked by the Dinas
    assert len(get(colleague.token).json()["events"]) == 3  # its events can still be taken back
    revoke_device(city_engine, colleague.device_id)
    assert error(get(colleague.token), 403) == "forbidden"
    with CityClient(live_server, token=stranger.token, max_attempts=1) as client, pytest.raises(Refused):
        client.download_journal(till.outlet_id, till.device_id, after=0, server_public_key=till.server_public_key)
    with CityClient(live_server, token=till.token, max_attempts=1) as client, pytest.raises(BadRequest):
        client.download_journal(till.outlet_id, till.device_id, after=0, limit=1000,
                                server_public_key=till.server_public_key)
