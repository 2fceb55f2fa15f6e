"""The sync HTTP transport against a real, scripted HTTP server on 127.0.0.1 (never any other host)."""

from __future__ import annotations

import datetime as dt
import gzip
import ipaddress
import json
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from sync.client.errors import (
    BadRequest,
    Fork,
    Gap,
    InsecureTransport,
    Offline,
    Refused,
    ServerError,
    TLSError,
    UnexpectedResponse,
)
from sync.client.transport import CityClient, backoff_delay, check_base_url, parse_retry_after

Action = Callable[[BaseHTTPRequestHandler], None]

BATCH: dict[str, Any] = {
    "batch": {
        "device_id": "0b7d5c1e-6a43-4c55-9f0e-3a1f6f3f9a01",
        "outlet_id": "5f1c2b7a-0d6e-4f8b-8a61-2c3d4e5f6a7b",
        "batch_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "from_seq": 1,
        "prev_hash": "0" * 64,
        "sent_at": "2026-11-30T10:15:00+08:00",
        "events": [{"seq": 1, "type": "sale", "body": {"total": 18500, "note": "Gula pasir 1 kg ✓"}}],
    },
    "sig": "c2lnbmF0dXJl",
}
ACK = {
    "acked_through": 1,
    "last_hash": "ab" * 32,
    "server_time": "2026-11-30T02:15:01+00:00",
    "receipt_sig": "cmVjZWlwdA==",
    "master_latest_version": 3,
}


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Script:
    """What the server answers, one action per request in order; the last action repeats."""

    actions: list[Action] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_action(self, request: Received) -> Action:
        with self.lock:
            self.received.append(request)
            return self.actions.pop(0) if len(self.actions) > 1 else self.actions[0]


def reply(
    status: int, body: Any = None, headers: dict[str, str] | None = None, *, date: bool = True
) -> Action:
    """A complete JSON answer."""

    def act(handler: BaseHTTPRequestHandler) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        if date:
            handler.send_response(status)
        else:
            handler.send_response_only(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    return act


def cut_mid_body(handler: BaseHTTPRequestHandler) -> None:
    """Promise 200 bytes of JSON, send a few, then drop the connection."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "200")
    handler.end_headers()
    handler.wfile.write(b'{"acked_thro')
    handler.wfile.flush()
    handler.close_connection = True
    handler.connection.shutdown(socket.SHUT_RDWR)


def hang_up(handler: BaseHTTPRequestHandler) -> None:
    """Read the request and close the connection without a word."""
    handler.close_connection = True
    handler.connection.shutdown(socket.SHUT_RDWR)


def stall(seconds: float) -> Action:
    def act(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        handler.close_connection = True

    return act


def make_handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            script.next_action(request)(self)

        do_GET = _serve
        do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # stalled or cut connections are the point of some tests


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def server(script: Script) -> Iterator[str]:
    httpd = QuietServer(("127.0.0.1", 0), make_handler(script))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@dataclass
class Sleeps:
    seen: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.seen.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def client_for(url: str, sleeps: Sleeps, **kwargs: Any) -> CityClient:
    kwargs.setdefault("token", "tok-123")
    kwargs.setdefault("timeout", (2, 5))
    return CityClient(url, sleep=sleeps, rng=random.Random(7), **kwargs)


# -- success paths and what the server received -------------------------------------------------------


def test_upload_sends_gzip_json_with_bearer_token(server: str, script: Script, sleeps: Sleeps) -> None:
    script.actions = [reply(200, ACK)]
    with client_for(server, sleeps) as client:
        assert client.upload(BATCH["batch"]["device_id"], BATCH) == ACK
    (request,) = script.received
    assert request.method == "POST"
    assert request.path == f"/v1/devices/{BATCH['batch']['device_id']}/journal"
    assert request.headers["content-encoding"] == "gzip"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == "Bearer tok-123"
    assert json.loads(gzip.decompress(request.body).decode("utf-8")) == BATCH
    assert sleeps.seen == []


def test_enroll_posts_plain_json_and_keeps_the_token(server: str, script: Script, sleeps: Sleeps) -> None:
    answer = {"outlet_id": "o-1", "device_id": "d-1", "token": "new-token", "server_public_key": "c2s="}
    script.actions = [reply(201, answer), reply(200, {"status": "ok"})]
    client = client_for(server, sleeps, token=None)
    assert client.enroll("ABCD-1234", "cHVi", "Kasir 1") == answer
    assert client.token == "new-token"
    request = script.received[0]
    assert (request.method, request.path) == ("POST", "/v1/enroll")
    assert "authorization" not in request.headers
    assert json.loads(request.body) == {"code": "ABCD-1234", "public_key": "cHVi", "device_name": "Kasir 1"}


def test_pull_master_health_and_server_key(server: str, script: Script, sleeps: Sleeps) -> None:
    master = {"version": 4, "snapshot": False, "changes": [], "sig": "c2ln"}
    script.actions = [
        reply(200, master),
        reply(200, {"status": "ok", "version": "1.0"}),
        reply(200, {"public_key": "a2V5"}),
    ]
    client = client_for(server, sleeps)
    assert client.pull_master("o/../1", 3) == master
    assert client.health() == {"status": "ok", "version": "1.0"}
    assert client.server_key() == {"public_key": "a2V5"}
    pull, health, key = script.received
    assert (pull.method, pull.path) == ("GET", "/v1/outlets/o%2F..%2F1/master?since=3")
    assert pull.headers["authorization"] == "Bearer tok-123"
    assert (health.path, key.path) == ("/v1/health", "/v1/server-key")
    assert "authorization" not in health.headers and "authorization" not in key.headers


def test_authenticated_call_without_token_sends_nothing(server: str, script: Script, sleeps: Sleeps) -> None:
    script.actions = [reply(200, ACK)]
    with pytest.raises(Refused) as err:
        client_for(server, sleeps, token=None).upload("d-1", BATCH)
    assert err.value.code == "not_enrolled"
    assert script.received == []


# -- protocol errors -----------------------------------------------------------------------------------


def test_gap_and_fork_are_typed(server: str, script: Script, sleeps: Sleeps) -> None:
    script.actions = [
        reply(409, {"error": "gap", "detail": "missing events", "expected_seq": 12}),
        reply(409, {"error": "fork", "detail": "different hash", "seq": 5}),
    ]
    client = client_for(server, sleeps)
    with pytest.raises(Gap) as gap:
        client.upload("d-1", BATCH)
    assert gap.value.expected_seq == 12
    with pytest.raises(Fork) as fork:
        client.upload("d-1", BATCH)
    assert fork.value.seq == 5
    assert len(script.received) == 2 and sleeps.seen == []


@pytest.mark.parametrize("status", [401, 403])
def test_refused_carries_code_and_detail(server: str, script: Script, sleeps: Sleeps, status: int) -> None:
    script.actions = [reply(status, {"error": "revoked", "detail": "device revoked by Dinas"})]
    with pytest.raises(Refused) as err:
        client_for(server, sleeps).upload("d-1", BATCH)
    assert (err.value.status, err.value.code, err.value.detail) == (
        status,
        "revoked",
        "device revoked by Dinas",
    )
    assert len(script.received) == 1


@pytest.mark.parametrize("status", [400, 413, 422])
def test_bad_request_is_not_retried(server: str, script: Script, sleeps: Sleeps, status: int) -> None:
    script.actions = [reply(status, {"error": "bad_signature", "detail": "sig does not verify"})]
    with pytest.raises(BadRequest) as err:
        client_for(server, sleeps).upload("d-1", BATCH)
    assert (err.value.status, err.value.code) == (status, "bad_signature")
    assert len(script.received) == 1 and sleeps.seen == []


def test_unexpected_answers(server: str, script: Script, sleeps: Sleeps) -> None:
    script.actions = [
        reply(200, [1, 2]),
        reply(302, None, {"Location": "http://example.org/"}),
        reply(404, None),
    ]
    client = client_for(server, sleeps)
    with pytest.raises(UnexpectedResponse):
        client.health()
    with pytest.raises(UnexpectedResponse) as redirect:
        client.health()  # redirects are never followed (no downgrade, no other host)
    assert redirect.value.status == 302
    with pytest.raises(UnexpectedResponse) as missing:
        client.health()
    assert (missing.value.status, missing.value.code) == (404, "http_404")
    assert len(script.received) == 3


# -- retries -------------------------------------------------------------------------------------------


def test_503_twice_then_200_resends_the_same_body(server: str, script: Script, sleeps: Sleeps) -> None:
    busy = reply(503, {"error": "unavailable", "detail": "restarting"})
    script.actions = [busy, busy, reply(200, ACK)]
    assert client_for(server, sleeps).upload("d-1", BATCH) == ACK
    assert len(script.received) == 3
    assert len({r.body for r in script.received}) == 1
    assert len(sleeps.seen) == 2
    assert 0.5 <= sleeps.seen[0] <= 1.0 and 1.0 <= sleeps.seen[1] <= 2.0


def test_429_retry_after_seconds_is_honoured(server: str, script: Script, sleeps: Sleeps) -> None:
    script.actions = [reply(429, {"error": "slow_down", "detail": ""}, {"Retry-After": "7"}), reply(200, ACK)]
    assert client_for(server, sleeps).upload("d-1", BATCH) == ACK
    assert sleeps.seen == [7]
    assert len(script.received) == 2


def test_retry_after_http_date_counts_from_the_server_date(
    server: str, script: Script, sleeps: Sleeps
) -> None:
    sent = dt.datetime(2026, 11, 30, 2, 15, tzinfo=dt.timezone.utc)
    headers = {
        "Date": format_datetime(sent, usegmt=True),
        "Retry-After": format_datetime(sent + dt.timedelta(seconds=120), usegmt=True),
    }
    script.actions = [reply(503, None, headers, date=False), reply(200, ACK)]
    assert client_for(server, sleeps).upload("d-1", BATCH) == ACK
    assert sleeps.seen == [120]


def test_retry_after_beyond_the_cap_gives_up_at_once(server: str, script: Script, sleeps: Sleeps) -> None:
    script.actions = [
        reply(503, {"error": "maintenance", "detail": "back in an hour"}, {"Retry-After": "3600"})
    ]
    with pytest.raises(ServerError) as err:
        client_for(server, sleeps).upload("d-1", BATCH)
    assert (err.value.status, err.value.retry_after, err.value.code) == (503, 3600, "maintenance")
    assert sleeps.seen == [] and len(script.received) == 1


def test_5xx_after_all_attempts_is_server_error(server: str, script: Script, sleeps: Sleeps) -> None:
    script.actions = [reply(500, {"error": "internal", "detail": "oops"})]
    with pytest.raises(ServerError) as err:
        client_for(server, sleeps, max_attempts=4).upload("d-1", BATCH)
    assert (err.value.status, err.value.attempts) == (500, 4)
    assert len(script.received) == 4 and len(sleeps.seen) == 3


def test_connection_cut_mid_response_is_retried(server: str, script: Script, sleeps: Sleeps) -> None:
    script.actions = [cut_mid_body, hang_up, reply(200, ACK)]
    assert client_for(server, sleeps).upload("d-1", BATCH) == ACK
    assert len(script.received) == 3 and len({r.body for r in script.received}) == 1
    assert len(sleeps.seen) == 2


def test_read_timeout_is_retried(server: str, script: Script, sleeps: Sleeps) -> None:
    script.actions = [stall(1.0), reply(200, ACK)]
    assert client_for(server, sleeps, timeout=(2, 0.2)).upload("d-1", BATCH) == ACK
    assert len(script.received) == 2 and len(sleeps.seen) == 1


def test_closed_port_is_offline_after_n_attempts(sleeps: Sleeps) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(Offline) as err:
        client_for(f"http://127.0.0.1:{port}", sleeps, max_attempts=3).health()
    assert err.value.attempts == 3
    assert len(sleeps.seen) == 2


def test_backoff_doubles_from_one_second_to_five_minutes_with_jitter() -> None:
    rng = random.Random(1)
    for failures, base in [(1, 1), (2, 2), (3, 4), (9, 256), (10, 300), (50, 300), (10_000, 300)]:
        for _ in range(20):
            assert base / 2 <= backoff_delay(failures, rng) <= base
    assert len({backoff_delay(5, rng) for _ in range(10)}) > 1


def test_parse_retry_after() -> None:
    assert parse_retry_after("7") == 7
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-3") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10


# -- URL and TLS rules ---------------------------------------------------------------------------------


class NoNetwork(requests.Session):
    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        raise AssertionError("no request may be sent")


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org",
        "http://example.org:8080/kota",
        "http://127.0.0.1.example.org",
        "http://localhost.example.org",
        "http://10.0.0.1",
        "ftp://127.0.0.1",
        "127.0.0.1:8000",
        "https://user:pw@example.org",
    ],
)
def test_insecure_urls_are_refused_before_any_request(url: str) -> None:
    with pytest.raises(InsecureTransport):
        CityClient(url, session=NoNetwork())


@pytest.mark.parametrize(
    "url",
    [
        "https://kota.example.org/",
        "http://127.0.0.1:8000",
        "http://127.9.9.9",
        "http://localhost:1",
        "http://[::1]:80",
    ],
)
def test_https_and_loopback_http_are_accepted(url: str) -> None:
    assert check_base_url(url) == url.rstrip("/")


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kkmp-test")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_server(script: Script, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    cert_path, key_path = _self_signed(tmp_path)
    httpd = QuietServer(("127.0.0.1", 0), make_handler(script))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}", cert_path
    httpd.shutdown()
    httpd.server_close()


def test_self_signed_certificate_is_a_tls_error_not_retried(
    tls_server: tuple[str, Path], script: Script, sleeps: Sleeps
) -> None:
    url, _ = tls_server
    script.actions = [reply(200, {"status": "ok"})]
    insecure = requests.Session()
    insecure.verify = False  # a session configured insecurely still gets verified
    with pytest.raises(TLSError):
        client_for(url, sleeps, session=insecure).health()
    assert sleeps.seen == [] and script.received == []


def test_a_pinned_ca_bundle_is_trusted(tls_server: tuple[str, Path], script: Script, sleeps: Sleeps) -> None:
    url, cert_path = tls_server
    script.actions = [reply(200, {"status": "ok"})]
    assert client_for(url, sleeps, ca_bundle=str(cert_path)).health() == {"status": "ok"}
