"""Simulated outlet helpers: the sample catalogue, the till's time format, request bodies and Z figures."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from importlib import resources
from typing import Any

from sync.client.transport import compress_body, encode_body

WITA = timezone(timedelta(hours=8))
DENOMINATIONS = (100_000, 50_000, 20_000, 10_000, 5_000, 2_000, 1_000)


@dataclass(frozen=True, slots=True)
class Item:
    """One catalogue row of resources/catalog_sample.csv, with money as integers."""

    sku: str
    name: str
    unit: str
    price: int
    member_price: int
    het: int | None
    by_weight: bool
    lpg_kind: str
    cost: int


def load_catalog() -> list[Item]:
    """The sample catalogue shipped with the outlet (a data file: no outlet code is imported)."""
    text = resources.files("kkmp_pos.resources").joinpath("catalog_sample.csv").read_text(encoding="utf-8")
    return [
        Item(sku=row["sku"], name=row["name"], unit=row["unit"], price=int(row["price"]),
             member_price=int(row["member_price"] or row["price"]),
             het=int(row["het_per_unit"]) if row["het_per_unit"] else None,
             by_weight=row["sold_by_weight"] == "1", lpg_kind=row["lpg_kind"], cost=int(row["cost_price"] or 0))
        for row in csv.DictReader(io.StringIO(text))
    ]


def outlet_time(moment: datetime) -> str:
    """How the till writes an instant: UTC, milliseconds, `+00:00` (kkmp_pos.domain.clock.rfc3339)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def wita(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=WITA)


def gzip_body(body: Mapping[str, Any]) -> bytes:
    """A request body as the client sends it (CityClient: compact sorted JSON, gzip mtime=0)."""
    return compress_body(encode_body(body))


class ShiftFigures:
    """The Z figures of a simulated shift (the keys of kkmp_pos.domain.shift_report.ShiftFigures)."""

    def __init__(self) -> None:
        self.f: dict[str, int] = dict.fromkeys((
            "cash_in", "cash_out", "cash_received", "cash_sales", "change_given", "debit_sales", "discounts",
            "kasbon_repaid_cash", "kasbon_sales", "lpg_cylinders", "member_count", "member_sales",
            "non_member_count", "non_member_sales", "qris_failed", "qris_failed_cash", "qris_pending",
            "qris_settled", "refunds_cash", "refunds_count", "refunds_total", "sales_count", "sales_total",
            "savings_cash_in", "savings_cash_out", "transfer_sales", "voids"), 0)
        self.f["opening_float"] = 150_000

    def add_sale(self, event: dict[str, Any]) -> None:
        body, f = event["body"], self.f
        f["sales_count"] += 1
        f["sales_total"] += body["total"]
        f["discounts"] += body["discount_total"]
        key = "member" if body["member_id"] else "non_member"
        f[f"{key}_count"] += 1
        f[f"{key}_sales"] += body["total"]
        f["lpg_cylinders"] += sum(line["qty_milli"] // 1000 for line in body["lines"] if "lpg" in line)
        for payment in body["payments"]:
            method = payment["method"]
            if method == "tunai":
                f["cash_sales"] += payment["amount"]
                f["cash_received"] += payment["tendered"]
                f["change_given"] += payment["change"]
            elif method == "qris":
                f["qris_pending"] += payment["amount"]
            else:
                f[f"{method}_sales"] += payment["amount"]

    def add_refund(self, event: dict[str, Any]) -> None:
        body, f = event["body"], self.f
        f["refunds_count"] += 1
        f["refunds_total"] += body["total"]
        if body["payment"]["method"] == "tunai":
            f["refunds_cash"] += body["total"]

    def z(self, shift_id: str, shift_no: str, cashier: str, manager: str, approval: str,
          sold: list[dict[str, Any]], last_seq: int, last_hash: str, rng: random.Random) -> dict[str, Any]:
        f = self.f
        expected = (f["opening_float"] + f["cash_sales"] - f["refunds_cash"] + f["cash_in"] - f["cash_out"])
        counted = expected - rng.choice((0, 0, 0, 0, 500, 1_000, 2_000))
        counts, left = {}, counted
        for note in DENOMINATIONS:
            if left >= note:
                counts[str(note)], left = left // note, left % note
        return {**f, "expected_cash": expected, "shift_id": shift_id, "shift_no": shift_no, "counted_cash": counted,
                "over_short": counted - expected, "closing_counts": counts, "closed_by": cashier,
                "approved_by": manager, "approval_id": approval,
                "first_receipt": sold[0]["body"]["receipt_no"] if sold else None,
                "last_receipt": sold[-1]["body"]["receipt_no"] if sold else None,
                "last_seq": last_seq, "last_hash": last_hash}
