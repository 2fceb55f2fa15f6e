"""Real city servers for tests: uvicorn in a background thread, or the `kkmp-city-server serve` process."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests
import uvicorn

from sync.server.devdb import free_port

HOST = "127.0.0.1"
START_TIMEOUT = 60.0


@contextlib.contextmanager
def uvicorn_in_thread(app: Any) -> Iterator[str]:
    """Serve `app` on a socket of its own on 127.0.0.1; yields the base URL; stops gracefully on exit."""
    # proto=IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted sockets only then; without it every
    # keep-alive request waits ~40 ms (Nagle against the client's delayed ACK).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="auto",
                            timeout_graceful_shutdown=5, timeout_keep_alive=5)
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # SystemExit on a failed startup, too: the test thread reports it
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if failure or not thread.is_alive():
                raise RuntimeError(f"uvicorn did not start: {failure[0] if failure else 'thread ended'}")
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start in time")
            time.sleep(0.01)
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
        if thread.is_alive():
            raise RuntimeError("uvicorn did not stop")
    if failure:
        raise RuntimeError(f"uvicorn failed: {failure[0]!r}")


def city_server_command() -> list[str]:
    """`kkmp-city-server` from the venv the tests run in (the entry point `pip install -e .` made)."""
    script = Path(sys.executable).parent / "kkmp-city-server"
    if script.exists():
        return [str(script)]
    found = shutil.which("kkmp-city-server")
    if found:
        return [found]
    return [sys.executable, "-m", "sync.server.cli"]


@contextlib.contextmanager
def city_server_process(db_url: str, *, env: dict[str, str] | None = None) -> Iterator[str]:
    """`kkmp-city-server serve --db URL --host 127.0.0.1 --port P` as a child process; yields its base URL.

    Stopped with SIGTERM (uvicorn's graceful shutdown), killed only if it does not stop in time.
    """
    last_output = ""
    for _attempt in range(3):
        port = free_port(HOST)
        command = [*city_server_command(), "serve", "--db", db_url, "--host", HOST, "--port", str(port)]
        # A file, not a pipe: a chatty server must never block on a full pipe nobody reads.
        with tempfile.TemporaryFile() as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                       env={**os.environ, **(env or {})})
            base_url = f"http://{HOST}:{port}"
            try:
                if _wait_healthy(process, base_url):
                    yield base_url
                    return
            finally:
                _stop(process)
                log.seek(0)
                last_output = log.read()[-4000:].decode("utf-8", "replace")
    raise RuntimeError(f"kkmp-city-server serve did not start:\n{last_output}")


def _wait_healthy(process: subprocess.Popen[bytes], base_url: str) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    with requests.Session() as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False  # e.g. the port was taken in between: the caller tries another
            with contextlib.suppress(requests.ConnectionError):
                if session.get(base_url + "/v1/health", timeout=5).status_code == 200:
                    return True
            time.sleep(0.05)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
