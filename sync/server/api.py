"""The sync endpoints `/v1/*` of SYNC_PROTOCOL.md: health, server key, enrolment, journal upload, master data."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from sync.protocol.batch import MAX_BODY_BYTES
from sync.protocol.keys import public_key_b64
from sync.server import SERVER_VERSION
from sync.server.device_auth import device_for_token
from sync.server.enrolment import enroll
from sync.server.errors import ApiError
from sync.server.ingest import ingest_upload
from sync.server.journal_download import MAX_PAGE, journal_page
from sync.server.master import master_since

router = APIRouter(prefix="/v1", tags=["sync"])

MAX_MASTER_VERSION = 2**31 - 1


class ErrorBody(BaseModel):
    error: str
    detail: str


class Health(BaseModel):
    status: str
    version: str


class ServerKey(BaseModel):
    public_key: str = Field(description="standard padded base64 of the raw 32-byte Ed25519 public key")


class EnrollRequest(BaseModel):
    # strict: a number is not a code, a list is not a name; anything else → 422 before the database is touched.
    model_config = ConfigDict(strict=True)
    code: str = Field(max_length=64, description="one-time enrolment code (case, spaces and dashes forgiven)")
    public_key: str = Field(max_length=64, description="b64 raw 32-byte Ed25519 key made on the device")
    device_name: str = Field(min_length=1, max_length=120)


class Enrolled(BaseModel):
    outlet_id: str
    device_id: str
    token: str = Field(description="bearer token, shown only now; the server keeps its hash")
    server_public_key: str


class Ack(BaseModel):
    acked_through: int
    last_hash: str
    server_time: str
    receipt_sig: str
    master_latest_version: int


class MasterChange(BaseModel):
    kind: str
    key: str
    row: dict[str, str]


class JournalEvent(BaseModel):
    seq: int
    event_id: str
    type: str
    schema_v: int
    device_time: str
    master_version: int
    body: dict[str, Any]
    prev_hash: str
    hash: str


class JournalPage(BaseModel):
    device_id: str
    events: list[JournalEvent]
    last_seq: int = Field(description="the device's last stored seq")
    more: bool = Field(description="true when events after this page's last one remain")
    sig: str = Field(description="server Ed25519 over canon of the other fields, standard padded base64")


class MasterBody(BaseModel):
    version: int
    snapshot: bool
    changes: list[MasterChange]
    sig: str



def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these refusals, all `{"error", "detail"}` (+ `seq`/`expected_seq` on 409)."""
    described: dict[int | str, dict[str, Any]] = {status: {"model": ErrorBody} for status in statuses}
    described[503] = {"model": ErrorBody, "description": "database busy or unreachable: retry after Retry-After"}
    return described


JOURNAL_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "`{\"batch\": {...}, \"sig\": b64}` as UTF-8 JSON, optionally gzip "
                       "(Content-Encoding: gzip); at most 1 MiB on the wire and 500 events.",
        "content": {"application/json": {"schema": {
            "type": "object", "required": ["batch", "sig"], "additionalProperties": False,
            "properties": {
                "sig": {"type": "string", "description": "Ed25519 over canon(batch), standard padded base64"},
                "batch": {"type": "object", "required": ["device_id", "outlet_id", "batch_id", "from_seq",
                                                         "prev_hash", "sent_at", "events"]},
            },
        }}},
    }
}


@router.get("/health", response_model=Health)
def health() -> dict[str, str]:
    return {"status": "ok", "version": SERVER_VERSION}


@router.get("/server-key", response_model=ServerKey)
def server_key(request: Request) -> dict[str, str]:
    return {"public_key": public_key_b64(request.app.state.server_key)}


@router.post("/enroll", status_code=201, response_model=Enrolled, responses=errors(400, 403, 422))
def enroll_device(payload: EnrollRequest, request: Request) -> dict[str, str]:
    state = request.app.state
    return enroll(state.engine, payload.code, payload.public_key, payload.device_name, state.server_key)


async def read_capped_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw request body, refused with 413 as soon as it passes `limit` (never buffered beyond it)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise ApiError(400, "bad_request", "Content-Length is not a number")
        if int(declared) > limit:
            raise ApiError(413, "too_large", f"body of {declared} bytes; at most {limit} per batch")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"body above {limit} bytes; at most {limit} per batch")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/devices/{device_id}/journal", response_model=Ack,
             responses=errors(400, 401, 403, 409, 413, 415, 422), openapi_extra=JOURNAL_BODY)
async def upload_journal(device_id: str, request: Request) -> JSONResponse:
    raw = await read_capped_body(request)
    state = request.app.state
    result = await run_in_threadpool(
        ingest_upload, state.engine, device_id=device_id, authorization=request.headers.get("authorization"),
        raw_body=raw, content_encoding=request.headers.get("content-encoding"), server_key=state.server_key)
    return JSONResponse(result)


@router.get("/outlets/{outlet_id}/master", response_model=MasterBody, responses=errors(401, 403, 422))
def pull_master(outlet_id: str, request: Request,
                since: Annotated[int, Query(ge=0, le=MAX_MASTER_VERSION)]) -> JSONResponse:
    state = request.app.state
    with state.engine.connect() as connection:
        device = device_for_token(connection, request.headers.get("authorization"))
    if device.outlet_id != outlet_id:
        raise ApiError(403, "forbidden", "the token belongs to a device of another outlet")
    # JSONResponse directly: the signed body must reach the wire exactly as signed, not re-serialised by a model.
    return JSONResponse(master_since(state.engine, outlet_id, since, state.server_key))


@router.get("/outlets/{outlet_id}/journal", response_model=JournalPage, responses=errors(401, 403, 422))
def download_journal(outlet_id: str, request: Request,
                     device: Annotated[str, Query(min_length=1, max_length=64)],
                     after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
                     limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = MAX_PAGE) -> JSONResponse:
    """A device's stored events after `after` (extension of protocol v1: a restored till takes back its old
    device's events). Bearer token of an active device of the outlet; only devices of that outlet."""
    state = request.app.state
    return JSONResponse(journal_page(state.engine, outlet_id=outlet_id, authorization=request.headers.get(
        "authorization"), device_id=device, after=after, limit=limit, server_key=state.server_key))
