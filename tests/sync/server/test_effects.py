"""Effects of ingested events on the dashboard's facts, stock, LPG 3 kg and flags — through real uploads."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from sync.server.clock import rfc3339
from sync.server.effects import business_date, parse_time, quantity, rupiah
from sync.server.store.schema import (
    journal_event,
    lpg_month,
    master_item,
    master_version,
    payment_day,
    sales_day,
    sales_product_day,
    stock_position,
)
from tests.sync.server.test_ingest import NOW, Device, engine, flags, sale, stored

__all__ = ["engine"]


def rows(engine: Engine, table: Any, *columns: str) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        query = select(*(table.c[name] for name in columns)).order_by(*(table.c[name] for name in columns))
        return [tuple(row) for row in connection.execute(query)]


def refund(sku: str, qty: int, amount: int, method: str = "tunai", day: str = "2026-11-30") -> dict[str, Any]:
    return {"refund_id": "r1", "sale_id": "s", "business_date": day, "total": amount,
            "lines": [{"sku": sku, "qty_milli": qty, "amount": amount}],
            "payment": {"method": method, "amount": amount, "reference": None}}


def publish(engine: Engine, *items: tuple[str, str, dict[str, str]]) -> None:
    with engine.begin() as connection:
        connection.execute(insert(master_version).values(version=1, published_at=rfc3339(NOW), source="t.csv",
                                                         items=len(items)))
        connection.execute(insert(master_item), [
            {"kind": kind, "key": key, "version": 1, "payload": json.dumps(row)} for kind, key, row in items])


def het(sku: str, amount: int, since: str, kind: str = "HET") -> tuple[str, str, dict[str, str]]:
    return ("ceiling", f"{sku}|{kind}|{since}", {"sku": sku, "kind": kind, "amount": str(amount),
                                                 "source": "uji", "region": "Samarinda", "effective_from": since})


def test_sales_accumulate_per_day_product_and_payment_across_batches(engine: Engine) -> None:
    dev = Device(engine)
    dev.add("sale", sale(15700))
    split = sale(40000, sku="BRS-MED-5", qty=2000, member=True)
    split["payments"] = [{"method": "tunai", "amount": 10000}, {"method": "qris", "amount": 30000}]
    dev.add("sale", split)
    dev.upload()
    dev.add("sale", sale(31400, qty=2000, day="2026-12-01"))
    dev.add("sale", sale(15700))
    dev.upload(3)
    assert rows(engine, sales_day, "business_date", "sales_count", "sales_total", "member_sales_count",
                "member_sales_total", "refund_count", "z_closed") == [
        ("2026-11-30", 3, 71400, 1, 40000, 0, 0), ("2026-12-01", 1, 31400, 0, 0, 0, 0)]
    assert rows(engine, sales_product_day, "business_date", "sku", "name", "qty_milli", "amount", "lines") == [
        ("2026-11-30", "BRS-MED-5", "Barang BRS-MED-5", 2000, 40000, 1),
        ("2026-11-30", "MGR-MKT-1", "Barang MGR-MKT-1", 2000, 31400, 2),
        ("2026-12-01", "MGR-MKT-1", "Barang MGR-MKT-1", 2000, 31400, 1)]
    assert rows(engine, payment_day, "business_date", "method", "amount", "count") == [
        ("2026-11-30", "qris", 30000, 1), ("2026-11-30", "tunai", 41400, 3), ("2026-12-01", "tunai", 31400, 1)]


def test_refund_subtracts_sales_facts_and_returns_stock(engine: Engine) -> None:
    dev = Device(engine)
    dev.add("stock_receipt", {"lines": [{"sku": "MGR-MKT-1", "base_qty_milli": 10000}], "received_on": "x"})
    dev.add("sale", sale(31400, qty=2000))
    dev.add("refund", refund("MGR-MKT-1", 1000, 15700, method="qris"))
    dev.upload()
    assert rows(engine, sales_day, "sales_count", "sales_total", "refund_count", "refund_total") == [
        (1, 31400, 1, 15700)]
    assert rows(engine, sales_product_day, "sku", "qty_milli", "amount", "lines") == [("MGR-MKT-1", 1000, 15700, 1)]
    assert rows(engine, payment_day, "method", "amount", "count") == [("qris", -15700, 0), ("tunai", 31400, 1)]
    assert rows(engine, stock_position, "sku", "qty_milli") == [("MGR-MKT-1", 9000)]


def test_a_refund_first_keeps_the_real_name_when_the_sale_arrives(engine: Engine) -> None:
    dev = Device(engine)
    dev.add("refund", refund("GLA-1", 1000, 5000))
    dev.upload()
    assert rows(engine, sales_product_day, "sku", "name") == [("GLA-1", "GLA-1")]
    dev.add("sale", sale(5000, sku="GLA-1"))
    dev.add("refund", refund("GLA-1", 1000, 5000))
    dev.upload(2)
    assert rows(engine, sales_product_day, "sku", "name", "qty_milli", "amount", "lines") == [
        ("GLA-1", "Barang GLA-1", -1000, -5000, 1)]


def test_stock_movements_and_a_negative_crossing_is_flagged_once(engine: Engine) -> None:
    dev = Device(engine)
    dev.add("stock_receipt", {"lines": [{"sku": "A", "base_qty_milli": 5000}, {"sku": "B", "base_qty_milli": 1000}]})
    dev.add("stock_adjustment", {"reason": "rusak", "lines": [{"sku": "A", "qty_milli": -500}]})
    dev.add("stock_count", {"lines": [{"sku": "A", "expected_milli": 4500, "counted_milli": 4000,
                                       "difference_milli": -500}]})
    dev.add("sale", sale(10000, sku="B", qty=2500))
    dev.upload()
    assert rows(engine, stock_position, "sku", "qty_milli", "updated_at") == [
        ("A", 4000, rfc3339(NOW)), ("B", -1500, rfc3339(NOW))]
    negative = flags(engine, "negative_stock")
    assert len(negative) == 1 and "B" in negative[0]["detail"] and "-1,5" in negative[0]["detail"]
    dev.add("sale", sale(4000, sku="B", qty=1000))  # still negative: no second flag
    dev.upload(5)
    assert rows(engine, stock_position, "sku", "qty_milli")[1] == ("B", -2500)
    assert len(flags(engine, "negative_stock")) == 1


def test_lpg_3kg_per_month_by_buyer_category_net_of_refunds(engine: Engine) -> None:
    dev = Device(engine)
    buyer = {"buyer_id": "b1", "nik_masked": "6472********0001", "category": "rumah_tangga"}
    dev.add("sale", sale(18000, sku="LPG-3-ISI", lpg=buyer))
    dev.add("sale", sale(36000, sku="LPG-3-ISI", qty=2000, lpg={**buyer, "category": "usaha_mikro"}))
    dev.add("sale", sale(18000, sku="LPG-3-ISI", lpg={**buyer, "category": "pengecer"}))
    dev.add("sale", sale(210000, sku="LPG-12-ISI"))  # not 3 kg
    dev.add("sale", sale(18000, sku="LPG-3-ISI", day="2026-12-01", lpg=buyer))
    dev.add("refund", refund("LPG-3-ISI", 1000, 18000))
    dev.upload()
    assert rows(engine, lpg_month, "month", "cylinders", "buyers_rumah_tangga", "buyers_usaha_mikro",
                "buyers_other", "amount") == [("2026-11", 3, 1, 1, 1, 54000), ("2026-12", 1, 1, 0, 0, 18000)]


def test_z_close_counts_on_the_wita_business_date(engine: Engine) -> None:
    dev = Device(engine)
    dev.clock = datetime(2026, 11, 30, 15, 59, tzinfo=timezone.utc)  # 23:59:30 WITA after add's +30 s
    dev.add("shift_close", {"shift_id": "s1", "shift_no": "SH-1"})
    dev.add("shift_close", {"shift_id": "s2", "shift_no": "SH-2"})  # 00:00 WITA the next day
    dev.add("shift_close", {"shift_id": "s3", "business_date": "2026-11-29"})
    dev.upload()
    assert rows(engine, sales_day, "business_date", "z_closed", "sales_count") == [
        ("2026-11-29", 1, 0), ("2026-11-30", 1, 0), ("2026-12-01", 1, 0)]


def test_approved_overrides_are_flagged(engine: Engine) -> None:
    dev = Device(engine)
    for action, outcome in (("lpg_over_limit", "approved"), ("lpg_over_limit", "refused"),
                            ("price_above_het", "approved"), ("discount_over_limit", "approved")):
        dev.add("override", {"approval_id": "a", "action": action, "subject": "LPG-3-ISI", "outcome": outcome,
                             "reason": "warung", "before": None, "after": None})
    dev.upload()
    assert [(f["kind"], f["seq"]) for f in flags(engine)] == [("lpg_limit_override", 1), ("override", 3)]


def test_an_approved_sale_above_het_is_one_flag_that_names_the_approval(engine: Engine) -> None:
    publish(engine, het("MGR-MKT-1", 15700, "2024-08-01"))
    dev = Device(engine)
    for approval, price in (("izin-1", 16500), ("izin-2", 15600)):  # the second sells within the city's HET
        dev.add("override", {"approval_id": approval, "action": "price_above_het", "subject": "MGR-MKT-1",
                             "outcome": "approved", "reason": "harga pemasok naik", "before": None, "after": None})
        dev.add("sale", {**sale(price), "approvals": [approval]})
    dev.add("sale", sale(15900))  # above the HET with no approval at all
    dev.upload()
    found = [(f["kind"], f["seq"], f["detail"]) for f in flags(engine) if f["kind"] != "negative_stock"]
    assert [(kind, seq) for kind, seq, _ in found] == [("price_above_het", 2), ("override", 3),
                                                        ("price_above_het", 5)]  # ids in seq order
    assert found[0][2] == ("MGR-MKT-1 dijual Rp16.500 di atas HET Rp15.700 (struk LPK-01-000001, 2026-11-30); "
                           "dengan izin manajer (alasan: harga pemasok naik)")
    assert found[1][2] == "Izin menjual di atas HET: MGR-MKT-1 (alasan: harga pemasok naik)"
    assert "izin" not in found[2][2]


def test_het_in_force_by_effective_date_then_the_catalogue(engine: Engine) -> None:
    publish(engine,
            het("MGR-MKT-1", 14000, "2022-01-01"), het("MGR-MKT-1", 15700, "2024-08-01"),
            het("MGR-MKT-1", 10000, "2027-01-01"),  # not yet in force
            het("MGR-MKT-1", 100, "2024-01-01", kind="HAP"),  # a HAP only warns at the till
            ("product", "BRS-MED-5", {"sku": "BRS-MED-5", "het_per_unit": "70000"}),
            ("product", "GLA-1", {"sku": "GLA-1", "het_per_unit": ""}))
    dev = Device(engine)
    dev.add("sale", sale(15700))  # at the HET: fine
    dev.add("sale", sale(15800))  # above the 2024 HET
    dev.add("sale", sale(15000, day="2023-05-01"))  # above the 2022 HET in force that day
    dev.add("sale", sale(71000, sku="BRS-MED-5"))  # above the catalogue HET
    dev.add("sale", sale(99999, sku="GLA-1"))  # no HET at all
    dev.upload()
    assert stored(engine) == [1, 2, 3, 4, 5]
    assert [f["seq"] for f in flags(engine, "price_above_het")] == [2, 3, 4]


def test_odd_bodies_of_known_types_are_stored_without_facts_or_errors(engine: Engine) -> None:
    dev = Device(engine)
    dev.add("sale", {"lines": "semua", "payments": None, "total": "banyak"})
    dev.add("sale", {"business_date": "2026-02-31", "total": 10**18, "lines": [
        {"sku": "X" * 41, "qty_milli": 1000, "total": 1}, {"sku": "OK\x00", "qty_milli": 1, "total": 1},
        {"sku": "Y", "qty_milli": True, "total": 1}, "not a line"],
        "payments": [{"method": "m" * 17, "amount": 1}, {"method": "tunai", "amount": 10**14}]})
    dev.add("refund", {"lines": [{"sku": "Z"}], "payment": "tunai"})
    dev.add("stock_receipt", {"lines": {"sku": "A"}})
    dev.add("override", {"outcome": "approved", "action": ["lpg_over_limit"]})
    dev.add("shift_close", {"business_date": 20261130})
    dev.add("sale", {})
    assert dev.upload()["acked_through"] == 7
    assert rows(engine, sales_product_day, "sku") == []
    assert rows(engine, payment_day, "method") == []
    assert rows(engine, stock_position, "sku") == []
    facts = rows(engine, sales_day, "business_date", "sales_count", "sales_total", "refund_count", "z_closed")
    assert facts == [("2026-11-30", 3, 0, 1, 1)]  # dates from the WITA device_time when the body's is bad


def test_journal_rows_keep_the_exact_device_time_text(engine: Engine) -> None:
    dev = Device(engine)
    event = dev.add("sale", sale())
    dev.upload()
    with engine.connect() as connection:
        assert connection.execute(select(journal_event.c.device_time)).scalar_one() == event["device_time"]


@pytest.mark.parametrize(("body", "device_time", "expected"), [
    ({"business_date": "2026-11-30"}, "2026-12-05T00:00:00Z", "2026-11-30"),
    ({"business_date": "2026-13-01"}, "2026-11-30T16:00:00Z", "2026-12-01"),
    ({}, "2026-11-30T15:59:59.999999999+00:00", "2026-11-30"),
    ({}, "2026-12-01T00:30:00+08:00", "2026-12-01"),
    ({}, "2026-11-30t23:30:00-01:00", "2026-12-01"),
])
def test_business_date(body: dict[str, Any], device_time: str, expected: str) -> None:
    assert business_date({"body": body, "device_time": device_time}) == expected


def test_small_formatters() -> None:
    assert parse_time("2026-11-30T10:15:00+08:00") == datetime(2026, 11, 30, 2, 15, tzinfo=timezone.utc)
    assert parse_time("2026-11-30 10:15:00") is None
    assert parse_time("0001-01-01T00:00:00+01:00") is None  # before year 1 in UTC
    assert (quantity(-1500), quantity(12000), quantity(250), quantity(1_234_005)) == ("-1,5", "12", "0,25",
                                                                                       "1.234,005")
    assert (rupiah(15700), rupiah(-1_000_000)) == ("Rp15.700", "-Rp1.000.000")
