"""A whole sync round (upload, then master data) and the status the till's status bar shows."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from kkmp_pos.domain.clock import business_date, format_wita, to_wita
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.sync_link import (
    ACKED_THROUGH,
    BLOCKED,
    DEVICE_ID,
    LAST_ERROR,
    LAST_SUCCESS_AT,
    MASTER_ERROR,
    MASTER_VERSION,
    OUTLET_ID,
    SERVER_PUBLIC_KEY,
    SERVER_URL,
    ClientFactory,
    default_client,
    identity_path,
    json_setting,
    load_identity,
    load_sync_settings,
    write_settings,
)
from kkmp_pos.services.sync_master import MasterOutcome, MasterRejected, pull_master
from kkmp_pos.services.sync_upload import (
    BLOCKED_STATE,
    NOT_ENROLLED,
    OFFLINE,
    ONLINE,
    UploadOutcome,
    block,
    last_seq,
    upload_round,
    utc_text,
)
from sync.client.errors import Refused, SyncError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    """What one round did."""

    state: str
    """online, offline, blocked or not_enrolled."""
    upload: UploadOutcome
    master: MasterOutcome | None = None
    master_error: str = ""
    detail: str = ""


def run_sync_round(ctx: PosContext, client_factory: ClientFactory = default_client) -> SyncOutcome:
    """Upload what waits, then pull master data; never raises for an expected network or server problem."""
    upload = upload_round(ctx, client_factory)
    if upload.state in (NOT_ENROLLED, BLOCKED_STATE, OFFLINE):
        return SyncOutcome(state=upload.state, upload=upload, detail=upload.detail)
    values = load_sync_settings(ctx)
    identity = load_identity(ctx)
    if identity is None:
        return SyncOutcome(state=NOT_ENROLLED, upload=upload)
    since = int(values.get(MASTER_VERSION) or 0)
    if upload.master_latest_version is not None and upload.master_latest_version <= since:
        return SyncOutcome(state=ONLINE, upload=upload, master=MasterOutcome(version=since))
    try:
        with client_factory(values[SERVER_URL], identity.token) as client:
            master = pull_master(ctx, client, values[OUTLET_ID], values[SERVER_PUBLIC_KEY])
    except MasterRejected as exc:
        log.warning("master data refused: %s", exc)
        _reached(ctx)  # the server answered: the outlet is online, the data is what was wrong
        return SyncOutcome(state=ONLINE, upload=upload, master_error=str(exc))
    except Refused as exc:  # a revoked device with nothing to upload learns it here
        detail = block(ctx, "refused", f"{exc.status} {exc.code}: {exc.detail}")
        return SyncOutcome(state=BLOCKED_STATE, upload=upload, detail=detail)
    except SyncError as exc:
        with ctx.unit_of_work() as uow:
            write_settings(uow.connection, {LAST_ERROR: str(exc)})
            uow.commit()
        return SyncOutcome(state=OFFLINE, upload=upload, detail=str(exc))
    _reached(ctx)
    return SyncOutcome(state=ONLINE, upload=upload, master=master)


def _reached(ctx: PosContext) -> None:
    with ctx.unit_of_work() as uow:
        write_settings(uow.connection, {LAST_SUCCESS_AT: utc_text(ctx.clock()), LAST_ERROR: ""})
        uow.commit()


@dataclass(frozen=True, slots=True)
class SyncStatus:
    enrolled: bool
    state: str
    """online, offline (also: never synced yet), blocked or not_enrolled."""
    waiting: int
    """Journal events not yet acknowledged by the city."""
    last_success_at: datetime | None = None
    blocked: dict[str, object] | None = None
    last_error: str = ""
    master_version: int = 0
    master_error: str = ""

    @property
    def last_success_wita(self) -> str:
        """`HH:MM WITA`, or '' before the first successful round."""
        if self.last_success_at is None:
            return ""
        return to_wita(self.last_success_at).strftime("%H:%M") + " WITA"

    def last_success_text(self, now: datetime) -> str:
        """`HH:MM WITA` today; `DD-MM-YYYY HH:MM WITA` for an older day, so a stale sync does not look fresh."""
        if self.last_success_at is None:
            return ""
        if business_date(self.last_success_at) == business_date(now):
            return self.last_success_wita
        return format_wita(self.last_success_at)


def _parse_utc(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def sync_status(ctx: PosContext) -> SyncStatus:
    """Cheap enough for a status bar: a few settings and MAX(seq)."""
    values = load_sync_settings(ctx)
    master_version = int(values.get(MASTER_VERSION) or 0)
    last = last_seq(ctx)
    if not values.get(DEVICE_ID) or not identity_path(ctx).exists():
        return SyncStatus(enrolled=False, state=NOT_ENROLLED, waiting=last, master_version=master_version)
    acked = int(values.get(ACKED_THROUGH) or 0)
    blocked = json_setting(values.get(BLOCKED))
    last_success = _parse_utc(values.get(LAST_SUCCESS_AT, ""))
    last_error = values.get(LAST_ERROR, "")
    if blocked:
        state = BLOCKED_STATE
    elif last_error or last_success is None:
        state = OFFLINE
    else:
        state = ONLINE
    return SyncStatus(enrolled=True, state=state, waiting=max(last - acked, 0), last_success_at=last_success,
                      blocked=blocked, last_error=last_error, master_version=master_version,
                      master_error=values.get(MASTER_ERROR, ""))
