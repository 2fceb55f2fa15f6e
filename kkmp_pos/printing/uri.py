"""The printer address typed in Settings (`usb:0416:5011`, `tcp://192.168.1.50`, ...), parsed and checked."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Literal

from kkmp_pos.domain.errors import InvalidInput

PrinterKind = Literal["none", "usb", "serial", "tcp", "file", "win32"]

DEFAULT_BAUDRATE = 9600
DEFAULT_TCP_PORT = 9100
BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400)

EXAMPLES = "usb:0416:5011, serial:/dev/ttyUSB0:9600, serial:COM3, tcp://192.168.1.50:9100, file:/dev/usb/lp0, " \
           "win32:POS-58 atau none"

_HEX_ID = re.compile(r"(?:0x)?([0-9a-f]{1,4})", re.IGNORECASE)
_COM_PORT = re.compile(r"(?:\\\\\.\\)?COM[1-9][0-9]{0,2}", re.IGNORECASE)
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PrinterUri:
    """Where receipts go. Only the fields of its `kind` are set."""

    kind: PrinterKind
    vendor_id: int | None = None
    product_id: int | None = None
    device: str = ""
    """Serial port, file path or Windows printer name."""
    baudrate: int | None = None
    host: str = ""
    port: int | None = None

    def __str__(self) -> str:
        if self.kind == "usb":
            return f"usb:{self.vendor_id:04x}:{self.product_id:04x}"
        if self.kind == "serial":
            return f"serial:{self.device}:{self.baudrate}"
        if self.kind == "tcp":
            host = f"[{self.host}]" if ":" in self.host else self.host
            return f"tcp://{host}:{self.port}"
        if self.kind in ("file", "win32"):
            return f"{self.kind}:{self.device}"
        return "none"


def parse_printer_uri(uri: str) -> PrinterUri:
    """Read a printer address; anything wrong raises InvalidInput saying what and showing a right value."""
    text = uri.strip()
    if not text:
        raise InvalidInput("Alamat printer kosong. Isi misalnya {examples}.", examples=EXAMPLES)
    scheme, colon, rest = text.partition(":")
    scheme = scheme.lower()
    if scheme == "none" and not colon:
        return PrinterUri(kind="none")
    parsers = {"usb": _usb, "serial": _serial, "tcp": _tcp, "file": _file, "win32": _win32}
    if not colon or scheme not in parsers:
        raise InvalidInput(
            "Alamat printer '{uri}' tidak dikenal. Awali dengan usb:, serial:, tcp://, file: atau win32:, "
            "atau tulis none bila tidak ada printer. Contoh: {examples}.",
            uri=text, examples=EXAMPLES,
        )
    return parsers[scheme](text, rest.strip())


def _usb(text: str, rest: str) -> PrinterUri:
    parts = rest.split(":")
    matches = [_HEX_ID.fullmatch(part.strip()) for part in parts]
    if len(parts) != 2 or not all(matches):
        raise InvalidInput(
            "Alamat USB '{uri}' salah. Tulis usb:VID:PID dengan VID dan PID heksadesimal dari label atau "
            "daftar perangkat, misalnya usb:0416:5011 atau usb:0x0416:0x5011.",
            uri=text,
        )
    vendor_id, product_id = (int(match.group(1), 16) for match in matches if match)
    if not vendor_id or not product_id:
        raise InvalidInput("Alamat USB '{uri}' salah: VID dan PID tidak boleh 0000. Contoh: usb:0416:5011.",
                           uri=text)
    return PrinterUri(kind="usb", vendor_id=vendor_id, product_id=product_id)


def _serial(text: str, rest: str) -> PrinterUri:
    device, baudrate = rest, DEFAULT_BAUDRATE
    head, colon, tail = rest.rpartition(":")
    if colon and tail.strip().isdigit():
        device, baudrate = head.strip(), int(tail)
        if baudrate not in BAUDRATES:
            raise InvalidInput(
                "Kecepatan serial {baud} tidak umum. Pilih salah satu: {choices} (biasanya 9600), "
                "misalnya serial:/dev/ttyUSB0:9600.",
                baud=baudrate, choices=", ".join(str(b) for b in BAUDRATES),
            )
    if not (device.startswith("/") and len(device) > 1) and not _COM_PORT.fullmatch(device):
        raise InvalidInput(
            "Port serial '{uri}' salah. Tulis serial:PORT[:KECEPATAN], misalnya serial:/dev/ttyUSB0:9600, "
            "serial:/dev/rfcomm0 (Bluetooth) atau serial:COM3 (Windows).",
            uri=text,
        )
    return PrinterUri(kind="serial", device=device, baudrate=baudrate)


def _tcp(text: str, rest: str) -> PrinterUri:
    bad = InvalidInput(
        "Alamat printer jaringan '{uri}' salah. Tulis tcp://ALAMAT-IP[:PORT], misalnya tcp://192.168.1.50:9100 "
        "(port biasanya 9100).",
        uri=text,
    )
    if not rest.startswith("//"):
        raise bad
    authority = rest[2:].rstrip("/")
    if authority.startswith("["):  # [IPv6]:port
        host, bracket, after = authority[1:].partition("]")
        if not bracket or (after and not after.startswith(":")):
            raise bad
        port_text = after[1:] if after else ""
    else:
        host, _, port_text = authority.partition(":")
    if not _valid_host(host) or (port_text and not port_text.isdigit()) or "/" in port_text:
        raise bad
    port = int(port_text) if port_text else DEFAULT_TCP_PORT
    if not 1 <= port <= 65535:
        raise InvalidInput("Port {port} di luar rentang 1-65535. Printer jaringan biasanya memakai port 9100, "
                           "misalnya tcp://192.168.1.50:9100.", port=port)
    return PrinterUri(kind="tcp", host=host, port=port)


def _valid_host(host: str) -> bool:
    if not host or len(host) > 253:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    if host.replace(".", "").isdigit():  # looks like an IPv4 address but is not one (999.1.1.1)
        return False
    return all(_HOST_LABEL.fullmatch(label) for label in host.rstrip(".").split("."))


def _file(text: str, rest: str) -> PrinterUri:
    path = rest
    if path.startswith("///"):  # file:///dev/usb/lp0, the URL form
        path = path[2:]
    if not (PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute()):
        raise InvalidInput(
            "Berkas printer '{uri}' harus berupa path lengkap, misalnya file:/dev/usb/lp0.",
            uri=text,
        )
    return PrinterUri(kind="file", device=path)


def _win32(text: str, rest: str) -> PrinterUri:
    if not rest:
        raise InvalidInput(
            "Nama printer Windows belum diisi. Tulis win32:NAMA seperti di Control Panel > Devices and Printers, "
            "misalnya win32:POS-58.",
        )
    return PrinterUri(kind="win32", device=rest)
