"""A restored till rebuilds stock thresholds, pack units and QRIS reconciliations from the city's events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kkmp_pos.domain.payment import cash_payment, non_cash_payment
from kkmp_pos.services import catalog, kasbon, qris
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.stock_views import set_low_stock, stock_list
from kkmp_pos.services.units import add_pack_unit, product_units, remove_pack_unit
from tests.services.test_backup import INDOMIE, MINYAKITA
from tests.services.test_journal_replay_lpg import restore_and_replay, table
from tests.services.test_kasbon import register
from tests.services.test_qris import sell
from tests.services.test_refunds import user

RICE = "BRS-CURAH"


def _product_id(ctx: PosContext, code: str) -> int:
    product = catalog.find_by_barcode(ctx, code) or catalog.find_by_sku(ctx, code)
    assert product is not None
    return product.id


def figures(ctx: PosContext) -> dict[str, Any]:
    """Products, pack units, payments and kasbon row by row, and what the stock, QRIS and kasbon screens show."""
    siti = table(ctx, "SELECT id FROM member WHERE name = 'Siti Aminah'")[0][0]
    return {
        "product": table(ctx, "SELECT * FROM product"),
        "product_unit": table(ctx, "SELECT * FROM product_unit"),
        "payment": table(ctx, "SELECT * FROM payment"),
        "credit_entry": table(ctx, "SELECT * FROM credit_entry"),
        "needs_order": [row.sku for row in stock_list(ctx, needs_order=True).rows],
        "units": {code: product_units(ctx, _product_id(ctx, code)) for code in (INDOMIE, RICE)},
        "pending_qris": [item.reference for item in qris.pending_qris(ctx)],
        "statuses": table(ctx, "SELECT method, amount, status, reference FROM payment WHERE status != 'settled' "
                               "OR verified_at IS NOT NULL"),
        "kasbon": kasbon.kasbon_balance(ctx, siti),
    }


def _before_backup(ctx: PosContext) -> None:
    """Three QRIS payments waiting for the statement (one of a member) and a threshold on the rice."""
    manajer = user(ctx, "manajer")
    siti = register(ctx, "Siti Aminah", "6472054101900001")
    sell(ctx, 2, 31_000, "QR-1", member=siti)
    sell(ctx, 1, 15_700, "QR-2")
    sell(ctx, 1, 15_700, "QR-3")
    set_low_stock(ctx, _product_id(ctx, RICE), 10_000, user_role=manajer.role, user_id=manajer.id)


def _after_backup(ctx: PosContext) -> None:
    manajer = user(ctx, "manajer")
    first, second, third = qris.pending_qris(ctx)
    qris.fail_qris(ctx, first.payment_id, non_cash_payment("kasbon", first.amount), by=manajer)
    qris.fail_qris(ctx, second.payment_id, non_cash_payment("transfer", 15_700, bank="BRI", reference="TRX-4"),
                   by=manajer)
    qris.verify_qris(ctx, third.payment_id, by=manajer)
    fourth = sell(ctx, 1, 15_700, "QR-4")  # a sale after the backup, reconciled too (both from the city)
    [pending] = qris.pending_qris(ctx)
    assert pending.sale_id == fourth.sale_id
    qris.fail_qris(ctx, pending.payment_id, cash_payment(15_700, 20_000), by=manajer)
    sell(ctx, 1, 15_700, "QR-5")  # still waiting
    set_low_stock(ctx, _product_id(ctx, MINYAKITA), 500_000, user_role=manajer.role, user_id=manajer.id)
    set_low_stock(ctx, _product_id(ctx, RICE), None, user_role=manajer.role, user_id=manajer.id)
    noodles = _product_id(ctx, INDOMIE)
    add_pack_unit(ctx, noodles, "pak", 5_000, by=manajer)
    remove_pack_unit(ctx, noodles, "dus", by=manajer)
    add_pack_unit(ctx, noodles, "dus", 24_000, by=manajer)  # the dus changed size: removed and added again
    add_pack_unit(ctx, _product_id(ctx, RICE), "karung50", 50_000, by=manajer)


def test_thresholds_pack_units_and_qris_reconciliations_come_back(tmp_path: Path) -> None:
    live, restored, replayed = restore_and_replay(tmp_path, _before_backup, _after_backup, figures)
    assert live["pending_qris"] == ["QR-5"] and live["kasbon"] == 31_000
    assert live["statuses"] == [  # the failed QRIS with the payments that settled them, the verified one
        ("kasbon", 31_000, "settled", None), ("qris", 15_700, "failed", "QR-2"), ("qris", 15_700, "failed", "QR-4"),
        ("qris", 15_700, "pending", "QR-5"), ("qris", 15_700, "settled", "QR-3"), ("qris", 31_000, "failed", "QR-1"),
        ("transfer", 15_700, "settled", "TRX-4"), ("tunai", 15_700, "settled", None)]
    assert live["needs_order"] == ["MGR-MKT-1"]  # the oil's new threshold; the rice's was cleared
    assert [(u.unit, u.factor_milli) for u in live["units"][INDOMIE]] == [("pcs", 1000), ("pak", 5000),
                                                                          ("dus", 24000)]
    for key in live:  # the backup lacks all of it, so each figure shows what the replay brought back
        assert restored[key] != live[key], key
    assert replayed == live
