"""The demo outlet: KKMP Lempake with the sample catalogue, one user of each role (with PINs) and opening stock."""

from __future__ import annotations

from importlib import resources

from kkmp_pos.domain.catalog_import import parse_catalog_csv
from kkmp_pos.domain.quantity import MILLI
from kkmp_pos.services.approvals import approvers
from kkmp_pos.services.auth import KdfCost
from kkmp_pos.services.catalog import import_catalog_text
from kkmp_pos.services.ceilings import seed_domain_ceilings
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.cylinders import record_opening_balance
from kkmp_pos.services.outlet import NewOutlet, create_outlet, has_outlet
from kkmp_pos.services.stock import record_opening_stock
from kkmp_pos.services.suppliers import add_supplier
from kkmp_pos.services.units import seed_pack_units
from kkmp_pos.services.users import set_initial_pins

DEMO_OUTLET = NewOutlet(
    code="LPK-01",
    koperasi_name="KKMP Lempake",
    gerai_name="Gerai Sembako & Elpiji Lempake",
    address="Jl. D.I. Panjaitan, Lempake, Samarinda Utara",
    kelurahan_code="64.72.05.1003",
)
DEMO_USERS = [("kasir", "Siti Rahmawati", "kasir"), ("manajer", "Budi Santoso", "manajer"),
              ("pengawas", "Dewi Lestari", "pengawas"), ("admin", "Admin Demo", "admin")]
DEMO_PINS = {"kasir": "1111", "manajer": "2222", "pengawas": "3333", "admin": "9999"}
"""Published in the README so anyone can try the demo; a real outlet's users choose their own."""
DEMO_PIN_COST = KdfCost(n=2**10, r=8, p=1)
"""The demo PINs are public, so a slow hash would protect nothing and only slow every start of a test
outlet; a PIN set or reset later through the users screen always gets the full auth.PIN_COST."""

DEMO_CYLINDERS = {"3kg": (50, 30), "5_5kg": (5, 5), "12kg": (10, 5)}
"""Opening (full, empty) elpiji cylinders per size of the demo outlet."""
DEMO_PACK_UNITS = {"BRS-CURAH": ("karung", 25 * MILLI), "MIE-IDG": ("dus", 40 * MILLI)}
"""Beras curah arrives by the 25 kg karung, Indomie by the dus of 40: stock stays in kg and pcs."""


def sample_catalog_text() -> str:
    return resources.files("kkmp_pos.resources").joinpath("catalog_sample.csv").read_text(encoding="utf-8")


def seed_demo(ctx: PosContext) -> bool:
    """Create the demo outlet if the database has none; returns whether anything was created."""
    if has_outlet(ctx):
        return False
    create_outlet(ctx, DEMO_OUTLET, DEMO_USERS)
    set_initial_pins(ctx, DEMO_PINS, cost=DEMO_PIN_COST)
    text = sample_catalog_text()
    import_catalog_text(ctx, text)
    seed_domain_ceilings(ctx)  # the DOMAIN.md HET/HAP table, dated, for the sample SKUs
    # Enough stock to sell from: 50 pieces, or 50 kg / liter of loose goods.
    opening = {row.sku: 50 * MILLI for row in parse_catalog_csv(text)}
    record_opening_stock(ctx, opening, reason="Stok awal gerai demo")
    manager = approvers(ctx)[0].id
    for size, (full, empty) in DEMO_CYLINDERS.items():
        record_opening_balance(ctx, size, full=full, empty=empty, by=manager, note="Stok awal gerai demo")
    boss = approvers(ctx)[0]
    add_supplier(ctx, "CV Sumber Rezeki Samarinda", "Pak Hendra", "0541-731234", by=boss)
    seed_pack_units(ctx, DEMO_PACK_UNITS, by=boss)
    return True
