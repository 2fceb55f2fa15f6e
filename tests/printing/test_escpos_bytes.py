"""A receipt's exact ESC/POS bytes at 32 and 48 columns, against bytes written out from the command set."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image

from kkmp_pos.domain.receipt import build_receipt
from kkmp_pos.domain.sale import OutletInfo, SaleRecord, SoldLine, SoldPayment
from kkmp_pos.printing.escpos_render import render_receipt

# ESC/POS commands, spelled out from the Epson command reference (not taken from the code under test).
ESC, GS, LF = b"\x1b", b"\x1d", b"\n"
INIT = ESC + b"@"
CODE_PAGE_437 = ESC + b"t\x00"
DRAWER_KICK_PIN2 = ESC + b"p\x00" + bytes([50, 50])  # pin 2, 100 ms on, 100 ms off
ALIGN_LEFT, ALIGN_CENTER = ESC + b"a\x00", ESC + b"a\x01"
BOLD_ON, BOLD_OFF = ESC + b"E\x01", ESC + b"E\x00"
DOUBLE_HEIGHT, NORMAL_SIZE = GS + b"!\x01", GS + b"!\x00"
FONT_B = ESC + b"M\x01"
FEED_1 = ESC + b"d\x01"
FEED_6_AND_PARTIAL_CUT = ESC + b"d\x06" + GS + b"V\x01"


def barcode_code128(data: bytes, module_width: int) -> bytes:
    return (ALIGN_CENTER + GS + b"h" + bytes([64]) + GS + b"w" + bytes([module_width])
            + GS + b"f\x00"  # HRI font A
            + GS + b"H\x02"  # HRI below the bars
            + GS + b"k" + bytes([73, len(data) + 2]) + b"{B" + data)


def lines(*texts: str) -> bytes:
    return b"".join(text.encode("ascii") + LF for text in texts)


def row(left: str, right: str, columns: int) -> str:
    """Label flush left, value flush right, exactly `columns` wide."""
    assert len(left) + 1 + len(right) <= columns
    return left + " " * (columns - len(left) - len(right)) + right


SALE = SaleRecord(
    id="0b5c6f3e-1111-4222-8333-944445555666",
    receipt_no="LPK-01-000123",
    created_at=datetime(2026, 11, 30, 2, 15, 42, tzinfo=timezone.utc),  # 10:15 WITA
    cashier_name="Siti Aminah",
    outlet=OutletInfo(
        koperasi_name="KKMP Lempake",
        gerai_name="Gerai Sembako Lempake",
        address="Jl. D.I. Panjaitan, Lempake, Samarinda Utara",
        receipt_footer="Terima kasih. Barang yang sudah dibeli tidak dapat ditukar tanpa struk.",
    ),
    lines=(
        SoldLine("MKT-1L", "Minyakita Minyak Goreng 1 Liter Pouch", "pcs", False, 2000, 15_700, 31_400),
        SoldLine("BRS-CURAH", "Beras Curah Medium", "kg", True, 1250, 13_500, 16_875),
        SoldLine("KCP-135", "Kécap Manis Bango 135 ml", "pcs", False, 1000, 3_500, 3_500),
    ),
    payments=(SoldPayment("tunai", 51_775, 60_000, 8_225),),
    total=51_775,
    journal_seq=12,
    journal_hash="a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
)


def expected_receipt(columns: int, *, drawer: bool) -> bytes:
    rule = "-" * columns
    if columns == 32:
        address = ("Jl. D.I. Panjaitan, Lempake,", "Samarinda Utara")
        oil_name = ("Minyakita Minyak Goreng 1 Liter", "Pouch")
        footer = ("Terima kasih. Barang yang sudah", "dibeli tidak dapat ditukar tanpa", "struk.")
        module_width = 2  # 178 modules x 2 = 356 dots of 384
    else:
        address = ("Jl. D.I. Panjaitan, Lempake, Samarinda Utara",)
        oil_name = ("Minyakita Minyak Goreng 1 Liter Pouch",)
        footer = ("Terima kasih. Barang yang sudah dibeli tidak", "dapat ditukar tanpa struk.")
        module_width = 3  # 178 modules x 3 = 534 dots of 576
    return b"".join([
        INIT, CODE_PAGE_437,
        DRAWER_KICK_PIN2 if drawer else b"",
        ALIGN_CENTER, BOLD_ON, lines("KKMP Lempake"),
        BOLD_OFF, lines("Gerai Sembako Lempake", *address),
        ALIGN_LEFT, lines(
            rule,
            row("No. Struk", "LPK-01-000123", columns),
            row("Waktu", "30-11-2026 10:15 WITA", columns),
            row("Kasir", "Siti Aminah", columns),
            row("Pelanggan", "Non-anggota", columns),
            rule,
            *oil_name,
            row("  2 x Rp15.700", "Rp31.400", columns),
            "Beras Curah Medium",
            row("  1,250 kg x Rp13.500", "Rp16.875", columns),
            "Kecap Manis Bango 135 ml",  # é printed as e: never mojibake
            row("  1 x Rp3.500", "Rp3.500", columns),
            rule,
        ),
        BOLD_ON, DOUBLE_HEIGHT, lines(row("TOTAL", "Rp51.775", columns)),
        BOLD_OFF, NORMAL_SIZE, lines(row("Tunai", "Rp60.000", columns)),
        BOLD_ON, lines(row("Kembalian", "Rp8.225", columns)),
        BOLD_OFF, lines(rule),
        ALIGN_CENTER, lines(*footer),
        FEED_1,
        barcode_code128(b"LPK-01-000123", module_width),
        FONT_B, lines("Jurnal #12 a1b2c3d4"),
        FEED_6_AND_PARTIAL_CUT,
    ])


@pytest.mark.parametrize("columns", [32, 48])
def test_receipt_bytes_are_exact(columns: int, capsys: pytest.CaptureFixture[str]) -> None:
    data = render_receipt(build_receipt(SALE), columns, open_drawer=True)
    assert data == expected_receipt(columns, drawer=True)
    assert capsys.readouterr().out == ""  # python-escpos chatter must not reach a windowed app's stdout


@pytest.mark.parametrize("columns", [32, 48])
def test_without_drawer_kick_there_is_no_pulse(columns: int) -> None:
    data = render_receipt(build_receipt(SALE), columns)
    assert data == expected_receipt(columns, drawer=False)
    assert ESC + b"p" not in data


def test_copy_prints_salinan_banner_double_height_at_the_top() -> None:
    data = render_receipt(build_receipt(SALE, copy=True), 32)
    start = INIT + CODE_PAGE_437 + ALIGN_CENTER + BOLD_ON + DOUBLE_HEIGHT + lines("SALINAN") \
        + NORMAL_SIZE + lines("KKMP Lempake") + BOLD_OFF
    assert data.startswith(start)
    assert data.count(b"SALINAN") == 2
    assert ESC + b"p" not in data


def test_a_product_name_cannot_smuggle_printer_commands() -> None:
    hostile = SoldLine("X", "Gula\x1b@\x1dV\x00 Pasir", "pcs", False, 1000, 17_500, 17_500)
    sale = SaleRecord(id="s", receipt_no="LPK-01-000124", created_at=SALE.created_at, cashier_name="Siti",
                      outlet=SALE.outlet, lines=(hostile,), payments=(SoldPayment("qris", 17_500, 17_500, 0),),
                      total=17_500)
    data = render_receipt(build_receipt(sale), 32)
    assert data.count(INIT) == 1  # only our own reset, at the start
    assert GS + b"V\x00" not in data
    assert lines("Gula @ V Pasir") in data


def test_logo_is_centred_raster_image_after_the_reset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    logo = tmp_path / "logo.png"
    Image.new("1", (100, 40), 0).save(logo)
    data = render_receipt(build_receipt(SALE), 32, logo_path=str(logo))
    # GS v 0, normal density, 48 bytes (384 dots, the image centred on the paper) x 40 rows.
    header = GS + b"v0\x00" + bytes([48, 0]) + bytes([40, 0])
    assert data.startswith(INIT + CODE_PAGE_437 + header)
    assert data[len(INIT + CODE_PAGE_437 + header) + 48 * 40:] == expected_receipt(32, drawer=False)[5:]
    assert capsys.readouterr().out == ""  # the pinned media width leaves python-escpos nothing to warn about


def test_wide_logo_is_scaled_to_the_paper(tmp_path: Path) -> None:
    logo = tmp_path / "wide.png"
    Image.new("RGB", (1200, 300), (0, 0, 0)).save(logo)
    data = render_receipt(build_receipt(SALE), 48, logo_path=str(logo))
    # 1200x300 shrinks to 576x144 for 80 mm paper: 72 bytes a row.
    assert data.startswith(INIT + CODE_PAGE_437 + GS + b"v0\x00" + bytes([72, 0]) + bytes([144, 0]))


@pytest.mark.parametrize("name", ["missing.png", "broken.png"])
def test_missing_or_unreadable_logo_is_skipped(tmp_path: Path, name: str) -> None:
    (tmp_path / "broken.png").write_bytes(b"this is not a picture")
    data = render_receipt(build_receipt(SALE), 32, logo_path=str(tmp_path / name))
    assert data == expected_receipt(32, drawer=False)


def test_unsupported_width_is_refused() -> None:
    with pytest.raises(ValueError):
        render_receipt(build_receipt(SALE), 42)
