"""`kkmp-city-server demo`: the 12 pilots with synced weeks, flags to review, users that can log in, once only."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func, select

from sync.server.dashboard.users import check_password
from sync.server.demo import BUSIEST, FORKED, HET_BREAKER, LPG_OVERRIDER, STALE, STALE_DAYS, pilots, run_demo
from sync.server.simulate import WITA, wita
from sync.server.store.schema import device, flag, master_version, outlet, sales_day
from sync.server.verify import verify_outlet

TODAY = date(2026, 11, 30)


def _flags(engine: Engine) -> set[tuple[str, str]]:
    with engine.connect() as connection:
        return set(connection.execute(select(outlet.c.name, flag.c.kind).join(outlet, outlet.c.id == flag.c.outlet_id)
                                      ).all())


def test_the_demo_fills_a_dashboard_worth_looking_at_and_only_once(city_engine: Engine) -> None:
    result = run_demo(city_engine, weeks=1, seed=3, now=wita(TODAY, 12, 0))
    assert result["created"] is True and result["outlets"] == 12 and result["events"] > 1_000
    assert result["refused"] == {FORKED: "fork"}
    assert result["first_day"] == (TODAY - timedelta(days=7)).isoformat() and result["last_day"] == TODAY.isoformat()
    with city_engine.connect() as connection:
        outlets = dict(connection.execute(select(outlet.c.name, outlet.c.id)).all())
        assert set(outlets) == {pilot.name for pilot in pilots()}
        allocations = connection.execute(select(outlet.c.lpg3_allocation)).scalars().all()
        assert all(allocation > 0 for allocation in allocations)
        last_sync = dict(connection.execute(select(outlet.c.name, func.max(device.c.last_sync_at))
                                            .join(device, device.c.outlet_id == outlet.c.id).group_by(outlet.c.name)).all())
        sales = dict(connection.execute(select(outlet.c.name, func.sum(sales_day.c.sales_count))
                                        .join(sales_day, sales_day.c.outlet_id == outlet.c.id).group_by(outlet.c.name)).all())
        assert connection.execute(select(func.max(master_version.c.version))).scalar_one() == result["master_version"]
    synced_on = {name: datetime.fromisoformat(when.replace("Z", "+00:00")).astimezone(WITA).date()
                 for name, when in last_sync.items()}
    assert synced_on[STALE] == TODAY - timedelta(days=STALE_DAYS)
    assert synced_on[BUSIEST] == TODAY and synced_on[FORKED] < TODAY
    assert max(sales, key=lambda name: sales[name]) == BUSIEST
    flags = _flags(city_engine)
    assert {(FORKED, "fork"), (HET_BREAKER, "price_above_het"), (LPG_OVERRIDER, "lpg_limit_override")} <= flags
    assert not {kind for _name, kind in flags} & {"negative_stock", "unknown_type", "gap"}
    # Every stored chain re-verifies from the rows alone.
    assert all(verify_outlet(city_engine, outlet_id)["ok"] for outlet_id in outlets.values())
    users = {user["username"]: user for user in result["users"]}
    assert {user["role"] for user in users.values()} == {"dinas", "koperasi"}
    koperasi = next(user for user in users.values() if user["role"] == "koperasi")
    assert koperasi["outlet_id"] == outlets[BUSIEST]
    for user in users.values():
        viewer = check_password(city_engine, user["username"], user["password"])
        assert viewer is not None and viewer.role == user["role"]

    again = run_demo(city_engine, weeks=1, seed=3, today=TODAY)
    assert again["created"] is False and "sudah ada" in again["message"]
    with city_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(outlet)).scalar_one() == 12
