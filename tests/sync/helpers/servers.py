"""Real city servers for tests: uvicorn in a background thread, or the `kkmp-city-server serve` process."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import requests

from sync.server.devdb import free_port
from sync.server.threaded import serve_in_thread

HOST = "127.0.0.1"
START_TIMEOUT = 60.0


uvicorn_in_thread = serve_in_thread
"""Serve an app on 127.0.0.1 in a thread for a `with` block (the server package's own helper)."""


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
