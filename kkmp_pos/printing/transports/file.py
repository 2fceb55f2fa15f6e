"""A printer that is a file: a device node such as /dev/usb/lp0, or a plain file for tests and spooling."""

from __future__ import annotations

from kkmp_pos.domain.errors import PrinterError
from kkmp_pos.printing.uri import PrinterUri


def send(uri: PrinterUri, data: bytes) -> None:
    path = uri.device
    try:
        with open(path, "wb") as device:
            device.write(data)
    except FileNotFoundError as error:
        raise PrinterError(
            "Printer tidak terhubung: {path} tidak ditemukan. Periksa kabel/daya printer dan alamatnya di "
            "Pengaturan, lalu cetak ulang dari Riwayat.",
            path=path,
        ) from error
    except PermissionError as error:
        raise PrinterError(
            "Tidak ada izin menulis ke printer {path}. Di Linux, masukkan pengguna ke grup lp lalu login ulang; "
            "setelah itu cetak ulang dari Riwayat.",
            path=path,
        ) from error
    except OSError as error:
        raise PrinterError(
            "Gagal mengirim ke printer {path} ({detail}). Periksa kabel/daya printer, lalu cetak ulang dari "
            "Riwayat.",
            path=path, detail=error.strerror or error,
        ) from error
