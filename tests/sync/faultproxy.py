"""A TCP proxy on 127.0.0.1 that cuts connections at random byte offsets, in either direction (seeded)."""

from __future__ import annotations

import contextlib
import random
import selectors
import socket
import struct
import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import Literal

Direction = Literal["up", "down"]
"""`up` = client → server (the request), `down` = server → client (the answer)."""

_CHUNK = 64 * 1024
_POLL = 0.05


@dataclass
class ProxyStats:
    """What the proxy did, so a test can show that both kinds of cut really happened."""

    connections: int = 0
    cut_up: int = 0
    cut_down: int = 0
    clean: int = 0
    planned: list[tuple[Direction | None, int]] = field(default_factory=list)

    @property
    def cuts(self) -> int:
        return self.cut_up + self.cut_down


class FaultProxy:
    """Forwards 127.0.0.1:port → target; `cut_fraction` of the connections are cut after a random offset.

    Each cut connection picks a direction and a byte offset (uniform in `[0, max_up]` for a request,
    `[0, max_down]` for an answer); after forwarding exactly that many bytes in that direction both sockets
    are reset (SO_LINGER 0 → RST), or half of the time closed with a FIN, which a client sees as a truncated
    message. A connection whose traffic ends before its offset passes clean. The RNG is seeded: the plan of
    the n-th accepted connection is the same on every run.
    """

    def __init__(self, target: tuple[str, int], *, seed: int, cut_fraction: float = 0.5, max_up: int = 4096,
                 max_down: int = 600) -> None:
        self.target = target
        self.cut_fraction = cut_fraction
        self.max_up = max_up
        self.max_down = max_down
        self.stats = ProxyStats()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(128)
        self._listener.settimeout(_POLL)
        self.port: int = self._listener.getsockname()[1]
        self._acceptor = threading.Thread(target=self._accept_loop, name=f"faultproxy-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        self._acceptor.start()
        return self

    def close(self) -> None:
        """Stop accepting, end every open connection, join every thread."""
        self._stop.set()
        if self._acceptor.is_alive():
            self._acceptor.join(timeout=10)
        self._listener.close()
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout=10)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- internals ---------------------------------------------------------------------------------------

    def _plan(self) -> tuple[Direction | None, int, bool]:
        with self._lock:
            self.stats.connections += 1
            if self._rng.random() >= self.cut_fraction:
                plan: tuple[Direction | None, int, bool] = (None, 0, False)
            else:
                direction: Direction = self._rng.choice(("up", "down"))
                limit = self.max_up if direction == "up" else self.max_down
                plan = (direction, self._rng.randint(0, limit), self._rng.random() < 0.5)
            self.stats.planned.append(plan[:2])
            return plan

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            direction, offset, reset = self._plan()
            thread = threading.Thread(target=self._pump, args=(client, direction, offset, reset), daemon=True)
            with self._lock:
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)
            thread.start()

    def _pump(self, client: socket.socket, direction: Direction | None, offset: int, reset: bool) -> None:
        client.settimeout(10)
        try:
            upstream = socket.create_connection(self.target, timeout=10)
        except OSError:
            client.close()
            return
        for sock in (client, upstream):  # forward each chunk at once, as a router would
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        budget = {"up": offset if direction == "up" else None, "down": offset if direction == "down" else None}
        ends = {"up": (client, upstream), "down": (upstream, client)}
        open_dirs = {"up", "down"}
        cut: Direction | None = None
        selector = selectors.DefaultSelector()
        try:
            selector.register(client, selectors.EVENT_READ, "up")
            selector.register(upstream, selectors.EVENT_READ, "down")
            while open_dirs and cut is None and not self._stop.is_set():
                for key, _ in selector.select(timeout=_POLL):
                    way: Direction = key.data
                    source, sink = ends[way]
                    try:
                        data = source.recv(_CHUNK)
                    except OSError:
                        data = b""
                    left = budget[way]
                    if left is not None and len(data) >= left:
                        # Forward exactly `left` bytes, then cut (an empty read still counts: cut at the end).
                        _send(sink, data[:left])
                        cut = way
                        break
                    if left is not None:
                        budget[way] = left - len(data)
                    if not data:
                        selector.unregister(source)
                        open_dirs.discard(way)
                        _half_close(sink)
                        continue
                    if not _send(sink, data):
                        open_dirs.clear()
                        break
        finally:
            selector.close()
            if cut is not None:
                for sock in (client, upstream):
                    if reset:
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    else:
                        _half_close(sock)
            client.close()
            upstream.close()
            with self._lock:
                if cut == "up":
                    self.stats.cut_up += 1
                elif cut == "down":
                    self.stats.cut_down += 1
                else:
                    self.stats.clean += 1


def _send(sock: socket.socket, data: bytes) -> bool:
    try:
        sock.sendall(data)
    except OSError:
        return False
    return True


def _half_close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
