"""Dashboard login lockout kept in the database: 5 failed logins lock a username for 60 s in every server process."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from sync.server.clock import rfc3339
from sync.server.store.schema import dashboard_login_failure as failure

FORGET_AFTER = timedelta(days=1)
"""Failure counts untouched this long (and not locked) are swept, so invented names cannot pile up."""
MAX_NAME = 64


def _key(username: str) -> str:
    # NUL dropped: PostgreSQL text refuses it, and a name with one can never log in anyway.
    return username.replace("\x00", "").strip().lower()[:MAX_NAME]


class LoginLockout:
    """Per username, 5 failed logins lock it for 60 s; one count for all server processes.

    Every change is one atomic upsert in the database (the row lock serialises two processes failing at once on
    PostgreSQL; SQLite serialises writers anyway), so neither a second process nor a restart resets a lock.
    """

    def __init__(self, engine: Engine, *, limit: int = 5, lock_seconds: int = 60) -> None:
        self.engine = engine
        self.limit = limit
        self.lock = timedelta(seconds=lock_seconds)

    def locked(self, username: str, now: datetime) -> bool:
        with self.engine.connect() as connection:
            until = connection.execute(select(failure.c.locked_until).where(failure.c.username == _key(username))
                                       ).scalar()
        return until is not None and rfc3339(now) < until

    def failed(self, username: str, now: datetime) -> None:
        key, stamp = _key(username), rfc3339(now)
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        expired = and_(failure.c.locked_until.is_not(None), failure.c.locked_until <= stamp)
        statement = insert(failure).values(username=key, failures=1, locked_until=None, updated_at=stamp)
        statement = statement.on_conflict_do_update(index_elements=[failure.c.username], set_={
            # A lock that has run out starts the count again.
            "failures": case((expired, 1), else_=failure.c.failures + 1),
            "locked_until": case((expired, None), else_=failure.c.locked_until),
            "updated_at": stamp,
        })
        with self.engine.begin() as connection:
            connection.execute(delete(failure).where(
                failure.c.updated_at < rfc3339(now - FORGET_AFTER),
                failure.c.locked_until.is_(None) | (failure.c.locked_until <= stamp)))
            connection.execute(statement)
            connection.execute(update(failure).where(failure.c.username == key, failure.c.failures >= self.limit)
                               .values(failures=0, locked_until=rfc3339(now + self.lock)))

    def succeeded(self, username: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(failure).where(failure.c.username == _key(username)))
