"""The bench on a tiny catalogue: its result has every figure, and the counts behind them agree."""

from __future__ import annotations

import io
import json
import random
import sqlite3
from pathlib import Path

from pytestqt.qtbot import QtBot

from kkmp_pos.bench import run_bench
from kkmp_pos.bench.audit import audit_sales
from kkmp_pos.bench.catalog_gen import ean13, generate_catalog, search_queries, unknown_barcodes
from kkmp_pos.domain.catalog_import import parse_catalog_csv
from kkmp_pos.store.db import DB_FILENAME

METRICS = {"catalog_import", "barcode_lookup_p99", "name_search_p99", "sale_commit_median", "sale_commit_p99",
           "scan_to_paint_p99", "cold_start_median", "report_end_of_day"}
METRIC_FIELDS = {"label", "unit", "value", "floor", "ratio", "goal", "goal_why", "goal_met", "samples", "note"}


def test_generated_catalogue_is_valid_for_the_real_importer() -> None:
    catalog = generate_catalog(2_000, seed=5)

    rows = parse_catalog_csv(catalog.csv_text)  # raises on any invalid cell

    assert len(rows) == catalog.product_count == 2_000
    codes = [code for row in rows for code in row.barcodes]
    assert codes == catalog.barcodes
    assert len(set(codes)) == len(codes)
    assert all(len(code) == 13 and ean13(code[:12]) == code for code in codes)
    loose = [row for row in rows if row.sold_by_weight]
    assert [row.sku for row in loose] == catalog.loose_skus
    assert loose and all(not row.barcodes and row.unit in ("kg", "liter") for row in loose)
    assert all(row.het is None or row.price <= row.het for row in rows)
    assert generate_catalog(2_000, seed=5).csv_text == catalog.csv_text  # same seed, same file


def test_queries_and_unknown_codes_look_like_a_cashier_typing() -> None:
    catalog = generate_catalog(300, seed=6)
    rng = random.Random(1)

    queries = search_queries(rng, catalog.names, 200)
    misses = unknown_barcodes(rng, set(catalog.barcodes), 50)

    assert all(2 <= len(word) <= 8 for query in queries for word in query.split())
    assert all(query == query.casefold() for query in queries)
    assert not set(misses) & set(catalog.barcodes)
    assert all(ean13(code[:12]) == code for code in misses)


def test_bench_runs_end_to_end_on_a_tiny_catalogue(tmp_path: Path, qtbot: QtBot) -> None:
    out = io.StringIO()

    result = run_bench(products=500, sales=12, kills=3, work_dir=tmp_path, out=out, lookups=300, queries=60,
                       scans=30, cold_runs=1, quiet=True, report_lines=5_000)

    text = out.getvalue()
    table, _, json_text = text.partition("\n{")
    assert json.loads("{" + json_text) == result
    assert "Sale commit (5 lines) median" in table and "crash loop: 3 SIGKILLs" in table

    assert set(result) == {"machine", "parameters", "catalog", "metrics", "crash", "seconds"}
    assert {"cpu_count", "python", "sqlite"} <= set(result["machine"])
    assert set(result["metrics"]) == METRICS
    for name, metric in result["metrics"].items():
        assert set(metric) == METRIC_FIELDS, name
        assert metric["value"] is not None and metric["value"] > 0, (name, metric["note"])
        if metric["floor"]:
            assert abs(metric["ratio"] - metric["value"] / metric["floor"]) < 0.02 * metric["ratio"] + 0.01
    assert result["metrics"]["barcode_lookup_p99"]["samples"] == 300
    assert result["metrics"]["sale_commit_median"]["samples"] == 12
    assert result["metrics"]["scan_to_paint_p99"]["samples"] == 30

    catalog = result["catalog"]
    assert catalog["products"] == 500
    assert catalog["barcodes"] >= 500 - catalog["loose_goods"]

    crash = result["crash"]
    assert crash["kills"] == 3 and crash["ok"]
    assert crash["lost"] == crash["half_written"] == crash["orphans"] == crash["receipt_problems"] == 0
    assert crash["journal_break_seq"] is None and crash["integrity_check"] == "ok"
    assert crash["sales_in_database"] == crash["sales_acknowledged"] + crash["committed_not_acknowledged"]

    # The work folder is kept when named: the service sales and the raw floor sales are both really there.
    (run_dir,) = tmp_path.glob("bench-*")
    service_db = run_dir / "catalog" / DB_FILENAME
    service = audit_sales(service_db)
    assert service.ok and service.sales == 12
    # The floor wrote the same rows, whole, with a journal chain the protocol's own check accepts.
    floor_db = run_dir / "catalog" / "floor.sqlite3"
    floor = audit_sales(floor_db)
    assert floor.ok and floor.sales == 12
    connection = sqlite3.connect(floor_db)
    try:
        assert connection.execute("SELECT sum(line_count) FROM sale").fetchone() == (60,)
    finally:
        connection.close()
