"""A printer installed in Windows (spooler, RAW data type), via python-escpos's Win32Raw and pywin32."""

from __future__ import annotations

import sys

from kkmp_pos.domain.errors import PrinterError
from kkmp_pos.printing.uri import PrinterUri


def send(uri: PrinterUri, data: bytes) -> None:
    name = uri.device
    if sys.platform != "win32":
        raise PrinterError(
            "Alamat win32:{name} hanya berlaku di Windows. Di komputer ini pilih usb:, serial:, tcp:// atau "
            "file: di Pengaturan, lalu cetak ulang dari Riwayat.",
            name=name,
        )
    from escpos.exceptions import DeviceNotFoundError
    from escpos.printer import Win32Raw

    if not Win32Raw.is_usable():
        raise PrinterError("Komponen pywin32 belum terpasang, jadi printer Windows tidak bisa dipakai. "
                           "Pasang ulang aplikasi atau pilih printer usb:/tcp:// di Pengaturan.")
    import pywintypes  # present whenever Win32Raw is usable

    printer = Win32Raw(name)
    try:
        printer.open(job_name="KKMP POS")
        printer._raw(data)  # python-escpos's documented way to send prepared bytes
    except DeviceNotFoundError as error:
        raise PrinterError(
            "Printer Windows '{name}' tidak ditemukan. Periksa namanya di Devices and Printers dan daya "
            "printer, lalu cetak ulang dari Riwayat.",
            name=name,
        ) from error
    except (pywintypes.error, OSError) as error:
        raise PrinterError(
            "Windows gagal mencetak ke '{name}' ({detail}). Periksa printer, lalu cetak ulang dari Riwayat.",
            name=name, detail=error,
        ) from error
    finally:
        printer.close()
