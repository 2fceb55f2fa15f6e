"""Copying a live SQLite file with the online backup API, and checking a file's integrity."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kkmp_pos.domain.clock import rfc3339, to_wita
from kkmp_pos.store.files import fsync_directory

BACKUP_DIRNAME = "backups"
"""`<data_dir>/backups`: the default folder, and where pre-migration copies always go."""
BACKUP_PREFIX, BACKUP_SUFFIX, SIDECAR_SUFFIX = "kkmp_pos-", ".sqlite3", ".json"
BUSY_TIMEOUT_S = 5.0
MAX_PROBLEMS = 5
"""How many lines of an integrity report are kept: the first ones say enough."""


@dataclass(frozen=True, slots=True)
class CopyReport:
    path: Path
    size: int
    integrity: str
    """"ok", or the first problems `PRAGMA integrity_check` found in the copy."""

    @property
    def ok(self) -> bool:
        return self.integrity == "ok"


CORRUPTION_ERRORS = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
"""SQLite's own word that the file is damaged ("database disk image is malformed", "file is not a database")."""


def _check(path: Path, pragma: str, *, only_corruption: bool) -> str:
    """Run the check read-only (it must never "repair" anything); errors become the report.

    With `only_corruption`, an error that does not say the file is damaged (locked by another program, no
    permission, an I/O error) is raised instead: it must not send anyone to restore an old backup.
    """
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            rows = connection.execute(f"PRAGMA {pragma}({MAX_PROBLEMS})").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        if only_corruption and not getattr(exc, "sqlite_errorname", "").startswith(CORRUPTION_ERRORS):
            raise
        return f"{type(exc).__name__}: {exc}"
    problems = [str(row[0]) for row in rows]
    return "ok" if problems == ["ok"] else "; ".join(problems)


def integrity_check(path: Path) -> str:
    """`PRAGMA integrity_check` of the file: "ok" or the first problems (slow: reads every page and index)."""
    return _check(path, "integrity_check", only_corruption=False)


def quick_check(path: Path) -> str:
    """`PRAGMA quick_check` (no index cross-check): the start-up test, "ok" or the first problems.

    Raises sqlite3.Error when the file cannot be read for another reason than damage (locked, no permission).
    """
    return _check(path, "quick_check", only_corruption=True)


def copy_database(source: Path, target: Path) -> CopyReport:
    """Copy the live database at `source` into a new self-contained file `target`, then check the copy.

    One backup step copies a consistent snapshot under a read transaction: in WAL mode the till keeps selling
    meanwhile. The copy is written beside `target` under a temporary name and renamed only once complete and
    flushed, so a full disk or a pulled USB stick leaves no half file with a backup's name. Raises OSError or
    sqlite3.Error (the temporary file removed) when the copy cannot be written.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=".partial-", suffix=".sqlite3", dir=target.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_S)
        try:
            dst = sqlite3.connect(temp, timeout=BUSY_TIMEOUT_S)
            try:
                src.backup(dst)
                # A single file with no -wal beside it: what a USB stick or a restore needs.
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        integrity = integrity_check(temp)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    fsync_directory(target.parent)
    return CopyReport(path=target, size=target.stat().st_size, integrity=integrity)


def last_journal_entry(path: Path) -> tuple[int, str]:
    """(seq, hash) of the newest journal event in the database file at `path`; (0, "") when none."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        row = connection.execute("SELECT seq, hash FROM journal_event ORDER BY seq DESC LIMIT 1").fetchone()
    except sqlite3.OperationalError:  # a file from before the journal existed
        row = None
    finally:
        connection.close()
    return (int(row[0]), str(row[1])) if row else (0, "")


def place_file(source: Path, target: Path) -> None:
    """Copy `source` over `target` atomically (temporary file, fsync, rename): old file or new, never half."""
    fd, temp_name = tempfile.mkstemp(prefix=".restore-", suffix=".sqlite3", dir=target.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            while chunk := src.read(1 << 20):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    fsync_directory(target.parent)


def backup_name(moment: datetime, reason: str, attempt: int = 1) -> str:
    """`kkmp_pos-20261130-101500-periodic.sqlite3`: WITA wall time, as the manager reads clocks and receipts."""
    stamp = to_wita(moment).strftime("%Y%m%d-%H%M%S")
    extra = f"-{attempt}" if attempt > 1 else ""
    return f"{BACKUP_PREFIX}{stamp}{extra}-{reason}{BACKUP_SUFFIX}"


def sidecar_path(backup: Path) -> Path:
    return backup.with_name(backup.name + SIDECAR_SUFFIX)


def read_sidecar(backup: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(sidecar_path(backup).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def make_named_backup(source: Path, folder: Path, moment: datetime, reason: str) -> tuple[CopyReport, dict[str, Any]]:
    """Copy `source` into `folder` under a new backup name and record the check in a JSON sidecar beside it.

    The sidecar travels with the copy (a USB stick moved to another PC still says what each file is).
    """
    folder.mkdir(parents=True, exist_ok=True)
    attempt = 1
    while (folder / backup_name(moment, reason, attempt)).exists():
        attempt += 1
    report = copy_database(source, folder / backup_name(moment, reason, attempt))
    seq, hash_ = last_journal_entry(report.path) if report.ok else (0, "")
    record = {"reason": reason, "created_at": rfc3339(moment), "size": report.size,
              "integrity": report.integrity, "last_seq": seq, "last_hash": hash_, "source": str(source)}
    sidecar = sidecar_path(report.path)
    temp = sidecar.with_name(".partial-" + sidecar.name)
    temp.write_text(json.dumps(record, sort_keys=True, indent=1), encoding="utf-8")
    os.replace(temp, sidecar)
    return report, record


NIK_TABLES = ("member", "lpg_buyer")
"""Tables whose `nik` column held NIKs in clear before they were encrypted (revision 0007)."""


def holds_clear_niks(path: Path) -> bool:
    """Whether a database file still has NIKs in clear (a copy made before NIK encryption)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        for table in NIK_TABLES:
            columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            if "nik" in columns and db.execute(f"SELECT 1 FROM {table} WHERE nik IS NOT NULL LIMIT 1").fetchone():
                return True
    return False


def discard_clear_nik_copies(folder: Path) -> list[Path]:
    """Remove the backups in `folder` that still hold clear NIKs (with their records); returns them.

    Called once the live database's NIKs are sealed: the pre-migration copy has done its job (the migration
    succeeded), and a copy on disk must not keep what the encryption is there to hide.
    """
    removed: list[Path] = []
    for backup in sorted(folder.glob("*.sqlite3")) if folder.is_dir() else []:
        try:
            clear = holds_clear_niks(backup)
        except sqlite3.Error:
            continue  # not a readable database: not ours to judge or delete
        if clear:
            backup.unlink()
            sidecar_path(backup).unlink(missing_ok=True)
            removed.append(backup)
    return removed
