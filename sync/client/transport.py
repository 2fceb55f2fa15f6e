"""HTTP transport to the city server (SYNC_PROTOCOL.md): TLS, timeouts, gzip, retries with backoff, typed errors."""

from __future__ import annotations

import ipaddress
import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlsplit

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
from sync.protocol.compression import gzip_compress

log = logging.getLogger(__name__)

USER_AGENT = "kkmp-pos-sync/1"
DEFAULT_TIMEOUT: tuple[float, float] = (5, 30)
"""(connect, read) seconds, passed to every request."""
DEFAULT_MAX_ATTEMPTS = 6
"""Attempts per call (1 + retries); the background sync starts a new round later anyway."""
INITIAL_DELAY = 1.0
MAX_DELAY = 300.0

_RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))

def encode_body(body: Mapping[str, Any]) -> bytes:
    """The JSON bytes of a request body, in canonical form (the server's fast check path expects it)."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compress_body(data: bytes) -> bytes:
    """gzip with mtime=0: the very same bytes on every retry, and the size the batch limit is checked on."""
    return gzip_compress(data)


def is_loopback_host(host: str) -> bool:
    """True for `localhost`, 127.0.0.0/8 and ::1: the only hosts plain http:// may talk to."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str) -> str:
    """The base URL without a trailing slash, or InsecureTransport if it is not https:// (or loopback http://)."""
    parts = urlsplit(base_url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if scheme not in ("https", "http") or not host:
        raise InsecureTransport(f"server URL must be https://host[:port][/path], got {base_url!r}")
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise InsecureTransport(f"server URL must not carry credentials, a query or a fragment: {base_url!r}")
    if scheme == "http" and not is_loopback_host(host):
        raise InsecureTransport(
            f"plain http:// is refused for {host!r}: use https:// (http is allowed only to a loopback address)"
        )
    return base_url.rstrip("/")


def backoff_delay(
    failures: int, rng: random.Random, *, initial: float = INITIAL_DELAY, cap: float = MAX_DELAY
) -> float:
    """Seconds to wait after the `failures`-th failure: initial·2^(n-1) capped, jittered into [half, full]."""
    base = min(cap, initial * 2 ** min(max(failures - 1, 0), 62))
    return rng.uniform(base / 2, base)


def parse_retry_after(
    value: str | None, date_header: str | None = None, *, now: float | None = None
) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date, relative to the response's Date if given)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    reference = time.time() if now is None else now
    if date_header:
        try:
            sent = parsedate_to_datetime(date_header)
            if sent is not None and sent.tzinfo is not None:
                reference = sent.timestamp()
        except (TypeError, ValueError, IndexError):
            pass
    return max(0.0, when.timestamp() - reference)


def _error_fields(response: requests.Response) -> tuple[str, str]:
    """`(error, detail)` from the protocol's JSON error body, or a stand-in if the body is something else."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        detail = body.get("detail")
        return body["error"], detail if isinstance(detail, str) else ""
    return f"http_{response.status_code}", response.text[:200]


class CityClient:
    """One city server: enrol, upload signed batches, pull master data; every call timed out, verified, retried."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        initial_delay: float = INITIAL_DELAY,
        max_delay: float = MAX_DELAY,
        ca_bundle: str | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.base_url = check_base_url(base_url)
        self.token = token
        self.timeout = timeout
        self._own_session = session is None
        self.session = session if session is not None else requests.Session()
        self._sleep = sleep
        self._rng = rng if rng is not None else random.Random()
        self.max_attempts = max_attempts
        self.initial_delay = initial_delay
        self.max_delay = max_delay
        # A path to extra trusted CA certificates (a city's private CA); verification itself is never off.
        self._verify: bool | str = ca_bundle if ca_bundle else True

    # -- endpoints ---------------------------------------------------------------------------------------

    def enroll(self, code: str, public_key_b64: str, device_name: str) -> dict[str, Any]:
        """POST /v1/enroll; returns `{outlet_id, device_id, token, server_public_key}` and keeps the token."""
        body = {"code": code, "public_key": public_key_b64, "device_name": device_name}
        result = self._call("POST", "/v1/enroll", json_body=body, auth=False)
        token = result.get("token")
        if isinstance(token, str) and token:
            self.token = token
        return result

    def upload(self, device_id: str, body: Mapping[str, Any] | bytes) -> dict[str, Any]:
        """POST one signed batch `{"batch": ..., "sig": ...}` gzip-compressed; returns the signed acknowledgement.

        `body` is the object, or its canonical JSON bytes as `sync.protocol.batch.signed_wire` makes them.
        """
        path = f"/v1/devices/{quote(str(device_id), safe='')}/journal"
        return self._call("POST", path, json_body=body, auth=True, gzip_body=True)

    def pull_master(self, outlet_id: str, since: int) -> dict[str, Any]:
        """GET the outlet's master data changes after version `since`."""
        path = f"/v1/outlets/{quote(str(outlet_id), safe='')}/master"
        return self._call("GET", path, params={"since": str(int(since))}, auth=True)

    def download_journal(self, outlet_id: str, device_id: str, *, after: int, server_public_key: str,
                         limit: int = 500) -> dict[str, Any]:
        """GET one page of `device_id`'s events after seq `after` (README: extension of protocol v1).

        Returns `{device_id, events, last_seq, more, sig}` only once its shape is right and `sig` verifies
        with the server key from enrolment; UnexpectedResponse ("bad_signature"/"bad_shape") otherwise.
        """
        from sync.protocol.errors import ProtocolError
        from sync.protocol.keys import verify

        path = f"/v1/outlets/{quote(str(outlet_id), safe='')}/journal"
        body = self._call("GET", path, params={"device": str(device_id), "after": str(int(after)),
                                               "limit": str(int(limit))}, auth=True)
        fields = {"device_id", "events", "last_seq", "more", "sig"}
        if (set(body) != fields or body["device_id"] != device_id or type(body["events"]) is not list
                or any(type(event) is not dict for event in body["events"])
                or type(body["last_seq"]) is not int or type(body["more"]) is not bool):
            raise UnexpectedResponse(200, "bad_shape", f"journal page fields: {', '.join(sorted(body))}")
        try:
            verify(server_public_key, {k: v for k, v in body.items() if k != "sig"}, body["sig"])
        except ProtocolError as exc:
            raise UnexpectedResponse(200, "bad_signature", exc.detail) from None
        return body

    def health(self) -> dict[str, Any]:
        """GET /v1/health: `{"status": "ok", "version": ...}`."""
        return self._call("GET", "/v1/health", auth=False)

    def server_key(self) -> dict[str, Any]:
        """GET /v1/server-key: `{"public_key": b64}`."""
        return self._call("GET", "/v1/server-key", auth=False)

    # -- lifecycle ---------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP session if this client made it."""
        if self._own_session:
            self.session.close()

    def __enter__(self) -> CityClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- the one request loop ----------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        json_body: Mapping[str, Any] | bytes | None = None,
        params: Mapping[str, str] | None = None,
        auth: bool,
        gzip_body: bool = False,
    ) -> dict[str, Any]:
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if auth:
            if not self.token:
                raise Refused(None, "not_enrolled", "no device token: enrol this device first")
            headers["Authorization"] = f"Bearer {self.token}"
        data: bytes | None = None
        if json_body is not None:
            data = json_body if isinstance(json_body, bytes) else encode_body(json_body)
            headers["Content-Type"] = "application/json"
            if gzip_body:
                data = compress_body(data)
                headers["Content-Encoding"] = "gzip"
        url = self.base_url + path

        failures = 0
        while True:
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    data=data,
                    headers=headers,
                    timeout=self.timeout,
                    verify=self._verify,
                    allow_redirects=False,
                )
            except requests.exceptions.SSLError as exc:
                raise TLSError(str(exc)) from exc
            except (
                requests.exceptions.Timeout,
                requests.exceptions.ConnectionError,
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
            ) as exc:
                failures += 1
                if failures >= self.max_attempts:
                    raise Offline(f"{type(exc).__name__}: {exc}", attempts=failures) from exc
                delay = backoff_delay(failures, self._rng, initial=self.initial_delay, cap=self.max_delay)
                log.info(
                    "%s %s failed (%s); retry %d in %.1f s", method, path, type(exc).__name__, failures, delay
                )
                self._sleep(delay)
                continue

            status = response.status_code
            if status in _RETRY_STATUSES:
                failures += 1
                code, detail = _error_fields(response)
                retry_after = parse_retry_after(
                    response.headers.get("Retry-After"), response.headers.get("Date")
                )
                if failures >= self.max_attempts or (
                    retry_after is not None and retry_after > self.max_delay
                ):
                    raise ServerError(status, code, detail, attempts=failures, retry_after=retry_after)
                if retry_after is not None:
                    delay = retry_after
                else:
                    delay = backoff_delay(failures, self._rng, initial=self.initial_delay, cap=self.max_delay)
                log.info("%s %s answered %d; retry %d in %.1f s", method, path, status, failures, delay)
                self._sleep(delay)
                continue
            return self._result(response)

    @staticmethod
    def _result(response: requests.Response) -> dict[str, Any]:
        status = response.status_code
        if 200 <= status < 300:
            try:
                body = response.json()
            except ValueError as exc:
                raise UnexpectedResponse(status, "not_json", response.text[:200]) from exc
            if not isinstance(body, dict):
                raise UnexpectedResponse(status, "not_an_object", response.text[:200])
            return body
        code, detail = _error_fields(response)
        if status in (401, 403):
            raise Refused(status, code, detail)
        if status in (400, 413, 422):
            raise BadRequest(status, code, detail)
        if status == 409:
            try:
                body = response.json()
            except ValueError:
                body = None
            if isinstance(body, dict):
                seq, expected = body.get("seq"), body.get("expected_seq")
                if code == "fork" and type(seq) is int:
                    raise Fork(seq, detail)
                if code == "gap" and type(expected) is int:
                    raise Gap(expected, detail)
        raise UnexpectedResponse(status, code, detail)
