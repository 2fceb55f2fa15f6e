"""Simulated outlet devices: realistic days of journal events, sealed and signed exactly as a real till does."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.protocol.batch import MAX_EVENTS, build_batch, sign_batch, signed_wire
from sync.protocol.canonical import GENESIS_HASH, canon_text, seal_event
from sync.protocol.keys import public_key_b64
from sync.server.simulate_parts import WITA, Item, ShiftFigures, gzip_body, load_catalog, outlet_time, wita

__all__ = ["WITA", "DayPlan", "Item", "SimulatedDevice", "days_between", "gzip_body", "load_catalog", "outlet_time",
           "wita"]

SCHEMA_V = 1
LPG_CATEGORIES = ("rumah_tangga",) * 8 + ("usaha_mikro",) * 2
BANKS = ("BRI", "BNI", "Mandiri", "BSI", "Bankaltimtara")


@dataclass(slots=True)
class DayPlan:
    """What happens at one outlet on one business day; rates are chances per sale or per day."""

    sales: int = 40
    member_share: float = 0.35
    lpg_share: float = 0.15
    refund_rate: float = 0.01
    het_rate: float = 0.0
    lpg_over_rate: float = 0.0
    stock_receipt: bool = False
    stock_count: bool = False
    lpg_delivery: bool = False


@dataclass(slots=True)
class _Chain:
    seq: int = 0
    last_hash: str = GENESIS_HASH
    counters: dict[str, int] = field(default_factory=dict)
    on_hand: dict[str, int] = field(default_factory=dict)
    """What the till believes is on the shelf, per sku (milli): sales never take it below zero."""

    def copy(self) -> _Chain:
        return _Chain(self.seq, self.last_hash, dict(self.counters), dict(self.on_hand))


class SimulatedDevice:
    """One till: its Ed25519 key, enrolment, hash chain and a deterministic random stream (`seed`)."""

    def __init__(self, *, seed: int, outlet_code: str = "LPK-01", name: str = "Kasir 1",
                 catalog: list[Item] | None = None, master_version: int = 0) -> None:
        self.rng = random.Random(seed)
        self.key = Ed25519PrivateKey.from_private_bytes(self.rng.randbytes(32))
        self.outlet_code = outlet_code
        self.name = name
        self.catalog = catalog if catalog is not None else load_catalog()
        self.master_version = master_version
        self.device_id: str | None = None
        self.outlet_id: str | None = None
        self.token: str | None = None
        self.server_public_key: str | None = None
        self.local_outlet_id = self._uuid()
        self.cashiers = [self._uuid() for _ in range(2)]
        self.manager = self._uuid()
        self.members = [(self._uuid(), f"A-{self.rng.randrange(10**5):05d}") for _ in range(40)]
        self.buyers = [(self._uuid(), f"6472{'*' * 8}{self.rng.randrange(10**4):04d}",
                        self.rng.choice(LPG_CATEGORIES)) for _ in range(60)]
        self._goods = [item for item in self.catalog if not item.lpg_kind]
        self._lpg3 = next((i for i in self.catalog if i.lpg_kind == "subsidi_refill"), None)
        self._het_items = [item for item in self._goods if item.het and item.het == item.price]
        self._chain = _Chain()
        self.pending: list[dict[str, Any]] = []
        """Sealed events not yet acknowledged by the city, in seq order."""
        self._body_texts: dict[int, str] = {}
        """`canon(body)` per seq of the pending events, the text the outlet's journal keeps."""

    # -- identity ----------------------------------------------------------------------------------------

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    @property
    def public_key(self) -> str:
        return public_key_b64(self.key)

    @property
    def authorization(self) -> str:
        return f"Bearer {self.token}"

    def enrolment_request(self, code: str) -> dict[str, str]:
        """The body of `POST /v1/enroll` for this device."""
        return {"code": code, "public_key": self.public_key, "device_name": self.name}

    def accept_enrolment(self, response: Mapping[str, Any]) -> None:
        """Keep what the `201` body of an enrolment gave this device."""
        self.outlet_id = str(response["outlet_id"])
        self.device_id = str(response["device_id"])
        self.token = str(response["token"])
        self.server_public_key = str(response["server_public_key"])

    def enroll_local(self, engine: Any, code: str, server_key: Any) -> None:
        """Enrol in-process through `sync.server.enrolment.enroll` (the demo and the bench's setup)."""
        from sync.server.enrolment import enroll

        self.accept_enrolment(enroll(engine, code, self.public_key, self.name, server_key))

    def enroll_http(self, client: Any, code: str) -> None:
        """Enrol over HTTP with a `sync.client.transport.CityClient`."""
        self.accept_enrolment(client.enroll(code, self.public_key, self.name))

    # -- the chain ---------------------------------------------------------------------------------------

    @property
    def seq(self) -> int:
        return self._chain.seq

    @property
    def last_hash(self) -> str:
        return self._chain.last_hash

    def checkpoint(self) -> _Chain:
        """The chain as it stands, e.g. before a backup is taken."""
        return self._chain.copy()

    def restore(self, state: _Chain) -> None:
        """Go back to an old checkpoint, as a till restored from an old backup does (the next events fork)."""
        self._chain = state.copy()
        self.pending = [event for event in self.pending if event["seq"] <= state.seq]

    def emit(self, type: str, body: Mapping[str, Any], at: datetime) -> dict[str, Any]:
        """Seal the next event (exactly what kkmp_pos.services.journal.append_event writes)."""
        chain = self._chain
        event = seal_event(seq=chain.seq + 1, event_id=self._uuid(), type=type, schema_v=SCHEMA_V,
                           device_time=outlet_time(at), master_version=self.master_version, body=body,
                           prev_hash=chain.last_hash)
        chain.seq, chain.last_hash = event["seq"], event["hash"]
        self.pending.append(event)
        self._body_texts[event["seq"]] = canon_text(event["body"])  # as the journal stores it
        return event

    def _next(self, series: str) -> str:
        number = self._chain.counters.get(series, 0) + 1
        self._chain.counters[series] = number
        return f"{self.outlet_code}-{series}{number:06d}"

    # -- upload ------------------------------------------------------------------------------------------

    def batches(self, max_events: int = MAX_EVENTS, *, sent_at: datetime | None = None) -> list[dict[str, Any]]:
        """Signed request bodies for every pending event, in order, at most `max_events` each."""
        if self.device_id is None or self.outlet_id is None:
            raise RuntimeError("enrol the device before it uploads")
        stamp = outlet_time(sent_at or datetime.now(timezone.utc))
        bodies = []
        for start in range(0, len(self.pending), max_events):
            batch = build_batch(device_id=self.device_id, outlet_id=self.outlet_id,
                                events=self.pending[start:start + max_events], batch_id=self._uuid(),
                                sent_at=stamp)
            bodies.append(sign_batch(self.key, batch))
        return bodies

    def wire_batches(self, max_events: int = MAX_EVENTS, *, sent_at: datetime | None = None) -> list[bytes]:
        """`batches` as the outlet sends them: canonical request bytes built from the bodies' stored text."""
        if self.device_id is None or self.outlet_id is None:
            raise RuntimeError("enrol the device before it uploads")
        stamp = outlet_time(sent_at or datetime.now(timezone.utc))
        wires = []
        for start in range(0, len(self.pending), max_events):
            events = self.pending[start:start + max_events]
            wires.append(signed_wire(self.key, device_id=self.device_id, outlet_id=self.outlet_id, events=events,
                                     batch_id=self._uuid(), sent_at=stamp,
                                     body_texts=[self._body_texts[event["seq"]] for event in events]))
        return wires

    def acknowledge(self, acked_through: int) -> None:
        """Forget the events the city acknowledged (`acked_through` of a `200`)."""
        self.pending = [event for event in self.pending if event["seq"] > acked_through]
        self._body_texts = {seq: text for seq, text in self._body_texts.items() if seq > acked_through}

    # -- a business day ----------------------------------------------------------------------------------

    def simulate_day(self, day: date, plan: DayPlan | None = None, *,
                     until: datetime | None = None) -> list[dict[str, Any]]:
        """Open the shift, sell through the day (WITA), receive, count, refund, close with a Z; the new events.

        `until` cuts the day short (today so far): nothing after it happens, so no Z either.
        """
        plan = plan or DayPlan()
        rng = self.rng
        first = len(self.pending)
        opened = wita(day, 7, rng.randrange(20, 55))
        end = until or wita(day, 23, 59)
        if opened > end:
            return []
        stocked = self._goods + ([self._lpg3] if self._lpg3 else [])
        target = {item.sku: 1000 * max(40, plan.sales // 2) for item in stocked}
        if self._lpg3:
            target[self._lpg3.sku] = 1000 * max(50, plan.sales)
        if self.seq == 0:  # a new till starts from its opening stock, as the outlet's own setup records it
            self._chain.on_hand.update(target)
            self.emit("stock_adjustment", {
                "adjustment_id": self._uuid(), "reason": "Stok awal gerai",
                "lines": [{"sku": sku, "qty_milli": qty} for sku, qty in target.items()]}, opened - timedelta(
                    minutes=15))
        cashier = rng.choice(self.cashiers)
        shift_id, shift_no = self._uuid(), self._next("Z")
        counts = {"50000": 2, "10000": 5}
        self.emit("shift_open", {"shift_id": shift_id, "shift_no": shift_no, "cashier_id": cashier,
                                 "opening_float": 150_000, "counts": counts}, opened)
        received, delivered = wita(day, 8, rng.randrange(0, 50)), wita(day, 9, rng.randrange(0, 50))
        on_hand = self._chain.on_hand
        low = {sku: qty - on_hand.get(sku, 0) for sku, qty in target.items()
               if on_hand.get(sku, 0) < qty * (6 if plan.stock_receipt else 3) // 10}
        if low and received <= end:
            self._stock_receipt(received, day, low)
        if plan.lpg_delivery and delivered <= end:
            self._lpg_delivery(delivered, day)
        span = int((wita(day, 20, 0) - opened).total_seconds())
        moments = sorted(opened + timedelta(seconds=rng.randrange(300, span)) for _ in range(plan.sales))
        figures = ShiftFigures()
        sold: list[dict[str, Any]] = []
        for moment in moments:
            if moment > end:
                break
            sale = self._sale(moment, day, shift_id, cashier, plan)
            figures.add_sale(sale)
            sold.append(sale)
            returned = moment + timedelta(minutes=rng.randrange(2, 30))
            if rng.random() < plan.refund_rate and returned <= end:
                refund = self._refund(returned, day, rng.choice(sold), cashier)
                if refund is not None:
                    figures.add_refund(refund)
        counted, closed = wita(day, 20, rng.randrange(5, 20)), wita(day, 20, rng.randrange(25, 55))
        if plan.stock_count and counted <= end:
            self._stock_count(counted)
        if closed > end:
            return self.pending[first:]
        approval = self._override("close_shift", shift_no, cashier, "akhir hari", None, None, closed)
        self.emit("shift_close", figures.z(shift_id, shift_no, cashier, self.manager, approval, sold,
                                           self._chain.seq, self._chain.last_hash, rng), closed)
        return self.pending[first:]

    def _override(self, action: str, subject: str, cashier: str, reason: str, before: Any, after: Any,
                  at: datetime) -> str:
        approval_id = self._uuid()
        self.emit("override", {"approval_id": approval_id, "action": action, "subject": subject,
                               "cashier_id": cashier, "approver_id": self.manager, "outcome": "approved",
                               "refusal": None, "reason": reason, "before": before, "after": after}, at)
        return approval_id

    def _sale(self, at: datetime, day: date, shift_id: str, cashier: str, plan: DayPlan) -> dict[str, Any]:
        rng = self.rng
        member = rng.choice(self.members) if rng.random() < plan.member_share else None
        picks: list[tuple[Item, int, int]] = []  # item, qty_milli, unit price
        for item in rng.sample(self._goods, rng.choice((1, 1, 1, 2, 2, 2, 3, 3, 4, 5))):
            qty = rng.choice((250, 500, 500, 1000, 1000, 2000)) if item.by_weight else 1000 * rng.choice(
                (1, 1, 1, 1, 2, 2, 3))
            picks.append((item, qty, item.member_price if member else item.price))
        approvals: list[str] = []
        before_sale = at - timedelta(seconds=20)
        if self._het_items and rng.random() < plan.het_rate:
            item = rng.choice(self._het_items)
            price = (item.het or item.price) + rng.choice((500, 800, 1000, 1500))
            picks[0] = (item, 1000 * rng.choice((1, 2)), price)
            approvals.append(self._override("price_above_het", item.sku, cashier, "harga pemasok naik",
                                            {"het": item.het}, {"price": price}, before_sale))
            approvals.append(self._override("manual_price", item.sku, cashier, "harga pemasok naik",
                                            {"price": item.price}, {"price": price}, before_sale))
        lpg: dict[str, Any] | None = None
        if self._lpg3 is not None and rng.random() < plan.lpg_share:
            buyer_id, nik_masked, category = rng.choice(self.buyers)
            pieces = 1 if category == "rumah_tangga" else rng.choice((1, 2, 3))
            if rng.random() < plan.lpg_over_rate:
                pieces += 1
                approvals.append(self._override(
                    "lpg_over_limit", nik_masked, cashier, "tamu keluarga, kebutuhan hajatan",
                    {"limit": 1, "period": "day", "bought": 1}, {"bought": 1 + pieces}, before_sale))
            picks.append((self._lpg3, 1000 * pieces, self._lpg3.price))
            lpg = {"buyer_id": buyer_id, "nik_masked": nik_masked, "category": category}
        on_hand = self._chain.on_hand
        kept = [pick for pick in picks if on_hand.get(pick[0].sku, 0) >= pick[1]]
        if not kept:  # the shelf is thin: the buyer takes what is there
            item = max(self._goods, key=lambda good: on_hand.get(good.sku, 0))
            kept = [(item, 1000, item.member_price if member else item.price)]
        picks = kept
        for item, qty, _price in picks:
            on_hand[item.sku] = on_hand.get(item.sku, 0) - qty
        lines = []
        for number, (item, qty, price) in enumerate(picks, start=1):
            line: dict[str, Any] = {
                "line_id": self._uuid(), "line_no": number, "sku": item.sku, "name": item.name, "unit": item.unit,
                "qty_milli": qty, "unit_price": price, "list_price": item.price, "line_discount": 0,
                "cart_discount_share": 0, "total": (price * qty + 500) // 1000}  # half up, as the till rounds
            if item is self._lpg3 and lpg is not None:
                line["lpg"] = lpg
            lines.append(line)
        subtotal = sum(line["total"] for line in lines)
        discount = 0
        if member and subtotal > 100_000 and rng.random() < 0.2:
            discount = subtotal * 2 // 100  # 2 % for members on a big basket, spread over the lines
            shares = [discount * line["total"] // subtotal for line in lines]
            shares[0] += discount - sum(shares)
            for line, share in zip(lines, shares, strict=True):
                line["cart_discount_share"], line["total"] = share, line["total"] - share
        total = subtotal - discount
        return self.emit("sale", {
            "sale_id": self._uuid(), "outlet_id": self.local_outlet_id, "receipt_no": self._next(""),
            "cashier_id": cashier, "member_id": member[0] if member else None,
            "member_no": member[1] if member else None, "sold_at": outlet_time(at),
            "business_date": day.isoformat(), "shift_id": shift_id, "subtotal": subtotal,
            "discount_total": discount, "total": total, "approvals": approvals, "lines": lines,
            "payments": [self._payment(total, member is not None)],
        }, at)

    def _payment(self, total: int, member: bool) -> dict[str, Any]:
        rng = self.rng
        roll = rng.random()
        method = "tunai" if roll < 0.72 else "qris" if roll < 0.88 else "transfer" if roll < 0.94 else (
            "kasbon" if member else "debit")
        tendered, change, reference, bank = total, 0, None, None
        if method == "tunai":
            step = rng.choice((1_000, 5_000, 10_000, 50_000))
            tendered = -(-total // step) * step
            change = tendered - total
        elif method in ("qris", "transfer", "debit"):
            reference = f"{rng.randrange(10**11, 10**12)}"
            bank = rng.choice(BANKS) if method != "qris" else None
        return {"payment_id": self._uuid(), "method": method, "amount": total, "tendered": tendered,
                "change": change, "reference": reference, "bank": bank,
                "status": "pending" if method == "qris" else "settled"}

    def _refund(self, at: datetime, day: date, sale: dict[str, Any], cashier: str) -> dict[str, Any] | None:
        body = sale["body"]
        line = body["lines"][0]
        if "lpg" in line or line["total"] <= 0:
            return None
        approval = self._override("refund", body["receipt_no"], cashier, "barang rusak", None, None, at)
        self._chain.on_hand[line["sku"]] = self._chain.on_hand.get(line["sku"], 0) + line["qty_milli"]
        method = body["payments"][0]["method"]
        method = method if method in ("tunai", "kasbon") else "tunai"
        return self.emit("refund", {
            "refund_id": self._uuid(), "refund_no": self._next("R"), "sale_id": body["sale_id"],
            "sale_receipt_no": body["receipt_no"], "outlet_id": self.local_outlet_id, "cashier_id": cashier,
            "member_id": body["member_id"], "approval_id": approval, "reason": "kemasan rusak",
            "refunded_at": outlet_time(at), "business_date": day.isoformat(), "total": line["total"],
            "lines": [{"refund_line_id": self._uuid(), "sale_line_id": line["line_id"], "line_no": line["line_no"],
                       "sku": line["sku"], "qty_milli": line["qty_milli"], "amount": line["total"]}],
            "payment": {"refund_payment_id": self._uuid(), "method": method, "amount": line["total"],
                        "reference": None},
        }, at)

    def _stock_receipt(self, at: datetime, day: date, wanted: Mapping[str, int]) -> None:
        rng = self.rng
        lines, total = [], 0
        items = {item.sku: item for item in self.catalog}
        for sku, missing in wanted.items():
            item, qty = items[sku], -(-missing // 1000) * 1000
            self._chain.on_hand[sku] = self._chain.on_hand.get(sku, 0) + qty
            cost = item.cost or item.price * 9 // 10
            line_cost = cost * qty // 1000
            total += line_cost
            lines.append({"sku": item.sku, "unit": item.unit, "unit_qty_milli": qty, "factor_milli": 1000,
                          "base_qty_milli": qty, "unit_cost": cost, "line_cost": line_cost, "expiry_date": None,
                          "average_cost": cost})
        self.emit("stock_receipt", {
            "receipt_id": self._uuid(), "receipt_no": self._next("GR"), "supplier_id": None,
            "supplier_name": "CV Sumber Rezeki Samarinda", "reference": f"SJ-{rng.randrange(10**5):05d}",
            "received_on": day.isoformat(), "total_cost": total, "note": "", "cashier_id": self.manager,
            "recorded_at": outlet_time(at), "lines": lines}, at)

    def _lpg_delivery(self, at: datetime, day: date) -> None:
        full = self.rng.choice((30, 40, 50))
        self.emit("lpg_delivery", {
            "delivery_id": self._uuid(), "do_number": f"DO/{day:%Y%m}/{self.rng.randrange(10**4):04d}",
            "delivered_on": day.isoformat(), "agen": "PT Mahakam Gas Sejahtera", "size": "3kg",
            "full_received": full, "empties_returned": full, "by": self.manager}, at)

    def _stock_count(self, at: datetime) -> None:
        rng = self.rng
        count_no = self._next("SO")
        # The approval travels in its own override event; the real count event does not carry its id.
        self._override("stock_count", count_no, self.manager, "stok opname bulanan", None, None, at)
        lines = []
        for item in rng.sample(self._goods, 8):
            expected = max(0, self._chain.on_hand.get(item.sku, 0))
            counted = max(0, expected - (1000 * rng.choice((0, 0, 0, 1, 2))))
            self._chain.on_hand[item.sku] = counted
            lines.append({"sku": item.sku, "expected_milli": expected, "counted_milli": counted,
                          "difference_milli": counted - expected, "value": (counted - expected) * item.cost // 1000,
                          "reason": "" if counted == expected else "rusak", "note": ""})
        self.emit("stock_count", {
            "count_id": self._uuid(), "count_no": count_no, "scope": "all", "scope_value": "",
            "started_at": outlet_time(at - timedelta(minutes=40)), "approved_at": outlet_time(at),
            "approved_by": self.manager, "counter_name": "Siti Rahmawati", "witness_name": "Dewi Lestari",
            "lines": lines}, at)


def days_between(first: date, last: date) -> Iterator[date]:
    """Every date from `first` to `last`, both included."""
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
