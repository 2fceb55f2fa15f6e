"""Housekeeping that must stay off the payment path: the idle-time WAL checkpoint."""

from __future__ import annotations

from dataclasses import dataclass

from kkmp_pos.services.context import PosContext
from kkmp_pos.services.uow import reading


@dataclass(frozen=True, slots=True)
class CheckpointResult:
    busy: bool
    wal_pages: int
    checkpointed_pages: int


def checkpoint_wal(ctx: PosContext) -> CheckpointResult:
    """PASSIVE checkpoint: copies what it can from the WAL without waiting on readers or writers.

    Called from an idle timer between customers. SQLite's own checkpoint is pushed back to
    WAL_AUTOCHECKPOINT_PAGES (store.db), a cap it reaches only if this never runs, so no sale commit pays for
    copying the WAL back; once everything is copied the next write restarts the WAL and cuts the file back
    to JOURNAL_SIZE_LIMIT_BYTES.
    """
    # Outside any transaction: an open read snapshot of our own would hold the checkpoint back.
    with reading(ctx.engine) as connection:
        busy, log, done = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    return CheckpointResult(busy=bool(busy), wal_pages=int(log), checkpointed_pages=int(done))
