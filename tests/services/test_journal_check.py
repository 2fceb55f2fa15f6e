"""The journal check against a real city server's signed receipts and the Z reports: every cut and edit caught."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from kkmp_pos.cli import main
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.journal_check import (
    ACKED_CHANGED,
    CHAIN,
    CHAIN_BROKEN,
    RECEIPT,
    RECEIPT_INVALID,
    TAIL_DELETED,
    Z_CHANGED,
    Z_REPORT,
    Z_TRUNCATED,
    check_journal,
    summary_lines,
)
from kkmp_pos.services.shifts import open_shift
from kkmp_pos.services.sync_link import load_sync_settings
from kkmp_pos.services.sync_upload import LAST_RECEIPT, last_seq, upload_round
from kkmp_pos.store.db import DB_FILENAME
from sync.protocol.canonical import event_hash
from sync.protocol.keys import generate_private_key, public_key_b64
from sync.protocol.receipts import sign_receipt
from tests.conftest import OPENING_FLOAT
from tests.services.sync_server import CityServer, quick_client, running_city
from tests.services.test_shift_close import close, sell_oil, user
from tests.services.test_sync_upload import enrol


@pytest.fixture
def city(tmp_path: Path) -> Iterator[CityServer]:
    with running_city(tmp_path) as server:
        yield server


def _db(ctx: PosContext) -> sqlite3.Connection:
    """A second, raw connection to the outlet's file: the tamperer's tool (no foreign keys, no app)."""
    return sqlite3.connect(ctx.data_dir / DB_FILENAME, isolation_level=None)


def delete_from(ctx: PosContext, seq: int) -> None:
    with _db(ctx) as raw:
        raw.execute("DELETE FROM journal_event WHERE seq >= ?", (seq,))


def change_body(ctx: PosContext, seq: int, *, rehash: bool = False) -> None:
    """Alter one event's body; with `rehash`, recompute every hash from there on (a careful forger)."""
    with _db(ctx) as raw:
        body = json.loads(raw.execute("SELECT body FROM journal_event WHERE seq = ?", (seq,)).fetchone()[0])
        body["forged"] = 1
        raw.execute("UPDATE journal_event SET body = ? WHERE seq = ?",
                    (json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False), seq))
        if not rehash:
            return
        columns = ("seq", "event_id", "type", "schema_v", "device_time", "master_version", "body", "prev_hash")
        prev = raw.execute("SELECT hash FROM journal_event WHERE seq = ?", (seq - 1,)).fetchone()[0]
        for row in raw.execute(f"SELECT {', '.join(columns)} FROM journal_event WHERE seq >= ? ORDER BY seq",
                               (seq,)).fetchall():
            event = dict(zip(columns, row, strict=True))
            event["body"], event["prev_hash"] = json.loads(event["body"]), prev
            prev = event_hash(event)
            raw.execute("UPDATE journal_event SET prev_hash = ?, hash = ? WHERE seq = ?",
                        (event["prev_hash"], prev, event["seq"]))


def synced(ctx: PosContext, city: CityServer, sales: int = 3) -> int:
    enrol(ctx, city)
    for _ in range(sales):
        sell_oil(ctx, 1)
    outcome = upload_round(ctx, quick_client)
    assert outcome.state == "online" and outcome.acked_through == last_seq(ctx)
    return outcome.acked_through


def test_an_intact_synced_journal_with_a_z_passes_all_three_checks(ctx: PosContext, city: CityServer) -> None:
    acked = synced(ctx, city)
    closed = close(ctx, OPENING_FLOAT)
    result = check_journal(ctx)
    assert result.ok and result.first_bad_seq is None and result.problems == ()
    assert (result.acked_through, result.z_checked, result.last_seq) == (acked, 1, closed.close_seq)
    assert result.events == result.last_seq
    stored = json.loads(load_sync_settings_raw(ctx))
    assert set(stored) == {"device_id", "acked_through", "last_hash", "server_time", "receipt_sig"}
    assert summary_lines(result)[-1].startswith("HASIL: BAIK")


def load_sync_settings_raw(ctx: PosContext) -> str:
    with _db(ctx) as raw:
        return str(raw.execute("SELECT value FROM setting WHERE key = ?", (LAST_RECEIPT,)).fetchone()[0])


def test_deleting_acknowledged_events_at_the_tail_is_caught_by_the_city_receipt(ctx: PosContext,
                                                                               city: CityServer) -> None:
    acked = synced(ctx, city, sales=4)
    delete_from(ctx, acked - 1)  # the last two sales vanish; what is left still chains perfectly
    result = check_journal(ctx)
    assert not result.ok and result.first_bad_seq == acked - 1
    problem = result.first
    assert problem is not None and (problem.check, problem.code) == (RECEIPT, TAIL_DELETED)
    assert f"setelah seq {acked - 2}" in problem.text and f"sampai seq {acked}" in problem.text
    assert [p.check for p in result.problems] == [RECEIPT]  # the chain alone could never tell


def test_deleting_the_tail_and_selling_again_is_caught_by_the_acknowledged_hash(ctx: PosContext,
                                                                                city: CityServer) -> None:
    acked = synced(ctx, city, sales=2)
    delete_from(ctx, acked - 1)
    for note in ("ganti 1", "ganti 2"):  # the journal reaches the acknowledged seq again, with other events
        with ctx.unit_of_work() as uow:
            append_event(uow.connection, type="note", body={"note": note}, at=ctx.clock())
            uow.commit()
    result = check_journal(ctx)
    assert [(p.check, p.code, p.seq) for p in result.problems] == [(RECEIPT, ACKED_CHANGED, acked)]


def test_one_changed_event_is_caught_by_the_chain_at_its_seq(ctx: PosContext, city: CityServer) -> None:
    acked = synced(ctx, city, sales=3)
    change_body(ctx, acked - 1)
    result = check_journal(ctx)
    assert result.first_bad_seq == acked - 1
    assert result.first is not None and (result.first.check, result.first.code) == (CHAIN, CHAIN_BROKEN)


def test_a_rehashed_forgery_still_fails_against_the_receipt_and_the_z(ctx: PosContext, city: CityServer) -> None:
    acked = synced(ctx, city, sales=3)
    closed = close(ctx, OPENING_FLOAT)
    change_body(ctx, acked - 1, rehash=True)
    result = check_journal(ctx)
    found = {(p.check, p.code, p.seq) for p in result.problems}
    assert not any(p.check == CHAIN for p in result.problems)  # the chain was rebuilt: it verifies
    assert (RECEIPT, ACKED_CHANGED, acked) in found
    assert (Z_REPORT, Z_CHANGED, closed.close_seq - 1) in found
    assert result.first_bad_seq == acked


def test_truncating_below_a_z_is_caught_without_any_sync(ctx: PosContext) -> None:
    sell_oil(ctx, 1)
    first = close(ctx, OPENING_FLOAT)
    open_shift(ctx, cashier_id=user(ctx, "kasir").id, counts=OPENING_FLOAT)
    sell_oil(ctx, 2)
    second = close(ctx, OPENING_FLOAT)
    assert check_journal(ctx).ok
    delete_from(ctx, first.close_seq + 3)  # inside the second shift: its Z points past the end
    result = check_journal(ctx)
    assert [(p.check, p.code, p.seq) for p in result.problems] == [(Z_REPORT, Z_TRUNCATED, first.close_seq + 3)]
    assert result.first is not None and f"laporan Z {second.shift_no} ditutup di seq" in result.first.text
    lines = summary_lines(result)
    assert f"seq pertama yang rusak: {first.close_seq + 3}" in lines[-2] and "laporan Z" in lines[-2]


def test_a_forged_receipt_is_reported_and_not_trusted(ctx: PosContext, city: CityServer) -> None:
    acked = synced(ctx, city, sales=2)
    settings = load_sync_settings(ctx)
    forger = generate_private_key()
    assert public_key_b64(forger) != settings["sync.server_public_key"]
    claim = {"device_id": settings["sync.device_id"], "acked_through": acked + 50, "last_hash": "ab" * 32,
             "server_time": "2026-11-30T02:15:00Z"}
    claim["receipt_sig"] = sign_receipt(forger, **claim)
    with _db(ctx) as raw:
        raw.execute("UPDATE setting SET value = ? WHERE key = ?", (json.dumps(claim), LAST_RECEIPT))
    result = check_journal(ctx)
    assert result.acked_through is None  # the forged claim of acked_through + 50 was not believed
    assert [(p.check, p.code, p.seq) for p in result.problems] == [(RECEIPT, RECEIPT_INVALID, None)]
    assert "tidak sah" in summary_lines(result)[-1]


def test_the_command_line_prints_the_first_bad_seq_and_exits_1(ctx: PosContext, city: CityServer,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    acked = synced(ctx, city, sales=2)
    assert main(["verify-journal", "--data-dir", str(ctx.data_dir)]) == 0
    good = capsys.readouterr().out
    assert "HASIL: BAIK" in good and f"diakui sampai seq {acked}" in good
    delete_from(ctx, acked)
    assert main(["verify-journal", "--data-dir", str(ctx.data_dir)]) == 1
    bad = capsys.readouterr().out
    assert f"seq pertama yang rusak: {acked}" in bad and "tail_deleted" in bad


def test_the_command_line_refuses_a_folder_without_a_database(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify-journal", "--data-dir", str(tmp_path / "kosong")]) == 2
    assert "tidak berisi basis data gerai" in capsys.readouterr().err
    assert not (tmp_path / "kosong").exists()
