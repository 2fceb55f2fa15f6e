"""Unit of work: one SQLite transaction per service call; it rolls back unless committed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kkmp_pos.domain.errors import PosError, StorageError, StorageFull
from kkmp_pos.store.db import BEGIN_OPTION


def storage_problem(exc: BaseException) -> PosError | None:
    """StorageFull or StorageError for SQLite's "disk full" and I/O errors (raw or wrapped); None otherwise.

    SQLite rolls the whole transaction back on both, so the caller can say plainly that nothing was saved.
    """
    raw = exc.orig if isinstance(exc, DBAPIError) else exc
    if not isinstance(raw, sqlite3.Error):
        return None
    code = getattr(raw, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None  # extended codes keep the primary in the low byte
    if primary == sqlite3.SQLITE_FULL or "database or disk is full" in str(raw):
        return StorageFull()
    if primary == sqlite3.SQLITE_IOERR or "disk I/O error" in str(raw):
        return StorageError(detail=getattr(raw, "sqlite_errorname", None) or str(raw))
    return None


class UnitOfWork:
    """`with UnitOfWork(engine) as uow: ...; uow.commit()` - anything not committed is rolled back."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._committed = False
        self._session: Session | None = None

    def __enter__(self) -> UnitOfWork:
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of deadlocking on upgrade.
        self.connection: Connection = self._engine.connect().execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
        self._transaction = self.connection.begin()
        return self

    @property
    def session(self) -> Session:
        """An ORM session joined to this transaction, made on first use (the sale path uses Core only)."""
        if self._session is None:
            self._session = Session(bind=self.connection, autoflush=False, expire_on_commit=False)
        return self._session

    def commit(self) -> None:
        if self._session is not None:
            self._session.flush()
        self._transaction.commit()
        self._committed = True

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if not self._committed and self._transaction.is_active:
                self._transaction.rollback()
        finally:
            if self._session is not None:
                self._session.close()
            self.connection.close()
        # Every service gets the same plain message for a full or failing disk, instead of a raw SQLite error.
        problem = storage_problem(exc) if exc is not None else None
        if problem is not None:
            raise problem from exc


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for quick reads in autocommit mode (no BEGIN/COMMIT round trip on the scan path)."""
    try:
        with engine.connect().execution_options(**{BEGIN_OPTION: None}) as connection:
            yield connection
    except DBAPIError as exc:
        problem = storage_problem(exc)
        if problem is None:
            raise
        raise problem from exc
