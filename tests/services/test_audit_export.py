"""The audit CSV for the pengawas and the Dinas: every event of the period, approvals with reasons, Excel-ready."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kkmp_pos.cli import main
from kkmp_pos.domain.errors import InvalidInput, PosError
from kkmp_pos.domain.roles import Action
from kkmp_pos.services.approvals import ApprovalRefused, request_approval
from kkmp_pos.services.audit_export import COLUMNS, export_audit_csv
from kkmp_pos.services.context import PosContext
from kkmp_pos.store.models import JournalEvent
from tests.services.test_shift_close import move_cash, sell_oil, user

TODAY = date(2026, 11, 30)


def read(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data  # BOM and CRLF, like the other exports
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_every_event_of_the_day_with_approvals_and_their_reasons(ctx: PosContext, tmp_path: Path) -> None:
    sale = sell_oil(ctx, 2)
    move_cash(ctx, "out", 20_000, reason="setor ke bank")
    with pytest.raises(ApprovalRefused):
        request_approval(ctx, action=Action.MANUAL_PRICE, cashier_id=user(ctx, "kasir").id,
                         approver_username="manajer", pin="0000", reason="=harga salah cetak", subject="BRS-5")
    path = tmp_path / "audit.csv"
    written = export_audit_csv(ctx, TODAY, TODAY, path, viewer_id=user(ctx, "pengawas").id)
    rows = read(path)
    with ctx.engine.connect() as connection:
        events = connection.execute(select(func.count()).select_from(JournalEvent.__table__)).scalar_one()
        hashes = dict(connection.execute(select(JournalEvent.seq, JournalEvent.hash)).all())
    assert written == len(rows) == events  # the demo outlet was set up today as well
    assert list(rows[0]) == list(COLUMNS)
    assert [int(r["seq"]) for r in rows] == sorted(hashes)
    assert all(r["hash8"] == hashes[int(r["seq"])][:8] for r in rows)
    sold = next(r for r in rows if r["jenis"] == "sale")
    assert sold["jumlah_rp"] == str(sale.total) and sale.receipt_no in sold["keterangan"]
    assert sold["waktu_wita"] == "2026-11-30 10:15:00" and sold["oleh"]
    overrides = [r for r in rows if r["jenis"] == "override"]
    approved = next(r for r in overrides if r["tindakan"] == "Kas masuk/keluar")
    assert approved["hasil"] == "disetujui" and approved["penyetuju"] and approved["alasan"] == "akhir hari"
    refused = next(r for r in overrides if r["tindakan"] == "Ubah harga manual")
    # A typed reason starting with "=" is never run as a formula by Excel.
    assert refused["hasil"] == "ditolak" and refused["alasan"] == "'=harga salah cetak"
    assert "BRS-5" in refused["keterangan"]
    movement = next(r for r in rows if r["jenis"] == "cash_movement")
    assert movement["jumlah_rp"] == "20000" and movement["keterangan"].endswith(" · out · setor ke bank")


def test_only_the_manager_supervisor_or_admin_may_export(ctx: PosContext, tmp_path: Path) -> None:
    with pytest.raises(PosError, match="Audit hanya untuk manajer, pengawas dan admin"):
        export_audit_csv(ctx, TODAY, TODAY, tmp_path / "a.csv", viewer_id=user(ctx, "kasir").id)
    assert not (tmp_path / "a.csv").exists()
    assert export_audit_csv(ctx, TODAY, TODAY, tmp_path / "b.csv", viewer_id=user(ctx, "manajer").id) > 0


def test_the_period_is_in_wita_days_and_checked(ctx: PosContext, tmp_path: Path) -> None:
    path = tmp_path / "kemarin.csv"
    assert export_audit_csv(ctx, date(2026, 11, 29), date(2026, 11, 29), path, viewer_id=None) == 0
    assert read(path) == []
    with pytest.raises(InvalidInput, match="sesudah tanggal akhir"):
        export_audit_csv(ctx, TODAY, date(2026, 11, 1), path, viewer_id=None)
    with pytest.raises(InvalidInput, match="paling lama 366 hari"):
        export_audit_csv(ctx, date(2025, 1, 1), TODAY, path, viewer_id=None)


def test_the_command_line_writes_the_file(ctx: PosContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                          ) -> None:
    sell_oil(ctx, 1)
    out = tmp_path / "audit-cli.csv"
    code = main(["audit-export", "--data-dir", str(ctx.data_dir), "--from", "2026-11-30", "--to", "2026-11-30",
                 "--out", str(out)])
    assert code == 0
    rows = read(out)
    assert f"{len(rows)} baris" in capsys.readouterr().out and any(r["jenis"] == "sale" for r in rows)
    assert main(["audit-export", "--data-dir", str(ctx.data_dir), "--from", "2026-12-01", "--to",
                 "2026-11-30", "--out", str(out)]) == 1
    assert "sesudah tanggal akhir" in capsys.readouterr().err
