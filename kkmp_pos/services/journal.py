"""Appending to and checking the device's hash-chained journal, inside the caller's transaction."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from kkmp_pos.domain.clock import rfc3339
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import JournalEvent
from sync.protocol.canonical import GENESIS_HASH, canon, first_bad_seq, seal_event

SCHEMA_V = 1
_journal = JournalEvent.__table__
_INSERT = insert(_journal)
_LAST = select(_journal.c.seq, _journal.c.hash).order_by(_journal.c.seq.desc()).limit(1)


@dataclass(frozen=True, slots=True)
class Appended:
    seq: int
    event_id: str
    hash: str


def append_event(connection: Connection, *, type: str, body: Mapping[str, Any], at: datetime,
                 master_version: int = 0) -> Appended:
    """Write the next event. The caller's write transaction (BEGIN IMMEDIATE) keeps `seq` gap-free."""
    last = connection.execute(_LAST).first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    event = seal_event(
        seq=seq, event_id=str(uuid.uuid4()), type=type, schema_v=SCHEMA_V, device_time=rfc3339(at),
        master_version=master_version, body=body, prev_hash=prev_hash,
    )
    connection.execute(_INSERT, {**event, "body": canon(event["body"], checked=False).decode("utf-8")})
    return Appended(seq=seq, event_id=event["event_id"], hash=event["hash"])


def iter_events(connection: Connection, batch: int = 1000, *, lenient: bool = False) -> Iterator[dict[str, Any]]:
    """Every stored event in seq order, as protocol dicts (body parsed back from canonical JSON).

    `lenient`: a body that is not JSON at all comes back as None (verification then reports its seq)
    instead of raising.
    """
    after = 0
    while True:
        rows = connection.execute(
            select(_journal).where(_journal.c.seq > after).order_by(_journal.c.seq).limit(batch)
        ).mappings().all()
        if not rows:
            return
        for row in rows:
            event = dict(row)
            try:
                event["body"] = json.loads(event["body"])
            except ValueError:
                if not lenient:
                    raise
                event["body"] = None  # a tampered body that is not even JSON: its hash cannot match
            yield event
        after = rows[-1]["seq"]


def verify_journal(engine: Engine) -> int | None:
    """The first seq at which the stored chain breaks, or None when it verifies end to end."""
    with reading(engine) as connection:
        return first_bad_seq(iter_events(connection, lenient=True))
