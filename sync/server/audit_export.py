"""The city's audit CSV of one outlet: its devices' journal events exactly as stored, with the flags raised."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any, Final, TextIO

from sqlalchemy import Connection, Engine, select

from sync.server.dashboard.csv_export import _safe
from sync.server.dashboard.formatting import WITA, parse_time
from sync.server.store.schema import device, flag, journal_event

HEADER: Final = ["perangkat", "device_id", "seq", "jenis", "waktu_perangkat_wita", "diterima_wita", "hash8",
                 "tanda"]
"""Indonesian column names: the file is for the Dinas and the pengawas."""
CHUNK: Final = 2000


def _wita(text: str | None) -> str:
    moment = parse_time(text)
    return moment.astimezone(WITA).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _flags(connection: Connection, outlet_id: str) -> dict[tuple[str | None, int | None], list[str]]:
    """Every flag of the outlet (open or resolved) by (device, seq): an auditor wants the history too."""
    found: dict[tuple[str | None, int | None], list[str]] = {}
    rows = connection.execute(select(flag.c.device_id, flag.c.seq, flag.c.kind, flag.c.resolved_at)
                              .where(flag.c.outlet_id == outlet_id).order_by(flag.c.id)).all()
    for row in rows:
        label = row.kind if row.resolved_at is None else f"{row.kind} (selesai)"
        found.setdefault((row.device_id, row.seq), []).append(label)
    return found


def audit_rows(engine: Engine, outlet_id: str) -> Iterator[list[Any]]:
    """The outlet's stored events, device by device (enrolment order) and seq by seq, as CSV rows.

    Each chunk is its own short read: stored events never change, and a long export must not hold SQLite's
    write lock against ingest (the same reason as verify.py).
    """
    with engine.connect() as connection:
        devices = connection.execute(select(device.c.id, device.c.name).where(device.c.outlet_id == outlet_id)
                                     .order_by(device.c.enrolled_at, device.c.id)).all()
        flags = _flags(connection, outlet_id)
        connection.rollback()
        for item in devices:
            after = 0
            while True:
                rows = connection.execute(
                    select(journal_event.c.seq, journal_event.c.type, journal_event.c.device_time,
                           journal_event.c.received_at, journal_event.c.hash)
                    .where(journal_event.c.device_id == item.id, journal_event.c.seq > after)
                    .order_by(journal_event.c.seq).limit(CHUNK)).all()
                connection.rollback()
                if not rows:
                    break
                for row in rows:
                    marks = flags.get((item.id, row.seq), [])
                    yield [item.name, item.id, int(row.seq), row.type, _wita(row.device_time),
                           _wita(row.received_at), row.hash[:8], "; ".join(marks)]
                after = rows[-1].seq


def write_audit_csv(engine: Engine, outlet_id: str, out: TextIO) -> int:
    """Write the CSV (CRLF, as the dashboard's other exports) to `out`; returns the number of events."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    count = 0
    for row in audit_rows(engine, outlet_id):
        writer.writerow([_safe(cell) for cell in row])
        count += 1
    return count


def audit_csv(engine: Engine, outlet_id: str) -> str:
    buffer = io.StringIO()
    write_audit_csv(engine, outlet_id, buffer)
    return buffer.getvalue()
