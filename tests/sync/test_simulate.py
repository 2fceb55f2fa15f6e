"""Simulated tills: the outlet's exact event shapes, valid signed chains, WITA days, real enrolment and upload."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import Engine, func, select

from kkmp_pos.domain.cart import Cart, Discount
from kkmp_pos.services import refunds
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import iter_events
from kkmp_pos.services.lpg_buyers import BuyerForm, find_buyer, save_buyer
from sync.client.transport import CityClient
from sync.protocol.batch import MAX_BODY_BYTES, MAX_EVENTS, is_rfc3339, validate_body
from sync.protocol.canonical import first_bad_seq
from sync.server.enrolment import create_outlet
from sync.server.ingest import ingest_upload
from sync.server.server_key import load_or_create_server_key
from sync.server.simulate import WITA, DayPlan, SimulatedDevice, gzip_body, wita
from sync.server.store.schema import device, journal_event, sales_day
from tests.services.test_refunds import approve_refund, product, sell
from tests.services.test_shift_close import close

DAY = date(2026, 11, 27)
BUSY = DayPlan(sales=1_000, het_rate=0.01, lpg_over_rate=0.05, refund_rate=0.02, stock_receipt=True,
               stock_count=True, lpg_delivery=True)
FAKE_ENROLMENT = {"outlet_id": "11111111-1111-4111-8111-111111111111",
                  "device_id": "22222222-2222-4222-8222-222222222222", "token": "t", "server_public_key": "k"}


def _device(seed: int = 1) -> SimulatedDevice:
    till = SimulatedDevice(seed=seed)
    till.accept_enrolment(FAKE_ENROLMENT)
    return till


def _first(events: list[dict[str, Any]], kind: str, **where: Any) -> dict[str, Any]:
    return next(e["body"] for e in events if e["type"] == kind and all(e["body"].get(k) == v for k, v in where.items()))


def _real_outlet_events(ctx: PosContext) -> list[dict[str, Any]]:
    """A day at the real till: a sale, a 3 kg sale to a registered buyer, an approved refund, the Z."""
    save_buyer(ctx, BuyerForm(nik="6472 0541 0190 0001", name="Siti Aminah", address="Jl. Lempake 7 RT 3",
                              category="rumah_tangga"))
    cart = Cart()
    cart.add(product(ctx, "8999900000055"), 3000)
    cart.add(product(ctx, "BRS-CURAH"), 1333)
    cart.discount = Discount(percent_bp=300)
    sold = sell(ctx, cart)
    buyer = find_buyer(ctx, "6472054101900001")
    assert buyer is not None
    lpg_cart = Cart()
    lpg_cart.add(product(ctx, "8999900000420"), 1000, lpg_buyer=buyer.ref())
    sell(ctx, lpg_cart)
    line = refunds.refundable_sale(ctx, sold.receipt_no).lines[0]
    refunds.create_refund(ctx, sold.receipt_no, [(line.sale_line_id, 1000)], "tunai",
                          cashier_id=_kasir(ctx), approval_id=approve_refund(ctx, sold.receipt_no), reason="bocor")
    close(ctx, {50_000: 2, 10_000: 5, 100_000: 1, 5_000: 2, 2_000: 1})
    with ctx.engine.connect() as connection:
        return list(iter_events(connection))


def _kasir(ctx: PosContext) -> str:
    from tests.services.test_refunds import user

    return user(ctx, "kasir").id


def test_simulated_bodies_have_exactly_the_outlets_fields(ctx: PosContext) -> None:
    real = _real_outlet_events(ctx)
    simulated = _device().simulate_day(DAY, BUSY)
    for kind in ("shift_open", "shift_close", "refund", "override", "stock_adjustment"):
        assert set(_first(simulated, kind)) == set(_first(real, kind)), kind
    real_sale = next(e["body"] for e in real if e["type"] == "sale" and "lpg" in e["body"]["lines"][0])
    sim_sale = next(e["body"] for e in simulated if e["type"] == "sale" and any("lpg" in x for x in e["body"]["lines"]))
    assert set(sim_sale) == set(real_sale)
    real_lpg_line, sim_lpg_line = real_sale["lines"][0], next(x for x in sim_sale["lines"] if "lpg" in x)
    assert set(sim_lpg_line) == set(real_lpg_line) and set(sim_lpg_line["lpg"]) == set(real_lpg_line["lpg"])
    assert sim_lpg_line["lpg"]["nik_masked"][4:12] == "********"
    assert set(sim_sale["payments"][0]) == set(real_sale["payments"][0])
    real_refund, sim_refund = _first(real, "refund"), _first(simulated, "refund")
    assert set(sim_refund["lines"][0]) == set(real_refund["lines"][0])
    assert set(sim_refund["payment"]) == set(real_refund["payment"])
    # Times are written the way the till writes them (UTC, milliseconds, +00:00).
    assert real[-1]["device_time"][-10:-6] == simulated[-1]["device_time"][-10:-6] == ".000"
    assert real[-1]["device_time"].endswith("+00:00") and simulated[-1]["device_time"].endswith("+00:00")


def test_a_busy_day_is_a_valid_signed_chain_in_batches_of_500() -> None:
    till = _device()
    events = till.simulate_day(DAY, BUSY)
    kinds = Counter(event["type"] for event in events)
    assert kinds["sale"] == 1_000 and kinds["shift_open"] == kinds["shift_close"] == 1
    assert {"override", "refund", "stock_adjustment", "stock_count", "lpg_delivery"} <= set(kinds)
    actions = {event["body"]["action"] for event in events if event["type"] == "override"}
    assert {"price_above_het", "manual_price", "lpg_over_limit", "refund", "close_shift"} <= actions
    assert first_bad_seq(till.pending) is None
    bodies = till.batches()
    assert [len(body["batch"]["events"]) for body in bodies][:-1] == [MAX_EVENTS] * (len(bodies) - 1)
    for body in bodies:
        batch = validate_body(body, till.public_key)
        assert batch.device_id == FAKE_ENROLMENT["device_id"]
        assert len(gzip_body(body)) < MAX_BODY_BYTES
    assert bodies[-1]["batch"]["events"][-1]["seq"] == till.seq == len(events)


def test_times_are_wita_business_hours_and_money_adds_up() -> None:
    till = _device(seed=5)
    events = till.simulate_day(DAY, BUSY) + till.simulate_day(date(2026, 11, 28), DayPlan(sales=50))
    for event in events:
        assert is_rfc3339(event["device_time"])
        local = datetime.fromisoformat(event["device_time"]).astimezone(WITA)
        assert 7 <= local.hour <= 21
        body = event["body"]
        if "business_date" in body:
            assert body["business_date"] == local.date().isoformat()
        if event["type"] == "sale":
            assert body["business_date"] == datetime.fromisoformat(body["sold_at"]).astimezone(WITA).date().isoformat()
            assert sum(line["total"] for line in body["lines"]) == body["total"] == sum(
                payment["amount"] for payment in body["payments"])
            assert body["subtotal"] - body["discount_total"] == body["total"]
            assert all(type(line["qty_milli"]) is int and line["qty_milli"] > 0 for line in body["lines"])
    assert all(type(e["body"].get("total", 0)) is int for e in events)


def test_the_same_seed_gives_the_same_day_and_another_seed_another() -> None:
    first, again, other = _device(7), _device(7), _device(8)
    hashes = [e["hash"] for e in first.simulate_day(DAY, DayPlan(sales=30))]
    assert hashes == [e["hash"] for e in again.simulate_day(DAY, DayPlan(sales=30))]
    assert first.public_key == again.public_key != other.public_key
    ids = {e["event_id"] for e in other.simulate_day(DAY, DayPlan(sales=30))}
    assert not ids & {e["event_id"] for e in first.pending}


def test_today_so_far_has_no_z_and_nothing_after_now() -> None:
    till = _device()
    now = wita(DAY, 11, 30)
    events = till.simulate_day(DAY, DayPlan(sales=200), until=now)
    assert events and all(datetime.fromisoformat(e["device_time"]) <= now for e in events)
    assert "shift_close" not in {e["type"] for e in events}
    assert till.simulate_day(DAY, DayPlan(), until=wita(DAY, 6, 0)) == []


def test_a_restored_backup_sells_again_on_top_of_an_old_chain() -> None:
    till = _device()
    till.simulate_day(DAY, DayPlan(sales=10))
    backup = till.checkpoint()
    sent = till.simulate_day(date(2026, 11, 28), DayPlan(sales=10))
    till.acknowledge(till.seq)
    till.restore(backup)
    again = till.simulate_day(date(2026, 11, 29), DayPlan(sales=10))
    assert again[0]["seq"] == sent[0]["seq"] and again[0]["prev_hash"] == sent[0]["prev_hash"]
    assert again[0]["hash"] != sent[0]["hash"]


def test_enrol_and_upload_over_http_and_in_process(city_engine: Engine, live_server: str) -> None:
    server_key = load_or_create_server_key(city_engine)
    over_http, in_process = SimulatedDevice(seed=11), SimulatedDevice(seed=12)
    with CityClient(live_server) as client:
        over_http.enroll_http(client, create_outlet(city_engine, name="KKMP Uji A",
                                                    kelurahan_code="64.72.05.1003")["enrolment_code"])
        assert client.token == over_http.token
        for day in (DAY, date(2026, 11, 28)):
            over_http.simulate_day(day, DayPlan(sales=40))
            for body in over_http.batches():
                over_http.acknowledge(client.upload(over_http.device_id, body)["acked_through"])
    assert over_http.pending == []
    in_process.enroll_local(city_engine, create_outlet(city_engine, name="KKMP Uji B",
                                                       kelurahan_code="64.72.07.1001")["enrolment_code"], server_key)
    in_process.simulate_day(DAY, DayPlan(sales=25))
    for body in in_process.batches():
        ack = ingest_upload(city_engine, device_id=in_process.device_id, authorization=in_process.authorization,
                            raw_body=gzip_body(body), content_encoding="gzip", server_key=server_key,
                            now=datetime(2026, 11, 27, 13, 0, tzinfo=timezone.utc))
        in_process.acknowledge(ack["acked_through"])
    with city_engine.connect() as connection:
        stored = dict(connection.execute(select(journal_event.c.device_id, func.count())
                                         .group_by(journal_event.c.device_id)).all())
        last = dict(connection.execute(select(device.c.id, device.c.last_seq)).all())
        days = connection.execute(select(func.count()).select_from(sales_day)).scalar_one()
    assert stored == {over_http.device_id: over_http.seq, in_process.device_id: in_process.seq}
    assert last == stored and days == 3
