"""The outlet against the real city server: enrol, sell, upload in order; offline and back; a restored old database."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.services import catalog, outlet, sales
from kkmp_pos.services.auth import login
from kkmp_pos.services.context import PosContext, open_context
from kkmp_pos.services.demo import DEMO_PINS
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.sync_link import enroll, link_status, load_identity, load_sync_settings
from kkmp_pos.services.sync_round import run_sync_round, sync_status
from kkmp_pos.services.sync_upload import clear_block, last_seq, read_pending, upload_round
from kkmp_pos.store.db import DB_FILENAME
from sync.client.transport import compress_body, encode_body
from sync.protocol.batch import MAX_BODY_BYTES, ProtocolError, build_batch, sign_batch, signed_wire
from sync.protocol.canonical import canon
from sync.protocol.keys import generate_private_key
from tests.conftest import TEST_MOMENT
from tests.services.sync_server import CityServer, copy_database, put_back, quick_client, running_city


@pytest.fixture
def city(tmp_path: Path) -> Iterator[CityServer]:
    with running_city(tmp_path) as server:
        yield server


def enrol(ctx: PosContext, city: CityServer) -> str:
    code = city.new_outlet()["enrolment_code"]
    return enroll(ctx, city.url, code, "Kasir 1", client_factory=quick_client).device_id


def sell(ctx: PosContext, count: int = 1) -> None:
    cashier = outlet.default_cashier(ctx).id
    rice = catalog.find_by_sku(ctx, "BRS-CURAH")
    assert rice is not None
    for _ in range(count):
        cart = Cart()
        cart.add(rice, 100)
        sales.complete_sale(ctx, cart, [cash_payment(cart.total, cart.total)], cashier_id=cashier)


def test_enrolled_outlet_uploads_its_journal_and_the_cursor_advances(ctx: PosContext, city: CityServer) -> None:
    device = enrol(ctx, city)
    sell(ctx, 3)
    status = sync_status(ctx)
    assert status.enrolled and status.waiting == last_seq(ctx) > 3 and status.last_success_at is None
    outcome = run_sync_round(ctx, quick_client)
    assert outcome.state == "online" and outcome.upload.sent == last_seq(ctx)
    assert city.events(device) == last_seq(ctx)
    status = sync_status(ctx)
    assert (status.state, status.waiting, status.last_success_wita) == ("online", 0, "10:15 WITA")
    # The city's copy is the outlet's chain, event for event.
    with ctx.engine.connect() as connection:
        local = connection.exec_driver_sql("SELECT seq, hash FROM journal_event ORDER BY seq").all()
    with city.engine.connect() as connection:
        stored = connection.exec_driver_sql(
            "SELECT seq, hash FROM journal_event WHERE device_id = ? ORDER BY seq", (device,)).all()
    assert [tuple(r) for r in stored] == [tuple(r) for r in local]
    sell(ctx)
    again = upload_round(ctx, quick_client)
    assert (again.state, again.sent, again.acked_through) == ("online", 1, last_seq(ctx))
    assert city.events(device) == last_seq(ctx)


def test_offline_outlet_keeps_selling_and_catches_up_in_batches(ctx: PosContext, city: CityServer) -> None:
    device = enrol(ctx, city)
    assert run_sync_round(ctx, quick_client).state == "online"
    city.stop()
    sell(ctx, 3)
    outcome = run_sync_round(ctx, quick_client)
    assert outcome.state == "offline"
    status = sync_status(ctx)
    assert (status.state, status.waiting) == ("offline", 3) and status.last_error
    sell(ctx, 510)  # weeks offline: more than one batch of 500
    assert sync_status(ctx).waiting == 513
    city.start()  # same address again
    outcome = run_sync_round(ctx, quick_client)
    assert (outcome.state, outcome.upload.sent) == ("online", 513)
    assert city.events(device) == last_seq(ctx)
    assert city.scalar("SELECT count(*) FROM upload_batch WHERE device_id = :d", d=device) >= 3
    assert sync_status(ctx).waiting == 0 and not sync_status(ctx).last_error


def test_a_restored_old_database_forks_and_blocks_until_a_manager_resolves_it(
        ctx: PosContext, city: CityServer, tmp_path: Path) -> None:
    device = enrol(ctx, city)
    sell(ctx, 2)
    assert run_sync_round(ctx, quick_client).state == "online"
    database = ctx.data_dir / DB_FILENAME
    backup = tmp_path / "backup.sqlite3"
    copy_database(database, backup)
    sell(ctx, 2)
    assert run_sync_round(ctx, quick_client).state == "online"
    uploaded = city.events(device)
    ctx.close()
    put_back(backup, database)

    restored = open_context(ctx.data_dir, clock=fixed_clock(TEST_MOMENT))
    try:
        sell(restored)  # the till sells on: the same seq as an event the city already holds, another hash
        outcome = run_sync_round(restored, quick_client)
        assert outcome.state == "blocked"
        status = sync_status(restored)
        assert status.state == "blocked" and status.blocked is not None
        assert status.blocked["kind"] == "fork" and status.blocked["seq"] == uploaded - 1
        assert city.events(device) == uploaded  # nothing of the fork stored
        assert city.scalar("SELECT count(*) FROM flag WHERE kind = 'fork'") >= 1
        sell(restored)  # selling never stops; uploading does
        blocked_again = run_sync_round(restored, quick_client)
        assert blocked_again.state == "blocked" and blocked_again.upload.contacted is False
        with pytest.raises(InvalidInput):
            clear_block(restored, login(restored, "kasir", DEMO_PINS["kasir"]))
        clear_block(restored, login(restored, "manajer", DEMO_PINS["manajer"]))
        assert sync_status(restored).state != "blocked"
        assert run_sync_round(restored, quick_client).state == "blocked"  # still forked: back it comes
    finally:
        restored.close()


def test_a_revoked_device_is_refused_and_blocked(ctx: PosContext, city: CityServer) -> None:
    from sync.server.enrolment import revoke_device

    device = enrol(ctx, city)
    revoke_device(city.engine, device)
    sell(ctx)
    outcome = run_sync_round(ctx, quick_client)
    assert outcome.state == "blocked"
    blocked = json.loads(json.dumps(sync_status(ctx).blocked))
    assert blocked["kind"] == "refused" and "403" in blocked["detail"]
    assert city.events(device) == 0
    assert link_status(ctx).enrolled


def test_an_unanswered_batch_is_sent_again_unchanged(ctx: PosContext, city: CityServer) -> None:
    device = enrol(ctx, city)
    city.stop()
    assert run_sync_round(ctx, quick_client).state == "offline"
    pending = json.loads(load_sync_settings(ctx)["sync.pending_batch"])
    assert pending["from_seq"] == 1 and pending["count"] == last_seq(ctx)
    sell(ctx)  # a new event does not change the batch that may already have arrived
    city.start()
    assert run_sync_round(ctx, quick_client).state == "online"
    batches = city.scalar("SELECT group_concat(batch_id || ':' || from_seq || '-' || to_seq) FROM upload_batch "
                          "WHERE device_id = :d", d=device)
    assert f"{pending['batch_id']}:1-{pending['count']}" in batches
    assert city.events(device) == last_seq(ctx) and load_sync_settings(ctx)["sync.pending_batch"] == ""


def test_a_city_restored_from_backup_answers_gap_and_the_outlet_sends_again(
        ctx: PosContext, city: CityServer, tmp_path: Path) -> None:
    device = enrol(ctx, city)
    assert run_sync_round(ctx, quick_client).state == "online"
    early = city.events(device)
    city.stop()
    city_file = tmp_path / "city.sqlite3"
    copy = tmp_path / "city-backup.sqlite3"
    copy_database(city_file, copy)
    city.start()
    sell(ctx, 3)
    assert run_sync_round(ctx, quick_client).state == "online"
    assert city.events(device) == early + 3
    city.stop()
    city.engine.dispose()
    put_back(copy, city_file)
    city.start()
    assert city.events(device) == early  # the city lost three acknowledged events
    sell(ctx)
    outcome = run_sync_round(ctx, quick_client)
    assert outcome.state == "online" and outcome.upload.acked_through == last_seq(ctx)
    assert city.events(device) == last_seq(ctx) == early + 4


def test_big_events_go_in_batches_under_the_size_limit(ctx: PosContext, city: CityServer) -> None:
    device = enrol(ctx, city)
    assert run_sync_round(ctx, quick_client).state == "online"
    with ctx.unit_of_work() as uow:
        for _ in range(300):  # 6 KB of random base64 each (~4.5 KB gzipped): 300 events are over 1 MiB gzipped
            append_event(uow.connection, type="note", body={"text": secrets.token_urlsafe(4500)}, at=ctx.clock())
        uow.commit()
    first, texts = read_pending(ctx, last_seq(ctx) - 299)
    identity = load_identity(ctx)
    assert identity is not None
    wire = signed_wire(identity.private_key, device_id=device, outlet_id=link_status(ctx).outlet_id, events=first,
                       batch_id=str(uuid.uuid4()), sent_at="2026-11-30T02:15:00Z", body_texts=texts)
    assert len(compress_body(wire)) > MAX_BODY_BYTES
    outcome = run_sync_round(ctx, quick_client)
    assert (outcome.state, outcome.upload.sent) == ("online", 300)
    assert city.events(device) == last_seq(ctx)
    sizes = city.scalar("SELECT max(to_seq - from_seq + 1) FROM upload_batch WHERE device_id = :d", d=device)
    assert sizes < 300


def test_the_batch_bytes_built_from_the_journal_text_are_the_signed_body_in_canonical_form(ctx: PosContext) -> None:
    """The upload joins each body's stored text instead of encoding it again: byte for byte what
    `build_batch` + `sign_batch` + canonical encoding make of the same events."""
    sell(ctx, 3)
    events, texts = read_pending(ctx, 1)
    assert len(events) >= 3 and texts == [canon(event["body"]).decode() for event in events]
    key = generate_private_key()
    fields = {"device_id": str(uuid.uuid4()), "outlet_id": str(uuid.uuid4()), "batch_id": str(uuid.uuid4()),
              "sent_at": "2026-11-30T02:15:00Z"}
    wire = signed_wire(key, events=events, body_texts=texts, **fields)
    assert wire == encode_body(sign_batch(key, build_batch(events=events, **fields)))
    tampered = [*texts[:-1], texts[-1].replace("}", ',"x":1}', 1)]
    with pytest.raises(ProtocolError) as caught:
        signed_wire(key, events=events, body_texts=tampered, **fields)
    assert caught.value.code == "bad_hash"


def test_a_revoked_device_with_nothing_to_send_learns_it_from_the_master_pull(ctx: PosContext,
                                                                                city: CityServer) -> None:
    from sync.server.enrolment import revoke_device

    device = enrol(ctx, city)
    assert run_sync_round(ctx, quick_client).state == "online"
    revoke_device(city.engine, device)
    outcome = run_sync_round(ctx, quick_client)
    assert outcome.state == "blocked" and outcome.upload.contacted is False
    assert sync_status(ctx).blocked["kind"] == "refused"  # type: ignore[index]


def test_a_batch_that_does_not_link_to_the_city_chain_is_resent_with_overlap_and_reported_as_fork(
        ctx: PosContext, city: CityServer, tmp_path: Path) -> None:
    """Local journal rewritten below its acknowledged cursor: the city answers gap at the very seq we sent, so
    the till sends one acknowledged event along and the city names the fork instead of a gap for ever."""
    from kkmp_pos.services.sync_link import ACKED_THROUGH, write_settings

    device = enrol(ctx, city)
    sell(ctx)
    database = ctx.data_dir / DB_FILENAME
    backup = tmp_path / "backup.sqlite3"
    copy_database(database, backup)
    sell(ctx)
    assert run_sync_round(ctx, quick_client).state == "online"
    uploaded = city.events(device)
    ctx.close()
    put_back(backup, database)
    restored = open_context(ctx.data_dir, clock=fixed_clock(TEST_MOMENT))
    try:
        sell(restored)  # the restored till reaches the city's last seq with other events...
        assert last_seq(restored) >= uploaded
        with restored.unit_of_work() as uow:  # ...and believes them acknowledged
            write_settings(uow.connection, {ACKED_THROUGH: str(uploaded)})
            uow.commit()
        sell(restored)
        outcome = run_sync_round(restored, quick_client)
        assert outcome.state == "blocked"
        blocked = sync_status(restored).blocked
        assert blocked is not None and blocked["kind"] == "fork" and blocked["seq"] <= uploaded
        assert city.events(device) == uploaded
    finally:
        restored.close()
