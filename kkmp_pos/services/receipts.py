"""Receipts of completed sales: the document, its on-screen preview, and printing it (original or copy)."""

from __future__ import annotations

from kkmp_pos.domain.errors import PrinterError
from kkmp_pos.domain.receipt import ReceiptDocument, build_receipt, layout_text, printer_test_document
from kkmp_pos.printing.escpos_render import render_receipt
from kkmp_pos.printing.transports import send_to_printer
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.history import load_sale
from kkmp_pos.services.outlet import outlet_info
from kkmp_pos.services.settings import load_settings


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
    settings = load_settings(ctx)
    sale = load_sale(ctx, sale_id)
    # Only the original opens the drawer: a reprint hands over no money.
    open_drawer = settings.open_drawer_on_cash and sale.paid_in_cash and not copy
    data = render_receipt(build_receipt(sale, copy=copy), settings.columns, logo_path=settings.logo_path,
                          open_drawer=open_drawer)
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
