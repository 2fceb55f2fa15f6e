"""City server fixtures: one real PostgreSQL server per run, a fresh database per test, live uvicorn servers."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sync.server.devdb import ThrowawayCluster
from tests.sync.faultproxy import FaultProxy
from tests.sync.helpers.servers import uvicorn_in_thread

DATABASES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[ThrowawayCluster]:
    """A real PostgreSQL server started for this test run (initdb + pg_ctl on 127.0.0.1) and stopped after it.

    Only tests that ask for PostgreSQL start it. fsync is off: a test needs correctness, not crash safety
    (the bench starts its own durable cluster).
    """
    cluster = ThrowawayCluster(durable=False)
    cluster.start()
    yield cluster
    cluster.stop()


def _fresh_database(request: pytest.FixtureRequest, kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite+pysqlite:///{tmp_path / 'city.sqlite3'}"
        return
    cluster: ThrowawayCluster = request.getfixturevalue("pg_cluster")
    name = f"t_{uuid.uuid4().hex}"
    url = cluster.create_database(name)
    yield url
    cluster.drop_database(name)


@pytest.fixture(params=DATABASES)
def city_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty city database URL: an SQLite file, or a new database on the session's PostgreSQL."""
    yield from _fresh_database(request, request.param, tmp_path)


@pytest.fixture
def city_engine(city_db_url: str) -> Iterator[Engine]:
    """`open_database(city_db_url)`: migrated, disposed at the end."""
    from sync.server.store.db import open_database

    engine = open_database(city_db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def live_server(city_engine: Engine) -> Iterator[str]:
    """The real FastAPI app (`create_app(city_engine)`) under uvicorn on 127.0.0.1; yields its base URL."""
    from sync.server.app import create_app

    with uvicorn_in_thread(create_app(city_engine)) as base_url:
        yield base_url


@pytest.fixture
def fault_proxy(live_server: str) -> Callable[..., AbstractContextManager[FaultProxy]]:
    """`with fault_proxy(seed=1, cut_fraction=0.5) as proxy:` a cutting proxy in front of `live_server`."""
    host, port = live_server.removeprefix("http://").split(":")

    def make(**options: object) -> AbstractContextManager[FaultProxy]:
        return FaultProxy((host, int(port)), **options)  # type: ignore[arg-type]

    return make
