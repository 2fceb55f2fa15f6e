"""Regenerates this fixture: a data directory written by the release before NIK encryption (schema 0006_shifts).

It must run on that release's code, not today's (commit 9530ae6, the last one whose head is 0006_shifts):

    rm -rf /tmp/old && mkdir /tmp/old && git archive 9530ae6 kkmp_pos sync resources | tar -x -C /tmp/old
    cp -r /tmp/old/resources /tmp/old/kkmp_pos/resources
    PYTHONPATH=/tmp/old .venv/bin/python tests/data/upgrade_0006/make_fixture.py

It seeds the demo outlet with that release's services, opens a shift, sells (cash and an elpiji 3 kg refill to
a buyer known by NIK), registers a member with a NIK, closes the shift with its Z report, then keeps that
release's database file as `kkmp_pos-0006.db` (byte for byte: a SQL dump cannot carry the FTS5 search index,
and *.sqlite3 is git-ignored) beside the data directory's key file. tests/store/test_upgrade.py
copies them into a fresh data directory.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.domain.roles import Action
from kkmp_pos.services import catalog, members, sales, shift_close
from kkmp_pos.services.approvals import request_approval
from kkmp_pos.services.context import open_context
from kkmp_pos.services.demo import seed_demo
from kkmp_pos.services.lpg_buyers import BuyerForm, save_buyer
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.shifts import current_shift, open_shift
from kkmp_pos.store.db import DB_FILENAME, current_revision
from kkmp_pos.store.models import User

HERE = Path(__file__).resolve().parent
MOMENT = datetime(2026, 6, 1, 1, 30, tzinfo=timezone.utc)  # 09:30 WITA
MINYAKITA, REFILL_3KG = "8999900000055", "8999900000420"
FIXTURE_DB = "kkmp_pos-0006.db"
MEMBER_NIK, BUYER_NIK = "6472054101900001", "6472054101900002"


def user(ctx, username: str) -> Cashier:
    with ctx.engine.connect() as connection:
        row = connection.execute(select(User.id, User.username, User.full_name, User.role)
                                 .where(User.username == username)).one()
    return Cashier(id=row.id, username=row.username, full_name=row.full_name, role=row.role)


def sell(ctx, code: str, pieces: int, **line) -> None:
    product = catalog.find_by_barcode(ctx, code)
    assert product is not None, code
    cart = Cart()
    cart.add(product, pieces * 1000, **line)
    sales.complete_sale(ctx, cart, [cash_payment(cart.total, cart.total)], cashier_id=user(ctx, "kasir").id)


def main() -> int:
    work = Path(tempfile.mkdtemp())
    ctx = open_context(work, clock=fixed_clock(MOMENT))
    assert current_revision(ctx.engine) == "0006_shifts", "run this on the 0006 release's code (see above)"
    seed_demo(ctx)
    kasir = user(ctx, "kasir")
    open_shift(ctx, cashier_id=kasir.id, counts={50_000: 2, 10_000: 5})
    sell(ctx, MINYAKITA, 2)
    buyer = save_buyer(ctx, BuyerForm(nik=BUYER_NIK, name="Siti Aminah", address="Jl. Lempake 7 RT 3",
                                      category="rumah_tangga"))
    sell(ctx, REFILL_3KG, 1, lpg_buyer=buyer.ref())
    members.register_member(ctx, members.MemberForm(kind="anggota", name="Rina Wati", nik=MEMBER_NIK,
                                                    address="Jl. Lempake 9", kelurahan_code="64.72.05.1003"),
                            by=user(ctx, "manajer"))
    sell(ctx, MINYAKITA, 1)
    shift = current_shift(ctx)
    assert shift is not None
    expected = shift_close.expected_cash(ctx)
    grant = request_approval(ctx, action=Action.CLOSE_SHIFT, cashier_id=kasir.id, approver_username="manajer",
                             pin="2222", reason="akhir hari", subject=shift.shift_no).id
    counts = {100: expected // 100}  # counted exactly, in Rp100 coins: no over/short
    shift_close.close_shift(ctx, cashier_id=kasir.id, counts=counts, approval_id=grant)
    ctx.close()
    assert not (work / (DB_FILENAME + "-wal")).exists(), "closing the store checkpoints the WAL into the file"
    with sqlite3.connect(work / DB_FILENAME) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.close()
    shutil.copyfile(work / DB_FILENAME, HERE / FIXTURE_DB)
    for key in sorted(work.glob("*.key")):
        shutil.copyfile(key, HERE / key.name)
    shutil.rmtree(work)
    print(f"{HERE / FIXTURE_DB}: {(HERE / FIXTURE_DB).stat().st_size:,} bytes; keys: "
          f"{[k.name for k in sorted(HERE.glob('*.key'))]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
