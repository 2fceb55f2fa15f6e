"""Checking the journal three ways: its own hash chain, the city's signed receipts, and the closed shifts' Z."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import iter_events
from kkmp_pos.services.sync_link import ACKED_THROUGH, DEVICE_ID, SERVER_PUBLIC_KEY, read_settings
from kkmp_pos.services.sync_upload import LAST_RECEIPT
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import JournalEvent, Shift
from sync.protocol.canonical import canon, first_bad_seq
from sync.protocol.errors import ProtocolError
from sync.protocol.keys import verify
from sync.protocol.receipts import receipt_payload

_journal = JournalEvent.__table__
_shift = Shift.__table__

CHAIN, RECEIPT, Z_REPORT = "chain", "receipt", "z_report"
"""Which check found a problem."""

# Problem codes (stable, for scripts and support): what was found, independent of the language shown.
CHAIN_BROKEN = "chain_broken"
TAIL_DELETED = "tail_deleted"
ACKED_CHANGED = "acked_changed"
RECEIPT_INVALID = "receipt_invalid"
Z_TRUNCATED = "z_truncated"
Z_CHANGED = "z_changed"


@dataclass(frozen=True, slots=True)
class Problem:
    check: str
    code: str
    seq: int | None
    """The first seq this problem makes suspect (None: no seq, e.g. a forged receipt)."""
    text: str
    """What was found, for people (translated when the check ran)."""


@dataclass(frozen=True, slots=True)
class JournalCheck:
    """The outcome of `check_journal`; `first_bad_seq` is the lowest seq any check found suspect."""

    events: int
    last_seq: int
    acked_through: int | None
    """What the newest valid signed receipt acknowledged (None: no receipt to compare with)."""
    receipt_time: str | None
    z_checked: int
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        """The problem with the lowest seq (one without a seq comes last)."""
        if not self.problems:
            return None
        return min(self.problems, key=lambda p: (p.seq is None, p.seq or 0))

    @property
    def first_bad_seq(self) -> int | None:
        first = self.first
        return first.seq if first else None


def check_label(check: str) -> str:
    labels = {CHAIN: tr("rantai hash jurnal"), RECEIPT: tr("tanda terima server kota"), Z_REPORT: tr("laporan Z")}
    return labels[check]


def _counts(connection: Connection) -> tuple[int, int]:
    count, last = connection.execute(select(func.count(), func.coalesce(func.max(_journal.c.seq), 0))).one()
    return int(count), int(last)


def _hash_at(connection: Connection, seq: int) -> str | None:
    return connection.execute(select(_journal.c.hash).where(_journal.c.seq == seq)).scalar()


def _check_chain(connection: Connection) -> list[Problem]:
    bad = first_bad_seq(iter_events(connection, lenient=True))
    if bad is None:
        return []
    return [Problem(CHAIN, CHAIN_BROKEN, bad, tr("Rantai hash jurnal putus di seq {seq}: peristiwa itu diubah, "
                                                        "dihapus atau disisipkan.", seq=bad))]


def _stored_receipt(settings: dict[str, str]) -> dict[str, Any] | None:
    raw = settings.get(LAST_RECEIPT)
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _valid_receipt(receipt: dict[str, Any], server_key: str) -> bool:
    """The receipt's signature checks with the server key this till enrolled with."""
    try:
        payload = receipt_payload(device_id=receipt["device_id"], acked_through=receipt["acked_through"],
                                  last_hash=receipt["last_hash"], server_time=receipt["server_time"])
        if type(payload["acked_through"]) is not int or not isinstance(payload["last_hash"], str):
            return False
        verify(server_key, payload, receipt["receipt_sig"])
    except (KeyError, TypeError, ProtocolError):
        return False
    return True


def _check_receipt(connection: Connection, last: int) -> tuple[list[Problem], int | None, str | None]:
    """Against the newest acknowledgement the city signed: it must still match this journal."""
    settings = read_settings(connection, (LAST_RECEIPT, DEVICE_ID, SERVER_PUBLIC_KEY, ACKED_THROUGH))
    problems: list[Problem] = []
    receipt = _stored_receipt(settings)
    device = settings.get(DEVICE_ID, "")
    acked: int | None = None
    when: str | None = None
    if receipt is not None and device and receipt.get("device_id", device) == device:
        # A receipt of an earlier enrolment (other device id) is history, not evidence about this chain.
        if _valid_receipt(receipt, settings.get(SERVER_PUBLIC_KEY, "")):
            acked, when = int(receipt["acked_through"]), str(receipt["server_time"])
        else:
            problems.append(Problem(RECEIPT, RECEIPT_INVALID, None, tr(
                "Tanda terima server kota yang tersimpan tidak sah (tanda tangan tidak cocok): data sinkron di "
                "basis data ini telah diubah.")))
    if acked is None:
        # No signed receipt yet (synced before receipts were kept): the till's own cursor still says how far
        # the city acknowledged, so a journal ending before it lost events.
        cursor = int(settings.get(ACKED_THROUGH) or 0) if device else 0
        if not problems and last < cursor:
            problems.append(Problem(RECEIPT, TAIL_DELETED, last + 1, tr(
                "Peristiwa dihapus setelah seq {last}: server kota sudah mengakui sampai seq {acked}.", last=last,
                acked=cursor)))
        return problems, None, None
    if last < acked:
        problems.append(Problem(RECEIPT, TAIL_DELETED, last + 1, tr(
            "Peristiwa dihapus setelah seq {last}: server kota sudah mengakui sampai seq {acked}.", last=last,
            acked=acked)))
    elif acked > 0 and _hash_at(connection, acked) != receipt["last_hash"]:  # type: ignore[index]
        problems.append(Problem(RECEIPT, ACKED_CHANGED, acked, tr(
            "Peristiwa sampai seq {acked} diubah: hash di seq itu berbeda dari yang diakui server kota.",
            acked=acked)))
    return problems, acked, when


def _check_z(connection: Connection, last: int) -> tuple[list[Problem], int]:
    """Every closed shift's frozen Z: its close event and the seq/hash it recorded must still be there."""
    rows = connection.execute(
        select(_shift.c.shift_no, _shift.c.close_seq, _shift.c.z_report)
        .where(_shift.c.status == "closed", _shift.c.close_seq.is_not(None)).order_by(_shift.c.close_seq)
    ).all()
    problems: list[Problem] = []
    for row in rows:
        z = json.loads(row.z_report) if row.z_report else {}
        z_seq, z_hash = int(z.get("last_seq") or 0), str(z.get("last_hash") or "")
        if last < row.close_seq:
            problems.append(Problem(Z_REPORT, Z_TRUNCATED, last + 1, tr(
                "Peristiwa dihapus setelah seq {last}: laporan Z {shift_no} ditutup di seq {close_seq}.",
                last=last, shift_no=row.shift_no, close_seq=row.close_seq)))
            break  # every later Z is past the end as well
        close = connection.execute(select(_journal.c.type, _journal.c.body, _journal.c.prev_hash)
                                   .where(_journal.c.seq == row.close_seq)).first()
        if z_seq and _hash_at(connection, z_seq) != z_hash:
            problems.append(Problem(Z_REPORT, Z_CHANGED, z_seq, tr(
                "Peristiwa sampai seq {seq} diubah: hash di seq itu berbeda dari yang tercatat di laporan Z "
                "{shift_no}.", seq=z_seq, shift_no=row.shift_no)))
        elif close is None or close.type != "shift_close" or not _same_z(close.body, row.z_report) or \
                (z_seq == row.close_seq - 1 and close.prev_hash != z_hash):
            problems.append(Problem(Z_REPORT, Z_CHANGED, row.close_seq, tr(
                "Peristiwa penutupan shift {shift_no} (seq {seq}) tidak cocok dengan laporan Z yang tersimpan.",
                seq=row.close_seq, shift_no=row.shift_no)))
    return problems, len(rows)


def _same_z(body: str, frozen: str | None) -> bool:
    try:
        return frozen is not None and canon(json.loads(body)) == canon(json.loads(frozen))
    except ValueError:
        return False


def check_journal(ctx: PosContext) -> JournalCheck:
    """Run all three checks read-only; a problem found by any of them makes the result not ok."""
    with reading(ctx.engine) as connection:
        events, last = _counts(connection)
        problems = _check_chain(connection)
        receipt_problems, acked, when = _check_receipt(connection, last)
        z_problems, z_checked = _check_z(connection, last)
    return JournalCheck(events=events, last_seq=last, acked_through=acked, receipt_time=when, z_checked=z_checked,
                        problems=(*problems, *receipt_problems, *z_problems))


def summary_lines(result: JournalCheck) -> list[str]:
    """The short report for the command line and the screen (Bahasa Indonesia, or the chosen language)."""
    lines = [tr("Jurnal: {events} peristiwa, seq terakhir {last}.", events=result.events, last=result.last_seq)]
    if result.acked_through is None:
        lines.append(tr("Tanda terima server kota: belum ada (perangkat belum pernah sinkron)."))
    else:
        lines.append(tr("Tanda terima server kota: diakui sampai seq {acked} ({time}).",
                        acked=result.acked_through, time=result.receipt_time))
    lines.append(tr("Laporan Z diperiksa: {count}.", count=result.z_checked))
    first = result.first
    if first is None:
        lines.append(tr("HASIL: BAIK — rantai hash utuh, cocok dengan tanda terima kota dan laporan Z."))
        return lines
    if first.seq is None:
        lines.append(tr("HASIL: RUSAK — ditemukan oleh pemeriksaan {check} (kode {code}).",
                        check=check_label(first.check), code=first.code))
    else:
        lines.append(tr("HASIL: RUSAK — seq pertama yang rusak: {seq}, ditemukan oleh pemeriksaan {check} "
                        "(kode {code}).", seq=first.seq, check=check_label(first.check), code=first.code))
    lines.extend(f"- {problem.text} [{problem.code}]" for problem in result.problems)
    return lines
