"""Completing a sale: header, lines, payments, kasbon, stock movements and journal event in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select

from kkmp_pos.domain.cart import CUSTOMER, Cart
from kkmp_pos.domain.clock import business_date, rfc3339
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah
from kkmp_pos.domain.payment import KASBON, Payment, check_payments
from kkmp_pos.domain.roles import Action, can_sell
from kkmp_pos.domain.sale_rules import Requirement, required_approvals
from kkmp_pos.services.approval_use import use_approvals
from kkmp_pos.services.ceilings import ceilings_in_force
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.lpg_sale import lpg_event_fields, lpg_requirements, write_lpg
from kkmp_pos.services.shifts import OPEN_SHIFT
from kkmp_pos.store.models import (
    CreditEntry,
    Member,
    Outlet,
    Sale,
    SaleLine,
    Setting,
    StockMovement,
    User,
)
from kkmp_pos.store.models import Payment as PaymentRow

_sale = Sale.__table__
_line = SaleLine.__table__
_payment = PaymentRow.__table__
_movement = StockMovement.__table__
_outlet = Outlet.__table__
_setting = Setting.__table__
_user = User.__table__
_member = Member.__table__
_credit = CreditEntry.__table__

# Statements built once: SQLAlchemy caches their compiled form, keeping the sale path close to raw sqlite3.
_INSERT_SALE = insert(_sale)
_INSERT_LINES = insert(_line)
_INSERT_PAYMENTS = insert(_payment)
_INSERT_MOVEMENTS = insert(_movement)
_INSERT_CREDIT = insert(_credit)
_HEADER_FACTS = select(
    _outlet.c.id,
    _outlet.c.code,
    select(func.coalesce(func.max(_sale.c.receipt_seq), 0)).where(_sale.c.outlet_id == _outlet.c.id)
    .scalar_subquery(),
    select(_setting.c.value).where(_setting.c.key == "master_version").scalar_subquery(),
    select(_user.c.role).where(_user.c.id == bindparam("cashier_id"), _user.c.active.is_(True))
    .scalar_subquery(),
    OPEN_SHIFT.scalar_subquery(),
).limit(1)
_KASBON_FOR_CUSTOMERS = select(_setting.c.value).where(_setting.c.key == "kasbon_for_customers")


@dataclass(frozen=True, slots=True)
class CompletedSale:
    """What the till needs right after the commit: which receipt to print, the change to show."""

    sale_id: str
    receipt_no: str
    total: Rupiah
    change: Rupiah
    journal_seq: int


def receipt_number(outlet_code: str, seq: int) -> str:
    """`LPK-01-000123`: per-outlet, gap-free, human-readable."""
    return f"{outlet_code}-{seq:06d}"


def complete_sale(ctx: PosContext, cart: Cart, payments: Sequence[Payment], *, cashier_id: str,
                  member_id: str | None = None, approvals: Sequence[str] = ()) -> CompletedSale:
    """Write the whole sale durably (synchronous=FULL) or nothing of it.

    `approvals` are ids of approval records (services.approvals) covering every rule the cart breaks:
    a price above HET, a manual price, a discount over the cashier's limit, kasbon over the buyer's limit.
    """
    if cart.is_empty():
        raise InvalidInput("Keranjang masih kosong. Pindai barang dulu.")
    total = cart.total
    check_payments(total, payments)
    member_id = member_id or (cart.member.id if cart.member else None)
    if cart.member is not None and member_id != cart.member.id:
        raise InvalidInput("Anggota pada keranjang berbeda dengan anggota transaksi. Pilih ulang anggotanya.")
    now = ctx.clock()
    day = business_date(now)
    sale_id = str(uuid.uuid4())
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        facts = connection.execute(_HEADER_FACTS, {"cashier_id": cashier_id}).first()
        if facts is None:
            raise InvalidInput("Data gerai belum ada. Jalankan penyiapan gerai (atau --demo) dulu.")
        outlet_id, outlet_code, last_seq, master_raw, role, shift_id = facts
        _check_cashier(role)
        if shift_id is None:
            raise InvalidInput("Belum ada shift kas yang dibuka. Buka shift dengan menghitung uang modal di laci dulu.")
        ceilings = ceilings_in_force(connection, [line.product for line in cart.lines], day)
        needs = required_approvals(cart, role, ceilings) + lpg_requirements(connection, cart, day)
        kasbon = sum(p.amount for p in payments if p.method == KASBON)
        credit_days = _check_kasbon(connection, member_id, kasbon, needs) if kasbon else 0
        spent = use_approvals(connection, needs, approvals, sale_id)
        master_version = int(master_raw or 0)
        receipt_seq = last_seq + 1
        receipt_no = receipt_number(outlet_code, receipt_seq)
        lines = _line_rows(sale_id, cart)
        payment_rows = [
            {
                "id": str(uuid.uuid4()), "sale_id": sale_id, "method": p.method, "amount": p.amount,
                "tendered": p.tendered, "change": p.change, "reference": p.reference, "bank": p.bank,
                "status": p.status,
            }
            for p in payments
        ]
        event = append_event(
            connection, type="sale", at=now, master_version=master_version,
            body=_event_body(sale_id, outlet_id, receipt_no, cashier_id, cart, member_id, rfc3339(now),
                             day.isoformat(), lines, payment_rows, spent, shift_id),
        )
        connection.execute(_INSERT_SALE, {
            "id": sale_id, "outlet_id": outlet_id, "receipt_no": receipt_no, "receipt_seq": receipt_seq,
            "cashier_id": cashier_id, "member_id": member_id, "created_at": now, "business_date": day.isoformat(),
            "subtotal": cart.subtotal, "discount_total": cart.discount_total, "total": total,
            "line_count": len(lines), "status": "completed", "master_version": master_version,
            "journal_seq": event.seq, "shift_id": shift_id,
        })
        connection.execute(_INSERT_LINES, lines)
        connection.execute(_INSERT_PAYMENTS, payment_rows)
        if kasbon:
            assert member_id is not None
            connection.execute(_INSERT_CREDIT, {
                "id": str(uuid.uuid4()), "member_id": member_id, "kind": "kasbon", "amount": kasbon,
                "sale_id": sale_id, "receipt_no": receipt_no,
                "due_date": (day + timedelta(days=credit_days)).isoformat(), "cashier_id": cashier_id,
                "created_at": now, "journal_seq": event.seq,
            })
        _write_stock_movements(connection, sale_id, lines, now)
        write_lpg(connection, sale_id, cart, lines, day, now)
        uow.commit()
    return CompletedSale(sale_id=sale_id, receipt_no=receipt_no, total=total,
                         change=sum(p.change for p in payments), journal_seq=event.seq)


def _check_cashier(role: str | None) -> None:
    if role is None:
        raise InvalidInput("Pengguna kasir tidak dikenal atau tidak aktif. Masuk ulang dengan PIN.")
    if not can_sell(role):
        raise InvalidInput("Peran {role} hanya dapat melihat data, tidak dapat berjualan.", role=role)


def _check_kasbon(connection: Connection, member_id: str | None, kasbon: Rupiah,
                  needs: list[Requirement]) -> int:
    """Kasbon only for a registered, active buyer; above their limit it needs an approval. Returns due days."""
    if member_id is None:
        raise InvalidInput("Kasbon hanya untuk anggota atau pelanggan terdaftar. Pilih pembelinya dulu (F7).")
    member = connection.execute(
        select(_member.c.member_no, _member.c.kind, _member.c.status, _member.c.credit_limit,
               _member.c.credit_days).where(_member.c.id == member_id)
    ).first()
    if member is None or member.status != "aktif":
        raise InvalidInput("Pembeli ini tidak terdaftar atau tidak aktif, jadi tidak dapat kasbon.")
    if member.kind == CUSTOMER and connection.execute(_KASBON_FOR_CUSTOMERS).scalar() != "1":
        raise InvalidInput("Kasbon hanya untuk anggota. Pelanggan bukan anggota dapat kasbon bila diizinkan "
                           "di Pengaturan.")
    balance = int(connection.execute(
        select(func.coalesce(func.sum(_credit.c.amount), 0)).where(_credit.c.member_id == member_id)
    ).scalar() or 0)
    if balance + kasbon > member.credit_limit:
        needs.append(Requirement(
            Action.KASBON_OVER_LIMIT, member.member_no,
            {"limit": member.credit_limit, "balance": balance}, {"balance": balance + kasbon},
        ))
    return int(member.credit_days)


def _line_rows(sale_id: str, cart: Cart) -> list[dict[str, Any]]:
    shares = cart.cart_discount_shares()
    return [
        {
            "id": str(uuid.uuid4()), "sale_id": sale_id, "line_no": number,
            "product_id": line.product.id, "sku": line.product.sku, "name": line.product.name,
            "unit": line.product.unit, "sold_by_weight": line.product.sold_by_weight,
            "qty_milli": line.qty_milli, "unit_price": line.unit_price, "list_price": line.list_price,
            "line_discount": line.line_discount, "cart_discount_share": share, "total": line.total - share,
        }
        for number, (line, share) in enumerate(zip(cart.lines, shares, strict=True), start=1)
    ]


def _write_stock_movements(connection: Connection, sale_id: str, lines: list[dict[str, Any]], now: Any) -> None:
    connection.execute(_INSERT_MOVEMENTS, [
        {"id": str(uuid.uuid4()), "product_id": line["product_id"], "qty_milli": -line["qty_milli"],
         "kind": "sale", "ref_id": sale_id, "created_at": now}
        for line in lines
    ])


def _event_body(sale_id: str, outlet_id: str, receipt_no: str, cashier_id: str, cart: Cart,
                member_id: str | None, sold_at: str, day: str, lines: list[dict[str, Any]],
                payments: list[dict[str, Any]], approvals: list[str], shift_id: str) -> dict[str, Any]:
    """The sale as the city receives it: ids, copies of names and prices, integers only."""
    return {
        "sale_id": sale_id, "outlet_id": outlet_id, "receipt_no": receipt_no, "cashier_id": cashier_id,
        "member_id": member_id, "member_no": cart.member.member_no if cart.member else None,
        "sold_at": sold_at, "business_date": day, "shift_id": shift_id, "subtotal": cart.subtotal,
        "discount_total": cart.discount_total, "total": cart.total, "approvals": approvals,
        "lines": [
            {"line_id": line["id"], "line_no": line["line_no"], "sku": line["sku"], "name": line["name"],
             "unit": line["unit"], "qty_milli": line["qty_milli"], "unit_price": line["unit_price"],
             "list_price": line["list_price"], "line_discount": line["line_discount"],
             "cart_discount_share": line["cart_discount_share"], "total": line["total"]}
            | lpg_event_fields(cart_line.lpg_buyer)
            for line, cart_line in zip(lines, cart.lines, strict=True)
        ],
        "payments": [
            {"payment_id": p["id"], "method": p["method"], "amount": p["amount"], "tendered": p["tendered"],
             "change": p["change"], "reference": p["reference"], "bank": p["bank"], "status": p["status"]}
            for p in payments
        ],
    }

