"""Typed errors of the outlet's sync transport: what went wrong talking to the city server, and what to do."""

from __future__ import annotations


class SyncError(Exception):
    """Base of every error the sync client raises."""


class InsecureTransport(SyncError, ValueError):
    """The server URL is not https:// (plain http:// is allowed only to a loopback address); nothing was sent."""


class Offline(SyncError):
    """The server could not be reached (timeouts, refused or reset connections) even after retrying."""

    def __init__(self, detail: str, *, attempts: int) -> None:
        super().__init__(f"server unreachable after {attempts} attempt(s): {detail}")
        self.detail = detail
        self.attempts = attempts


class TLSError(SyncError):
    """The server's TLS certificate could not be verified (or the handshake failed); never retried."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"TLS verification failed: {detail}")
        self.detail = detail


class HTTPError(SyncError):
    """The server answered with an error status; `code` and `detail` come from its JSON error body."""

    def __init__(self, status: int | None, code: str, detail: str) -> None:
        super().__init__(f"{status if status is not None else '-'} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail


class Refused(HTTPError):
    """401/403: unknown or revoked token, another device's token, or a wrong/used/expired enrolment code."""


class BadRequest(HTTPError):
    """400/413/422: the server will never accept this request as sent; resending it is pointless."""


class ServerError(HTTPError):
    """5xx or 429 still failing after retries; `retry_after` (seconds) is set when the server asked for a pause."""

    def __init__(
        self, status: int | None, code: str, detail: str, *, attempts: int, retry_after: float | None = None
    ) -> None:
        super().__init__(status, code, detail)
        self.attempts = attempts
        self.retry_after = retry_after


class UnexpectedResponse(HTTPError):
    """An answer the protocol does not define (another status, a body that is not a JSON object, a redirect)."""


class Fork(SyncError):
    """409 fork: the server holds a different event at `seq`; stop uploading and alert the manager."""

    def __init__(self, seq: int, detail: str = "") -> None:
        super().__init__(f"fork at seq {seq}" + (f": {detail}" if detail else ""))
        self.seq = seq
        self.detail = detail


class Gap(SyncError):
    """409 gap: the server expects `expected_seq` next; resend from there."""

    def __init__(self, expected_seq: int, detail: str = "") -> None:
        super().__init__(f"gap: server expects seq {expected_seq}" + (f": {detail}" if detail else ""))
        self.expected_seq = expected_seq
        self.detail = detail
