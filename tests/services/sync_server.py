"""A real city server for the outlet's sync tests: create_app on an SQLite file, uvicorn on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import Engine, text

from sync.client.transport import CityClient

HOST = "127.0.0.1"
START_TIMEOUT = 60.0


def quick_client(url: str, token: str | None) -> CityClient:
    """Few, short retries: a test of "offline" must not wait for the real backoff."""
    return CityClient(url, token=token, max_attempts=2, initial_delay=0.01, max_delay=0.05, timeout=(2, 30))


class CityServer:
    """The city server the lead's team wrote, running for real; `stop()` and `start()` again on the same port."""

    def __init__(self, db_path: Path) -> None:
        from sync.server.store.db import open_database

        self.engine: Engine = open_database(f"sqlite+pysqlite:///{db_path}")
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> str:
        from sync.server.app import create_app

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(create_app(self.engine), log_level="warning", access_log=False, lifespan="auto",
                                timeout_graceful_shutdown=5, timeout_keep_alive=5)
        server = uvicorn.Server(config)
        failure: list[BaseException] = []

        def run() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as exc:  # noqa: BLE001 - reported by the test thread
                failure.append(exc)

        thread = threading.Thread(target=run, name=f"city-{self.port}", daemon=True)
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if failure or not thread.is_alive():
                raise RuntimeError(f"city server did not start: {failure[0] if failure else 'thread ended'}")
            if time.monotonic() > deadline:
                raise RuntimeError("city server did not start in time")
            time.sleep(0.01)
        self._server, self._thread, self._sock = server, thread, sock
        return self.url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.should_exit = True
        assert self._thread is not None and self._sock is not None
        self._thread.join(timeout=30)
        self._sock.close()
        if self._thread.is_alive():
            raise RuntimeError("city server did not stop")
        self._server = self._thread = self._sock = None

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
