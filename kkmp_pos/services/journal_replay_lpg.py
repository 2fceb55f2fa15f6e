"""Rebuilding the elpiji rows (deliveries, cylinder counts and swaps, allocations, MAP marks) from city events."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kkmp_pos.services.cylinders import write_allocation, write_cylinder_count, write_delivery, write_swap
from kkmp_pos.services.lpg_logbook import write_map_marks

if TYPE_CHECKING:  # journal_replay imports this module to register its functions
    from kkmp_pos.services.journal_replay import Replay

# Each calls the very function the live service wrote its rows with; the time is the event's (as the live
# service's clock reading), and `r.user` stands in for a manager the backup does not know, so the row keeps
# its link (the event carries the user's id only).


def _delivery(r: Replay) -> None:
    r.user(r.body["by"])
    write_delivery(r.connection, r.body, r.at, r.seq)


def _cylinder_count(r: Replay) -> None:
    write_cylinder_count(r.connection, r.body, r.at)


def _swap(r: Replay) -> None:
    write_swap(r.connection, r.body, r.at)


def _allocation(r: Replay) -> None:
    r.user(r.body["by"])
    write_allocation(r.connection, r.body, r.at)


def _map_marked(r: Replay) -> None:
    r.user(r.body["by"])
    write_map_marks(r.connection, r.body, r.time("at"))


LPG_REPLAY: dict[str, Callable[[Replay], None]] = {
    "lpg_delivery": _delivery, "lpg_cylinder_count": _cylinder_count, "lpg_swap": _swap,
    "lpg_allocation": _allocation, "lpg_map_marked": _map_marked,
}
