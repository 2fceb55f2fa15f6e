"""`kkmp-city-server demo`: the 12 Samarinda pilot cooperatives with simulated tills and weeks of synced days."""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from typing import Any

from sqlalchemy import Engine, func, select

from sync.server.errors import ApiError
from sync.server.simulate import WITA, DayPlan, SimulatedDevice, gzip_body, load_catalog, wita
from sync.server.store.schema import flag, journal_event, outlet

__all__ = ["DEMO_USERS", "Pilot", "pilots", "run_demo"]

DEMO_USERS = (("dinas", "dinas", None), ("koperasi.lempake", "koperasi", "KKMP Lempake"))
"""(username, role, outlet name) of the dashboard users the demo creates; passwords are generated."""
BUSIEST = "KKMP Lempake"
STALE = "KKMP Loa Bakung"
"""Stopped syncing 4 days ago: its till kept selling, nothing arrived since."""
STALE_DAYS = 4
FORKED = "KKMP Sungai Kapih"
"""Restored an old backup and sold again: the city refuses the fork and flags it."""
HET_BREAKER = "KKMP Bugis"
LPG_OVERRIDER = "KKMP Rapak Dalam"


@dataclass(frozen=True, slots=True)
class Pilot:
    name: str
    kelurahan: str
    kelurahan_code: str
    kecamatan: str
    role: str


def pilots() -> list[Pilot]:
    """resources/kkmp_samarinda_pilots.csv, in file order."""
    text = resources.files("kkmp_pos.resources").joinpath("kkmp_samarinda_pilots.csv").read_text(encoding="utf-8")
    return [Pilot(row["nama_koperasi"], row["kelurahan"], row["kode_kelurahan"], row["kecamatan"], row["peran"])
            for row in csv.DictReader(io.StringIO(text))]


def _outlet_code(pilot: Pilot, index: int) -> str:
    letters = "".join(ch for ch in pilot.kelurahan.upper() if ch.isalpha())
    return f"{letters[:3]}-{index + 1:02d}"


def _sales_per_day(pilot: Pilot, index: int) -> int:
    return 110 if pilot.name == BUSIEST else 25 + (index * 37) % 60


def _plan(pilot: Pilot, day: date, base: int, device: SimulatedDevice) -> DayPlan:
    rng = device.rng
    weekend = day.weekday() >= 5
    return DayPlan(
        sales=max(3, int(base * (1.25 if weekend else 1.0) * rng.uniform(0.75, 1.2))),
        member_share=0.45 if pilot.name == BUSIEST else 0.3,
        refund_rate=0.01,
        het_rate=0.03 if pilot.name == HET_BREAKER else 0.0,
        lpg_over_rate=0.05 if pilot.name == LPG_OVERRIDER else 0.002,
        stock_receipt=day.weekday() in (0, 3),
        lpg_delivery=day.weekday() == 1,
        stock_count=day.day == 1 or rng.random() < 0.03,
    )


def _existing(engine: Engine, names: list[str]) -> int:
    with engine.connect() as connection:
        return int(connection.execute(
            select(func.count()).select_from(outlet).where(outlet.c.name.in_(names))).scalar_one())


def _publish_master(engine: Engine) -> int:
    from sync.server.master import publish_master_csv

    version = 0
    for name in ("catalog_sample.csv", "het_ceilings.csv"):
        with resources.as_file(resources.files("kkmp_pos.resources").joinpath(name)) as path:
            version = int(publish_master_csv(engine, path)["version"])
    return version


def _upload(engine: Engine, device: SimulatedDevice, server_key: Any, at: datetime) -> tuple[int, str | None]:
    """Every pending event through the real ingest, as if the till synced at `at`; (stored, refusal)."""
    from sync.server.ingest import ingest_upload

    stored = 0
    for body in device.batches(sent_at=at):
        try:
            ack = ingest_upload(engine, device_id=device.device_id, authorization=device.authorization,
                                raw_body=gzip_body(body), content_encoding="gzip", server_key=server_key, now=at)
        except ApiError as refused:
            return stored, refused.code
        before = len(device.pending)
        device.acknowledge(int(ack["acked_through"]))
        stored += before - len(device.pending)
    return stored, None


def run_demo(engine: Engine, *, weeks: int = 3, seed: int = 2026, today: date | None = None,
             now: datetime | None = None) -> dict[str, Any]:
    """Create the pilot outlets, enrol a simulated till each, sync `weeks` weeks up to yesterday (WITA).

    Today is synced up to `now` (the current time) for the outlets that are still syncing. On a database
    that already holds the demo outlets nothing is created and the answer says so.
    """
    from sync.server.dashboard.users import create_user
    from sync.server.enrolment import create_outlet
    from sync.server.server_key import load_or_create_server_key

    started = time.perf_counter()
    cooperatives = pilots()
    found = _existing(engine, [pilot.name for pilot in cooperatives])
    if found:
        return {"created": False, "outlets": found,
                "message": f"Data demo sudah ada di basis data ini ({found} koperasi percontohan). "
                           "Tidak ada yang dibuat ulang; pakai basis data baru untuk demo yang segar."}
    if weeks < 1:
        raise ValueError("Jumlah minggu demo minimal 1.")
    now = now or datetime.now(timezone.utc)
    today = today or now.astimezone(WITA).date()
    if now.astimezone(WITA).date() != today:
        now = wita(today, 12, 0).astimezone(timezone.utc)  # a chosen "today": its morning has happened
    server_key = load_or_create_server_key(engine)
    master = _publish_master(engine)
    catalog = load_catalog()
    devices: list[tuple[Pilot, SimulatedDevice, int, dict[str, str]]] = []
    for index, pilot in enumerate(cooperatives):
        base = _sales_per_day(pilot, index)
        created = create_outlet(engine, name=pilot.name, kelurahan_code=pilot.kelurahan_code,
                                kelurahan=pilot.kelurahan, kecamatan=pilot.kecamatan,
                                lpg3_allocation=max(150, round(base * 0.15 * 30 * 1.15 / 50) * 50))
        device = SimulatedDevice(seed=seed * 1000 + index, outlet_code=_outlet_code(pilot, index),
                                 name=f"Kasir 1 {pilot.kelurahan}", catalog=catalog, master_version=master)
        device.enroll_local(engine, created["enrolment_code"], server_key)
        devices.append((pilot, device, base, created))

    first = today - timedelta(days=7 * weeks)
    events = stored = 0
    refusals: dict[str, str] = {}
    checkpoints: dict[str, Any] = {}
    day = first
    while day <= today:
        for pilot, device, base, _created in devices:
            if pilot.name in refusals:
                continue
            if pilot.name == FORKED and day == today - timedelta(days=6):
                checkpoints[pilot.name] = device.checkpoint()  # the nightly backup that is restored later
            if pilot.name == FORKED and day == today - timedelta(days=2):
                device.restore(checkpoints[pilot.name])  # the laptop died; last week's backup goes back on
            until = now if day == today else None
            events += len(device.simulate_day(day, _plan(pilot, day, base, device), until=until))
            if pilot.name == STALE and day > today - timedelta(days=STALE_DAYS):
                continue  # the modem broke: events wait on the till
            synced_at = now if day == today else wita(day, 21, 5 + device.rng.randrange(0, 50)).astimezone(
                timezone.utc)
            new, refusal = _upload(engine, device, server_key, synced_at)
            stored += new
            if refusal:
                refusals[pilot.name] = refusal
        day += timedelta(days=1)

    users = []
    by_name = {pilot.name: created["outlet_id"] for pilot, _device, _base, created in devices}
    for username, role, outlet_name in DEMO_USERS:
        user = create_user(engine, username=username, role=role,
                           outlet_id=by_name[outlet_name] if outlet_name else None)
        users.append({**user, "outlet": outlet_name})
    with engine.connect() as connection:
        flags = int(connection.execute(select(func.count()).select_from(flag)).scalar_one())
        in_store = int(connection.execute(select(func.count()).select_from(journal_event)).scalar_one())
    return {
        "created": True, "outlets": len(devices), "devices": len(devices), "events": in_store,
        "events_generated": events, "events_waiting_on_tills": events - stored,
        "first_day": first.isoformat(), "last_day": today.isoformat(), "master_version": master,
        "flags": flags, "refused": refusals, "stale_outlet": STALE, "forked_outlet": FORKED,
        "users": users, "seconds": round(time.perf_counter() - started, 1),
        "message": f"Demo siap: {len(devices)} koperasi, {in_store:_} peristiwa tersimpan, ".replace("_", ".")
                   + f"{flags} tanda untuk ditinjau. Masuk ke dasbor dengan pengguna di bawah (kata sandi hanya "
                   "ditampilkan sekali).",
    }
