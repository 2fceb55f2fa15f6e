"""NIKs at rest: no clear NIK in the database file, a copied file cannot be decrypted, lookups and roles still work."""

from __future__ import annotations

import csv
import sqlite3
import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.errors import InvalidInput, PosError
from kkmp_pos.domain.member import MemberForm
from kkmp_pos.domain.payment import cash_payment
from kkmp_pos.services import catalog, held_carts, members, nik_vault, outlet, sales
from kkmp_pos.services.context import PosContext, open_context
from kkmp_pos.services.lpg_buyers import BuyerForm, buyer_for_member, find_buyer, save_buyer, search_buyers
from kkmp_pos.services.lpg_logbook import export_month_csv, list_logbook, month_filter
from kkmp_pos.store.db import DB_FILENAME, make_engine, migrate
from kkmp_pos.store.models import LpgBuyer, Member, User
from tests.conftest import TEST_MOMENT, copy_database_alone

SITI, ANDI = "6472054101900001", "6472050202850003"
LEMPAKE = "64.72.05.1003"  # the demo outlet's kelurahan
REFILL_3KG = "8999900000420"


def user(ctx: PosContext, username: str) -> outlet.Cashier:
    with ctx.engine.connect() as connection:
        row = connection.execute(select(User.id, User.username, User.full_name, User.role)
                                 .where(User.username == username)).one()
    return outlet.Cashier(id=row.id, username=row.username, full_name=row.full_name, role=row.role)


def anggota(name: str, nik: str) -> MemberForm:
    return MemberForm(kind="anggota", name=name, nik=nik, address="Jl. Lempake 7", kelurahan_code=LEMPAKE,
                      rt="5", rw="12")


def sell_3kg(ctx: PosContext, nik: str, name: str, *, hold_first: bool = False) -> None:
    product = catalog.find_by_barcode(ctx, REFILL_3KG)
    assert product is not None
    buyer = save_buyer(ctx, BuyerForm(nik=nik, name=name, address="Jl. Lempake 7", category="rumah_tangga"))
    cart = Cart()
    cart.add(product, 1000, lpg_buyer=buyer.ref())
    kasir = outlet.default_cashier(ctx).id
    if hold_first:
        held_carts.hold_cart(ctx, cart, cashier_id=kasir)
    sales.complete_sale(ctx, cart, [cash_payment(cart.total, cart.total)], cashier_id=kasir)


def every_text_cell(path: Path) -> str:
    """Every value of every table, read with plain sqlite3 (no app code): what a copied file shows."""
    connection = sqlite3.connect(path)
    try:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(repr(row) for table in tables for row in connection.execute(f'SELECT * FROM "{table}"'))
    finally:
        connection.close()


def file_bytes(data_dir: Path) -> bytes:
    """The database file and its WAL and shared-memory files, byte for byte."""
    return b"".join(p.read_bytes() for p in data_dir.iterdir() if p.name.startswith(DB_FILENAME))


def assert_no_clear_nik(data_dir: Path, *niks: str) -> None:
    cells, raw = every_text_cell(data_dir / DB_FILENAME), file_bytes(data_dir)
    for nik in niks:
        assert nik not in cells
        assert nik.encode("ascii") not in raw
        assert nik.encode("utf-16-le") not in raw




def test_registered_members_and_buyers_leave_no_clear_nik_in_the_file(ctx: PosContext) -> None:
    kasir = user(ctx, "kasir")
    siti = members.register_member(ctx, anggota("Siti Aminah", "6472 0541.0190-0001"), by=kasir)
    sell_3kg(ctx, SITI, "Siti Aminah", hold_first=True)
    sell_3kg(ctx, ANDI, "Andi Pratama")
    assert_no_clear_nik(ctx.data_dir, SITI, ANDI)  # with the WAL not yet checkpointed
    with ctx.engine.connect() as connection:
        row = connection.execute(select(Member.__table__).where(Member.id == siti.id)).one()
    assert row.nik is None and row.nik_masked == "6472********0001" and row.nik_enc.startswith("v1:")
    assert len(row.nik_index) == 64
    # The service still knows the NIK; lookups by the typed NIK go through the blind index.
    assert members.get_member(ctx, siti.id).nik == SITI
    assert [m.id for m in members.search_members(ctx, "6472-0541-0190-0001")] == [siti.id]
    assert find_buyer(ctx, "6472 0502 0285 0003") is not None
    assert find_buyer(ctx, "6472050202850004") is None
    assert {b.name for b in search_buyers(ctx, "6472")} == {"Siti Aminah", "Andi Pratama"}
    assert [b.nik for b in search_buyers(ctx, ANDI)] == [ANDI]
    key = ctx.data_dir / nik_vault.NIK_KEY_FILENAME
    assert len(key.read_bytes()) == 32 and stat.S_IMODE(key.stat().st_mode) == 0o600
    ctx.close()
    assert_no_clear_nik(ctx.data_dir, SITI, ANDI)  # and after the last connection checkpointed it


def test_one_nik_per_member_and_per_buyer_is_still_enforced(ctx: PosContext) -> None:
    kasir = user(ctx, "kasir")
    members.register_member(ctx, anggota("Siti Aminah", SITI), by=kasir)
    with pytest.raises(InvalidInput, match="NIK ini sudah terdaftar atas nama Siti Aminah"):
        members.register_member(ctx, anggota("Siti Lain", "6472-0541-0190-0001"), by=kasir)
    first = save_buyer(ctx, BuyerForm(nik=SITI, name="Siti", address="Jl. A", category="rumah_tangga"))
    again = save_buyer(ctx, BuyerForm(nik=SITI, name="Siti Aminah", address="Jl. B", category="rumah_tangga"))
    assert again.id == first.id and again.address == "Jl. B"


def test_same_nik_seals_differently_each_time_but_indexes_the_same() -> None:
    key = bytes(range(32))
    one, two = nik_vault.seal_nik(key, SITI), nik_vault.seal_nik(key, SITI)
    assert one.enc != two.enc and one.index == two.index and one.masked == "6472********0001"
    assert nik_vault.open_nik(key, one.enc) == SITI
    assert nik_vault.blind_index(bytes(32), SITI) != one.index
    with pytest.raises(nik_vault.NikLocked, match="nik.key"):
        nik_vault.open_nik(bytes(32), one.enc)
    tampered = one.enc[:-4] + ("AAAA" if not one.enc.endswith("AAAA") else "BBBB")
    with pytest.raises(PosError, match="rusak"):
        nik_vault.open_nik(key, tampered)


def test_only_a_manajer_or_admin_gets_the_whole_nik(ctx: PosContext, tmp_path: Path) -> None:
    siti = members.register_member(ctx, anggota("Siti Aminah", SITI), by=user(ctx, "kasir"))
    with ctx.engine.connect() as connection:
        token = connection.execute(select(Member.nik_enc).where(Member.id == siti.id)).scalar_one()
    for role in ("kasir", "pengawas"):
        with pytest.raises(InvalidInput, match="hanya dapat dilihat oleh manajer atau admin"):
            nik_vault.reveal_nik(ctx, role, token)
        assert siti.nik_for(role) == "6472********0001"
    assert nik_vault.reveal_nik(ctx, user(ctx, "manajer"), token) == SITI
    with pytest.raises(InvalidInput):
        nik_vault.reveal_nik(ctx, user(ctx, "kasir"), token)
    assert nik_vault.reveal_nik(ctx, "admin", token) == SITI
    sell_3kg(ctx, SITI, "Siti Aminah")
    november = month_filter("2026-11")
    assert [r.nik for r in list_logbook(ctx, november, viewer_id=user(ctx, "kasir").id)] == ["6472********0001"]
    assert [r.nik for r in list_logbook(ctx, november, viewer_id=user(ctx, "manajer").id)] == [SITI]
    # The agen's CSV (manager export) still carries the whole NIK.
    export_month_csv(ctx, "2026-11", tmp_path / "agen.csv", viewer_id=user(ctx, "manajer").id)
    with (tmp_path / "agen.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert [row[2] for row in list(csv.reader(handle))[1:]] == [SITI]


@pytest.mark.parametrize("other_key", [None, b"\x07" * 32], ids=["no-nik-key", "another-nik-key"])
def test_a_copied_database_does_not_reveal_a_nik(ctx: PosContext, tmp_path: Path, other_key: bytes | None) -> None:
    siti = members.register_member(ctx, anggota("Siti Aminah", SITI), by=user(ctx, "kasir"))
    sell_3kg(ctx, SITI, "Siti Aminah")
    copy_database_alone(ctx, tmp_path / "copy")
    if other_key is not None:
        (tmp_path / "copy" / nik_vault.NIK_KEY_FILENAME).write_bytes(other_key)
    copy = open_context(tmp_path / "copy", clock=fixed_clock(TEST_MOMENT))
    try:
        manager = user(copy, "manajer")
        member = members.get_member(copy, siti.id)  # no crash: the masked NIK is still shown
        assert member.nik is None and member.nik_for("manajer") == "6472********0001"
        with copy.engine.connect() as connection:
            token = connection.execute(select(Member.nik_enc).where(Member.id == siti.id)).scalar_one()
        with pytest.raises(nik_vault.NikLocked, match="Pulihkan nik.key dari cadangan"):
            nik_vault.reveal_nik(copy, "manajer", token)
        assert [r.nik for r in list_logbook(copy, month_filter("2026-11"), viewer_id=manager.id)] == [
            "6472********0001"]
        with pytest.raises(nik_vault.NikLocked, match="nik.key"):
            export_month_csv(copy, "2026-11", tmp_path / "x.csv", viewer_id=manager.id)
        assert not (tmp_path / "x.csv").exists()
        assert find_buyer(copy, SITI) is None  # the blind index needs the original key too
        assert members.search_members(copy, SITI) == []
        with pytest.raises(nik_vault.NikLocked):
            buyer_for_member(copy, siti.id)
    finally:
        copy.close()
    assert_no_clear_nik(tmp_path / "copy", SITI)
    assert members.get_member(ctx, siti.id).nik == SITI  # the original still opens them


def _old_database(data_dir: Path) -> None:
    """A file from before NIK encryption (revision 0006) holding clear NIKs, as an older release left it."""
    data_dir.mkdir(parents=True)
    engine = make_engine(data_dir / DB_FILENAME)
    migrate(engine, "0006_shifts")
    now = datetime(2026, 11, 1, tzinfo=timezone.utc)
    member = {"id": "00000000-0000-4000-8000-000000000001", "member_no": "A-000001", "kind": "anggota",
              "nik": SITI, "name": "Siti Aminah", "name_norm": "siti aminah", "address": "Jl. Lempake 7",
              "kelurahan_code": LEMPAKE, "rt": "005", "rw": "012", "phone": None, "join_date": "2026-11-01",
              "status": "aktif", "credit_limit": 0, "credit_days": 30, "created_at": now, "updated_at": now}
    buyer = {"id": "00000000-0000-4000-8000-000000000002", "nik": ANDI, "name": "Andi Pratama",
             "address": "Jl. Lempake 9", "category": "rumah_tangga", "nib": None, "on_government_list": False,
             "member_id": None, "created_at": now, "updated_at": now}
    with engine.begin() as connection:
        connection.execute(Member.__table__.insert(), member)
        connection.execute(LpgBuyer.__table__.insert(), buyer)
    engine.dispose()
    assert SITI.encode() in file_bytes(data_dir) and ANDI.encode() in file_bytes(data_dir)


def test_an_old_database_with_clear_niks_is_sealed_at_start_up(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _old_database(data_dir)
    assert not (data_dir / nik_vault.NIK_KEY_FILENAME).exists()
    ctx = open_context(data_dir, clock=fixed_clock(TEST_MOMENT))
    try:
        assert_no_clear_nik(data_dir, SITI, ANDI)
        # The pre-migration copy the upgrade made held them in clear: gone once they are sealed.
        for copy in (data_dir / "backups").iterdir():
            assert SITI.encode() not in copy.read_bytes() and ANDI.encode() not in copy.read_bytes()
        assert not list((data_dir / "backups").glob("*pre-migration*.sqlite3"))
        assert (data_dir / nik_vault.NIK_KEY_FILENAME).exists()
        member = members.get_member(ctx, "00000000-0000-4000-8000-000000000001")
        assert member.nik == SITI and member.nik_masked == "6472********0001"
        buyer = find_buyer(ctx, ANDI)
        assert buyer is not None and buyer.name == "Andi Pratama"
        assert nik_vault.convert_clear_niks(ctx.engine, data_dir) == 0  # idempotent: nothing left in clear
    finally:
        ctx.close()
    reopened = open_context(data_dir, clock=fixed_clock(TEST_MOMENT))
    try:
        assert members.search_members(reopened, SITI)[0].name == "Siti Aminah"
    finally:
        reopened.close()
    assert_no_clear_nik(data_dir, SITI, ANDI)
