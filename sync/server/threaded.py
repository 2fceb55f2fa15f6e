"""The city app under uvicorn in a background thread on 127.0.0.1: for tests, the bench and local tools."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

HOST = "127.0.0.1"
START_TIMEOUT = 60.0


class ThreadedServer:
    """`app` served on its own loopback socket; `stop()` and `start()` again keep the same port."""

    def __init__(self, app: Any, port: int = 0) -> None:
        self.app = app
        self.port = port
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self._failure: list[BaseException] = []

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> str:
        """Serve until `stop()`; returns the base URL once uvicorn accepts connections."""
        import uvicorn

        # proto=IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted sockets only then; without it every
        # keep-alive request waits ~40 ms (Nagle against the client's delayed ACK).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, self.port))
        self.port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="auto",
                                               timeout_graceful_shutdown=5, timeout_keep_alive=5))
        failure: list[BaseException] = []

        def run() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as exc:  # SystemExit on a failed startup too: the caller's thread reports it
                failure.append(exc)

        thread = threading.Thread(target=run, name=f"uvicorn-{self.port}", daemon=True)
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if failure or not thread.is_alive():
                sock.close()
                raise RuntimeError(f"uvicorn did not start: {failure[0] if failure else 'thread ended'}")
            if time.monotonic() > deadline:
                server.should_exit = True
                raise RuntimeError("uvicorn did not start in time")
            time.sleep(0.01)
        self._server, self._thread, self._sock, self._failure = server, thread, sock, failure
        return self.url

    def stop(self) -> None:
        """Graceful shutdown; RuntimeError if the thread does not end or the server failed while running."""
        if self._server is None:
            return
        assert self._thread is not None and self._sock is not None
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._sock.close()
        alive, failure = self._thread.is_alive(), self._failure
        self._server = self._thread = self._sock = None
        if alive:
            raise RuntimeError("uvicorn did not stop")
        if failure:
            raise RuntimeError(f"uvicorn failed: {failure[0]!r}")


@contextlib.contextmanager
def serve_in_thread(app: Any) -> Iterator[str]:
    """`ThreadedServer(app)` for the length of a `with` block; yields the base URL."""
    server = ThreadedServer(app)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
