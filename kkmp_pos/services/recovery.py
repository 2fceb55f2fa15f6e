"""Start-up check of the database and restoring the newest good backup when it is damaged.

A restored database is an old copy of this till: the city may already hold events made after the copy, under
this device's id. Re-using that id would make the till write different events with the same seq numbers (a
fork). So a restore unlinks the till from the city (the identity file is kept aside, not deleted): the
manager enrols it again with a new code and it becomes a NEW device, while the city keeps the old device's
chain untouched. The events the old device uploaded after the backup are taken back from the city once the
till is enrolled again (services.sync_restore); the restore record keeps where the restored journal ends.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import delete, select

from kkmp_pos.domain.clock import Clock, rfc3339, system_clock, to_wita
from kkmp_pos.domain.errors import PosError
from kkmp_pos.services.backup import BackupResult, db_path, newest_good_backup
from kkmp_pos.services.context import open_context
from kkmp_pos.services.sync_link import DEVICE_ID, IDENTITY_FILE, SYNC_KEYS, read_settings, write_settings
from kkmp_pos.store.backup_file import integrity_check, place_file, quick_check
from kkmp_pos.store.models import JournalEvent, Setting

DAMAGED_DIRNAME = "damaged"
"""`<data_dir>/damaged`: the damaged file (and its -wal/-shm) moved aside, never deleted."""
LAST_RESTORE = "recovery.last_restore"
"""Setting: JSON record of the restore this database came from (when, which backup, the old device id)."""


@dataclass(frozen=True, slots=True)
class StartupCheck:
    path: Path
    result: str
    """"ok" (also for a new, not yet created file), or what quick_check reported."""

    @property
    def ok(self) -> bool:
        return self.result == "ok"


@dataclass(frozen=True, slots=True)
class RestoreResult:
    backup: BackupResult
    damaged_copy: Path | None
    old_device_id: str
    """The device id the city knew this till by ('' when it was not linked)."""


def startup_check(data_dir: Path) -> StartupCheck:
    """quick_check of the database file before anything opens it (a missing file is a new installation)."""
    path = db_path(data_dir)
    if not path.exists():
        return StartupCheck(path=path, result="ok")
    return StartupCheck(path=path, result=quick_check(path))


def _move_aside(data_dir: Path, moment: datetime) -> Path | None:
    """Rename the damaged database (with its -wal and -shm) into `damaged/`; returns the new main file's path."""
    source = db_path(data_dir)
    folder = data_dir / DAMAGED_DIRNAME
    folder.mkdir(parents=True, exist_ok=True)
    stamp = to_wita(moment).strftime("%Y%m%d-%H%M%S")
    moved: Path | None = None
    for suffix in ("", "-wal", "-shm"):
        part = source.with_name(source.name + suffix)
        if part.exists():
            target = folder / f"kkmp_pos-damaged-{stamp}.sqlite3{suffix}"
            os.replace(part, target)
            moved = target if suffix == "" else moved
    return moved


def restore_backup(data_dir: Path, backup: BackupResult, clock: Clock = system_clock) -> RestoreResult:
    """Put `backup` in place of the database: the current file is kept aside, the till unlinked from the city."""
    problems = integrity_check(backup.path)
    if problems != "ok":
        raise PosError("Cadangan '{path}' ternyata rusak ({error}). Pilih cadangan lain.", path=str(backup.path),
                       error=problems)
    moment = clock().astimezone(timezone.utc)
    damaged = _move_aside(data_dir, moment)
    place_file(backup.path, db_path(data_dir))
    ctx = open_context(data_dir, clock=clock)  # migrates a backup made before an upgrade
    try:
        with ctx.unit_of_work() as uow:
            connection = uow.connection
            old_device = read_settings(connection, [DEVICE_ID]).get(DEVICE_ID, "")
            journal = JournalEvent.__table__
            head = connection.execute(select(journal.c.seq, journal.c.hash).order_by(journal.c.seq.desc()).limit(1)
                                      ).first()
            connection.execute(delete(Setting.__table__).where(Setting.__table__.c.key.in_(SYNC_KEYS)))
            write_settings(connection, {LAST_RESTORE: json.dumps({
                "restored_at": rfc3339(moment), "backup": str(backup.path), "backup_last_seq": backup.last_seq,
                "damaged_copy": str(damaged or ""), "old_device_id": old_device,
                # Where the restored journal ends: the city's events of the old device continue from here.
                "journal_last_seq": int(head[0]) if head else 0, "journal_last_hash": str(head[1]) if head else "0" * 64,
            }, sort_keys=True)})
            uow.commit()
    finally:
        ctx.close()
    identity = data_dir / IDENTITY_FILE
    if identity.exists():  # kept (renamed) for the record: the city may ask which key the old device had
        stamp = to_wita(moment).strftime("%Y%m%d-%H%M%S")
        (data_dir / DAMAGED_DIRNAME).mkdir(exist_ok=True)
        os.replace(identity, data_dir / DAMAGED_DIRNAME / f"sync_identity-{stamp}.json")
    return RestoreResult(backup=backup, damaged_copy=damaged, old_device_id=old_device)


def recover(data_dir: Path, clock: Clock = system_clock) -> RestoreResult:
    """Restore the newest backup that was checked good; PosError when there is none."""
    backup = newest_good_backup(data_dir)
    if backup is None:
        raise PosError("Tidak ada cadangan yang baik untuk dipulihkan. Jangan hapus folder data; hubungi pengelola "
                       "atau Dinas Koperasi.")
    return restore_backup(data_dir, backup, clock)


def restore_file(data_dir: Path, file: Path, clock: Clock = system_clock) -> RestoreResult:
    """Restore a backup file the manager names (the CLI's `restore FILE`)."""
    from kkmp_pos.services.backup import scan_folder

    file = file.expanduser().resolve()
    if not file.is_file():
        raise PosError("File cadangan '{path}' tidak ditemukan.", path=str(file))
    known = {r.path.resolve(): r for r in scan_folder(file.parent)}
    backup = known.get(file) or BackupResult(path=file, reason="", created_at=None, size=file.stat().st_size,
                                             integrity="")
    return restore_backup(data_dir, backup, clock)

