"""The city server's FastAPI application: the `/v1` sync API, the dashboard, and JSON errors for every refusal."""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync.server import SERVER_VERSION
from sync.server.api import router as api_router
from sync.server.errors import ApiError
from sync.server.server_key import load_or_create_server_key

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
MAX_DETAIL = 300


def _error(status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status, headers=headers)


def _validation_detail(exc: RequestValidationError) -> tuple[bool, str]:
    """(is the body not JSON at all, a short human summary of what was wrong where)."""
    parts, not_json = [], False
    for err in exc.errors():
        not_json = not_json or err.get("type") == "json_invalid"
        where = ".".join(str(part) for part in err.get("loc", ()))
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return not_json, "; ".join(parts)[:MAX_DETAIL] or "invalid request"


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.as_json(), status_code=exc.status)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    not_json, detail = _validation_detail(exc)
    if not_json:
        return _error(400, "bad_json", detail)
    return _error(422, "bad_request", detail)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    try:
        code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        code = f"http_{exc.status_code}"
    return _error(exc.status_code, code, str(exc.detail)[:MAX_DETAIL], headers=exc.headers)


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # The database is busy (SQLite lock timeout), restarting or unreachable: nothing was stored (the
    # transaction rolled back), so the honest answer is "try again", which the client does after Retry-After.
    log.warning("database unavailable for %s %s: %s", request.method, request.url.path, exc)
    return _error(503, "unavailable", "database busy or unreachable; retry later",
                  headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # A bug in the server, not bad input. It stays a 500 on purpose: a 4xx would tell the outlet its batch
    # is bad for ever and make it stop, whereas a 5xx makes it resend the same batch later (nothing was
    # stored: every write is one transaction), which heals once the bug is fixed. Logged with traceback.
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error(500, "internal", "unexpected server error; nothing was stored, retry later")


def _is_unavailable(exc: DBAPIError) -> bool:
    return isinstance(exc, OperationalError) or bool(exc.connection_invalidated)


async def _dbapi_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if _is_unavailable(exc):
        return await _database_unavailable(request, exc)
    return await _unexpected(request, exc)


def _mount_dashboard(app: FastAPI, engine: Engine) -> None:
    try:
        from sync.server.dashboard.routes import router as dashboard_router
    except ModuleNotFoundError as exc:
        # Only a missing dashboard is skipped; a dashboard that fails to import is a bug and must show.
        if exc.name not in ("sync.server.dashboard", "sync.server.dashboard.routes"):
            raise
        log.info("dashboard not installed: serving the sync API only")
        return
    app.include_router(dashboard_router(engine))


def create_app(engine: Engine, *, dashboard: bool = True) -> FastAPI:
    """The app on a migrated `engine`; the server key is read (or made) once, here.

    `dashboard=False` serves the sync API alone (a city that hosts its dashboard elsewhere).
    """
    app = FastAPI(title="KKMP city server", version=SERVER_VERSION,
                  description="Outlet ↔ city sync protocol v1 (SYNC_PROTOCOL.md) and the Dinas dashboard.")
    app.state.engine = engine
    app.state.server_key = load_or_create_server_key(engine)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _dbapi_error)
    app.add_exception_handler(PoolTimeout, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)
    app.include_router(api_router)
    if dashboard:
        _mount_dashboard(app, engine)
    return app
