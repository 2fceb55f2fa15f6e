"""Members and named customers: numbers, NIK rules, kelurahan approval, rights, journal, search, attaching."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from kkmp_pos.domain.errors import InvalidInput, NotFound, PosError
from kkmp_pos.domain.member import MemberForm, looks_like_member_no
from kkmp_pos.domain.roles import Action
from kkmp_pos.services import members
from kkmp_pos.services.approval_use import ApprovalRequired
from kkmp_pos.services.approvals import request_approval
from kkmp_pos.services.auth import KdfCost
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import verify_journal
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.users import set_initial_pins
from kkmp_pos.store.models import Approval, JournalEvent, Member, User

LEMPAKE = "64.72.05.1003"        # the demo outlet's kelurahan
SEMPAJA_SELATAN = "64.72.05.1002"
SITI_NIK = "6472054101900001"
BUDI_NIK = "6472051708850003"
QUICK_KDF = KdfCost(n=2**10, r=8, p=1)
"""Tests check PINs with cheap scrypt parameters; the stored hash names them, so checking still works."""


def cashier(ctx: PosContext, username: str) -> Cashier:
    with ctx.engine.connect() as connection:
        row = connection.execute(select(User.id, User.username, User.full_name, User.role)
                                 .where(User.username == username)).one()
    return Cashier(id=row.id, username=row.username, full_name=row.full_name, role=row.role)


def anggota(name: str = "Siti Aminah", nik: str = SITI_NIK, **changes: object) -> MemberForm:
    form = MemberForm(kind="anggota", name=name, nik=nik, address="Jl. D.I. Panjaitan Gg. Mawar No. 7",
                      kelurahan_code=LEMPAKE, rt="5", rw="12", phone="0812-3456-7890")
    return replace(form, **changes)  # type: ignore[arg-type]


def grant(ctx: PosContext, action: Action, subject: str) -> str:
    """A manager approves with their PIN through the approvals service; the grant's id goes to the act."""
    set_initial_pins(ctx, {"manajer": "2468"}, cost=QUICK_KDF)
    return request_approval(ctx, action=action, cashier_id=cashier(ctx, "kasir").id, approver_username="manajer",
                            pin="2468", reason="tinggal di perbatasan", subject=subject).id


def counts(ctx: PosContext) -> tuple[int, int]:
    with ctx.engine.connect() as connection:
        return (connection.execute(select(func.count()).select_from(Member)).scalar_one(),
                connection.execute(select(func.count()).select_from(JournalEvent)).scalar_one())


def member_events(ctx: PosContext) -> list[dict[str, object]]:
    with ctx.engine.connect() as connection:
        bodies = connection.execute(select(JournalEvent.body).where(JournalEvent.type == "member_change")
                                    .order_by(JournalEvent.seq)).scalars().all()
    return [json.loads(body) for body in bodies]


def test_register_numbers_each_kind_in_its_own_series_and_normalises_the_form(ctx: PosContext) -> None:
    kasir = cashier(ctx, "kasir")
    assert members.suggested_member_no(ctx, "anggota") == "A-000001"
    siti = members.register_member(ctx, anggota(nik="6472 0541.0190-0001"), by=kasir)
    budi = members.register_member(ctx, anggota("Budi Santoso", BUDI_NIK), by=kasir)
    toko = members.register_member(ctx, MemberForm(kind="pelanggan", name="  Warung   Bu Ani "), by=kasir)
    assert (siti.member_no, budi.member_no, toko.member_no) == ("A-000001", "A-000002", "P-000001")
    assert siti.nik == SITI_NIK and (siti.rt, siti.rw, siti.phone) == ("005", "012", "081234567890")
    assert siti.join_date == date(2026, 11, 30) and siti.status == "aktif"
    assert siti.kelurahan_name == "Lempake"
    assert toko.name == "Warung Bu Ani" and toko.nik is None and toko.kelurahan_code is None
    assert (siti.credit_limit, siti.credit_days) == (0, 30)
    assert members.get_member(ctx, siti.id) == siti
    assert members.suggested_member_no(ctx, "anggota") == "A-000003"


def test_register_writes_a_member_change_event_with_the_nik_masked(ctx: PosContext) -> None:
    siti = members.register_member(ctx, anggota(), by=cashier(ctx, "kasir"))
    [event] = member_events(ctx)
    assert event["member_id"] == siti.id and event["member_no"] == "A-000001"
    assert event["kind"] == "anggota" and event["change"] == "register"
    fields = event["fields"]
    assert isinstance(fields, dict)
    assert fields["nik"] == "6472********0001" and fields["name"] == "Siti Aminah"
    assert fields["kelurahan_code"] == LEMPAKE and fields["join_date"] == "2026-11-30"
    assert SITI_NIK not in json.dumps(event)
    assert verify_journal(ctx.engine) is None


def test_invalid_nik_stores_nothing_and_says_which_part_is_wrong(ctx: PosContext) -> None:
    before = counts(ctx)
    with pytest.raises(InvalidInput, match="30-02-2000"):
        members.register_member(ctx, anggota(nik="3171013002001234"), by=cashier(ctx, "kasir"))
    with pytest.raises(InvalidInput, match="NIK harus 16 angka"):
        members.register_member(ctx, anggota(nik="647205410190000"), by=cashier(ctx, "kasir"))
    assert counts(ctx) == before


def test_nik_is_required_for_anggota_and_optional_for_pelanggan(ctx: PosContext) -> None:
    kasir = cashier(ctx, "kasir")
    with pytest.raises(InvalidInput, match="NIK wajib diisi untuk anggota"):
        members.register_member(ctx, anggota(nik=""), by=kasir)
    with pytest.raises(InvalidInput, match="Pilih kelurahan"):
        members.register_member(ctx, anggota(kelurahan_code=None), by=kasir)
    customer = members.register_member(ctx, MemberForm(kind="pelanggan", name="Pak Darto", nik=BUDI_NIK), by=kasir)
    assert customer.nik == BUDI_NIK


def test_typed_numbers_must_be_free_and_carry_their_kinds_prefix(ctx: PosContext) -> None:
    kasir = cashier(ctx, "kasir")
    first = members.register_member(ctx, anggota(member_no="a-2024/001"), by=kasir)
    assert first.member_no == "A-2024/001"
    before = counts(ctx)
    with pytest.raises(InvalidInput) as duplicate:
        members.register_member(ctx, anggota("Budi", BUDI_NIK, member_no="A-2024/001"), by=kasir)
    assert str(duplicate.value) == ("Nomor A-2024/001 sudah dipakai. Pakai nomor lain, atau kosongkan untuk "
                                    "nomor otomatis.")
    with pytest.raises(InvalidInput, match="diawali 'P-'"):
        members.register_member(ctx, MemberForm(kind="pelanggan", name="Ani", member_no="A-000077"), by=kasir)
    assert counts(ctx) == before
    # A typed number with letters does not disturb the automatic series.
    assert members.register_member(ctx, anggota("Budi", BUDI_NIK), by=kasir).member_no == "A-000001"


def test_one_nik_for_one_registered_person_until_they_leave(ctx: PosContext) -> None:
    kasir = cashier(ctx, "kasir")
    siti = members.register_member(ctx, anggota(), by=kasir)
    with pytest.raises(InvalidInput) as duplicate:
        members.register_member(ctx, MemberForm(kind="pelanggan", name="Siti A.", nik=SITI_NIK), by=kasir)
    assert "sudah terdaftar atas nama Siti Aminah (A-000001)" in str(duplicate.value)
    members.update_member(ctx, siti.id, replace(siti.form(), status="keluar"), by=kasir)
    again = members.register_member(ctx, anggota(), by=kasir)
    assert again.member_no == "A-000002" and again.nik == SITI_NIK


def test_anggota_from_another_kelurahan_needs_an_approval_spent_once(ctx: PosContext) -> None:
    kasir = cashier(ctx, "kasir")
    form = anggota(kelurahan_code=SEMPAJA_SELATAN)
    assert members.needs_kelurahan_approval(ctx, form)
    assert not members.needs_kelurahan_approval(ctx, anggota())
    assert not members.needs_kelurahan_approval(ctx, replace(form, kind="pelanggan"))
    before = counts(ctx)
    with pytest.raises(ApprovalRequired) as missing:
        members.register_member(ctx, form, by=kasir)
    assert str(missing.value) == ("Perlu persetujuan manajer: Anggota dari luar kelurahan "
                                  "(Siti Aminah (Sempaja Selatan)).")
    other = grant(ctx, Action.MEMBER_OUTSIDE_KELURAHAN, "Orang Lain (Sempaja Selatan)")
    with pytest.raises(ApprovalRequired):
        members.register_member(ctx, form, by=kasir, approval_id=other)
    assert counts(ctx)[0] == before[0]

    subject = members.kelurahan_approval_subject(form)
    assert subject == "Siti Aminah (Sempaja Selatan)"
    approval_id = grant(ctx, Action.MEMBER_OUTSIDE_KELURAHAN, subject)
    siti = members.register_member(ctx, form, by=kasir, approval_id=approval_id)
    with ctx.engine.connect() as connection:
        assert connection.execute(select(Approval.used_by).where(Approval.id == approval_id)).scalar() == siti.id
    assert member_events(ctx)[-1]["approval_ids"] == [approval_id]
    with pytest.raises(ApprovalRequired):
        members.register_member(ctx, anggota("Budi", BUDI_NIK, kelurahan_code=SEMPAJA_SELATAN), by=kasir,
                                approval_id=approval_id)


def test_moving_an_anggota_out_of_the_kelurahan_needs_approval_but_other_edits_do_not(ctx: PosContext) -> None:
    kasir = cashier(ctx, "kasir")
    siti = members.register_member(ctx, anggota(), by=kasir)
    siti = members.update_member(ctx, siti.id, replace(siti.form(), phone="081311112222"), by=kasir)
    assert siti.phone == "081311112222"
    moved = replace(siti.form(), kelurahan_code=SEMPAJA_SELATAN)
    with pytest.raises(ApprovalRequired):
        members.update_member(ctx, siti.id, moved, by=kasir)
    approval_id = grant(ctx, Action.MEMBER_OUTSIDE_KELURAHAN, members.kelurahan_approval_subject(moved))
    assert members.update_member(ctx, siti.id, moved, by=kasir, approval_id=approval_id).kelurahan_name == (
        "Sempaja Selatan")
    # Already outside and staying there: a later edit of the name is not a new move.
    renamed = members.update_member(ctx, siti.id, replace(moved, name="Siti Aminah S."), by=kasir)
    assert renamed.name == "Siti Aminah S."


def test_edit_journals_only_changed_fields_and_nothing_when_nothing_changed(ctx: PosContext) -> None:
    kasir = cashier(ctx, "kasir")
    siti = members.register_member(ctx, anggota(), by=kasir)
    unchanged = counts(ctx)
    assert members.update_member(ctx, siti.id, siti.form(), by=kasir) == siti
    assert counts(ctx) == unchanged
    members.update_member(ctx, siti.id, replace(siti.form(), name="Siti Aminah", rt="7",
                                                nik="6472 0541 0190 0002"), by=kasir)
    event = member_events(ctx)[-1]
    assert event["change"] == "edit" and event["member_no"] == "A-000001"
    assert event["fields"] == {"rt": "007", "nik": "6472********0002"}


def test_kasbon_limits_are_for_managers_and_a_pengawas_changes_nothing(ctx: PosContext) -> None:
    kasir, manajer = cashier(ctx, "kasir"), cashier(ctx, "manajer")
    with pytest.raises(InvalidInput, match="hanya dapat diubah oleh manajer atau admin"):
        members.register_member(ctx, anggota(credit_limit=500_000), by=kasir)
    siti = members.register_member(ctx, anggota(credit_limit=500_000, credit_days=14), by=manajer)
    assert (siti.credit_limit, siti.credit_days) == (500_000, 14)
    with pytest.raises(InvalidInput, match="hanya dapat diubah oleh manajer"):
        members.update_member(ctx, siti.id, replace(siti.form(), credit_limit=1_000_000), by=kasir)
    # The kasir edits everything else; the limit the manager set stays.
    edited = members.update_member(ctx, siti.id, replace(siti.form(), address="Jl. Lempake Jaya 3"), by=kasir)
    assert (edited.address, edited.credit_limit) == ("Jl. Lempake Jaya 3", 500_000)
    pengawas = replace(kasir, role="pengawas")
    with pytest.raises(InvalidInput, match="Pengawas hanya dapat melihat"):
        members.update_member(ctx, siti.id, replace(siti.form(), phone="0811111111"), by=pengawas)
    with pytest.raises(InvalidInput, match="Pengawas hanya dapat melihat"):
        members.register_member(ctx, anggota("Budi", BUDI_NIK), by=pengawas)


def test_nik_is_masked_except_for_managers_and_admins(ctx: PosContext) -> None:
    siti = members.register_member(ctx, anggota(), by=cashier(ctx, "kasir"))
    assert siti.nik_for("kasir") == "6472********0001"
    assert siti.nik_for("pengawas") == "6472********0001"
    assert siti.nik_for("manajer") == SITI_NIK and siti.nik_for("admin") == SITI_NIK
    customer = members.register_member(ctx, MemberForm(kind="pelanggan", name="Ani"), by=cashier(ctx, "kasir"))
    assert customer.nik_for("kasir") == ""


def test_search_by_name_number_digits_and_nik(ctx: PosContext) -> None:
    kasir = cashier(ctx, "kasir")
    siti = members.register_member(ctx, anggota("Siti Aminah"), by=kasir)
    members.register_member(ctx, anggota("Ahmad Sitiono", BUDI_NIK), by=kasir)
    members.register_member(ctx, MemberForm(kind="pelanggan", name="Warung Bu Ani"), by=kasir)

    def names(text: str) -> list[str]:
        return [m.name for m in members.search_members(ctx, text)]

    assert names("siti") == ["Siti Aminah", "Ahmad Sitiono"]   # names starting with it come first
    assert names("SÎTI") == ["Siti Aminah", "Ahmad Sitiono"]   # accents and case do not matter
    assert names("amin") == ["Siti Aminah"]
    assert names("a-00000") == ["Ahmad Sitiono", "Siti Aminah"]
    assert names("A-000002") == ["Ahmad Sitiono"]
    assert names("1") == ["Siti Aminah", "Warung Bu Ani"]          # A-000001 and P-000001
    assert names("6472 0541 0190 0001") == ["Siti Aminah"]
    assert names("zzz") == []
    assert names("")[0] == "Warung Bu Ani"                          # latest registered first
    assert members.find_member_by_number(ctx, " a-000001 ") == siti
    assert members.find_member_by_number(ctx, "A-999999") is None


def test_member_for_sale_refuses_unknown_cards_and_members_who_left(ctx: PosContext) -> None:
    kasir = cashier(ctx, "kasir")
    siti = members.register_member(ctx, anggota(), by=kasir)
    assert members.member_for_sale(ctx, "A-000001").ref().member_no == "A-000001"
    assert members.member_for_sale(ctx, "A-000001").ref().kind == "anggota"
    with pytest.raises(NotFound) as unknown:
        members.member_for_sale(ctx, "a-000404")
    assert str(unknown.value) == ("Kartu A-000404 tidak dikenal: tidak ada anggota yang dipasang. Periksa "
                                  "nomornya atau cari dengan nama (F7).")
    members.update_member(ctx, siti.id, replace(siti.form(), status="keluar"), by=kasir)
    with pytest.raises(PosError, match="berstatus keluar"):
        members.member_for_sale(ctx, "A-000001")


@pytest.mark.parametrize(("text", "is_member"), [
    ("A-000123", True), ("p-000045", True), (" A-2024/001 ", True),
    ("8999900000055", False), ("A-", False), ("B-000001", False), ("Indomie", False), ("a-plus", False),
])
def test_member_numbers_are_told_apart_from_barcodes_and_names(text: str, is_member: bool) -> None:
    assert looks_like_member_no(text) is is_member


def test_bad_fields_are_named(ctx: PosContext) -> None:
    kasir = cashier(ctx, "kasir")
    cases = {
        "Nama wajib diisi": anggota(name="  "),
        "Alamat sesuai KTP wajib": anggota(address=""),
        "RT harus angka": anggota(rt="5a"),
        "RW harus angka": anggota(rw="1234"),
        "Nomor telepon '12' tidak sah": anggota(phone="12"),
        "Tanggal bergabung tidak boleh sesudah hari ini": anggota(join_date=date(2026, 12, 1)),
        "tidak ada di daftar kelurahan": anggota(kelurahan_code="64.72.99.9999"),
    }
    before = counts(ctx)
    for expected, form in cases.items():
        with pytest.raises(InvalidInput, match=expected):
            members.register_member(ctx, form, by=kasir)
    assert counts(ctx) == before


def test_a_customer_who_becomes_a_member_moves_to_the_member_series(ctx: PosContext) -> None:
    kasir = cashier(ctx, "kasir")
    members.register_member(ctx, anggota(), by=kasir)
    ani = members.register_member(ctx, MemberForm(kind="pelanggan", name="Ani Lestari"), by=kasir)
    assert ani.member_no == "P-000001"
    joined = members.update_member(ctx, ani.id, replace(anggota("Ani Lestari", BUDI_NIK), member_no=""), by=kasir)
    assert (joined.kind, joined.member_no) == ("anggota", "A-000002")
    assert member_events(ctx)[-1]["fields"]["member_no"] == "A-000002"  # type: ignore[index]
