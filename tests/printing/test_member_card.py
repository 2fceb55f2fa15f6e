"""The member card PDF: card-sized, a valid PDF, with the member's details and a Code128 of the number."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from reportlab.graphics.barcode.code128 import Code128

from kkmp_pos.domain.errors import PosError
from kkmp_pos.domain.member import MemberForm
from kkmp_pos.printing.member_card import BAR_HEIGHT, MemberCard, render_member_card
from kkmp_pos.services import members
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import default_cashier

CARD = MemberCard(koperasi_name="KKMP Lempake", gerai_name="Gerai Sembako & Elpiji Lempake", member_no="A-000123",
                  member_name="Siti Aminah", kind="anggota", join_date=date(2026, 11, 30), kelurahan="Lempake")


def media_box_mm(data: bytes) -> tuple[float, float]:
    match = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert match, "no MediaBox"
    return round(float(match.group(1)) * 25.4 / 72, 1), round(float(match.group(2)) * 25.4 / 72, 1)


def test_card_is_a_one_page_credit_card_sized_pdf_with_the_details() -> None:
    data = render_member_card(CARD)
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    assert b"startxref" in data and len(re.findall(rb"/Type /Page\b(?!s)", data)) == 1
    assert media_box_mm(data) == (85.6, 54.0)
    for text in (b"(KKMP Lempake) Tj", b"(Siti Aminah) Tj", b"(A-000123) Tj", b"(KARTU ANGGOTA) Tj",
                 b"Bergabung 30-11-2026"):
        assert text in data, text
    assert b"Kel. Lempake" in data


def drawn_bars(data: bytes) -> str:
    """The barcode as drawn, read back from the page: bar widths as capitals, gaps as small letters
    (A/a = one module), the notation reportlab's Code128 `decomposed` uses."""
    rects = [(float(x), float(w)) for x, w, h in re.findall(rb"n ([\d.]+) 0 ([\d.]+) ([\d.]+) re f", data)
             if abs(float(h) - BAR_HEIGHT) < 0.01]
    assert rects, "no bars drawn"
    module = min(width for _x, width in rects)
    out = []
    for index, (x, width) in enumerate(rects):
        if index:
            previous_x, previous_width = rects[index - 1]
            out.append("abcd"[round((x - previous_x - previous_width) / module) - 1])
        out.append("ABCD"[round(width / module) - 1])
    return "".join(out)


def code128_pattern(value: str) -> str:
    barcode = Code128(value)
    barcode.validate()
    barcode.encode()
    barcode.decompose()
    return str(barcode.decomposed)


def test_barcode_is_the_code128_of_the_member_number() -> None:
    assert drawn_bars(render_member_card(CARD)) == code128_pattern("A-000123")
    other = replace(CARD, member_no="P-000045")
    assert drawn_bars(render_member_card(other)) == code128_pattern("P-000045")
    assert code128_pattern("A-000123") != code128_pattern("P-000045")


def test_rendering_is_deterministic() -> None:
    assert render_member_card(CARD) == render_member_card(CARD)


def test_long_names_shrink_or_shorten_but_stay_on_the_card() -> None:
    data = render_member_card(replace(CARD, member_name="Hajjah Siti Nurhaliza Binti Abdurrahman Wahid Al-Banjari"))
    assert b"(Hajjah Siti Nurhaliza" in data


def test_save_card_writes_the_chosen_file(ctx: PosContext, tmp_path: Path) -> None:
    member = members.register_member(ctx, MemberForm(
        kind="anggota", name="Siti Aminah", nik="6472054101900001", address="Jl. Lempake 7",
        kelurahan_code="64.72.05.1003"), by=default_cashier(ctx))
    saved = members.save_member_card(ctx, member.id, tmp_path / "kartu-siti")
    assert saved == tmp_path / "kartu-siti.pdf"
    data = saved.read_bytes()
    assert data.startswith(b"%PDF-") and b"(A-000001) Tj" in data and b"(KKMP Lempake) Tj" in data
    assert b"Kel. Lempake" in data
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True, check=True).stdout
        assert "A-000001" in text and "Siti Aminah" in text


def test_save_card_to_a_missing_folder_says_so(ctx: PosContext, tmp_path: Path) -> None:
    member = members.register_member(ctx, MemberForm(kind="pelanggan", name="Ani"), by=default_cashier(ctx))
    with pytest.raises(PosError, match="Kartu tidak dapat disimpan"):
        members.save_member_card(ctx, member.id, tmp_path / "tidak-ada" / "kartu.pdf")
