"""`kkmp-pos bench`: speed of the real paths beside their floors, and the SIGKILL crash loop."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO


def run_bench(*, products: int = 50_000, sales: int = 2_000, kills: int = 1_000, work_dir: Path | None = None,
              out: TextIO = sys.stdout, **tuning: Any) -> dict[str, Any]:
    """Print the table and the JSON of every measurement to `out`; return the JSON's dict.

    `tuning` sets sample counts (lookups, queries, scans, cold_runs), the seed, or quiet=True (no progress).
    """
    # Imported here so `python -m kkmp_pos.bench.crash_child` does not load the whole bench (or Qt).
    from kkmp_pos.bench.runner import run_bench as run

    return run(products=products, sales=sales, kills=kills, work_dir=work_dir, out=out, **tuning)
