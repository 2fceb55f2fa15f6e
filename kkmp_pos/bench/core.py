"""The store benches: catalogue import, barcode lookup and name search, each beside raw sqlite3."""

from __future__ import annotations

import random
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from kkmp_pos.bench.catalog_gen import GeneratedCatalog, generate_catalog, search_queries, unknown_barcodes
from kkmp_pos.bench.metric import BARCODE_GOAL, SEARCH_GOAL, Metric, percentile
from kkmp_pos.services.catalog import find_by_barcode, import_catalog_text, search_products
from kkmp_pos.services.context import PosContext, open_context
from kkmp_pos.services.demo import DEMO_OUTLET, DEMO_USERS
from kkmp_pos.services.outlet import create_outlet, default_cashier
from kkmp_pos.services.shifts import open_shift
from kkmp_pos.store.db import DB_FILENAME, PRAGMAS

UNKNOWN_SHARE = 0.1
"""One scan in ten is a code the outlet has not entered: the miss path must be as fast as the hit."""

RAW_BY_BARCODE = (
    "SELECT p.id, p.sku, p.name, p.category, p.unit, p.price, p.member_price, p.het, p.ppn, "
    "p.sold_by_weight, p.lpg_kind FROM product p JOIN product_barcode b ON b.product_id = p.id "
    "WHERE b.barcode = ? AND p.active = 1"
)
RAW_FTS = "SELECT rowid FROM product_search WHERE product_search MATCH ? LIMIT 50"
RAW_PREFIX = "SELECT id FROM product WHERE name_norm >= ? AND name_norm < ? AND active = 1 ORDER BY name_norm LIMIT 50"


@dataclass
class BenchStore:
    """A fresh data directory holding one outlet and the generated catalogue."""

    ctx: PosContext
    catalog: GeneratedCatalog
    import_seconds: float

    @property
    def db_path(self) -> Path:
        return self.ctx.data_dir / DB_FILENAME


def raw_connection(path: Path) -> sqlite3.Connection:
    """A bare sqlite3 connection with the outlet's PRAGMAs and explicit transactions: the floors' tool."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in PRAGMAS:
        connection.execute(pragma)
    return connection


def build_store(data_dir: Path, products: int, seed: int = 2026) -> BenchStore:
    """Create the outlet and import `products` generated products through the real service."""
    catalog = generate_catalog(products, seed)
    ctx = open_context(data_dir)
    create_outlet(ctx, DEMO_OUTLET, DEMO_USERS)
    open_shift(ctx, cashier_id=default_cashier(ctx).id, counts={100_000: 1})
    started = time.perf_counter()
    result = import_catalog_text(ctx, catalog.csv_text)
    elapsed = time.perf_counter() - started
    if result.created != catalog.product_count:
        raise RuntimeError(f"imported {result.created} of {catalog.product_count} generated products")
    return BenchStore(ctx=ctx, catalog=catalog, import_seconds=elapsed)


def import_metric(store: BenchStore) -> Metric:
    return Metric(
        name="catalog_import", label=f"Catalogue import ({store.catalog.product_count:,} products)", unit="s",
        value=store.import_seconds, samples=1, note="parse + validate + insert + FTS index, one transaction",
    )


def bench_barcode(store: BenchStore, lookups: int, seed: int = 1) -> Metric:
    """p99 of find_by_barcode, interleaved with the same indexed query through raw sqlite3."""
    rng = random.Random(seed)
    known = store.catalog.barcodes
    misses = unknown_barcodes(rng, set(known), max(1, int(lookups * UNKNOWN_SHARE)))
    codes = [rng.choice(known) for _ in range(lookups - len(misses))] + misses
    rng.shuffle(codes)
    raw = raw_connection(store.db_path)
    ours: list[float] = []
    floor: list[float] = []
    found = 0
    try:
        for code in codes:
            started = time.perf_counter_ns()
            product = find_by_barcode(store.ctx, code)
            middle = time.perf_counter_ns()
            raw.execute(RAW_BY_BARCODE, (code,)).fetchone()
            ended = time.perf_counter_ns()
            ours.append((middle - started) / 1e6)
            floor.append((ended - middle) / 1e6)
            found += product is not None
    finally:
        raw.close()
    if found != lookups - len(misses):
        raise RuntimeError(f"barcode lookup found {found} of {lookups - len(misses)} known codes")
    return Metric(
        name="barcode_lookup_p99", label="Barcode lookup p99", unit="ms",
        value=percentile(ours, 99), floor=percentile(floor, 99), goal=BARCODE_GOAL, samples=len(codes),
        note=f"{len(misses)} unknown codes mixed in",
    )


def _raw_search(raw: sqlite3.Connection, query: str) -> list[tuple[int]]:
    """The floor: one trigram MATCH, or the indexed prefix range for a 2-letter query (trigram needs 3)."""
    words = query.split()
    long_words = [w for w in words if len(w) >= 3]
    if long_words:
        match = " AND ".join('"' + w.replace('"', '""') + '"' for w in long_words)
        return raw.execute(RAW_FTS, (match,)).fetchall()
    return raw.execute(RAW_PREFIX, (query, query + "\uffff")).fetchall()


def bench_search(store: BenchStore, queries: int, seed: int = 2) -> Metric:
    """p99 of search_products over typed-looking 2..8 character queries, against raw FTS5."""
    rng = random.Random(seed)
    texts = search_queries(rng, store.catalog.names, queries)
    raw = raw_connection(store.db_path)
    ours: list[float] = []
    floor: list[float] = []
    hits = 0
    try:
        for text in texts:
            started = time.perf_counter_ns()
            results = search_products(store.ctx, text)
            middle = time.perf_counter_ns()
            _raw_search(raw, text)
            ended = time.perf_counter_ns()
            ours.append((middle - started) / 1e6)
            floor.append((ended - middle) / 1e6)
            hits += bool(results)
    finally:
        raw.close()
    return Metric(
        name="name_search_p99", label="Name search p99", unit="ms",
        value=percentile(ours, 99), floor=percentile(floor, 99), goal=SEARCH_GOAL, samples=len(texts),
        note=f"{hits} of {len(texts)} queries found something; floor = raw FTS5 MATCH LIMIT 50",
    )
