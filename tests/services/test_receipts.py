"""Receipts of real completed sales: preview, printing to a real file or socket, copies, printer failures."""

from __future__ import annotations

import os
import select
import socket
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.errors import PrinterError
from kkmp_pos.domain.payment import Payment, cash_payment
from kkmp_pos.services import catalog, history, outlet, sales
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.receipts import print_receipt, print_test_page, receipt_document, receipt_preview
from kkmp_pos.services.settings import load_settings, save_settings

DRAWER_KICK = b"\x1bp\x00"

MINYAKITA = "8999900000055"


def sell(ctx: PosContext, *, cash: bool = True, weighed: bool = False) -> sales.CompletedSale:
    cart = Cart()
    product = catalog.find_by_barcode(ctx, MINYAKITA)
    assert product is not None
    cart.add(product)
    if weighed:
        rice = catalog.find_by_sku(ctx, "BRS-CURAH")
        assert rice is not None
        cart.add(rice, 1250)
    payment = (cash_payment(cart.total, 50_000) if cash
               else Payment(method="qris", amount=cart.total, tendered=cart.total, reference="QR-778899"))
    return sales.complete_sale(ctx, cart, [payment], cashier_id=outlet.default_cashier(ctx).id)


def use_printer(ctx: PosContext, uri: str, **changes: object) -> None:
    save_settings(ctx, replace(load_settings(ctx), printer_uri=uri, **changes))  # type: ignore[arg-type]


@pytest.fixture
def printer_file(ctx: PosContext, tmp_path: Path) -> Path:
    target = tmp_path / "printer.bin"
    use_printer(ctx, f"file:{target}")
    return target


def test_original_cash_receipt_reaches_the_printer_and_opens_the_drawer(ctx: PosContext, printer_file: Path) -> None:
    sale = sell(ctx)
    print_receipt(ctx, sale.sale_id)
    data = printer_file.read_bytes()
    assert data.startswith(b"\x1b@")
    assert sale.receipt_no.encode() in data
    assert b"Minyakita" in data and b"Rp15.700" in data and b"Kembalian" in data
    assert DRAWER_KICK in data
    assert b"SALINAN" not in data
    assert data.endswith(b"\x1dV\x01")  # partial cut


def test_copy_says_salinan_and_never_opens_the_drawer(ctx: PosContext, printer_file: Path) -> None:
    sale = sell(ctx)
    print_receipt(ctx, sale.sale_id, copy=True)
    data = printer_file.read_bytes()
    assert b"SALINAN" in data
    assert sale.receipt_no.encode() in data
    assert DRAWER_KICK not in data


def test_no_drawer_kick_for_qris_or_when_switched_off(ctx: PosContext, printer_file: Path) -> None:
    print_receipt(ctx, sell(ctx, cash=False).sale_id)
    qris = printer_file.read_bytes()
    assert DRAWER_KICK not in qris
    assert b"QRIS" in qris and b"QR-778899" in qris

    use_printer(ctx, f"file:{printer_file}", open_drawer_on_cash=False)
    print_receipt(ctx, sell(ctx).sale_id)
    assert DRAWER_KICK not in printer_file.read_bytes()


def test_printer_offline_is_a_printer_error_and_the_sale_stays_in_history(ctx: PosContext, tmp_path: Path) -> None:
    use_printer(ctx, f"file:{tmp_path / 'unplugged' / 'lp0'}")
    sale = sell(ctx)
    with pytest.raises(PrinterError) as caught:
        print_receipt(ctx, sale.sale_id)
    assert "cetak ulang dari Riwayat" in str(caught.value)
    assert history.find_sale_id(ctx, sale.receipt_no) == sale.sale_id
    assert sale.sale_id in [row.sale_id for row in history.sales_of_day(ctx)]
    # Once the printer is back, the same receipt prints from history.
    target = tmp_path / "printer.bin"
    use_printer(ctx, f"file:{target}")
    print_receipt(ctx, sale.sale_id, copy=True)
    assert sale.receipt_no.encode() in target.read_bytes()


@pytest.mark.timeout(30)
def test_network_printer_refusing_is_a_printer_error(ctx: PosContext) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        use_printer(ctx, f"tcp://127.0.0.1:{closed.getsockname()[1]}")
        sale = sell(ctx)
        with pytest.raises(PrinterError):
            print_receipt(ctx, sale.sale_id)
    assert history.find_sale_id(ctx, sale.receipt_no) == sale.sale_id


@pytest.mark.timeout(60)
def test_the_till_can_sell_while_the_printer_is_still_being_written(ctx: PosContext, tmp_path: Path) -> None:
    """Printing holds no database transaction: another sale completes while the printer is mid-job.

    The printer is a named pipe shrunk to one page and the job carries a logo bigger than that, so
    print_receipt is provably blocked writing to the printer while the other sale runs.
    """
    fcntl = pytest.importorskip("fcntl")
    if not hasattr(fcntl, "F_SETPIPE_SZ"):
        pytest.skip("needs Linux pipe sizes")
    logo = tmp_path / "logo.png"
    Image.new("1", (384, 240), 0).save(logo)  # 48 bytes x 240 rows of raster: far more than a page
    pipe = tmp_path / "printer.fifo"
    os.mkfifo(pipe)
    use_printer(ctx, f"file:{pipe}", logo_path=str(logo))
    first = sell(ctx)
    printer_end = os.open(pipe, os.O_RDWR)  # keeps the pipe open so the writer never waits for a reader
    fcntl.fcntl(printer_end, fcntl.F_SETPIPE_SZ, 4096)
    outcome: list[object] = []
    received = bytearray()

    def printer_that_answers_late() -> None:
        select.select([printer_end], [], [], 30)  # the first bytes of the job have arrived
        try:
            outcome.append(sell(ctx))  # would fail after the busy timeout if printing held the write lock
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcome.append(error)
        while not received.endswith(b"\x1dV\x01"):  # read until the cut ends the job
            received.extend(os.read(printer_end, 4096))

    thread = threading.Thread(target=printer_that_answers_late)
    thread.start()
    try:
        print_receipt(ctx, first.sale_id)
        thread.join(timeout=30)
    finally:
        os.close(printer_end)
    assert len(outcome) == 1 and isinstance(outcome[0], sales.CompletedSale), outcome
    assert first.receipt_no.encode() in received
    assert b"\x1dv0" in received  # the logo really went through the pipe


def test_preview_uses_the_configured_paper_width(ctx: PosContext) -> None:
    sale = sell(ctx, weighed=True)
    narrow = receipt_preview(ctx, sale.sale_id)
    assert all(len(line) <= 32 for line in narrow)
    assert "-" * 32 in narrow
    assert any(line.startswith("  1,250 kg x Rp13.500") and line.endswith("Rp16.875") for line in narrow)
    assert any(line.strip() == sale.receipt_no for line in narrow)
    assert not any("\x1b" in line or "\x1d" in line for line in narrow)

    save_settings(ctx, replace(load_settings(ctx), paper_mm=80))
    wide = receipt_preview(ctx, sale.sale_id, copy=True)
    assert "-" * 48 in wide
    assert all(len(line) <= 48 for line in wide)
    assert wide[0].strip() == "SALINAN"


def test_receipt_document_carries_the_footer_from_settings(ctx: PosContext) -> None:
    save_settings(ctx, replace(load_settings(ctx), receipt_footer="Belanja hemat di koperasi sendiri"))
    sale = sell(ctx)
    preview = receipt_preview(ctx, sale.sale_id)
    assert "Belanja hemat di koperasi sendiri" in " ".join(line.strip() for line in preview)
    assert receipt_document(ctx, sale.sale_id) == receipt_document(ctx, sale.sale_id)


def test_a_pkp_cooperatives_receipts_print_its_npwp_and_others_do_not(ctx: PosContext) -> None:
    sale = sell(ctx)
    assert not any("NPWP" in line for line in receipt_preview(ctx, sale.sale_id))
    save_settings(ctx, replace(load_settings(ctx), pkp=True, npwp="012345678901234"))
    lines = [line.strip() for line in receipt_preview(ctx, sale.sale_id, copy=True)]
    assert 0 < lines.index("NPWP 012345678901234") < lines.index("-" * 32)  # in the header, under the address
    save_settings(ctx, replace(load_settings(ctx), pkp=False))  # the number stays stored, but is not printed
    assert not any("NPWP" in line for line in receipt_preview(ctx, sale.sale_id))


def test_no_printer_configured_prints_nothing_but_the_test_page_says_so(ctx: PosContext) -> None:
    assert load_settings(ctx).printer_uri == "none"
    print_receipt(ctx, sell(ctx).sale_id)  # the sale goes on without paper
    with pytest.raises(PrinterError, match="Pengaturan"):
        print_test_page(ctx)


def test_test_page_prints_on_the_configured_printer(ctx: PosContext, printer_file: Path) -> None:
    print_test_page(ctx)
    data = printer_file.read_bytes()
    assert b"TES PRINTER" in data
    assert b"KKMP Lempake" in data
    assert b"12345678901234567890123456789012\n" in data  # the 32-column ruler
    assert DRAWER_KICK not in data
