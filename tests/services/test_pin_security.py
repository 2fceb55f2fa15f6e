"""PIN brute force: the lockout is in the database, so a restart does not lift it; a copied database is useless."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import literal_column, select

from kkmp_pos.domain.clock import fixed_clock
from kkmp_pos.services import auth
from kkmp_pos.services.auth import LOCK_DURATION, MAX_WRONG_PINS, AttemptOutcome, LoginRefused
from kkmp_pos.services.context import PosContext, open_context
from kkmp_pos.services.demo import DEMO_PINS
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import LoginAttempt, User
from tests.conftest import TEST_MOMENT, copy_database_alone

_user = User.__table__
_attempt = LoginAttempt.__table__


def refused(ctx: PosContext, username: str, pin: str) -> LoginRefused:
    with pytest.raises(LoginRefused) as caught:
        auth.login(ctx, username, pin)
    return caught.value


def details(ctx: PosContext, username: str) -> list[str]:
    with reading(ctx.engine) as connection:
        return list(connection.execute(select(_attempt.c.detail).where(_attempt.c.username == username)
                                       .order_by(_attempt.c.at, literal_column("login_attempt.rowid"))).scalars())


def test_a_brute_force_run_is_stopped_after_five_guesses_and_even_the_right_pin_is_refused(ctx: PosContext) -> None:
    """Every four-digit PIN from 0000 up to past the right one (1111), typed as fast as possible."""
    outcomes = []
    for number in range(0, 1_200):
        guess = f"{number:04d}"
        try:
            auth.login(ctx, "kasir", guess)
            outcomes.append((guess, AttemptOutcome.OK))
        except LoginRefused as error:
            outcomes.append((guess, error.outcome))
    assert [outcome for _, outcome in outcomes[:4]] == [AttemptOutcome.WRONG_PIN] * 4
    assert {outcome for _, outcome in outcomes[4:]} == {AttemptOutcome.LOCKED}
    assert dict(outcomes)["1111"] is AttemptOutcome.LOCKED  # the right PIN was never even checked
    # Every try is logged, and only the first five were real comparisons.
    logged = details(ctx, "kasir")
    assert len(logged) == 1_200
    assert logged[:5] == ["login/wrong_pin"] * 4 + ["login/locked"]
    with reading(ctx.engine) as connection:
        failed, until = connection.execute(select(_user.c.failed_pins, _user.c.locked_until)
                                           .where(_user.c.username == "kasir")).one()
    assert (failed, until) == (MAX_WRONG_PINS, TEST_MOMENT + LOCK_DURATION)  # locked tries never extend it


def test_the_lockout_is_stored_so_restarting_the_till_does_not_lift_it(ctx: PosContext) -> None:
    for _ in range(MAX_WRONG_PINS):
        refused(ctx, "manajer", "0000")
    data_dir = ctx.data_dir
    ctx.close()  # the thief pulls the plug and starts the till again

    reopened = open_context(data_dir, clock=fixed_clock(TEST_MOMENT + timedelta(seconds=30)))
    try:
        error = refused(reopened, "manajer", DEMO_PINS["manajer"])
        assert error.outcome is AttemptOutcome.LOCKED
        assert str(error) == "Pengguna Budi Santoso dikunci sampai 10:16 WITA karena 5 kali salah PIN."
        # Other users are not locked by someone else's mistakes.
        assert auth.login(reopened, "kasir", DEMO_PINS["kasir"]).username == "kasir"

        reopened.clock = fixed_clock(TEST_MOMENT + LOCK_DURATION)
        assert auth.login(reopened, "manajer", DEMO_PINS["manajer"]).username == "manajer"
        assert details(reopened, "manajer") == ["login/wrong_pin"] * 4 + ["login/locked"] * 2 + ["login/ok"]
    finally:
        reopened.close()




def test_a_database_copied_to_another_data_directory_verifies_no_pin_until_its_pin_key_is_restored(
        ctx: PosContext, tmp_path: Path) -> None:
    other = tmp_path / "stolen"
    copy_database_alone(ctx, other)
    # The other directory gets a pin.key of its own: a fresh random pepper, as a new till would make.
    new_key = auth.ensure_pin_key(other)
    original_key = (ctx.data_dir / auth.PIN_KEY_FILENAME).read_bytes()
    assert new_key != original_key

    copy = open_context(other, clock=fixed_clock(TEST_MOMENT))
    try:
        for username, pin in DEMO_PINS.items():
            error = refused(copy, username, pin)  # every user's right PIN
            assert error.outcome is AttemptOutcome.PIN_KEY
            assert str(error) == (
                "PIN tidak dapat diperiksa: file kunci PIN (pin.key) di folder data tidak ada atau bukan "
                "pasangan database ini. Pulihkan pin.key dari cadangan, atau minta admin mengatur ulang semua PIN.")
            assert details(copy, username) == ["login/pin_key"]
        # Not a guess, so never a lockout that would hide the real problem.
        with reading(copy.engine) as connection:
            assert set(connection.execute(select(_user.c.failed_pins, _user.c.locked_until))) == {(0, None)}
            stored = auth.parse_pin_hash(connection.execute(
                select(_user.c.pin_hash).where(_user.c.username == "kasir")).scalar_one())
        # Offline, with the hash in hand and the new pepper, no guess matches, the right one included.
        guesses = [f"{n:04d}" for n in range(1_050, 1_150)]
        assert "1111" in guesses
        assert not any(auth.pin_matches(guess, stored, new_key) for guess in guesses)
        assert auth.pin_matches("1111", stored, original_key)

        # What the message says to do: put the data directory's own pin.key back.
        shutil.copyfile(ctx.data_dir / auth.PIN_KEY_FILENAME, other / auth.PIN_KEY_FILENAME)
        for username, pin in DEMO_PINS.items():
            assert auth.login(copy, username, pin).username == username
    finally:
        copy.close()
