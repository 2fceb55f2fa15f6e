"""Contract: health, the server key and enrolment (201 once; wrong, used or expired code → 403)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from sync.client.errors import BadRequest, Refused
from sync.protocol.batch import is_uuid
from sync.protocol.keys import b64decode_strict, generate_private_key, public_key_b64
from sync.server import SERVER_VERSION, enrolment
from sync.server.clock import utc_now
from sync.server.server_key import load_or_create_server_key
from sync.server.store.schema import device, enrolment_code
from sync.server.tokens import hash_secret
from tests.sync.contract.conftest import City
from tests.sync.helpers.devices import new_outlet


def test_health(city: City) -> None:
    with city.client() as client:
        assert client.health() == {"status": "ok", "version": SERVER_VERSION}


def test_server_key_is_the_stored_key(city: City) -> None:
    with city.client() as client:
        answer = client.server_key()
    assert set(answer) == {"public_key"}
    assert len(b64decode_strict(answer["public_key"], size=32)) == 32
    assert answer["public_key"] == public_key_b64(load_or_create_server_key(city.engine))


def test_enrol_once_then_the_code_is_spent(city: City) -> None:
    created = new_outlet(city.engine)
    key = generate_private_key()
    session = city.session()
    request = {"code": created["enrolment_code"].lower().replace("-", " "),  # as a person might type it
               "public_key": public_key_b64(key), "device_name": "Kasir depan"}
    first = session.post(city.base_url + "/v1/enroll", json=request, timeout=30)
    assert first.status_code == 201
    body = first.json()
    assert set(body) == {"outlet_id", "device_id", "token", "server_public_key"}
    assert body["outlet_id"] == created["outlet_id"]
    assert is_uuid(body["device_id"])
    assert body["server_public_key"] == public_key_b64(load_or_create_server_key(city.engine))
    with city.engine.connect() as connection:
        row = connection.execute(select(device).where(device.c.id == body["device_id"])).mappings().one()
        spent = connection.execute(select(enrolment_code.c.used_at, enrolment_code.c.device_id).where(
            enrolment_code.c.code_hash == hash_secret(created["enrolment_code"]))).one()
    assert row["public_key"] == public_key_b64(key)
    assert row["token_hash"] == hash_secret(body["token"])  # the token itself is never stored
    assert row["status"] == "active"
    assert spent.used_at is not None and spent.device_id == body["device_id"]

    again = session.post(city.base_url + "/v1/enroll", json=request, timeout=30)
    assert again.status_code == 403
    assert set(again.json()) == {"error", "detail"}
    with city.client() as client, pytest.raises(Refused) as refused:
        client.enroll(created["enrolment_code"], public_key_b64(generate_private_key()), "Kasir dua")
    assert refused.value.status == 403


def test_the_client_enrols_and_keeps_the_token(city: City) -> None:
    created = new_outlet(city.engine)
    with city.client() as client:
        answer = client.enroll(created["enrolment_code"], public_key_b64(generate_private_key()), "Kasir 1")
        assert client.token == answer["token"]
    assert answer["outlet_id"] == created["outlet_id"]


def test_wrong_and_expired_codes_are_refused(city: City) -> None:
    created = new_outlet(city.engine)
    expired = enrolment.new_enrolment_code(city.engine, created["outlet_id"], days=1,
                                           now=utc_now() - timedelta(days=2))
    with city.client() as client:
        for code in ("AAAA-BBBB-CCCC-DDDD", expired["enrolment_code"], "", "x" * 500):
            with pytest.raises((Refused, BadRequest)) as refused:
                client.enroll(code, public_key_b64(generate_private_key()), "Kasir 1")
            assert refused.value.status in (403, 422)
            if code and len(code) < 64:
                assert refused.value.status == 403
    with city.engine.connect() as connection:
        devices = connection.execute(select(device.c.id).where(device.c.outlet_id == created["outlet_id"])).all()
    assert devices == []
    # The first code of the outlet still works afterwards: the refusals spent nothing.
    with city.client() as client:
        client.enroll(created["enrolment_code"], public_key_b64(generate_private_key()), "Kasir 1")


@pytest.mark.parametrize("public_key", ["", "AAAA", "not base64!", "A" * 44, "_" * 43 + "=", 12345, None])
def test_a_bad_public_key_is_422_and_spends_no_code(city: City, public_key: object) -> None:
    created = new_outlet(city.engine)
    session = city.session()
    answer = session.post(city.base_url + "/v1/enroll", timeout=30, json={
        "code": created["enrolment_code"], "public_key": public_key, "device_name": "Kasir 1"})
    assert answer.status_code == 422
    assert set(answer.json()) == {"error", "detail"}
    with city.client() as client:
        client.enroll(created["enrolment_code"], public_key_b64(generate_private_key()), "Kasir 1")
