"""A serial printer: RS-232, USB-serial adapters (/dev/ttyUSB0, COM3) and Bluetooth SPP (/dev/rfcomm0)."""

from __future__ import annotations

import errno

import serial as pyserial

from kkmp_pos.domain.errors import PrinterError
from kkmp_pos.printing.uri import DEFAULT_BAUDRATE, PrinterUri

BITS_PER_BYTE = 10
"""8 data bits plus start and stop bits on the wire."""


def write_timeout(size: int, baudrate: int) -> float:
    """Seconds to allow: twice the wire time of `size` bytes plus 5 s; a logo at 9600 baud takes a while."""
    return 5.0 + 2 * size * BITS_PER_BYTE / baudrate


def send(uri: PrinterUri, data: bytes) -> None:
    port, baudrate = uri.device, uri.baudrate or DEFAULT_BAUDRATE
    try:
        with pyserial.Serial(port=port, baudrate=baudrate, timeout=1,
                             write_timeout=write_timeout(len(data), baudrate)) as connection:
            connection.write(data)
            connection.flush()
    except pyserial.SerialTimeoutException as error:
        raise PrinterError(
            "Printer di {port} tidak menerima data. Periksa kertas, daya printer dan kecepatan (baud) di "
            "Pengaturan, lalu cetak ulang dari Riwayat.",
            port=port,
        ) from error
    except (pyserial.SerialException, OSError) as error:
        code = getattr(error, "errno", None)
        if code in (errno.EACCES, errno.EPERM):
            raise PrinterError(
                "Tidak ada izin membuka port {port}. Di Linux, masukkan pengguna ke grup dialout lalu login "
                "ulang; setelah itu cetak ulang dari Riwayat.",
                port=port,
            ) from error
        if code == errno.EBUSY:
            raise PrinterError(
                "Port {port} sedang dipakai program lain. Tutup program itu, lalu cetak ulang dari Riwayat.",
                port=port,
            ) from error
        raise PrinterError(
            "Printer tidak terhubung di {port}. Periksa kabel/daya printer (atau pasangan Bluetooth-nya), lalu "
            "cetak ulang dari Riwayat.",
            port=port,
        ) from error
