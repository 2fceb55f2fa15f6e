"""`kkmp-city-server` as an administrator runs it: real subprocesses, one JSON line out, Indonesian errors."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import text

from sync.protocol.keys import generate_private_key, public_key_b64
from sync.server.enrolment import enroll
from sync.server.ingest import ingest_upload
from sync.server.server_key import load_or_create_server_key
from sync.server.store.db import DB_ENV, open_database
from tests.sync.helpers.devices import enrol_till

ROOT = Path(__file__).resolve().parents[3]
RESOURCES = ROOT / "resources"


def run(args: list[str], db: str | None, cwd: Path, env_db: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != DB_ENV}
    if env_db is not None:
        env[DB_ENV] = env_db
    command = [sys.executable, "-m", "sync.server.cli", *args]
    if db is not None:
        command += ["--db", db]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


def one_json_line(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


def refused(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert fragment in result.stderr and "Traceback" not in result.stderr


@pytest.fixture
def db(city_db_url: str) -> str:
    return city_db_url


def test_create_outlet_prints_one_json_line_whose_code_enrols(db: str, tmp_path: Path) -> None:
    made = one_json_line(run(["create-outlet", "--name", "KKMP Lempake", "--kelurahan", "64.72.05.1003",
                              "--kelurahan-name", "Lempake", "--kecamatan", "Samarinda Utara",
                              "--lpg3-allocation", "560"], db, tmp_path))
    assert set(made) == {"outlet_id", "enrolment_code"}
    again = one_json_line(run(["enrolment-code", "--outlet", made["outlet_id"]], db, tmp_path))
    assert again["outlet_id"] == made["outlet_id"] and again["enrolment_code"] != made["enrolment_code"]
    assert again["expires_at"].endswith("Z")
    engine = open_database(db)
    try:
        key = load_or_create_server_key(engine)
        for code in (made["enrolment_code"], again["enrolment_code"]):
            answer = enroll(engine, code, public_key_b64(generate_private_key()), "Kasir", key)
            assert answer["outlet_id"] == made["outlet_id"]
        revoked = one_json_line(run(["revoke-device", "--device", answer["device_id"]], db, tmp_path))
        assert revoked["status"] == "revoked"
    finally:
        engine.dispose()


def test_publish_master_then_nothing_to_publish(db: str, tmp_path: Path) -> None:
    first = one_json_line(run(["publish-master", str(RESOURCES / "het_ceilings.csv")], db, tmp_path))
    assert (first["kind"], first["version"], first["published"]) == ("ceiling", 1, True)
    second = one_json_line(run(["publish-master", str(RESOURCES / "het_ceilings.csv")], db, tmp_path))
    assert (second["version"], second["published"], second["items"]) == (1, False, 0)


def test_errors_are_indonesian_on_stderr_with_exit_code_2(db: str, tmp_path: Path) -> None:
    refused(run(["create-outlet", "--name", "X", "--kelurahan", "6472051003"], db, tmp_path),
            "Kode kelurahan '6472051003' tidak sah")
    refused(run(["enrolment-code", "--outlet", "tidak-ada"], db, tmp_path), "Gerai 'tidak-ada' tidak ditemukan")
    refused(run(["verify", "--outlet", "tidak-ada"], db, tmp_path), "tidak ditemukan")
    refused(run(["revoke-device", "--device", "tidak-ada"], db, tmp_path), "Perangkat 'tidak-ada'")
    refused(run(["publish-master", str(tmp_path / "hilang.csv")], db, tmp_path), "tidak ditemukan")
    bad = tmp_path / "het.csv"
    bad.write_text("sku,kind,amount,source,region,effective_from\nA,HET,12.000,s,r,2025-01-01\n", encoding="utf-8")
    refused(run(["publish-master", str(bad)], db, tmp_path), "Baris 2, kolom 'amount'")
    refused(run(["create-user", "--username", "koperasi1", "--role", "koperasi"], db, tmp_path), "--outlet")


def test_database_comes_from_the_environment_else_a_local_sqlite_file(tmp_path: Path) -> None:
    env_db = f"sqlite+pysqlite:///{tmp_path / 'from_env.sqlite3'}"
    one_json_line(run(["create-outlet", "--name", "KKMP A", "--kelurahan", "64.72.05.1003"], None, tmp_path,
                      env_db=env_db))
    assert (tmp_path / "from_env.sqlite3").exists()
    one_json_line(run(["create-outlet", "--name", "KKMP B", "--kelurahan", "64.72.05.1003"], None, tmp_path))
    assert (tmp_path / "kkmp_city.sqlite3").exists()
    refused(run(["create-outlet", "--name", "X", "--kelurahan", "64.72.05.1003"], "mysql://x/y", tmp_path),
            "URL basis data tidak didukung")


def test_create_user_prints_the_generated_password_once(db: str, tmp_path: Path) -> None:
    user = one_json_line(run(["create-user", "--username", "dinas.kota", "--role", "dinas"], db, tmp_path))
    assert user["username"] == "dinas.kota" and user["role"] == "dinas" and len(user["password"]) >= 10


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_starts_the_api_with_one_command(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != DB_ENV}
    process = subprocess.Popen([sys.executable, "-m", "sync.server.cli", "serve", "--port", str(port)],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        health = None
        for _ in range(300):
            if process.poll() is not None:
                break
            try:
                health = requests.get(f"http://127.0.0.1:{port}/v1/health", timeout=2).json()
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert health is not None and health["status"] == "ok", "the server did not come up"
        key = requests.get(f"http://127.0.0.1:{port}/v1/server-key", timeout=5).json()["public_key"]
        assert len(key) == 44
        assert (tmp_path / "kkmp_city.sqlite3").exists()
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "Traceback" not in output, output


def test_verify_reports_the_first_bad_seq_of_a_tampered_chain(db: str, tmp_path: Path) -> None:
    engine = open_database(db)
    try:
        till = enrol_till(engine)
        till.sell(4)
        ingest_upload(engine, device_id=till.device_id, authorization=f"Bearer {till.token}",
                      raw_body=json.dumps(till.body(1, 4)).encode(), content_encoding=None,
                      server_key=load_or_create_server_key(engine))
        clean = one_json_line(run(["verify", "--outlet", till.outlet_id], db, tmp_path))
        assert clean["ok"] is True and clean["devices"][0]["events"] == 4
        with engine.begin() as connection:
            connection.execute(text("UPDATE journal_event SET body = :b WHERE device_id = :d AND seq = 3"),
                               {"b": '{"total":1}', "d": till.device_id})
    finally:
        engine.dispose()
    broken = run(["verify", "--outlet", till.outlet_id], db, tmp_path)
    assert broken.returncode == 1
    report = json.loads(broken.stdout)
    assert report["ok"] is False and report["devices"][0]["first_bad_seq"] == 3
