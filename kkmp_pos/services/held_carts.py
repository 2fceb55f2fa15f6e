"""Held carts (tahan transaksi): park a cart under a label, list them, recall one later, cancel one with approval."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from kkmp_pos.domain.cart import Cart, CartLine, Discount, MemberRef
from kkmp_pos.domain.clock import to_wita
from kkmp_pos.domain.errors import InvalidInput, NotFound
from kkmp_pos.domain.lpg import LpgBuyerRef
from kkmp_pos.domain.money import Rupiah, format_rupiah
from kkmp_pos.domain.product import Product
from kkmp_pos.domain.roles import Action
from kkmp_pos.domain.sale_rules import Requirement
from kkmp_pos.i18n import tr
from kkmp_pos.services.approval_use import use_approvals
from kkmp_pos.services.cart_checks import CartApproval
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import Approval, HeldCart, Member, User
from kkmp_pos.store.models import Product as ProductRow

_held = HeldCart.__table__
_user = User.__table__
_product = ProductRow.__table__
_member = Member.__table__
_approval = Approval.__table__

PAYLOAD_VERSION = 1
MAX_LABEL = 60


@dataclass(frozen=True, slots=True)
class HeldCartSummary:
    """One row of the held-carts list."""

    id: str
    label: str
    created_at: datetime
    cashier_name: str
    line_count: int
    total: Rupiah


@dataclass(slots=True)
class RecalledCart:
    """A cart back at the till, with the approvals it still holds and what changed while it was parked."""

    cart: Cart
    label: str
    approvals: list[CartApproval] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def default_label(cart: Cart, moment: datetime) -> str:
    """`10:15 Minyakita 1 L (+2)`: when it was parked and what it starts with."""
    first = cart.lines[0].product.name if cart.lines else ""
    more = f" (+{len(cart.lines) - 1})" if len(cart.lines) > 1 else ""
    text = f"{to_wita(moment).strftime('%H:%M')} {first}"
    return text[: MAX_LABEL - len(more)] + more


def _discount(discount: Discount | None) -> list[int] | None:
    return None if discount is None else [discount.amount, discount.percent_bp]


def _payload(cart: Cart, approval_ids: Sequence[str]) -> str:
    """The cart as JSON (integers and strings only); product ids and held prices, not whole products."""
    return json.dumps({
        "v": PAYLOAD_VERSION,
        "lines": [
            {"product_id": line.product.id, "sku": line.product.sku, "name": line.product.name,
             "qty_milli": line.qty_milli, "unit_price": line.unit_price, "list_price": line.list_price,
             "manual_price": line.manual_price, "discount": _discount(line.discount),
             # Masked: the sale needs only the buyer id, and no whole NIK is ever stored in clear.
             "lpg_buyer": None if line.lpg_buyer is None else {
                 "id": line.lpg_buyer.id, "nik": line.lpg_buyer.nik_masked, "name": line.lpg_buyer.name,
                 "category": line.lpg_buyer.category}}
            for line in cart.lines
        ],
        "member": None if cart.member is None else {
            "id": cart.member.id, "member_no": cart.member.member_no, "name": cart.member.name,
            "kind": cart.member.kind},
        "discount": _discount(cart.discount),
        "approvals": list(approval_ids),
        "total": cart.total,
    }, ensure_ascii=False, sort_keys=True)


def hold_cart(ctx: PosContext, cart: Cart, *, cashier_id: str, label: str | None = None,
              approval_ids: Sequence[str] = ()) -> HeldCartSummary:
    """Park `cart` (and the unused approvals it holds) under `label`; the till then starts empty."""
    if cart.is_empty():
        raise InvalidInput("Keranjang kosong: tidak ada yang ditahan.")
    now = ctx.clock()
    label = " ".join((label or "").split()) or default_label(cart, now)
    if len(label) > MAX_LABEL:
        raise InvalidInput("Label terlalu panjang (paling banyak {n} karakter).", n=MAX_LABEL)
    held_id = str(uuid.uuid4())
    with ctx.unit_of_work() as uow:
        uow.connection.execute(insert(_held), {"id": held_id, "label": label, "cashier_id": cashier_id,
                                               "created_at": now, "payload": _payload(cart, approval_ids)})
        name = uow.connection.execute(select(_user.c.full_name).where(_user.c.id == cashier_id)).scalar()
        uow.commit()
    return HeldCartSummary(id=held_id, label=label, created_at=now, cashier_name=name or "",
                           line_count=len(cart.lines), total=cart.total)


def held_carts(ctx: PosContext) -> list[HeldCartSummary]:
    """Every parked cart of this till, oldest first (the customer who waited longest)."""
    with reading(ctx.engine) as connection:
        rows = connection.execute(
            select(_held.c.id, _held.c.label, _held.c.created_at, _held.c.payload, _user.c.full_name)
            .join(_user, _user.c.id == _held.c.cashier_id).order_by(_held.c.created_at, _held.c.label)
        ).all()
    summaries = []
    for row in rows:
        payload = json.loads(row.payload)
        summaries.append(HeldCartSummary(id=row.id, label=row.label, created_at=row.created_at,
                                         cashier_name=row.full_name, line_count=len(payload["lines"]),
                                         total=int(payload["total"])))
    return summaries


def _held_row(connection: Connection, held_id: str) -> Any:
    row = connection.execute(select(_held).where(_held.c.id == held_id)).first()
    if row is None:
        raise NotFound("Transaksi tertahan ini sudah dipanggil atau dibatalkan di tempat lain.")
    return row


def _to_discount(raw: list[int] | None) -> Discount | None:
    return None if raw is None else Discount(amount=int(raw[0]), percent_bp=int(raw[1]))


def recall_cart(ctx: PosContext, held_id: str) -> RecalledCart:
    """Take a parked cart back (it leaves the list). Products and the member are read again: a line keeps
    its held price even if the catalogue changed, and every such change is listed in `notices`."""
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        row = _held_row(connection, held_id)
        payload = json.loads(row.payload)
        recalled = RecalledCart(cart=Cart(), label=row.label)
        _restore_lines(connection, payload["lines"], recalled)
        _restore_member(connection, payload.get("member"), recalled)
        recalled.cart.discount = _to_discount(payload.get("discount"))
        recalled.approvals = _unused_approvals(connection, payload.get("approvals", []))
        connection.execute(delete(_held).where(_held.c.id == held_id))
        uow.commit()
    return recalled


def _restore_lines(connection: Connection, lines: list[dict[str, Any]], recalled: RecalledCart) -> None:
    ids = [int(line["product_id"]) for line in lines]
    products = {
        r.id: r for r in connection.execute(
            select(_product.c.id, _product.c.sku, _product.c.name, _product.c.category, _product.c.unit,
                   _product.c.price, _product.c.member_price, _product.c.het, _product.c.ppn,
                   _product.c.sold_by_weight, _product.c.lpg_kind, _product.c.active)
            .where(_product.c.id.in_(ids)))
    }
    for held in lines:
        found = products.get(int(held["product_id"]))
        if found is None:
            recalled.notices.append(tr("{name} tidak ada lagi di katalog: barisnya tidak dipanggil.",
                                       name=held["name"]))
            continue
        product = Product(id=found.id, sku=found.sku, name=found.name, category=found.category, unit=found.unit,
                          price=found.price, member_price=found.member_price, het=found.het, ppn=found.ppn,
                          sold_by_weight=bool(found.sold_by_weight), lpg_kind=found.lpg_kind)
        line = CartLine(product=product, qty_milli=int(held["qty_milli"]), unit_price=int(held["unit_price"]),
                        list_price=int(held["list_price"]), manual_price=bool(held["manual_price"]),
                        discount=_to_discount(held.get("discount")),
                        lpg_buyer=LpgBuyerRef(**held["lpg_buyer"]) if held.get("lpg_buyer") else None)
        if not found.active:
            recalled.notices.append(tr("{name} sudah tidak aktif di katalog; harga saat ditahan tetap dipakai.",
                                       name=product.name))
        elif not line.manual_price and product.price != line.list_price:
            recalled.notices.append(tr(
                "Harga {name} berubah dari {old} menjadi {new}; harga saat ditahan ({held}) tetap dipakai.",
                name=product.name, old=format_rupiah(line.list_price), new=format_rupiah(product.price),
                held=format_rupiah(line.unit_price)))
        recalled.cart.lines.append(line)


def _restore_member(connection: Connection, held: dict[str, Any] | None, recalled: RecalledCart) -> None:
    if held is None:
        return
    row = connection.execute(
        select(_member.c.id, _member.c.member_no, _member.c.name, _member.c.kind, _member.c.status)
        .where(_member.c.id == held["id"])
    ).first()
    if row is None or row.status != "aktif":
        recalled.notices.append(tr("{name} ({member_no}) tidak lagi aktif: transaksi dipanggil tanpa anggota.",
                                   name=held["name"], member_no=held["member_no"]))
        return
    # Set directly, not through Cart.set_member: that would move held prices to today's member price.
    recalled.cart.member = MemberRef(id=row.id, member_no=row.member_no, name=row.name, kind=row.kind)


def _unused_approvals(connection: Connection, ids: list[str]) -> list[CartApproval]:
    if not ids:
        return []
    rows = connection.execute(
        select(_approval.c.id, _approval.c.action, _approval.c.subject)
        .where(_approval.c.id.in_(ids), _approval.c.outcome == "approved", _approval.c.used_by.is_(None))
    ).all()
    by_id = {r.id: r for r in rows}
    return [CartApproval(action=by_id[i].action, subject=by_id[i].subject or "", approval_id=i)
            for i in ids if i in by_id]


def cancel_approval_subject(summary: HeldCartSummary) -> str:
    """A held cart is cancelled under the same rule as a cart at the till (Action.CANCEL_CART); the
    approval names the held cart by its label."""
    return summary.label


def cancel_held_cart(ctx: PosContext, held_id: str, *, approval_id: str | None) -> None:
    """Drop a parked cart for good; needs an unused CANCEL_CART approval naming it, spent here."""
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        row = _held_row(connection, held_id)
        payload = json.loads(row.payload)
        use_approvals(connection, [Requirement(Action.CANCEL_CART, row.label,
                                               {"lines": len(payload["lines"]), "total": int(payload["total"])})],
                      [approval_id] if approval_id else [], held_id)
        connection.execute(delete(_held).where(_held.c.id == held_id))
        uow.commit()
