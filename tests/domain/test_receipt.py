"""The receipt document and its fixed-width layout: wrapping, widths, copies, weighed lines, totals."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from kkmp_pos.domain.receipt import (
    Barcode,
    Cut,
    Pair,
    PrintLine,
    ReceiptDocument,
    Text,
    build_receipt,
    layout,
    layout_text,
    printable,
    wrap_words,
)
from kkmp_pos.domain.sale import OutletInfo, SaleRecord, SoldLine, SoldPayment

COLUMNS = (32, 48)

LONG_NAME = "Minyak Goreng Sawit Kemasan Sederhana Minyakita Program Pemerintah 1 Liter Pouch"
OUTLET = OutletInfo(
    koperasi_name="Koperasi Kelurahan Merah Putih Lempake",
    gerai_name="Gerai Sembako Lempake",
    address="Jl. D.I. Panjaitan, Lempake, Samarinda Utara, Kalimantan Timur",
    receipt_footer="Terima kasih. Barang yang sudah dibeli tidak dapat ditukar tanpa struk.",
)


def make_sale(**changes: object) -> SaleRecord:
    sale = SaleRecord(
        id="sale-1",
        receipt_no="LPK-01-000123",
        created_at=datetime(2026, 11, 30, 2, 15, tzinfo=timezone.utc),  # 10:15 WITA
        cashier_name="Siti Aminah",
        outlet=OUTLET,
        lines=(
            SoldLine("MKT-1L", LONG_NAME, "pcs", False, 2000, 15_700, 31_400),
            SoldLine("BRS-CURAH", "Beras Curah Medium", "kg", True, 1250, 13_500, 16_875),
        ),
        payments=(SoldPayment("tunai", 48_275, 50_000, 1_725),),
        total=48_275,
        journal_seq=42,
        journal_hash="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    )
    return replace(sale, **changes)  # type: ignore[arg-type]


def letters(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("columns", COLUMNS)
def test_no_line_is_wider_than_the_paper(columns: int) -> None:
    for copy in (False, True):
        lines = layout_text(build_receipt(make_sale(), copy=copy), columns)
        assert lines
        assert all(len(line) <= columns for line in lines), [line for line in lines if len(line) > columns]
        for item in layout(build_receipt(make_sale(), copy=copy), columns):
            if isinstance(item, PrintLine):
                assert len(item.text) <= columns


@pytest.mark.parametrize("columns", COLUMNS)
def test_a_long_product_name_wraps_without_losing_a_letter(columns: int) -> None:
    lines = layout_text(build_receipt(make_sale()), columns)
    start = next(i for i, line in enumerate(lines) if line.startswith("Minyak Goreng"))
    name_lines = []
    for line in lines[start:]:
        if line.startswith("  2 x "):
            break
        name_lines.append(line)
    assert len(name_lines) >= 2  # it really wrapped
    assert " ".join(name_lines) == LONG_NAME  # every word whole, in order, nothing cut off


def test_wrapping_splits_only_at_spaces_and_keeps_overlong_words_whole_across_lines() -> None:
    assert wrap_words("Gula Pasir Kemasan 1 kg", 10) == ["Gula Pasir", "Kemasan 1", "kg"]
    word = "Supercalifragilisticexpialidocious"
    parts = wrap_words(f"Sabun {word} Wangi", 12)
    assert all(len(part) <= 12 for part in parts)
    assert letters("".join(parts)) == letters(f"Sabun {word} Wangi")
    assert wrap_words("", 10) == []


@pytest.mark.parametrize("columns", COLUMNS)
def test_every_letter_of_every_text_reaches_the_paper(columns: int) -> None:
    sale = make_sale()
    lines = layout_text(build_receipt(sale), columns)
    on_paper = letters("".join(lines))
    for text in (OUTLET.koperasi_name, OUTLET.gerai_name, OUTLET.address, OUTLET.receipt_footer, LONG_NAME):
        assert letters(text) in on_paper


def test_copy_says_salinan_and_the_original_does_not() -> None:
    original = layout_text(build_receipt(make_sale()), 32)
    copy = layout_text(build_receipt(make_sale(), copy=True), 32)
    assert not any("SALINAN" in line for line in original)
    assert copy[0].strip() == "SALINAN"
    assert sum("SALINAN" in line for line in copy) == 2  # top and bottom, so a torn slip still says it
    banner = layout(build_receipt(make_sale(), copy=True), 32)[0]
    assert banner == PrintLine("SALINAN", align="center", bold=True, double=True)


@pytest.mark.parametrize("columns", COLUMNS)
def test_weighed_line_shows_three_decimals_and_unit(columns: int) -> None:
    lines = layout_text(build_receipt(make_sale()), columns)
    weighed = next(line for line in lines if "kg x" in line)
    assert weighed.startswith("  1,250 kg x Rp13.500")
    assert weighed.endswith("Rp16.875")
    assert len(weighed) == columns
    pieces = next(line for line in lines if line.startswith("  2 x "))
    assert pieces == "  2 x Rp15.700" + "Rp31.400".rjust(columns - len("  2 x Rp15.700"))


def test_header_totals_payment_and_change_at_32_columns() -> None:
    lines = layout_text(build_receipt(make_sale()), 32)
    assert "No. Struk          LPK-01-000123" in lines
    assert "Waktu      30-11-2026 10:15 WITA" in lines
    assert "Kasir                Siti Aminah" in lines
    assert "Pelanggan            Non-anggota" in lines
    assert "TOTAL                   Rp48.275" in lines
    assert "Tunai                   Rp50.000" in lines  # cash shows the amount handed over
    assert "Kembalian                Rp1.725" in lines
    assert lines.index("TOTAL                   Rp48.275") < lines.index("Kembalian                Rp1.725")


def test_total_is_bold_and_double_height() -> None:
    total = next(item for item in layout(build_receipt(make_sale()), 48)
                 if isinstance(item, PrintLine) and item.text.startswith("TOTAL"))
    assert total.bold and total.double
    assert total.text == "TOTAL" + "Rp48.275".rjust(48 - 5)


def test_member_number_and_non_cash_payment_with_reference() -> None:
    sale = make_sale(member_no="A-0012", payments=(SoldPayment("qris", 48_275, 48_275, 0, "QR123456"),))
    lines = layout_text(build_receipt(sale), 32)
    assert "Pelanggan         Anggota A-0012" in lines
    assert "QRIS                    Rp48.275" in lines
    assert "Ref: QR123456" in lines
    assert not any("Kembalian" in line for line in lines)  # no cash, no change line


def test_split_payment_lists_each_tender() -> None:
    sale = make_sale(payments=(SoldPayment("qris", 20_000, 20_000, 0), SoldPayment("tunai", 28_275, 30_000, 1_725)))
    lines = layout_text(build_receipt(sale), 48)
    assert "QRIS" + "Rp20.000".rjust(44) in lines
    assert "Tunai" + "Rp30.000".rjust(43) in lines
    assert "Kembalian" + "Rp1.725".rjust(39) in lines


def test_footer_barcode_and_audit_line_at_the_end() -> None:
    items = layout(build_receipt(make_sale()), 32)
    assert isinstance(items[-1], Cut)
    assert Barcode("LPK-01-000123") in items
    audit = items[-2]
    assert isinstance(audit, PrintLine) and audit.small
    assert audit.text == "Jurnal #42 9f86d081"
    preview = layout_text(build_receipt(make_sale()), 32)
    assert any(line.strip() == "LPK-01-000123" for line in preview[-4:])


def test_text_is_mapped_to_ascii_and_control_codes_never_reach_the_printer() -> None:
    assert printable("Kécap Manis “ABC” — 135 ml…") == 'Kecap Manis "ABC" - 135 ml...'
    assert printable("Crème brûlée ß") == "Creme brulee ss"
    assert printable("Mie\x1b@Goreng\tPedas") == "Mie @Goreng Pedas"
    assert printable("煎饼") == "??"
    sale = make_sale(lines=(SoldLine("X", "Kécap\x1bd\x05 Bango", "pcs", False, 1000, 3_500, 3_500),),
                     payments=(SoldPayment("tunai", 3_500, 5_000, 1_500),), total=3_500)
    for columns in COLUMNS:
        for line in layout_text(build_receipt(sale), columns):
            assert line.isascii() and all(" " <= char <= "~" for char in line)
        assert "Kecap d Bango" in layout_text(build_receipt(sale), columns)


def test_pair_keeps_the_amount_visible_when_the_label_is_long() -> None:
    document = ReceiptDocument((Pair("Minyakita 1 Liter pouch isi ulang kemasan hemat", "Rp1.234.567"),))
    lines = layout_text(document, 32)
    assert lines[-1].endswith("Rp1.234.567")
    assert all(len(line) <= 32 for line in lines)
    assert letters("".join(lines)) == letters("Minyakita 1 Liter pouch isi ulang kemasan hemat Rp1.234.567")


def test_layout_is_deterministic_and_rejects_unknown_widths() -> None:
    document = build_receipt(make_sale())
    assert layout(document, 32) == layout(document, 32)
    assert layout_text(document, 48) == layout_text(document, 48)
    with pytest.raises(ValueError):
        layout(document, 40)


def test_centred_text_is_centred_in_the_preview() -> None:
    lines = layout_text(ReceiptDocument((Text("KKMP", align="center"), Text("Rp1", align="right"))), 32)
    assert lines == [" " * 14 + "KKMP", " " * 29 + "Rp1"]
