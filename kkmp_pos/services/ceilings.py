"""Regulated prices (HET, HAP) as dated data: the ceiling in force on a day, the ceilings list, CSV import."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from importlib import resources

from sqlalchemy import Connection, bindparam, insert, select

from kkmp_pos.domain.ceiling_import import CeilingFileInvalid, parse_ceilings_csv
from kkmp_pos.domain.clock import business_date
from kkmp_pos.domain.file_problems import RowProblem
from kkmp_pos.domain.money import Rupiah, group_thousands
from kkmp_pos.domain.product import Product
from kkmp_pos.domain.sale_rules import Ceiling
from kkmp_pos.i18n import tr
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import PriceCeiling
from kkmp_pos.store.models import Product as ProductRow

_ceiling = PriceCeiling.__table__
_product = ProductRow.__table__
# Built once (the sale path runs it on every sale); the expanding IN keeps one cached compiled form.
_IN_FORCE = (
    select(_ceiling.c.sku, _ceiling.c.kind, _ceiling.c.amount, _ceiling.c.source)
    .where(_ceiling.c.sku.in_(bindparam("skus", expanding=True)), _ceiling.c.effective_from <= bindparam("day"))
    .order_by(_ceiling.c.sku, _ceiling.c.kind.desc(), _ceiling.c.effective_from.desc())
)


def ceilings_in_force(connection: Connection, products: Iterable[Product], day: date) -> dict[str, Ceiling]:
    """For each product, the newest ceiling effective on `day`; the catalogue's own HET otherwise.

    A HET outranks a HAP for the same SKU: it is the one that blocks.
    """
    products = list(products)
    wanted = sorted({p.sku for p in products})
    if not wanted:
        return {}
    found: dict[str, Ceiling] = {}
    rows = connection.execute(_IN_FORCE, {"skus": wanted, "day": day.isoformat()}).all()
    for sku, kind, amount, source in rows:
        current = found.get(sku)
        if current is None or (current.kind == "HAP" and kind == "HET"):
            found[sku] = Ceiling(sku=sku, kind=kind, amount=amount, source=source)
    for product in products:
        if product.sku not in found and product.het is not None:
            found[product.sku] = Ceiling(sku=product.sku, kind="HET", amount=product.het, source="katalog")
    return found


# --- one product, the ceilings screen, and importing ceilings as data -------------------------------

_CEILING_FOR_SKU = (
    "SELECT kind, amount, source FROM price_ceiling WHERE sku = ? AND effective_from <= ? "
    "ORDER BY kind DESC, effective_from DESC LIMIT 1"
)
"""HET sorts before HAP (it is the one that blocks), then the newest date in force."""


def ceiling_for(ctx: PosContext, product: Product, day: date | None = None) -> Ceiling | None:
    """The ceiling in force for one product (same rule as `ceilings_in_force`), on the scan path's connection."""
    day = day or business_date(ctx.clock())
    row = ctx.quick_reader().execute(_CEILING_FOR_SKU, (product.sku, day.isoformat())).fetchone()
    if row is not None:
        return Ceiling(sku=product.sku, kind=row[0], amount=row[1], source=row[2])
    if product.het is not None:
        return Ceiling(sku=product.sku, kind="HET", amount=product.het, source="katalog")
    return None


@dataclass(frozen=True, slots=True)
class CeilingView:
    """One line of the ceilings screen: a ceiling in force today, or one that starts later."""

    sku: str
    product_name: str | None
    kind: str
    amount: Rupiah
    source: str
    region: str
    effective_from: date
    upcoming: bool


def ceiling_overview(ctx: PosContext, day: date | None = None) -> list[CeilingView]:
    """Per SKU and kind, the ceiling in force on `day` and every later one; older ones are history."""
    day = day or business_date(ctx.clock())
    with reading(ctx.engine) as connection:
        rows = connection.execute(
            select(_ceiling.c.sku, _ceiling.c.kind, _ceiling.c.amount, _ceiling.c.source, _ceiling.c.region,
                   _ceiling.c.effective_from, _product.c.name)
            .outerjoin(_product, _product.c.sku == _ceiling.c.sku)
            .order_by(_ceiling.c.sku, _ceiling.c.kind.desc(), _ceiling.c.effective_from.desc())
        ).all()
    views: list[CeilingView] = []
    current_found: set[tuple[str, str]] = set()
    for row in rows:
        effective = date.fromisoformat(row.effective_from)
        upcoming = effective > day
        if not upcoming:
            if (row.sku, row.kind) in current_found:
                continue  # superseded by a newer one already in force
            current_found.add((row.sku, row.kind))
        views.append(CeilingView(sku=row.sku, product_name=row.name, kind=row.kind, amount=row.amount,
                                 source=row.source, region=row.region, effective_from=effective,
                                 upcoming=upcoming))
    views.sort(key=lambda v: (v.product_name or v.sku, v.kind != "HET", v.effective_from))
    return views


@dataclass(frozen=True, slots=True)
class CeilingImportResult:
    added: int
    unchanged: int
    """Rows already stored with the same value and source (importing a file twice changes nothing)."""


def import_ceilings_csv(ctx: PosContext, text: str) -> CeilingImportResult:
    """Import a ceilings CSV: every row valid or nothing written. A stored ceiling is never edited: a
    different value for the same SKU, kind, region and date is an error (give the new value a new date)."""
    rows = parse_ceilings_csv(text)
    now = ctx.clock()
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        skus = sorted({row.sku for row in rows})
        known = set(connection.execute(select(_product.c.sku).where(_product.c.sku.in_(skus))).scalars())
        stored = {
            (r.sku, r.kind, r.region, r.effective_from): (r.amount, r.source)
            for r in connection.execute(
                select(_ceiling.c.sku, _ceiling.c.kind, _ceiling.c.region, _ceiling.c.effective_from,
                       _ceiling.c.amount, _ceiling.c.source).where(_ceiling.c.sku.in_(skus)))
        }
        problems: list[RowProblem] = []
        new_rows: list[dict[str, object]] = []
        unchanged = 0
        for row in rows:
            if row.sku not in known:
                problems.append(RowProblem(row.line, "sku", tr(
                    "'{sku}' tidak ada di katalog gerai ini; periksa ketikannya", sku=row.sku)))
            elif row.key in stored and stored[row.key] == (row.amount, row.source):
                unchanged += 1
            elif row.key in stored:
                problems.append(RowProblem(row.line, "amount", tr(
                    "{kind} {sku} untuk {region} mulai {day} sudah tercatat Rp{old}; batas yang sudah tercatat tidak "
                    "diubah, beri nilai baru tanggal berlaku baru", kind=row.kind, sku=row.sku, region=row.region,
                    day=row.effective_from.isoformat(), old=group_thousands(stored[row.key][0]))))
            else:
                new_rows.append({"sku": row.sku, "kind": row.kind, "amount": row.amount, "source": row.source,
                                 "region": row.region, "effective_from": row.effective_from.isoformat(),
                                 "created_at": now})
        if problems:
            raise CeilingFileInvalid(problems)
        if new_rows:
            connection.execute(insert(_ceiling), new_rows)
        uow.commit()
    return CeilingImportResult(added=len(new_rows), unchanged=unchanged)


def domain_ceilings_text() -> str:
    """The ceilings of DOMAIN.md for the sample SKUs, shipped with the app."""
    return resources.files("kkmp_pos.resources").joinpath("het_ceilings.csv").read_text(encoding="utf-8")


def seed_domain_ceilings(ctx: PosContext) -> CeilingImportResult:
    """Load the shipped ceilings (the demo outlet); running it again adds nothing."""
    return import_ceilings_csv(ctx, domain_ceilings_text())
