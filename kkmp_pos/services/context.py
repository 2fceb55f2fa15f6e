"""What every service call needs: the open store, the data directory and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from kkmp_pos.domain.clock import Clock, system_clock
from kkmp_pos.services.uow import UnitOfWork
from kkmp_pos.store.db import DB_FILENAME, open_store


@dataclass
class PosContext:
    """Handed to every service function; the UI holds one for the life of the app."""

    engine: Engine
    data_dir: Path
    clock: Clock = field(default=system_clock)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def close(self) -> None:
        self.engine.dispose()


def open_context(data_dir: Path, clock: Clock = system_clock) -> PosContext:
    """Open (creating and migrating if needed) the outlet database inside `data_dir`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return PosContext(engine=open_store(data_dir / DB_FILENAME), data_dir=data_dir, clock=clock)
