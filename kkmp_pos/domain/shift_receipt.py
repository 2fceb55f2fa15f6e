"""The X and Z reports as sections of labelled figures, and as a document for the receipt printer."""

from __future__ import annotations

from kkmp_pos.domain.clock import format_wita
from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.domain.receipt import Cut, Element, Feed, Pair, ReceiptDocument, Rule, Text, _outlet_header
from kkmp_pos.domain.shift_report import ShiftReport
from kkmp_pos.i18n import tr

Section = tuple[str, list[tuple[str, str]]]
"""A heading and its (label, value) rows, shared by the printed slip and the PDF."""


def report_title(report: ShiftReport) -> str:
    if report.kind == "Z":
        return tr("LAPORAN Z (TUTUP SHIFT)")
    return tr("LAPORAN X (SEMENTARA)")


def report_header(report: ShiftReport) -> list[tuple[str, str]]:
    rows = [(tr("Shift"), report.shift_no), (tr("Dibuka"), format_wita(report.opened_at)),
            (tr("Dibuka oleh"), report.opened_by)]
    if report.closed_at is not None:
        rows += [(tr("Ditutup"), format_wita(report.closed_at)), (tr("Ditutup oleh"), report.closed_by or "")]
        rows.append((tr("Disetujui"), report.approved_by or ""))
    rows.append((tr("Dicetak"), format_wita(report.printed_at)))
    return rows


def report_sections(report: ShiftReport) -> list[Section]:
    f = report.figures
    rp = format_rupiah
    sales = [
        (tr("Jumlah transaksi"), str(f.sales_count)),
        (tr("Struk pertama"), f.first_receipt or "-"),
        (tr("Struk terakhir"), f.last_receipt or "-"),
        (tr("Total penjualan"), rp(f.sales_total)),
        (tr("Diskon"), rp(f.discounts)),
        (tr("Anggota ({count})", count=f.member_count), rp(f.member_sales)),
        (tr("Non-anggota ({count})", count=f.non_member_count), rp(f.non_member_sales)),
        (tr("Elpiji 3 kg (tabung)"), str(f.lpg_cylinders)),
        (tr("Pembatalan (void)"), str(f.voids)),
        (tr("Retur ({count})", count=f.refunds_count), rp(f.refunds_total)),
    ]
    methods = [
        (tr("Tunai"), rp(f.cash_sales)),
        (tr("QRIS lunas"), rp(f.qris_settled)),
        (tr("QRIS menunggu"), rp(f.qris_pending)),
        (tr("QRIS gagal"), rp(f.qris_failed)),
        (tr("Transfer"), rp(f.transfer_sales)),
        (tr("Debit"), rp(f.debit_sales)),
        (tr("Kasbon"), rp(f.kasbon_sales)),
    ]
    cash = [
        (tr("Modal awal"), rp(f.opening_float)),
        (tr("Uang diterima"), rp(f.cash_received)),
        (tr("Kembalian"), rp(-f.change_given)),
        (tr("Retur tunai"), rp(-f.refunds_cash)),
        (tr("Kas masuk"), rp(f.cash_in)),
        (tr("Kas keluar"), rp(-f.cash_out)),
        (tr("Simpanan tunai masuk"), rp(f.savings_cash_in)),
        (tr("Simpanan tunai keluar"), rp(-f.savings_cash_out)),
        (tr("Bayar kasbon tunai"), rp(f.kasbon_repaid_cash)),
        (tr("Pengganti QRIS gagal"), rp(f.qris_failed_cash)),
        (tr("Kas seharusnya"), rp(f.expected_cash)),
    ]
    if report.counted_cash is not None:
        difference = report.over_short or 0
        label = tr("Lebih") if difference > 0 else tr("Kurang") if difference < 0 else tr("Selisih")
        cash += [(tr("Kas dihitung"), rp(report.counted_cash)), (label, rp(difference))]
    journal = [(tr("Jurnal terakhir"), f"#{f.last_seq}"), (tr("Hash"), f.last_hash[:16])]
    return [(tr("Penjualan"), sales), (tr("Per cara bayar"), methods), (tr("Kas laci"), cash),
            (tr("Jurnal"), journal)]


def build_shift_receipt(report: ShiftReport) -> ReceiptDocument:
    """The X or Z slip for the receipt printer."""
    out: list[Element] = list(_outlet_header(report.outlet))
    out += [Rule("-"), Text(report_title(report), align="center", bold=True)]
    out += [Pair(label, value) for label, value in report_header(report)]
    for heading, rows in report_sections(report):
        out += [Rule("-"), Text(heading, bold=True)]
        out += [Pair(label, value, indent=1) for label, value in rows]
    if report.kind == "Z":
        out += [Rule("-"), Feed(2), Text("_" * 20, align="center"), Text(tr("Kasir"), align="center"),
                Feed(2), Text("_" * 20, align="center"), Text(tr("Manajer"), align="center")]
    out += [Feed(1), Cut()]
    return ReceiptDocument(tuple(out))
