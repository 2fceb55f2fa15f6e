"""The monthly logbook PDF (NIK whole or masked by reader) and the HET notice for the wall."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.lpg_logbook import export_het_notice, export_month_pdf
from kkmp_pos.services.settings import load_settings, save_settings
from tests.services.test_lpg_logbook import ANDI, SITI, sell_sample, user_id

PDFTOTEXT = shutil.which("pdftotext")


def pdf_text(path: Path) -> str | None:
    """The PDF's text when poppler's pdftotext is installed, else None (the byte checks still run)."""
    if PDFTOTEXT is None:
        return None
    return subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def sold(ctx: PosContext) -> PosContext:
    return sell_sample(ctx)


def _register(ctx: PosContext) -> None:
    save_settings(ctx, replace(load_settings(ctx), lpg_registration_no="SP-6472-0042",
                               lpg_agen_name="PT Agen Mahakam Gas"))


def test_the_logbook_pdf_shows_the_whole_nik_to_a_manager_only(sold: PosContext, tmp_path: Path) -> None:
    _register(sold)
    whole, masked = tmp_path / "manajer.pdf", tmp_path / "kasir.pdf"
    assert export_month_pdf(sold, "2026-11", whole, viewer_id=user_id(sold, "manajer")) == 3
    assert export_month_pdf(sold, "2026-11", masked, viewer_id=user_id(sold, "kasir")) == 3
    for path in (whole, masked):
        assert path.read_bytes().startswith(b"%PDF-")
    whole_text, masked_text = pdf_text(whole), pdf_text(masked)
    if whole_text is None or masked_text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDFs' text is not checked")
    assert "Logbook Elpiji 3 kg — November 2026" in whole_text
    assert "SP-6472-0042" in whole_text and "PT Agen Mahakam Gas" in whole_text
    assert SITI in whole_text and ANDI in whole_text
    assert SITI not in masked_text and "6472********0001" in masked_text
    assert "DO-2611-07" in whole_text
    # Totals per category: 2 tabung rumah tangga, 2 pengecer, 4 in all.
    assert "Rumah tangga" in whole_text and "Rp36.000" in whole_text and "Rp72.000" in whole_text


def test_the_het_notice_states_the_ceiling_in_force_and_where_to_complain(ctx: PosContext, tmp_path: Path) -> None:
    _register(ctx)
    path = tmp_path / "het.pdf"
    notice = export_het_notice(ctx, path)
    assert (notice.het, notice.registration_no, notice.agen_name) == (18000, "SP-6472-0042", "PT Agen Mahakam Gas")
    assert "SK Gubernur Kaltim" in notice.het_source
    assert path.read_bytes().startswith(b"%PDF-")
    text = pdf_text(path)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text is not checked")
    text = " ".join(text.split())
    assert "HET Elpiji 3 kg Rp18.000 per tabung" in text
    assert "SP-6472-0042" in text and "PT Agen Mahakam Gas" in text and "SK Gubernur Kaltim" in text
    assert "Pengaduan: hubungi 135" in text


def test_a_pdf_that_cannot_be_saved_says_so(ctx: PosContext, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="Tidak dapat menyimpan"):
        export_het_notice(ctx, tmp_path / "no-such-folder" / "het.pdf")
