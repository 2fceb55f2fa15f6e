"""Contract: every refusal is JSON `{"error", "detail"}` with the protocol's status; OpenAPI lists /v1."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from tests.sync.contract.conftest import City
from tests.sync.helpers.devices import enrol_till

V1_PATHS = {"/v1/health", "/v1/server-key", "/v1/enroll", "/v1/devices/{device_id}/journal",
            "/v1/outlets/{outlet_id}/master"}


def test_openapi_lists_the_v1_paths(city: City) -> None:
    answer = city.session().get(city.base_url + "/openapi.json", timeout=30)
    assert answer.status_code == 200
    spec = answer.json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) >= V1_PATHS
    assert "post" in spec["paths"]["/v1/devices/{device_id}/journal"]
    assert "post" in spec["paths"]["/v1/enroll"]
    assert "get" in spec["paths"]["/v1/outlets/{outlet_id}/master"]


def _cases(city: City) -> list[tuple[str, str, dict[str, Any], int]]:
    till = enrol_till(city.engine, seed=11)
    other = enrol_till(city.engine, seed=12)
    till.sell(2)
    journal = f"/v1/devices/{till.device_id}/journal"
    auth = {"Authorization": f"Bearer {till.token}"}
    body = json.dumps(till.body(1, 2)).encode()
    return [
        ("GET", "/no/such/page", {}, 404),
        ("GET", "/v1/nothing-here", {}, 404),
        ("GET", "/v1/enroll", {}, 405),
        ("DELETE", "/v1/health", {}, 405),
        ("POST", "/v1/enroll", {"data": b"{not json", "headers": {"Content-Type": "application/json"}}, 400),
        ("POST", "/v1/enroll", {"json": {"code": 1, "public_key": [], "device_name": None}}, 422),
        ("POST", "/v1/enroll", {"json": {}}, 422),
        ("POST", journal, {"data": body}, 401),
        ("POST", journal, {"data": body, "headers": {"Authorization": "Basic dXNlcjpwYXNz"}}, 401),
        ("POST", journal, {"data": body, "headers": {"Authorization": "Bearer nope"}}, 401),
        ("POST", journal, {"data": body, "headers": {"Authorization": f"Bearer {other.token}"}}, 403),
        ("POST", journal, {"data": b"", "headers": auth}, 400),
        ("POST", journal, {"data": b"[1, 2", "headers": auth}, 400),
        ("POST", journal, {"data": b'{"batch": {}, "sig": ""}', "headers": auth}, 422),
        ("POST", journal, {"data": b"\x1f\x8b\x08\x00garbage", "headers": {**auth, "Content-Encoding": "gzip"}}, 400),
        ("POST", journal, {"data": gzip.compress(body), "headers": {**auth, "Content-Encoding": "br"}}, 415),
        ("POST", journal, {"data": b"x" * ((1 << 20) + 1), "headers": auth}, 413),
        ("POST", "/v1/devices/not-a-uuid/journal", {"data": body, "headers": auth}, 403),
        ("GET", f"/v1/outlets/{till.outlet_id}/master?since=0", {}, 401),
        ("GET", f"/v1/outlets/{other.outlet_id}/master?since=0", {"headers": auth}, 403),
    ]


def test_every_refusal_is_a_json_error_body(city: City) -> None:
    session = city.session()
    seen = []
    for method, path, options, status in _cases(city):
        answer = session.request(method, city.base_url + path, timeout=30, **options)
        seen.append((method, path, answer.status_code))
        assert answer.status_code == status, (method, path, answer.text[:300])
        assert answer.headers["content-type"].startswith("application/json"), (method, path)
        error = answer.json()
        assert set(error) == {"error", "detail"}, (method, path, error)
        assert isinstance(error["error"], str) and error["error"]
        assert isinstance(error["detail"], str)
    assert len(seen) == 20


@pytest.mark.parametrize("verb", ["PUT", "PATCH"])
def test_unknown_verbs_on_the_journal_are_405(city: City, verb: str) -> None:
    till = enrol_till(city.engine, seed=13)
    answer = city.session().request(verb, f"{city.base_url}/v1/devices/{till.device_id}/journal", timeout=30,
                                    headers={"Authorization": f"Bearer {till.token}"}, data=b"{}")
    assert answer.status_code == 405
    assert set(answer.json()) == {"error", "detail"}
