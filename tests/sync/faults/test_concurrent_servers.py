"""Two `kkmp-city-server` processes on one database, the same batch racing into both: stored once, one key."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import Engine

from sync.protocol.receipts import verify_ack
from tests.sync.helpers.db import stored_chain
from tests.sync.helpers.devices import enrol_till
from tests.sync.helpers.servers import city_server_process

BATCHES = 25
RACERS = 4


def test_the_same_batch_racing_into_two_server_processes_is_stored_once(city_db_url: str,
                                                                         city_engine: Engine) -> None:
    till = enrol_till(city_engine, seed=600)
    till.sell(BATCHES * 3)
    local = threading.local()

    def post(base_url: str, body: dict[str, object]) -> requests.Response:
        if not hasattr(local, "session"):
            local.session = requests.Session()
            sessions.append(local.session)
        return local.session.post(f"{base_url}/v1/devices/{till.device_id}/journal", json=body, timeout=60,
                                  headers={"Authorization": f"Bearer {till.token}"})

    sessions: list[requests.Session] = []
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(city_server_process(city_db_url)) for _ in range(2)]
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=RACERS))
        stack.callback(lambda: [session.close() for session in sessions])
        for k in range(BATCHES):
            body = till.body(3 * k + 1, 3 * k + 3)
            answers = list(pool.map(lambda i, b=body: post(servers[i % 2], b), range(RACERS)))
            assert [a.status_code for a in answers] == [200] * RACERS, [a.text for a in answers]
            for answer in answers:  # every process signs with the one server key stored in the database
                receipt = verify_ack(till.server_public_key, device_id=till.device_id, ack=answer.json())
                assert (receipt.acked_through, receipt.last_hash) == (3 * k + 3, till.events[3 * k + 2]["hash"])
    assert stored_chain(city_engine, till.device_id) == [(e["seq"], e["hash"]) for e in till.events]
