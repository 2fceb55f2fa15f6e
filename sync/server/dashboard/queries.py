"""What the dashboard reads from the effect tables, always scoped to the viewer's outlets by `scope()`."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, false, func, select, true

from sync.server.dashboard.formatting import parse_time, wita_today
from sync.server.dashboard.users import Viewer
from sync.server.store.schema import (
    device,
    flag,
    lpg_month,
    master_item,
    outlet,
    payment_day,
    sales_day,
    sales_product_day,
    stock_position,
)

PERIOD_DAYS = 30
FLAG_GROUPS = {"price_above_het": "het", "lpg_limit_override": "lpg", "fork": "fork", "gap": "gap"}
"""Flag kinds the overview counts in their own column; every other kind is counted as "lain"."""
STALE_DAYS = 2


def scope(viewer: Viewer, outlet_column: Any) -> ColumnElement[bool]:
    """THE role rule, the only one: dinas sees every outlet, koperasi only its own, anyone else nothing."""
    if viewer.role == "dinas":
        return true()
    if viewer.role == "koperasi" and viewer.outlet_id:
        return outlet_column == viewer.outlet_id
    return false()


def _month_bounds(day: date) -> tuple[str, str]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first.isoformat(), following.isoformat()


def _flag_counts(connection: Connection, viewer: Viewer, outlet_id: str | None = None) -> dict[str, dict]:
    query = select(flag.c.outlet_id, flag.c.kind, func.count()).where(
        scope(viewer, flag.c.outlet_id), flag.c.resolved_at.is_(None)).group_by(flag.c.outlet_id, flag.c.kind)
    if outlet_id is not None:
        query = query.where(flag.c.outlet_id == outlet_id)
    counts: dict[str, dict] = {}
    for row_outlet, kind, count in connection.execute(query):
        groups = counts.setdefault(row_outlet, {"het": 0, "lpg": 0, "fork": 0, "gap": 0, "lain": 0})
        groups[FLAG_GROUPS.get(kind, "lain")] += int(count)
    return counts


def _master_names(connection: Connection, skus: list[str]) -> dict[str, str]:
    """Product names from the published catalogue (city-wide, not outlet data) for SKUs never sold here."""
    names: dict[str, str] = {}
    for start in range(0, len(skus), 500):
        for key, payload in connection.execute(select(master_item.c.key, master_item.c.payload).where(
                master_item.c.kind == "product", master_item.c.key.in_(skus[start:start + 500]))):
            try:
                names[key] = str(json.loads(payload).get("name", ""))
            except (ValueError, AttributeError):
                continue  # a payload we cannot read only costs the name column
    return names


def overview(engine: Engine, viewer: Viewer, now: datetime) -> dict:
    """One row per visible outlet (sync, sales today/this month, Z, LPG vs allocation, open flags) + totals."""
    today = wita_today(now)
    month_start, month_end = _month_bounds(today)
    month = today.isoformat()[:7]
    with engine.connect() as connection:
        outlets = connection.execute(select(outlet).where(scope(viewer, outlet.c.id)).order_by(
            outlet.c.name, outlet.c.id)).all()
        last_sync = dict(connection.execute(select(device.c.outlet_id, func.max(device.c.last_sync_at)).where(
            scope(viewer, device.c.outlet_id)).group_by(device.c.outlet_id)).all())
        today_rows = {row.outlet_id: row for row in connection.execute(select(sales_day).where(
            scope(viewer, sales_day.c.outlet_id), sales_day.c.business_date == today.isoformat()))}
        month_sales = dict(connection.execute(select(sales_day.c.outlet_id, func.sum(sales_day.c.sales_total)).where(
            scope(viewer, sales_day.c.outlet_id), sales_day.c.business_date >= month_start,
            sales_day.c.business_date < month_end).group_by(sales_day.c.outlet_id)).all())
        lpg = dict(connection.execute(select(lpg_month.c.outlet_id, lpg_month.c.cylinders).where(
            scope(viewer, lpg_month.c.outlet_id), lpg_month.c.month == month)).all())
        flags = _flag_counts(connection, viewer)
    rows = []
    for item in outlets:
        synced = parse_time(last_sync.get(item.id))
        days = (today - wita_today(synced)).days if synced else None
        day = today_rows.get(item.id)
        cylinders = int(lpg.get(item.id) or 0)
        counts = flags.get(item.id, {"het": 0, "lpg": 0, "fork": 0, "gap": 0, "lain": 0})
        rows.append({
            "id": item.id, "name": item.name, "kelurahan": item.kelurahan, "kecamatan": item.kecamatan,
            "kelurahan_code": item.kelurahan_code, "last_sync": synced, "days_without_sync": days,
            "stale": days is None or days >= STALE_DAYS,
            "today_sales": int(day.sales_total) if day else 0, "today_count": int(day.sales_count) if day else 0,
            "month_sales": int(month_sales.get(item.id) or 0), "z_closed": bool(day and day.z_closed),
            "lpg_cylinders": cylinders, "lpg_allocation": int(item.lpg3_allocation or 0),
            "lpg_percent": (cylinders * 100 / item.lpg3_allocation) if item.lpg3_allocation else None,
            "flags": counts, "flags_total": sum(counts.values()),
        })
    totals = {
        "outlets": len(rows),
        "today_sales": sum(r["today_sales"] for r in rows), "month_sales": sum(r["month_sales"] for r in rows),
        "z_closed": sum(1 for r in rows if r["z_closed"]), "stale": sum(1 for r in rows if r["stale"]),
        "lpg_cylinders": sum(r["lpg_cylinders"] for r in rows),
        "lpg_allocation": sum(r["lpg_allocation"] for r in rows),
        "flags": {k: sum(r["flags"][k] for r in rows) for k in ("het", "lpg", "fork", "gap", "lain")},
    }
    totals["flags_total"] = sum(totals["flags"].values())
    return {"today": today, "month": month, "rows": rows, "totals": totals}


SORT_KEYS = {
    "nama": lambda r: (r["name"].lower(),),
    "kecamatan": lambda r: (r["kecamatan"].lower(), r["kelurahan"].lower(), r["name"].lower()),
    "sinkron": lambda r: (-(r["days_without_sync"] if r["days_without_sync"] is not None else 10 ** 6),),
    "hari_ini": lambda r: (-r["today_sales"],),
    "bulan_ini": lambda r: (-r["month_sales"],),
    "lpg": lambda r: (-(r["lpg_percent"] or 0),),
    "tanda": lambda r: (-r["flags_total"],),
}


def sort_rows(rows: list[dict], key: str | None) -> list[dict]:
    """Rows ordered by a column the viewer clicked (unknown keys fall back to the name)."""
    return sorted(rows, key=SORT_KEYS.get(key or "nama", SORT_KEYS["nama"]))


def visible_outlet(connection: Connection, viewer: Viewer, outlet_id: str) -> Any | None:
    """The outlet row if it exists AND the viewer may see it; the caller cannot tell the two apart."""
    return connection.execute(select(outlet).where(outlet.c.id == outlet_id, scope(viewer, outlet.c.id))).first()


def outlet_detail(engine: Engine, viewer: Viewer, outlet_id: str, now: datetime) -> dict | None:
    """Everything the per-outlet page shows for the last 30 WITA days; None when not visible."""
    today = wita_today(now)
    start = today - timedelta(days=PERIOD_DAYS - 1)
    period = (sales_day.c.business_date >= start.isoformat(), sales_day.c.business_date <= today.isoformat())
    with engine.connect() as connection:
        item = visible_outlet(connection, viewer, outlet_id)
        if item is None:
            return None
        mine = scope(viewer, sales_day.c.outlet_id), sales_day.c.outlet_id == outlet_id
        days = {row.business_date: row for row in connection.execute(select(sales_day).where(*mine, *period))}
        pay_scope = (scope(viewer, payment_day.c.outlet_id), payment_day.c.outlet_id == outlet_id,
                     payment_day.c.business_date >= start.isoformat(),
                     payment_day.c.business_date <= today.isoformat())
        payments = connection.execute(select(
            payment_day.c.method, func.sum(payment_day.c.amount), func.sum(payment_day.c.count),
        ).where(*pay_scope).group_by(payment_day.c.method)).all()
        product_scope = (scope(viewer, sales_product_day.c.outlet_id), sales_product_day.c.outlet_id == outlet_id)
        amount = func.sum(sales_product_day.c.amount)
        products = connection.execute(select(
            sales_product_day.c.sku, func.max(sales_product_day.c.name), func.sum(sales_product_day.c.qty_milli),
            amount, func.sum(sales_product_day.c.lines),
        ).where(*product_scope, sales_product_day.c.business_date >= start.isoformat(),
                sales_product_day.c.business_date <= today.isoformat()).group_by(
            sales_product_day.c.sku).order_by(amount.desc(), sales_product_day.c.sku).limit(10)).all()
        names = dict(connection.execute(select(sales_product_day.c.sku, func.max(sales_product_day.c.name)).where(
            *product_scope).group_by(sales_product_day.c.sku)).all())
        stock = connection.execute(select(stock_position).where(
            scope(viewer, stock_position.c.outlet_id), stock_position.c.outlet_id == outlet_id).order_by(
            stock_position.c.sku)).all()
        names.update(_master_names(connection, [s.sku for s in stock if s.sku not in names]))
        lpg = connection.execute(select(lpg_month).where(
            scope(viewer, lpg_month.c.outlet_id), lpg_month.c.outlet_id == outlet_id).order_by(
            lpg_month.c.month.desc()).limit(12)).all()
        open_flags = connection.execute(select(flag).where(
            scope(viewer, flag.c.outlet_id), flag.c.outlet_id == outlet_id, flag.c.resolved_at.is_(None)).order_by(
            flag.c.created_at.desc(), flag.c.id.desc()).limit(200)).all()
        devices = connection.execute(select(device).where(
            scope(viewer, device.c.outlet_id), device.c.outlet_id == outlet_id).order_by(device.c.enrolled_at)).all()
        flag_counts = _flag_counts(connection, viewer, outlet_id).get(outlet_id)
    daily = []
    for offset in range(PERIOD_DAYS):
        day = start + timedelta(days=offset)
        row = days.get(day.isoformat())
        daily.append({"date": day, "sales_total": int(row.sales_total) if row else 0,
                      "sales_count": int(row.sales_count) if row else 0,
                      "refund_total": int(row.refund_total) if row else 0,
                      "z_closed": int(row.z_closed) if row else 0})
    pay_total = sum(int(p[1] or 0) for p in payments)
    total = sum(d["sales_total"] for d in daily)
    member_total = sum(int(r.member_sales_total) for r in days.values())
    return {
        "outlet": item, "today": today, "start": start, "daily": daily,
        "total": total, "count": sum(d["sales_count"] for d in daily),
        "refunds": sum(d["refund_total"] for d in daily),
        "payments": sorted(({"method": p[0], "amount": int(p[1] or 0), "count": int(p[2] or 0)} for p in payments),
                           key=lambda p: (-p["amount"], p["method"])),
        "payment_total": pay_total,
        "products": [{"sku": p[0], "name": p[1], "qty_milli": int(p[2] or 0), "amount": int(p[3] or 0),
                      "lines": int(p[4] or 0)} for p in products],
        "stock": [{"sku": s.sku, "name": names.get(s.sku, ""), "qty_milli": int(s.qty_milli),
                   "updated_at": s.updated_at} for s in stock],
        "lpg": [{"month": m.month, "cylinders": int(m.cylinders), "rumah_tangga": int(m.buyers_rumah_tangga),
                 "usaha_mikro": int(m.buyers_usaha_mikro), "other": int(m.buyers_other), "amount": int(m.amount)}
                for m in lpg],
        "member": {"total": member_total, "count": sum(int(r.member_sales_count) for r in days.values()),
                   "non_total": total - member_total,
                   "non_count": sum(int(r.sales_count) - int(r.member_sales_count) for r in days.values())},
        "flags": open_flags, "flag_counts": flag_counts or {"het": 0, "lpg": 0, "fork": 0, "gap": 0, "lain": 0},
        "devices": devices,
    }


def product_sales(engine: Engine, viewer: Viewer, outlet_id: str, start: date, end: date) -> tuple[Any, list]:
    """(outlet, rows per day per product) for the CSV export; (None, []) when the outlet is not visible."""
    with engine.connect() as connection:
        item = visible_outlet(connection, viewer, outlet_id)
        if item is None:
            return None, []
        rows = connection.execute(select(sales_product_day).where(
            scope(viewer, sales_product_day.c.outlet_id), sales_product_day.c.outlet_id == outlet_id,
            sales_product_day.c.business_date >= start.isoformat(),
            sales_product_day.c.business_date <= end.isoformat(),
        ).order_by(sales_product_day.c.business_date, sales_product_day.c.sku)).all()
    return item, rows
