"""≥ 200 uploads through a proxy that cuts connections mid-request and mid-answer: every event stored once."""

from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import AbstractContextManager

import requests
from sqlalchemy import Engine

from sync.client.errors import Offline, UnexpectedResponse
from sync.client.transport import CityClient
from sync.protocol.errors import ProtocolError
from sync.protocol.receipts import verify_ack
from tests.sync.faultproxy import FaultProxy
from tests.sync.helpers.db import device_position, stored_chain
from tests.sync.helpers.devices import enrol_till

UPLOADS = 200
MAX_TRIES = 60
"""Per batch; at a 50 % cut rate the chance of needing more is below 10⁻¹⁸."""


def fresh_connections() -> requests.Session:
    """A session that asks for one connection per request, so the proxy's per-connection plan hits each upload."""
    session = requests.Session()
    session.headers["Connection"] = "close"
    return session


def test_every_event_is_stored_exactly_once_and_acknowledged(
        city_engine: Engine, fault_proxy: Callable[..., AbstractContextManager[FaultProxy]]) -> None:
    till = enrol_till(city_engine, seed=200)
    rng = random.Random(20261130)
    sizes = [rng.randint(1, 4) for _ in range(UPLOADS)]
    till.sell(sum(sizes))
    total = len(till.events)
    acked, attempts, lost_acks, truncated = 0, 0, 0, 0
    # A request is ~1–2 kB, an answer ~0.4 kB: offsets drawn over those ranges cut inside both.
    with fault_proxy(seed=7, cut_fraction=0.5, max_up=2048, max_down=512) as proxy, \
            fresh_connections() as session, \
            CityClient(proxy.url, token=till.token, max_attempts=1, timeout=(5, 10), session=session) as client:
        for size in sizes:
            body = till.body(acked + 1, acked + size)  # one batch, resent as is until acknowledged
            for _try in range(MAX_TRIES):
                attempts += 1
                try:
                    answer = client.upload(till.device_id, body)
                    receipt = verify_ack(till.server_public_key, device_id=till.device_id, ack=answer)
                except (Offline, UnexpectedResponse, ProtocolError) as failure:
                    truncated += not isinstance(failure, Offline)
                    if device_position(city_engine, till.device_id)[0] >= acked + size:
                        lost_acks += 1  # stored, but the answer was cut: the resend must be a duplicate
                    continue
                break
            else:
                raise AssertionError(f"batch from seq {acked + 1} never acknowledged in {MAX_TRIES} tries")
            assert receipt.acked_through == acked + size
            assert receipt.last_hash == till.events[acked + size - 1]["hash"]
            acked = receipt.acked_through
    stats = proxy.stats

    assert acked == total  # nothing left unacknowledged
    assert stored_chain(city_engine, till.device_id) == [(e["seq"], e["hash"]) for e in till.events]
    assert device_position(city_engine, till.device_id) == (total, till.events[-1]["hash"], None)
    # The faults really happened, both ways, and some answers were lost after the server had committed.
    assert attempts > UPLOADS
    assert stats.cut_up > 10 and stats.cut_down > 10, stats
    assert lost_acks > 0
    assert truncated <= attempts - UPLOADS


def test_the_real_client_retries_by_itself_through_cuts(
        city_engine: Engine, fault_proxy: Callable[..., AbstractContextManager[FaultProxy]]) -> None:
    """The client's own loop (backoff skipped) resends the same bytes after a cut; only exhaustion surfaces."""
    till = enrol_till(city_engine, seed=201)
    till.sell(60)
    acked = 0
    delays: list[float] = []
    with fault_proxy(seed=8, cut_fraction=0.4, max_up=2048, max_down=512) as proxy, \
            fresh_connections() as session, \
            CityClient(proxy.url, token=till.token, max_attempts=8, timeout=(5, 10), sleep=delays.append,
                       rng=random.Random(1), session=session) as client:
        while acked < len(till.events):
            body = till.body(acked + 1, min(acked + 3, len(till.events)))
            try:
                answer = client.upload(till.device_id, body)
                acked = verify_ack(till.server_public_key, device_id=till.device_id, ack=answer).acked_through
            except (Offline, UnexpectedResponse, ProtocolError):
                continue  # the next round resends from the last acknowledged seq, as the outlet's sync does
    assert stored_chain(city_engine, till.device_id) == [(e["seq"], e["hash"]) for e in till.events]
    assert proxy.stats.cuts > 0
    assert delays and all(0 < delay <= 300 for delay in delays)  # backoff was asked for after each cut
