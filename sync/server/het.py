"""The HET ceilings the city published (master data), as the ingest checks sale prices against them."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from sync.server.store.schema import master_item


def _payload(text: str) -> dict[str, Any]:
    try:
        record = json.loads(text)
    except ValueError:
        return {}
    if type(record) is dict and type(record.get("row")) is dict:
        record = record["row"]
    return record if type(record) is dict else {}


def _amount(value: object) -> int | None:
    if type(value) is int:
        return value
    if type(value) is str and value.strip().isdigit():
        return int(value.strip())
    return None


_HET_ROWS_PG = ("SELECT kind, key, payload FROM master_item "
                "WHERE kind = 'ceiling' OR (kind = 'product' AND key = ANY(%(skus)s::text[]))")


def het_lookup(connection: Connection, skus: Iterable[str]) -> tuple[dict[str, list[tuple[str, int]]],
                                                                      dict[str, int]]:
    """Dated HET ceilings per sku (effective_from, amount), newest first, and the catalogue's het_per_unit."""
    wanted = set(skus)
    dated: dict[str, list[tuple[str, int]]] = defaultdict(list)
    catalogue: dict[str, int] = {}
    if not wanted:
        return dated, catalogue
    # One query for both kinds (the ceilings are few and their key starts with the sku).
    if connection.dialect.name == "postgresql":
        # Ingest asks once per batch: one fixed text (prepared after a few uses) instead of an IN list of
        # a different length each time, compiled anew (~1 ms a batch).
        rows = connection.exec_driver_sql(_HET_ROWS_PG, {"skus": sorted(wanted)}).all()
    else:
        rows = connection.execute(select(master_item.c.kind, master_item.c.key, master_item.c.payload).where(
            or_(master_item.c.kind == "ceiling",
                and_(master_item.c.kind == "product", master_item.c.key.in_(sorted(wanted)))))).all()
    for kind, key, payload in rows:
        if kind == "product":
            amount = _amount(_payload(payload).get("het_per_unit"))
            if amount is not None:
                catalogue[key] = amount
            continue
        if key.split("|", 1)[0] not in wanted:
            continue
        record = _payload(payload)
        amount, since = _amount(record.get("amount")), record.get("effective_from")
        if record.get("kind") == "HET" and amount is not None and type(since) is str and record.get("sku") in wanted:
            dated[record["sku"]].append((since, amount))
    for entries in dated.values():
        entries.sort(reverse=True)
    return dated, catalogue
