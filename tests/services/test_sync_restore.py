"""A till restored from a backup takes back from the real city server the sales its old device uploaded after it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.errors import PosError
from kkmp_pos.domain.goods_receipt import GoodsReceiptDraft, ReceiptLineInput
from kkmp_pos.domain.payment import Payment, cash_payment, non_cash_payment
from kkmp_pos.domain.roles import Action
from kkmp_pos.services import catalog, kasbon, receiving, refunds, sales, shift_close
from kkmp_pos.services.adjustments import AdjustmentLine, adjustment_subject, record_adjustment
from kkmp_pos.services.backup import make_backup
from kkmp_pos.services.context import PosContext, open_context
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.lpg_buyers import BuyerForm, save_buyer
from kkmp_pos.services.recovery import recover
from kkmp_pos.services.shifts import current_shift, open_shift
from kkmp_pos.services.suppliers import add_supplier
from kkmp_pos.services.sync_link import enroll
from kkmp_pos.services.sync_restore import city_recovery_pending, recover_from_city
from kkmp_pos.services.sync_round import run_sync_round
from kkmp_pos.store.db import DB_FILENAME
from sync.client.transport import CityClient
from tests.services.sync_server import CityServer, linked_demo_till, quick_client, running_city
from tests.services.test_backup import INDOMIE, MINYAKITA, sell, ticking_clock
from tests.services.test_kasbon import register
from tests.services.test_lpg_sale import REFILL_3KG, REFILL_12KG
from tests.services.test_lpg_sale import _sell as lpg_sell
from tests.services.test_refunds import user
from tests.services.test_shift_close import approve
from tests.store.test_backup_file import damage


def till_figures(ctx: PosContext) -> dict[str, Any]:
    """What the till knows of its trade: sales, their total, receipt numbers, stock on hand, kasbon, journal."""
    with ctx.unit_of_work() as uow:
        run = uow.connection.exec_driver_sql
        return {
            "sales": run("SELECT count(*) FROM sale").scalar_one(),
            "total": run("SELECT sum(total) FROM sale").scalar_one(),
            "lines": run("SELECT count(*) FROM sale_line").scalar_one(),
            "paid": run("SELECT sum(amount) FROM payment").scalar_one(),
            "receipts": sorted(run("SELECT receipt_no FROM sale").scalars()),
            "stock": dict(run("SELECT product_id, sum(qty_milli) FROM stock_movement GROUP BY product_id").all()),
            "last_seq": run("SELECT max(seq) FROM journal_event").scalar_one(),
        }


def _city_sales(city: CityServer) -> tuple[int, int]:
    return (int(city.scalar("SELECT coalesce(sum(sales_count), 0) FROM sales_day")),
            int(city.scalar("SELECT coalesce(sum(sales_total), 0) FROM sales_day")))


@contextmanager
def damaged_and_restored(tmp_path: Path, *, enrol_again: bool = True) -> Iterator[tuple[CityServer, dict[str, str], Path, dict[str, Any], str]]:
    """30 sales synced, a backup, 20 more synced, the disk fails, the backup is restored and the till enrolled
    again as a new device. Yields (city, outlet, data_dir, figures before the damage, old device id)."""
    with running_city(tmp_path) as city:
        data_dir = tmp_path / "data"
        ctx, outlet, old = linked_demo_till(city, data_dir, ticking_clock())
        for i in range(30):
            sell(ctx, MINYAKITA if i % 2 else INDOMIE)
        assert run_sync_round(ctx, quick_client).state == "online"
        make_backup(ctx, "manual")
        for i in range(20):
            sell(ctx, INDOMIE, MINYAKITA) if i % 3 else sell(ctx, MINYAKITA)
        assert run_sync_round(ctx, quick_client).state == "online"
        before = till_figures(ctx)
        ctx.close()
        damage(data_dir / DB_FILENAME)
        assert recover(data_dir, clock=ticking_clock()).old_device_id == old
        ctx = open_context(data_dir, clock=ticking_clock())
        try:
            assert till_figures(ctx)["sales"] == 30
            if enrol_again:
                enroll(ctx, city.url, city.new_code(outlet["outlet_id"]), "Kasir 1 (pulih)",
                       client_factory=quick_client)
        finally:
            ctx.close()
        yield city, outlet, data_dir, before, old


def test_a_restored_till_gets_back_every_sale_and_the_city_counts_each_once(tmp_path: Path) -> None:
    with damaged_and_restored(tmp_path) as (city, _outlet, data_dir, before, _old):
        city_count, city_total = _city_sales(city)
        assert city_count == 50
        ctx = open_context(data_dir, clock=ticking_clock())
        try:
            assert city_recovery_pending(ctx)
            seen: list[tuple[int, int]] = []
            result = recover_from_city(ctx, client_factory=quick_client, page_size=7,
                                       progress=lambda seq, last: seen.append((seq, last)))
            assert result.events == 20 and result.sales == 20 and len(seen) == 3  # pages of 7, 7 and 6
            assert seen[-1][0] == seen[-1][1] == before["last_seq"]
            assert till_figures(ctx) == before  # all 50 sales, totals, receipt numbers and stock on hand
            assert verify_journal(ctx.engine) is None  # one chain, the old device's events verbatim
            assert not city_recovery_pending(ctx)

            again = recover_from_city(ctx, client_factory=quick_client)
            assert again.events == 0 and till_figures(ctx) == before  # idempotent

            receipt = sell(ctx, MINYAKITA)
            with ctx.unit_of_work() as uow:
                number = uow.connection.exec_driver_sql("SELECT receipt_no FROM sale WHERE id = ?",
                                                        (receipt,)).scalar_one()
            assert number not in before["receipts"] and number > max(before["receipts"])  # numbering continues
            assert run_sync_round(ctx, quick_client).state == "online"
            total_now = till_figures(ctx)["total"]
        finally:
            ctx.close()
        # The new device re-sent the 50 old events: acknowledged as the old device's, counted once; plus its own.
        assert _city_sales(city) == (51, total_now)
        assert city_total == before["total"]


def test_a_sync_round_with_new_master_data_before_the_recovery_does_not_block_it(tmp_path: Path) -> None:
    """The usual order in the shop: enrolment starts a round (the restored 30 go up, new master data comes down
    and is journalled) before the manager takes the lost sales back."""
    with damaged_and_restored(tmp_path) as (city, _outlet, data_dir, before, _old):
        limits = tmp_path / "limits.csv"
        limits.write_text("category,per_day,per_month\nrumah_tangga,1,12\n", encoding="utf-8")
        city.publish(limits)
        ctx = open_context(data_dir, clock=ticking_clock())
        try:
            outcome = run_sync_round(ctx, quick_client)
            assert outcome.state == "online" and outcome.master is not None and outcome.master.applied
            with ctx.unit_of_work() as uow:
                kinds = uow.connection.exec_driver_sql("SELECT type FROM journal_event WHERE seq > ?",
                                                       (outcome.upload.acked_through,)).scalars().all()
            assert kinds == ["master_applied"]  # journalled after the restored events, not yet sent
            assert recover_from_city(ctx, client_factory=quick_client).sales == 20
            after = till_figures(ctx)
            assert after["last_seq"] == before["last_seq"] + 1  # the master record moved after the recovered events
            assert {**after, "last_seq": 0} == {**before, "last_seq": 0}
            assert verify_journal(ctx.engine) is None
            assert run_sync_round(ctx, quick_client).state == "online"
        finally:
            ctx.close()
        assert _city_sales(city) == (50, before["total"])


def test_a_forged_page_is_refused_and_nothing_is_applied(tmp_path: Path) -> None:
    class Forger(CityClient):
        def download_journal(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
            page = super().download_journal(*args, **kwargs)
            page["events"][0]["body"]["total"] += 1  # a changed amount: its hash no longer matches
            return page

    class BadSigner(CityClient):
        def _call(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
            body = super()._call(*args, **kwargs)
            if "events" in body:
                body["more"] = not body["more"]  # any field changed after signing
            return body

    def factory(kind: type[CityClient]) -> Any:
        return lambda url, token: kind(url, token=token, max_attempts=2, initial_delay=0.01, max_delay=0.05)

    with damaged_and_restored(tmp_path) as (_city, _outlet, data_dir, _before, _old):
        ctx = open_context(data_dir, clock=ticking_clock())
        try:
            restored = till_figures(ctx)
            with pytest.raises(PosError, match="tanda tangan"):
                recover_from_city(ctx, client_factory=factory(BadSigner))
            assert till_figures(ctx) == restored
            with pytest.raises(PosError, match="tidak menyambung"):
                recover_from_city(ctx, client_factory=factory(Forger))
            assert till_figures(ctx) == restored and city_recovery_pending(ctx)
        finally:
            ctx.close()


def test_a_till_that_sold_after_the_restore_is_refused_clearly(tmp_path: Path) -> None:
    with damaged_and_restored(tmp_path) as (_city, _outlet, data_dir, _before, _old):
        ctx = open_context(data_dir, clock=ticking_clock())
        try:
            sell(ctx, MINYAKITA)
            with pytest.raises(PosError, match="Sudah ada transaksi baru"):
                recover_from_city(ctx, client_factory=quick_client)
            assert till_figures(ctx)["sales"] == 31
        finally:
            ctx.close()


def test_the_journal_endpoint_pages_signs_and_keeps_outlets_apart(tmp_path: Path) -> None:
    from sync.protocol.canonical import first_bad_seq

    with damaged_and_restored(tmp_path) as (city, outlet, _data_dir, before, old):
        other = city.new_outlet("KKMP Sungai Pinang")
        stranger = CityClient(city.url).enroll(other["enrolment_code"], _public_key(), "Kasir lain")
        key = requests.get(f"{city.url}/v1/server-key", timeout=10).json()["public_key"]
        url = f"{city.url}/v1/outlets/{outlet['outlet_id']}/journal"
        # A device of another outlet: refused for this outlet's URL and for its own outlet's URL alike.
        answer = requests.get(url, params={"device": old}, headers=_bearer(stranger["token"]), timeout=10)
        assert answer.status_code == 403 and answer.json()["error"] == "forbidden"
        answer = requests.get(f"{city.url}/v1/outlets/{other['outlet_id']}/journal", params={"device": old},
                              headers=_bearer(stranger["token"]), timeout=10)
        assert answer.status_code == 403
        assert requests.get(url, params={"device": old}, timeout=10).status_code == 401
        assert requests.get(url, params={"device": old, "limit": "0"}, timeout=10).status_code in (401, 422)
        mine = CityClient(city.url).enroll(city.new_code(outlet["outlet_id"]), _public_key(), "Kasir 2")
        bad = requests.get(url, params={"device": old, "limit": "501"}, headers=_bearer(mine["token"]), timeout=10)
        assert bad.status_code == 422 and bad.json()["error"]

        client = CityClient(city.url, token=mine["token"])
        events: list[dict[str, Any]] = []
        after, pages = 0, 0
        while True:
            page = client.download_journal(outlet["outlet_id"], old, after=after, limit=16, server_public_key=key)
            events += page["events"]
            pages += 1
            assert page["last_seq"] == before["last_seq"]
            if not page["more"]:
                break
            after = page["events"][-1]["seq"]
        assert pages == -(-before["last_seq"] // 16) and len(events) == before["last_seq"]
        assert first_bad_seq(events) is None  # the whole chain verifies, as the protocol defines it
        with city.engine.connect() as connection:
            from sqlalchemy import text
            stored = connection.execute(text("SELECT seq, hash, body FROM journal_event WHERE device_id = :d "
                                             "ORDER BY seq"), {"d": old}).all()
        assert [(e["seq"], e["hash"]) for e in events] == [(row.seq, row.hash) for row in stored]
        assert [json.dumps(e["body"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                for e in events] == [row.body for row in stored]
        assert client.download_journal(outlet["outlet_id"], old, after=before["last_seq"],
                                       server_public_key=key)["events"] == []


def _public_key() -> str:
    from sync.protocol.keys import generate_private_key, public_key_b64

    return public_key_b64(generate_private_key())


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


TABLES = ("sale", "sale_line", "payment", "lpg_sale_line", "lpg_buyer", "cylinder_movement", "refund", "refund_line", "refund_payment", "credit_entry",
          "stock_adjustment", "stock_movement", "cash_movement", "shift", "goods_receipt", "goods_receipt_line",
          "supplier", "member", "approval", "app_user")


def _everything(ctx: PosContext) -> dict[str, Any]:
    """Row counts and the figures the screens and reports add up, table by table."""
    with ctx.unit_of_work() as uow:
        run = uow.connection.exec_driver_sql
        figures: dict[str, Any] = {table: run(f"SELECT count(*) FROM {table}").scalar_one() for table in TABLES}
        figures["kasbon"] = dict(run("SELECT member_id, sum(amount) FROM credit_entry GROUP BY member_id").all())
        figures["shifts"] = sorted(run("SELECT shift_no, status, counted_cash, expected_cash FROM shift").all())
        figures["cash"] = run("SELECT sum(amount) FROM cash_movement").scalar_one()
        figures["refunds"] = sorted(run("SELECT refund_no, total FROM refund").all())
        figures["cylinders"] = sorted(run("SELECT size, sum(full_delta), sum(empty_delta) FROM cylinder_movement "
                                          "GROUP BY size").all())
        figures["cylinder_moves"] = sorted(run("SELECT kind, ref_id, size, full_delta, empty_delta, note "
                                               "FROM cylinder_movement").all())
        figures["cost"] = dict(run("SELECT sku, cost_price FROM product").all())
        figures["numbers"] = sorted(run("SELECT receipt_no FROM credit_entry WHERE receipt_no IS NOT NULL").scalars())
    return {**figures, **till_figures(ctx)}


def test_refunds_stock_cash_shifts_receipts_and_kasbon_come_back_too(tmp_path: Path) -> None:
    with running_city(tmp_path) as city:
        data_dir = tmp_path / "data"
        ctx, outlet, _device = linked_demo_till(city, data_dir, ticking_clock())
        kasir, manajer = user(ctx, "kasir"), user(ctx, "manajer")
        first = sales.complete_sale(ctx, _cart(ctx, Cart(), MINYAKITA, INDOMIE),
                                    _cash(ctx, MINYAKITA, INDOMIE),
                                    cashier_id=kasir.id)
        make_backup(ctx, "manual")

        # After the backup: every kind of business the till does.
        siti = register(ctx, "Siti Aminah", "6472054101900001")
        cart = _cart(ctx, Cart(member=siti.ref()), MINYAKITA, MINYAKITA)
        sales.complete_sale(ctx, cart, [non_cash_payment("kasbon", cart.total)], cashier_id=kasir.id)
        kasbon.repay_kasbon(ctx, siti.id, cash_payment(10_000, 20_000), by=kasir)
        line = refundable_line(ctx, first.receipt_no)
        refunds.create_refund(ctx, first.receipt_no, [(line, 1000)], "tunai", cashier_id=kasir.id,
                              approval_id=approve(ctx, Action.REFUND, refunds.refund_approval_subject(first.receipt_no)),
                              reason="barang rusak")
        oil = catalog.find_by_barcode(ctx, MINYAKITA)
        assert oil is not None
        grant = approve(ctx, Action.STOCK_ADJUSTMENT, adjustment_subject("rusak", [(oil.sku, -2000)]))
        record_adjustment(ctx, reason="rusak", note="bocor", lines=[AdjustmentLine(oil.id, 2000)],
                          cashier_id=kasir.id, approval_id=grant)
        supplier = add_supplier(ctx, "CV Sumber Rejeki", by=manajer)
        receiving.record_goods_receipt(ctx, GoodsReceiptDraft(
            supplier_id=supplier.id, reference="FK-9", received_on=date(2026, 11, 30),
            lines=(ReceiptLineInput(oil.id, oil.unit, 12_000, 14_000),)), by=manajer)
        shift = current_shift(ctx)
        assert shift is not None
        grant = approve(ctx, Action.CASH_MOVEMENT, shift_close.cash_movement_subject(shift.shift_no, "out", 50_000))
        shift_close.record_cash_movement(ctx, cashier_id=kasir.id, direction="out", amount=50_000,
                                         reason="setor ke bank", approval_id=grant)
        shift_close.close_shift(ctx, cashier_id=kasir.id, counts={100_000: 1},
                                approval_id=approve(ctx, Action.CLOSE_SHIFT, shift.shift_no))
        open_shift(ctx, cashier_id=kasir.id, counts={50_000: 1})
        sell(ctx, INDOMIE)
        # Elpiji: a 3 kg buyer registered after the backup (registration is not journalled) and a 12 kg refill.
        save_buyer(ctx, BuyerForm(nik="6472 0541 0190 0001", name="Siti Aminah", address="Jl. Lempake 7",
                                  category="rumah_tangga"))
        gas = lpg_sell(ctx, REFILL_3KG, 2)
        big = lpg_sell(ctx, REFILL_12KG, 1, buyer_nik=None)
        # Elpiji back: one of the two 3 kg refills, and the 12 kg one; the replay must move the same cylinders.
        for sold, qty in ((gas, 1000), (big, 1000)):
            refunds.create_refund(ctx, sold.receipt_no, [(refundable_line(ctx, sold.receipt_no), qty)], "tunai",
                                  cashier_id=kasir.id, reason="tabung bocor", approval_id=approve(
                                      ctx, Action.REFUND, refunds.refund_approval_subject(sold.receipt_no)))
        assert run_sync_round(ctx, quick_client).state == "online"
        before = _everything(ctx)
        assert sorted(move[2:5] for move in before["cylinder_moves"] if move[0] == "refund") == [
            ("12kg", 1, -1), ("3kg", 1, -1)]
        ctx.close()

        damage(data_dir / DB_FILENAME)
        recover(data_dir, clock=ticking_clock())
        ctx = open_context(data_dir, clock=ticking_clock())
        try:
            enroll(ctx, city.url, city.new_code(outlet["outlet_id"]), "Kasir 1 (pulih)", client_factory=quick_client)
            restored = _everything(ctx)
            assert restored["refund"] == 0 and restored["shift"] == 1
            result = recover_from_city(ctx, client_factory=quick_client)
            assert result.sales == 4 and result.events > 10
            assert _everything(ctx) == before
            assert verify_journal(ctx.engine) is None
            assert shift_close.z_report(ctx, shift.id).counted_cash == 100_000  # the Z reads back
            assert kasbon.kasbon_balance(ctx, siti.id) == cart.total - 10_000
            # Numbering continues after the recovered slips.
            again = kasbon.repay_kasbon(ctx, siti.id, cash_payment(1_000, 1_000), by=kasir)
            assert again.receipt_no not in before["numbers"]
            assert run_sync_round(ctx, quick_client).state == "online"
        finally:
            ctx.close()
        assert _city_sales(city)[0] == 5


def _cart(ctx: PosContext, cart: Cart, *codes: str) -> Cart:
    for code in codes:
        product = catalog.find_by_barcode(ctx, code)
        assert product is not None
        cart.add(product)
    return cart


def _cash(ctx: PosContext, *codes: str) -> list[Payment]:
    total = _cart(ctx, Cart(), *codes).total
    return [cash_payment(total, total)]


def refundable_line(ctx: PosContext, receipt_no: str) -> str:
    return refunds.refundable_sale(ctx, receipt_no).lines[0].sale_line_id
