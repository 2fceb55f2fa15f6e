"""The sales report PDF: its text read back with pdftotext shows the figures and the margin rule."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kkmp_pos.services import reports, reports_export
from kkmp_pos.services.context import PosContext
from tests.services.test_reports import DAY, day  # noqa: F401 - the fixture with the day's trade


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_text_shows_the_totals_the_products_and_the_void(day: PosContext, tmp_path: Path) -> None:  # noqa: F811
    path = reports_export.export_report_pdf(day, reports.sales_report(day, DAY), tmp_path / "laporan.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "Laporan penjualan" in text and "Periode: 30-11-2026" in text
    assert "Penjualan bersih" in text and "Rp129.143" in text and "Rp1.953" in text
    assert "MIE-IDG" in text and "Rp35.000" in text and "Rp4.000" in text
    assert "salah pindai" in text and "QR-7" in text
    assert "harga pokok rata-rata saat ini" in " ".join(text.split())
