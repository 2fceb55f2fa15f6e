"""The cutting proxy itself, against a real HTTP server on 127.0.0.1: clean passes, cuts both ways, seeded."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.sync.faultproxy import FaultProxy

PAYLOAD = b"x" * 3000


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - the http.server naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        answer = b"got %d bytes" % len(body)
        self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a reset from the proxy is the point of these tests, not an error worth a traceback


@pytest.fixture
def echo_server() -> Iterator[tuple[str, int]]:
    server = _QuietServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield ("127.0.0.1", server.server_address[1])
    server.shutdown()
    server.server_close()
    thread.join()


def _post_fresh(url: str) -> str:
    """One request on its own connection: the outcome, 'ok' or the requests exception's class name."""
    with requests.Session() as session:
        try:
            response = session.post(url, data=PAYLOAD, timeout=10)
        except requests.RequestException as exc:
            return type(exc).__name__
    return "ok" if response.status_code == 200 and response.text == f"got {len(PAYLOAD)} bytes" else "bad"


def test_passes_everything_when_no_connection_is_cut(echo_server: tuple[str, int]) -> None:
    with FaultProxy(echo_server, seed=1, cut_fraction=0.0) as proxy:
        outcomes = [_post_fresh(proxy.url + "/") for _ in range(20)]
    assert outcomes == ["ok"] * 20
    assert proxy.stats.connections == 20
    assert proxy.stats.cuts == 0


def test_cuts_requests_and_answers_and_never_corrupts_what_gets_through(echo_server: tuple[str, int]) -> None:
    with FaultProxy(echo_server, seed=2, cut_fraction=0.7, max_up=len(PAYLOAD) + 200, max_down=150) as proxy:
        outcomes = [_post_fresh(proxy.url + "/") for _ in range(80)]
    assert proxy.stats.connections == 80
    assert proxy.stats.cut_up > 5
    assert proxy.stats.cut_down > 5
    # Every clean connection answered right; every failure is a cut. A FIN inside the answer's headers can
    # reach the client as a "200" with a truncated body ("bad"): the sync client must not trust such a body
    # (it checks the signed receipt), which the fault tests through the real server exercise.
    assert outcomes.count("ok") >= proxy.stats.clean
    assert len(outcomes) - outcomes.count("ok") <= proxy.stats.cuts
    assert set(outcomes) - {"ok"} <= {"ConnectionError", "ChunkedEncodingError", "bad"}


def test_the_plan_is_seeded(echo_server: tuple[str, int]) -> None:
    plans = []
    for _ in range(2):
        with FaultProxy(echo_server, seed=99, cut_fraction=0.5) as proxy:
            for _ in range(15):
                _post_fresh(proxy.url + "/")
        plans.append(proxy.stats.planned)
    assert plans[0] == plans[1]
    assert any(direction is None for direction, _ in plans[0])
    assert any(direction is not None for direction, _ in plans[0])
