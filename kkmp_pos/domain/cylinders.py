"""Cylinder arithmetic: stock from movements, delivery checks, days of stock, allocation alerts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.lpg import SIZE_LABELS
from kkmp_pos.i18n import tr

MAX_DO_NUMBER = 40
"""The lpg_delivery.do_number column's width."""


@dataclass(frozen=True, slots=True)
class CylinderStock:
    """Full and empty cylinders of one size on hand (the sums of their movements)."""

    full: int = 0
    empty: int = 0


def stock_from(movements: Iterable[tuple[int, int]]) -> CylinderStock:
    """Sum (full_delta, empty_delta) movements into the stock they leave."""
    full = empty = 0
    for full_delta, empty_delta in movements:
        full += full_delta
        empty += empty_delta
    return CylinderStock(full=full, empty=empty)


def check_size(size: str) -> None:
    if size not in SIZE_LABELS:
        raise InvalidInput("Ukuran tabung '{size}' tidak dikenal; pilih 3 kg, 5,5 kg atau 12 kg.", size=size)


def check_count(value: int, what: str) -> None:
    """A count typed by the manager: a whole number, zero or more (`what` names the field)."""
    if value < 0:
        raise InvalidInput("{what} tidak boleh negatif. Isi 0 bila tidak ada.", what=what)


def clean_do_number(do_number: str) -> str:
    """The DO (delivery order) number as stored: required, spaces trimmed, at most 40 characters."""
    cleaned = " ".join(do_number.split())
    if not cleaned:
        raise InvalidInput("Nomor DO wajib diisi. Salin nomor DO dari surat jalan agen.")
    if len(cleaned) > MAX_DO_NUMBER:
        raise InvalidInput("Nomor DO terlalu panjang (paling banyak {most} karakter).", most=MAX_DO_NUMBER)
    return cleaned


def check_delivery(*, full_received: int, empties_returned: int, on_hand: CylinderStock) -> None:
    """Counts not negative, something delivered, and no more empties returned than the outlet holds."""
    check_count(full_received, tr("Jumlah tabung isi diterima"))
    check_count(empties_returned, tr("Jumlah tabung kosong dikembalikan"))
    if full_received == 0 and empties_returned == 0:
        raise InvalidInput("Pengiriman tanpa tabung isi maupun tabung kosong tidak dicatat. Periksa jumlahnya.")
    if empties_returned > on_hand.empty:
        raise InvalidInput("Tabung kosong yang dikembalikan ({returned}) lebih banyak dari yang ada di gerai "
                           "({held}). Hitung ulang tabung kosong.", returned=empties_returned, held=on_hand.empty)


def days_of_stock(full_on_hand: int, sold: int, days_elapsed: int) -> int | None:
    """Whole days the full cylinders last at the month's average daily sales; None when nothing sold yet.

    Rounded down: the manager orders on the cautious side.
    """
    if sold <= 0 or days_elapsed <= 0:
        return None
    return max(full_on_hand, 0) * days_elapsed // sold


def share_over(part: int, whole: int, pct: int) -> bool:
    """`part` is more than `pct` % of `whole` (integers only: part * 100 > pct * whole); pct 0 = alert off."""
    return pct > 0 and whole > 0 and part * 100 > pct * whole


def nik_share_alerts(bought_by_nik: Mapping[str, int], allocation: int, pct: int) -> list[str]:
    """A message for each (masked) NIK that bought more than `pct` % of the month's 3 kg allocation."""
    return [
        tr("NIK {nik} sudah membeli {count} tabung 3 kg bulan ini, lebih dari {pct}% alokasi ({allocation}).",
           nik=nik, count=count, pct=pct, allocation=allocation)
        for nik, count in sorted(bought_by_nik.items(), key=lambda item: (-item[1], item[0]))
        if share_over(count, allocation, pct)
    ]


def pengecer_share_alert(pengecer_sold: int, total_sold: int, pct: int) -> str | None:
    """A message when pengecer bought more than `pct` % of the month's 3 kg cylinders sold."""
    if not share_over(pengecer_sold, total_sold, pct):
        return None
    return tr("Pengecer membeli {part} dari {total} tabung 3 kg bulan ini, lebih dari {pct}%.",
              part=pengecer_sold, total=total_sold, pct=pct)
