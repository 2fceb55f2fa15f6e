"""Publishing master data from CSV (one version, changed rows only) and the signed pull of it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from sync.protocol.canonical import canon
from sync.protocol.keys import generate_private_key, public_key_b64, verify
from sync.server.master import (
    LPG_CATEGORIES,
    MasterFileError,
    latest_master_version,
    master_since,
    publish_master_csv,
)
from sync.server.server_key import load_or_create_server_key
from sync.server.store.schema import master_item

RESOURCES = Path(__file__).resolve().parents[3] / "resources"
OUTLET = "00000000-0000-4000-8000-000000000001"


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _latest(engine: Engine) -> int:
    with engine.connect() as connection:
        return latest_master_version(connection)


def test_publishing_the_sample_files_detects_each_kind(city_engine: Engine, tmp_path: Path) -> None:
    limits = _write(tmp_path / "limits.csv", ["category", "per_day", "per_month"],
                    [["rumah_tangga", "1", "4"], ["usaha_mikro", "", "30"]])
    settings = _write(tmp_path / "settings.csv", ["value", "key"], [["Rp", "currency"]])
    results = [publish_master_csv(city_engine, path) for path in (
        RESOURCES / "catalog_sample.csv", RESOURCES / "het_ceilings.csv", limits, settings)]
    assert [(r["kind"], r["version"], r["published"]) for r in results] == [
        ("product", 1, True), ("ceiling", 2, True), ("lpg_limit", 3, True), ("setting", 4, True)]
    assert results[0]["items"] == len(_csv_rows(RESOURCES / "catalog_sample.csv"))
    assert results[1]["items"] == len(_csv_rows(RESOURCES / "het_ceilings.csv"))


def test_republishing_an_unchanged_file_publishes_nothing(city_engine: Engine) -> None:
    first = publish_master_csv(city_engine, RESOURCES / "het_ceilings.csv")
    again = publish_master_csv(city_engine, RESOURCES / "het_ceilings.csv")
    assert again["published"] is False and again["items"] == 0 and again["version"] == first["version"]
    assert "Tidak ada perubahan" in again["message"]
    assert _latest(city_engine) == first["version"]


def test_only_changed_and_new_rows_get_the_new_version(city_engine: Engine, tmp_path: Path) -> None:
    source = RESOURCES / "catalog_sample.csv"
    publish_master_csv(city_engine, source)
    rows = _csv_rows(source)
    header = list(rows[0])
    rows[2]["price"] = str(int(rows[2]["price"]) + 500)
    rows.append({**rows[0], "sku": "BARU-001", "barcode": "", "name": "Produk baru"})
    edited = _write(tmp_path / "catalog.csv", header, [[row[c] for c in header] for row in rows])
    result = publish_master_csv(city_engine, edited)
    assert (result["version"], result["items"], result["new"], result["changed"]) == (2, 2, 1, 1)
    with city_engine.connect() as connection:
        at_two = connection.execute(select(master_item.c.key).where(master_item.c.version == 2)).scalars()
        assert sorted(at_two) == sorted(["BARU-001", rows[2]["sku"]])
    server_key = load_or_create_server_key(city_engine)
    delta = master_since(city_engine, OUTLET, 1, server_key)
    assert delta["version"] == 2 and delta["snapshot"] is False
    assert [c["key"] for c in delta["changes"]] == sorted(["BARU-001", rows[2]["sku"]])
    changed = next(c for c in delta["changes"] if c["key"] == rows[2]["sku"])
    assert changed["row"] == rows[2]  # exactly the CSV row, every value a string


def test_snapshot_holds_everything_sorted_and_signed(city_engine: Engine) -> None:
    publish_master_csv(city_engine, RESOURCES / "het_ceilings.csv")
    publish_master_csv(city_engine, RESOURCES / "catalog_sample.csv")
    server_key = load_or_create_server_key(city_engine)
    body = master_since(city_engine, OUTLET, 0, server_key)
    assert body["snapshot"] is True and body["version"] == 2
    keys = [(c["kind"], c["key"]) for c in body["changes"]]
    assert keys == sorted(keys) and len(keys) == len(set(keys))
    ceiling = next(c for c in body["changes"] if c["kind"] == "ceiling")
    sku, kind, effective_from = ceiling["key"].split("|")
    assert (ceiling["row"]["sku"], ceiling["row"]["kind"], ceiling["row"]["effective_from"]) == (
        sku, kind, effective_from)
    signed = {k: v for k, v in body.items() if k != "sig"}
    verify(public_key_b64(server_key), signed, body["sig"])
    with pytest.raises(Exception, match="signature"):
        verify(public_key_b64(generate_private_key()), signed, body["sig"])


def test_up_to_date_or_empty_server_sends_no_changes(city_engine: Engine) -> None:
    server_key = load_or_create_server_key(city_engine)
    empty = master_since(city_engine, OUTLET, 0, server_key)
    assert (empty["version"], empty["snapshot"], empty["changes"]) == (0, False, [])
    publish_master_csv(city_engine, RESOURCES / "het_ceilings.csv")
    for since in (1, 5):
        body = master_since(city_engine, OUTLET, since, server_key)
        assert (body["version"], body["snapshot"], body["changes"]) == (1, False, [])
        verify(public_key_b64(server_key), {k: body[k] for k in ("version", "snapshot", "changes")}, body["sig"])


CEILING_HEADER = ["sku", "kind", "amount", "source", "region", "effective_from"]
GOOD_CEILING = ["LPG-3-ISI", "HET", "18000", "SK", "Samarinda", "2022-09-01"]


@pytest.mark.parametrize(("header", "rows", "message"), [
    (["sku", "nama", "harga"], [["A", "B", "1"]], "Kolom judul"),
    (CEILING_HEADER, [GOOD_CEILING, GOOD_CEILING[:2] + ["18.000"] + GOOD_CEILING[3:]], "Baris 3, kolom 'amount'"),
    (CEILING_HEADER, [GOOD_CEILING[:5] + ["2024-02-30"]], "Baris 2, kolom 'effective_from'"),
    (CEILING_HEADER, [GOOD_CEILING[:5] + ["01/09/2022"]], "effective_from"),
    (CEILING_HEADER, [GOOD_CEILING, GOOD_CEILING], "Baris 3: 'LPG-3-ISI|HET|2022-09-01' sudah ada"),
    (CEILING_HEADER, [GOOD_CEILING[:4]], "Baris 2: ada 4 kolom, seharusnya 6"),
    (CEILING_HEADER, [], "tidak berisi baris"),
    (["category", "per_day", "per_month"], [["rumah_besar", "1", "4"]], "kolom 'category'"),
    (["category", "per_day", "per_month"], [["rumah_tangga", "-1", ""]], "kolom 'per_day'"),
    (["key", "value"], [["", "x"]], "kolom 'key': wajib"),
])
def test_bad_files_are_refused_with_line_and_column_and_publish_nothing(
        city_engine: Engine, tmp_path: Path, header: list[str], rows: list[list[str]], message: str) -> None:
    publish_master_csv(city_engine, RESOURCES / "het_ceilings.csv")
    path = _write(tmp_path / "bad.csv", header, rows)
    with pytest.raises(MasterFileError, match=message.replace("|", r"\|")):
        publish_master_csv(city_engine, path)
    assert _latest(city_engine) == 1


def test_bad_product_rows(city_engine: Engine, tmp_path: Path) -> None:
    rows = _csv_rows(RESOURCES / "catalog_sample.csv")[:3]
    header = list(rows[0])
    for column, value, message in (("price", "", "kolom 'price'"), ("name", " ", "kolom 'name': wajib"),
                                   ("ppn", "mungkin", "kolom 'ppn'"), ("sold_by_weight", "ya", "kolom 'sold_by_weight'"),
                                   ("cost_price", "1,5", "kolom 'cost_price'")):
        broken = [dict(row) for row in rows]
        broken[1][column] = value
        path = _write(tmp_path / "p.csv", header, [[row[c] for c in header] for row in broken])
        with pytest.raises(MasterFileError, match=f"Baris 3, {message}"):
            publish_master_csv(city_engine, path)
    assert _latest(city_engine) == 0


def test_file_problems_are_explained(city_engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(MasterFileError, match="tidak ditemukan"):
        publish_master_csv(city_engine, tmp_path / "missing.csv")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("key,value\nnama,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(MasterFileError, match="UTF-8"):
        publish_master_csv(city_engine, latin1)
    with pytest.raises(MasterFileError, match="tidak dapat dibaca"):
        publish_master_csv(city_engine, tmp_path)
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"key,value\nnama,a\x00b\n")
    with pytest.raises(MasterFileError, match="NUL"):
        publish_master_csv(city_engine, nul)
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffkey,value\nnama,Café\n".encode())
    assert publish_master_csv(city_engine, bom)["kind"] == "setting"


def test_every_lpg_category_of_the_outlet_is_accepted(city_engine: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path / "lpg.csv", ["category", "per_day", "per_month"],
                  [[category, "", ""] for category in LPG_CATEGORIES])
    assert publish_master_csv(city_engine, path)["items"] == len(LPG_CATEGORIES)


def test_payload_is_canonical_json_of_the_row(city_engine: Engine) -> None:
    publish_master_csv(city_engine, RESOURCES / "het_ceilings.csv")
    first = _csv_rows(RESOURCES / "het_ceilings.csv")[0]
    with city_engine.connect() as connection:
        payload = connection.execute(text("SELECT payload FROM master_item WHERE key = :k"),
                                     {"k": f"{first['sku']}|{first['kind']}|{first['effective_from']}"}).scalar_one()
    assert payload == canon(first).decode("utf-8")
