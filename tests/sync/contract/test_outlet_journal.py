"""Contract: the till's own journal (real sales of the demo outlet) uploads and lands in the city's sales facts."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import select

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.services.catalog import find_by_barcode
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import iter_events
from kkmp_pos.services.outlet import default_cashier
from kkmp_pos.services.sales import complete_sale
from sync.protocol.batch import build_batch, sign_batch
from sync.protocol.keys import generate_private_key, public_key_b64
from sync.protocol.receipts import verify_ack
from sync.server.store.schema import sales_day
from tests.sync.contract.conftest import City
from tests.sync.helpers.db import stored_chain
from tests.sync.helpers.devices import new_outlet

MINYAKITA, INDOMIE = "8999900000055", "8999900000222"


def test_the_tills_journal_is_accepted_and_counted(city: City, ctx: PosContext) -> None:
    totals = []
    for codes in ((MINYAKITA,), (INDOMIE, INDOMIE), (MINYAKITA, INDOMIE)):
        cart = Cart()
        for code in codes:
            product = find_by_barcode(ctx, code)
            assert product is not None
            cart.add(product)
        complete_sale(ctx, cart, [cash_payment(cart.total, cart.total)], cashier_id=default_cashier(ctx).id)
        totals.append(cart.total)
    with ctx.engine.connect() as connection:
        events = list(iter_events(connection))
    sales = [event for event in events if event["type"] == "sale"]
    assert len(sales) == 3

    created = new_outlet(city.engine, name="KKMP Lempake (till)")
    key = generate_private_key()
    with city.client() as client:
        enrolled = client.enroll(created["enrolment_code"], public_key_b64(key), "Kasir gerai")
        sent_at = datetime.now(timezone.utc).isoformat()
        for start in range(0, len(events), 4):
            batch = build_batch(device_id=enrolled["device_id"], outlet_id=enrolled["outlet_id"],
                                events=events[start:start + 4], batch_id=str(uuid.uuid4()), sent_at=sent_at)
            ack = client.upload(enrolled["device_id"], sign_batch(key, batch))
            receipt = verify_ack(enrolled["server_public_key"], device_id=enrolled["device_id"], ack=ack)
            assert receipt.acked_through == events[min(start + 4, len(events)) - 1]["seq"]
    assert stored_chain(city.engine, enrolled["device_id"]) == [(e["seq"], e["hash"]) for e in events]
    with city.engine.connect() as connection:
        facts = connection.execute(select(sales_day.c.business_date, sales_day.c.sales_count, sales_day.c.sales_total)
                                   .where(sales_day.c.outlet_id == enrolled["outlet_id"])).all()
    assert [tuple(row) for row in facts] == [(sales[0]["body"]["business_date"], 3, sum(totals))]
