"""How the till writes quantities, unit prices, times and payment methods on screen (display only)."""

from __future__ import annotations

from datetime import datetime

from kkmp_pos.domain.clock import to_wita
from kkmp_pos.domain.money import Rupiah, format_rupiah
from kkmp_pos.domain.payment import METHOD_LABELS
from kkmp_pos.domain.quantity import format_quantity
from kkmp_pos.i18n import tr


def quantity_text(qty_milli: int, *, weighed: bool, unit: str) -> str:
    """`2` for pieces; `1,250 kg` for weighed goods (3 decimals so the scale reading is visible)."""
    text = format_quantity(qty_milli, weighed=weighed)
    return f"{text} {unit}" if weighed else text


def unit_price_text(price: Rupiah, *, weighed: bool, unit: str) -> str:
    """`Rp15.700`, or `Rp13.500/kg` for goods priced per unit of weight."""
    return f"{format_rupiah(price)}/{unit}" if weighed else format_rupiah(price)


def time_wita(moment: datetime) -> str:
    """`10:15 WITA`: the outlet's wall clock, whatever zone the PC is set to."""
    return to_wita(moment).strftime("%H:%M") + " WITA"


def methods_text(methods: str) -> str:
    """`tunai, qris` (as stored) -> `Tunai, QRIS` (as the cashier calls them)."""
    codes = [code.strip() for code in methods.split(",") if code.strip()]
    return ", ".join(tr(METHOD_LABELS.get(code, code)) for code in codes)
