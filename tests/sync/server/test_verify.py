"""`verify_outlet` re-hashes the stored chains: clean chains pass, a changed or missing row is pinpointed."""

from __future__ import annotations

import json

from sqlalchemy import Engine, delete, update

from sync.server.store.schema import journal_event
from sync.server.verify import verify_outlet
from tests.sync.server.test_ingest import Device, engine, sale

__all__ = ["engine"]


def _two_devices(engine: Engine) -> tuple[Device, Device]:
    first = Device(engine)
    second = Device(engine, outlet_id=first.outlet_id)
    for dev, count in ((first, 7), (second, 3)):
        for _ in range(count):
            dev.add("sale", sale(member=True))
        dev.add("shift_close", {"shift_id": "s1", "note": "ünïcode ✓ \u0000 nul"})
        dev.upload()
    return first, second


def test_clean_chains_verify(engine: Engine) -> None:
    first, second = _two_devices(engine)
    report = verify_outlet(engine, first.outlet_id)
    assert report == {"outlet_id": first.outlet_id, "ok": True, "devices": sorted([
        {"device_id": first.id, "events": 8, "first_bad_seq": None, "ok": True},
        {"device_id": second.id, "events": 4, "first_bad_seq": None, "ok": True},
    ], key=lambda item: item["device_id"])}  # both enrolled at the same instant: then by id


def test_an_outlet_without_devices_is_trivially_ok(engine: Engine) -> None:
    assert verify_outlet(engine, "00000000-0000-0000-0000-000000000000") == {
        "outlet_id": "00000000-0000-0000-0000-000000000000", "devices": [], "ok": True}


def test_a_changed_body_is_reported_at_its_seq(engine: Engine) -> None:
    first, second = _two_devices(engine)
    with engine.begin() as connection:
        body = json.loads(connection.execute(journal_event.select().where(
            journal_event.c.device_id == first.id, journal_event.c.seq == 5)).mappings().one()["body"])
        body["total"] += 1000
        connection.execute(update(journal_event).where(journal_event.c.device_id == first.id,
                                                       journal_event.c.seq == 5)
                           .values(body=json.dumps(body, sort_keys=True, separators=(",", ":"))))
    report = verify_outlet(engine, first.outlet_id)
    assert report["ok"] is False
    by_device = {item["device_id"]: item for item in report["devices"]}
    assert by_device[first.id]["first_bad_seq"] == 5 and by_device[first.id]["ok"] is False
    assert by_device[second.id]["ok"] is True


def test_a_missing_row_or_tail_is_reported(engine: Engine) -> None:
    first, second = _two_devices(engine)
    with engine.begin() as connection:
        connection.execute(delete(journal_event).where(journal_event.c.device_id == first.id,
                                                       journal_event.c.seq == 3))
        connection.execute(delete(journal_event).where(journal_event.c.device_id == second.id,
                                                       journal_event.c.seq == 4))
    by_device = {item["device_id"]: item for item in verify_outlet(engine, first.outlet_id)["devices"]}
    assert (by_device[first.id]["first_bad_seq"], by_device[first.id]["events"]) == (3, 7)
    assert (by_device[second.id]["first_bad_seq"], by_device[second.id]["events"]) == (4, 3)


def test_a_non_json_body_is_reported(engine: Engine) -> None:
    first, _second = _two_devices(engine)
    with engine.begin() as connection:
        connection.execute(update(journal_event).where(journal_event.c.device_id == first.id,
                                                       journal_event.c.seq == 1).values(body="{oops"))
    by_device = {item["device_id"]: item for item in verify_outlet(engine, first.outlet_id)["devices"]}
    assert by_device[first.id]["first_bad_seq"] == 1
