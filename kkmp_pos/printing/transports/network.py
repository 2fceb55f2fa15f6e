"""A network printer: raw TCP (port 9100, "JetDirect"), with short timeouts so a dead printer fails fast."""

from __future__ import annotations

import socket

from kkmp_pos.domain.errors import PrinterError
from kkmp_pos.printing.uri import PrinterUri

CONNECT_TIMEOUT = 3.0
"""Seconds; a printer on the shop's LAN answers in milliseconds, so longer only keeps the cashier waiting."""

WRITE_TIMEOUT = 5.0


def send(uri: PrinterUri, data: bytes) -> None:
    host, port = uri.host, uri.port or 9100
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT) as connection:
            connection.settimeout(WRITE_TIMEOUT)
            connection.sendall(data)
            # Tell the printer the job is complete; closing straight away could reset unsent bytes.
            connection.shutdown(socket.SHUT_WR)
    except socket.gaierror as error:
        raise PrinterError(
            "Alamat printer jaringan {host} tidak dikenal. Periksa alamat IP di Pengaturan, lalu cetak ulang "
            "dari Riwayat.",
            host=host,
        ) from error
    except ConnectionRefusedError as error:
        raise PrinterError(
            "Printer {host}:{port} menolak sambungan. Pastikan printer menyala dan port-nya benar (biasanya "
            "9100), lalu cetak ulang dari Riwayat.",
            host=host, port=port,
        ) from error
    except TimeoutError as error:
        raise PrinterError(
            "Printer jaringan {host} tidak menjawab. Periksa daya printer dan kabel LAN/Wi-Fi, lalu cetak ulang "
            "dari Riwayat.",
            host=host,
        ) from error
    except OSError as error:
        raise PrinterError(
            "Printer jaringan {host}:{port} tidak terhubung ({detail}). Periksa daya printer dan jaringan, lalu "
            "cetak ulang dari Riwayat.",
            host=host, port=port, detail=error.strerror or error,
        ) from error
