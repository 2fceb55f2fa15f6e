"""The city server bench on tiny sizes: every code path runs, floors and ratios are computed, counts check out."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine

from sync.server.bench import Metric, format_table, main, run_bench
from sync.server.bench_floor import copy_seconds, floor_table, stored_rows


def test_a_tiny_bench_measures_every_metric_against_its_floor(city_engine: Engine) -> None:
    result = run_bench(city_engine, sales=25, outlets=4, outlet_sales=8, repeat=2, seed=3)
    metrics: list[Metric] = result.pop("_metrics")
    assert [metric.name for metric in metrics] == ["upload_day", "upload_client", "ingest_rate", "protocol_checks",
                                                    "concurrent_outlets"]
    upload, client, ingest, checks, concurrent = metrics
    assert checks.value and checks.floor is None and checks.met is None
    assert 0 < client.value < upload.value and client.floor is None  # a part of the upload, timed inside it
    assert upload.value and upload.floor and upload.ratio == upload.value / upload.floor
    assert upload.max_ratio == 3.0 and upload.met is (upload.ratio <= 3.0)
    assert ingest.value and ingest.floor and ingest.min_ratio == pytest.approx(1 / 3)
    assert ingest.met is (ingest.ratio >= 1 / 3)
    assert result["floor"] == ("COPY" if city_engine.dialect.name == "postgresql" else "executemany")
    details = result["details"]
    upload_details = details["upload_day"]
    assert len(upload_details["upload_s"]) == len(upload_details["floor_s"]) == len(upload_details["building_s"]) == 2
    assert all(0 < built < whole for built, whole in zip(upload_details["building_s"], upload_details["upload_s"],
                                                         strict=True))
    summary = details["concurrent"]
    assert summary["outlets"] == 4 and summary["errors"] == 0 and summary["exactly_once"] is True
    assert summary["stored"] == summary["events"] > 4 * 8 and concurrent.value and concurrent.floor is None
    assert result["ok"] is True
    json.dumps(result)  # the JSON the command prints
    table = format_table(metrics, "bench")
    assert table.splitlines()[2].split() == ["metric", "value", "floor", "ratio", "goal", "met"]
    assert ">= 1/3 of floor" in table and "<= 3x floor" in table and "stored exactly once: yes" in table


def test_the_floor_loads_the_same_rows_into_an_empty_twin_table(city_engine: Engine) -> None:
    run_bench(city_engine, sales=5, outlets=1, outlet_sales=3, repeat=1, seed=4)
    with city_engine.connect() as connection:
        devices = [row[0] for row in connection.exec_driver_sql("SELECT id FROM device").all()]
    rows = stored_rows(city_engine, devices)
    assert rows and copy_seconds(city_engine, rows) > 0
    with city_engine.connect() as connection:  # the twin is dropped after each measurement
        assert not city_engine.dialect.has_table(connection, floor_table().name)


def test_goals_are_judged_on_the_ratio() -> None:
    assert Metric("a", "A", "s", 2.9, 1.0, max_ratio=3).met is True
    assert Metric("a", "A", "s", 3.1, 1.0, max_ratio=3).met is False
    assert Metric("b", "B", "events/s", 40, 100, min_ratio=1 / 3).met is True
    assert Metric("b", "B", "events/s", 30, 100, min_ratio=1 / 3).met is False
    assert Metric("c", "C", "s", 1.0).met is None and Metric("c", "C", "s", None, 1.0, max_ratio=3).ratio is None


def test_the_command_prints_the_table_then_one_line_of_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--sqlite", "--sales", "10", "--outlets", "2", "--outlet-sales", "4", "--repeat", "1"])
    out = capsys.readouterr().out.strip().splitlines()
    result = json.loads(out[-1])
    assert out[0].startswith("kkmp-city-server bench — sqlite")
    assert result["database"] == "sqlite" and result["details"]["concurrent"]["exactly_once"] is True
    judged = {metric["name"]: metric["met"] for metric in result["metrics"]}
    assert code == 0 and isinstance(judged["upload_day"], bool) and isinstance(judged["ingest_rate"], bool)
    assert main(["--sqlite", "--sales", "0"]) == 2
