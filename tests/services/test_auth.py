"""PIN login: peppered slow hashes, the lockout on an injected clock, every attempt logged, copied databases."""

from __future__ import annotations

import stat
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import literal_column, select

from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.services import auth, users
from kkmp_pos.services.auth import AttemptOutcome, LoginRefused
from kkmp_pos.services.context import PosContext, open_context
from kkmp_pos.services.demo import DEMO_PINS
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.services.settings import load_settings, save_settings
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import LoginAttempt, User
from tests.conftest import TEST_MOMENT, copy_database_alone

_attempt = LoginAttempt.__table__
_user = User.__table__


def attempts(ctx: PosContext) -> list[tuple[str | None, str, bool, str]]:
    with reading(ctx.engine) as connection:
        return [tuple(row) for row in connection.execute(  # type: ignore[misc]
            select(_attempt.c.user_id, _attempt.c.username, _attempt.c.success, _attempt.c.detail)
            .order_by(_attempt.c.at, literal_column("login_attempt.rowid")))]


def counters(ctx: PosContext, username: str) -> tuple[int, object]:
    with reading(ctx.engine) as connection:
        row = connection.execute(select(_user.c.failed_pins, _user.c.locked_until)
                                 .where(_user.c.username == username)).one()
    return row.failed_pins, row.locked_until


def refusal(ctx: PosContext, username: str, pin: str) -> LoginRefused:
    with pytest.raises(LoginRefused) as caught:
        auth.login(ctx, username, pin)
    return caught.value


def test_every_demo_user_logs_in_with_their_pin_and_the_attempt_is_logged(ctx: PosContext) -> None:
    roles = {}
    for username, pin in DEMO_PINS.items():
        user = auth.login(ctx, f"  {username.upper()} ", pin)  # as typed: spaces and capitals don't matter
        assert isinstance(user, Cashier) and user.username == username
        roles[username] = user.role
    assert roles == {"kasir": "kasir", "manajer": "manajer", "pengawas": "pengawas", "admin": "admin"}
    logged = attempts(ctx)
    assert [(name, ok, detail) for _, name, ok, detail in logged] == [
        (name, True, "login/ok") for name in DEMO_PINS]
    assert all(user_id for user_id, *_ in logged)
    assert auth.last_login_username(ctx) == "admin"


def test_wrong_pins_count_down_then_lock_for_60_seconds_on_the_injected_clock(ctx: PosContext) -> None:
    for left in (4, 3, 2, 1):
        error = refusal(ctx, "kasir", "9876")
        assert str(error) == f"PIN salah. Sisa percobaan: {left}"
        assert error.outcome is AttemptOutcome.WRONG_PIN
    fifth = refusal(ctx, "kasir", "9876")
    assert str(fifth) == "Pengguna Siti Rahmawati dikunci sampai 10:16 WITA karena 5 kali salah PIN."
    assert counters(ctx, "kasir") == (5, TEST_MOMENT + timedelta(seconds=60))

    # Locked: even the right PIN is refused, and that try does not extend the lock.
    ctx.clock = fixed_clock(TEST_MOMENT + timedelta(seconds=59))
    assert refusal(ctx, "kasir", "1111").outcome is AttemptOutcome.LOCKED
    assert counters(ctx, "kasir")[1] == TEST_MOMENT + timedelta(seconds=60)

    ctx.clock = fixed_clock(TEST_MOMENT + timedelta(seconds=60))
    assert auth.login(ctx, "kasir", "1111").username == "kasir"
    assert counters(ctx, "kasir") == (0, None)  # a success resets the count
    details = [detail for _, name, _, detail in attempts(ctx) if name == "kasir"]
    assert details == ["login/wrong_pin"] * 4 + ["login/locked", "login/locked", "login/ok"]


def test_after_a_lock_each_further_wrong_pin_locks_again_and_the_shown_time_is_rounded_up(
        ctx: PosContext) -> None:
    for _ in range(5):
        refusal(ctx, "manajer", "0000")
    ctx.clock = fixed_clock(TEST_MOMENT + timedelta(seconds=90))  # 10:16:30, the first lock is over
    again = refusal(ctx, "manajer", "0000")
    # Locked until 10:17:30: shown as 10:18 so trying at the time shown always works.
    assert str(again) == "Pengguna Budi Santoso dikunci sampai 10:18 WITA karena 6 kali salah PIN."
    assert counters(ctx, "manajer") == (6, TEST_MOMENT + timedelta(seconds=150))


def test_a_success_resets_the_count_so_only_consecutive_mistakes_lock(ctx: PosContext) -> None:
    for _ in range(4):
        refusal(ctx, "kasir", "1234")
    auth.login(ctx, "kasir", "1111")
    for left in (4, 3, 2, 1):
        assert str(refusal(ctx, "kasir", "1234")) == f"PIN salah. Sisa percobaan: {left}"
    assert counters(ctx, "kasir")[1] is None


def test_unknown_inactive_and_malformed_attempts_are_logged_too(ctx: PosContext) -> None:
    admin = auth.login(ctx, "admin", "9999")
    kasir = auth.login(ctx, "kasir", "1111")
    users.set_active(ctx, admin_id=admin.id, user_id=kasir.id, active=False)
    assert refusal(ctx, "kasir", "1111").outcome is AttemptOutcome.INACTIVE
    assert refusal(ctx, "tamu", "1111").outcome is AttemptOutcome.UNKNOWN_USER
    assert str(refusal(ctx, "manajer", "12ab")) == "PIN salah. Sisa percobaan: 4"  # a real (wrong) try
    assert attempts(ctx)[-3:] == [
        (kasir.id, "kasir", False, "login/inactive"),
        (None, "tamu", False, "login/unknown_user"),
        (attempts(ctx)[-1][0], "manajer", False, "login/wrong_pin"),
    ]
    before = len(attempts(ctx))
    with pytest.raises(InvalidInput, match="Ketik PIN"):
        auth.login(ctx, "manajer", "")  # Enter on an empty field: not an attempt at all
    assert len(attempts(ctx)) == before and counters(ctx, "manajer")[0] == 1


def test_pin_key_is_outside_the_database_owner_only_and_hashes_describe_themselves(ctx: PosContext) -> None:
    key_file = ctx.data_dir / auth.PIN_KEY_FILENAME
    assert len(key_file.read_bytes()) == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    admin = auth.login(ctx, "admin", "9999")
    kasir = auth.login(ctx, "kasir", "1111")
    users.reset_pin(ctx, admin_id=admin.id, user_id=kasir.id, pin="480516", pin_again="480516")
    with reading(ctx.engine) as connection:
        stored = connection.execute(select(_user.c.pin_hash).where(_user.c.id == kasir.id)).scalar_one()
    scheme, params, key_id, salt, digest = stored.split("$")
    assert (scheme, params) == ("scrypt-hmac-sha256", "n=16384,r=8,p=1")  # the full cost for a chosen PIN
    assert key_id.startswith("key=") and len(salt) == 22 and len(digest) == 43
    assert "480516" not in stored
    assert auth.login(ctx, "kasir", "480516").id == kasir.id
    assert str(refusal(ctx, "kasir", "1111")) == "PIN salah. Sisa percobaan: 4"
    # Same PIN, new salt: two users with one PIN never share a hash.
    assert auth.hash_pin("480516", key_file.read_bytes()) != stored




@pytest.mark.parametrize("other_key", [None, b"\x07" * 32], ids=["no-pin-key", "another-pin-key"])
def test_a_copied_database_cannot_verify_any_pin(ctx: PosContext, tmp_path: Path, other_key: bytes | None) -> None:
    copy_database_alone(ctx, tmp_path / "copy")
    if other_key is not None:
        (tmp_path / "copy" / auth.PIN_KEY_FILENAME).write_bytes(other_key)
    copy = open_context(tmp_path / "copy", clock=fixed_clock(TEST_MOMENT))
    try:
        for username, pin in DEMO_PINS.items():
            error = refusal(copy, username, pin)
            assert error.outcome is AttemptOutcome.PIN_KEY and "pin.key" in str(error)
            assert counters(copy, username) == (0, None)  # not a guess: never counted
        assert not (tmp_path / "copy" / auth.PIN_KEY_FILENAME).exists() or other_key is not None
        # Even with the stored hash in hand, the right PIN does not match without the original key.
        with reading(copy.engine) as connection:
            stored = auth.parse_pin_hash(connection.execute(
                select(_user.c.pin_hash).where(_user.c.username == "kasir")).scalar_one())
        assert not auth.pin_matches("1111", stored, other_key or b"\x00" * 32)
        assert auth.pin_matches("1111", stored, (ctx.data_dir / auth.PIN_KEY_FILENAME).read_bytes())
    finally:
        copy.close()
    assert auth.login(ctx, "kasir", "1111").username == "kasir"  # the original still works


def test_a_damaged_pin_key_is_reported_not_replaced(ctx: PosContext) -> None:
    key_file = ctx.data_dir / auth.PIN_KEY_FILENAME
    key_file.write_bytes(b"short")
    with pytest.raises(auth.PosError, match="rusak"):
        auth.login(ctx, "kasir", "1111")
    assert key_file.read_bytes() == b"short"


def test_the_idle_lock_is_a_setting_from_never_to_four_hours(ctx: PosContext) -> None:
    assert load_settings(ctx).idle_lock_minutes == 10
    save_settings(ctx, replace(load_settings(ctx), idle_lock_minutes=0))
    assert load_settings(ctx).idle_lock_minutes == 0
    with pytest.raises(InvalidInput, match="0 sampai 240 menit"):
        save_settings(ctx, replace(load_settings(ctx), idle_lock_minutes=241))
