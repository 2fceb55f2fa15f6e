"""100 tills uploading at once into PostgreSQL over real HTTP, with resends, overlaps and cut connections.

Ten outlets of ten devices each; every device runs in its own thread, released together by a barrier, and
uploads its 30 sales in small batches, some overlapping what is already stored, and after most
acknowledgements replays one of its earlier batches byte for byte (out of order). A third of the devices go
through the fault proxy, which cuts requests and answers mid-stream; each cut batch is resent as is.
Exactly once: every device's rows are seq 1..N with its own hashes, no event_id twice, every last
acknowledgement is N; no 5xx and no deadlock (PostgreSQL's own counter); the sales facts equal the sum of
the sale events.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
import requests
from sqlalchemy import Engine, func, select, text

from sync.client.errors import Offline, ServerError, UnexpectedResponse
from sync.client.transport import CityClient
from sync.protocol.errors import ProtocolError
from sync.protocol.receipts import verify_ack
from sync.server.store.schema import device, journal_event, sales_day
from tests.sync.faultproxy import FaultProxy
from tests.sync.helpers.db import stored_chain
from tests.sync.helpers.devices import Till, enrol_till, new_outlet

OUTLETS = 10
PER_OUTLET = 10
EVENTS = 30
PROXIED_EVERY = 3
"""Every third device talks through the cutting proxy."""
MAX_TRIES = 60


def _deadlocks(engine: Engine) -> int:
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_stat_clear_snapshot()"))
        return int(connection.execute(text(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")).scalar_one())


def _plan(rng: random.Random) -> list[tuple[int, int]]:
    """(from_seq, to_seq) batches covering 1..EVENTS; about a third start a few seqs back (an overlap)."""
    batches, acked = [], 0
    while acked < EVENTS:
        start = acked + 1 - (min(acked, rng.randint(1, 3)) if acked and rng.random() < 0.35 else 0)
        end = min(EVENTS, acked + rng.randint(1, 5))
        batches.append((start, end))
        acked = end
    return batches


class Uploader:
    """One till's whole run: its plan, resends after cuts, replays of old batches; what it saw."""

    def __init__(self, till: Till, base_url: str, proxied: bool, seed: int) -> None:
        self.till, self.base_url, self.proxied = till, base_url, proxied
        self.rng = random.Random(seed)
        self.last_ack = 0
        self.attempts = self.sends = self.replays = 0
        self.failures: list[str] = []

    def _send(self, client: CityClient, body: dict[str, Any]) -> int:
        """POST until an acknowledgement comes back; its verified `acked_through`."""
        self.sends += 1
        for _try in range(MAX_TRIES):
            self.attempts += 1
            try:
                answer = client.upload(self.till.device_id, body)
                return verify_ack(self.till.server_public_key, device_id=self.till.device_id,
                                  ack=answer).acked_through
            except (Offline, UnexpectedResponse, ProtocolError):
                if not self.proxied:
                    raise
        raise AssertionError(f"{self.till.device_id}: no acknowledgement in {MAX_TRIES} tries")

    def run(self, start: threading.Barrier) -> None:
        session = requests.Session()
        if self.proxied:  # one connection per request, so the proxy's per-connection cut plan hits each upload
            session.headers["Connection"] = "close"
        sent: list[dict[str, Any]] = []
        try:
            with CityClient(self.base_url, token=self.till.token, max_attempts=1, timeout=(10, 60),
                            session=session) as client:
                start.wait()
                for first, last in _plan(self.rng):
                    body = self.till.body(first, last)
                    acked = self._send(client, body)
                    if acked != last:
                        self.failures.append(f"batch {first}..{last} acknowledged through {acked}")
                    self.last_ack = acked
                    sent.append(body)
                    if self.rng.random() < 0.6:  # an old batch replayed: a duplicate, acknowledged as is
                        self.replays += 1
                        again = self._send(client, self.rng.choice(sent))
                        if again != self.last_ack:
                            self.failures.append(f"replay acknowledged through {again}, not {self.last_ack}")
        except ServerError as error:
            self.failures.append(f"server error: {error}")
        except Exception as error:  # noqa: BLE001 - every failure is reported with its device below
            self.failures.append(f"{type(error).__name__}: {error}")
        finally:
            session.close()


@pytest.mark.parametrize("city_db_url", ["postgresql"], indirect=True)
def test_a_hundred_devices_at_once_store_every_event_exactly_once(
        city_engine: Engine, live_server: str,
        fault_proxy: Callable[..., AbstractContextManager[FaultProxy]]) -> None:
    tills: list[Till] = []
    for n in range(OUTLETS):
        outlet_id = new_outlet(city_engine, name=f"KKMP Uji {n + 1:02d}")["outlet_id"]
        for k in range(PER_OUTLET):
            till = enrol_till(city_engine, outlet_id=outlet_id, seed=9000 + n * PER_OUTLET + k,
                              name=f"Kasir {k + 1}")
            till.sell(EVENTS)
            tills.append(till)
    deadlocks_before = _deadlocks(city_engine)
    with fault_proxy(seed=100, cut_fraction=0.3, max_up=2048, max_down=512) as proxy:
        uploaders = [Uploader(till, proxy.url if i % PROXIED_EVERY == 0 else live_server,
                              proxied=i % PROXIED_EVERY == 0, seed=i) for i, till in enumerate(tills)]
        start = threading.Barrier(len(uploaders))
        threads = [threading.Thread(target=u.run, args=(start,), name=f"till-{i}") for i, u in enumerate(uploaders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=240)
        assert not any(thread.is_alive() for thread in threads), "an upload thread hung"
    stats = proxy.stats

    failures = {u.till.device_id: u.failures for u in uploaders if u.failures}
    assert not failures, failures
    assert [u.last_ack for u in uploaders] == [EVENTS] * len(uploaders)
    for till in tills:
        assert stored_chain(city_engine, till.device_id) == [(e["seq"], e["hash"]) for e in till.events]
    with city_engine.connect() as connection:
        rows, distinct_ids = connection.execute(
            select(func.count(), func.count(journal_event.c.event_id.distinct()))).one()
        positions = dict(connection.execute(select(device.c.id, device.c.last_seq)).all())
        flagged = connection.execute(select(func.count()).select_from(device)
                                     .where(device.c.forked_at_seq.is_not(None))).scalar_one()
        facts = {(row.outlet_id, row.business_date): (row.sales_count, row.sales_total)
                 for row in connection.execute(select(sales_day))}
    assert rows == distinct_ids == len(tills) * EVENTS
    assert positions == {till.device_id: EVENTS for till in tills} and flagged == 0
    expected: dict[tuple[str, str], tuple[int, int]] = {}
    for till in tills:
        for event in till.events:
            key = (till.outlet_id, event["body"]["business_date"])
            count, total = expected.get(key, (0, 0))
            expected[key] = (count + 1, total + event["body"]["total"])
    assert facts == expected

    # The faults and the races really happened: cuts both ways, replays, resends after cuts.
    assert stats.cut_up > 5 and stats.cut_down > 5, stats
    assert sum(u.replays for u in uploaders) > len(uploaders)
    proxied = [u for u in uploaders if u.proxied]
    assert sum(u.attempts for u in proxied) > sum(u.sends for u in proxied)  # cut uploads were resent

    # PostgreSQL counts deadlocks per database; the server's backends report theirs when they end.
    city_engine.dispose()
    for _wait in range(20):
        if (after := _deadlocks(city_engine)) != deadlocks_before:
            break
        time.sleep(0.1)
    assert after == deadlocks_before
