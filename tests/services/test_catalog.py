"""Catalogue import (all or nothing, update by SKU, errors in Indonesian) and product lookup/search."""

from __future__ import annotations

from pathlib import Path

import pytest

from kkmp_pos.cli import main as cli_main
from kkmp_pos.domain.catalog_import import CatalogFileInvalid
from kkmp_pos.services import catalog
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.demo import sample_catalog_text

HEADER = "sku,barcode,name,category,unit,price,member_price,het_per_unit,het_source,ppn,sold_by_weight,lpg_kind,cost_price\n"


def _raw_count(ctx: PosContext) -> int:
    with ctx.engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT count(*) FROM product").scalar() or 0)


def test_sample_catalogue_imports_completely(empty_ctx: PosContext) -> None:
    result = catalog.import_catalog_text(empty_ctx, sample_catalog_text())
    assert (result.created, result.updated) == (48, 0)
    oil = catalog.find_by_barcode(empty_ctx, "8999900000055")
    assert oil is not None and (oil.sku, oil.price, oil.het, oil.ppn) == ("MGR-MKT-1", 15700, 15700, "kena")
    rice = catalog.find_by_sku(empty_ctx, "BRS-CURAH")
    assert rice is not None and rice.sold_by_weight and rice.unit == "kg"
    lpg = catalog.find_by_barcode(empty_ctx, "8999900000420")
    assert lpg is not None and lpg.lpg_kind == "subsidi_refill"


def test_reimport_updates_by_sku_and_moves_barcodes(empty_ctx: PosContext) -> None:
    catalog.import_catalog_text(empty_ctx, sample_catalog_text())
    changed = HEADER + "MGR-MKT-1,8999900000499,Minyakita Pouch 1 L,Minyak Goreng,pcs,15500,,15700,,kena,0,,\n"
    result = catalog.import_catalog_text(empty_ctx, changed)
    assert (result.created, result.updated) == (0, 1)
    assert _raw_count(empty_ctx) == 48
    assert catalog.find_by_barcode(empty_ctx, "8999900000055") is None
    product = catalog.find_by_barcode(empty_ctx, "8999900000499")
    assert product is not None and (product.name, product.price) == ("Minyakita Pouch 1 L", 15500)
    assert [p.sku for p in catalog.search_products(empty_ctx, "pouch")] == ["MGR-MKT-1"]


def test_a_file_with_errors_imports_nothing_and_names_line_column_reason(empty_ctx: PosContext) -> None:
    bad = (HEADER
           + "OK-1,8999900000055,Minyakita 1 L,Minyak,pcs,15700,,15700,,kena,0,,\n"
           + "BAD-1,,Gula,Gula,pcs,18.000,,,,bebas,0,,\n"          # price with a dot
           + "BAD-2,8999900000056,Teh,Minuman,pcs,7500,,,,bebas,0,,\n"  # wrong EAN check digit
           + "OK-1,,Dobel,Minuman,pcs,1000,,,,bebas,0,,\n"          # duplicate SKU
           + "BAD-3,,Beras,Beras,kg,15000,,14000,,bebas,2,,\n"      # above HET, bad weight flag
           + "BAD-4,,,Lain,pcs,1000,,,,pajak,0,gas,\n")             # no name, bad ppn, bad lpg kind
    with pytest.raises(CatalogFileInvalid) as caught:
        catalog.import_catalog_text(empty_ctx, bad)
    problems = {(p.line, p.column) for p in caught.value.problems}
    assert problems == {(3, "price"), (4, "barcode"), (5, "sku"), (6, "price"), (6, "sold_by_weight"),
                        (7, "name"), (7, "ppn"), (7, "lpg_kind")}
    report = caught.value.report()
    assert "Katalog tidak diimpor karena ada 8 kesalahan" in report
    assert "Baris 3, kolom 'price': '18.000' bukan rupiah bulat" in report
    assert "Baris 5, kolom 'sku': 'OK-1' sudah ada di baris 2" in report
    assert _raw_count(empty_ctx) == 0


def test_missing_columns_are_reported_on_the_header_line(empty_ctx: PosContext) -> None:
    with pytest.raises(CatalogFileInvalid) as caught:
        catalog.import_catalog_text(empty_ctx, "sku,name\nA,B\n")
    assert {(p.line, p.column) for p in caught.value.problems} == {(1, "category"), (1, "unit"), (1, "price")}


def test_barcode_owned_by_a_product_outside_the_file_is_refused(empty_ctx: PosContext) -> None:
    catalog.import_catalog_text(empty_ctx, sample_catalog_text())
    clash = HEADER + "NEW-1,8999900000055,Minyak Baru,Minyak,pcs,15000,,,,kena,0,,\n"
    with pytest.raises(CatalogFileInvalid, match="1 kesalahan") as caught:
        catalog.import_catalog_text(empty_ctx, clash)
    assert "MGR-MKT-1" in caught.value.problems[0].reason
    assert catalog.find_by_sku(empty_ctx, "NEW-1") is None


def test_search_is_case_and_accent_insensitive_and_limited(ctx: PosContext) -> None:
    assert {p.sku for p in catalog.search_products(ctx, "MINYAKITA")} == {"MGR-MKT-1", "MGR-MKT-2"}
    assert [p.sku for p in catalog.search_products(ctx, "kécap")] == ["KCP-BNG-520"]
    # Two characters: the indexed name prefix; one character: nothing (too broad to be useful).
    assert [p.sku for p in catalog.search_products(ctx, "Ai")] == ["AIR-AQ-600", "AIR-AQ-GLN"]
    assert catalog.search_products(ctx, "t") == []
    # Several words: each must appear, in any order; a short word is matched as a substring.
    assert {p.sku for p in catalog.search_products(ctx, "goreng mie")} == {"MIE-IDG", "MIE-IDG-DUS", "MIE-SDP-G"}
    assert {p.sku for p in catalog.search_products(ctx, "2 l minyak")} == {"MGR-MKT-2", "MGR-BML-2"}
    # Names that start with the text come first.
    assert catalog.search_products(ctx, "gula")[0].name.startswith("Gula")
    assert catalog.search_products(ctx, "8999900000222")[0].sku == "MIE-IDG"
    assert len(catalog.search_products(ctx, "minyak", limit=2)) == 2
    assert catalog.search_products(ctx, "tidak ada barang ini") == []


def test_import_catalog_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "katalog.csv"
    good.write_text(sample_catalog_text(), encoding="utf-8")
    data = tmp_path / "data"
    assert cli_main(["--data-dir", str(data), "import-catalog", str(good)]) == 0
    assert "48 produk baru" in capsys.readouterr().out
    bad = tmp_path / "rusak.csv"
    bad.write_text(HEADER + "X,,Y,Z,pcs,abc,,,,bebas,0,,\n", encoding="utf-8")
    assert cli_main(["import-catalog", str(bad), "--data-dir", str(data)]) == 1
    assert "Baris 2, kolom 'price'" in capsys.readouterr().err
