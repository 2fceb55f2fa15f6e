"""Running the whole bench in order, and turning its figures into the table and the JSON."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from kkmp_pos.bench.core import BenchStore, bench_barcode, bench_search, build_store, import_metric
from kkmp_pos.bench.crash import run_crash_loop
from kkmp_pos.bench.metric import COLD_START_GOAL, SCAN_GOAL, Metric, unavailable
from kkmp_pos.bench.report import format_table, machine_info
from kkmp_pos.bench.report_bench import bench_report
from kkmp_pos.bench.sale_bench import bench_sale
from kkmp_pos.bench.startup import bench_cold_start
from kkmp_pos.services.context import open_context
from kkmp_pos.services.demo import seed_demo


@contextmanager
def _work_root(work_dir: Path | None) -> Iterator[Path]:
    """A fresh folder: temporary (removed afterwards) unless the caller named a place to keep it."""
    if work_dir is None:
        with tempfile.TemporaryDirectory(prefix="kkmp-bench-") as temporary:
            yield Path(temporary)
    else:
        work_dir.mkdir(parents=True, exist_ok=True)
        yield Path(tempfile.mkdtemp(prefix="bench-", dir=work_dir))


def _scan_metric(store: BenchStore, scans: int) -> Metric:
    """The UI bench loads Qt only now; if the till cannot be imported, the table says why instead of stopping."""
    try:
        from kkmp_pos.bench.ui_bench import bench_scan_to_paint
    except ImportError as missing:
        return unavailable("scan_to_paint_p99", "Scan -> cart row painted p99", "ms", f"UI not available: {missing}",
                           SCAN_GOAL)
    return bench_scan_to_paint(store, scans)


def collect(*, products: int, sales: int, kills: int, root: Path, lookups: int, queries: int, scans: int,
            cold_runs: int, seed: int, progress: Callable[[str], None], report_lines: int = 0) -> dict[str, Any]:
    """Every measurement, in the order of the table; returns the JSON-ready result."""
    started = time.perf_counter()
    progress(f"generating and importing {products:,} products ...")
    store = build_store(root / "catalog", products, seed)
    metrics: list[Metric] = [import_metric(store)]
    try:
        progress(f"barcode lookups x{lookups:,}, name searches x{queries:,} ...")
        metrics.append(bench_barcode(store, lookups))
        metrics.append(bench_search(store, queries))
        progress(f"sales x{sales:,} (and the same again through raw sqlite3) ...")
        metrics.extend(bench_sale(store, sales))
        progress(f"scan -> paint x{scans:,} (offscreen) ...")
        metrics.append(_scan_metric(store, scans))
        progress(f"cold starts x{cold_runs} ...")
        if cold_runs > 0:
            metrics.append(bench_cold_start(store.ctx.data_dir, cold_runs))
        else:
            metrics.append(unavailable("cold_start_median", "Cold start to usable till (median)", "s",
                                       "skipped (0 runs)", COLD_START_GOAL))
    finally:
        store.ctx.close()
    if report_lines > 0:
        progress(f"end-of-day report on {report_lines:,} generated sale lines ...")
        metrics.append(bench_report(root / "report", report_lines, seed=seed))
    crash: dict[str, Any] | None = None
    if kills > 0:
        progress(f"crash loop: {kills} SIGKILLs ...")
        crash_dir = root / "crash"
        ctx = open_context(crash_dir)
        try:
            seed_demo(ctx)
        finally:
            ctx.close()
        crash = run_crash_loop(crash_dir, kills, seed=seed).to_dict()
    return {
        "machine": machine_info(),
        "parameters": {"products": products, "sales": sales, "kills": kills, "lookups": lookups,
                       "queries": queries, "scans": scans, "cold_runs": cold_runs, "seed": seed,
                       "report_lines": report_lines},
        "catalog": {"products": store.catalog.product_count, "barcodes": len(store.catalog.barcodes),
                    "loose_goods": len(store.catalog.loose_skus), "import_s": round(store.import_seconds, 3)},
        "metrics": {metric.name: metric.to_dict() for metric in metrics},
        "crash": crash,
        "seconds": round(time.perf_counter() - started, 1),
        "_metrics": metrics,
    }


def run_bench(*, products: int, sales: int, kills: int, work_dir: Path | None, out: TextIO,
              lookups: int = 20_000, queries: int = 1_000, scans: int = 1_000, cold_runs: int = 5,
              seed: int = 2026, quiet: bool = False, report_lines: int = 1_000_000) -> dict[str, Any]:
    """Measure everything, print the table then the JSON to `out`, and return the JSON's dict.

    Progress lines go to stderr (unless `quiet`), so `out` holds only the table and the JSON.
    """

    def say(message: str) -> None:
        if not quiet:
            sys.stderr.write(f"[bench] {message}\n")
            sys.stderr.flush()

    with _work_root(work_dir) as root:
        result = collect(products=products, sales=sales, kills=kills, root=root, lookups=lookups,
                         queries=queries, scans=scans, cold_runs=cold_runs, seed=seed, progress=say,
                         report_lines=report_lines)
    metrics: list[Metric] = result.pop("_metrics")
    machine = result["machine"]
    header = (f"kkmp-pos bench: {products:,} products, {sales:,} sales, {kills} kills "
              f"({machine['cpu_count']} CPUs, Python {machine['python']}, SQLite {machine['sqlite']}, "
              f"{result['seconds']} s)")
    out.write(format_table(metrics, result["crash"], header))
    out.write("\n" + json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    out.flush()
    return result
