"""What every service call needs: the open store, the data directory and the clock."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from kkmp_pos.domain.clock import Clock, system_clock
from kkmp_pos.services.nik_vault import convert_clear_niks
from kkmp_pos.services.uow import UnitOfWork
from kkmp_pos.store.backup_file import BACKUP_DIRNAME, discard_clear_nik_copies
from kkmp_pos.store.db import DB_FILENAME, open_store


@dataclass
class PosContext:
    """Handed to every service function; the UI holds one for the life of the app."""

    engine: Engine
    data_dir: Path
    clock: Clock = field(default=system_clock)

    _local: threading.local = field(default_factory=threading.local, init=False, repr=False)
    _kept: list[Any] = field(default_factory=list, init=False, repr=False)
    _kept_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def quick_reader(self) -> sqlite3.Connection:
        """This thread's kept autocommit connection, for the scan path's one-row reads.

        Checking a pooled connection out and back in costs ~80 us, ten times the indexed lookup itself;
        a connection kept per thread (never shared between threads) removes that from every scan.
        """
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            pooled = self.engine.raw_connection()
            with self._kept_lock:
                self._kept.append(pooled)
            connection = pooled.driver_connection
            self._local.connection = connection
        return connection

    def close(self) -> None:
        with self._kept_lock:
            kept, self._kept = self._kept, []
        for pooled in kept:
            pooled.close()
        self._local = threading.local()
        self.engine.dispose()


def open_context(data_dir: Path, clock: Clock = system_clock) -> PosContext:
    """Open (creating and migrating if needed) the outlet database inside `data_dir`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_store(data_dir / DB_FILENAME)
    if convert_clear_niks(engine, data_dir):  # a database from before NIK encryption keeps no clear NIK...
        discard_clear_nik_copies(data_dir / BACKUP_DIRNAME)  # ...nor does its pre-migration copy
    return PosContext(engine=engine, data_dir=data_dir, clock=clock)
