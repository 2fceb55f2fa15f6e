"""The audit CSV for the pengawas and the Dinas: every journal event of a period, approvals with their reasons."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from kkmp_pos.domain.clock import day_bounds_utc, parse_rfc3339, rfc3339, to_wita
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.roles import ACTION_LABELS, Action
from kkmp_pos.services.audit import check_viewer
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import JournalEvent, User

_journal = JournalEvent.__table__
_user = User.__table__

COLUMNS = ("seq", "waktu_wita", "jenis", "oleh", "jumlah_rp", "keterangan", "tindakan", "hasil", "penyetuju",
           "alasan", "hash8")
"""In Indonesian whatever the screen language: the file goes to the pengawas and the Dinas, as the agen's does."""
MAX_DAYS = 366
PERSON_KEYS = ("cashier_id", "user_id", "by", "opened_by", "closed_by", "verified_by")
"""Where an event body names who did it (the first one present)."""
AMOUNT_KEYS = ("total", "amount", "counted_cash", "opening_float")
"""The rupiah figure of an event, where it has one."""
DETAIL_KEYS = ("receipt_no", "refund_no", "sale_receipt_no", "shift_no", "direction", "method", "subject", "reason",
               "note", "month", "received_on")
OUTCOMES = {"approved": "disetujui", "refused": "ditolak"}
_NUMBER = re.compile(r"^-?\d+$")


def _safe(value: str) -> str:
    """A text cell starting with = + - @ gets a leading ' so a spreadsheet never runs it as a formula."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.match(value):
        return "'" + value
    return value


def _action_label(action: str) -> str:
    try:
        return ACTION_LABELS[Action(action)]
    except ValueError:
        return action


def _names(connection: Connection) -> dict[str, str]:
    return {row.id: row.full_name for row in connection.execute(select(_user.c.id, _user.c.full_name))}


def _person(names: Mapping[str, str], user_id: Any) -> str:
    if not isinstance(user_id, str) or not user_id:
        return ""
    return names.get(user_id, user_id)


def audit_row(event: Mapping[str, Any], body: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    """One CSV row of one journal event; override events fill the approval columns."""
    who = next((body[k] for k in PERSON_KEYS if isinstance(body.get(k), str)), None)
    amount = next((body[k] for k in AMOUNT_KEYS if type(body.get(k)) is int), None)
    override = event["type"] == "override"
    detail_keys = [k for k in DETAIL_KEYS if not (override and k in ("subject", "reason"))]
    detail = " · ".join(str(body[k]) for k in detail_keys if isinstance(body.get(k), str | int) and
                        not isinstance(body.get(k), bool) and str(body[k]))
    if override:
        detail = " · ".join(filter(None, (str(body.get("subject") or ""), detail)))
    at = to_wita(parse_rfc3339(event["device_time"])).strftime("%Y-%m-%d %H:%M:%S")
    cells = [str(event["seq"]), at, event["type"], _person(names, who), "" if amount is None else str(amount),
             detail,
             _action_label(str(body.get("action") or "")) if override else "",
             OUTCOMES.get(str(body.get("outcome")), str(body.get("outcome") or "")) if override else "",
             _person(names, body.get("approver_id")) if override else "",
             str(body.get("reason") or "") if override else "",
             event["hash"][:8]]
    return [_safe(cell) for cell in cells]


def _bounds(first_day: date, last_day: date) -> tuple[str, str]:
    if first_day > last_day:
        raise InvalidInput("Tanggal awal ({first}) sesudah tanggal akhir ({last}). Tukar kedua tanggal.",
                           first=first_day.strftime("%d-%m-%Y"), last=last_day.strftime("%d-%m-%Y"))
    if (last_day - first_day).days >= MAX_DAYS:
        raise InvalidInput("Periode ekspor audit paling lama {days} hari. Bagi menjadi beberapa file.",
                           days=MAX_DAYS)
    return rfc3339(day_bounds_utc(first_day)[0]), rfc3339(day_bounds_utc(last_day)[1])


def _events(connection: Connection, start: str, end: str, batch: int = 2000) -> Iterator[Mapping[str, Any]]:
    """The period's events in seq order, a chunk at a time (a year of trade stays in bounded memory)."""
    after = 0
    columns = (_journal.c.seq, _journal.c.type, _journal.c.device_time, _journal.c.body, _journal.c.hash)
    while True:
        rows = connection.execute(
            select(*columns).where(_journal.c.seq > after, _journal.c.device_time >= start,
                                   _journal.c.device_time < end).order_by(_journal.c.seq).limit(batch)
        ).mappings().all()
        if not rows:
            return
        yield from rows
        after = rows[-1]["seq"]


def audit_rows(ctx: PosContext, first_day: date, last_day: date, *, viewer_id: str | None) -> list[list[str]]:
    """Every journal event of the WITA days `first_day`..`last_day`, as CSV rows (header not included).

    `viewer_id` must be a manajer, pengawas or admin; None is the command line, run by whoever holds the data
    directory (and so the database) anyway.
    """
    start, end = _bounds(first_day, last_day)
    if viewer_id is not None:
        check_viewer(ctx, viewer_id)
    with reading(ctx.engine) as connection:
        names = _names(connection)
        return [audit_row(row, json.loads(row["body"]), names) for row in _events(connection, start, end)]


def audit_csv(rows: Iterable[list[str]]) -> bytes:
    """UTF-8 with a BOM and CRLF, as the outlet's other CSV exports: Excel opens it with names intact."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def export_audit_csv(ctx: PosContext, first_day: date, last_day: date, path: Path, *,
                     viewer_id: str | None) -> int:
    """Write the period's audit CSV to `path`; returns the number of events written."""
    rows = audit_rows(ctx, first_day, last_day, viewer_id=viewer_id)
    data = audit_csv(rows)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InvalidInput("Tidak dapat menyimpan '{path}': {why}. Pilih folder lain (mis. Dokumen) dan coba "
                           "lagi.", path=str(path), why=exc.strerror or str(exc)) from exc
    return len(rows)
