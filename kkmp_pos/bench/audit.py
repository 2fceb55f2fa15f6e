"""After the kills: is every acknowledged sale there, and is every stored sale whole and chained?"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.sales import receipt_number
from kkmp_pos.store.db import make_engine
from sync.protocol.canonical import GENESIS_HASH, first_bad_seq

EXAMPLES = 10
"""How many offending ids a report keeps per kind of problem."""


@dataclass
class AuditReport:
    """Everything wrong with the sales in one outlet database; all lists empty means it is sound."""

    sales: int = 0
    acknowledged: int = 0
    lost: list[str] = field(default_factory=list)
    half_written: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    receipt_problems: list[str] = field(default_factory=list)
    journal_break: int | None = None
    integrity: str = ""
    foreign_key_violations: int = 0

    @property
    def ok(self) -> bool:
        return (not self.lost and not self.half_written and not self.orphans and not self.receipt_problems
                and self.journal_break is None and self.integrity == "ok" and not self.foreign_key_violations)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sales_in_database": self.sales, "acknowledged": self.acknowledged,
            "lost": len(self.lost), "half_written": len(self.half_written), "orphans": len(self.orphans),
            "receipt_problems": len(self.receipt_problems), "journal_break_seq": self.journal_break,
            "integrity_check": self.integrity, "foreign_key_violations": self.foreign_key_violations,
            "examples": (self.lost + self.half_written + self.orphans + self.receipt_problems)[:EXAMPLES],
            "ok": self.ok,
        }


def _grouped(connection: sqlite3.Connection, sql: str,
             params: Sequence[Any] = ()) -> dict[str, list[tuple[Any, ...]]]:
    """Rows grouped by their first column."""
    groups: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in connection.execute(sql, params):
        groups[row[0]].append(tuple(row[1:]))
    return groups


def _sale_problem(sale: sqlite3.Row, lines: list[tuple[Any, ...]], payments: list[tuple[Any, ...]],
                  movements: list[tuple[Any, ...]], event: tuple[str, str] | None) -> str | None:
    """Why this sale is not whole, or None. Lines: (id, line_no, product_id, sku, qty, unit_price, total)."""
    lines = sorted(lines, key=lambda line: line[1])
    if len(lines) != sale["line_count"] or [line[1] for line in lines] != list(range(1, len(lines) + 1)):
        return f"{len(lines)} lines stored, header says {sale['line_count']}"
    if sum(line[6] for line in lines) != sale["total"]:
        return "line totals do not add up to the sale total"
    if not payments or sum(p[1] for p in payments) != sale["total"]:
        return "payments do not add up to the sale total"
    if sorted(movements) != sorted((line[2], -line[4]) for line in lines):
        return f"{len(movements)} stock movements do not mirror the {len(lines)} lines"
    if event is None or event[0] != "sale":
        return f"journal event {sale['journal_seq']} missing"
    body = json.loads(event[1])
    expected_lines = [[line[0], line[1], line[3], line[4], line[5], line[6]] for line in lines]
    stored_lines = [[x["line_id"], x["line_no"], x["sku"], x["qty_milli"], x["unit_price"], x["total"]]
                    for x in body.get("lines", [])]
    expected_payments = sorted([p[0], p[1]] for p in payments)
    stored_payments = sorted([x["payment_id"], x["amount"]] for x in body.get("payments", []))
    if (body.get("sale_id"), body.get("receipt_no"), body.get("total")) != (
            sale["id"], sale["receipt_no"], sale["total"]) or stored_lines != expected_lines \
            or stored_payments != expected_payments:
        return f"journal event {sale['journal_seq']} does not match the sale"
    return None


def audit_sales(db_path: Path, acknowledged: Iterable[str] = ()) -> AuditReport:
    """Check an outlet database after crashes (it writes nothing): wholeness, orphans, receipts, chain, integrity."""
    acked = set(acknowledged)
    report = AuditReport(acknowledged=len(acked))
    connection = sqlite3.connect(db_path)
    connection.row_factory = sqlite3.Row
    try:
        sales = connection.execute(
            "SELECT id, outlet_id, receipt_no, receipt_seq, total, line_count, journal_seq FROM sale"
        ).fetchall()
        report.sales = len(sales)
        sale_ids = {sale["id"] for sale in sales}
        report.lost = sorted(f"{sale_id}: acknowledged but not stored" for sale_id in acked - sale_ids)
        lines = _grouped(connection, "SELECT sale_id, id, line_no, product_id, sku, qty_milli, unit_price, total "
                                     "FROM sale_line")
        payments = _grouped(connection, "SELECT sale_id, id, amount FROM payment")
        movements = _grouped(connection, "SELECT ref_id, product_id, qty_milli FROM stock_movement "
                                         "WHERE kind = 'sale'")
        events = {row[0]: (row[1], row[2]) for row in connection.execute(
            "SELECT seq, type, body FROM journal_event")}
        for sale in sales:
            problem = _sale_problem(sale, lines.get(sale["id"], []), payments.get(sale["id"], []),
                                    movements.get(sale["id"], []), events.get(sale["journal_seq"]))
            if problem:
                report.half_written.append(f"{sale['id']}: {problem}")
        sale_seqs = {sale["journal_seq"] for sale in sales}
        report.orphans = (
            [f"sale_line of missing sale {sid}" for sid in lines if sid not in sale_ids]
            + [f"payment of missing sale {sid}" for sid in payments if sid not in sale_ids]
            + [f"stock movement of missing sale {sid}" for sid in movements if sid not in sale_ids]
            + [f"sale journal event {seq} without its sale" for seq, (kind, _) in events.items()
               if kind == "sale" and seq not in sale_seqs]
        )
        report.receipt_problems = _receipt_problems(connection, sales)
        report.integrity = "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
        report.foreign_key_violations = len(connection.execute("PRAGMA foreign_key_check").fetchall())
    finally:
        connection.close()
    engine = make_engine(db_path)
    try:
        report.journal_break = verify_journal(engine)
    finally:
        engine.dispose()
    return report


def _receipt_problems(connection: sqlite3.Connection, sales: list[sqlite3.Row]) -> list[str]:
    """Receipt numbers run 1, 2, 3... per outlet with no gap, and each reads `CODE-000123`."""
    codes = dict(connection.execute("SELECT id, code FROM outlet").fetchall())
    problems: list[str] = []
    by_outlet: dict[str, list[sqlite3.Row]] = defaultdict(list)
    for sale in sales:
        by_outlet[sale["outlet_id"]].append(sale)
    for outlet_id, outlet_sales in by_outlet.items():
        seqs = sorted(sale["receipt_seq"] for sale in outlet_sales)
        if seqs != list(range(1, len(seqs) + 1)):
            missing = sorted(set(range(1, (seqs[-1] if seqs else 0) + 1)) - set(seqs))
            problems.append(f"outlet {codes.get(outlet_id)}: receipt numbers missing {missing[:EXAMPLES]}")
        problems += [f"{sale['receipt_no']} does not match its sequence {sale['receipt_seq']}"
                     for sale in outlet_sales
                     if sale["receipt_no"] != receipt_number(codes.get(outlet_id, "?"), sale["receipt_seq"])]
    return problems


class KillChecker:
    """The audit after every kill, made incremental so a thousand kills stay cheap.

    The whole file gets `integrity_check` and `foreign_key_check` each time (orphaned lines, payments and
    movements are foreign-key violations); the sales, receipts and journal events added since the previous
    check are checked for wholeness, numbering and chain, continuing from the last verified hash.
    """

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.next_seq = 1
        self.prev_hash = GENESIS_HASH
        self.receipts = 0

    def check(self, acknowledged: Iterable[str]) -> list[str]:
        """Problems found now (empty when sound); `acknowledged` are the sale ids acked since the last check."""
        # Read-only: closing it must not checkpoint, so the next child recovers the WAL exactly as the kill left it.
        connection = sqlite3.connect(f"{self.db_path.resolve().as_uri()}?mode=ro", uri=True)
        connection.row_factory = sqlite3.Row
        try:
            problems = self._check(connection, sorted(set(acknowledged)))
        finally:
            connection.close()
        return problems

    def _check(self, connection: sqlite3.Connection, acked: list[str]) -> list[str]:
        problems = [f"integrity_check: {row[0]}" for row in connection.execute("PRAGMA integrity_check")
                    if row[0] != "ok"]
        problems += [f"foreign key violation in {row[0]}" for row in connection.execute("PRAGMA foreign_key_check")]
        marks = ",".join("?" * len(acked))
        stored = {row[0] for row in connection.execute(f"SELECT id FROM sale WHERE id IN ({marks})", acked)}
        problems += [f"{sale_id}: acknowledged but not stored" for sale_id in acked if sale_id not in stored]
        events = [dict(row) for row in connection.execute(
            "SELECT seq, event_id, type, schema_v, device_time, master_version, body, prev_hash, hash "
            "FROM journal_event WHERE seq >= ? ORDER BY seq", (self.next_seq,))]
        sales = connection.execute(
            "SELECT id, outlet_id, receipt_no, receipt_seq, total, line_count, journal_seq FROM sale "
            "WHERE journal_seq >= ? ORDER BY receipt_seq", (self.next_seq,)).fetchall()
        problems += self._new_sales(connection, sales, events)
        for event in events:
            try:
                event["body"] = json.loads(event["body"])
            except ValueError:
                event["body"] = None  # cannot hash to the stored value: reported by the chain walk
        broken = first_bad_seq(events, start_hash=self.prev_hash, start_seq=self.next_seq)
        if broken is not None:
            problems.append(f"journal chain breaks at seq {broken}")
        elif events:
            self.next_seq, self.prev_hash = events[-1]["seq"] + 1, events[-1]["hash"]
        return problems

    def _new_sales(self, connection: sqlite3.Connection, sales: list[sqlite3.Row],
                   events: list[dict[str, Any]]) -> list[str]:
        ids = [sale["id"] for sale in sales]
        marks = ",".join("?" * len(ids))
        lines = _grouped(connection, "SELECT sale_id, id, line_no, product_id, sku, qty_milli, unit_price, total "
                                     f"FROM sale_line WHERE sale_id IN ({marks})", ids)
        payments = _grouped(connection, f"SELECT sale_id, id, amount FROM payment WHERE sale_id IN ({marks})", ids)
        movements = _grouped(connection, "SELECT ref_id, product_id, qty_milli FROM stock_movement "
                                         f"WHERE kind = 'sale' AND ref_id IN ({marks})", ids)
        by_seq = {event["seq"]: (event["type"], event["body"]) for event in events}
        problems = [f"{sale['id']}: {problem}" for sale in sales if (problem := _sale_problem(
            sale, lines.get(sale["id"], []), payments.get(sale["id"], []), movements.get(sale["id"], []),
            by_seq.get(sale["journal_seq"])))]
        sale_seqs = {sale["journal_seq"] for sale in sales}
        problems += [f"sale journal event {seq} without its sale" for seq, (kind, _) in by_seq.items()
                     if kind == "sale" and seq not in sale_seqs]
        numbers = [sale["receipt_seq"] for sale in sales]
        if numbers != list(range(self.receipts + 1, self.receipts + 1 + len(numbers))):
            problems.append(f"receipt numbers after {self.receipts} are {numbers[:EXAMPLES]}")
        elif numbers:
            self.receipts = numbers[-1]
        return problems
