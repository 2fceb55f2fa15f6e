"""The PDF manual: built from panduan.md with its chapters, a table of contents, page numbers and every screenshot."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from kkmp_pos.cli import main as cli_main
from kkmp_pos.manual import anchors, load_manual, read_image, referenced_images, split_anchors
from kkmp_pos.manual import pdf as manual_pdf
from kkmp_pos.manual.__main__ import main


def pdf_text(path: Path, *options: str) -> str:
    out = subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return out if options else " ".join(out.split())


def embedded_images(path: Path) -> int:
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    return len([line for line in listing.splitlines()[2:] if line.strip()])


def test_the_manual_pdf_has_every_chapter_a_table_of_contents_and_every_screenshot(tmp_path: Path,
                                                                                   capsys: pytest.CaptureFixture[str]
                                                                                   ) -> None:
    out = tmp_path / "dist" / "panduan.pdf"
    assert main(["--out", str(out)]) == 0
    assert capsys.readouterr().out == f"Panduan disimpan ke {out}.\n"
    assert out.read_bytes().startswith(b"%PDF")
    text = pdf_text(out)
    assert text.startswith("Panduan Pengguna KKMP POS")
    layout = pdf_text(out, "-layout")  # one contents entry per line: title, dot leader, page
    contents = layout[layout.index("Daftar isi"):layout.index("Masuk dan PIN", layout.index("Lain-lain"))]
    chapters = [h for h in split_anchors(load_manual())[1] if h.level == 2]
    assert len(chapters) >= 15
    for chapter in chapters:
        title = " ".join(chapter.title.split())
        # Listed in the contents with its page number, and printed again as the chapter's heading.
        assert re.search(r"^\s*" + re.escape(title) + r"[ .]+\d+$", contents, re.MULTILINE), title
        assert text.count(title) >= 2, title
    for title in ("Menjual", "Pembayaran", "Elpiji 3 kg", "Stok opname", "Menutup hari: kas dan laporan Z",
                  "Sinkron ke server kota", "Cadangan", "Bila ada masalah", "Internet putus", "Printer tidak mencetak"):
        assert title in text
    pages = int(re.findall(r"Halaman (\d+)", text)[-1])
    assert pages >= 10 and f"Halaman {pages - 1}" in text
    assert embedded_images(out) >= len(referenced_images(load_manual())) >= 10


def test_the_renderer_handles_the_markdown_subset_and_falls_back_to_vera(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    markdown = "\n".join([
        "# Judul", "", "Paragraf dengan **tebal**, *miring*, `kode` dan [tautan](#bab) → panah.", "",
        '<a id="bab"></a>', "## Bab satu", "", "1. pertama", "2. kedua", "   - anak", "",
        "| Tombol | Fungsi |", "|---|---|", "| F2 | Cari |", "", "> Catatan penting.", "",
        "```", "kkmp-pos backup --to /media/flashdisk", "```", "", "![Layar kasir](img/kasir.png)", "",
    ])
    # No DejaVu on this "machine": reportlab's own Vera, with the arrow spelled out.
    monkeypatch.setattr(manual_pdf, "_DEJAVU_DIRS", ())
    out = tmp_path / "kecil.pdf"
    out.write_bytes(manual_pdf.render_manual(markdown, read_image))
    text = pdf_text(out)
    for expected in ("Judul", "tebal", "miring", "kode", "tautan -> panah", "Bab satu", "1. pertama", "2. kedua",
                     "anak", "Tombol Fungsi F2 Cari", "Catatan penting.", "kkmp-pos backup --to /media/flashdisk",
                     "Layar kasir", "Daftar isi", "Halaman 1"):
        assert expected in text, expected
    assert embedded_images(out) == 1
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert "BitstreamVeraSans" in fonts and "DejaVu" not in fonts


def test_a_broken_anchor_is_refused() -> None:
    with pytest.raises(ValueError, match="'bab' is not followed by a heading"):
        split_anchors('<a id="bab"></a>\nteks biasa\n')
    with pytest.raises(ValueError, match="'bab' is used twice"):
        anchors('<a id="bab"></a>\n## Satu\n<a id="bab"></a>\n## Dua\n')


def test_kkmp_pos_manual_pdf_builds_the_same_manual(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "panduan.pdf"
    assert cli_main(["--data-dir", str(tmp_path / "data"), "manual-pdf", "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"Panduan disimpan ke {out}.\n"
    assert out.read_bytes() == manual_pdf.render_manual()  # invariant PDF: same bytes from the same Markdown
