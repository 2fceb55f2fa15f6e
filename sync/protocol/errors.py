"""Typed protocol refusals whose `code` maps to the HTTP status SYNC_PROTOCOL.md prescribes."""

from __future__ import annotations

from typing import Final

STATUS: Final[dict[str, int]] = {
    "bad_json": 400,  # not UTF-8 JSON, duplicate keys, NaN/Infinity, nested too deep
    "bad_shape": 422,  # well-formed JSON of the wrong shape: keys, types, formats
    "float_not_allowed": 422,  # a float anywhere in the body
    "too_large": 413,  # more than MAX_EVENTS events (or MAX_BODY_BYTES on the wire)
    "bad_key": 422,  # a public key that is not strict base64 of 32 raw bytes
    "bad_signature": 400,  # signature missing, mis-encoded or not valid for canon(batch)
    "bad_hash": 400,  # an event's hash does not match its fields
    "bad_chain": 400,  # seq/prev_hash linkage inside the batch, or from_seq/prev_hash, broken
    "bad_receipt": 502,  # client side only: the server's acknowledgement does not verify
}
"""Every ProtocolError code and its HTTP status (the server answers `{"error": code, "detail": ...}`)."""


class ProtocolError(ValueError):
    """A body or signature that breaks the wire contract; `status` is the HTTP answer for it."""

    def __init__(self, code: str, detail: str) -> None:
        if code not in STATUS:
            raise ValueError(f"unknown protocol error code {code!r}")
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail

    @property
    def status(self) -> int:
        return STATUS[self.code]

    def as_json(self) -> dict[str, str]:
        """The error body of SYNC_PROTOCOL.md."""
        return {"error": self.code, "detail": self.detail}
