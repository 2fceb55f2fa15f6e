"""`kkmp-city-server bench`: a day's upload and ingest against bare bulk loading, and 59 outlets at once."""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from sync.server.bench_floor import copy_seconds, stored_rows
from sync.server.simulate import DayPlan, SimulatedDevice, gzip_body, load_catalog
from sync.server.store.db import is_postgres, open_database
from sync.server.store.schema import device, journal_event
from sync.server.threaded import serve_in_thread

BENCH_DAY = date(2026, 11, 27)
Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Metric:
    """Our path's `value` beside the bare `floor` measured in the same run; the goal bounds value/floor."""

    name: str
    label: str
    unit: str
    value: float | None
    floor: float | None = None
    max_ratio: float | None = None
    min_ratio: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return None if self.value is None or not self.floor else self.value / self.floor

    @property
    def goal(self) -> str:
        if self.max_ratio is not None:
            return f"<= {self.max_ratio:g}x floor"
        if self.min_ratio is not None:
            return f">= {_fraction(self.min_ratio)} of floor"
        return "-"

    @property
    def met(self) -> bool | None:
        ratio = self.ratio
        if ratio is None or (self.max_ratio is None and self.min_ratio is None):
            return None
        return (self.max_ratio is None or ratio <= self.max_ratio) and (
            self.min_ratio is None or ratio >= self.min_ratio)

    def to_dict(self) -> dict[str, Any]:
        ratio = self.ratio
        return {"name": self.name, "label": self.label, "unit": self.unit, "value": _round(self.value),
                "floor": _round(self.floor), "ratio": None if ratio is None else round(ratio, 3),
                "goal": self.goal, "met": self.met, "note": self.note}


def _fraction(value: float) -> str:
    return "1/3" if abs(value - 1 / 3) < 1e-9 else f"{value:g}x"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.3f} {unit}" if value < 1 else f"{value:.2f} {unit}"


def format_table(metrics: list[Metric], header: str) -> str:
    """metric, value, floor, ratio, goal, met: the same columns as `kkmp-pos bench`."""
    rows = [("metric", "value", "floor", "ratio", "goal", "met")]
    for metric in metrics:
        ratio = metric.ratio
        rows.append((metric.label, _number(metric.value, metric.unit), _number(metric.floor, metric.unit),
                     "-" if ratio is None else f"{ratio:.2f}x", metric.goal,
                     {True: "yes", False: "NO", None: "-"}[metric.met]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [header, ""]
    for number, row in enumerate(rows):
        lines.append("  ".join([row[0].ljust(widths[0])] + [c.rjust(widths[i]) for i, c in enumerate(row[1:], 1)]))
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    notes = [f"  {metric.label}: {metric.note}" for metric in metrics if metric.note]
    return "\n".join(lines + (["", "notes:", *notes] if notes else [])) + "\n"


# --- outlets and their days -----------------------------------------------------------------------------------

class _Outlets:
    """Creates outlets and enrolled simulated tills with seeds that never repeat within a run."""

    def __init__(self, engine: Engine, seed: int) -> None:
        from sync.server.server_key import load_or_create_server_key

        self.engine = engine
        self.server_key = load_or_create_server_key(engine)
        self.catalog = load_catalog()
        self.seed = seed
        self.count = 0

    def device(self, *, client: Any = None) -> SimulatedDevice:
        from sync.server.enrolment import create_outlet

        self.count += 1
        name = f"Bench {self.seed}-{self.count:03d}"
        created = create_outlet(self.engine, name=name, kelurahan_code="64.72.05.1003", lpg3_allocation=500)
        till = SimulatedDevice(seed=self.seed * 100_000 + self.count, outlet_code=f"BN{self.count:03d}",
                               name=f"Kasir {name}", catalog=self.catalog)
        if client is None:
            till.enroll_local(self.engine, created["enrolment_code"], self.server_key)
        else:
            till.enroll_http(client, created["enrolment_code"])
        return till


def _day(till: SimulatedDevice, sales: int) -> int:
    """A realistic day of `sales` sales (with its shift, overrides, refunds, deliveries); the events made."""
    plan = DayPlan(sales=sales, refund_rate=0.01, het_rate=0.002, lpg_over_rate=0.005, stock_receipt=True,
                   lpg_delivery=True, stock_count=True)
    return len(till.simulate_day(BENCH_DAY, plan))


def _client(base_url: str, token: str | None = None) -> Any:
    from sync.client.transport import CityClient

    return CityClient(base_url, token=token, max_attempts=1, timeout=(10, 300))


# --- (a) a day over HTTP, (b) ingest alone ------------------------------------------------------------------

def _warm_up(outlets: _Outlets, base_url: str | None) -> None:
    """One small untimed day first, so no round pays for the pool's first connections or SQL compilation."""
    from sync.server.ingest import ingest_upload

    if base_url is None:
        till = outlets.device()
        _day(till, 20)
        for body in till.batches():
            ingest_upload(outlets.engine, device_id=till.device_id, authorization=till.authorization,
                          raw_body=gzip_body(body), content_encoding="gzip", server_key=outlets.server_key)
        return
    with _client(base_url) as client:
        till = outlets.device(client=client)
        _day(till, 20)
        for body in till.batches():
            client.upload(till.device_id, body)
    copy_seconds(outlets.engine, stored_rows(outlets.engine, [till.device_id]))

def bench_upload_day(outlets: _Outlets, base_url: str, sales: int, repeat: int,
                     progress: Progress) -> tuple[list[Metric], dict[str, Any]]:
    """One day of `sales` sales uploaded end to end (CityClient → uvicorn → ingest → database) vs its COPY."""
    uploads, floors, building, events, batches = [], [], [], 0, 0
    _warm_up(outlets, base_url)
    for round_no in range(repeat):
        with _client(base_url) as client:
            till = outlets.device(client=client)
            events = _day(till, sales)
            progress(f"  upload round {round_no + 1}/{repeat}: {events:,} events")
            # From the till's sealed journal to the last acknowledgement: building and signing the batches is
            # the outlet's work of an upload as much as sending them.
            started = time.perf_counter()
            bodies = till.wire_batches()
            built = time.perf_counter()
            for body in bodies:
                ack = client.upload(till.device_id, body)
            uploads.append(time.perf_counter() - started)
            building.append(built - started)
            batches = len(bodies)
        if ack["acked_through"] != till.seq:
            raise RuntimeError(f"upload acknowledged {ack['acked_through']} of {till.seq} events")
        floors.append(copy_seconds(outlets.engine, stored_rows(outlets.engine, [till.device_id])))
    value, floor = statistics.median(uploads), statistics.median(floors)
    metric = Metric("upload_day", f"Upload 1 day ({sales:,} sales) over loopback HTTP", "s", value, floor,
                    max_ratio=3.0, note=f"{events:,} events in {batches} signed gzip batches of <= 500 built from the "
                                        f"journal, median of {repeat}; floor = the same journal_event rows "
                                        "bulk-loaded")
    client = Metric("upload_client", "  of which the till building and signing it", "s", statistics.median(building),
                    note="canonical bytes joined from the journal, every hash re-checked, Ed25519 over each batch "
                         "(gzip and HTTP not included)")
    return [metric, client], {"events": events, "batches": batches, "upload_s": uploads, "floor_s": floors,
                              "building_s": building}


def bench_ingest(outlets: _Outlets, sales: int, repeat: int,
                 progress: Progress) -> tuple[list[Metric], dict[str, Any]]:
    """`ingest_upload` called directly on prepared gzip bodies: events/s vs the floor's events/s.

    Beside it, the protocol checks alone (gunzip, strict JSON, shape, signature, every hash) on the same
    bodies without a database: the part of ingest no storage trick can remove.
    """
    from sync.protocol.batch import parse_body, validate_body
    from sync.server.ingest import decode_body, ingest_upload

    rates, floor_rates, check_rates = [], [], []
    _warm_up(outlets, None)
    for round_no in range(repeat):
        till = outlets.device()
        events = _day(till, sales)
        raw = [gzip_body(body) for body in till.batches()]
        progress(f"  ingest round {round_no + 1}/{repeat}: {events:,} events")
        started = time.perf_counter()
        for body in raw:
            validate_body(parse_body(decode_body(body, "gzip")), till.public_key)
        check_rates.append(events / (time.perf_counter() - started))
        started = time.perf_counter()
        for body in raw:
            ingest_upload(outlets.engine, device_id=till.device_id, authorization=till.authorization,
                          raw_body=body, content_encoding="gzip", server_key=outlets.server_key)
        rates.append(events / (time.perf_counter() - started))
        floor_rates.append(events / copy_seconds(outlets.engine, stored_rows(outlets.engine, [till.device_id])))
    metric = Metric("ingest_rate", "Ingest throughput (ingest_upload, no HTTP)", "events/s",
                    statistics.median(rates), statistics.median(floor_rates), min_ratio=1 / 3,
                    note=f"median of {repeat} days; parse + verify signature and chain + store + effects, "
                         "one transaction per batch")
    checks = Metric("protocol_checks", "  of which protocol checks alone", "events/s", statistics.median(check_rates),
                    note="gunzip + strict JSON + shape + Ed25519 signature + every hash and the chain, no database")
    return [metric, checks], {"rates": rates, "floor_rates": floor_rates, "check_rates": check_rates}


# --- (c) many outlets at once ---------------------------------------------------------------------------------

def bench_concurrent(outlets: _Outlets, base_url: str, count: int, sales: int,
                     progress: Progress) -> tuple[Metric, dict[str, Any]]:
    """`count` outlets, each its own thread and CityClient, upload a day each at the same moment."""
    tills: list[SimulatedDevice] = []
    with _client(base_url) as client:
        for _ in range(count):
            tills.append(outlets.device(client=client))
    planned = []
    for number, till in enumerate(tills):
        _day(till, max(5, int(sales * (0.6 + 0.8 * number / max(1, count - 1)))))
        planned.append(till.batches())
    expected = sum(till.seq for till in tills)
    progress(f"  {count} outlets, {expected:,} events, starting together")
    errors: list[str] = []
    gate = threading.Barrier(count + 1)

    def upload(till: SimulatedDevice, bodies: list[dict[str, Any]]) -> None:
        with _client(base_url, till.token) as own:
            gate.wait()
            try:
                for body in bodies:
                    ack = own.upload(till.device_id, body)
                if ack["acked_through"] != till.seq:
                    errors.append(f"{till.device_id}: acked {ack['acked_through']} of {till.seq}")
            except Exception as exc:  # every failure is counted, none may pass unseen
                errors.append(f"{till.device_id}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=upload, args=(till, bodies)) for till, bodies in zip(tills, planned,
                                                                                            strict=True)]
    for thread in threads:
        thread.start()
    gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    ids = [till.device_id for till in tills]
    with outlets.engine.connect() as connection:
        stored = int(connection.execute(select(func.count()).select_from(journal_event)
                                        .where(journal_event.c.device_id.in_(ids))).scalar_one())
        distinct = int(connection.execute(select(func.count(func.distinct(journal_event.c.event_id)))
                                          .where(journal_event.c.device_id.in_(ids))).scalar_one())
        acked = int(connection.execute(select(func.coalesce(func.sum(device.c.last_seq), 0))
                                       .where(device.c.id.in_(ids))).scalar_one())
    exactly_once = stored == distinct == acked == expected
    summary = {"outlets": count, "events": expected, "stored": stored, "seconds": round(seconds, 3),
               "events_per_s": round(expected / seconds, 1), "exactly_once": exactly_once,
               "errors": len(errors), "error_examples": errors[:5]}
    metric = Metric("concurrent_outlets", f"{count} outlets uploading a day at once", "s", seconds,
                    note=f"{expected:,} events, {expected / seconds:,.0f} events/s, stored exactly once: "
                         f"{'yes' if exactly_once else 'NO'} ({stored:,}), errors: {len(errors)}")
    return metric, summary


# --- the run --------------------------------------------------------------------------------------------------

def run_bench(engine: Engine, *, sales: int = 1_000, outlets: int = 59, outlet_sales: int = 150, repeat: int = 3,
              seed: int = 7, progress: Progress = lambda _line: None) -> dict[str, Any]:
    """Every measurement on `engine` (a migrated database); returns the JSON-ready result with the metrics."""
    from sync.server.app import create_app

    maker = _Outlets(engine, seed)
    metrics: list[Metric] = []
    details: dict[str, Any] = {}
    with serve_in_thread(create_app(engine)) as base_url:
        progress(f"(a) uploading a day of {sales:,} sales over HTTP ...")
        upload_metrics, details["upload_day"] = bench_upload_day(maker, base_url, sales, repeat, progress)
        metrics.extend(upload_metrics)
        progress("(b) ingest throughput ...")
        ingest_metrics, details["ingest_rate"] = bench_ingest(maker, sales, repeat, progress)
        metrics.extend(ingest_metrics)
        progress(f"(c) {outlets} outlets at once ...")
        metric, details["concurrent"] = bench_concurrent(maker, base_url, outlets, outlet_sales, progress)
        metrics.append(metric)
    database = "postgresql" if is_postgres(engine) else "sqlite"
    return {"database": database, "floor": "COPY" if database == "postgresql" else "executemany",
            "metrics": [metric.to_dict() for metric in metrics], "details": details, "_metrics": metrics,
            "ok": details["concurrent"]["exactly_once"] and details["concurrent"]["errors"] == 0}


@contextlib.contextmanager
def _database(db: str | None, sqlite: bool) -> Iterator[tuple[str, str]]:
    """(url, description): `db` as given, SQLite in a temp folder, else a throwaway PostgreSQL cluster."""
    if db:
        yield db, "the given database"
    elif sqlite:
        with tempfile.TemporaryDirectory(prefix="kkmp-city-bench-") as folder:
            yield f"sqlite+pysqlite:///{Path(folder) / 'city.sqlite3'}", "embedded SQLite (temporary file)"
    else:
        from sync.server.devdb import throwaway_cluster

        with throwaway_cluster() as cluster:
            yield cluster.url, "throwaway PostgreSQL cluster (fsync on)"


def city_bench(*, db: str | None = None, sqlite: bool = False, progress: Progress = lambda _line: None,
               **sizes: int) -> dict[str, Any]:
    """The whole bench on `db`, on a temporary SQLite file, or (default) on a throwaway PostgreSQL cluster.

    Returns run_bench's result plus "table" (the printed table). This is the one call `kkmp-pos bench`
    needs; RuntimeError (PostgreSQL not installed, …) or ImportError when it cannot run.
    """
    with _database(db, sqlite) as (url, description):
        progress(f"database: {description}")
        engine = open_database(url)
        try:
            result = run_bench(engine, progress=progress, **sizes)
        finally:
            engine.dispose()
    result["table"] = format_table(result["_metrics"], f"kkmp-city-server bench — {result['database']} "
                                                       f"(floor: {result['floor']})")
    return result


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kkmp-city-server bench", description=(
        "Ukur server kota: unggah 1 hari penjualan lewat HTTP dan ingest dibanding COPY, lalu 59 gerai sekaligus."))
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", help="postgresql+psycopg://… (bawaan: klaster PostgreSQL sementara)")
    where.add_argument("--sqlite", action="store_true", help="ukur SQLite bawaan (file sementara)")
    parser.add_argument("--sales", type=int, default=1_000, help="penjualan dalam satu hari (bawaan 1000)")
    parser.add_argument("--outlets", type=int, default=59, help="gerai yang mengunggah bersamaan (bawaan 59)")
    parser.add_argument("--outlet-sales", type=int, default=150, help="rata-rata penjualan per gerai (bawaan 150)")
    parser.add_argument("--repeat", type=int, default=3, help="ulangan untuk median (bawaan 3)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None, help="tulis hasil JSON ke file ini juga")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Print the table, then the JSON on one line; 0 when every event was stored exactly once, 2 if it cannot run."""
    args = build_parser().parse_args(argv)
    if min(args.sales, args.outlets, args.outlet_sales, args.repeat) < 1:
        print("Semua ukuran harus 1 atau lebih.", file=sys.stderr)
        return 2

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        result = city_bench(db=args.db, sqlite=args.sqlite, progress=progress, sales=args.sales,
                            outlets=args.outlets, outlet_sales=args.outlet_sales, repeat=args.repeat, seed=args.seed)
    except ImportError as missing:
        print(f"Bench tidak dapat berjalan: {missing}", file=sys.stderr)
        return 2
    except RuntimeError as exc:  # devdb.PostgresNotInstalled is one: its message says what to install
        print(f"Bench tidak dapat berjalan: {exc}\nAtau jalankan dengan --sqlite / --db URL.", file=sys.stderr)
        return 2
    result.pop("_metrics")
    print(result.pop("table"))
    print(json.dumps(result, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    # Like `kkmp-pos bench`, a goal missed is reported in the table, not as a failure of the command; an
    # event lost, duplicated or refused is one.
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())

