"""One city server per transport × database, shared by the contract tests (each test makes its own outlet)."""

from __future__ import annotations

import contextlib
import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from sqlalchemy import Engine

from sync.client.transport import CityClient
from sync.server.devdb import ThrowawayCluster
from tests.sync.helpers.inprocess import INPROCESS_BASE, TestClient, inprocess_session
from tests.sync.helpers.servers import city_server_process, uvicorn_in_thread

TRANSPORTS = ["inprocess", "uvicorn", "process"]
"""TestClient behind a requests adapter (no socket); uvicorn in a thread on 127.0.0.1; `kkmp-city-server serve`."""
COMBOS = [f"{transport}-{db}" for transport, db in itertools.product(TRANSPORTS, ["sqlite", "postgresql"])]


@dataclass
class City:
    """A running city server and the test's own handle on its database."""

    base_url: str
    engine: Engine
    transport: str
    db: str
    _testclient: Any = None
    _sessions: list[requests.Session] = field(default_factory=list)

    def session(self) -> requests.Session:
        """A requests session that reaches this server (in-process ones go through the TestClient adapter)."""
        made = inprocess_session(self._testclient) if self._testclient is not None else requests.Session()
        self._sessions.append(made)
        return made

    def client(self, token: str | None = None, **options: Any) -> CityClient:
        """The outlet's real `CityClient`; never sleeps between retries, at most 2 attempts."""
        options.setdefault("sleep", lambda _seconds: None)
        options.setdefault("max_attempts", 2)
        return CityClient(self.base_url, token=token, session=self.session(), **options)

    def close_sessions(self) -> None:
        for session in self._sessions:
            session.close()
        self._sessions.clear()


@pytest.fixture(scope="session", params=COMBOS)
def city(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    from sync.server.store.db import open_database

    transport, db = request.param.split("-")
    with contextlib.ExitStack() as stack:
        if db == "sqlite":
            url = f"sqlite+pysqlite:///{tmp_path_factory.mktemp('city') / 'city.sqlite3'}"
        else:
            cluster: ThrowawayCluster = request.getfixturevalue("pg_cluster")
            name = f"contract_{transport}_{uuid.uuid4().hex[:12]}"
            url = cluster.create_database(name)
            stack.callback(cluster.drop_database, name)
        engine = open_database(url)
        stack.callback(engine.dispose)
        if transport == "process":
            city = City(stack.enter_context(city_server_process(url)), engine, transport, db)
        else:
            from sync.server.app import create_app

            app = create_app(engine)
            if transport == "uvicorn":
                city = City(stack.enter_context(uvicorn_in_thread(app)), engine, transport, db)
            else:
                testclient = stack.enter_context(TestClient(app, base_url=INPROCESS_BASE,
                                                            raise_server_exceptions=False))
                city = City(INPROCESS_BASE, engine, transport, db, _testclient=testclient)
        stack.callback(city.close_sessions)
        yield city
