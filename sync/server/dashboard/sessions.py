"""Dashboard sessions: a random cookie token (only its sha256 stored), 12 h expiry, one CSRF token each."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select
from starlette.requests import Request
from starlette.responses import Response

from sync.server.clock import rfc3339
from sync.server.dashboard.users import Viewer
from sync.server.store.schema import dashboard_session, dashboard_user
from sync.server.tokens import hash_secret, new_secret, same

SESSION_COOKIE = "kkmp_session"
LOGIN_CSRF_COOKIE = "kkmp_login_csrf"
SESSION_HOURS = 12
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,128}$")


class Session:
    """A live session: the viewer and the CSRF token every POST must carry."""

    def __init__(self, token_hash: str, viewer: Viewer, csrf_token: str) -> None:
        self.token_hash = token_hash
        self.viewer = viewer
        self.csrf_token = csrf_token

    def csrf_ok(self, submitted: str | None) -> bool:
        return bool(submitted) and same(submitted or "", self.csrf_token)


def start_session(engine: Engine, viewer: Viewer, now: datetime) -> str:
    """A new session for `viewer`; returns the cookie token (shown to the browser only)."""
    token = new_secret()
    with engine.begin() as connection:
        # Expired sessions are swept here, at the one moment we write anyway.
        connection.execute(delete(dashboard_session).where(dashboard_session.c.expires_at <= rfc3339(now)))
        connection.execute(insert(dashboard_session).values(
            token_hash=hash_secret(token), user_id=viewer.user_id, csrf_token=new_secret(),
            created_at=rfc3339(now), expires_at=rfc3339(now + timedelta(hours=SESSION_HOURS))))
    return token


def current_session(engine: Engine, request: Request, now: datetime) -> Session | None:
    """The session the request's cookie names, if it is unexpired and its user still active."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 128:
        return None
    token_hash = hash_secret(token)
    with engine.connect() as connection:
        row = connection.execute(select(
            dashboard_user.c.id, dashboard_user.c.username, dashboard_user.c.role, dashboard_user.c.outlet_id,
            dashboard_session.c.csrf_token,
        ).join_from(dashboard_session, dashboard_user, dashboard_session.c.user_id == dashboard_user.c.id).where(
            dashboard_session.c.token_hash == token_hash,
            dashboard_session.c.expires_at > rfc3339(now),
            dashboard_user.c.active.is_(True),
        )).first()
    if row is None:
        return None
    return Session(token_hash, Viewer(row.id, row.username, row.role, row.outlet_id), row.csrf_token)


def end_session(engine: Engine, session: Session) -> None:
    with engine.begin() as connection:
        connection.execute(delete(dashboard_session).where(dashboard_session.c.token_hash == session.token_hash))


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=SESSION_HOURS * 3600, path="/", httponly=True,
                        samesite="strict", secure=_secure(request))


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))


def login_csrf(request: Request) -> str:
    """The pre-session CSRF value for the login form: the cookie's, or a new one to set."""
    existing = request.cookies.get(LOGIN_CSRF_COOKIE)
    if existing and _TOKEN_RE.fullmatch(existing):
        return existing
    return new_secret()


def set_login_csrf_cookie(response: Response, request: Request, value: str) -> None:
    response.set_cookie(LOGIN_CSRF_COOKIE, value, max_age=3600, path="/login", httponly=True,
                        samesite="strict", secure=_secure(request))


def clear_login_csrf_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login", httponly=True, samesite="strict",
                           secure=_secure(request))


def login_csrf_ok(request: Request, submitted: str | None) -> bool:
    """Double submit: the form field must equal the cookie the login page set."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    return bool(cookie) and bool(submitted) and same(cookie or "", submitted or "")
