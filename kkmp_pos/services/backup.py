"""Backups of the outlet database: the folder (a USB stick may be chosen), checked copies, rotation, listing.

A backup holds the database file only. The PIN pepper (`pin.key`), the NIK key (`nik.key`) and the sync
identity (`sync_identity.json`) are deliberately NOT copied beside it: a USB stick holding the database with
its keys would let whoever finds it try PINs offline and read every NIK. Restoring on the same PC needs none
of them (they stay in the data folder); moving to a new PC needs pin.key and nik.key copied separately
(README, "Where data lives").
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from kkmp_pos.domain.clock import parse_rfc3339, rfc3339
from kkmp_pos.domain.errors import InvalidInput, PosError
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.uow import reading
from kkmp_pos.store.backup_file import (
    BACKUP_DIRNAME,
    BACKUP_PREFIX,
    BACKUP_SUFFIX,
    make_named_backup,
    read_sidecar,
    sidecar_path,
)
from kkmp_pos.store.db import DB_FILENAME

CONFIG_FILE = "backup.json"
"""In the data folder, not in the database: recovery must find the backups when the database is damaged."""
REASONS = ("periodic", "z", "manual", "pre-migration")
KEEP = {"periodic": 24, "z": 10, "manual": 10, "pre-migration": 5}
"""How many of each kind rotation keeps (newest first)."""
DEFAULT_EVERY_MINUTES = 30
MAX_EVERY_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class BackupConfig:
    folder: str = ""
    """Empty: `<data_dir>/backups`."""
    every_minutes: int = DEFAULT_EVERY_MINUTES
    """A periodic backup this often while there are new sales; 0 = only at Z and on demand."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    reason: str
    created_at: datetime | None
    size: int
    integrity: str
    """"ok", the first problems integrity_check found, or "" when the file has no record (unchecked)."""
    last_seq: int = 0

    @property
    def ok(self) -> bool:
        return self.integrity == "ok"


def db_path(data_dir: Path) -> Path:
    return data_dir / DB_FILENAME


def default_folder(data_dir: Path) -> Path:
    return data_dir / BACKUP_DIRNAME


def load_config(data_dir: Path) -> BackupConfig:
    try:
        data = json.loads((data_dir / CONFIG_FILE).read_text(encoding="utf-8"))
        return BackupConfig(folder=str(data.get("folder") or ""),
                            every_minutes=int(data.get("every_minutes", DEFAULT_EVERY_MINUTES)))
    except (OSError, ValueError, TypeError, AttributeError):
        return BackupConfig()


def save_config(data_dir: Path, config: BackupConfig) -> None:
    if not 0 <= config.every_minutes <= MAX_EVERY_MINUTES:
        raise InvalidInput("Jarak cadangan otomatis harus 0 sampai {most} menit (0 = hanya saat tutup shift).",
                           most=MAX_EVERY_MINUTES)
    if config.folder:
        check_writable(Path(config.folder).expanduser())
    path = data_dir / CONFIG_FILE
    temp = path.with_name(".partial-" + CONFIG_FILE)
    temp.write_text(json.dumps({"folder": config.folder, "every_minutes": config.every_minutes}), encoding="utf-8")
    os.replace(temp, path)


def backup_folder(data_dir: Path) -> Path:
    folder = load_config(data_dir).folder
    return Path(folder).expanduser() if folder else default_folder(data_dir)


def choose_folder(ctx: PosContext, folder: str) -> Path:
    """Keep backups in `folder` from now on ('' = the data folder's own); refused unless it can be written."""
    save_config(ctx.data_dir, replace(load_config(ctx.data_dir), folder=folder.strip()))
    return backup_folder(ctx.data_dir)


def _unwritable(folder: Path, exc: OSError) -> PosError:
    return PosError("Folder cadangan '{path}' tidak dapat ditulisi ({error}). Pasang kembali flashdisk atau pilih "
                    "folder lain; data penjualan tetap aman di komputer ini.", path=str(folder),
                    error=exc.strerror or type(exc).__name__)


def check_writable(folder: Path) -> None:
    """Make the folder if needed and write a probe file into it; PosError in Indonesian when that fails."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise _unwritable(folder, exc) from exc


def _result(path: Path) -> BackupResult:
    record = read_sidecar(path) or {}
    created: datetime | None = None
    with contextlib.suppress(KeyError, ValueError, TypeError):
        created = parse_rfc3339(record["created_at"])
    reason = str(record.get("reason") or _reason_from_name(path.name))
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return BackupResult(path=path, reason=reason, created_at=created, size=size,
                        integrity=str(record.get("integrity", "")), last_seq=int(record.get("last_seq") or 0))


def _reason_from_name(name: str) -> str:
    stem = name.removeprefix(BACKUP_PREFIX).removesuffix(BACKUP_SUFFIX)
    return next((reason for reason in REASONS if stem.endswith("-" + reason)), "")


def _newest_first(results: list[BackupResult]) -> list[BackupResult]:
    def key(result: BackupResult) -> tuple[str, int, str]:
        stamp = rfc3339(result.created_at) if result.created_at else ""
        try:
            mtime = result.path.stat().st_mtime_ns
        except OSError:
            mtime = 0
        return stamp, mtime, result.path.name

    return sorted(results, key=key, reverse=True)


def scan_folder(folder: Path) -> list[BackupResult]:
    """Every backup this app made in `folder`, newest first (an unplugged stick: none)."""
    try:
        paths = [p for p in folder.glob(f"{BACKUP_PREFIX}*{BACKUP_SUFFIX}") if p.is_file()]
    except OSError:
        return []
    return _newest_first([_result(p) for p in paths])


def list_backups(ctx: PosContext) -> list[BackupResult]:
    """The chosen folder's backups plus the data folder's own (pre-migration copies always land there)."""
    return list_backups_in(ctx.data_dir)


def list_backups_in(data_dir: Path) -> list[BackupResult]:
    folders = {backup_folder(data_dir).resolve(), default_folder(data_dir).resolve()}
    found: dict[Path, BackupResult] = {}
    for folder in folders:
        for result in scan_folder(folder):
            found[result.path] = result
    return _newest_first(list(found.values()))


def newest_good_backup(data_dir: Path) -> BackupResult | None:
    """The newest backup whose integrity_check said ok when it was made."""
    return next((result for result in list_backups_in(data_dir) if result.ok), None)


def last_seq(ctx: PosContext) -> int:
    with reading(ctx.engine) as connection:
        return int(connection.exec_driver_sql("SELECT coalesce(max(seq), 0) FROM journal_event").scalar_one())


def needs_backup(ctx: PosContext) -> bool:
    """True when the journal has events no good backup in the chosen folder holds (the periodic timer's test)."""
    newest = next((r for r in scan_folder(backup_folder(ctx.data_dir)) if r.ok), None)
    return newest is None or last_seq(ctx) > newest.last_seq


def make_backup(ctx: PosContext, reason: str, folder: Path | None = None) -> BackupResult:
    """An online, checked copy of the database in the backup folder (or `folder`), then rotation; PosError when
    it can't be made.

    Safe while the till sells (WAL: the copy is one consistent snapshot); nothing of the live database changes.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason {reason!r}")
    folder = folder.expanduser() if folder else backup_folder(ctx.data_dir)
    check_writable(folder)
    try:
        report, record = make_named_backup(db_path(ctx.data_dir), folder, ctx.clock(), reason)
    except OSError as exc:  # disk full, stick pulled out mid-copy: the partial file is already gone
        raise _unwritable(folder, exc) from exc
    except sqlite3.Error as exc:
        raise PosError("Cadangan gagal dibuat ({error}). Coba lagi; bila terus gagal, periksa ruang disk.",
                       error=str(exc)) from exc
    rotate(folder)
    return BackupResult(path=report.path, reason=reason, created_at=ctx.clock(), size=report.size,
                        integrity=report.integrity, last_seq=int(record["last_seq"]))


def rotate(folder: Path) -> list[Path]:
    """Delete the oldest backups beyond KEEP of each reason; the newest good backup is never deleted."""
    results = scan_folder(folder)
    newest_good = next((r.path for r in results if r.ok), None)
    removed: list[Path] = []
    for reason, keep in KEEP.items():
        for old in [r for r in results if r.reason == reason][keep:]:
            if old.path == newest_good:
                continue
            with contextlib.suppress(FileNotFoundError):
                old.path.unlink()
                removed.append(old.path)
            with contextlib.suppress(FileNotFoundError):
                sidecar_path(old.path).unlink()
    return removed
