"""End-of-day sales report on a big generated history, beside the bare SQL computing the same figures."""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from kkmp_pos.bench.core import raw_connection
from kkmp_pos.bench.metric import REPORT_GOAL, Metric, median
from kkmp_pos.domain.clock import WITA, business_date
from kkmp_pos.services.context import PosContext, open_context
from kkmp_pos.services.demo import seed_demo
from kkmp_pos.services.reports import sales_report
from kkmp_pos.store.db import DB_FILENAME

LINES_PER_SALE = 5
HISTORY_DAYS = 365
"""A year of trade; the report asks for its last day, as the manager does at closing time."""
BATCH_SALES = 20_000
METHODS = ("tunai", "tunai", "tunai", "qris", "transfer")
JOURNAL_SEQ_BASE = 1_000_000_000
"""Generated sales point at journal numbers no real event uses: the history is written without events
(foreign keys off for the generation only) because the report never reads the journal."""

# The floor: the same figures as services.reports, written by hand against the same indexes.
FLOOR_QUERIES = (
    ("SELECT s.business_date, coalesce(m.kind, 'umum'), count(*), sum(s.subtotal), sum(s.discount_total), "
     "sum(s.total) FROM sale s LEFT JOIN member m ON m.id = s.member_id WHERE s.business_date BETWEEN ? AND ? "
     "GROUP BY 1, 2"),
    ("SELECT (CAST(substr(created_at, 12, 2) AS INTEGER) + 8) % 24 AS h, count(*), sum(total) FROM sale "
     "WHERE business_date BETWEEN ? AND ? GROUP BY h ORDER BY h"),
    ("SELECT p.method, count(*), sum(p.amount) FROM sale s JOIN payment p ON p.sale_id = s.id "
     "WHERE s.business_date BETWEEN ? AND ? AND p.status != 'failed' GROUP BY p.method"),
    ("SELECT s.cashier_id, u.full_name, count(*), sum(s.total) FROM sale s JOIN app_user u ON u.id = s.cashier_id "
     "WHERE s.business_date BETWEEN ? AND ? GROUP BY s.cashier_id"),
    ("SELECT l.product_id, p.sku, p.name, p.category, p.unit, p.sold_by_weight, p.cost_price, count(*), "
     "sum(l.qty_milli), sum(l.total) FROM sale s JOIN sale_line l ON l.sale_id = s.id "
     "JOIN product p ON p.id = l.product_id WHERE s.business_date BETWEEN ? AND ? GROUP BY l.product_id"),
    "SELECT count(*), coalesce(sum(total), 0) FROM refund WHERE business_date BETWEEN ? AND ?",
    ("SELECT p.method, count(*), sum(p.amount) FROM refund r JOIN refund_payment p ON p.refund_id = r.id "
     "WHERE r.business_date BETWEEN ? AND ? GROUP BY p.method"),
)
_FLOOR_VOIDS = ("SELECT a.created_at, a.action, c.full_name, v.full_name, a.subject, a.reason FROM approval a "
                "JOIN app_user c ON c.id = a.cashier_id LEFT JOIN app_user v ON v.id = a.approver_id "
                "WHERE a.created_at >= ? AND a.created_at < ? AND a.action IN ('void_line', 'cancel_cart') "
                "AND a.outcome = 'approved' ORDER BY a.created_at")
_FLOOR_QRIS = ("SELECT p.id, p.amount FROM payment p JOIN sale s ON s.id = p.sale_id "
               "WHERE p.method = 'qris' AND p.status = 'pending' ORDER BY s.created_at")


def _sale_id(n: int) -> str:
    # Ids shaped like UUIDs but increasing: the rows append to the B-trees instead of splitting pages.
    return f"00000000-0000-4000-8000-{n:012x}"


def generate_history(path: Path, lines: int, *, last_day: date, seed: int = 2026) -> int:
    """Write `lines` sale lines (and their sales and payments) over HISTORY_DAYS into the migrated database."""
    rng = random.Random(seed)
    connection = raw_connection(path)
    connection.execute("PRAGMA foreign_keys=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    outlet_id = connection.execute("SELECT id FROM outlet").fetchone()[0]
    cashiers = [row[0] for row in connection.execute("SELECT id FROM app_user WHERE role != 'pengawas'")]
    products = connection.execute("SELECT id, sku, name, unit, sold_by_weight, price FROM product").fetchall()
    sales = max(1, lines // LINES_PER_SALE)
    first_day = last_day - timedelta(days=HISTORY_DAYS - 1)
    start = datetime(first_day.year, first_day.month, first_day.day, 7, tzinfo=WITA).astimezone(timezone.utc)
    step_seconds = HISTORY_DAYS * 86_400 / sales
    written = 0
    for batch_start in range(0, sales, BATCH_SALES):
        sale_rows, line_rows, payment_rows = [], [], []
        for n in range(batch_start, min(sales, batch_start + BATCH_SALES)):
            at = start + timedelta(seconds=n * step_seconds)
            sale_id = _sale_id(n)
            count = min(LINES_PER_SALE, lines - written)
            total = 0
            for line_no in range(1, count + 1):
                pid, sku, name, unit, weighed, price = products[rng.randrange(len(products))]
                qty = rng.randrange(250, 3000) if weighed else 1000 * rng.randrange(1, 4)
                amount = price * qty // 1000
                total += amount
                line_rows.append((f"00000001-0000-4000-8000-{written:012x}", sale_id, line_no, pid, sku, name, unit,
                                  weighed, qty, price, price, amount))
                written += 1
            stamp = at.isoformat(timespec="microseconds")
            sale_rows.append((sale_id, outlet_id, f"BENCH-{n:08d}", n + 1, cashiers[n % len(cashiers)], stamp,
                              business_date(at).isoformat(), total, total, count, JOURNAL_SEQ_BASE + n))
            payment_rows.append((f"00000002-0000-4000-8000-{n:012x}", sale_id, METHODS[n % len(METHODS)], total,
                                 total, 0, "settled"))
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO sale (id, outlet_id, receipt_no, receipt_seq, cashier_id, created_at, business_date, "
            "subtotal, total, line_count, status, master_version, journal_seq) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'completed', 0, ?)", sale_rows)
        connection.executemany(
            "INSERT INTO sale_line (id, sale_id, line_no, product_id, sku, name, unit, sold_by_weight, qty_milli, "
            "unit_price, list_price, total) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", line_rows)
        connection.executemany(
            "INSERT INTO payment (id, sale_id, method, amount, tendered, change, status) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", payment_rows)
        connection.execute("COMMIT")
        if written >= lines:
            break
    # No ANALYZE: the outlet's database never runs one, so the plans measured are the plans the till gets.
    connection.close()
    return written


def _floor(connection: sqlite3.Connection, day: date) -> int:
    bounds = (day.isoformat(), day.isoformat())
    rows = 0
    connection.execute("BEGIN")
    for query in FLOOR_QUERIES:
        rows += len(connection.execute(query, bounds).fetchall())
    start = datetime(day.year, day.month, day.day, tzinfo=WITA).astimezone(timezone.utc)
    rows += len(connection.execute(_FLOOR_VOIDS, (start.isoformat(timespec="microseconds"),
                                                  (start + timedelta(days=1)).isoformat(timespec="microseconds")))
                .fetchall())
    rows += len(connection.execute(_FLOOR_QRIS).fetchall())
    connection.execute("COMMIT")
    return rows


def _timed(work: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def bench_report(root: Path, lines: int, *, runs: int = 7, seed: int = 2026) -> Metric:
    """Generate the history, then time sales_report for its last day against the bare SQL (median of `runs`)."""
    ctx: PosContext = open_context(root)
    try:
        seed_demo(ctx)
        day = business_date(ctx.clock())
        started = time.perf_counter()
        written = generate_history(root / DB_FILENAME, lines, last_day=day, seed=seed)
        generated = time.perf_counter() - started
        report = sales_report(ctx, day)  # warm the caches the same way for both
        floor_db = raw_connection(root / DB_FILENAME)
        try:
            _floor(floor_db, day)
            floor = _timed(lambda: _floor(floor_db, day), runs)
        finally:
            floor_db.close()
        ours = _timed(lambda: sales_report(ctx, day), runs)
    finally:
        ctx.close()
    return Metric(name="report_end_of_day", label=f"End-of-day report ({written:,} sale lines) median",
                  unit="ms", value=median(ours), floor=median(floor), goal=REPORT_GOAL, samples=runs,
                  note=f"{report.sale_count:,} sales that day; history generated in {generated:.1f} s")
