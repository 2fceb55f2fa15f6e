"""Enrolling the till with the real city server: keys made here, identity kept private, clear refusals."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from kkmp_pos.domain.errors import InvalidInput, PosError
from kkmp_pos.services.auth import login
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.demo import DEMO_PINS
from kkmp_pos.services.sync_link import (
    IDENTITY_FILE,
    enroll,
    link_status,
    load_identity,
    load_sync_settings,
    unlink,
)
from kkmp_pos.services.sync_round import sync_status
from sync.protocol.keys import public_key_b64
from tests.services.sync_server import CityServer, quick_client, running_city


@pytest.fixture
def city(tmp_path: Path) -> Iterator[CityServer]:
    with running_city(tmp_path) as server:
        yield server


def test_enrolment_keeps_the_private_key_in_a_private_file_and_the_rest_in_settings(
        ctx: PosContext, city: CityServer) -> None:
    created = city.new_outlet()
    assert not link_status(ctx).enrolled and sync_status(ctx).state == "not_enrolled"
    status = enroll(ctx, city.url + "/", f"  {created['enrolment_code']} ", "Kasir  1", client_factory=quick_client)
    assert status.enrolled and status.outlet_id == created["outlet_id"] and status.server_url == city.url
    assert link_status(ctx) == status
    path = ctx.data_dir / IDENTITY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    identity = load_identity(ctx)
    assert identity is not None and identity.device_id == status.device_id
    stored_key = city.scalar("SELECT public_key FROM device WHERE id = :d", d=status.device_id)
    assert stored_key == public_key_b64(identity.private_key)
    assert city.scalar("SELECT name FROM device WHERE id = :d", d=status.device_id) == "Kasir 1"
    settings = load_sync_settings(ctx)
    assert settings["sync.acked_through"] == "0" and settings["sync.blocked"] == ""
    with quick_client(city.url, None) as client:
        assert settings["sync.server_public_key"] == client.server_key()["public_key"]
    secret = json.loads(path.read_text(encoding="utf-8"))["private_key"]
    with ctx.engine.connect() as connection:
        values = [r[0] for r in connection.exec_driver_sql("SELECT value FROM setting").all()]
    assert all(secret not in value and identity.token not in value for value in values)
    assert not list(ctx.data_dir.glob(".identity-*"))  # the atomic write left no temporary file
    with pytest.raises(InvalidInput, match="sudah terhubung"):
        enroll(ctx, city.url, city.new_code(created["outlet_id"]), "Kasir 2", client_factory=quick_client)


def test_enrolment_refusals_are_plain_indonesian(ctx: PosContext, city: CityServer) -> None:
    code = city.new_outlet()["enrolment_code"]
    with pytest.raises(PosError, match="Kode pendaftaran salah"):
        enroll(ctx, city.url, "SALAH-KODE-123", "Kasir 1", client_factory=quick_client)
    with pytest.raises(InvalidInput, match="https://"):
        enroll(ctx, "http://sinkron.example.org", code, "Kasir 1", client_factory=quick_client)
    with pytest.raises(InvalidInput, match="kode pendaftaran"):
        enroll(ctx, city.url, "  ", "Kasir 1", client_factory=quick_client)
    url = city.url
    city.stop()
    with pytest.raises(PosError, match="tidak dapat dihubungi"):
        enroll(ctx, url, code, "Kasir 1", client_factory=quick_client)
    city.start()
    assert not link_status(ctx).enrolled and load_identity(ctx) is None
    enroll(ctx, url, code, "Kasir 1", client_factory=quick_client)
    unlink(ctx, login(ctx, "manajer", DEMO_PINS["manajer"]))
    with pytest.raises(PosError, match="sudah dipakai"):  # a code works once
        enroll(ctx, url, code, "Kasir 1", client_factory=quick_client)


def test_only_a_manager_unlinks_and_the_journal_stays(ctx: PosContext, city: CityServer) -> None:
    enroll(ctx, city.url, city.new_outlet()["enrolment_code"], "Kasir 1", client_factory=quick_client)
    waiting = sync_status(ctx).waiting
    with pytest.raises(InvalidInput, match="manajer"):
        unlink(ctx, login(ctx, "kasir", DEMO_PINS["kasir"]))
    assert link_status(ctx).enrolled
    unlink(ctx, login(ctx, "manajer", DEMO_PINS["manajer"]))
    assert not link_status(ctx).enrolled and not (ctx.data_dir / IDENTITY_FILE).exists()
    assert sync_status(ctx).waiting == waiting
    assert not any(key.startswith("sync.") and value for key, value in load_sync_settings(ctx).items())
