"""The printer address grammar of Settings: what is accepted, and how a wrong one is explained."""

from __future__ import annotations

import pytest

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.printing.uri import PrinterUri, parse_printer_uri


@pytest.mark.parametrize(("text", "expected"), [
    ("none", PrinterUri(kind="none")),
    ("  NONE ", PrinterUri(kind="none")),
    ("usb:0x0416:0x5011", PrinterUri(kind="usb", vendor_id=0x0416, product_id=0x5011)),
    ("usb:0416:5011", PrinterUri(kind="usb", vendor_id=0x0416, product_id=0x5011)),
    ("USB:04b8:0E15", PrinterUri(kind="usb", vendor_id=0x04B8, product_id=0x0E15)),
    ("serial:/dev/ttyUSB0", PrinterUri(kind="serial", device="/dev/ttyUSB0", baudrate=9600)),
    ("serial:/dev/ttyUSB0:115200", PrinterUri(kind="serial", device="/dev/ttyUSB0", baudrate=115200)),
    ("serial:/dev/rfcomm0:9600", PrinterUri(kind="serial", device="/dev/rfcomm0", baudrate=9600)),
    ("serial:COM3", PrinterUri(kind="serial", device="COM3", baudrate=9600)),
    ("serial:COM12:19200", PrinterUri(kind="serial", device="COM12", baudrate=19200)),
    ("tcp://192.168.1.50", PrinterUri(kind="tcp", host="192.168.1.50", port=9100)),
    ("tcp://192.168.1.50:9100", PrinterUri(kind="tcp", host="192.168.1.50", port=9100)),
    ("tcp://printer-kasir.local:6001", PrinterUri(kind="tcp", host="printer-kasir.local", port=6001)),
    ("tcp://[fe80::1]:9100", PrinterUri(kind="tcp", host="fe80::1", port=9100)),
    ("file:/dev/usb/lp0", PrinterUri(kind="file", device="/dev/usb/lp0")),
    ("file:///tmp/struk.bin", PrinterUri(kind="file", device="/tmp/struk.bin")),
    ("file:C:\\struk\\out.bin", PrinterUri(kind="file", device="C:\\struk\\out.bin")),
    ("win32:POS-58 Printer", PrinterUri(kind="win32", device="POS-58 Printer")),
])
def test_good_addresses(text: str, expected: PrinterUri) -> None:
    assert parse_printer_uri(text) == expected


@pytest.mark.parametrize("text", [
    "usb:0416:5011", "serial:/dev/ttyUSB0:9600", "tcp://10.0.0.7:9100", "file:/dev/usb/lp0", "win32:POS-58", "none",
])
def test_canonical_text_reads_back_the_same(text: str) -> None:
    uri = parse_printer_uri(text)
    assert str(uri) == text
    assert parse_printer_uri(str(uri)) == uri


@pytest.mark.parametrize(("text", "words", "example"), [
    ("", "kosong", "usb:0416:5011"),
    ("   ", "kosong", "tcp://192.168.1.50:9100"),
    ("lpt1", "tidak dikenal", "usb:0416:5011"),
    ("bluetooth:00:11:22:33:44:55", "tidak dikenal", "serial:/dev/ttyUSB0:9600"),
    ("none:", "tidak dikenal", "none"),
    ("usb:0416", "Alamat USB", "usb:0416:5011"),
    ("usb:xyz:5011", "heksadesimal", "usb:0416:5011"),
    ("usb:12345:5011", "heksadesimal", "usb:0416:5011"),
    ("usb:0000:5011", "tidak boleh 0000", "usb:0416:5011"),
    ("serial:", "Port serial", "serial:/dev/ttyUSB0:9600"),
    ("serial:ttyUSB0", "Port serial", "serial:COM3"),
    ("serial:/dev/ttyUSB0:9601", "Kecepatan serial 9601", "serial:/dev/ttyUSB0:9600"),
    ("tcp:192.168.1.50", "jaringan", "tcp://192.168.1.50:9100"),
    ("tcp://", "jaringan", "tcp://192.168.1.50:9100"),
    ("tcp://192.168.1.50:printer", "jaringan", "tcp://192.168.1.50:9100"),
    ("tcp://999.1.1.1", "jaringan", "tcp://192.168.1.50:9100"),
    ("tcp://bad_host!:9100", "jaringan", "tcp://192.168.1.50:9100"),
    ("tcp://192.168.1.50:70000", "di luar rentang", "tcp://192.168.1.50:9100"),
    ("file:struk.bin", "path lengkap", "file:/dev/usb/lp0"),
    ("win32:", "Nama printer Windows", "win32:POS-58"),
])
def test_bad_addresses_say_what_is_wrong_in_indonesian_with_an_example(text: str, words: str, example: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_printer_uri(text)
    message = str(caught.value)
    assert words in message
    assert example in message
    assert "misalnya" in message or "Contoh" in message
