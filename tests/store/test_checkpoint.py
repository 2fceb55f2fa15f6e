"""No sale commit checkpoints the WAL: it grows while selling, and the idle checkpoint empties it afterwards."""

from __future__ import annotations

import hashlib
import random
import struct
from pathlib import Path

from kkmp_pos.bench.carts import cash_for, random_cart
from kkmp_pos.bench.crash_child import _products
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.maintenance import checkpoint_wal
from kkmp_pos.services.outlet import default_cashier
from kkmp_pos.services.sales import complete_sale
from kkmp_pos.services.uow import reading
from kkmp_pos.store.db import DB_FILENAME, JOURNAL_SIZE_LIMIT_BYTES, WAL_AUTOCHECKPOINT_PAGES

SQLITE_DEFAULT_AUTOCHECKPOINT = 1_000


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _wal_frames(ctx: PosContext) -> int:
    """Frames in the WAL now: `mxFrame` of the wal-index header (offset 16 of the -shm file, native order).

    The -wal file's size says nothing once the WAL restarts: new frames overwrite old ones from the start.
    """
    shm = (ctx.data_dir / f"{DB_FILENAME}-shm").read_bytes()
    return int(struct.unpack_from("=I", shm, 16)[0])


def test_every_connection_defers_sqlites_own_checkpoint_to_the_cap(ctx: PosContext) -> None:
    with reading(ctx.engine) as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == WAL_AUTOCHECKPOINT_PAGES
        assert connection.exec_driver_sql("PRAGMA journal_size_limit").scalar_one() == JOURNAL_SIZE_LIMIT_BYTES
    assert ctx.quick_reader().execute("PRAGMA wal_autocheckpoint").fetchone()[0] == WAL_AUTOCHECKPOINT_PAGES


def test_sales_only_append_to_the_wal_and_the_idle_checkpoint_moves_it_back(ctx: PosContext) -> None:
    db_file = ctx.data_dir / DB_FILENAME
    rng = random.Random(8)
    products = _products(ctx)
    cashier = default_cashier(ctx).id

    def sell() -> None:
        cart = random_cart(rng, products, rng.randint(1, 6))
        complete_sale(ctx, cart, [cash_for(cart.total, rng)], cashier_id=cashier)

    first = checkpoint_wal(ctx)
    assert not first.busy and first.checkpointed_pages == first.wal_pages
    sell()  # the WAL restarts from its beginning
    main_file = _digest(db_file)
    frames = [_wal_frames(ctx)]
    # Well past SQLite's default of 1,000 pages, which would have checkpointed inside one of these commits.
    while frames[-1] <= SQLITE_DEFAULT_AUTOCHECKPOINT * 3 // 2:
        sell()
        frames.append(_wal_frames(ctx))
        assert len(frames) < 2_000

    # Each commit only appended frames, and not one page was copied back into the database file.
    assert all(later > earlier for earlier, later in zip(frames, frames[1:], strict=False))
    assert _digest(db_file) == main_file

    idle = checkpoint_wal(ctx)  # between customers
    assert not idle.busy
    assert idle.wal_pages == frames[-1] and idle.checkpointed_pages == idle.wal_pages
    assert _digest(db_file) != main_file
    assert checkpoint_wal(ctx).checkpointed_pages == idle.wal_pages  # nothing new since: all copied already

    # The next sale restarts the WAL at its first frame and cuts the file back to the limit.
    wal_peak = (ctx.data_dir / f"{DB_FILENAME}-wal").stat().st_size
    assert wal_peak > JOURNAL_SIZE_LIMIT_BYTES
    sell()
    assert (ctx.data_dir / f"{DB_FILENAME}-wal").stat().st_size <= JOURNAL_SIZE_LIMIT_BYTES
    assert _wal_frames(ctx) < 100
