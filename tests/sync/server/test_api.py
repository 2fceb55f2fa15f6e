"""The `/v1` API in-process (starlette TestClient) on a real database: status codes, JSON errors, signatures."""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from sync.protocol.batch import MAX_BODY_BYTES
from sync.protocol.keys import generate_private_key, public_key_b64, verify
from sync.protocol.receipts import verify_ack
from sync.server import SERVER_VERSION
from sync.server.app import create_app
from sync.server.enrolment import create_outlet, revoke_device
from sync.server.master import publish_master_csv
from sync.server.store.db import make_engine
from tests.sync.helpers.devices import Till
from tests.sync.server import TestClient

RESOURCES = Path(__file__).resolve().parents[3] / "resources"


@pytest.fixture
def client(city_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(city_engine), raise_server_exceptions=False) as test_client:
        yield test_client


def _outlet(engine: Engine, name: str = "KKMP Lempake") -> dict[str, str]:
    return create_outlet(engine, name=name, kelurahan_code="64.72.05.1003")


def _enroll(client: TestClient, code: str, name: str = "Kasir 1") -> Till:
    key = generate_private_key()
    response = client.post("/v1/enroll", json={"code": code, "public_key": public_key_b64(key),
                                               "device_name": name})
    assert response.status_code == 201, response.text
    answer = response.json()
    return Till(key=key, device_id=answer["device_id"], outlet_id=answer["outlet_id"], token=answer["token"],
                server_public_key=answer["server_public_key"])


def _auth(till: Till) -> dict[str, str]:
    return {"Authorization": f"Bearer {till.token}"}


def _is_error(response, status: int, code: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["error"], str) and isinstance(body["detail"], str)
    if code is not None:
        assert body["error"] == code
    return body


def test_health_and_server_key(client: TestClient, city_engine: Engine) -> None:
    assert client.get("/v1/health").json() == {"status": "ok", "version": SERVER_VERSION}
    key = client.get("/v1/server-key").json()["public_key"]
    till = _enroll(client, _outlet(city_engine)["enrolment_code"])
    assert till.server_public_key == key
    # A second app on the same database (another server process) signs with the same key.
    with TestClient(create_app(city_engine)) as other:
        assert other.get("/v1/server-key").json()["public_key"] == key


def test_enroll_once_then_403(client: TestClient, city_engine: Engine) -> None:
    code = _outlet(city_engine)["enrolment_code"]
    till = _enroll(client, code)
    assert till.outlet_id and till.device_id and till.token
    again = client.post("/v1/enroll", json={"code": code, "public_key": public_key_b64(generate_private_key()),
                                            "device_name": "Kasir 2"})
    _is_error(again, 403, "bad_code")


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"code": "X", "public_key": "AAAA", "device_name": "Kasir"}, 422, "bad_key"),
    ({"code": "X", "public_key": public_key_b64(generate_private_key()), "device_name": ""}, 422, "bad_request"),
    ({"code": 123, "public_key": public_key_b64(generate_private_key()), "device_name": "K"}, 422, "bad_request"),
    ({"public_key": public_key_b64(generate_private_key()), "device_name": "K"}, 422, "bad_request"),
    ([1, 2, 3], 422, "bad_request"),
])
def test_enroll_bad_bodies(client: TestClient, body: object, status: int, code: str) -> None:
    _is_error(client.post("/v1/enroll", json=body), status, code)


def test_enroll_not_json_is_400(client: TestClient) -> None:
    response = client.post("/v1/enroll", content=b'{"code": ', headers={"Content-Type": "application/json"})
    _is_error(response, 400, "bad_json")


def test_upload_is_acknowledged_with_a_valid_receipt(client: TestClient, city_engine: Engine) -> None:
    till = _enroll(client, _outlet(city_engine)["enrolment_code"])
    till.sell(5)
    raw = gzip.compress(json.dumps(till.body(1, 5)).encode(), mtime=0)
    response = client.post(f"/v1/devices/{till.device_id}/journal", content=raw,
                           headers={**_auth(till), "Content-Encoding": "gzip", "Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    receipt = verify_ack(till.server_public_key, device_id=till.device_id, ack=response.json())
    assert (receipt.acked_through, receipt.last_hash) == (5, till.last_hash)
    # The same batch again (a lost answer) is acknowledged again and stores nothing twice.
    again = client.post(f"/v1/devices/{till.device_id}/journal", content=raw,
                        headers={**_auth(till), "Content-Encoding": "gzip"})
    assert again.status_code == 200 and again.json()["acked_through"] == 5
    with city_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM journal_event")).scalar_one() == 5


def test_upload_refusals_are_json_4xx(client: TestClient, city_engine: Engine) -> None:
    till = _enroll(client, _outlet(city_engine)["enrolment_code"])
    till.sell(2)
    url = f"/v1/devices/{till.device_id}/journal"
    body = json.dumps(till.body(1, 2)).encode()
    _is_error(client.post(url, content=body), 401)
    _is_error(client.post(url, content=body, headers={"Authorization": "Bearer nope"}), 401)
    _is_error(client.post(url, content=b"{not json", headers=_auth(till)), 400)
    _is_error(client.post(url, content=body, headers={**_auth(till), "Content-Encoding": "gzip"}), 400)
    other = _enroll(client, _outlet(city_engine, "KKMP Lain")["enrolment_code"])
    _is_error(client.post(url, content=body, headers=_auth(other)), 403)
    with city_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM journal_event")).scalar_one() == 0


def test_body_above_one_mebibyte_is_413_declared_or_streamed(client: TestClient, city_engine: Engine) -> None:
    till = _enroll(client, _outlet(city_engine)["enrolment_code"])
    url = f"/v1/devices/{till.device_id}/journal"
    big = b" " * (MAX_BODY_BYTES + 1)
    _is_error(client.post(url, content=big, headers=_auth(till)), 413, "too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap must hold while streaming
        for _ in range(40):
            yield b" " * 65536

    _is_error(client.post(url, content=chunks(), headers=_auth(till)), 413, "too_large")
    # Exactly at the cap is not too large (it is refused for what it is: not JSON).
    _is_error(client.post(url, content=b" " * MAX_BODY_BYTES, headers=_auth(till)), 400)


def test_master_pull_is_signed_and_scoped_to_the_outlet(client: TestClient, city_engine: Engine) -> None:
    outlet = _outlet(city_engine)
    till = _enroll(client, outlet["enrolment_code"])
    publish_master_csv(city_engine, RESOURCES / "het_ceilings.csv")
    url = f"/v1/outlets/{outlet['outlet_id']}/master"
    response = client.get(url, params={"since": 0}, headers=_auth(till))
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1 and body["snapshot"] is True and body["changes"]
    verify(till.server_public_key, {k: body[k] for k in ("version", "snapshot", "changes")}, body["sig"])
    up_to_date = client.get(url, params={"since": 1}, headers=_auth(till)).json()
    assert (up_to_date["snapshot"], up_to_date["changes"]) == (False, [])

    _is_error(client.get(url, params={"since": 0}), 401)
    other = _enroll(client, _outlet(city_engine, "KKMP Lain")["enrolment_code"])
    _is_error(client.get(url, params={"since": 0}, headers=_auth(other)), 403, "forbidden")
    for since in ("-1", "abc", "1.5", "99999999999999999999", ""):
        _is_error(client.get(url, params={"since": since}, headers=_auth(till)), 422, "bad_request")
    _is_error(client.get(url, headers=_auth(till)), 422, "bad_request")
    revoke_device(city_engine, till.device_id)
    _is_error(client.get(url, params={"since": 0}, headers=_auth(till)), 403)


def test_unknown_paths_and_methods_answer_json(client: TestClient) -> None:
    _is_error(client.get("/v1/nothing-here"), 404, "not_found")
    response = _is_error(client.delete("/v1/health"), 405, "method_not_allowed")
    assert response["detail"]


def test_openapi_describes_every_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    assert {"/v1/health", "/v1/server-key", "/v1/enroll", "/v1/devices/{device_id}/journal",
            "/v1/outlets/{outlet_id}/master"} <= set(paths)
    assert "requestBody" in paths["/v1/devices/{device_id}/journal"]["post"]
    assert "201" in paths["/v1/enroll"]["post"]["responses"]


def test_unreachable_database_is_503_with_retry_after(city_engine: Engine, tmp_path: Path) -> None:
    app = create_app(city_engine)
    # A real engine that cannot open its database: the path is a directory.
    app.state.engine = make_engine(f"sqlite+pysqlite:///{tmp_path}")
    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.post("/v1/enroll", json={
            "code": "AAAA-BBBB-CCCC-DDDD", "public_key": public_key_b64(generate_private_key()),
            "device_name": "Kasir"})
        _is_error(response, 503, "unavailable")
        assert int(response.headers["Retry-After"]) > 0
        _is_error(test_client.get("/v1/outlets/x/master", params={"since": 0},
                                  headers={"Authorization": "Bearer t"}), 503)
    app.state.engine.dispose()


def test_no_garbage_gets_a_5xx(client: TestClient, city_engine: Engine) -> None:
    till = _enroll(client, _outlet(city_engine)["enrolment_code"])
    till.sell(3)
    good = json.dumps(till.body(1, 3)).encode()
    rng = random.Random(20261130)
    seen: set[int] = set()
    for _ in range(300):
        choice = rng.randrange(4)
        if choice == 0:  # random bytes
            raw = rng.randbytes(rng.randrange(0, 200))
        elif choice == 1:  # the good body with a few bytes flipped
            flipped = bytearray(good)
            for _ in range(rng.randint(1, 4)):
                flipped[rng.randrange(len(flipped))] = rng.randrange(256)
            raw = bytes(flipped)
        elif choice == 2:  # truncated
            raw = good[:rng.randrange(len(good))]
        else:  # gzip of garbage, or a gzip header cut short
            raw = gzip.compress(rng.randbytes(50))[:rng.randrange(1, 60)]
        headers = {**_auth(till), "Content-Encoding": rng.choice(["gzip", "identity", "br", "gzip, gzip"])}
        for response in (
            client.post(f"/v1/devices/{till.device_id}/journal", content=raw, headers=headers),
            client.post("/v1/enroll", content=raw, headers={"Content-Type": "application/json"}),
        ):
            seen.add(response.status_code)
            assert 400 <= response.status_code < 500, (response.status_code, response.text)
            assert set(response.json()) >= {"error", "detail"}
    assert len(seen) >= 3
    with city_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM journal_event")).scalar_one() == 0
