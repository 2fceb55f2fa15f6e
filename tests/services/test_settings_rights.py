"""Only an active admin changes the outlet's profile and settings, whatever screen or call asks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kkmp_pos.domain.errors import PosError
from kkmp_pos.services import auth, users
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.demo import DEMO_PINS
from kkmp_pos.services.settings import load_outlet_profile, load_settings, save_outlet_profile


@pytest.mark.parametrize("username", ["kasir", "manajer", "pengawas"])
def test_nobody_but_the_admin_saves_the_settings(ctx: PosContext, username: str) -> None:
    user = auth.login(ctx, username, DEMO_PINS[username])
    profile, settings = load_outlet_profile(ctx), load_settings(ctx)
    with pytest.raises(PosError, match="Hanya admin yang dapat mengubah pengaturan gerai"):
        save_outlet_profile(ctx, replace(profile, gerai_name="Gerai Lain"), replace(settings, pkp=True),
                            by=user.id)
    assert load_outlet_profile(ctx) == profile and load_settings(ctx) == settings  # nothing was written


def test_the_admin_saves_them_and_a_deactivated_admin_no_longer_can(ctx: PosContext) -> None:
    admin = auth.login(ctx, "admin", DEMO_PINS["admin"])
    profile = load_outlet_profile(ctx)
    saved = save_outlet_profile(ctx, replace(profile, gerai_name="  Gerai   Pasar "), load_settings(ctx),
                                by=admin.id)
    assert saved.gerai_name == "Gerai Pasar" and load_outlet_profile(ctx).gerai_name == "Gerai Pasar"

    second = users.create_user(ctx, admin_id=admin.id, username="admin2", full_name="Admin Dua", role="admin",
                               pin="480516", pin_again="480516")
    users.set_active(ctx, admin_id=second.id, user_id=admin.id, active=False)
    with pytest.raises(PosError, match="Hanya admin"):
        save_outlet_profile(ctx, profile, load_settings(ctx), by=admin.id)
    assert load_outlet_profile(ctx).gerai_name == "Gerai Pasar"
