"""Expected errors: each carries Indonesian text that tells the user what is wrong and what to do."""

from __future__ import annotations

from kkmp_pos.i18n import tr


class PosError(Exception):
    """An expected failure that the UI shows as a plain message; never a bug."""

    def __init__(self, message: str, /, **params: object) -> None:
        self.message = message
        self.params = params
        super().__init__(tr(message, **params))

    def __str__(self) -> str:
        # Translated late so a language switch after raising still shows the right text.
        return tr(self.message, **self.params)


class InvalidInput(PosError):
    """The user typed something the till cannot accept."""


class NotFound(PosError):
    """A barcode, receipt number or record that does not exist."""


class PrinterError(PosError):
    """The receipt printer is off, missing, out of paper or misconfigured."""


class StorageFull(PosError):
    """The disk (or SQLite's size limit) is full: the transaction was rolled back whole, nothing half-written."""

    def __init__(self) -> None:
        super().__init__("Penyimpanan penuh: disk komputer kasir tidak punya ruang lagi, jadi transaksi ini belum "
                         "tersimpan (tidak ada yang setengah tertulis). Kosongkan ruang disk lalu coba lagi.")


class StorageError(PosError):
    """The disk failed a read or write (a pulled USB stick, a dying disk): the transaction was rolled back."""

    def __init__(self, detail: str) -> None:
        super().__init__("Gagal membaca atau menulis disk ({detail}): transaksi ini belum tersimpan. Periksa "
                         "disk atau flashdisk folder data, lalu coba lagi; bila berulang, hubungi pengelola.",
                         detail=detail)
