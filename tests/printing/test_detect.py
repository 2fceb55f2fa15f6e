"""Printer detection: URIs the settings accept, printers first, and nothing raised on a machine without them."""

from __future__ import annotations

from pathlib import Path

from kkmp_pos.printing import detect
from kkmp_pos.printing.detect import (
    DetectedPrinter,
    UsbDevice,
    detect_lp_files,
    detect_printers,
    detect_serial,
    detect_usb,
    serial_uri,
    usb_candidates,
    usb_uri,
)
from kkmp_pos.printing.uri import parse_printer_uri


def test_uris_are_the_settings_form_and_parse_back() -> None:
    assert usb_uri(0x0416, 0x5011) == "usb:0416:5011"
    assert serial_uri("/dev/ttyUSB0") == "serial:/dev/ttyUSB0:9600"
    assert serial_uri("COM3", 19200) == "serial:COM3:19200"
    parsed = parse_printer_uri(usb_uri(0x0FE6, 0x811E))
    assert (parsed.vendor_id, parsed.product_id) == (0x0FE6, 0x811E)


def test_usb_printers_come_first_and_hubs_keyboards_and_disks_are_left_out() -> None:
    devices = [
        UsbDevice(0x1D6B, 0x0002, frozenset({9})),  # Linux root hub
        UsbDevice(0x05E3, 0x0610, frozenset({9})),  # an external hub
        UsbDevice(0x046D, 0xC31C, frozenset({3})),  # keyboard (HID)
        UsbDevice(0x0781, 0x5567, frozenset({8})),  # flash disk
        UsbDevice(0x1A86, 0x7523, frozenset({0xFF})),  # CH340 USB-serial (vendor class): maybe a printer
        UsbDevice(0x0416, 0x5011, frozenset({7}), name="POS58 Printer"),
        UsbDevice(0x0000, 0x0001, frozenset({7})),  # no vendor id: not addressable
    ]
    found = usb_candidates(devices)
    assert [p.uri for p in found] == ["usb:0416:5011", "usb:1a86:7523"]
    assert found[0] == DetectedPrinter(uri="usb:0416:5011", label="Printer USB POS58 Printer (usb:0416:5011)",
                                       likely_printer=True)
    assert found[1].label == "Perangkat USB (usb:1a86:7523)" and not found[1].likely_printer


def test_usb_lp_devices_are_file_printers(tmp_path: Path) -> None:
    (tmp_path / "lp1").write_bytes(b"")
    (tmp_path / "lp0").write_bytes(b"")
    (tmp_path / "hiddev0").write_bytes(b"")
    found = detect_lp_files(tmp_path)
    if not detect.sys.platform.startswith("linux"):
        assert found == []
        return
    assert [p.uri for p in found] == [f"file:{tmp_path / 'lp0'}", f"file:{tmp_path / 'lp1'}"]
    assert all(p.likely_printer for p in found)
    parse_printer_uri(found[0].uri)


def test_detection_on_this_machine_never_raises_and_gives_valid_uris() -> None:
    everything = detect_printers()
    for part in (detect_usb(), detect_serial(), detect_lp_files()):
        assert isinstance(part, list)
    for printer in everything:
        parse_printer_uri(printer.uri)
    assert len({p.uri for p in everything}) == len(everything)
    flags = [p.likely_printer for p in everything]
    assert flags == sorted(flags, reverse=True)

