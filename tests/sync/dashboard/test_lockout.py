"""The dashboard's login lockout lives in the database: two server processes on one database share it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta

import pytest
import requests
from sqlalchemy import Engine, func, select

from sync.server.app import create_app
from sync.server.dashboard.lockout import FORGET_AFTER, LoginLockout
from sync.server.dashboard.routes import router
from sync.server.store.db import make_engine
from sync.server.store.schema import dashboard_login_failure
from tests.sync.dashboard.conftest import MOMENT, PASSWORD, City, Clock, csrf_from
from tests.sync.helpers.servers import uvicorn_in_thread


@pytest.fixture
def two_servers(city: City, city_db_url: str, clock: Clock) -> Iterator[tuple[str, str]]:
    """Two apps, each with its own engine (as two processes would have), served over HTTP on 127.0.0.1."""
    other = make_engine(city_db_url)
    with ExitStack() as stack:
        urls = []
        for engine in (city.engine, other):
            app = create_app(engine, dashboard=False)
            app.include_router(router(engine, now=clock))
            urls.append(stack.enter_context(uvicorn_in_thread(app)))
        yield urls[0], urls[1]
    other.dispose()


def _login(base_url: str, username: str, password: str = PASSWORD) -> int:
    with requests.Session() as browser:
        token = csrf_from(browser.get(f"{base_url}/login", timeout=30).text)
        return browser.post(f"{base_url}/login", data={"username": username, "password": password,
                                                       "csrf_token": token}, allow_redirects=False,
                            timeout=30).status_code


def test_failures_on_two_processes_add_up_and_the_lock_holds_on_both(two_servers: tuple[str, str],
                                                                     clock: Clock) -> None:
    first, second = two_servers
    for url in (first, second, first, second):
        assert _login(url, "kop.sidodadi", "salah") == 401
    assert _login(first, "KOP.Sidodadi ", "salah") == 401  # the fifth, spelled differently: the same name
    assert _login(first, "kop.sidodadi") == 429 and _login(second, "kop.sidodadi") == 429
    assert _login(second, "dinas.kota") == 303  # only that username is locked
    clock.moment += timedelta(seconds=61)
    assert _login(second, "kop.sidodadi") == 303
    for _ in range(4):
        assert _login(first, "kop.sidodadi", "salah") == 401
    assert _login(second, "kop.sidodadi") == 303  # a success forgets the count


def test_a_lock_survives_a_new_process_and_old_counts_are_swept(city: City, city_engine: Engine) -> None:
    lockout = LoginLockout(city_engine)
    for _ in range(5):
        lockout.failed("budi", MOMENT)
    assert LoginLockout(city_engine).locked("budi", MOMENT + timedelta(seconds=59))  # another process, same lock
    assert not LoginLockout(city_engine).locked("budi", MOMENT + timedelta(seconds=60))
    lockout.failed("budi", MOMENT + timedelta(seconds=61))  # after the lock: counting starts again
    for _ in range(3):
        lockout.failed("budi", MOMENT + timedelta(seconds=62))
    assert not lockout.locked("budi", MOMENT + timedelta(seconds=62))
    for n in range(50):
        lockout.failed(f"nama-karangan-{n}", MOMENT)
    lockout.failed("orang-lain", MOMENT + FORGET_AFTER + timedelta(minutes=2))
    with city_engine.connect() as connection:
        names = connection.execute(select(dashboard_login_failure.c.username)).scalars().all()
        assert connection.execute(select(func.count()).select_from(dashboard_login_failure)).scalar_one() == 1
    assert names == ["orang-lain"]  # invented names are swept once a day has passed, "budi" too (unlocked)
