"""Outlets, one-time enrolment codes, device enrolment and revocation, and the shared server key."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, select, text

from sync.protocol.keys import generate_private_key, public_key_b64
from sync.server.device_auth import device_for_token
from sync.server.enrolment import AdminError, create_outlet, enroll, new_enrolment_code, revoke_device
from sync.server.errors import ApiError
from sync.server.server_key import load_or_create_server_key
from sync.server.store.db import make_engine, migrate
from sync.server.store.schema import device, enrolment_code, outlet
from sync.server.tokens import hash_secret


def _outlet(engine: Engine, **kwargs: object) -> dict[str, str]:
    return create_outlet(engine, name="KKMP Lempake", kelurahan_code="64.72.05.1003", kelurahan="Lempake",
                         kecamatan="Samarinda Utara", **kwargs)  # type: ignore[arg-type]


def _enroll(engine: Engine, code: str, name: str = "Kasir 1") -> dict[str, str]:
    return enroll(engine, code, public_key_b64(generate_private_key()), name, load_or_create_server_key(engine))


def test_create_outlet_stores_outlet_and_only_the_hash_of_its_code(city_engine: Engine) -> None:
    made = _outlet(city_engine, lpg3_allocation=560)
    assert set(made) == {"outlet_id", "enrolment_code"}
    with city_engine.connect() as connection:
        row = connection.execute(select(outlet).where(outlet.c.id == made["outlet_id"])).mappings().one()
        codes = connection.execute(select(enrolment_code)).mappings().all()
    assert (row["name"], row["kelurahan_code"], row["kecamatan"], row["lpg3_allocation"]) == (
        "KKMP Lempake", "64.72.05.1003", "Samarinda Utara", 560)
    assert [c["code_hash"] for c in codes] == [hash_secret(made["enrolment_code"])]
    assert made["enrolment_code"] not in repr(codes)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"name": "X", "kelurahan_code": "6472051003"}, "NN.NN.NN.NNNN"),
    ({"name": "X", "kelurahan_code": "64.72.05.10033"}, "NN.NN.NN.NNNN"),
    ({"name": "   ", "kelurahan_code": "64.72.05.1003"}, "wajib"),
    ({"name": "X" * 121, "kelurahan_code": "64.72.05.1003"}, "terlalu panjang"),
    ({"name": "X", "kelurahan_code": "64.72.05.1003", "lpg3_allocation": -1}, "elpiji"),
])
def test_create_outlet_refuses_bad_input_and_stores_nothing(city_engine: Engine, kwargs: dict,
                                                           message: str) -> None:
    with pytest.raises(AdminError, match=message):
        create_outlet(city_engine, **kwargs)
    with city_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM outlet")).scalar_one() == 0


def test_enroll_creates_an_active_device_whose_token_authenticates(city_engine: Engine) -> None:
    made = _outlet(city_engine)
    key = generate_private_key()
    server_key = load_or_create_server_key(city_engine)
    result = enroll(city_engine, made["enrolment_code"], public_key_b64(key), "  Kasir depan  ", server_key)
    assert set(result) == {"outlet_id", "device_id", "token", "server_public_key"}
    assert result["outlet_id"] == made["outlet_id"]
    assert result["server_public_key"] == public_key_b64(server_key)
    with city_engine.connect() as connection:
        record = device_for_token(connection, f"Bearer {result['token']}", result["device_id"])
        row = connection.execute(select(device).where(device.c.id == result["device_id"])).mappings().one()
    assert record.outlet_id == made["outlet_id"] and record.last_seq == 0
    assert row["name"] == "Kasir depan" and row["public_key"] == public_key_b64(key)
    # The token is shown once: the table holds its hash, never the token itself.
    assert row["token_hash"] == hash_secret(result["token"]) and result["token"] not in repr(dict(row))


def test_code_is_forgiving_about_case_spaces_and_dashes(city_engine: Engine) -> None:
    code = _outlet(city_engine)["enrolment_code"]
    typed = " " + code.replace("-", " ").lower() + " "
    assert _enroll(city_engine, typed)["device_id"]


def test_code_works_once(city_engine: Engine) -> None:
    code = _outlet(city_engine)["enrolment_code"]
    _enroll(city_engine, code)
    with pytest.raises(ApiError) as refused:
        _enroll(city_engine, code, "Kasir 2")
    assert (refused.value.status, refused.value.code) == (403, "bad_code")
    with city_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM device")).scalar_one() == 1


def test_wrong_and_expired_codes_are_403(city_engine: Engine) -> None:
    outlet_id = _outlet(city_engine)["outlet_id"]
    stale = new_enrolment_code(city_engine, outlet_id, days=7, now=datetime.now(timezone.utc) - timedelta(days=8))
    fresh = new_enrolment_code(city_engine, outlet_id, days=1)
    for code in (stale["enrolment_code"], "AAAA-BBBB-CCCC-DDDD", "", "x" * 65):
        with pytest.raises(ApiError) as refused:
            _enroll(city_engine, code)
        assert (refused.value.status, refused.value.code) == (403, "bad_code")
    assert _enroll(city_engine, fresh["enrolment_code"])["outlet_id"] == outlet_id


@pytest.mark.parametrize("public_key", ["", "AAAA", public_key_b64(generate_private_key()).rstrip("="), 42, None])
def test_bad_public_key_is_422_and_does_not_spend_the_code(city_engine: Engine, public_key: object) -> None:
    code = _outlet(city_engine)["enrolment_code"]
    with pytest.raises(ApiError) as refused:
        enroll(city_engine, code, public_key, "Kasir", load_or_create_server_key(city_engine))
    assert (refused.value.status, refused.value.code) == (422, "bad_key")
    assert _enroll(city_engine, code)["device_id"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 121, 7, "Kasir\x00", "Kasir\n1"])
def test_bad_device_name_is_422(city_engine: Engine, name: object) -> None:
    code = _outlet(city_engine)["enrolment_code"]
    with pytest.raises(ApiError) as refused:
        enroll(city_engine, code, public_key_b64(generate_private_key()), name,
               load_or_create_server_key(city_engine))
    assert refused.value.status == 422


def test_two_devices_racing_with_one_code_get_one_enrolment(city_db_url: str) -> None:
    engines = [make_engine(city_db_url) for _ in range(2)]
    migrate(engines[0])
    code = _outlet(engines[0])["enrolment_code"]
    server_key = load_or_create_server_key(engines[0])
    barrier = threading.Barrier(8)
    outcomes: list[object] = []

    def attempt(index: int) -> None:
        barrier.wait()
        try:
            outcomes.append(enroll(engines[index % 2], code, public_key_b64(generate_private_key()),
                                   f"Kasir {index}", server_key))
        except ApiError as exc:
            outcomes.append(exc.status)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert sorted(o for o in outcomes if isinstance(o, int)) == [403] * 7
        with engines[0].connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM device")).scalar_one() == 1
    finally:
        for engine in engines:
            engine.dispose()


def test_enrolment_code_for_unknown_outlet_is_refused(city_engine: Engine) -> None:
    with pytest.raises(AdminError, match="tidak ditemukan"):
        new_enrolment_code(city_engine, "00000000-0000-4000-8000-000000000000")


def test_revoked_device_is_refused_with_403(city_engine: Engine) -> None:
    enrolled = _enroll(city_engine, _outlet(city_engine)["enrolment_code"])
    result = revoke_device(city_engine, enrolled["device_id"])
    assert result["status"] == "revoked" and result["was"] == "active"
    with city_engine.connect() as connection, pytest.raises(ApiError) as refused:
        device_for_token(connection, f"Bearer {enrolled['token']}")
    assert refused.value.status == 403
    with pytest.raises(AdminError, match="tidak ditemukan"):
        revoke_device(city_engine, "no-such-device")


def test_server_key_is_made_once_and_shared_by_racing_processes(city_db_url: str) -> None:
    engines = [make_engine(city_db_url) for _ in range(4)]
    migrate(engines[0])
    barrier = threading.Barrier(4)
    keys: list[str] = []

    def load(engine: Engine) -> None:
        barrier.wait()
        keys.append(public_key_b64(load_or_create_server_key(engine)))

    threads = [threading.Thread(target=load, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert len(keys) == 4 and len(set(keys)) == 1
        assert public_key_b64(load_or_create_server_key(engines[0])) == keys[0]
        with engines[0].connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM server_setting")).scalar_one() == 1
    finally:
        for engine in engines:
            engine.dispose()
