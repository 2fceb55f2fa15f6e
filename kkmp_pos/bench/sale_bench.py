"""Sale commit: complete_sale against the same rows written by hand through raw sqlite3."""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import time
import uuid
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kkmp_pos.bench.carts import cash_for, random_cart
from kkmp_pos.bench.core import BenchStore, raw_connection
from kkmp_pos.bench.metric import SALE_GOAL, Metric, median, percentile
from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.clock import business_date, rfc3339
from kkmp_pos.domain.payment import Payment
from kkmp_pos.domain.product import Product
from kkmp_pos.services.catalog import find_by_barcode, find_by_sku
from kkmp_pos.services.outlet import default_cashier
from kkmp_pos.services.sales import complete_sale

SALE_LINES = 5
GENESIS = "0" * 64

_HEADER = (
    "SELECT o.id, o.code, (SELECT coalesce(max(receipt_seq), 0) FROM sale WHERE outlet_id = o.id), "
    "(SELECT value FROM setting WHERE key = 'master_version') FROM outlet o LIMIT 1"
)
_LAST_EVENT = "SELECT seq, hash FROM journal_event ORDER BY seq DESC LIMIT 1"
_INSERT_EVENT = ("INSERT INTO journal_event (seq, event_id, type, schema_v, device_time, master_version, body, "
                 "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_SALE = ("INSERT INTO sale (id, outlet_id, receipt_no, receipt_seq, cashier_id, member_id, created_at, "
                "business_date, total, line_count, status, master_version, journal_seq) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_LINE = ("INSERT INTO sale_line (id, sale_id, line_no, product_id, sku, name, unit, sold_by_weight, "
                "qty_milli, unit_price, total) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_PAYMENT = ("INSERT INTO payment (id, sale_id, method, amount, tendered, change, reference, status) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_MOVEMENT = ("INSERT INTO stock_movement (id, product_id, qty_milli, kind, ref_id, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)")


def _canon(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class RawSaleWriter:
    """The floor: the minimum a hand-written till must do for one durable, chained sale.

    Same reads inside the write lock (next receipt number, previous journal hash), same rows, same canonical
    JSON and SHA-256, one BEGIN IMMEDIATE ... COMMIT with the outlet's PRAGMAs.
    """

    def __init__(self, path: Path, cashier_id: str) -> None:
        self.connection: sqlite3.Connection = raw_connection(path)
        self.cashier_id = cashier_id

    def close(self) -> None:
        self.connection.close()

    def write(self, cart: Cart, payments: Sequence[Payment]) -> str:
        db = self.connection
        now = datetime.now(timezone.utc)
        stamp = now.isoformat(timespec="microseconds")
        sale_id = str(uuid.uuid4())
        db.execute("BEGIN IMMEDIATE")
        try:
            outlet_id, code, last_receipt, master_raw = db.execute(_HEADER).fetchone()
            last = db.execute(_LAST_EVENT).fetchone()
            seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
            receipt_seq = last_receipt + 1
            receipt_no = f"{code}-{receipt_seq:06d}"
            master_version = int(master_raw or 0)
            day = business_date(now).isoformat()
            total = cart.total
            lines = [
                (str(uuid.uuid4()), sale_id, number, line.product.id, line.product.sku, line.product.name,
                 line.product.unit, line.product.sold_by_weight, line.qty_milli, line.unit_price, line.total)
                for number, line in enumerate(cart.lines, start=1)
            ]
            pays = [(str(uuid.uuid4()), sale_id, p.method, p.amount, p.tendered, p.change, p.reference, "settled")
                    for p in payments]
            body = {
                "sale_id": sale_id, "outlet_id": outlet_id, "receipt_no": receipt_no, "cashier_id": self.cashier_id,
                "member_id": None, "sold_at": rfc3339(now), "business_date": day, "total": total,
                "lines": [{"line_id": x[0], "line_no": x[2], "sku": x[4], "name": x[5], "unit": x[6],
                           "qty_milli": x[8], "unit_price": x[9], "total": x[10]} for x in lines],
                "payments": [{"payment_id": p[0], "method": p[2], "amount": p[3], "tendered": p[4],
                              "change": p[5], "reference": p[6]} for p in pays],
            }
            event = {"seq": seq, "event_id": str(uuid.uuid4()), "type": "sale", "schema_v": 1,
                     "device_time": rfc3339(now), "master_version": master_version, "body": body,
                     "prev_hash": prev_hash}
            event_hash = hashlib.sha256(bytes.fromhex(prev_hash) + _canon(event)).hexdigest()
            db.execute(_INSERT_EVENT, (seq, event["event_id"], "sale", 1, event["device_time"], master_version,
                                       _canon(body).decode("utf-8"), prev_hash, event_hash))
            db.execute(_INSERT_SALE, (sale_id, outlet_id, receipt_no, receipt_seq, self.cashier_id, None, stamp,
                                      day, total, len(lines), "completed", master_version, seq))
            db.executemany(_INSERT_LINE, lines)
            db.executemany(_INSERT_PAYMENT, pays)
            db.executemany(_INSERT_MOVEMENT, [(str(uuid.uuid4()), x[3], -x[8], "sale", sale_id, stamp)
                                              for x in lines])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return sale_id


def sellable_products(store: BenchStore, rng: random.Random, count: int) -> list[Product]:
    """Products a sale can carry, found through the real lookups; about one in ten is weighed."""
    loose = [p for p in (find_by_sku(store.ctx, s) for s in store.catalog.loose_skus[:max(1, count // 10)]) if p]
    codes = rng.sample(store.catalog.barcodes, min(count - len(loose), len(store.catalog.barcodes)))
    packed = [p for p in (find_by_barcode(store.ctx, c) for c in codes) if p]
    return packed + loose


def bench_sale(store: BenchStore, sales: int, seed: int = 3) -> tuple[Metric, Metric]:
    """Median and p99 of a 5-line sale, service and floor alternating on two copies of the same database."""
    rng = random.Random(seed)
    products = sellable_products(store, rng, 400)
    cashier = default_cashier(store.ctx)
    floor_path = store.db_path.with_name("floor.sqlite3")
    _copy_database(store.db_path, floor_path)
    floor_writer = RawSaleWriter(floor_path, cashier.id)
    ours: list[float] = []
    floor: list[float] = []
    try:
        for number in range(sales):
            cart = random_cart(rng, products, SALE_LINES)
            payments = [cash_for(cart.total, rng)]
            # Alternate who goes first so neither always meets the WAL checkpoint or a warm cache.
            for side in ((0, 1) if number % 2 else (1, 0)):
                started = time.perf_counter_ns()
                if side == 0:
                    complete_sale(store.ctx, cart, payments, cashier_id=cashier.id)
                else:
                    floor_writer.write(cart, payments)
                (ours if side == 0 else floor).append((time.perf_counter_ns() - started) / 1e6)
    finally:
        floor_writer.close()
    note = "1 header + 5 lines + 1 payment + 5 stock rows + 1 chained journal event, synchronous=FULL"
    return (
        Metric(name="sale_commit_median", label="Sale commit (5 lines) median", unit="ms", value=median(ours),
               floor=median(floor), goal=SALE_GOAL, samples=sales, note=note),
        Metric(name="sale_commit_p99", label="Sale commit (5 lines) p99", unit="ms", value=percentile(ours, 99),
               floor=percentile(floor, 99), samples=sales, note="fsync and WAL checkpoints show here"),
    )


def _copy_database(source: Path, target: Path) -> None:
    """A consistent copy (SQLite online backup), so the floor writes into the same catalogue and indexes."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
