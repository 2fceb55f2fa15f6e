"""The refund receipt: exact text lines and exact ESC/POS bytes at 32 columns, original and copy."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from kkmp_pos.domain.receipt import layout_text
from kkmp_pos.domain.refund import RefundRecord, ReturnedLine
from kkmp_pos.domain.refund_receipt import build_refund_receipt
from kkmp_pos.domain.sale import OutletInfo
from kkmp_pos.printing.escpos_render import render_receipt

# ESC/POS commands spelled out from the Epson command reference (not taken from the code under test).
ESC, GS, LF = b"\x1b", b"\x1d", b"\n"
INIT, CODE_PAGE_437 = ESC + b"@", ESC + b"t\x00"
DRAWER_KICK_PIN2 = ESC + b"p\x00" + bytes([50, 50])
ALIGN_LEFT, ALIGN_CENTER = ESC + b"a\x00", ESC + b"a\x01"
BOLD_ON, BOLD_OFF = ESC + b"E\x01", ESC + b"E\x00"
DOUBLE_HEIGHT, NORMAL_SIZE = GS + b"!\x01", GS + b"!\x00"
FONT_B = ESC + b"M\x01"
FEED_1, FEED_2 = ESC + b"d\x01", ESC + b"d\x02"
FEED_6_AND_PARTIAL_CUT = ESC + b"d\x06" + GS + b"V\x01"

REFUND = RefundRecord(
    id="7c1d0a9e-0000-4000-8000-000000000001",
    refund_no="LPK-01-R000001",
    sale_id="0b5c6f3e-1111-4222-8333-944445555666",
    sale_receipt_no="LPK-01-000123",
    created_at=datetime(2026, 11, 30, 3, 40, tzinfo=timezone.utc),  # 11:40 WITA
    cashier_name="Siti Aminah",
    outlet=OutletInfo(koperasi_name="KKMP Lempake", gerai_name="Gerai Sembako Lempake",
                      address="Jl. D.I. Panjaitan, Lempake, Samarinda Utara", receipt_footer="Terima kasih."),
    lines=(
        # One of three oils from a sale with 3 % off the cart: Rp15.229 paid for it, not Rp15.700.
        ReturnedLine("Minyakita Minyak Goreng 1 Liter Pouch", "pcs", False, 15_700, 1000, 15_229),
        ReturnedLine("Beras Curah Medium", "kg", True, 13_500, 500, 6_750),
    ),
    total=21_979,
    method="tunai",
    reason="kemasan bocor",
    journal_seq=15,
    journal_hash="abababab" + "0" * 56,
)

EXPECTED_LINES = [
    "          KKMP Lempake",
    "     Gerai Sembako Lempake",
    "  Jl. D.I. Panjaitan, Lempake,",
    "        Samarinda Utara",
    "--------------------------------",
    "        RETUR PENJUALAN",
    "No. Retur         LPK-01-R000001",
    "Struk asal         LPK-01-000123",
    "Waktu      30-11-2026 11:40 WITA",
    "Kasir                Siti Aminah",
    "Pelanggan            Non-anggota",
    "--------------------------------",
    "Minyakita Minyak Goreng 1 Liter",
    "Pouch",
    "  1 x Rp15.700          Rp15.700",
    "  Potongan                -Rp471",
    "Beras Curah Medium",
    "  0,500 kg x Rp13.500    Rp6.750",
    "--------------------------------",
    "TOTAL RETUR             Rp21.979",
    "Dikembalikan: Tunai     Rp21.979",
    "Alasan: kemasan bocor",
    "--------------------------------",
    "",
    "",
    "      ____________________",
    "     Tanda tangan penerima",
    "",
    "     ||||||||||||||||||||||",
    "         LPK-01-R000001",
    "      Jurnal #15 abababab",
]


def lines(*texts: str) -> bytes:
    return b"".join(text.encode("ascii") + LF for text in texts)


def barcode_code128(data: bytes) -> bytes:
    return (ALIGN_CENTER + GS + b"h" + bytes([64]) + GS + b"w\x02" + GS + b"f\x00" + GS + b"H\x02"
            + GS + b"k" + bytes([73, len(data) + 2]) + b"{B" + data)


def test_refund_receipt_text_lines_at_32_columns() -> None:
    assert layout_text(build_refund_receipt(REFUND), 32) == EXPECTED_LINES


def test_refund_receipt_bytes_at_32_columns() -> None:
    data = render_receipt(build_refund_receipt(REFUND), 32, open_drawer=True)
    assert data == b"".join([
        INIT, CODE_PAGE_437, DRAWER_KICK_PIN2,
        ALIGN_CENTER, BOLD_ON, lines("KKMP Lempake"),
        BOLD_OFF, lines("Gerai Sembako Lempake", "Jl. D.I. Panjaitan, Lempake,", "Samarinda Utara"),
        ALIGN_LEFT, lines("-" * 32),
        ALIGN_CENTER, BOLD_ON, lines("RETUR PENJUALAN"),
        ALIGN_LEFT, BOLD_OFF, lines(*(line for line in EXPECTED_LINES[6:19])),
        BOLD_ON, DOUBLE_HEIGHT, lines(EXPECTED_LINES[19]),
        BOLD_OFF, NORMAL_SIZE, lines(*EXPECTED_LINES[20:23]),
        FEED_2,
        ALIGN_CENTER, lines("____________________", "Tanda tangan penerima"),
        FEED_1, barcode_code128(b"LPK-01-R000001"),
        FONT_B, lines("Jurnal #15 abababab"),
        FEED_6_AND_PARTIAL_CUT,
    ])


def test_a_reprint_says_salinan_and_a_kasbon_refund_needs_no_signature() -> None:
    copy = layout_text(build_refund_receipt(REFUND, copy=True), 32)
    assert copy[0].strip() == "SALINAN" and sum(line.strip() == "SALINAN" for line in copy) == 2
    to_kasbon = layout_text(build_refund_receipt(
        replace(REFUND, method="kasbon", member_no="A-000012", member_name="Rina Wati")), 32)
    assert "Dikembalikan: Kasbon    Rp21.979" in to_kasbon
    assert "Mengurangi saldo kasbon" in "\n".join(to_kasbon)
    assert "Pelanggan       Anggota A-000012" in to_kasbon
    assert not any("Tanda tangan" in line for line in to_kasbon)
