"""Effects of newly stored journal events, set-wise: sales facts, stock, LPG 3 kg per month, and flags."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Final

from sqlalchemy import Connection, Table, case, insert
from sqlalchemy.dialects import postgresql, sqlite

from sync.server.clock import rfc3339
from sync.server.het import het_lookup
from sync.server.ingest_sql import upsert_effects
from sync.server.store.schema import (
    flag,
    lpg_month,
    payment_day,
    sales_day,
    sales_product_day,
    stock_position,
)

KNOWN_TYPES: Final = frozenset({
    # SYNC_PROTOCOL.md's list
    "sale", "refund", "void", "stock_receipt", "stock_adjustment", "stock_count", "shift_open", "shift_close",
    "cash_movement", "override", "member_change", "master_applied", "lpg_delivery",
    # what the outlet app (kkmp_pos/services) writes besides
    "user_change", "savings", "product_unit", "supplier", "lpg_map_marked", "lpg_cylinder_count", "lpg_swap",
    "lpg_allocation", "payment_reconciled", "stock_threshold", "kasbon_payment",
})
"""Every other type is stored and flagged `unknown_type`, never refused."""

WITA: Final = timezone(timedelta(hours=8))
MAX_AMOUNT: Final = 10**12
"""A bound on any single money/quantity figure we add up (Rp1 trillion; 1e9 units): a signed body may say
anything, and a sum that overflows a BIGINT would be a 5xx. 16 MiB of lines at this bound still sums to
< 2^63. Figures beyond it are left out of the facts (the event itself is stored)."""
LPG_CATEGORIES: Final = ("rumah_tangga", "usaha_mikro")

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))"
)


def parse_time(text: object) -> datetime | None:
    """An aware datetime from an RFC 3339 string (any precision, `Z`/`z` or offset); None if it is not one."""
    match = _TIME.fullmatch(text) if type(text) is str else None
    if match is None:
        return None
    try:
        fraction = int((match.group(7) or "0")[:6].ljust(6, "0"))
        tz = timezone.utc
        if match.group(9):
            offset = timedelta(hours=int(match.group(10)), minutes=int(match.group(11)))
            tz = timezone(offset if match.group(9) == "+" else -offset)
        moment = datetime(*(int(match.group(i)) for i in range(1, 7)), fraction, tzinfo=tz)
        moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None
    return moment


def utc_text(text: str) -> str:
    """A device's RFC 3339 time as the tables spell time (UTC, `Z`); the text itself if it will not convert."""
    moment = parse_time(text)
    if moment is None:
        return text[:40]
    try:
        return rfc3339(moment)
    except (ValueError, OverflowError):
        return text[:40]


@lru_cache(maxsize=4096)
def _is_date(text: str) -> bool:
    """A real calendar date spelled YYYY-MM-DD (cached: a batch repeats a handful of dates)."""
    if _DATE.fullmatch(text) is None:
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def business_date(event: Mapping[str, Any]) -> str:
    """The body's `business_date` when it is a real date, else the WITA date of `device_time`."""
    day = event["body"].get("business_date")
    if type(day) is str and len(day) == 10 and _is_date(day):
        return day
    moment = parse_time(event.get("device_time"))
    if moment is None:
        return "0000-00-00"
    try:
        return moment.astimezone(WITA).date().isoformat()
    except (ValueError, OverflowError):
        return "0000-00-00"


def _int(value: object) -> int | None:
    return value if type(value) is int and -MAX_AMOUNT <= value <= MAX_AMOUNT else None


def _text(value: object, size: int) -> str | None:
    """A short clean string for a key column; None for anything a column could not hold."""
    if type(value) is not str or not value or len(value) > size or "\x00" in value:
        return None
    return value


def _list(value: object) -> list[Any]:
    return [item for item in value if type(item) is dict] if type(value) is list else []


def _dict(value: object) -> dict[str, Any]:
    return value if type(value) is dict else {}


def rupiah(amount: int) -> str:
    return ("-" if amount < 0 else "") + "Rp" + f"{abs(amount):,}".replace(",", ".")


def quantity(milli: int) -> str:
    """Thousandths as people write them: `-2,5`, `12`."""
    whole, part = divmod(abs(milli), 1000)
    text = f"{whole:,}".replace(",", ".") + (f",{part:03d}".rstrip("0") if part else "")
    return ("-" if milli < 0 else "") + text


class _Facts:
    """Accumulates one batch's deltas per key so each table gets a single many-row upsert."""

    def __init__(self, outlet_id: str, device_id: str, now: str) -> None:
        self.outlet_id, self.device_id, self.now = outlet_id, device_id, now
        self.sales: dict[str, list[int]] = defaultdict(lambda: [0] * 7)
        self.products: dict[tuple[str, str], list[Any]] = {}
        self.payments: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        self.stock: dict[str, int] = defaultdict(int)
        self.lpg: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
        self.flags: list[dict[str, Any]] = []
        self.het_checks: list[tuple[int, str, str, int, str, Any]] = []  # seq, date, sku, price, receipt, approvals
        # Approved "sell above HET" overrides of this batch: approval id → (seq, sku, reason). One that covers a sale
        # the city flags above HET becomes part of that flag; any other is flagged on its own (_het_flags).
        self.het_approvals: dict[str, tuple[int, str, str]] = {}

    def add_flag(self, seq: int | None, kind: str, detail: str) -> None:
        self.flags.append({"outlet_id": self.outlet_id, "device_id": self.device_id, "seq": seq, "kind": kind,
                           "detail": detail.replace("\x00", ""), "created_at": self.now})

    def product(self, day: str, sku: str, name: str | None, qty: int, amount: int, lines: int) -> None:
        row = self.products.get((day, sku))
        if row is None:
            row = self.products[(day, sku)] = [sku, 0, 0, 0]
        if name and row[0] == sku:
            row[0] = name
        row[1] += qty
        row[2] += amount
        row[3] += lines

    # --- per event type -----------------------------------------------------------------------------------

    def sale(self, seq: int, day: str, body: dict[str, Any]) -> None:
        # The hot loop (a day is ~3,000 lines): `_int`/`_text`/`product` inlined, same checks, same results.
        total = body.get("total")
        if type(total) is not int or not -MAX_AMOUNT <= total <= MAX_AMOUNT:
            total = 0
        facts = self.sales[day]
        facts[0] += 1
        facts[1] += total
        if body.get("member_id") is not None:
            facts[2] += 1
            facts[3] += total
        receipt = body.get("receipt_no")
        receipt = receipt[:40] if type(receipt) is str else ""
        approvals = body.get("approvals")
        lines = body.get("lines")
        if type(lines) is list:
            products, stock, het_checks = self.products, self.stock, self.het_checks
            for line in lines:
                if type(line) is not dict:
                    continue
                sku, qty, amount = line.get("sku"), line.get("qty_milli"), line.get("total")
                if not (type(sku) is str and 0 < len(sku) <= 40 and type(qty) is int and type(amount) is int
                        and -MAX_AMOUNT <= qty <= MAX_AMOUNT and -MAX_AMOUNT <= amount <= MAX_AMOUNT
                        and "\x00" not in sku):
                    continue
                name = line.get("name")
                row = products.get((day, sku))
                if row is None:
                    row = products[(day, sku)] = [sku, 0, 0, 0]
                if (row[0] == sku and type(name) is str and 0 < len(name) <= 160 and "\x00" not in name):
                    row[0] = name
                row[1] += qty
                row[2] += amount
                row[3] += 1
                stock[sku] -= qty
                lpg = line.get("lpg")
                if type(lpg) is dict or sku.startswith("LPG-3"):
                    self._lpg(day, line, sku, qty, amount, buyer=True)
                price = line.get("unit_price")
                if type(price) is int and -MAX_AMOUNT <= price <= MAX_AMOUNT:
                    het_checks.append((seq, day, sku, price, receipt, approvals))
        payments = body.get("payments")
        if type(payments) is list:
            for payment in payments:
                if type(payment) is not dict:
                    continue
                method, amount = _text(payment.get("method"), 16), _int(payment.get("amount"))
                if method is not None and amount is not None:
                    row = self.payments[(day, method)]
                    row[0] += amount
                    row[1] += 1

    def refund(self, day: str, body: dict[str, Any]) -> None:
        facts = self.sales[day]
        facts[4] += 1
        facts[5] += _int(body.get("total")) or 0
        for line in _list(body.get("lines")):
            sku = _text(line.get("sku"), 40)
            qty, amount = _int(line.get("qty_milli")), _int(line.get("amount"))
            if sku is None or qty is None or amount is None:
                continue
            self.product(day, sku, None, -qty, -amount, 0)
            self.stock[sku] += qty
            self._lpg(day, line, sku, -qty, -amount, buyer=False)
        payment = _dict(body.get("payment"))
        method, amount = _text(payment.get("method"), 16), _int(payment.get("amount"))
        if method is not None and amount is not None:
            self.payments[(day, method)][0] -= amount

    def _lpg(self, day: str, line: dict[str, Any], sku: str, qty: int, amount: int, *, buyer: bool) -> None:
        lpg = line.get("lpg")
        if type(lpg) is not dict and not sku.startswith("LPG-3"):
            return
        month = self.lpg[day[:7]]
        month[0] += qty // 1000 if qty >= 0 else -((-qty) // 1000)
        month[4] += amount
        if buyer and type(lpg) is dict:
            category = lpg.get("category")
            month[1 + (LPG_CATEGORIES.index(category) if category in LPG_CATEGORIES else 2)] += 1

    def stock_lines(self, body: dict[str, Any], field: str) -> None:
        for line in _list(body.get("lines")):
            sku, qty = _text(line.get("sku"), 40), _int(line.get(field))
            if sku is not None and qty is not None:
                self.stock[sku] += qty

    def override(self, seq: int, body: dict[str, Any]) -> None:
        if body.get("outcome") != "approved":
            return
        action, subject = body.get("action"), str(body.get("subject") or "")[:120]
        reason = str(body.get("reason") or "")[:200]
        if action == "lpg_over_limit":
            self.add_flag(seq, "lpg_limit_override", f"Batas LPG 3 kg dilampaui dengan persetujuan: {subject} "
                                                     f"(alasan: {reason})")
        elif action == "price_above_het":
            approval_id = body.get("approval_id")
            if type(approval_id) is str and approval_id not in self.het_approvals:
                self.het_approvals[approval_id] = (seq, subject, reason)
            else:
                self.add_flag(seq, "override", f"Izin menjual di atas HET: {subject} (alasan: {reason})")


def collect_facts(*, outlet_id: str, device_id: str, events: Sequence[Mapping[str, Any]], now: datetime) -> _Facts:
    """The effects of `events` (newly stored, in seq order) summed per key, without touching the database.

    Bodies are whatever the device signed: every field is checked for type and size, and what does not fit is
    left out of the facts (the event itself is stored regardless).
    """
    facts = _Facts(outlet_id, device_id, rfc3339(now))
    for event in events:
        kind, seq, body = event["type"], event["seq"], event["body"]
        if kind not in KNOWN_TYPES:
            facts.add_flag(seq, "unknown_type", f"Jenis peristiwa tidak dikenal: {kind!r} (disimpan apa adanya)")
        elif kind == "sale":
            facts.sale(seq, business_date(event), body)
        elif kind == "refund":
            facts.refund(business_date(event), body)
        elif kind == "shift_close":
            facts.sales[business_date(event)][6] += 1
        elif kind == "stock_receipt":
            facts.stock_lines(body, "base_qty_milli")
        elif kind == "stock_adjustment":
            facts.stock_lines(body, "qty_milli")
        elif kind == "stock_count":
            facts.stock_lines(body, "difference_milli")
        elif kind == "override":
            facts.override(seq, body)
    return facts


def write_facts(connection: Connection, facts: _Facts) -> int:
    """Apply collected facts in the caller's transaction (HET checks against the ceilings in force, every effect
    table, the flags); returns the number of flags raised."""
    _het_flags(connection, facts)
    # In seq order (their ids follow it): an approval's own flag is only known once the batch's sales were read.
    facts.flags.sort(key=lambda found: (found["seq"] is None, found["seq"] or 0))
    _write(connection, facts)
    return len(facts.flags)


# --- HET in force --------------------------------------------------------------------------------------------

def _het_flags(connection: Connection, facts: _Facts) -> None:
    """A `price_above_het` flag per sale line above the city's HET in force that day. An approved override that
    allowed it is named in that flag rather than flagged again; an approval with no such sale in this batch (its
    sale in another batch, or within the city's HET) keeps its own `override` flag, so none goes unseen."""
    approvals = facts.het_approvals
    if facts.het_checks:
        dated, catalogue = het_lookup(connection, {check[2] for check in facts.het_checks})
    else:
        dated, catalogue = {}, {}
    ceilings: dict[tuple[str, str], int | None] = {}  # the HET in force per (sku, day), found once
    covered: set[str] = set()
    for seq, day, sku, price, receipt, sale_approvals in facts.het_checks if dated or catalogue else ():
        key = (sku, day)
        if key in ceilings:
            het = ceilings[key]
        else:
            het = next((amount for since, amount in dated.get(sku, ()) if since <= day), catalogue.get(sku))
            ceilings[key] = het
        if het is None or price <= het:
            continue
        detail = f"{sku} dijual {rupiah(price)} di atas HET {rupiah(het)} (struk {receipt or '-'}, {day})"
        approval = next((a for a in sale_approvals if type(a) is str and a in approvals and approvals[a][1] == sku),
                        None) if approvals and type(sale_approvals) is list else None
        if approval is not None:
            covered.add(approval)
            detail += f"; dengan izin manajer (alasan: {approvals[approval][2]})"
        facts.add_flag(seq, "price_above_het", detail)
    for approval, (seq, subject, reason) in approvals.items():
        if approval not in covered:
            facts.add_flag(seq, "override", f"Izin menjual di atas HET: {subject} (alasan: {reason})")


# --- writing ---------------------------------------------------------------------------------------------------

def _insert(connection: Connection, table: Table) -> Any:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _upsert(connection: Connection, table: Table, keys: Sequence[str], rows: list[dict[str, Any]],
            add: Sequence[str], **extra_set: Any) -> list[Any]:
    """`INSERT … ON CONFLICT DO UPDATE SET col = col + excluded.col` for all `rows` in one executemany.

    SQLAlchemy sends one cached statement as multi-row VALUES pages ("insertmanyvalues"); building
    `.values(rows)` instead recompiles a statement with thousands of parameters on every batch.
    Rows are sorted by key so concurrent uploads of one outlet lock rows in the same order (no deadlocks).
    """
    if not rows:
        return []
    rows.sort(key=lambda row: tuple(row[k] for k in keys))
    stmt = _insert(connection, table)
    set_ = {col: table.c[col] + stmt.excluded[col] for col in add}
    set_.update({col: value(stmt) if callable(value) else value for col, value in extra_set.items()})
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=set_)
    if table is stock_position:
        return list(connection.execute(stmt.returning(table.c.sku, table.c.qty_milli), rows).all())
    connection.execute(stmt, rows)
    return []


def _negative_stock(facts: _Facts, positions: Iterable[tuple[str, int]], deltas: Mapping[str, int]) -> None:
    for sku, after in positions:
        # Flag the crossing below zero, not every batch while it stays negative.
        if after < 0 <= after - deltas[sku]:
            facts.add_flag(None, "negative_stock", f"Stok {sku} menjadi minus ({quantity(after)}) setelah "
                                                   "sinkron; periksa penerimaan barang atau stok opname")


def _write_postgres(connection: Connection, facts: _Facts) -> None:
    """All upserts and the flags known so far in one statement; the stock crossings' flags after it."""
    deltas = {sku: delta for sku, delta in facts.stock.items() if delta}
    known = len(facts.flags)
    positions = upsert_effects(
        connection, outlet_id=facts.outlet_id, device_id=facts.device_id, now=facts.now,
        sales=[(day, *f) for day, f in facts.sales.items()],
        products=[(day, sku, *p) for (day, sku), p in facts.products.items()],
        payments=[(day, method, *p) for (day, method), p in facts.payments.items()],
        lpg=[(month, *m) for month, m in facts.lpg.items()],
        stock=list(deltas.items()),
        flags=[(f["seq"], f["kind"], f["detail"]) for f in facts.flags])
    _negative_stock(facts, positions, deltas)
    if len(facts.flags) > known:
        connection.execute(insert(flag), facts.flags[known:])


def _write(connection: Connection, facts: _Facts) -> None:
    if connection.dialect.name == "postgresql":
        _write_postgres(connection, facts)
        return
    outlet = facts.outlet_id
    _upsert(connection, sales_day, ("outlet_id", "business_date"), [
        {"outlet_id": outlet, "business_date": day, "sales_count": f[0], "sales_total": f[1],
         "member_sales_count": f[2], "member_sales_total": f[3], "refund_count": f[4], "refund_total": f[5],
         "z_closed": f[6]}
        for day, f in facts.sales.items()
    ], ("sales_count", "sales_total", "member_sales_count", "member_sales_total", "refund_count", "refund_total",
        "z_closed"))
    _upsert(connection, sales_product_day, ("outlet_id", "business_date", "sku"), [
        {"outlet_id": outlet, "business_date": day, "sku": sku, "name": p[0], "qty_milli": p[1],
         "amount": p[2], "lines": p[3]}
        for (day, sku), p in facts.products.items()
    ], ("qty_milli", "amount", "lines"),
        # A refund knows only the sku: keep a real name over the sku placeholder, never the other way round.
        name=lambda stmt: case((stmt.excluded.name == stmt.excluded.sku, sales_product_day.c.name),
                               else_=stmt.excluded.name))
    _upsert(connection, payment_day, ("outlet_id", "business_date", "method"), [
        {"outlet_id": outlet, "business_date": day, "method": method, "amount": p[0], "count": p[1]}
        for (day, method), p in facts.payments.items()
    ], ("amount", "count"))
    _upsert(connection, lpg_month, ("outlet_id", "month"), [
        {"outlet_id": outlet, "month": month, "cylinders": m[0], "buyers_rumah_tangga": m[1],
         "buyers_usaha_mikro": m[2], "buyers_other": m[3], "amount": m[4]}
        for month, m in facts.lpg.items()
    ], ("cylinders", "buyers_rumah_tangga", "buyers_usaha_mikro", "buyers_other", "amount"))
    deltas = {sku: delta for sku, delta in facts.stock.items() if delta}
    positions = _upsert(connection, stock_position, ("outlet_id", "sku"), [
        {"outlet_id": outlet, "sku": sku, "qty_milli": delta, "updated_at": facts.now}
        for sku, delta in deltas.items()
    ], ("qty_milli",), updated_at=lambda stmt: stmt.excluded.updated_at)
    _negative_stock(facts, positions, deltas)
    if facts.flags:
        connection.execute(insert(flag), facts.flags)
