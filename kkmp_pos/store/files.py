"""Small files beside the database (keys, the sync identity) written so a power cut leaves the old or the new."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def fsync_directory(folder: Path) -> None:
    """Make a rename in `folder` durable (a no-op where a directory cannot be opened, e.g. Windows/NTFS)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def write_private_file(path: Path, data: bytes) -> None:
    """Replace `path` atomically with an owner-only (0600) file whose bytes are on disk before the rename."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    fsync_directory(path.parent)
