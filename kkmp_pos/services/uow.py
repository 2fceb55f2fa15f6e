"""Unit of work: one SQLite transaction per service call; it rolls back unless committed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from kkmp_pos.store.db import BEGIN_OPTION


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


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for quick reads in autocommit mode (no BEGIN/COMMIT round trip on the scan path)."""
    with engine.connect().execution_options(**{BEGIN_OPTION: None}) as connection:
        yield connection
