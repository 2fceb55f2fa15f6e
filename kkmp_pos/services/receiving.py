"""Goods receipts: saved whole (lines, stock in, moving-average cost, journal) or not at all; shown and printed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select, update

from kkmp_pos.domain.clock import business_date, rfc3339
from kkmp_pos.domain.errors import InvalidInput, NotFound, PrinterError
from kkmp_pos.domain.goods_receipt import (
    RECEIPT_SERIES,
    GoodsReceiptDraft,
    GoodsReceiptRecord,
    ReceivedLine,
    build_goods_receipt_document,
    check_header,
    line_amounts,
)
from kkmp_pos.domain.money import Rupiah
from kkmp_pos.domain.product import Product as CatalogProduct
from kkmp_pos.domain.receipt import layout_text
from kkmp_pos.domain.roles import APPROVER_ROLES, Role
from kkmp_pos.domain.stock import moving_average_cost
from kkmp_pos.printing.escpos_render import render_receipt
from kkmp_pos.printing.transports import send_to_printer
from kkmp_pos.services import catalog
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.numbering import next_series_number
from kkmp_pos.services.outlet import Cashier, outlet_info
from kkmp_pos.services.settings import load_settings
from kkmp_pos.services.units import units_of
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    JournalEvent,
    Product,
    StockMovement,
    Supplier,
    User,
)

_receipt = GoodsReceipt.__table__
_line = GoodsReceiptLine.__table__
_product = Product.__table__
_movement = StockMovement.__table__
_supplier = Supplier.__table__
_user = User.__table__
_journal = JournalEvent.__table__


@dataclass(frozen=True, slots=True)
class SavedGoodsReceipt:
    id: str
    receipt_no: str
    total_cost: Rupiah
    lines: int


@dataclass(frozen=True, slots=True)
class GoodsReceiptSummary:
    """A row of the recent receipts list."""

    id: str
    receipt_no: str
    received_on: str
    supplier_name: str
    reference: str
    total_cost: Rupiah


def find_receivable_product(ctx: PosContext, code: str) -> CatalogProduct | None:
    """What was scanned or typed: a barcode, else a SKU (loose goods like beras curah carry no barcode)."""
    return catalog.find_by_barcode(ctx, code) or (catalog.find_by_sku(ctx, code) if code.strip() else None)



def _next_receipt_no(connection: Connection) -> str:
    return next_series_number(connection, _receipt.c.receipt_no, RECEIPT_SERIES)


def _on_hand(connection: Connection, product_id: int) -> int:
    return int(connection.execute(
        select(func.coalesce(func.sum(_movement.c.qty_milli), 0)).where(_movement.c.product_id == product_id)
    ).scalar_one())


def record_goods_receipt(ctx: PosContext, draft: GoodsReceiptDraft, *, by: Cashier) -> SavedGoodsReceipt:
    """Save the receipt, its lines, the stock movements, the new average costs and one journal event."""
    if Role(by.role) not in APPROVER_ROLES:
        raise InvalidInput("Hanya manajer atau admin yang dapat mencatat penerimaan barang.")
    now = ctx.clock()
    check_header(draft, business_date(now))
    receipt_id = str(uuid.uuid4())
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        supplier = connection.execute(select(_supplier.c.name).where(_supplier.c.id == draft.supplier_id)).scalar()
        if supplier is None:
            raise NotFound("Pemasok tidak ditemukan. Pilih pemasok dari daftar.")
        line_rows: list[dict[str, Any]] = []
        # Running on-hand and average per product, so two lines of one product average in order.
        running: dict[int, tuple[int, int | None]] = {}
        for line_no, entry in enumerate(draft.lines, start=1):
            product = connection.execute(
                select(_product.c.sku, _product.c.name, _product.c.sold_by_weight, _product.c.cost_price)
                .where(_product.c.id == entry.product_id)
            ).first()
            if product is None:
                raise NotFound("Barang pada baris {line} tidak ditemukan di katalog.", line=line_no)
            factors = {u.unit: u.factor_milli for u in units_of(connection, entry.product_id)}
            if entry.unit not in factors:
                raise InvalidInput("Satuan {unit} belum punya konversi untuk {name}. Tambahkan satuan kemasannya "
                                   "dulu (misalnya 1 karung = 25 kg).", unit=entry.unit, name=product.name)
            try:
                amounts = line_amounts(entry.unit_qty_milli, factors[entry.unit], entry.unit_cost,
                                       weighed=bool(product.sold_by_weight))
            except InvalidInput as exc:
                raise InvalidInput("Baris {line} ({name}): {reason}", line=line_no, name=product.name,
                                   reason=str(exc)) from exc
            on_hand, average = running.get(entry.product_id, (_on_hand(connection, entry.product_id),
                                                              product.cost_price))
            new_average = moving_average_cost(on_hand, average, amounts.base_qty_milli, amounts.line_cost)
            running[entry.product_id] = (on_hand + amounts.base_qty_milli, new_average)
            line_rows.append({
                "id": str(uuid.uuid4()), "receipt_id": receipt_id, "line_no": line_no,
                "product_id": entry.product_id, "sku": product.sku, "unit": entry.unit,
                "unit_qty_milli": entry.unit_qty_milli, "factor_milli": factors[entry.unit],
                "base_qty_milli": amounts.base_qty_milli, "unit_cost": entry.unit_cost,
                "line_cost": amounts.line_cost,
                "expiry_date": entry.expiry_date.isoformat() if entry.expiry_date else None,
                "average_cost": new_average,
            })
        total = sum(row["line_cost"] for row in line_rows)
        receipt_no = _next_receipt_no(connection)
        reference, note = draft.reference.strip(), draft.note.strip()
        event = append_event(connection, type="stock_receipt", at=now, body={
            "receipt_id": receipt_id, "receipt_no": receipt_no, "supplier_id": draft.supplier_id,
            "supplier_name": supplier, "reference": reference, "received_on": draft.received_on.isoformat(),
            "total_cost": total, "note": note, "cashier_id": by.id, "recorded_at": rfc3339(now),
            "lines": [{key: row[key] for key in ("sku", "unit", "unit_qty_milli", "factor_milli", "base_qty_milli",
                                                 "unit_cost", "line_cost", "expiry_date", "average_cost")}
                      for row in line_rows],
        })
        connection.execute(_receipt.insert(), {
            "id": receipt_id, "receipt_no": receipt_no, "supplier_id": draft.supplier_id, "reference": reference,
            "received_on": draft.received_on.isoformat(), "total_cost": total, "note": note or None,
            "cashier_id": by.id, "created_at": now, "journal_seq": event.seq,
        })
        connection.execute(_line.insert(), [
            {key: value for key, value in row.items() if key not in ("sku", "average_cost")} for row in line_rows
        ])
        connection.execute(_movement.insert(), [
            {"id": str(uuid.uuid4()), "product_id": row["product_id"], "qty_milli": row["base_qty_milli"],
             "kind": "receipt", "ref_id": receipt_id, "created_at": now}
            for row in line_rows
        ])
        for product_id, (_qty, average) in running.items():
            connection.execute(update(_product).where(_product.c.id == product_id).values(cost_price=average))
        uow.commit()
    return SavedGoodsReceipt(id=receipt_id, receipt_no=receipt_no, total_cost=total, lines=len(line_rows))


def recent_goods_receipts(ctx: PosContext, limit: int = 100) -> list[GoodsReceiptSummary]:
    with reading(ctx.engine) as connection:
        rows = connection.execute(
            select(_receipt.c.id, _receipt.c.receipt_no, _receipt.c.received_on, _supplier.c.name,
                   _receipt.c.reference, _receipt.c.total_cost)
            .join(_supplier, _supplier.c.id == _receipt.c.supplier_id)
            .order_by(_receipt.c.journal_seq.desc()).limit(limit)
        ).all()
    return [GoodsReceiptSummary(id=r.id, receipt_no=r.receipt_no, received_on=r.received_on, supplier_name=r.name,
                                reference=r.reference, total_cost=r.total_cost) for r in rows]


def load_goods_receipt(ctx: PosContext, receipt_id: str) -> GoodsReceiptRecord:
    footer = load_settings(ctx).receipt_footer
    with reading(ctx.engine) as connection:
        head = connection.execute(
            select(_receipt, _supplier.c.name.label("supplier_name"), _user.c.full_name, _journal.c.hash)
            .join(_supplier, _supplier.c.id == _receipt.c.supplier_id)
            .join(_user, _user.c.id == _receipt.c.cashier_id)
            .join(_journal, _journal.c.seq == _receipt.c.journal_seq)
            .where(_receipt.c.id == receipt_id)
        ).first()
        if head is None:
            raise NotFound("Penerimaan barang tidak ditemukan.")
        lines = connection.execute(
            select(_line, _product.c.sku, _product.c.name, _product.c.unit.label("base_unit"),
                   _product.c.sold_by_weight)
            .join(_product, _product.c.id == _line.c.product_id)
            .where(_line.c.receipt_id == receipt_id).order_by(_line.c.line_no)
        ).all()
    return GoodsReceiptRecord(
        id=head.id, receipt_no=head.receipt_no, outlet=outlet_info(ctx, footer), supplier_name=head.supplier_name,
        reference=head.reference, received_on=head.received_on, created_at=head.created_at,
        cashier_name=head.full_name, note=head.note, total_cost=head.total_cost,
        journal_seq=head.journal_seq, journal_hash=head.hash,
        lines=tuple(ReceivedLine(sku=r.sku, name=r.name, base_unit=r.base_unit, weighed=bool(r.sold_by_weight),
                                 unit=r.unit, unit_qty_milli=r.unit_qty_milli, factor_milli=r.factor_milli,
                                 base_qty_milli=r.base_qty_milli, unit_cost=r.unit_cost, line_cost=r.line_cost,
                                 expiry_date=r.expiry_date) for r in lines),
    )


def goods_receipt_preview(ctx: PosContext, receipt_id: str, *, copy: bool = False) -> list[str]:
    """The receipt document as the paper will show it, at the configured paper width."""
    columns = load_settings(ctx).columns
    return layout_text(build_goods_receipt_document(load_goods_receipt(ctx, receipt_id), copy=copy), columns)


def print_goods_receipt(ctx: PosContext, receipt_id: str, *, copy: bool = False) -> None:
    """Print it on the receipt printer (never opens the drawer); raises PrinterError when it cannot."""
    settings = load_settings(ctx)
    if settings.printer_uri.strip().lower() == "none":
        raise PrinterError("Belum ada printer yang dipilih. Isi alamat printer di Pengaturan, lalu coba lagi.")
    document = build_goods_receipt_document(load_goods_receipt(ctx, receipt_id), copy=copy)
    send_to_printer(settings.printer_uri, render_receipt(document, settings.columns, logo_path=settings.logo_path))
