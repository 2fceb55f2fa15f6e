"""Every refusal the city server gives: an HTTP status and the protocol's `{"error", "detail"}` body."""

from __future__ import annotations

from typing import Any

from sync.protocol.errors import ProtocolError


class ApiError(Exception):
    """A 4xx answer: nothing was stored. `extra` adds fields such as `seq` (fork) or `expected_seq` (gap)."""

    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        if not 400 <= status < 500:
            raise ValueError("an ApiError is a client error (4xx): the server never answers bad input with 5xx")
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = extra

    def as_json(self) -> dict[str, Any]:
        return {"error": self.code, "detail": self.detail, **self.extra}

    @classmethod
    def from_protocol(cls, exc: ProtocolError) -> ApiError:
        return cls(exc.status, exc.code, exc.detail)
