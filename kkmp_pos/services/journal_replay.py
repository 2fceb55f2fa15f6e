"""Rebuilding the till's business rows from journal events the city sent back (sync_restore): one function per
event type, each finding (or standing in for) what the event names."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, insert, select, update

from kkmp_pos.domain.clock import parse_rfc3339
from kkmp_pos.domain.kasbon import REPAID
from kkmp_pos.domain.lpg import cylinder_deltas, cylinder_size, is_subsidised
from kkmp_pos.domain.payment import KASBON
from kkmp_pos.domain.quantity import MILLI
from kkmp_pos.domain.text import search_key
from kkmp_pos.services.journal_replay_lpg import LPG_REPLAY
from kkmp_pos.services.lpg_sale import write_lpg_refund
from kkmp_pos.services.qris import write_reconciliation
from kkmp_pos.services.stock_views import write_low_stock
from kkmp_pos.services.units import write_pack_unit
from kkmp_pos.store.models import (
    Approval,
    CashMovement,
    CreditEntry,
    CylinderMovement,
    GoodsReceipt,
    GoodsReceiptLine,
    LpgBuyer,
    LpgSaleLine,
    Member,
    Product,
    Refund,
    RefundLine,
    RefundPayment,
    Sale,
    SaleLine,
    SavingsEntry,
    Shift,
    StockAdjustment,
    StockCount,
    StockCountLine,
    StockMovement,
    Supplier,
    User,
)
from kkmp_pos.store.models import Payment as PaymentRow
from sync.protocol.canonical import canon


class Replay:
    """One event being rebuilt: its body, seq and time, and helpers that find (or stand in for) what it names."""

    def __init__(self, connection: Connection, event: Mapping[str, Any], outlet_id: str) -> None:
        self.connection = connection
        self.body: dict[str, Any] = event["body"]
        self.seq: int = event["seq"]
        self.master_version: int = event["master_version"]
        self.at = parse_rfc3339(event["device_time"])
        self.outlet_id = outlet_id

    def time(self, key: str) -> datetime:
        value = self.body.get(key)
        try:
            return parse_rfc3339(value) if isinstance(value, str) else self.at
        except ValueError:
            return self.at

    def exists(self, table: Any, key: Any) -> bool:
        return self.connection.execute(select(table.c.id).where(table.c.id == key)).first() is not None

    def user(self, user_id: Any) -> Any:
        """The user's id; a user the backup does not know (made after it, no user_change event) stands in
        inactive, without a PIN, so the rows that name them keep their link."""
        if not isinstance(user_id, str) or not user_id:
            return None
        table = User.__table__
        if not self.exists(table, user_id):
            self.connection.execute(insert(table), {
                "id": user_id, "outlet_id": self.outlet_id, "username": f"pulih-{user_id[:8]}",
                "full_name": "(dipulihkan dari server kota)", "role": "kasir", "pin_hash": None, "active": False,
                "created_at": self.at, "failed_pins": 0})
        return user_id

    def approval(self, approval_id: Any, used_by: str | None) -> Any:
        if not isinstance(approval_id, str) or not self.exists(Approval.__table__, approval_id):
            return None
        if used_by is not None:
            self.connection.execute(update(Approval.__table__).where(Approval.__table__.c.id == approval_id)
                                    .values(used_by=used_by))
        return approval_id

    def member(self, member_id: Any, member_no: Any) -> Any:
        if not isinstance(member_id, str) or not member_id:
            return None
        table = Member.__table__
        if not self.exists(table, member_id):
            number = str(member_no or f"PULIH-{member_id[:8]}")
            self.connection.execute(insert(table), {
                "id": member_id, "member_no": number, "kind": "anggota", "name": f"(dipulihkan) {number}",
                "name_norm": search_key(number), "address": "", "join_date": self.at.date().isoformat(),
                "status": "aktif", "credit_limit": 0, "credit_days": 30, "created_at": self.at, "updated_at": self.at})
        return member_id

    def product(self, sku: str, *, name: str | None = None, unit: str | None = None, price: int = 0) -> tuple[int, bool]:
        """`(id, sold_by_weight)` of the product with this SKU; one the catalogue lacks (master data newer
        than the backup) stands in, inactive, from the event's copy until the next master pull brings it."""
        table = Product.__table__
        row = self.connection.execute(select(table.c.id, table.c.sold_by_weight).where(table.c.sku == sku)).first()
        if row is not None:
            return int(row.id), bool(row.sold_by_weight)
        label = name or sku
        new_id = self.connection.execute(insert(table).values(
            sku=sku, name=label, name_norm=search_key(label), category="", unit=unit or "pcs",
            sold_by_weight=False, price=max(int(price), 0), ppn="bebas", active=False, updated_at=self.at,
        )).inserted_primary_key[0]
        return int(new_id), False

    def lpg_buyer(self, buyer: Mapping[str, Any]) -> None:
        """A 3 kg buyer registered after the backup (registration is not journalled): back from the sale's copy,
        NIK masked only, so the per-NIK limits count the purchase; the next purchase with the NIK completes it."""
        table = LpgBuyer.__table__
        if self.exists(table, buyer["buyer_id"]):
            return
        masked = str(buyer.get("nik_masked") or "")
        self.connection.execute(insert(table), {
            "id": buyer["buyer_id"], "nik": None, "nik_enc": None, "nik_index": None, "nik_masked": masked or None,
            "name": f"(dipulihkan) {masked}".strip(), "address": "", "category": buyer["category"],
            "created_at": self.at, "updated_at": self.at})

    def movement(self, product_id: int, qty: int, kind: str, ref_id: str, at: datetime) -> None:
        self.connection.execute(insert(StockMovement.__table__), {
            "id": str(uuid.uuid4()), "product_id": product_id, "qty_milli": int(qty), "kind": kind, "ref_id": ref_id,
            "created_at": at})


_DIGITS = re.compile(r"(\d+)$")


def _number(text: Any) -> int:
    match = _DIGITS.search(str(text or ""))
    return int(match.group(1)) if match else 0


def _sale(r: Replay) -> None:
    b, c = r.body, r.connection
    sale_id, at = b["sale_id"], r.time("sold_at")
    member_id = r.member(b.get("member_id"), b.get("member_no"))
    shift_id = b.get("shift_id") if r.exists(Shift.__table__, b.get("shift_id")) else None
    lines = []
    for line in b.get("lines", []):
        product_id, weighed = r.product(line["sku"], name=line.get("name"), unit=line.get("unit"),
                                        price=line.get("unit_price", 0))
        lines.append({
            "id": line["line_id"], "sale_id": sale_id, "line_no": line["line_no"], "product_id": product_id,
            "sku": line["sku"], "name": line["name"], "unit": line["unit"], "sold_by_weight": weighed,
            "qty_milli": line["qty_milli"], "unit_price": line["unit_price"], "list_price": line.get("list_price", 0),
            "line_discount": line.get("line_discount", 0), "cart_discount_share": line.get("cart_discount_share", 0),
            "total": line["total"]})
    c.execute(insert(Sale.__table__), {
        "id": sale_id, "outlet_id": b.get("outlet_id") or r.outlet_id, "receipt_no": b["receipt_no"],
        "receipt_seq": _number(b["receipt_no"]), "cashier_id": r.user(b["cashier_id"]), "member_id": member_id,
        "created_at": at, "business_date": b["business_date"], "subtotal": b.get("subtotal", b["total"]),
        "discount_total": b.get("discount_total", 0), "total": b["total"], "line_count": len(lines),
        "status": "completed", "master_version": r.master_version, "journal_seq": r.seq, "shift_id": shift_id})
    if lines:
        c.execute(insert(SaleLine.__table__), lines)
    payments = b.get("payments", [])
    if payments:
        c.execute(insert(PaymentRow.__table__), [
            {"id": p["payment_id"], "sale_id": sale_id, "method": p["method"], "amount": p["amount"],
             "tendered": p.get("tendered", p["amount"]), "change": p.get("change", 0), "reference": p.get("reference"),
             "bank": p.get("bank"), "status": p.get("status") or "settled"} for p in payments])
    kasbon = sum(p["amount"] for p in payments if p["method"] == KASBON)
    if kasbon and member_id:
        days = c.execute(select(Member.__table__.c.credit_days).where(Member.__table__.c.id == member_id)).scalar()
        c.execute(insert(CreditEntry.__table__), {
            "id": str(uuid.uuid4()), "member_id": member_id, "kind": "kasbon", "amount": kasbon, "sale_id": sale_id,
            "receipt_no": b["receipt_no"],
            "due_date": (date.fromisoformat(b["business_date"]) + timedelta(days=int(days or 0))).isoformat(),
            "cashier_id": b["cashier_id"], "created_at": at, "journal_seq": r.seq})
    for line in lines:
        r.movement(line["product_id"], -line["qty_milli"], "sale", sale_id, at)
    for approval_id in b.get("approvals", []):
        r.approval(approval_id, sale_id)
    _sale_lpg(r, sale_id, b.get("lines", []), lines, at)


def _sale_lpg(r: Replay, sale_id: str, body_lines: list[dict[str, Any]], lines: list[dict[str, Any]],
              at: datetime) -> None:
    """The logbook row of a 3 kg line and the cylinder movements of every LPG line, as services.lpg_sale."""
    product = Product.__table__
    day = r.body["business_date"]
    for body_line, line in zip(body_lines, lines, strict=True):
        row = r.connection.execute(select(product.c.name, product.c.lpg_kind).where(product.c.id == line["product_id"])
                                   ).first()
        if row is None or row.lpg_kind is None:
            continue
        facts = SimpleNamespace(name=row.name, lpg_kind=row.lpg_kind)
        buyer = body_line.get("lpg")
        if isinstance(buyer, dict) and buyer.get("buyer_id") and is_subsidised(facts):  # type: ignore[arg-type]
            r.lpg_buyer(buyer)
            r.connection.execute(insert(LpgSaleLine.__table__), {
                "sale_line_id": line["id"], "buyer_id": buyer["buyer_id"], "category": buyer["category"],
                "business_date": day, "month": day[:7], "map_entered_at": None, "map_entered_by": None})
        size = cylinder_size(facts)  # type: ignore[arg-type]
        if size is not None:
            full, empty = cylinder_deltas(row.lpg_kind, line["qty_milli"] // MILLI)
            r.connection.execute(insert(CylinderMovement.__table__), {
                "id": str(uuid.uuid4()), "size": size, "full_delta": full, "empty_delta": empty, "kind": "sale",
                "ref_id": sale_id, "note": line["sku"], "created_at": at})


def _refund(r: Replay) -> None:
    b, c = r.body, r.connection
    refund_id, at = b["refund_id"], r.time("refunded_at")
    c.execute(insert(Refund.__table__), {
        "id": refund_id, "outlet_id": b.get("outlet_id") or r.outlet_id, "sale_id": b["sale_id"],
        "refund_no": b["refund_no"], "refund_seq": _number(b["refund_no"]), "cashier_id": r.user(b["cashier_id"]),
        "approval_id": r.approval(b.get("approval_id"), refund_id), "total": b["total"], "reason": b.get("reason", ""),
        "created_at": at, "business_date": b["business_date"], "journal_seq": r.seq})
    sale_line = SaleLine.__table__
    for line in b.get("lines", []):
        c.execute(insert(RefundLine.__table__), {"id": line["refund_line_id"], "refund_id": refund_id,
                                                 "sale_line_id": line["sale_line_id"], "qty_milli": line["qty_milli"],
                                                 "amount": line["amount"]})
        product_id = c.execute(select(sale_line.c.product_id).where(sale_line.c.id == line["sale_line_id"])).scalar()
        if product_id is None:
            product_id = r.product(line["sku"])[0]
        r.movement(product_id, line["qty_milli"], "refund", refund_id, at)
    # Cylinders back as the live refund put them (the same function): the event carries no LPG facts of its own,
    # the sale line (from the backup or an earlier replayed sale) and its product say which size and kind.
    write_lpg_refund(c, refund_id, [(line["sale_line_id"], line["qty_milli"]) for line in b.get("lines", [])], at)
    payment = b["payment"]
    c.execute(insert(RefundPayment.__table__), {"id": payment["refund_payment_id"], "refund_id": refund_id,
                                                "method": payment["method"], "amount": payment["amount"],
                                                "reference": payment.get("reference")})
    if payment["method"] == KASBON and b.get("member_id"):
        c.execute(insert(CreditEntry.__table__), {
            "id": str(uuid.uuid4()), "member_id": r.member(b["member_id"], None), "kind": "koreksi",
            "amount": -b["total"], "sale_id": b["sale_id"], "receipt_no": b["refund_no"], "due_date": None,
            "cashier_id": b["cashier_id"], "created_at": at, "journal_seq": r.seq})


def _stock_receipt(r: Replay) -> None:
    b, c = r.body, r.connection
    receipt_id, at = b["receipt_id"], r.time("recorded_at")
    supplier = Supplier.__table__
    if not r.exists(supplier, b["supplier_id"]):
        c.execute(insert(supplier), {"id": b["supplier_id"], "name": b.get("supplier_name") or b["supplier_id"],
                                     "created_at": at})
    c.execute(insert(GoodsReceipt.__table__), {
        "id": receipt_id, "receipt_no": b["receipt_no"], "supplier_id": b["supplier_id"],
        "reference": b.get("reference", ""), "received_on": b["received_on"], "total_cost": b["total_cost"],
        "note": b.get("note") or None, "cashier_id": r.user(b["cashier_id"]), "created_at": at, "journal_seq": r.seq})
    for number, line in enumerate(b.get("lines", []), start=1):
        product_id, _weighed = r.product(line["sku"], unit=line.get("unit"))
        c.execute(insert(GoodsReceiptLine.__table__), {
            "id": str(uuid.uuid4()), "receipt_id": receipt_id, "line_no": number, "product_id": product_id,
            "unit": line["unit"], "unit_qty_milli": line["unit_qty_milli"], "factor_milli": line["factor_milli"],
            "base_qty_milli": line["base_qty_milli"], "unit_cost": line["unit_cost"], "line_cost": line["line_cost"],
            "expiry_date": line.get("expiry_date")})
        r.movement(product_id, line["base_qty_milli"], "receipt", receipt_id, at)
        if line.get("average_cost") is not None:
            c.execute(update(Product.__table__).where(Product.__table__.c.id == product_id)
                      .values(cost_price=line["average_cost"]))


def _stock_adjustment(r: Replay) -> None:
    b = r.body
    adjustment_id = b["adjustment_id"]
    if b.get("cashier_id"):  # opening stock carries no cashier and has no adjustment row
        r.connection.execute(insert(StockAdjustment.__table__), {
            "id": adjustment_id, "reason": b["reason"], "note": b.get("note"), "cashier_id": r.user(b["cashier_id"]),
            "approval_id": r.approval(b.get("approval_id"), adjustment_id), "created_at": r.at, "journal_seq": r.seq})
    for line in b.get("lines", []):
        r.movement(r.product(line["sku"])[0], line["qty_milli"], "adjustment", adjustment_id, r.at)


def _stock_count(r: Replay) -> None:
    b, c = r.body, r.connection
    count_id, at = b["count_id"], r.time("approved_at")
    table, lines = StockCount.__table__, StockCountLine.__table__
    approver = r.user(b.get("approved_by"))
    values = {"status": "approved", "approved_by": approver, "approved_at": at, "counter_name": b.get("counter_name"),
              "witness_name": b.get("witness_name"), "journal_seq": r.seq}
    if r.exists(table, count_id):  # started before the backup, approved after it
        c.execute(update(table).where(table.c.id == count_id).values(**values))
        c.execute(lines.delete().where(lines.c.count_id == count_id))
    else:
        c.execute(insert(table), {"id": count_id, "count_no": b["count_no"], "scope": b.get("scope", "all"),
                                  "scope_value": b.get("scope_value") or None, "started_by": approver,
                                  "started_at": r.time("started_at"), **values})
    for line in b.get("lines", []):
        product_id = r.product(line["sku"])[0]
        c.execute(insert(lines), {
            "id": str(uuid.uuid4()), "count_id": count_id, "product_id": product_id,
            "counted_milli": line.get("counted_milli"), "expected_milli": line.get("expected_milli"),
            "counted_at": at, "reason": line.get("reason") or None, "note": line.get("note") or None})
        if line.get("difference_milli"):
            r.movement(product_id, line["difference_milli"], "count", count_id, at)


def _shift_open(r: Replay) -> None:
    b = r.body
    if r.exists(Shift.__table__, b["shift_id"]):
        return
    r.connection.execute(insert(Shift.__table__), {
        "id": b["shift_id"], "shift_no": b["shift_no"], "status": "open", "opened_by": r.user(b["cashier_id"]),
        "opened_at": r.at, "opening_float": b["opening_float"],
        "opening_counts": json.dumps(b.get("counts", {}), sort_keys=True), "open_seq": r.seq})


def _shift_close(r: Replay) -> None:
    b = r.body
    table = Shift.__table__
    if not r.exists(table, b["shift_id"]):
        return
    r.approval(b.get("approval_id"), b["shift_id"])
    r.connection.execute(update(table).where(table.c.id == b["shift_id"]).values(
        status="closed", closed_by=r.user(b.get("closed_by")), approved_by=r.user(b.get("approved_by")),
        closed_at=r.at, closing_counts=json.dumps(b.get("closing_counts", {}), sort_keys=True),
        counted_cash=b.get("counted_cash"), expected_cash=b.get("expected_cash"), close_seq=r.seq,
        z_report=canon(b).decode("utf-8")))


def _cash_movement(r: Replay) -> None:
    b = r.body
    if not r.exists(Shift.__table__, b["shift_id"]):
        return
    r.connection.execute(insert(CashMovement.__table__), {
        "id": b["movement_id"], "shift_id": b["shift_id"], "direction": b["direction"], "amount": b["amount"],
        "reason": b.get("reason", ""), "cashier_id": r.user(b["cashier_id"]),
        "approval_id": r.approval(b.get("approval_id"), b["movement_id"]), "created_at": r.at, "journal_seq": r.seq})


def _override(r: Replay) -> None:
    b = r.body
    if r.exists(Approval.__table__, b["approval_id"]):
        return
    r.connection.execute(insert(Approval.__table__), {
        "id": b["approval_id"], "action": b["action"], "cashier_id": r.user(b["cashier_id"]),
        "approver_id": r.user(b.get("approver_id")), "outcome": b["outcome"], "reason": b.get("reason", ""),
        "subject": b.get("subject"),
        "before": None if b.get("before") is None else canon(b["before"]).decode("utf-8"),
        "after": None if b.get("after") is None else canon(b["after"]).decode("utf-8"),
        "used_by": None, "created_at": r.at, "journal_seq": r.seq})


def _user_change(r: Replay) -> None:
    b = r.body
    table = User.__table__
    values = {"username": b["username"], "full_name": b["full_name"], "role": b["role"], "active": bool(b["active"])}
    if r.exists(table, b["user_id"]):
        r.connection.execute(update(table).where(table.c.id == b["user_id"]).values(**values))
        return
    taken = r.connection.execute(select(table.c.id).where(table.c.username == b["username"])).first()
    # No PIN travels in the journal: the admin sets a new PIN before this user can log in again.
    r.connection.execute(insert(table), {**values, "id": b["user_id"], "outlet_id": r.outlet_id,
                                         "username": f"pulih-{b['user_id'][:8]}" if taken else b["username"],
                                         "pin_hash": None, "created_at": r.at, "failed_pins": 0})


_MEMBER_COLUMNS = ("kind", "member_no", "name", "address", "kelurahan_code", "rt", "rw", "phone", "join_date",
                   "status", "credit_limit", "credit_days")


def _member_change(r: Replay) -> None:
    b = r.body
    table = Member.__table__
    fields = dict(b.get("fields") or {})
    values = {key: fields[key] for key in _MEMBER_COLUMNS if key in fields}
    if fields.get("nik"):
        values["nik_masked"] = fields["nik"]  # the journal carries the NIK masked only
    if "name" in values:
        values["name_norm"] = search_key(values["name"])
    if r.exists(table, b["member_id"]):
        if values:
            r.connection.execute(update(table).where(table.c.id == b["member_id"]).values(**values, updated_at=r.at))
        return
    r.member(b["member_id"], b.get("member_no"))
    if values:
        r.connection.execute(update(table).where(table.c.id == b["member_id"]).values(**values, updated_at=r.at))


def _supplier(r: Replay) -> None:
    b = r.body
    table = Supplier.__table__
    if r.exists(table, b["supplier_id"]):
        return
    taken = r.connection.execute(select(table.c.id).where(table.c.name == b["name"])).first()
    r.connection.execute(insert(table), {"id": b["supplier_id"], "name": f"{b['name']} ({b['supplier_id'][:8]})"
                                         if taken else b["name"], "contact": b.get("contact") or None,
                                         "phone": b.get("phone") or None, "created_at": r.at})


def _kasbon_payment(r: Replay) -> None:
    b = r.body
    r.connection.execute(insert(CreditEntry.__table__), {
        "id": b["entry_id"], "member_id": r.member(b["member_id"], b.get("member_no")), "kind": REPAID,
        "amount": -b["amount"], "sale_id": None, "receipt_no": b["receipt_no"], "due_date": None,
        "cashier_id": r.user(b["cashier_id"]), "created_at": r.time("recorded_at"), "journal_seq": r.seq})


def _savings(r: Replay) -> None:
    b = r.body
    r.connection.execute(insert(SavingsEntry.__table__), {
        "id": b["entry_id"], "member_id": r.member(b["member_id"], b.get("member_no")), "kind": b["kind"],
        "amount": b["amount"], "method": b["method"], "receipt_no": b["receipt_no"],
        "cashier_id": r.user(b["cashier_id"]), "created_at": r.time("recorded_at"), "journal_seq": r.seq})


def _stock_threshold(r: Replay) -> None:
    write_low_stock(r.connection, r.product(r.body["sku"])[0], r.body["low_stock_milli"])


def _product_unit(r: Replay) -> None:
    write_pack_unit(r.connection, r.product(r.body["sku"])[0], r.body)


def _payment_reconciled(r: Replay) -> None:
    r.user(r.body["by"])
    write_reconciliation(r.connection, r.body, r.time("reconciled_at"), r.seq)


REPLAY: dict[str, Callable[[Replay], None]] = {
    "sale": _sale, "refund": _refund, "stock_receipt": _stock_receipt, "stock_adjustment": _stock_adjustment,
    "stock_count": _stock_count, "shift_open": _shift_open, "shift_close": _shift_close,
    "cash_movement": _cash_movement, "override": _override, "user_change": _user_change,
    "member_change": _member_change, "supplier": _supplier, "kasbon_payment": _kasbon_payment, "savings": _savings,
    "stock_threshold": _stock_threshold, "product_unit": _product_unit, "payment_reconciled": _payment_reconciled,
    **LPG_REPLAY,
}
"""Event types whose business rows are rebuilt. Any other type is kept in the journal only: `master_applied`
records only which master version was applied (no data), and the next master pull brings everything after the
restored version again."""


def replay_event(connection: Connection, event: Mapping[str, Any], outlet_id: str) -> bool:
    """The business rows of `event`, in the caller's transaction; False for a type kept in the journal only.

    KeyError, TypeError, ValueError, AttributeError or IntegrityError: a body this version cannot rebuild.
    """
    apply = REPLAY.get(event["type"])
    if apply is None:
        return False
    apply(Replay(connection, event, outlet_id))
    return True
