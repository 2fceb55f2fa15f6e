"""The berita acara of a stock opname as data and as a PDF file."""

from __future__ import annotations

from pathlib import Path

from kkmp_pos.domain.clock import format_wita
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.quantity import format_quantity
from kkmp_pos.domain.stock import COUNT_REASONS
from kkmp_pos.domain.stock_count import CountLine, CountScope, count_totals
from kkmp_pos.i18n import tr
from kkmp_pos.printing.count_report_pdf import CountReport, CountReportLine, render_count_report
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import outlet_info
from kkmp_pos.services.stock_count import CountHeader, count_sheet


def quantity_text(milli: int, line: CountLine) -> str:
    sign = "+" if milli > 0 else ""
    return f"{sign}{format_quantity(milli, weighed=line.weighed)} {line.unit}"


def reason_text(line: CountLine) -> str:
    if not line.reason:
        return ""
    label = tr(COUNT_REASONS.get(line.reason, line.reason))
    return f"{label}: {line.note}" if line.note else label


def scope_label(scope: CountScope) -> str:
    return {CountScope.ALL: tr("Semua produk"), CountScope.CATEGORY: tr("Satu kategori"),
            CountScope.LIST: tr("Daftar pilihan")}[scope]


def scope_text(header: CountHeader) -> str:
    label = scope_label(header.scope)
    return label if header.scope is CountScope.ALL else f"{label}: {header.scope_value}"


def count_report(ctx: PosContext, count_id: str) -> CountReport:
    """What the berita acara says; an open count prints as a draft (its figures may still change)."""
    sheet = count_sheet(ctx, count_id)
    header = sheet.header
    totals = count_totals(sheet.lines)
    outlet = outlet_info(ctx)
    differing = [line for line in sheet.lines if line.counted and line.difference_milli]
    return CountReport(
        koperasi_name=outlet.koperasi_name, gerai_name=outlet.gerai_name, address=outlet.address,
        count_no=header.count_no,
        status=tr("Disetujui") if header.status == "approved" else tr("Draf (belum disetujui)"),
        scope=scope_text(header), started_at=format_wita(header.started_at),
        approved_at=format_wita(header.approved_at) if header.approved_at else "",
        approved_by=header.approved_by or "", printed_at=format_wita(ctx.clock()),
        products_counted=totals.products_counted, lines_with_difference=totals.lines_with_difference,
        surplus_value=totals.surplus_value, shortage_value=totals.shortage_value,
        lines=tuple(CountReportLine(
            sku=line.sku, name=line.name, expected=quantity_text(line.expected_milli or 0, line).lstrip("+"),
            counted=quantity_text(line.counted_milli or 0, line).lstrip("+"),
            difference=quantity_text(line.difference_milli, line), value=line.difference_value,
            reason=reason_text(line)) for line in differing),
        counter_name=header.counter_name or "", witness_name=header.witness_name or "",
    )


def export_count_report(ctx: PosContext, count_id: str, path: Path) -> CountReport:
    """Write the berita acara PDF to `path`; returns its content."""
    report = count_report(ctx, count_id)
    data = render_count_report(report)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InvalidInput("Tidak dapat menyimpan '{path}': {why}. Pilih folder lain (mis. Dokumen) dan coba "
                           "lagi.", path=str(path), why=exc.strerror or str(exc)) from exc
    return report
