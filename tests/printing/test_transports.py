"""Printer connections against real files, sockets and pseudo-terminals; every failure is a PrinterError."""

from __future__ import annotations

import os
import socket
import sys
import threading
from pathlib import Path

import pytest

from kkmp_pos.domain.errors import PrinterError
from kkmp_pos.printing.transports import send_to_printer
from kkmp_pos.printing.transports import serial as serial_transport
from kkmp_pos.printing.uri import parse_printer_uri

# A receipt-sized job with every byte value, so nothing is translated on the way (no LF -> CRLF, no 8-bit loss).
JOB = bytes(range(256)) * 8 + b"\x1b@Struk LPK-01-000123\n\x1dV\x01"


def test_file_printer_receives_exactly_the_bytes(tmp_path: Path) -> None:
    target = tmp_path / "printer.bin"
    send_to_printer(f"file:{target}", JOB)
    assert target.read_bytes() == JOB
    send_to_printer(f"file:{target}", b"second job")
    assert target.read_bytes() == b"second job"


@pytest.mark.timeout(10)
def test_file_in_a_missing_folder_is_a_printer_error(tmp_path: Path) -> None:
    with pytest.raises(PrinterError) as caught:
        send_to_printer(f"file:{tmp_path / 'no-such-dir' / 'lp0'}", JOB)
    assert "Printer tidak terhubung" in str(caught.value)
    assert "cetak ulang dari Riwayat" in str(caught.value)


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root ignores file permissions")
def test_file_without_permission_is_a_printer_error(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    target.write_bytes(b"")
    target.chmod(0o400)
    with pytest.raises(PrinterError, match="izin"):
        send_to_printer(f"file:{target}", JOB)


@pytest.mark.timeout(20)
def test_network_printer_receives_exactly_the_bytes() -> None:
    received = bytearray()
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

        def printer() -> None:
            connection, _ = server.accept()
            with connection:
                while chunk := connection.recv(4096):  # until the till says the job is complete
                    received.extend(chunk)

        thread = threading.Thread(target=printer)
        thread.start()
        send_to_printer(f"tcp://127.0.0.1:{port}", JOB)
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert bytes(received) == JOB


@pytest.mark.timeout(10)
def test_network_printer_that_refuses_is_a_printer_error() -> None:
    # Bound but not listening: the port is ours, and connecting to it is refused at once.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        with pytest.raises(PrinterError) as caught:
            send_to_printer(f"tcp://127.0.0.1:{port}", JOB)
    assert f"127.0.0.1:{port}" in str(caught.value)
    assert "menolak sambungan" in str(caught.value)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal pair")
@pytest.mark.timeout(20)
def test_serial_printer_receives_exactly_the_bytes_over_a_pty() -> None:
    master, slave = os.openpty()
    received = bytearray()

    def printer() -> None:
        while len(received) < len(JOB):
            received.extend(os.read(master, 4096))

    thread = threading.Thread(target=printer)
    thread.start()
    try:
        send_to_printer(f"serial:{os.ttyname(slave)}:115200", JOB)
        thread.join(timeout=10)
    finally:
        os.close(slave)
        os.close(master)
    assert bytes(received) == JOB


@pytest.mark.timeout(10)
def test_missing_serial_port_is_a_printer_error(tmp_path: Path) -> None:
    with pytest.raises(PrinterError) as caught:
        send_to_printer(f"serial:{tmp_path / 'rfcomm9'}", JOB)
    assert "Printer tidak terhubung" in str(caught.value)


def test_serial_write_timeout_grows_with_the_job() -> None:
    assert serial_transport.write_timeout(0, 9600) == 5.0
    # 12 kB of logo at 9600 baud is 12.5 s on the wire: the timeout must allow it.
    assert serial_transport.write_timeout(12_000, 9600) > 12.5


@pytest.mark.timeout(30)
def test_usb_printer_that_is_not_there_is_a_printer_error() -> None:
    # Either libusb is missing or no device has these ids: both must reach the cashier as plain words.
    with pytest.raises(PrinterError) as caught:
        send_to_printer("usb:0xdead:0xbeef", JOB)
    assert "USB dead:beef" in str(caught.value)


@pytest.mark.skipif(sys.platform == "win32", reason="win32: is the real thing on Windows")
def test_windows_printer_elsewhere_is_a_clear_printer_error() -> None:
    with pytest.raises(PrinterError, match="hanya berlaku di Windows"):
        send_to_printer("win32:POS-58", JOB)


def test_none_prints_nothing() -> None:
    send_to_printer("none", JOB)


def test_a_broken_stored_address_is_a_printer_error_with_the_parser_words() -> None:
    with pytest.raises(PrinterError) as caught:
        send_to_printer("tcp:192.168.1.50", JOB)
    assert "tcp://192.168.1.50:9100" in str(caught.value)
    assert parse_printer_uri("none").kind == "none"
