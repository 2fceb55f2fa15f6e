"""KKMP POS: the offline-first till of the Koperasi Kelurahan Merah Putih outlets."""

__version__ = "0.1.0"
