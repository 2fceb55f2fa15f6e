"""A real city server for the outlet's sync tests: create_app on an SQLite file, uvicorn on 127.0.0.1."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from sync.client.transport import CityClient
from sync.server.threaded import ThreadedServer


def quick_client(url: str, token: str | None) -> CityClient:
    """Few, short retries: a test of "offline" must not wait for the real backoff."""
    return CityClient(url, token=token, max_attempts=2, initial_delay=0.01, max_delay=0.05, timeout=(2, 30))


class CityServer:
    """The city server the lead's team wrote, running for real; `stop()` and `start()` again on the same port."""

    def __init__(self, db_path: Path) -> None:
        from sync.server.app import create_app
        from sync.server.store.db import open_database

        self.engine: Engine = open_database(f"sqlite+pysqlite:///{db_path}")
        self._server = ThreadedServer(create_app(self.engine))

    @property
    def url(self) -> str:
        return self._server.url

    def start(self) -> str:
        return self._server.start()

    def stop(self) -> None:
        self._server.stop()

    def new_outlet(self, name: str = "KKMP Lempake") -> dict[str, str]:
        from sync.server.enrolment import create_outlet

        return create_outlet(self.engine, name=name, kelurahan_code="64.72.05.1004")

    def new_code(self, outlet_id: str) -> str:
        from sync.server.enrolment import new_enrolment_code

        return new_enrolment_code(self.engine, outlet_id)["enrolment_code"]

    def publish(self, path: Path) -> dict[str, Any]:
        from sync.server.master import publish_master_csv

        return publish_master_csv(self.engine, path)

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()

    def events(self, device_id: str) -> int:
        return int(self.scalar("SELECT count(*) FROM journal_event WHERE device_id = :d", d=device_id) or 0)

    def close(self) -> None:
        self.stop()
        self.engine.dispose()


@contextmanager
def running_city(tmp_path: Path) -> Iterator[CityServer]:
    """A started city server on a fresh SQLite file; stopped and disposed afterwards."""
    city = CityServer(tmp_path / "city.sqlite3")
    try:
        city.start()
        yield city
    finally:
        city.close()


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite file (the backup API, as a real backup would take it)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


def put_back(copy: Path, database: Path) -> None:
    """Restore an old copy over a closed database file (its WAL and shared memory go with the old state)."""
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(copy, database)


def linked_demo_till(city: CityServer, data_dir: Path, clock: Any) -> tuple[Any, dict[str, str], str]:
    """A demo outlet in `data_dir` with its shift open, enrolled at `city` as a new outlet's till.

    Returns (ctx, the outlet as `city.new_outlet` made it, the device id)."""
    from kkmp_pos.services.context import open_context
    from kkmp_pos.services.demo import seed_demo
    from kkmp_pos.services.outlet import default_cashier
    from kkmp_pos.services.shifts import open_shift
    from kkmp_pos.services.sync_link import enroll

    outlet = city.new_outlet()
    ctx = open_context(data_dir, clock=clock)
    seed_demo(ctx)
    open_shift(ctx, cashier_id=default_cashier(ctx).id, counts={100_000: 1})
    device = enroll(ctx, city.url, outlet["enrolment_code"], "Kasir 1", client_factory=quick_client).device_id
    return ctx, outlet, device
