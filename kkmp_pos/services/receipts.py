"""Receipts of completed sales: the document, its on-screen preview, and printing it (original or copy)."""

from __future__ import annotations

from kkmp_pos.domain.errors import PrinterError
from kkmp_pos.domain.payment import CASH
from kkmp_pos.domain.receipt import (
    ReceiptDocument,
    build_kasbon_receipt,
    build_receipt,
    layout_text,
    printer_test_document,
)
from kkmp_pos.domain.refund_receipt import build_refund_receipt
from kkmp_pos.domain.savings_receipt import build_savings_receipt
from kkmp_pos.domain.shift_receipt import build_shift_receipt
from kkmp_pos.domain.shift_report import ShiftReport
from kkmp_pos.printing.escpos_render import render_drawer_kick, render_receipt
from kkmp_pos.printing.transports import send_to_printer
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.history import load_sale
from kkmp_pos.services.kasbon import load_kasbon_slip
from kkmp_pos.services.outlet import outlet_info
from kkmp_pos.services.refunds import load_refund
from kkmp_pos.services.savings import load_savings_slip
from kkmp_pos.services.settings import Settings, load_settings


def receipt_document(ctx: PosContext, sale_id: str, *, copy: bool = False) -> ReceiptDocument:
    """The receipt of a completed sale; `copy` marks a reprint."""
    return build_receipt(load_sale(ctx, sale_id), copy=copy)


def receipt_preview(ctx: PosContext, sale_id: str, *, copy: bool = False) -> list[str]:
    """The receipt as the paper will show it, at the configured paper width."""
    columns = load_settings(ctx).columns
    return layout_text(receipt_document(ctx, sale_id, copy=copy), columns)


def print_receipt(ctx: PosContext, sale_id: str, *, copy: bool = False) -> None:
    """Print the receipt on the configured printer; raises PrinterError when it cannot.

    The sale is already committed and every read here is finished before the printer is contacted, so a
    slow or dead printer (this runs on a worker thread) never holds the database.
    """
    sale = load_sale(ctx, sale_id)
    _print_document(load_settings(ctx), build_receipt(sale, copy=copy), cash=sale.paid_in_cash, copy=copy)


def _print_document(settings: Settings, document: ReceiptDocument, *, cash: bool, copy: bool) -> None:
    """Render with the outlet's paper, logo and drawer choice, then send; raises PrinterError."""
    # Only an original with cash in it opens the drawer: a reprint hands over no money.
    open_drawer = settings.open_drawer_on_cash and cash and not copy
    data = render_receipt(document, settings.columns, logo_path=settings.logo_path, open_drawer=open_drawer)
    send_to_printer(settings.printer_uri, data)


def print_test_page(ctx: PosContext) -> None:
    """Print a test page with the current settings; raises PrinterError when the printer cannot be reached."""
    settings = load_settings(ctx)
    if settings.printer_uri.strip().lower() == "none":
        raise PrinterError("Belum ada printer yang dipilih. Isi alamat printer di Pengaturan, lalu coba lagi.")
    document = printer_test_document(outlet_info(ctx), ctx.clock(), printer_uri=settings.printer_uri,
                                     paper_mm=settings.paper_mm, columns=settings.columns)
    data = render_receipt(document, settings.columns, logo_path=settings.logo_path)
    send_to_printer(settings.printer_uri, data)


def savings_receipt_preview(ctx: PosContext, entry_id: str, *, copy: bool = False) -> list[str]:
    """The slip of a simpanan entry as the paper will show it."""
    columns = load_settings(ctx).columns
    return layout_text(build_savings_receipt(load_savings_slip(ctx, entry_id), copy=copy), columns)


def print_savings_receipt(ctx: PosContext, entry_id: str, *, copy: bool = False) -> None:
    """Print the slip of a committed simpanan deposit or withdrawal; raises PrinterError when it cannot."""
    slip = load_savings_slip(ctx, entry_id)
    _print_document(load_settings(ctx), build_savings_receipt(slip, copy=copy), cash=slip.method == CASH, copy=copy)


def kasbon_receipt_preview(ctx: PosContext, entry_id: str, *, copy: bool = False) -> list[str]:
    """The receipt of a kasbon repayment as the paper will show it."""
    columns = load_settings(ctx).columns
    return layout_text(build_kasbon_receipt(load_kasbon_slip(ctx, entry_id), copy=copy), columns)


def print_kasbon_receipt(ctx: PosContext, entry_id: str, *, copy: bool = False) -> None:
    """Print the receipt of a committed kasbon repayment; raises PrinterError when it cannot."""
    slip = load_kasbon_slip(ctx, entry_id)
    _print_document(load_settings(ctx), build_kasbon_receipt(slip, copy=copy), cash=slip.method == CASH, copy=copy)


def check_drawer_printer(ctx: PosContext) -> Settings:
    """The settings, if a printer is set: the drawer hangs off the receipt printer. PrinterError otherwise."""
    settings = load_settings(ctx)
    if settings.printer_uri.strip().lower() == "none":
        raise PrinterError("Belum ada printer yang dipilih, jadi laci uang tidak dapat dibuka dari kasir. Isi "
                           "alamat printer di Pengaturan, atau buka laci dengan kuncinya.")
    return settings


def open_drawer(ctx: PosContext) -> None:
    """Open the cash drawer through the receipt printer without printing (the act itself needs approval).

    Raises PrinterError when no printer is set or it cannot be reached.
    """
    settings = check_drawer_printer(ctx)
    send_to_printer(settings.printer_uri, render_drawer_kick(settings.columns))


def refund_receipt_preview(ctx: PosContext, refund_id: str, *, copy: bool = False) -> list[str]:
    """The slip of a refund as the paper will show it."""
    columns = load_settings(ctx).columns
    return layout_text(build_refund_receipt(load_refund(ctx, refund_id), copy=copy), columns)


def print_refund_receipt(ctx: PosContext, refund_id: str, *, copy: bool = False) -> None:
    """Print the slip of a committed refund; cash paid back opens the drawer (the original only)."""
    refund = load_refund(ctx, refund_id)
    _print_document(load_settings(ctx), build_refund_receipt(refund, copy=copy), cash=refund.method == CASH,
                    copy=copy)


def shift_report_preview(ctx: PosContext, report: ShiftReport) -> list[str]:
    """An X or Z report as the paper will show it."""
    return layout_text(build_shift_receipt(report), load_settings(ctx).columns)


def print_shift_report(ctx: PosContext, report: ShiftReport) -> None:
    """Print an X or Z report on the receipt printer (never opens the drawer); raises PrinterError."""
    settings = load_settings(ctx)
    if settings.printer_uri.strip().lower() == "none":
        raise PrinterError("Belum ada printer yang dipilih. Isi alamat printer di Pengaturan, lalu coba lagi.")
    data = render_receipt(build_shift_receipt(report), settings.columns, logo_path=settings.logo_path)
    send_to_printer(settings.printer_uri, data)
