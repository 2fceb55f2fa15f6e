"""A `requests` transport adapter that hands each request to starlette's TestClient: the app in-process."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # httpx is the pinned client (pyproject); this starlette would prefer httpx2 and says so once, at import.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

INPROCESS_BASE = "http://127.0.0.1:1"
"""A loopback URL (so the client's http-only-to-loopback rule holds) that never reaches a socket."""


class TestClientAdapter(BaseAdapter):
    """Sends every request of a `requests.Session` to the ASGI app through TestClient (no socket)."""

    __test__ = False  # not a test class, whatever its name says

    def __init__(self, client: TestClient) -> None:
        super().__init__()
        self.client = client

    def send(self, request: requests.PreparedRequest, stream: bool = False,  # noqa: ARG002
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Mapping[str, str] | None = None) -> requests.Response:
        parts = urlsplit(request.url or "")
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        body = request.body.encode("utf-8") if isinstance(request.body, str) else request.body
        answer = self.client.request(request.method or "GET", target, content=body,
                                     headers=dict(request.headers), follow_redirects=False)
        response = requests.Response()
        response.status_code = answer.status_code
        # httpx already undid any Content-Encoding of the answer: drop the header so requests does not again.
        headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-encoding"}
        response.headers = CaseInsensitiveDict(headers)
        response._content = answer.content
        response.encoding = answer.encoding
        response.url = request.url or ""
        response.request = request
        response.reason = answer.reason_phrase
        return response

    def close(self) -> None:
        pass


def inprocess_session(client: TestClient) -> requests.Session:
    """A session whose requests to `INPROCESS_BASE` go to the app in-process."""
    session = requests.Session()
    session.mount(INPROCESS_BASE + "/", TestClientAdapter(client))
    return session
