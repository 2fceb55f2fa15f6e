"""The idle WAL checkpoint copies committed pages back into the database file."""

from __future__ import annotations

from kkmp_pos.services.context import PosContext
from kkmp_pos.services.maintenance import checkpoint_wal


def test_passive_checkpoint_moves_the_wal_into_the_database(ctx: PosContext) -> None:
    first = checkpoint_wal(ctx)
    assert not first.busy
    assert first.checkpointed_pages == first.wal_pages
    db_file = ctx.data_dir / "kkmp_pos.sqlite3"
    assert db_file.stat().st_size > 100_000  # the seeded catalogue is in the main file now
