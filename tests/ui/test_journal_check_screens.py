"""Laporan → Periksa jurnal and Ekspor audit (CSV): who may open them, the check's verdict, the exported file."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

from pytestqt.qtbot import QtBot

from kkmp_pos.services.context import PosContext
from kkmp_pos.store.db import DB_FILENAME
from kkmp_pos.ui.journal_check_dialog import AuditExportDialog, JournalCheckDialog
from kkmp_pos.ui.main_window import MainWindow
from tests.services.test_shift_close import sell_oil
from tests.ui.helpers import open_dialog, wait_closed
from tests.ui.test_stock_count import quit_app, start_app


def test_the_cashier_cannot_but_the_supervisor_can_check_and_export(qtbot: QtBot, window: MainWindow,
                                                                    ctx: PosContext) -> None:
    assert not window.journal_check_action.isEnabled() and not window.audit_export_action.isEnabled()
    supervisor = start_app(qtbot, ctx, "pengawas")
    try:
        assert supervisor.journal_check_action.isEnabled() and supervisor.audit_export_action.isEnabled()
    finally:
        quit_app(supervisor)


def test_an_intact_journal_then_a_changed_event_shown_with_its_seq(qtbot: QtBot, ctx: PosContext) -> None:
    sale = sell_oil(ctx, 1)
    main = start_app(qtbot, ctx, "manajer")
    try:
        main.journal_check_action.trigger()
        dialog = open_dialog(qtbot, main.till, JournalCheckDialog)
        qtbot.waitUntil(lambda: dialog.result is not None and not dialog.is_running())
        assert dialog.result is not None and dialog.result.ok
        assert "HASIL: BAIK" in dialog.report_view.toPlainText()
        assert "Jurnal utuh" in dialog.messages.text()
        with sqlite3.connect(ctx.data_dir / DB_FILENAME) as raw:
            raw.execute("UPDATE journal_event SET body = replace(body, ?, ?) WHERE seq = ?",
                        (f'"total":{sale.total}', f'"total":{sale.total - 1000}', sale.journal_seq))
        raw.close()
        dialog.again_button.click()
        qtbot.waitUntil(lambda: not dialog.is_running() and dialog.result is not None and not dialog.result.ok)
        assert f"seq pertama yang rusak: {sale.journal_seq}" in dialog.report_view.toPlainText()
        assert f"Jurnal rusak mulai seq {sale.journal_seq}" in dialog.messages.text()
        dialog.reject()
        wait_closed(qtbot, main.till)
    finally:
        quit_app(main)


def test_the_supervisor_exports_the_audit_csv_of_a_period(qtbot: QtBot, ctx: PosContext, tmp_path: Path) -> None:
    sale = sell_oil(ctx, 1)
    main = start_app(qtbot, ctx, "pengawas")
    try:
        main.audit_export_action.trigger()
        dialog = open_dialog(qtbot, main.till, AuditExportDialog)
        assert [d.isoformat() for d in dialog.period()] == ["2026-11-01", "2026-11-30"]
        path = tmp_path / "audit.csv"
        dialog.export_csv(path)
        qtbot.waitUntil(lambda: dialog.saved == path)
        assert "disimpan" in dialog.messages.text()
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        assert any(r["jenis"] == "sale" and sale.receipt_no in r["keterangan"] for r in rows)
        dialog.reject()
    finally:
        quit_app(main)
