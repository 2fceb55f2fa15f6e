"""Test tills: a real Ed25519 key, a real hash chain of realistic events, real signed batches."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine

from sync.protocol.batch import build_batch, sign_batch
from sync.protocol.canonical import GENESIS_HASH, seal_event
from sync.protocol.keys import Ed25519PrivateKey, generate_private_key, public_key_b64
from sync.server import enrolment
from sync.server.server_key import load_or_create_server_key

WITA = timezone(timedelta(hours=8))
START = datetime(2026, 11, 30, 8, 0, tzinfo=WITA)
PRODUCTS = [
    ("BRS-001", "Beras Medium 5 kg", "karung", 68_500),
    ("GLP-001", "Gula Pasir 1 kg", "kg", 18_000),
    ("MNY-002", "Minyak Goreng 1 L", "liter", 17_500),
    ("TLR-010", "Telur Ayam", "kg", 29_000),
]


def sale_body(rng: random.Random, *, n: int, when: datetime) -> dict[str, Any]:
    """A sale shaped like the till's (integer rupiah, milli-units), one to three lines, paid in cash or QRIS."""
    sale_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    lines, total = [], 0
    for line_no, (sku, name, unit, price) in enumerate(rng.sample(PRODUCTS, rng.randint(1, 3)), start=1):
        qty_milli = rng.choice([1000, 2000, 500])
        amount = price * qty_milli // 1000
        total += amount
        lines.append({"line_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "line_no": line_no,
                      "sku": sku, "name": name, "unit": unit, "qty_milli": qty_milli, "unit_price": price,
                      "list_price": price, "line_discount": 0, "cart_discount_share": 0, "total": amount})
    method = rng.choice(["tunai", "qris"])
    tendered = total if method == "qris" else -(-total // 10_000) * 10_000
    return {
        "sale_id": sale_id, "outlet_id": "local-1", "receipt_no": f"KKMP-{n:06d}", "cashier_id": "kasir-1",
        "member_id": None, "member_no": "", "sold_at": when.isoformat(), "business_date": when.date().isoformat(),
        "shift_id": "shift-1", "subtotal": total, "discount_total": 0, "total": total, "approvals": [],
        "lines": lines,
        "payments": [{"payment_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "method": method,
                      "amount": total, "tendered": tendered, "change": tendered - total, "reference": "",
                      "bank": "", "status": "paid"}],
    }


@dataclass
class Till:
    """One enrolled device: its key, token, ids and the chain of events it has written so far."""

    key: Ed25519PrivateKey
    device_id: str
    outlet_id: str
    token: str
    server_public_key: str
    seed: int = 7
    events: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Seeded per device: event ids must be unique city-wide, yet a run is reproducible given the ids.
        self.rng = random.Random(f"{self.device_id}:{self.seed}")

    @property
    def last_hash(self) -> str:
        return self.events[-1]["hash"] if self.events else GENESIS_HASH

    def sell(self, count: int = 1, *, chain: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """Append `count` sale events to `chain` (default: this till's own journal) and return them."""
        target = self.events if chain is None else chain
        made = []
        for _ in range(count):
            seq = len(target) + 1
            when = START + timedelta(minutes=3 * seq)
            event = seal_event(
                seq=seq, event_id=str(uuid.UUID(int=self.rng.getrandbits(128), version=4)), type="sale",
                schema_v=1, device_time=when.isoformat(), master_version=0,
                body=sale_body(self.rng, n=seq, when=when), prev_hash=target[-1]["hash"] if target else GENESIS_HASH)
            target.append(event)
            made.append(event)
        return made

    def body(self, from_seq: int, to_seq: int, *, events: list[dict[str, Any]] | None = None,
             key: Ed25519PrivateKey | None = None) -> dict[str, Any]:
        """The signed request body for events `from_seq..to_seq` (1-based, inclusive)."""
        chain = self.events if events is None else events
        batch = build_batch(device_id=self.device_id, outlet_id=self.outlet_id,
                            events=chain[from_seq - 1:to_seq],
                            batch_id=str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
                            sent_at=datetime.now(timezone.utc).isoformat())
        return sign_batch(key or self.key, batch)


def new_outlet(engine: Engine, name: str = "KKMP Lempake") -> dict[str, str]:
    return enrolment.create_outlet(engine, name=name, kelurahan_code="64.72.05.1003", kelurahan="Lempake",
                                   kecamatan="Samarinda Utara", lpg3_allocation=500)


def enrol_till(engine: Engine, *, outlet_id: str | None = None, seed: int = 7,
               name: str = "Kasir 1") -> Till:
    """A new device enrolled directly through `sync.server.enrolment` (no HTTP), with its own key."""
    if outlet_id is None:
        created = new_outlet(engine)
        outlet_id, code = created["outlet_id"], created["enrolment_code"]
    else:
        code = enrolment.new_enrolment_code(engine, outlet_id)["enrolment_code"]
    key = generate_private_key()
    server_key = load_or_create_server_key(engine)
    answer = enrolment.enroll(engine, code, public_key_b64(key), name, server_key)
    return Till(key=key, device_id=answer["device_id"], outlet_id=answer["outlet_id"], token=answer["token"],
                server_public_key=answer["server_public_key"], seed=seed)
