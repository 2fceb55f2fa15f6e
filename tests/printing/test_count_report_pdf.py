"""The berita acara PDF: a real PDF whose text lists the totals, the differences and the signatures."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kkmp_pos.services.context import PosContext
from kkmp_pos.services.stock_count import approve_count, record_count, set_reason, start_count
from kkmp_pos.services.stock_count_report import export_count_report
from tests.services.test_stock_count import OIL, RICE, grant, manager, product_id


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(text.split())  # a table cell may wrap: compare words, not lines


def test_the_berita_acara_lists_the_differences_and_signature_spaces(ctx: PosContext, tmp_path: Path) -> None:
    boss = manager(ctx)
    oil, rice, sugar = product_id(ctx, OIL), product_id(ctx, RICE), product_id(ctx, "GLA-1")
    count = start_count(ctx, "all", by=boss)
    record_count(ctx, count.id, oil, 52_000, "set")
    record_count(ctx, count.id, rice, 49_250, "set")
    record_count(ctx, count.id, sugar, 50_000, "set")

    draft = export_count_report(ctx, count.id, tmp_path / "draft.pdf")
    assert draft.status == "Draf (belum disetujui)" and draft.lines_with_difference == 2

    set_reason(ctx, count.id, oil, "salah_catat", None)
    set_reason(ctx, count.id, rice, "lainnya", "Tumpah saat menimbang")
    approve_count(ctx, count.id, approval_id=grant(ctx, count.count_no), by=boss, counter_name="Andi Saputra",
                  witness_name="Budi Santoso")
    path = tmp_path / "berita-acara.pdf"
    report = export_count_report(ctx, count.id, path)
    assert path.read_bytes().startswith(b"%PDF-")
    assert (report.products_counted, report.surplus_value, report.shortage_value) == (3, 28_200, -9_075)

    text = pdf_text(path)
    for expected in ("Berita Acara Stok Opname LPK-01-O000001", "KKMP", "Cakupan: Semua produk", "Disetujui",
                     "Minyakita 1 L", "+2 pcs", "Rp28.200", "Salah catat", "Beras Curah Medium", "-0,750 kg",
                     "Lainnya: Tumpah saat menimbang", "Rp19.125", "Penghitung", "Saksi", "Ketua koperasi",
                     "(Andi Saputra)", "(Budi Santoso)"):
        assert expected in text, expected
    assert "Gula" not in text  # counted without a difference: not a line of the report
