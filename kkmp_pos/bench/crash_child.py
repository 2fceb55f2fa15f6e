"""`python -m kkmp_pos.bench.crash_child DATA_DIR`: sell in a loop, print each sale id once committed.

The crash loop kills this process with SIGKILL at random moments. A sale id on stdout is an
acknowledgement: complete_sale returned, so the sale must survive any kill that comes after it.
A `~` line just before each complete_sale tells the parent a kill landed inside a sale.
Only the sale path is imported, to keep each restart cheap.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import text

from kkmp_pos.bench.carts import cash_for, random_cart
from kkmp_pos.domain.product import Product
from kkmp_pos.services.catalog import find_by_sku
from kkmp_pos.services.context import PosContext, open_context
from kkmp_pos.services.maintenance import checkpoint_wal
from kkmp_pos.services.outlet import default_cashier
from kkmp_pos.services.sales import complete_sale
from kkmp_pos.services.shifts import current_shift, open_shift

READY = "READY"
"""Printed once imports are done when started with --wait; the parent then sends a line to start."""
SELLING = "~"
"""Printed right before complete_sale is called."""

MAX_LINES = 6
PRODUCT_POOL = 300
CHECKPOINT_EVERY = 20
"""Sales between two WAL checkpoints, as the till's idle timer does between customers (kills land in them too)."""


def _products(ctx: PosContext) -> list[Product]:
    """A few hundred active products (piece and weighed goods), found through the real lookup."""
    with ctx.engine.connect() as connection:
        skus = connection.execute(
            text("SELECT sku FROM product WHERE active ORDER BY id LIMIT :n"), {"n": PRODUCT_POOL}
        ).scalars().all()
    return [p for p in (find_by_sku(ctx, sku) for sku in skus) if p is not None]


def sell_forever(data_dir: Path, seed: int, limit: int | None = None) -> int:
    """Open the outlet like the till does after a restart, then commit sales until killed (or `limit`)."""
    ctx = open_context(data_dir)
    cashier = default_cashier(ctx)
    if current_shift(ctx) is None:  # the first child opens the till's shift; later ones sell in it
        open_shift(ctx, cashier_id=cashier.id, counts={100_000: 1})
    products = _products(ctx)
    checkpoint_wal(ctx)  # the restarted till's first idle moment, before the first customer
    rng = random.Random(seed)
    out = sys.stdout.fileno()
    sold = 0
    while limit is None or sold < limit:
        cart = random_cart(rng, products, rng.randint(1, MAX_LINES))
        payment = cash_for(cart.total, rng)
        os.write(out, f"{SELLING}\n".encode("ascii"))
        done = complete_sale(ctx, cart, [payment], cashier_id=cashier.id)
        # One write() of a short line is atomic on a pipe: the parent never sees half an id.
        os.write(out, f"{done.sale_id}\n".encode("ascii"))
        sold += 1
        if sold % CHECKPOINT_EVERY == 0:
            checkpoint_wal(ctx)
    ctx.close()
    return sold


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kkmp_pos.bench.crash_child")
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sales", type=int, default=None, help="stop after this many (default: until killed)")
    parser.add_argument("--wait", action="store_true",
                        help="print READY after start-up and wait for a line on stdin before opening the database")
    args = parser.parse_args(argv)
    if args.wait:
        os.write(sys.stdout.fileno(), f"{READY}\n".encode("ascii"))
        if not sys.stdin.readline():
            return 0  # the parent closed our stdin: not needed after all
    sell_forever(args.data_dir, args.seed, args.sales)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
