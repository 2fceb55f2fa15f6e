"""The crash loop: SIGKILL a selling child at random moments, restart it, then audit every sale.

Start-up of a child (Python + SQLAlchemy + Alembic imports) costs far more than the window in which it
sells, so the next children are started ahead of time: each imports, prints READY, and waits on stdin
without touching the database. Only when the previous child is dead and reaped does the next one get
its go line and open the database, exactly as a restarted till would.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kkmp_pos.bench.audit import AuditReport, KillChecker, audit_sales
from kkmp_pos.bench.crash_child import READY, SELLING
from kkmp_pos.store.db import DB_FILENAME

MAX_RANDOM_DELAY = 0.15
"""Kills 'anywhere' land within this long after go: while opening the database or during the first sales."""

MID_COMMIT_WINDOW = 0.003
"""Kills 'after an ack' land this soon after one: mostly inside the following commit (~1-2 ms)."""

READY_TIMEOUT = 60.0
ACK_TIMEOUT = 20.0


@dataclass
class CrashReport:
    """What the loop did and what the audit found."""

    kills: int
    acknowledged: list[str]
    audit: AuditReport
    seconds: float
    sales_before: int = 0
    kills_inside_sale: int = 0
    failures: list[str] = field(default_factory=list)
    checks: int = 0
    """How many times the database was audited right after a kill (before the next child opened it)."""
    failed_checks: list[str] = field(default_factory=list)

    @property
    def committed_unacknowledged(self) -> int:
        """Sales committed in the instant between COMMIT and the ack: shows kills hit that narrow window."""
        stored_acks = len(set(self.acknowledged)) - len(self.audit.lost)
        return self.audit.sales - self.sales_before - stored_acks

    @property
    def ok(self) -> bool:
        return not self.failures and not self.failed_checks and self.audit.ok

    def to_dict(self) -> dict[str, Any]:
        audit = self.audit.to_dict()
        del audit["acknowledged"]  # the same figure as sales_acknowledged
        return {
            "kills": self.kills, "kills_inside_sale": self.kills_inside_sale,
            "sales_acknowledged": len(self.acknowledged), "checks_after_kills": self.checks,
            "failed_checks": len(self.failed_checks),
            "committed_not_acknowledged": self.committed_unacknowledged,
            "seconds": round(self.seconds, 1), "child_failures": (self.failures + self.failed_checks)[:10], **audit, "ok": self.ok,
        }


class _Child:
    """One `crash_child` process and a thread collecting its stdout lines."""

    def __init__(self, data_dir: Path, seed: int, stderr: IO[bytes]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kkmp_pos.bench.crash_child", str(data_dir), "--seed", str(seed), "--wait"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, bufsize=0,
        )
        self.acks: list[str] = []
        self.garbage: list[str] = []
        self.inside_sale = False
        """Whether the last thing the child said was "about to sell" (so the kill landed inside complete_sale)."""
        self._said_ready = False
        self._ready = threading.Event()
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            if not raw.endswith(b"\n"):
                continue  # cut off by the kill: never acknowledged
            line = raw.decode("ascii", "replace").strip()
            with self._changed:
                if line == READY:
                    self._said_ready = True
                    self._ready.set()
                elif line == SELLING:
                    self.inside_sale = True
                elif _is_uuid(line):
                    self.acks.append(line)
                    self.inside_sale = False
                else:
                    self.garbage.append(line)
                self._changed.notify_all()
        with self._changed:
            self._ready.set()  # EOF: nobody waits forever on a child that died in start-up
            self._changed.notify_all()

    def start_selling(self) -> bool:
        """Wait for READY, then send go; False if the child died before it was ready."""
        self._ready.wait(READY_TIMEOUT)
        if not self._said_ready or self.process.poll() is not None:
            return False
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(b"go\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            return False
        return True

    def wait_for_acks(self, count: int) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: len(self.acks) >= count or self.process.poll() is not None,
                                          ACK_TIMEOUT)

    def kill(self) -> int | None:
        """SIGKILL (unless it already exited); returns the exit code if it had exited by itself."""
        code = self.process.poll()
        if code is None:
            self.process.send_signal(signal.SIGKILL)
        self.close()
        return code

    def close(self) -> None:
        self.process.wait()
        self._reader.join()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()

    def dismiss(self) -> None:
        """An unused warm child: closing its stdin makes it exit without opening the database."""
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.close()


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def run_crash_loop(data_dir: Path, kills: int, *, seed: int = 7, warm_children: int = 2,
                   log_path: Path | None = None, check_every_kill: bool = True) -> CrashReport:
    """Kill a selling child `kills` times; the data dir must already hold an outlet with products.

    With `check_every_kill` the database is audited after every kill, exactly as the kill left it:
    integrity_check, foreign keys, the acknowledged sales present, and the new sales whole, numbered and
    chained (KillChecker); the full audit runs once more at the end.
    """
    rng = random.Random(seed)
    started = time.perf_counter()
    log_path = log_path or data_dir / "crash_children.log"
    acknowledged: list[str] = []
    failures: list[str] = []
    done = 0
    inside_sale = 0
    checks = 0
    failed_checks: list[str] = []
    sales_before = audit_sales(data_dir / DB_FILENAME).sales
    checker = KillChecker(data_dir / DB_FILENAME)
    with open(log_path, "ab") as stderr:
        pool = deque(_Child(data_dir, rng.randrange(1 << 30), stderr) for _ in range(warm_children))
        child: _Child | None = None
        try:
            while done < kills:
                child = pool.popleft()
                pool.append(_Child(data_dir, rng.randrange(1 << 30), stderr))  # warms while this one sells
                if not child.start_selling():
                    failures.append(f"child {child.process.pid} died before it was ready")
                    child.kill()
                    if len(failures) > 5:
                        break
                    continue
                if rng.random() < 0.5:
                    time.sleep(rng.uniform(0, MAX_RANDOM_DELAY))
                else:
                    wanted = rng.randint(1, 12)
                    if not child.wait_for_acks(wanted):
                        failures.append(f"child {child.process.pid} acknowledged {len(child.acks)} of {wanted} "
                                        f"sales in {ACK_TIMEOUT} s")
                    time.sleep(rng.uniform(0, MID_COMMIT_WINDOW))
                exited = child.kill()
                if exited is not None:
                    failures.append(f"child {child.process.pid} exited by itself with code {exited}")
                failures += [f"child {child.process.pid} printed {line!r}" for line in child.garbage]
                acks = child.acks
                acknowledged += acks
                inside_sale += child.inside_sale
                done += 1
                child = None
                if check_every_kill:
                    # The next child is only warm (imports done, database untouched): this sees the kill's result.
                    checks += 1
                    found = checker.check(acks)
                    if found:
                        failed_checks.append(f"after kill {done}: {'; '.join(found[:5])}")
        finally:
            if child is not None:  # interrupted mid-round: leave no seller behind
                child.kill()
            for spare in pool:
                spare.dismiss()
    if failures:
        failures.append(f"see {log_path}: {_tail(log_path)}")
    audit = audit_sales(data_dir / DB_FILENAME, acknowledged)
    return CrashReport(kills=done, acknowledged=acknowledged, audit=audit, seconds=time.perf_counter() - started,
                       sales_before=sales_before, kills_inside_sale=inside_sale, failures=failures,
                       checks=checks, failed_checks=failed_checks)


def _tail(path: Path, chars: int = 600) -> str:
    try:
        with open(path, "rb") as log:
            log.seek(max(0, os.path.getsize(path) - chars))
            return log.read().decode("utf-8", "replace")
    except OSError:
        return ""
