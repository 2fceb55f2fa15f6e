"""Contract: master data pulled by a device, signed by the server key over canon of the other fields."""

from __future__ import annotations

import csv
import uuid
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from sync.client.errors import BadRequest, Refused
from sync.protocol.keys import is_valid_signature
from sync.server.master import latest_master_version, publish_master_csv
from tests.sync.contract.conftest import City
from tests.sync.helpers.devices import enrol_till


def _signed(body: dict[str, Any], server_key: str) -> bool:
    return set(body) == {"version", "snapshot", "changes", "sig"} and is_valid_signature(
        server_key, {k: v for k, v in body.items() if k != "sig"}, body["sig"])


def test_master_pull_is_signed_and_incremental(city: City, tmp_path: Path) -> None:
    till = enrol_till(city.engine)
    catalog = resources.files("kkmp_pos.resources").joinpath("catalog_sample.csv")
    with resources.as_file(catalog) as path, path.open(encoding="utf-8", newline="") as handle:
        catalog_rows = {row["sku"]: row for row in csv.DictReader(handle)}
        publish_master_csv(city.engine, path)  # may have been published by an earlier run on this database
    marker = f"kontrak.{uuid.uuid4().hex[:8]}"
    settings = tmp_path / "settings.csv"
    settings.write_text(f"key,value\n{marker},satu\n{marker}.dua,2\n", encoding="utf-8")
    with city.engine.connect() as connection:
        before_settings = latest_master_version(connection)
    published = publish_master_csv(city.engine, settings)
    assert published["published"] is True
    latest = published["version"]

    with city.client(till.token) as client:
        snapshot = client.pull_master(till.outlet_id, 0)
        increment = client.pull_master(till.outlet_id, before_settings)
        nothing = client.pull_master(till.outlet_id, latest)

    for body in (snapshot, increment, nothing):
        assert _signed(body, till.server_public_key)
        assert body["version"] == latest
    assert snapshot["snapshot"] is True
    assert snapshot["changes"] == sorted(snapshot["changes"], key=lambda c: (c["kind"], c["key"]))
    products = {c["key"]: c["row"] for c in snapshot["changes"] if c["kind"] == "product"}
    assert products == catalog_rows  # exactly the CSV rows, every value a string
    assert increment["snapshot"] is False
    assert increment["changes"] == [
        {"kind": "setting", "key": marker, "row": {"key": marker, "value": "satu"}},
        {"kind": "setting", "key": f"{marker}.dua", "row": {"key": f"{marker}.dua", "value": "2"}},
    ]
    assert nothing["snapshot"] is False
    assert nothing["changes"] == []

    # A signature over anything else does not verify: the outlet would refuse tampered master data.
    tampered = dict(increment, changes=[dict(increment["changes"][0], row={"key": marker, "value": "dua"})])
    assert not _signed(tampered, till.server_public_key)


def test_master_pull_refusals(city: City) -> None:
    till = enrol_till(city.engine, seed=3)
    other = enrol_till(city.engine, seed=4)  # a device of another outlet
    with city.client(other.token) as client, pytest.raises(Refused) as refused:
        client.pull_master(till.outlet_id, 0)
    assert refused.value.status == 403
    with city.client("no-such-token") as client, pytest.raises(Refused) as refused:
        client.pull_master(till.outlet_id, 0)
    assert refused.value.status == 401
    session = city.session()
    url = f"{city.base_url}/v1/outlets/{till.outlet_id}/master"
    auth = {"Authorization": f"Bearer {till.token}"}
    for query in ("?since=-1", "?since=abc", "", "?since=1e3", f"?since={10**30}"):
        answer = session.get(url + query, headers=auth, timeout=30)
        assert answer.status_code == 422, query
        assert set(answer.json()) == {"error", "detail"}
    with city.client(till.token) as client, pytest.raises(BadRequest):
        client.pull_master(till.outlet_id, -5)
