"""Completing a sale: header, lines, payments, stock movements and journal event in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.clock import business_date, rfc3339
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import Rupiah, format_rupiah
from kkmp_pos.domain.payment import Payment
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.store.models import Outlet, Sale, SaleLine, Setting, StockMovement
from kkmp_pos.store.models import Payment as PaymentRow

_sale = Sale.__table__
_line = SaleLine.__table__
_payment = PaymentRow.__table__
_movement = StockMovement.__table__
_outlet = Outlet.__table__
_setting = Setting.__table__

# Statements built once: SQLAlchemy caches their compiled form, keeping the sale path close to raw sqlite3.
_INSERT_SALE = insert(_sale)
_INSERT_LINES = insert(_line)
_INSERT_PAYMENTS = insert(_payment)
_INSERT_MOVEMENTS = insert(_movement)
_HEADER_FACTS = select(
    _outlet.c.id,
    _outlet.c.code,
    select(func.coalesce(func.max(_sale.c.receipt_seq), 0)).where(_sale.c.outlet_id == _outlet.c.id)
    .scalar_subquery(),
    select(_setting.c.value).where(_setting.c.key == "master_version").scalar_subquery(),
).limit(1)


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


def _check_payments(total: Rupiah, payments: Sequence[Payment]) -> None:
    if not payments:
        raise InvalidInput("Belum ada pembayaran. Masukkan uang diterima lalu selesaikan.")
    paid = sum(p.amount for p in payments)
    if paid != total:
        raise InvalidInput(
            "Jumlah pembayaran {paid} tidak sama dengan total {total}.",
            paid=format_rupiah(paid), total=format_rupiah(total),
        )
    for payment in payments:
        if payment.amount < 0 or payment.change < 0 or payment.tendered < payment.amount:
            raise InvalidInput("Pembayaran tidak sah: uang diterima kurang dari jumlah yang dibayar.")
        if payment.change and payment.method != "tunai":
            raise InvalidInput("Kembalian hanya dari pembayaran tunai.")


def complete_sale(ctx: PosContext, cart: Cart, payments: Sequence[Payment], *, cashier_id: str,
                  member_id: str | None = None) -> CompletedSale:
    """Write the whole sale durably (synchronous=FULL) or nothing of it."""
    if cart.is_empty():
        raise InvalidInput("Keranjang masih kosong. Pindai barang dulu.")
    total = cart.total
    _check_payments(total, payments)
    now = ctx.clock()
    sale_id = str(uuid.uuid4())
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        facts = connection.execute(_HEADER_FACTS).first()
        if facts is None:
            raise InvalidInput("Data gerai belum ada. Jalankan penyiapan gerai (atau --demo) dulu.")
        outlet_id, outlet_code, last_seq, master_raw = facts
        master_version = int(master_raw or 0)
        receipt_seq = last_seq + 1
        receipt_no = receipt_number(outlet_code, receipt_seq)
        lines = [
            {
                "id": str(uuid.uuid4()), "sale_id": sale_id, "line_no": number,
                "product_id": line.product.id, "sku": line.product.sku, "name": line.product.name,
                "unit": line.product.unit, "sold_by_weight": line.product.sold_by_weight,
                "qty_milli": line.qty_milli, "unit_price": line.unit_price, "total": line.total,
            }
            for number, line in enumerate(cart.lines, start=1)
        ]
        payment_rows = [
            {
                "id": str(uuid.uuid4()), "sale_id": sale_id, "method": p.method, "amount": p.amount,
                "tendered": p.tendered, "change": p.change, "reference": p.reference, "status": "settled",
            }
            for p in payments
        ]
        day = business_date(now).isoformat()
        event = append_event(
            connection, type="sale", at=now, master_version=master_version,
            body=_event_body(sale_id, outlet_id, receipt_no, cashier_id, member_id, rfc3339(now), day, total,
                             lines, payment_rows),
        )
        connection.execute(_INSERT_SALE, {
            "id": sale_id, "outlet_id": outlet_id, "receipt_no": receipt_no, "receipt_seq": receipt_seq,
            "cashier_id": cashier_id, "member_id": member_id, "created_at": now, "business_date": day,
            "total": total, "line_count": len(lines), "status": "completed", "master_version": master_version,
            "journal_seq": event.seq,
        })
        connection.execute(_INSERT_LINES, lines)
        connection.execute(_INSERT_PAYMENTS, payment_rows)
        _write_stock_movements(connection, sale_id, lines, now)
        uow.commit()
    return CompletedSale(sale_id=sale_id, receipt_no=receipt_no, total=total,
                         change=sum(p.change for p in payments), journal_seq=event.seq)


def _write_stock_movements(connection: Connection, sale_id: str, lines: list[dict[str, Any]], now: Any) -> None:
    connection.execute(_INSERT_MOVEMENTS, [
        {"id": str(uuid.uuid4()), "product_id": line["product_id"], "qty_milli": -line["qty_milli"],
         "kind": "sale", "ref_id": sale_id, "created_at": now}
        for line in lines
    ])


def _event_body(sale_id: str, outlet_id: str, receipt_no: str, cashier_id: str, member_id: str | None,
                sold_at: str, day: str, total: int, lines: list[dict[str, Any]],
                payments: list[dict[str, Any]]) -> dict[str, Any]:
    """The sale as the city receives it: ids, copies of names and prices, integers only."""
    return {
        "sale_id": sale_id, "outlet_id": outlet_id, "receipt_no": receipt_no, "cashier_id": cashier_id,
        "member_id": member_id, "sold_at": sold_at, "business_date": day, "total": total,
        "lines": [
            {"line_id": line["id"], "line_no": line["line_no"], "sku": line["sku"], "name": line["name"],
             "unit": line["unit"], "qty_milli": line["qty_milli"], "unit_price": line["unit_price"],
             "total": line["total"]}
            for line in lines
        ],
        "payments": [
            {"payment_id": p["id"], "method": p["method"], "amount": p["amount"], "tendered": p["tendered"],
             "change": p["change"], "reference": p["reference"]}
            for p in payments
        ],
    }
