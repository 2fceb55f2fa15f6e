"""Receipt printers this computer can see (USB, serial ports, /dev/usb/lp*), as printer URIs to choose from."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kkmp_pos.i18n import tr
from kkmp_pos.printing.uri import DEFAULT_BAUDRATE, PrinterUri

log = logging.getLogger(__name__)

USB_PRINTER_CLASS = 7
"""USB class code of printers (device or interface); a receipt printer usually reports it."""
_NOT_PRINTER_CLASSES = frozenset({3, 8, 9, 0x0E, 0xE0})
"""HID (keyboard, scanner), mass storage, hub, video and wireless: never where receipts go."""
_LINUX_ROOT_HUB_VENDOR = 0x1D6B


@dataclass(frozen=True, slots=True)
class UsbDevice:
    """What pyusb tells about one USB device, reduced to what choosing a printer needs."""

    vendor_id: int
    product_id: int
    classes: frozenset[int]
    """The device class and every interface class."""
    name: str = ""


@dataclass(frozen=True, slots=True)
class DetectedPrinter:
    """One candidate: the URI to store in Settings and a label to show."""

    uri: str
    label: str
    likely_printer: bool
    """USB printer class, or a port/file that only a printer would be on; listed first."""


def usb_uri(vendor_id: int, product_id: int) -> str:
    """`usb:0416:5011`, the form Settings stores and parse_printer_uri reads back."""
    return str(PrinterUri(kind="usb", vendor_id=vendor_id, product_id=product_id))


def serial_uri(device: str, baudrate: int = DEFAULT_BAUDRATE) -> str:
    return str(PrinterUri(kind="serial", device=device, baudrate=baudrate))


def usb_candidates(devices: Iterable[UsbDevice]) -> list[DetectedPrinter]:
    """USB devices that could be a printer, printer-class ones first; hubs, keyboards and disks left out."""
    found: list[DetectedPrinter] = []
    for device in devices:
        if device.vendor_id == _LINUX_ROOT_HUB_VENDOR or not device.vendor_id or not device.product_id:
            continue
        is_printer = USB_PRINTER_CLASS in device.classes
        if not is_printer and device.classes and device.classes <= _NOT_PRINTER_CLASSES:
            continue
        uri = usb_uri(device.vendor_id, device.product_id)
        kind = tr("Printer USB") if is_printer else tr("Perangkat USB")
        label = f"{kind} {device.name} ({uri})" if device.name else f"{kind} ({uri})"
        found.append(DetectedPrinter(uri=uri, label=label, likely_printer=is_printer))
    found.sort(key=lambda p: not p.likely_printer)  # stable: bus order within each group
    return found


def _usb_devices() -> list[UsbDevice]:
    """Every USB device pyusb can see; [] without pyusb or libusb, or without permission to look."""
    try:
        import usb.core
        import usb.util
    except ImportError:
        return []
    try:
        raw = list(usb.core.find(find_all=True) or [])
    except Exception as exc:  # noqa: BLE001 - no libusb backend, or a platform error: nothing to offer
        log.info("USB devices not listed: %s", exc)
        return []
    devices = []
    for item in raw:
        classes = {int(getattr(item, "bDeviceClass", 0) or 0)}
        name = ""
        try:
            for configuration in item:
                classes.update(int(interface.bInterfaceClass) for interface in configuration)
        except Exception as exc:  # noqa: BLE001 - descriptors unreadable without permission: class unknown
            log.info("USB descriptors of %04x:%04x not read: %s", item.idVendor, item.idProduct, exc)
        try:
            name = (usb.util.get_string(item, item.iProduct) or "") if item.iProduct else ""
        except Exception:  # noqa: BLE001 - reading strings needs permission on Linux; the ids suffice
            name = ""
        devices.append(UsbDevice(vendor_id=int(item.idVendor), product_id=int(item.idProduct),
                                 classes=frozenset(classes - {0}), name=str(name).strip()))
    return devices


def detect_usb() -> list[DetectedPrinter]:
    return usb_candidates(_usb_devices())


def detect_serial() -> list[DetectedPrinter]:
    """Serial ports (USB-serial adapters, Bluetooth rfcomm, COM ports); [] without pyserial."""
    try:
        from serial.tools import list_ports
    except ImportError:
        return []
    try:
        ports = list(list_ports.comports())
    except Exception as exc:  # noqa: BLE001 - a platform without port listing: type the URI instead
        log.info("Serial ports not listed: %s", exc)
        return []
    found = []
    for port in sorted(ports, key=lambda p: p.device):
        description = port.description if port.description and port.description != "n/a" else ""
        uri = serial_uri(port.device)
        label = f"{tr('Port serial')} {port.device} — {description}" if description else \
            f"{tr('Port serial')} {port.device}"
        found.append(DetectedPrinter(uri=uri, label=label, likely_printer=port.vid is not None))
    return found


def detect_lp_files(folder: Path = Path("/dev/usb")) -> list[DetectedPrinter]:
    """Linux's usblp printer devices (`/dev/usb/lp0`), written to as files; [] elsewhere."""
    if not sys.platform.startswith("linux"):
        return []
    try:
        paths = sorted(folder.glob("lp*"))
    except OSError:
        return []
    return [DetectedPrinter(uri=f"file:{path}", label=f"{tr('Printer USB')} {path} (usblp)", likely_printer=True)
            for path in paths]


def detect_printers() -> list[DetectedPrinter]:
    """Every candidate, likely printers first; never raises (an empty list means: type the URI)."""
    found: list[DetectedPrinter] = []
    for source in (detect_lp_files, detect_usb, detect_serial):
        try:
            found.extend(source())
        except Exception as exc:  # noqa: BLE001 - detection is a convenience; a failure must not stop set-up
            log.warning("Printer detection %s failed: %s", source.__name__, exc)
    unique = list({p.uri: p for p in found}.values())
    unique.sort(key=lambda p: not p.likely_printer)
    return unique
