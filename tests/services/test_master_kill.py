"""SIGKILL while a big master version is being applied: afterwards the till has the old or the new version, never a mix.

A child process opens the outlet and applies a signed master version of thousands of products, ceilings, LPG
limits and a setting (the real apply_master, the real SQLite file); the parent kills it at seeded random
moments inside the apply. After every kill the database is reopened and fingerprinted: it must be exactly
the old version or exactly the new one, pass integrity_check, and its journal chain must verify.

Run as `python -m tests.services.test_master_kill DATA_DIR BODY_FILE SERVER_KEY` it is the child.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from kkmp_pos.domain.lpg import CATEGORY_LABELS
from kkmp_pos.services.context import open_context
from kkmp_pos.services.demo import seed_demo
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.sync_master import apply_master
from kkmp_pos.store.db import DB_FILENAME
from sync.protocol.keys import generate_private_key, public_key_b64, sign

PRODUCTS = 2_000
CEILINGS = 1_000
KILLS = 20
APPLYING, APPLIED = "APPLYING", "APPLIED"
CHILD_TIMEOUT = 120.0


def _ean13(first12: str) -> str:
    total = sum(int(digit) * (3 if i % 2 else 1) for i, digit in enumerate(first12))
    return first12 + str(-total % 10)


def _product(n: int, version: int) -> dict[str, Any]:
    row = {"sku": f"KT-{n:05d}", "barcode": _ean13(f"77{n:010d}"), "name": f"Barang kota {n} versi {version}",
           "category": "Sembako", "unit": "pcs", "price": str(5_000 + n + 100 * version), "member_price": "",
           "het_per_unit": "", "het_source": "", "ppn": "bebas", "sold_by_weight": "0", "lpg_kind": "",
           "cost_price": str(4_000 + n)}
    return {"kind": "product", "key": row["sku"], "row": row}


def _ceiling(n: int, version: int) -> dict[str, Any]:
    sku = f"KT-{n:05d}"
    row = {"sku": sku, "kind": "HET", "amount": str(9_000 + n + 100 * version), "source": f"Permendag {version}/2026",
           "region": "Nasional", "effective_from": "2026-12-01"}
    return {"kind": "ceiling", "key": f"{sku}|HET|2026-12-01", "row": row}


def master_body(key: Any, version: int) -> dict[str, Any]:
    """Version `version` of the city's data: every product, ceiling and limit differs from other versions."""
    changes = [_product(n, version) for n in range(PRODUCTS)] + [_ceiling(n, version) for n in range(CEILINGS)]
    changes += [{"kind": "lpg_limit", "key": category,
                 "row": {"category": category, "per_day": str(version), "per_month": str(10 * version)}}
                for category in CATEGORY_LABELS]
    changes.append({"kind": "setting", "key": "receipt_footer",
                    "row": {"key": "receipt_footer", "value": f"Data induk versi {version}"}})
    unsigned = {"version": version, "snapshot": version == 1,
                "changes": sorted(changes, key=lambda c: (c["kind"], c["key"]))}
    return unsigned | {"sig": sign(key, unsigned)}


def fingerprint(data_dir: Path) -> dict[str, Any]:
    """What the master data decides, with each part hashed: products, ceilings, limits, settings, version."""
    connection = sqlite3.connect(data_dir / DB_FILENAME)
    try:
        def digest(sql: str) -> str:
            return hashlib.sha256(repr(connection.execute(sql).fetchall()).encode()).hexdigest()[:16]

        return {
            "products": digest("SELECT p.sku, p.name, p.price, p.cost_price, b.barcode FROM product p "
                               "LEFT JOIN product_barcode b ON b.product_id = p.id WHERE p.sku LIKE 'KT-%' "
                               "ORDER BY p.sku"),
            "search": digest("SELECT rowid, * FROM product_search WHERE product_search MATCH 'kota' ORDER BY rowid"),
            "ceilings": digest("SELECT sku, kind, amount, source, region, effective_from FROM price_ceiling "
                               "WHERE sku LIKE 'KT-%' ORDER BY sku, kind, effective_from"),
            "settings": digest("SELECT key, value FROM setting WHERE key IN "
                               "('lpg_limits', 'receipt_footer', 'master_version', 'sync.master_error') ORDER BY key"),
            "master_events": connection.execute(
                "SELECT count(*) FROM journal_event WHERE type = 'master_applied'").fetchone()[0],
            "master_version": connection.execute(
                "SELECT value FROM setting WHERE key = 'master_version'").fetchone()[0],
        }
    finally:
        connection.close()


def integrity(data_dir: Path) -> str:
    connection = sqlite3.connect(data_dir / DB_FILENAME)
    try:
        return "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
    finally:
        connection.close()


def _restore(baseline: Path, target: Path) -> None:
    """The outlet as it was before the pull: the database file alone (no WAL: it was closed cleanly)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(baseline, target)


class _Child:
    """A child that has done its imports and waits for a go line before opening the outlet."""

    def __init__(self, data_dir: Path, body_file: Path, server_key: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.services.test_master_kill", str(data_dir), str(body_file), server_key],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
            cwd=Path(__file__).resolve().parents[2],
        )

    def go(self) -> None:
        """Wait until the imports are done, then let it open the outlet and apply."""
        assert self.process.stdout is not None and self.process.stdin is not None
        assert self.process.stdout.readline() == b"READY\n", self._stderr()
        self.process.stdin.write(b"go\n")
        self.process.stdin.flush()

    def line(self) -> bytes:
        assert self.process.stdout is not None
        return self.process.stdout.readline()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(CHILD_TIMEOUT)
        for pipe in (self.process.stdin, self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()

    def _stderr(self) -> str:
        self.process.kill()
        assert self.process.stderr is not None
        return self.process.stderr.read().decode("utf-8", "replace")[-2000:]


@pytest.mark.slow
def test_a_kill_anywhere_in_a_master_apply_leaves_the_old_or_the_new_version_never_a_mix(tmp_path: Path) -> None:
    server = generate_private_key()
    server_key = public_key_b64(server)
    # The outlet already holds version 1 of the city's data; version 2 changes every row of it.
    baseline = tmp_path / "baseline"
    ctx = open_context(baseline)
    try:
        seed_demo(ctx)
        assert apply_master(ctx, master_body(server, 1), server_key).applied
    finally:
        ctx.close()
    body_file = tmp_path / "master-v2.json"
    body_file.write_text(json.dumps(master_body(server, 2)), encoding="utf-8")
    old = fingerprint(baseline)

    # Version 2 applied to the end once, in a child like the others: the new fingerprint and how long it takes.
    reference = tmp_path / "reference"
    _restore(baseline, reference)
    child = _Child(reference, body_file, server_key)
    child.go()
    assert child.line() == f"{APPLYING}\n".encode()
    started = time.perf_counter()
    assert child.line() == f"{APPLIED}\n".encode()
    apply_seconds = time.perf_counter() - started  # only to spread the kills over the apply, never asserted
    child.kill()
    new = fingerprint(reference)
    assert old["master_version"] == "1" and new["master_version"] == "2"
    assert all(old[part] != new[part] for part in old)  # every part changes, so a mix cannot hide

    rng = random.Random(20261130)
    outcomes = {"old": 0, "new": 0}
    target = tmp_path / "till"
    _restore(baseline, target)
    child = _Child(target, body_file, server_key)
    for kill in range(KILLS):
        child.go()
        assert child.line() == f"{APPLYING}\n".encode()
        time.sleep(rng.uniform(0, apply_seconds))
        finished = child.process.poll() is not None
        child.kill()
        # The next child does its imports meanwhile; it opens the outlet only when told to.
        waiting = _Child(target, body_file, server_key)
        # Whatever the kill left, the next start-up sees this: reopen, check, fingerprint.
        state = fingerprint(target)
        assert state in (old, new), f"kill {kill}: a mix of versions {state} (old {old}, new {new})"
        assert integrity(target) == "ok", f"kill {kill}"
        reopened = open_context(target)
        try:
            assert verify_journal(reopened.engine) is None, f"kill {kill}"
        finally:
            reopened.close()
        outcomes["old" if state == old else "new"] += 1
        if finished:  # the apply ran faster than measured (a less busy machine): aim earlier from now on
            apply_seconds *= 0.7
        _restore(baseline, target)  # every round starts from version 1 again
        child = waiting
    child.kill()

    assert sum(outcomes.values()) == KILLS
    assert outcomes["old"] >= KILLS // 2, outcomes  # most kills cut an apply that was under way


def _child_main(data_dir: Path, body_file: Path, server_key: str) -> int:
    body = json.loads(body_file.read_text(encoding="utf-8"))
    os.write(sys.stdout.fileno(), b"READY\n")
    if not sys.stdin.readline():
        return 0
    ctx = open_context(data_dir)
    os.write(sys.stdout.fileno(), f"{APPLYING}\n".encode())
    apply_master(ctx, body, server_key)
    os.write(sys.stdout.fileno(), f"{APPLIED}\n".encode())
    ctx.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(_child_main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]))
