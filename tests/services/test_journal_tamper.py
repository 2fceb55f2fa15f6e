"""1,000 seeded tamper edits of a real outlet journal: `verify_journal` names exactly the first affected seq.

The journal is made by the real services (demo outlet, ~300 sales paid in cash, QRIS and split tenders,
partial refunds with the manager's approval, stock adjustments), in a real SQLite file. Each edit is written
with raw `sqlite3` SQL (no foreign keys, as someone with the file and a SQLite shell would) to the stored rows
of a copy of that file, inside a transaction; the real `verify_journal(engine)` then reads those rows through
an engine bound to the same connection (autocommit reads see the uncommitted edit) and the edit is rolled
back. So every one of the 1,000 checks runs the real verification over the real, edited rows; a further
sample is committed to its own file copy and verified through a fresh engine, as the CLI would.

Out of scope here, by design: deleting the tail and re-hashing the whole chain from some seq on both leave a
chain that is valid on its own; only the city's signed acknowledgements and the Z reports (which carry the
last seq and hash) catch those. `test_what_the_chain_alone_cannot_see` pins that limit down.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import StaticPool

from kkmp_pos.domain.cart import Cart, Discount
from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.payment import cash_payment, non_cash_payment
from kkmp_pos.domain.roles import Action
from kkmp_pos.services import catalog, refunds, sales
from kkmp_pos.services.adjustments import AdjustmentLine, adjustment_subject, record_adjustment
from kkmp_pos.services.approvals import request_approval
from kkmp_pos.services.context import open_context
from kkmp_pos.services.demo import seed_demo
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.outlet import default_cashier
from kkmp_pos.services.shifts import open_shift
from kkmp_pos.store.db import DB_FILENAME, make_engine
from sync.protocol.canonical import canon, event_hash
from tests.sync.helpers.tamper import changed_body

EDITS = 1_000
COMMITTED_SAMPLE = 40
"""Edits also committed to their own file copy and verified through a fresh engine."""
SALES = 300
MOMENT = datetime(2026, 11, 30, 2, 15, tzinfo=timezone.utc)
PIECE_SKUS = ("MGR-MKT-1", "GLA-1", "MIE-IDG", "MIE-IDS", "MIE-SDP-G", "TPG-SGB-1", "GRM-250", "SKM-FF-370",
              "KPI-KAP-165", "SCS-ABC-335", "MSG-SAS-250", "KCP-BNG-520")
WEIGHED_SKUS = ("BRS-CURAH", "GLA-CURAH", "TLR-KG", "MGR-CURAH", "TPG-CURAH")
COLUMNS = ("seq", "event_id", "type", "schema_v", "device_time", "master_version", "body", "prev_hash", "hash")


def _build_outlet(data_dir: Path) -> Path:
    """A demo outlet's database with a few hundred real events, written by the real services."""
    rng = random.Random(8008)
    ctx = open_context(data_dir, clock=fixed_clock(MOMENT))
    try:
        seed_demo(ctx)
        kasir = default_cashier(ctx).id
        open_shift(ctx, cashier_id=kasir, counts={50_000: 2, 10_000: 5})
        products = {sku: catalog.find_by_sku(ctx, sku) for sku in PIECE_SKUS + WEIGHED_SKUS}
        sold: list[sales.CompletedSale] = []
        for n in range(SALES):
            cart = Cart()
            for sku in rng.sample(PIECE_SKUS, rng.randint(1, 3)):
                cart.add(products[sku], 1000 * rng.randint(1, 3))
            if rng.random() < 0.4:
                cart.add(products[rng.choice(WEIGHED_SKUS)], rng.randint(100, 2500))
            if rng.random() < 0.1:
                cart.discount = Discount(amount=rng.randint(1, 9) * 100)
            roll = rng.random()
            if roll < 0.7:
                payments = [cash_payment(cart.total, -(-cart.total // 5000) * 5000)]
            elif roll < 0.85:
                payments = [non_cash_payment("qris", cart.total, reference=f"QR{n:08d}")]
            else:
                part = cart.total // 3
                payments = [non_cash_payment("qris", part, reference=f"QR{n:08d}"),
                            cash_payment(cart.total - part, cart.total - part + 500)]
            sold.append(sales.complete_sale(ctx, cart, payments, cashier_id=kasir))
            if n % 50 == 49:  # a damaged piece taken off the shelf, approved by the manager's PIN
                sku = rng.choice(PIECE_SKUS)
                subject = adjustment_subject("rusak", [(sku, -1000)])
                approval = request_approval(ctx, action=Action.STOCK_ADJUSTMENT, cashier_id=kasir,
                                            approver_username="manajer", pin="2222", reason="kemasan sobek",
                                            subject=subject).id
                record_adjustment(ctx, reason="rusak", note=None, lines=[AdjustmentLine(products[sku].id, 1000)],
                                  cashier_id=kasir, approval_id=approval)
            if n % 30 == 29:  # a partial refund of an earlier sale, approved by the manager's PIN
                target = rng.choice(sold)
                line = refunds.refundable_sale(ctx, target.receipt_no).lines[0]
                if line.remaining_qty_milli >= 1000 and not line.sold_by_weight:
                    approval = request_approval(ctx, action=Action.REFUND, cashier_id=kasir,
                                                approver_username="manajer", pin="2222", reason="rusak",
                                                subject=target.receipt_no).id
                    refunds.create_refund(ctx, target.receipt_no, [(line.sale_line_id, 1000)], "tunai",
                                          cashier_id=kasir, approval_id=approval, reason="kemasan rusak")
        assert verify_journal(ctx.engine) is None
    finally:
        ctx.close()
    return data_dir / DB_FILENAME


@pytest.fixture(scope="module")
def outlet_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = _build_outlet(tmp_path_factory.mktemp("outlet") / "data")
    # One file, no WAL beside it: a copy is then the whole database.
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    return path


# --- the edits -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    kind: str
    apply: Callable[[sqlite3.Connection], None]
    first_bad: int


def _rows(connection: sqlite3.Connection) -> list[dict[str, Any]]:
    cursor = connection.execute(f"SELECT {', '.join(COLUMNS)} FROM journal_event ORDER BY seq")
    return [dict(zip(COLUMNS, row, strict=True)) for row in cursor]


def _set(seq: int, column: str, value: Any) -> Callable[[sqlite3.Connection], None]:
    def apply(connection: sqlite3.Connection) -> None:
        assert connection.execute(f"UPDATE journal_event SET {column} = ? WHERE seq = ?",  # noqa: S608
                                  (value, seq)).rowcount == 1
    return apply


def _script(*statements: str) -> Callable[[sqlite3.Connection], None]:
    """Statements run one by one (`executescript` would commit the open transaction first)."""
    def apply(connection: sqlite3.Connection) -> None:
        for statement in statements:
            connection.execute(statement)
    return apply


def _shift(from_seq: int, by: int) -> Callable[[sqlite3.Connection], None]:
    """Every row from `from_seq` on moved by `by` seqs (through negatives: seq is the primary key)."""
    return _script(f"UPDATE journal_event SET seq = -(seq + {by}) WHERE seq >= {from_seq}",
                   "UPDATE journal_event SET seq = -seq WHERE seq < 0")


def _forged(rows: list[dict[str, Any]], seq: int, prev_hash: str, rng: random.Random) -> dict[str, Any]:
    """A plausible event at `seq` with a correctly computed own hash over the given link."""
    template = dict(rows[rng.randrange(len(rows))])
    body = json.loads(template["body"])
    event = {**template, "seq": seq, "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "body": body,
             "prev_hash": prev_hash}
    event["hash"] = event_hash(event)
    return {**event, "body": canon(body).decode()}


def _then(*steps: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    def apply(connection: sqlite3.Connection) -> None:
        for step in steps:
            step(connection)
    return apply


def _insert(row: dict[str, Any]) -> Callable[[sqlite3.Connection], None]:
    def apply(connection: sqlite3.Connection) -> None:
        connection.execute(f"INSERT INTO journal_event ({', '.join(COLUMNS)}) VALUES "  # noqa: S608
                           f"({', '.join('?' * len(COLUMNS))})", [row[c] for c in COLUMNS])
    return apply


def make_edit(rows: list[dict[str, Any]], rng: random.Random) -> Edit:  # noqa: C901 - one branch per kind
    """One random edit a chain must catch, with the first seq it breaks."""
    last = len(rows)
    k = rng.randint(1, last)
    row = rows[k - 1]
    kind = rng.choice(("amount", "type", "device_time", "master_version", "schema_v", "event_id", "hash",
                       "prev_hash", "body_float", "body_not_json", "delete", "delete_range", "swap", "move",
                       "forge_wrong_link", "forge_linked", "append_wrong_link"))
    if kind == "amount":
        return Edit(kind, _set(k, "body", changed_body(row["body"], rng)), k)
    if kind == "type":
        return Edit(kind, _set(k, "type", rng.choice([t for t in ("sale", "refund", "void", "stock_count")
                                                      if t != row["type"]])), k)
    if kind == "device_time":
        return Edit(kind, _set(k, "device_time", row["device_time"].replace("02:15", "03:15", 1)
                               if "02:15" in row["device_time"] else "2026-11-29T23:00:00.000+00:00"), k)
    if kind == "master_version":
        return Edit(kind, _set(k, "master_version", row["master_version"] + rng.choice((-1, 1, 7))), k)
    if kind == "schema_v":
        return Edit(kind, _set(k, "schema_v", row["schema_v"] + 1), k)
    if kind == "event_id":
        return Edit(kind, _set(k, "event_id", str(uuid.UUID(int=rng.getrandbits(128), version=4))), k)
    if kind == "hash":
        flipped = row["hash"][:-1] + ("0" if row["hash"][-1] != "0" else "1")
        return Edit(kind, _set(k, "hash", flipped), k)
    if kind == "prev_hash":
        return Edit(kind, _set(k, "prev_hash", f"{rng.getrandbits(256):064x}"), k)
    if kind == "body_float":  # 100 -> 100.5: floats are refused anywhere in an event
        body = row["body"]
        digits = [i for i, ch in enumerate(body) if ch.isdigit() and (i + 1 == len(body) or
                                                                        not body[i + 1].isdigit())
                  and body[i - 1] == ":"]
        if digits:
            at = rng.choice(digits) + 1
            return Edit(kind, _set(k, "body", body[:at] + ".5" + body[at:]), k)
        return Edit(kind, _set(k, "body", body[:-1] + ',"x":0.5}'), k)
    if kind == "body_not_json":
        return Edit(kind, _set(k, "body", row["body"][: rng.randint(0, len(row["body"]) - 1)]), k)
    if kind in ("delete", "delete_range"):
        k = min(k, last - 1)  # deleting the very tail is not a chain break (see the module docstring)
        end = k if kind == "delete" else rng.randint(k, last - 1)
        return Edit(kind, lambda c: c.execute("DELETE FROM journal_event WHERE seq BETWEEN ? AND ?",
                                              (k, end)).rowcount and None, k)
    if kind == "swap":
        a, b = sorted(rng.sample(range(1, last + 1), 2))
        return Edit(kind, _script(f"UPDATE journal_event SET seq = -1 WHERE seq = {a}",
                                  f"UPDATE journal_event SET seq = {a} WHERE seq = {b}",
                                  f"UPDATE journal_event SET seq = {b} WHERE seq = -1"), a)
    if kind == "move":  # one row renumbered past the end: a gap at k
        k = min(k, last - 1)
        return Edit(kind, _set(k, "seq", last + rng.randint(1, 5)), k)
    if kind == "forge_wrong_link":  # a new row slipped in at k, its own hash right, its link wrong
        forged = _forged(rows, k, f"{rng.getrandbits(256):064x}", rng)
        return Edit(kind, _then(_shift(k, 1), _insert(forged)), k)
    if kind == "forge_linked":  # slipped in at k, linked to k-1 and hashed right: the old row k breaks
        forged = _forged(rows, k, rows[k - 2]["hash"] if k > 1 else "0" * 64, rng)
        return Edit(kind, _then(_shift(k, 1), _insert(forged)), k + 1)
    # append_wrong_link: a row added after the last one, own hash right, not linked to the last hash
    forged = _forged(rows, last + 1, f"{rng.getrandbits(256):064x}", rng)
    return Edit(kind, _insert(forged), last + 1)


class _Held:
    """`connection` lent to an engine that may read but never end the edit's transaction (the test does)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass


def _engine_on(connection: sqlite3.Connection) -> Engine:
    """An engine whose only connection is `connection`: its plain reads see the open, uncommitted edit."""
    return create_engine("sqlite+pysqlite://", creator=lambda: _Held(connection), poolclass=StaticPool,
                         pool_reset_on_return=None)


def test_a_thousand_tamper_edits_are_each_found_at_their_first_bad_seq(outlet_file: Path,
                                                                        tmp_path: Path) -> None:
    copy = tmp_path / "tampered.sqlite3"
    shutil.copyfile(outlet_file, copy)
    connection = sqlite3.connect(copy, isolation_level=None, check_same_thread=False)
    engine = _engine_on(connection)
    try:
        rows = _rows(connection)
        assert len(rows) >= 300 and {"sale", "refund", "override", "stock_adjustment"} <= {r["type"] for r in rows}
        assert verify_journal(engine) is None
        rng = random.Random(20261130)
        kinds: dict[str, int] = {}
        wrong: list[tuple[int, str, int, int | None]] = []
        for n in range(EDITS):
            edit = make_edit(rows, rng)
            connection.execute("BEGIN")
            try:
                edit.apply(connection)
                found = verify_journal(engine)
            finally:
                connection.execute("ROLLBACK")
            kinds[edit.kind] = kinds.get(edit.kind, 0) + 1
            if found != edit.first_bad:
                wrong.append((n, edit.kind, edit.first_bad, found))
        assert verify_journal(engine) is None  # every edit was rolled back
    finally:
        engine.dispose()
        connection.close()
    assert not wrong, wrong[:10]
    assert len(kinds) == 17 and min(kinds.values()) >= 30, kinds


def test_committed_edits_on_their_own_file_copies_are_found_through_a_fresh_engine(outlet_file: Path,
                                                                                  tmp_path: Path) -> None:
    with sqlite3.connect(outlet_file) as source:
        rows = _rows(source)
    source.close()
    rng = random.Random(77)
    for n in range(COMMITTED_SAMPLE):
        copy = tmp_path / f"copy{n}.sqlite3"
        shutil.copyfile(outlet_file, copy)
        edit = make_edit(rows, rng)
        connection = sqlite3.connect(copy, isolation_level=None)
        try:
            connection.execute("BEGIN")
            edit.apply(connection)
            connection.execute("COMMIT")
        finally:
            connection.close()
        engine = make_engine(copy)
        try:
            assert verify_journal(engine) == edit.first_bad, (n, edit.kind)
        finally:
            engine.dispose()
        copy.unlink()


def test_what_the_chain_alone_cannot_see(outlet_file: Path, tmp_path: Path) -> None:
    """Tail deletion and a full re-hash from seq k on verify as a chain: the Z reports and the city's signed
    acknowledgements (issue 8, verification) are what catch them, tested there."""
    copy = tmp_path / "limits.sqlite3"
    shutil.copyfile(outlet_file, copy)
    connection = sqlite3.connect(copy, isolation_level=None, check_same_thread=False)
    engine = _engine_on(connection)
    try:
        rows = _rows(connection)
        connection.execute("BEGIN")
        connection.execute("DELETE FROM journal_event WHERE seq > ?", (len(rows) - 5,))
        assert verify_journal(engine) is None
        connection.execute("ROLLBACK")

        k = len(rows) // 2
        connection.execute("BEGIN")
        prev = rows[k - 2]["hash"]
        for row in rows[k - 1:]:
            body = json.loads(changed_body(row["body"], random.Random(row["seq"])))
            event = {**row, "body": body, "prev_hash": prev}
            event["hash"] = prev = event_hash(event)
            connection.execute("UPDATE journal_event SET body = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                               (canon(body).decode(), event["prev_hash"], event["hash"], row["seq"]))
        assert verify_journal(engine) is None
        connection.execute("ROLLBACK")
    finally:
        engine.dispose()
        connection.close()
