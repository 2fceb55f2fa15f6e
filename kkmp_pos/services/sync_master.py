"""Master data from the city: verify the signed changes, then apply one version atomically, or nothing."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from kkmp_pos.domain.catalog_import import KNOWN_COLUMNS, parse_catalog_csv
from kkmp_pos.domain.ceiling_import import CEILING_COLUMNS, parse_ceilings_csv
from kkmp_pos.domain.errors import InvalidInput, PosError
from kkmp_pos.domain.file_problems import FileInvalid
from kkmp_pos.domain.lpg import CATEGORY_LABELS, dump_limits, parse_limits
from kkmp_pos.domain.lpg import Limit as LpgLimit
from kkmp_pos.services.catalog import write_catalog_rows
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.lpg_sale import LIMITS_KEY
from kkmp_pos.services.settings import MAX_IDLE_LOCK_MINUTES
from kkmp_pos.services.sync_link import MASTER_ERROR, MASTER_VERSION, read_settings, write_settings
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import PriceCeiling
from sync.client.transport import CityClient
from sync.protocol.errors import ProtocolError
from sync.protocol.keys import verify

KINDS = ("product", "ceiling", "lpg_limit", "setting")
MASTER_FIELDS = frozenset({"version", "snapshot", "changes", "sig"})
LPG_LIMIT_COLUMNS = ("category", "per_day", "per_month")


def _flag(raw: str) -> str:
    if raw not in ("0", "1"):
        raise ValueError("isi 0 atau 1")
    return raw


def _whole(low: int, high: int) -> Any:
    def check(raw: str) -> str:
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise ValueError(f"isi bilangan bulat {low} sampai {high}")
        return str(int(raw))
    return check


SETTING_ALLOW_LIST = {
    "receipt_footer": lambda raw: raw[:300],
    "kasbon_for_customers": _flag,
    "idle_lock_minutes": _whole(0, MAX_IDLE_LOCK_MINUTES),
    "lpg_nik_share_alert_pct": _whole(0, 100),
    "lpg_pengecer_share_alert_pct": _whole(0, 100),
}
"""Settings the city may set; the printer, paths, language, the device's identity and sync state stay local.
Another key is skipped (and reported), not refused: a newer server may publish keys this till does not know."""

_ceiling = PriceCeiling.__table__


class MasterRejected(PosError):
    """Master data that does not verify or does not validate: nothing of it is applied."""


@dataclass(frozen=True, slots=True)
class MasterOutcome:
    version: int
    """The master version in force after the pull."""
    applied: bool = False
    items: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    skipped_settings: tuple[str, ...] = ()


def current_master_version(connection: Connection) -> int:
    return int(read_settings(connection, (MASTER_VERSION,)).get(MASTER_VERSION) or 0)


def check_master(body: Any, server_key: str) -> tuple[int, list[dict[str, Any]]]:
    """Shape and signature of a master answer (`sig` over canon of version, snapshot, changes)."""
    if not isinstance(body, Mapping) or set(body) != MASTER_FIELDS:
        raise MasterRejected("Data induk dari server kota ditolak: bentuknya tidak sesuai ({detail}).",
                             detail=", ".join(sorted(body)) if isinstance(body, Mapping) else type(body).__name__)
    version, changes = body["version"], body["changes"]
    if type(version) is not int or version < 0 or type(body["snapshot"]) is not bool or type(changes) is not list:
        raise MasterRejected("Data induk dari server kota ditolak: bentuknya tidak sesuai ({detail}).",
                             detail="version/snapshot/changes")
    try:
        verify(server_key, {"version": version, "snapshot": body["snapshot"], "changes": changes}, body["sig"])
    except ProtocolError as exc:
        raise MasterRejected("Data induk versi {version} dari server kota ditolak: tanda tangannya tidak sah "
                             "({detail}). Tidak ada yang diubah; hubungi Dinas.", version=version,
                             detail=exc.detail) from None
    for change in changes:
        ok = (isinstance(change, dict) and set(change) == {"kind", "key", "row"} and change["kind"] in KINDS
              and isinstance(change["key"], str) and isinstance(change["row"], dict)
              and all(isinstance(k, str) and isinstance(v, str) for k, v in change["row"].items()))
        if not ok:
            raise MasterRejected("Data induk dari server kota ditolak: bentuknya tidak sesuai ({detail}).",
                                 detail=json.dumps(change, ensure_ascii=False)[:200])
    return version, changes


def _csv(columns: Sequence[str], rows: Sequence[Mapping[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="raise", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in columns})
    return out.getvalue()


def _rejected(version: int, kind: str, keys: Sequence[str], exc: FileInvalid) -> MasterRejected:
    # Line 1 is the header, so line n is change n - 2 of this kind.
    first = exc.problems[0]
    key = keys[first.line - 2] if 2 <= first.line < len(keys) + 2 else "-"
    return MasterRejected("Data induk versi {version} ditolak: {kind} '{key}', kolom '{column}': {reason}. "
                          "Tidak ada yang diubah.", version=version, kind=kind, key=key, column=first.column,
                          reason=first.reason)


def _apply_products(connection: Connection, version: int, changes: list[dict[str, Any]], now: Any) -> None:
    rows = [c["row"] for c in changes]
    keys = [c["key"] for c in changes]
    extra = {column for row in rows for column in row} - set(KNOWN_COLUMNS)
    if extra or any(c["key"] != c["row"].get("sku") for c in changes):
        raise MasterRejected("Data induk versi {version} ditolak: {kind} '{key}', kolom '{column}': {reason}. "
                             "Tidak ada yang diubah.", version=version, kind="product", key=keys[0],
                             column=",".join(sorted(extra)) or "sku", reason="tidak sesuai")
    try:
        write_catalog_rows(connection, parse_catalog_csv(_csv(KNOWN_COLUMNS, rows)), now)
    except FileInvalid as exc:
        raise _rejected(version, "product", keys, exc) from None


def _apply_ceilings(connection: Connection, version: int, changes: list[dict[str, Any]], now: Any) -> None:
    keys = [c["key"] for c in changes]
    try:
        parsed = parse_ceilings_csv(_csv(CEILING_COLUMNS, [c["row"] for c in changes]))
    except FileInvalid as exc:
        raise _rejected(version, "ceiling", keys, exc) from None
    stored = {
        (r.sku, r.kind, r.region, r.effective_from): r.id
        for r in connection.execute(select(_ceiling.c.id, _ceiling.c.sku, _ceiling.c.kind, _ceiling.c.region,
                                           _ceiling.c.effective_from)
                                    .where(_ceiling.c.sku.in_(sorted({row.sku for row in parsed}))))
    }
    # Unlike the local import, a ceiling for a SKU this outlet does not stock is kept: it is city-wide data,
    # and the product may come later.
    fresh, changed = [], []
    for row in parsed:
        values = {"amount": row.amount, "source": row.source}
        if row.key in stored:
            # The city is the authority on regulated prices: its correction replaces the local copy.
            changed.append(values | {"b_id": stored[row.key]})
        else:
            fresh.append(values | {"sku": row.sku, "kind": row.kind, "region": row.region,
                                   "effective_from": row.effective_from.isoformat(), "created_at": now})
    if fresh:
        connection.execute(insert(_ceiling), fresh)
    if changed:
        connection.execute(update(_ceiling).where(_ceiling.c.id == bindparam("b_id")), changed)


def _count(raw: str, version: int, key: str, column: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise MasterRejected("Data induk versi {version} ditolak: {kind} '{key}', kolom '{column}': {reason}. "
                             "Tidak ada yang diubah.", version=version, kind="lpg_limit", key=key, column=column,
                             reason=f"'{raw}' bukan bilangan bulat")
    return int(raw)


def _apply_lpg_limits(connection: Connection, version: int, changes: list[dict[str, Any]]) -> None:
    limits = parse_limits(read_settings(connection, (LIMITS_KEY,)).get(LIMITS_KEY))
    for change in changes:
        row, key = change["row"], change["key"]
        category = row.get("category", "")
        if category != key or category not in CATEGORY_LABELS:
            raise MasterRejected("Data induk versi {version} ditolak: {kind} '{key}', kolom '{column}': {reason}. "
                                 "Tidak ada yang diubah.", version=version, kind="lpg_limit", key=key,
                                 column="category", reason="kategori tidak dikenal")
        limits[category] = LpgLimit(per_day=_count(row.get("per_day", ""), version, key, "per_day"),
                                    per_month=_count(row.get("per_month", ""), version, key, "per_month"))
    write_settings(connection, {LIMITS_KEY: dump_limits(limits)})


def _apply_settings(connection: Connection, version: int, changes: list[dict[str, Any]]) -> tuple[str, ...]:
    values: dict[str, str] = {}
    skipped: list[str] = []
    for change in changes:
        key, raw = change["row"].get("key", ""), change["row"].get("value", "")
        check = SETTING_ALLOW_LIST.get(key)
        if check is None or key != change["key"]:
            skipped.append(change["key"])
            continue
        try:
            values[key] = check(raw.strip())
        except ValueError as exc:
            raise MasterRejected("Data induk versi {version} ditolak: {kind} '{key}', kolom '{column}': {reason}. "
                                 "Tidak ada yang diubah.", version=version, kind="setting", key=key,
                                 column="value", reason=str(exc)) from None
    write_settings(connection, values)
    return tuple(skipped)


def apply_master(ctx: PosContext, body: Any, server_key: str) -> MasterOutcome:
    """Verify and apply one master version in one transaction, with its `master_applied` journal event."""
    version, changes = check_master(body, server_key)
    now = ctx.clock()
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        since = current_master_version(connection)
        if version <= since:
            return MasterOutcome(version=since)
        # Upserts only, even for a snapshot: a product the outlet added itself is never withdrawn by the city.
        by_kind: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
        for change in changes:
            by_kind[change["kind"]].append(change)
        # Products first: a ceiling in the same version may be for a product that arrives with it.
        if by_kind["product"]:
            _apply_products(connection, version, by_kind["product"], now)
        if by_kind["ceiling"]:
            _apply_ceilings(connection, version, by_kind["ceiling"], now)
        if by_kind["lpg_limit"]:
            _apply_lpg_limits(connection, version, by_kind["lpg_limit"])
        skipped = _apply_settings(connection, version, by_kind["setting"]) if by_kind["setting"] else ()
        kinds = dict(sorted(Counter(c["kind"] for c in changes).items()))
        write_settings(connection, {MASTER_VERSION: str(version), MASTER_ERROR: ""})
        append_event(connection, type="master_applied", at=now, master_version=version,
                     body={"version": version, "items": len(changes), "kinds": kinds})
        uow.commit()
    return MasterOutcome(version=version, applied=True, items=len(changes), kinds=kinds, skipped_settings=skipped)


def pull_master(ctx: PosContext, client: CityClient, outlet_id: str, server_key: str) -> MasterOutcome:
    """Ask for what changed since the version in force and apply it; a refusal is remembered for the status."""
    with reading(ctx.engine) as connection:
        since = current_master_version(connection)
    body = client.pull_master(outlet_id, since)
    try:
        return apply_master(ctx, body, server_key)
    except (MasterRejected, InvalidInput) as exc:
        with ctx.unit_of_work() as uow:
            write_settings(uow.connection, {MASTER_ERROR: str(exc)})
            uow.commit()
        raise
