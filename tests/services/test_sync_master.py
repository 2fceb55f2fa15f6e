"""Master data from the city applies one signed version atomically, or nothing; later sales record it."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.services import catalog, outlet, sales
from kkmp_pos.services.ceilings import ceiling_for
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.lpg_limits import load_lpg_limits
from kkmp_pos.services.settings import load_settings
from kkmp_pos.services.sync_master import MasterRejected, apply_master
from sync.protocol.keys import generate_private_key, public_key_b64, sign

SERVER = generate_private_key()
SERVER_KEY = public_key_b64(SERVER)

OIL = {"sku": "MGR-MKT-1", "barcode": "8999900000055", "name": "Minyakita 1 liter", "category": "Minyak",
       "unit": "botol", "price": "15500", "member_price": "15300", "het_per_unit": "15700",
       "het_source": "Permendag 18/2024", "ppn": "bebas", "sold_by_weight": "0", "lpg_kind": "",
       "cost_price": "14000"}
NEW = {"sku": "GULA-1", "barcode": "", "name": "Gula Pasir 1 kg", "category": "Gula", "unit": "pak",
       "price": "17500", "member_price": "", "het_per_unit": "18000", "het_source": "", "ppn": "bebas",
       "sold_by_weight": "0", "lpg_kind": "", "cost_price": ""}


def master(version: int, changes: list[dict[str, Any]], *, since: int = 0, key: Any = SERVER) -> dict[str, Any]:
    unsigned = {"version": version, "snapshot": since == 0,
                "changes": sorted(changes, key=lambda c: (c["kind"], c["key"]))}
    return unsigned | {"sig": sign(key, unsigned)}


def product(row: dict[str, str]) -> dict[str, Any]:
    return {"kind": "product", "key": row["sku"], "row": row}


def ceiling(sku: str, amount: int, day: str) -> dict[str, Any]:
    row = {"sku": sku, "kind": "HET", "amount": str(amount), "source": "Permendag 9/2027", "region": "Nasional",
           "effective_from": day}
    return {"kind": "ceiling", "key": f"{sku}|HET|{day}", "row": row}


def _counts(ctx: PosContext) -> dict[str, int]:
    with ctx.engine.connect() as connection:
        return {t: int(connection.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() or 0)
                for t in ("product", "price_ceiling", "journal_event", "setting")}


def _sell_oil(ctx: PosContext) -> sales.CompletedSale:
    cart = Cart()
    oil = catalog.find_by_sku(ctx, "MGR-MKT-1")
    assert oil is not None
    cart.add(oil, 1000)
    return sales.complete_sale(ctx, cart, [cash_payment(cart.total, 20_000)],
                               cashier_id=outlet.default_cashier(ctx).id)


def _event(ctx: PosContext, seq: int) -> dict[str, Any]:
    with ctx.engine.connect() as connection:
        row = connection.exec_driver_sql("SELECT * FROM journal_event WHERE seq = ?", (seq,)).mappings().one()
    return dict(row) | {"body": json.loads(row["body"])}


def test_one_version_applies_products_ceilings_limits_settings_and_sales_record_it(ctx: PosContext) -> None:
    before = _counts(ctx)
    body = master(3, [
        product(OIL), product(NEW), ceiling("MGR-MKT-1", 16000, "2027-01-01"),
        {"kind": "lpg_limit", "key": "rumah_tangga", "row": {"category": "rumah_tangga", "per_day": "1",
                                                              "per_month": "10"}},
        {"kind": "setting", "key": "receipt_footer", "row": {"key": "receipt_footer", "value": "Salam KKMP"}},
        {"kind": "setting", "key": "printer_uri", "row": {"key": "printer_uri", "value": "file:/etc/passwd"}},
    ])
    outcome = apply_master(ctx, body, SERVER_KEY)
    assert (outcome.version, outcome.applied, outcome.items) == (3, True, 6)
    assert outcome.kinds == {"ceiling": 1, "lpg_limit": 1, "product": 2, "setting": 2}
    assert outcome.skipped_settings == ("printer_uri",)
    after = _counts(ctx)
    assert (after["product"] - before["product"], after["price_ceiling"] - before["price_ceiling"]) == (1, 1)
    oil = catalog.find_by_sku(ctx, "MGR-MKT-1")
    assert oil is not None and oil.price == 15500
    assert catalog.find_by_sku(ctx, "GULA-1") is not None
    assert ceiling_for(ctx, oil, date(2027, 1, 2)).amount == 16000  # type: ignore[union-attr]
    assert ceiling_for(ctx, oil, date(2026, 12, 31)).amount == 15700  # type: ignore[union-attr]
    limits = load_lpg_limits(ctx)["rumah_tangga"]
    assert (limits.per_day, limits.per_month) == (1, 10)
    settings = load_settings(ctx)
    assert settings.receipt_footer == "Salam KKMP" and settings.printer_uri != "file:/etc/passwd"

    applied = _event(ctx, after["journal_event"])
    assert applied["type"] == "master_applied" and applied["master_version"] == 3
    assert applied["body"] == {"version": 3, "items": 6,
                               "kinds": {"ceiling": 1, "lpg_limit": 1, "product": 2, "setting": 2}}
    sale = _sell_oil(ctx)
    assert sale.total == 15500
    assert _event(ctx, sale.journal_seq)["master_version"] == 3
    assert verify_journal(ctx.engine) is None


def test_an_older_or_same_version_changes_nothing(ctx: PosContext) -> None:
    apply_master(ctx, master(2, [product(NEW)]), SERVER_KEY)
    before = _counts(ctx)
    outcome = apply_master(ctx, master(2, [product(OIL | {"price": "1"})], since=1), SERVER_KEY)
    assert (outcome.applied, outcome.version) == (False, 2)
    assert _counts(ctx) == before
    assert catalog.find_by_sku(ctx, "MGR-MKT-1").price != 1  # type: ignore[union-attr]


@pytest.mark.parametrize("spoil", ["signature", "other_key", "bad_row", "unknown_category", "bad_setting",
                                   "key_mismatch", "shape"])
def test_a_bad_master_applies_nothing(ctx: PosContext, spoil: str) -> None:
    changes = [product(OIL | {"price": "15000"}), product(NEW), ceiling("MGR-MKT-1", 16000, "2027-01-01")]
    body = master(5, changes)
    if spoil == "signature":
        body["changes"][0]["row"]["price"] = "14000"
    elif spoil == "other_key":
        body = master(5, changes, key=generate_private_key())
    elif spoil == "bad_row":
        body = master(5, [*changes, product(NEW | {"sku": "GULA-2", "price": "15.000"})])
    elif spoil == "unknown_category":
        body = master(5, [*changes, {"kind": "lpg_limit", "key": "hotel",
                                     "row": {"category": "hotel", "per_day": "1", "per_month": ""}}])
    elif spoil == "bad_setting":
        body = master(5, [*changes, {"kind": "setting", "key": "idle_lock_minutes",
                                     "row": {"key": "idle_lock_minutes", "value": "9999"}}])
    elif spoil == "key_mismatch":
        body = master(5, [*changes, {"kind": "product", "key": "X-1", "row": NEW | {"sku": "X-2"}}])
    else:
        body = master(5, changes) | {"extra": 1}
    before = _counts(ctx)
    with pytest.raises(MasterRejected) as refused:
        apply_master(ctx, body, SERVER_KEY)
    assert "ditolak" in str(refused.value)
    assert _counts(ctx) == before
    assert catalog.find_by_sku(ctx, "MGR-MKT-1").price != 15000  # type: ignore[union-attr]
    assert catalog.find_by_sku(ctx, "GULA-1") is None
    assert _sell_oil_version(ctx) == 0


def _sell_oil_version(ctx: PosContext) -> int:
    return int(_event(ctx, _sell_oil(ctx).journal_seq)["master_version"])


def test_a_corrected_ceiling_from_the_city_replaces_the_local_value(ctx: PosContext) -> None:
    apply_master(ctx, master(1, [ceiling("MGR-MKT-1", 16000, "2027-01-01")]), SERVER_KEY)
    apply_master(ctx, master(2, [ceiling("MGR-MKT-1", 15900, "2027-01-01")], since=1), SERVER_KEY)
    oil = catalog.find_by_sku(ctx, "MGR-MKT-1")
    assert oil is not None
    assert ceiling_for(ctx, oil, date(2027, 2, 1)).amount == 15900  # type: ignore[union-attr]
