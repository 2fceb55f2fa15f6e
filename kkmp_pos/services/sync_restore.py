"""After a restore and re-enrolment: take back from the city the old device's events the backup did not have.

How they enter the till (README "Mengambil kembali transaksi dari server kota"):

- They are the OLD device's events and continue the restored journal exactly (the backup is that device's
  journal up to its last seq), so they are written into the local journal **verbatim**: the same seq, event
  id, body and hash. The chain stays one chain and `verify-journal` keeps passing.
- The new device then uploads them like any event; the city recognises each one (same id, seq and hash under
  the old device: sync/server/succession.py) and acknowledges it without storing or counting it again. Its
  own events follow from the next seq. So nothing is counted twice and nothing needs a special upload path.
- Each event's business rows (sale with lines, payments, kasbon and stock movements; refund; goods receipt;
  stock adjustment and count; shift open/close; cash movement; approvals; users, members, suppliers; kasbon
  repayments and savings; QRIS reconciliations; stock thresholds and pack units; LPG deliveries, cylinder
  counts and swaps, allocations and MAP marks) are rebuilt from its body in the same transaction: reports,
  stock on hand and the receipt numbering (max + 1) include them. Only `master_applied` is kept in the journal
  alone (it carries no data; the next master pull brings it again).
- One page (≤ 500 events) is one transaction; the point reached is stored with it, so an interrupted run
  resumes and a second run finds nothing new. Nothing is applied unless the page's signature verifies and
  its chain links to the last event of the restored journal.
- It must run before the till records anything new: the journal can only continue where the backup ended.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import IntegrityError

from kkmp_pos.domain.clock import parse_rfc3339
from kkmp_pos.domain.errors import PosError
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.journal_replay import replay_event
from kkmp_pos.services.recovery import LAST_RESTORE
from kkmp_pos.services.sync_link import (
    ACKED_THROUGH,
    DEVICE_ID,
    OUTLET_ID,
    PENDING_BATCH,
    SERVER_PUBLIC_KEY,
    SERVER_URL,
    ClientFactory,
    default_client,
    json_setting,
    load_identity,
    read_settings,
    write_settings,
)
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import (
    JournalEvent,
    Outlet,
)
from sync.client.errors import Offline, Refused, SyncError, TLSError, UnexpectedResponse
from sync.protocol.canonical import GENESIS_HASH, canon, first_bad_seq

RECOVERED = "recovery.city_recovered"
"""Setting: JSON `{"old_device_id", "through_seq", "through_hash", "events", "done"}` — how far the city's
events of the old device have been taken back (written in each page's transaction)."""
PAGE_SIZE = 500

_journal = JournalEvent.__table__
_LAST = select(_journal.c.seq, _journal.c.hash).order_by(_journal.c.seq.desc()).limit(1)

Progress = Callable[[int, int], None]
"""`(seq reached, the old device's last seq at the city)` after each page."""


@dataclass(frozen=True, slots=True)
class CityRecovery:
    old_device_id: str
    from_seq: int
    """The restored journal's last seq: everything after it came from the city."""
    through_seq: int
    events: int
    """Events taken back by this run (0 when an earlier run already took everything)."""
    sales: int
    city_last_seq: int


def restore_record(ctx: PosContext) -> dict[str, Any] | None:
    """The last restore's record when it came from a till that was linked to the city, else None."""
    with reading(ctx.engine) as connection:
        record = json_setting(read_settings(connection, [LAST_RESTORE]).get(LAST_RESTORE))
    return record if record and record.get("old_device_id") else None


def city_recovery_pending(ctx: PosContext) -> bool:
    """True after a restore of a linked till until its old device's events were taken back from the city."""
    record = restore_record(ctx)
    if record is None:
        return False
    with reading(ctx.engine) as connection:
        done = json_setting(read_settings(connection, [RECOVERED]).get(RECOVERED)) or {}
    return not (done.get("done") and done.get("old_device_id") == record["old_device_id"])


def _start(ctx: PosContext) -> tuple[dict[str, Any], dict[str, str], int, str]:
    """The restore record, the link settings and the point reached so far (seq, hash); refusals in Indonesian."""
    record = restore_record(ctx)
    if record is None:
        raise PosError("Kasir ini tidak dipulihkan dari cadangan saat terhubung ke server kota, jadi tidak ada "
                       "transaksi yang perlu diambil kembali.")
    with reading(ctx.engine) as connection:
        values = read_settings(connection, [SERVER_URL, OUTLET_ID, DEVICE_ID, SERVER_PUBLIC_KEY, RECOVERED])
        head = connection.execute(_LAST).first()
        if not values.get(DEVICE_ID) or load_identity(ctx) is None:
            raise PosError("Hubungkan dulu kasir ini ke server kota dengan kode pendaftaran baru (Sistem → "
                           "Hubungkan ke server kota), lalu ambil kembali transaksinya.")
        head_seq, head_hash = (int(head[0]), str(head[1])) if head else (0, GENESIS_HASH)
        prior = json_setting(values.get(RECOVERED)) or {}
        if prior.get("old_device_id") == record["old_device_id"] and isinstance(prior.get("through_seq"), int):
            through, through_hash = int(prior["through_seq"]), str(prior.get("through_hash", ""))
        elif isinstance(record.get("journal_last_seq"), int):
            through, through_hash = int(record["journal_last_seq"]), str(record.get("journal_last_hash", ""))
        else:  # a record written before the journal's end was kept in it: the end is the restored journal's
            through, through_hash = head_seq, head_hash
        _check_continues(connection, through, through_hash, head_seq)
    return record, values, through, through_hash


def _check_continues(connection: Connection, through: int, through_hash: str, head_seq: int) -> None:
    """The local journal still ends where the recovered chain does: at `through`, or above it only with
    `master_applied` records not yet sent (a master pull between enrolment and this), which are lifted and
    written again after the recovered events. Anything else was recorded after the restore: refused."""
    at = connection.execute(select(_journal.c.hash).where(_journal.c.seq == through)).scalar() if through else GENESIS_HASH
    tail = connection.execute(select(_journal.c.type).where(_journal.c.seq > through)).scalars().all()
    values = read_settings(connection, [ACKED_THROUGH, PENDING_BATCH])
    pending = json_setting(values.get(PENDING_BATCH)) or {}
    sent = max(int(values.get(ACKED_THROUGH) or 0),
               int(pending.get("from_seq", 0)) + int(pending.get("count", 0)) - 1)
    if at != through_hash or (tail and (any(kind != "master_applied" for kind in tail) or sent > through)):
        raise PosError(
            "Sudah ada transaksi baru di kasir ini sesudah pemulihan (jurnal sampai nomor {head}, cadangan sampai "
            "{through}), jadi transaksi dari server kota tidak dapat disambungkan lagi. Transaksi itu tetap "
            "tersimpan dan terhitung di server kota; hubungi Dinas bila perlu salinannya.",
            head=head_seq, through=through)


def _sync_error(exc: SyncError) -> PosError:
    if isinstance(exc, Offline):
        return PosError("Server kota tidak dapat dihubungi. Periksa sambungan internet, lalu coba lagi; yang sudah "
                        "diambil tetap tersimpan dan akan dilanjutkan.")
    if isinstance(exc, Refused):
        return PosError("Server kota menolak permintaan ({detail}). Pastikan kasir ini sudah didaftarkan ulang "
                        "untuk gerai yang sama.", detail=exc.detail)
    if isinstance(exc, TLSError):
        return PosError("Sertifikat keamanan server kota tidak dapat diperiksa (TLS). Jangan lanjutkan; hubungi "
                        "Dinas.")
    if isinstance(exc, UnexpectedResponse) and exc.code in ("bad_signature", "bad_shape"):
        return PosError("Data dari server kota ditolak: tanda tangan atau bentuknya tidak sah ({detail}). Tidak ada "
                        "yang diubah; hubungi Dinas.", detail=exc.detail)
    return PosError("Server kota sedang bermasalah ({error}). Coba lagi beberapa menit lagi.", error=str(exc))


def recover_from_city(ctx: PosContext, *, client_factory: ClientFactory = default_client,
                      page_size: int = PAGE_SIZE, progress: Progress | None = None) -> CityRecovery:
    """Download the old device's events after the restored journal's end and bring them into the till."""
    record, values, through, through_hash = _start(ctx)
    identity = load_identity(ctx)
    assert identity is not None
    old_device, start = str(record["old_device_id"]), through
    taken = sales = 0
    city_last = through
    try:
        with client_factory(values[SERVER_URL], identity.token) as client:
            while True:
                page = client.download_journal(values[OUTLET_ID], old_device, after=through,
                                               server_public_key=values[SERVER_PUBLIC_KEY], limit=page_size)
                city_last = page["last_seq"]
                events = page["events"]
                if not events:
                    break
                bad = first_bad_seq(events, start_hash=through_hash, start_seq=through + 1)
                if bad is not None:
                    raise PosError(
                        "Transaksi dari server kota tidak menyambung dengan cadangan yang dipulihkan (nomor {seq}). "
                        "Tidak ada yang diubah; hubungi Dinas.", seq=bad)
                sales += _apply_page(ctx, events, old_device, through, through_hash)
                taken += len(events)
                through, through_hash = events[-1]["seq"], events[-1]["hash"]
                if progress is not None:
                    progress(through, city_last)
                if not page["more"]:
                    break
    except SyncError as exc:
        raise _sync_error(exc) from exc
    with ctx.unit_of_work() as uow:
        _mark(uow.connection, old_device, through, through_hash, done=True)
        uow.commit()
    return CityRecovery(old_device_id=old_device, from_seq=start, through_seq=through, events=taken, sales=sales,
                        city_last_seq=city_last)


def _mark(connection: Connection, old_device: str, seq: int, hash_: str, *, done: bool) -> None:
    write_settings(connection, {RECOVERED: json.dumps(
        {"old_device_id": old_device, "through_seq": seq, "through_hash": hash_, "done": done}, sort_keys=True)})


def _apply_page(ctx: PosContext, events: list[dict[str, Any]], old_device: str, through: int,
                through_hash: str) -> int:
    """One verified page in one transaction: journal rows verbatim, then each event's business rows."""
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        head = connection.execute(_LAST).first()
        _check_continues(connection, through, through_hash, int(head[0]) if head else 0)
        lifted = connection.execute(select(_journal).where(_journal.c.seq > through).order_by(_journal.c.seq)
                                    ).mappings().all()
        if lifted:
            connection.execute(delete(_journal).where(_journal.c.seq > through))
        outlet_id = connection.execute(select(Outlet.__table__.c.id).limit(1)).scalar()
        sales = 0
        for event in events:
            connection.execute(insert(_journal), {**event, "body": canon(event["body"]).decode("utf-8")})
            try:
                replay_event(connection, event, outlet_id or "")
            except (KeyError, TypeError, ValueError, AttributeError, IntegrityError) as exc:
                # A body this version cannot rebuild: refused whole, so nothing of the page is half in.
                raise PosError("Transaksi nomor {seq} ({type}) dari server kota tidak dapat dimasukkan ({error}). "
                               "Tidak ada yang diubah dari halaman ini; hubungi pengelola.", seq=event["seq"],
                               type=event["type"], error=f"{type(exc).__name__}: {exc}"[:200]) from exc
            sales += event["type"] == "sale"
        for row in lifted:  # the master data stays applied; only its record moves after the recovered events
            append_event(connection, type=row["type"], body=json.loads(row["body"]),
                         at=parse_rfc3339(row["device_time"]), master_version=row["master_version"])
        last = events[-1]
        _mark(connection, old_device, last["seq"], last["hash"], done=False)
        uow.commit()
    return sales


