"""A USB printer spoken to directly (pyusb + libusb) through python-escpos's Usb printer class."""

from __future__ import annotations

import errno
import logging
from typing import Any

from kkmp_pos.domain.errors import PrinterError
from kkmp_pos.printing.uri import PrinterUri

log = logging.getLogger(__name__)

WRITE_TIMEOUT_MS = 5000


def _use_bulk_out_endpoint(printer: Any) -> None:
    """Write to the device's own OUT endpoint: cheap printers use 0x02 or 0x03, not escpos's default 0x01."""
    import usb.util

    try:
        interface = printer.device.get_active_configuration()[(0, 0)]
        endpoint = usb.util.find_descriptor(
            interface,
            custom_match=lambda e: usb.util.endpoint_direction(e.bEndpointAddress) == usb.util.ENDPOINT_OUT,
        )
    except Exception as error:  # noqa: BLE001 - any descriptor trouble: keep the default and try anyway
        log.warning("USB OUT endpoint not detected, using 0x%02x: %s", printer.out_ep, error)
        return
    if endpoint is not None:
        printer.out_ep = endpoint.bEndpointAddress


def _permission_denied(error: BaseException) -> bool:
    # python-escpos wraps pyusb's "Access denied" in its own DeviceNotFoundError; the cause keeps the errno.
    cause = error.__cause__ or error.__context__
    return any(getattr(e, "errno", None) in (errno.EACCES, errno.EPERM) for e in (error, cause) if e)


def send(uri: PrinterUri, data: bytes) -> None:
    ids = f"{uri.vendor_id or 0:04x}:{uri.product_id or 0:04x}"
    try:
        import usb.core
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Usb
    except ImportError as error:
        raise PrinterError("Komponen pyusb belum terpasang, jadi printer USB tidak bisa dipakai. Pasang ulang "
                           "aplikasi atau pilih printer serial:/tcp:// di Pengaturan.") from error
    printer = Usb(idVendor=uri.vendor_id, idProduct=uri.product_id, timeout=WRITE_TIMEOUT_MS)
    try:
        printer.open()
        _use_bulk_out_endpoint(printer)
        printer._raw(data)  # python-escpos's documented way to send prepared bytes
    except usb.core.NoBackendError as error:
        raise PrinterError(
            "Pustaka libusb tidak ditemukan, jadi printer USB {ids} tidak bisa dibuka. Pasang libusb (Linux: "
            "paket libusb-1.0-0) atau pakai alamat file:/dev/usb/lp0, lalu cetak ulang dari Riwayat.",
            ids=ids,
        ) from error
    except usb.core.USBTimeoutError as error:
        raise PrinterError(
            "Printer USB {ids} tidak menerima data. Periksa kertas dan daya printer, lalu cetak ulang dari "
            "Riwayat.",
            ids=ids,
        ) from error
    except (DeviceNotFoundError, usb.core.USBError) as error:
        if _permission_denied(error):
            raise PrinterError(
                "Tidak ada izin membuka printer USB {ids}. Di Linux, pasang aturan udev untuk printer ini (atau "
                "pakai file:/dev/usb/lp0), lalu cetak ulang dari Riwayat.",
                ids=ids,
            ) from error
        raise PrinterError(
            "Printer tidak terhubung (USB {ids}). Periksa kabel/daya printer, lalu cetak ulang dari Riwayat.",
            ids=ids,
        ) from error
    finally:
        try:
            printer.close()
        except Exception as error:  # noqa: BLE001 - releasing a vanished device must not hide the real outcome
            log.debug("USB close failed: %s", error)
