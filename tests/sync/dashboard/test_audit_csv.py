"""The city's audit CSV of an outlet's stored journal: on the dashboard (role-scoped) and from the command line."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, insert, select

from sync.server.audit_export import HEADER
from sync.server.ingest import ingest_upload
from sync.server.server_key import load_or_create_server_key
from sync.server.store.schema import flag, journal_event
from tests.sync.dashboard.conftest import OUTLET_A, OUTLET_B, City, login
from tests.sync.helpers.devices import Till, enrol_till

ROOT = Path(__file__).resolve().parents[3]


def upload(engine: Engine, till: Till, count: int) -> None:
    start = len(till.events) + 1
    till.sell(count)
    answer = ingest_upload(engine, device_id=till.device_id, authorization=f"Bearer {till.token}",
                           raw_body=json.dumps(till.body(start, start + count - 1)).encode(), content_encoding=None,
                           server_key=load_or_create_server_key(engine))
    assert answer["acked_through"] == start + count - 1, answer


def stored(city: City) -> tuple[Till, Till]:
    """A till at outlet A with five events (one flagged) and one at outlet B with two."""
    a, b = enrol_till(city.engine, outlet_id=OUTLET_A, seed=11), enrol_till(city.engine, outlet_id=OUTLET_B, seed=12)
    upload(city.engine, a, 5)
    upload(city.engine, b, 2)
    with city.engine.begin() as connection:
        connection.execute(insert(flag).values(outlet_id=OUTLET_A, device_id=a.device_id, seq=4, kind="override",
                                               detail="harga diubah manajer", created_at="2026-11-30T02:00:00Z"))
    return a, b


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_dinas_downloads_an_outlets_events_as_stored(client, city: City) -> None:  # type: ignore[no-untyped-def]
    a, _b = stored(city)
    login(client, "dinas.kota")
    answer = client.get(f"/outlet/{OUTLET_A}/audit.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert 'filename="audit_0a0a0a0a_2026-11-30.csv"' in answer.headers["content-disposition"]
    assert answer.text.startswith(",".join(HEADER) + "\r\n")
    found = rows(answer.text)
    with city.engine.connect() as connection:
        hashes = connection.execute(select(journal_event.c.seq, journal_event.c.hash)
                                    .where(journal_event.c.device_id == a.device_id)
                                    .order_by(journal_event.c.seq)).all()
    assert [(int(r["seq"]), r["hash8"]) for r in found] == [(s, h[:8]) for s, h in hashes]
    assert {r["device_id"] for r in found} == {a.device_id} and found[0]["perangkat"] == "Kasir 1"
    assert found[0]["jenis"] == "sale" and found[0]["waktu_perangkat_wita"] and found[0]["diterima_wita"]
    assert [r["tanda"] for r in found] == ["", "", "", "override", ""]


def test_koperasi_gets_its_own_outlet_and_never_another(client, city: City) -> None:  # type: ignore[no-untyped-def]
    a, b = stored(city)
    login(client, "kop.sidodadi")
    own = client.get(f"/outlet/{OUTLET_A}/audit.csv")
    assert own.status_code == 200 and len(rows(own.text)) == 5
    other = client.get(f"/outlet/{OUTLET_B}/audit.csv")
    assert other.status_code == 404 and b.device_id not in other.text
    assert "tidak berhak melihatnya" in other.text
    assert client.get("/outlet/..%2F..%2Fetc/audit.csv").status_code == 404


def test_without_a_session_the_export_redirects_to_login(client, city: City) -> None:  # type: ignore[no-untyped-def]
    stored(city)
    answer = client.get(f"/outlet/{OUTLET_A}/audit.csv", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_the_command_line_writes_the_same_file(city: City, city_db_url: str, tmp_path: Path) -> None:
    a, _b = stored(city)
    out = tmp_path / "audit.csv"
    result = subprocess.run([sys.executable, "-m", "sync.server.cli", "audit-export", "--db", city_db_url,
                             "--outlet", OUTLET_A, "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"outlet_id": OUTLET_A, "events": 5, "file": str(out)}
    written = rows(out.read_text(encoding="utf-8"))
    assert [int(r["seq"]) for r in written] == [1, 2, 3, 4, 5] and written[3]["tanda"] == "override"
    missing = subprocess.run([sys.executable, "-m", "sync.server.cli", "audit-export", "--db", city_db_url,
                              "--outlet", "tidak-ada", "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                             timeout=120, check=False)
    assert missing.returncode == 2 and "Gerai 'tidak-ada' tidak ditemukan" in missing.stderr
