"""The per-NIK 3 kg LPG limits the outlet sets (no national figure is in force: empty by default)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kkmp_pos.domain.lpg import Limit, LpgLimits, dump_limits, parse_limits
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.lpg_sale import LIMITS_KEY
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import Setting

_setting = Setting.__table__


def load_lpg_limits(ctx: PosContext) -> dict[str, Limit]:
    with reading(ctx.engine) as connection:
        return parse_limits(connection.execute(select(_setting.c.value).where(_setting.c.key == LIMITS_KEY)).scalar())


def save_lpg_limits(ctx: PosContext, limits: LpgLimits) -> None:
    """Store the limits per category; a negative one is refused and nothing changes."""
    value = dump_limits(limits)
    with ctx.unit_of_work() as uow:
        statement = sqlite_insert(_setting)
        uow.connection.execute(
            statement.on_conflict_do_update(index_elements=["key"], set_={"value": statement.excluded.value}),
            {"key": LIMITS_KEY, "value": value},
        )
        uow.commit()
