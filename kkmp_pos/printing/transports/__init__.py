"""Printer connections: one module per kind of link, and the dispatcher that picks one from the settings URI."""

from __future__ import annotations

from collections.abc import Callable

from kkmp_pos.domain.errors import InvalidInput, PrinterError
from kkmp_pos.printing.transports import file, network, serial, usb, win32
from kkmp_pos.printing.uri import PrinterUri, parse_printer_uri

Sender = Callable[[PrinterUri, bytes], None]

SENDERS: dict[str, Sender] = {
    "usb": usb.send,
    "serial": serial.send,
    "tcp": network.send,
    "file": file.send,
    "win32": win32.send,
}


def send_to_printer(uri_text: str, data: bytes) -> None:
    """Send `data` to the printer named by `uri_text`; `none` prints nothing. Failures raise PrinterError."""
    try:
        uri = parse_printer_uri(uri_text)
    except InvalidInput as error:
        # A stored address that no longer parses is a printer problem to the cashier: same words, other kind.
        raise PrinterError(error.message, **error.params) from error
    if uri.kind == "none":
        return
    SENDERS[uri.kind](uri, data)
