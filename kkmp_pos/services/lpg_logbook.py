"""The 3 kg LPG logbook: every subsidised sale line with its buyer, net of refunds, filters, and MAP marking."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Select, func, select
from sqlalchemy.orm import aliased

from kkmp_pos.domain.clock import business_date, format_wita, rfc3339, to_wita
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.lpg import CATEGORY_LABELS
from kkmp_pos.domain.nik import mask_nik, normalize_nik
from kkmp_pos.domain.quantity import MILLI
from kkmp_pos.domain.roles import Role
from kkmp_pos.i18n import tr
from kkmp_pos.printing.lpg_pdf import (
    CategoryTotal,
    HetNotice,
    LogbookPdf,
    LogbookPdfRow,
    render_het_notice,
    render_logbook_pdf,
)
from kkmp_pos.services import nik_vault
from kkmp_pos.services.catalog import find_by_sku
from kkmp_pos.services.ceilings import ceilings_in_force
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.journal import append_event
from kkmp_pos.services.lpg_sale import NET_QTY_MILLI, RETURNED_MILLI
from kkmp_pos.services.nik_vault import NikLocked, open_nik, read_nik_key
from kkmp_pos.services.outlet import outlet_info
from kkmp_pos.services.settings import load_settings
from kkmp_pos.services.uow import reading
from kkmp_pos.store.models import LpgBuyer, LpgDelivery, LpgSaleLine, RefundLine, Sale, SaleLine, User

_lpg = LpgSaleLine.__table__
_refund_line = RefundLine.__table__
_line = SaleLine.__table__
_sale = Sale.__table__
_buyer = LpgBuyer.__table__
_delivery = LpgDelivery.__table__
_user = User.__table__
_cashier = aliased(User, name="cashier")
_marker = aliased(User, name="marker")

WHOLE_NIK_ROLES = nik_vault.WHOLE_NIK_ROLES
"""The NIK is personal data: shown whole only to those who answer for the logbook to the agen."""
MARK_ROLES = frozenset({Role.KASIR, Role.MANAJER, Role.ADMIN})
"""A pengawas reads everything and changes nothing, so never marks rows."""

# The DO of the latest 3 kg delivery on or before the sale's day: which stock the cylinder came from.
_DO_NUMBER = (
    select(_delivery.c.do_number)
    .where(_delivery.c.size == "3kg", _delivery.c.delivered_on <= _lpg.c.business_date)
    .order_by(_delivery.c.delivered_on.desc(), _delivery.c.created_at.desc())
    .limit(1)
    .correlate(_lpg)
    .scalar_subquery()
)
_RETURNED_AMOUNT = (
    select(func.coalesce(func.sum(_refund_line.c.amount), 0))
    .where(_refund_line.c.sale_line_id == _line.c.id)
    .correlate(_line)
    .scalar_subquery()
)
_STILL_OUT = NET_QTY_MILLI > 0
"""Something of the line was handed out and kept: only such a row is distributed, and only it waits for MAP."""
_ROWS = (
    select(_lpg.c.sale_line_id, _lpg.c.category, _lpg.c.business_date, _lpg.c.map_entered_at,
           _sale.c.created_at, _sale.c.receipt_no, _line.c.qty_milli, RETURNED_MILLI.label("returned_milli"),
           _line.c.unit_price, _line.c.total, _RETURNED_AMOUNT.label("returned_amount"),
           _buyer.c.nik, _buyer.c.nik_enc, _buyer.c.nik_masked, _buyer.c.name, _buyer.c.address, _cashier.full_name.label("cashier_name"),
           _marker.full_name.label("marker_name"), _DO_NUMBER.label("do_number"))
    .select_from(_lpg)
    .join(_line, _line.c.id == _lpg.c.sale_line_id)
    .join(_sale, _sale.c.id == _line.c.sale_id)
    .join(_buyer, _buyer.c.id == _lpg.c.buyer_id)
    .join(_cashier, _cashier.id == _sale.c.cashier_id)
    .outerjoin(_marker, _marker.id == _lpg.c.map_entered_by)
    .order_by(_sale.c.created_at, _line.c.line_no)
)


@dataclass(frozen=True, slots=True)
class LogbookFilter:
    """WITA days `first_day`..`last_day` inclusive; `text` matches the NIK's digits or the buyer's name."""

    first_day: date
    last_day: date
    category: str | None = None
    text: str = ""
    pending_only: bool = False


def month_bounds(month: str) -> tuple[date, date]:
    """'2026-11' -> (1 Nov, 30 Nov); a malformed month is refused with a message."""
    try:
        first = date.fromisoformat(month + "-01")
    except ValueError:
        raise InvalidInput("Bulan '{month}' tidak dikenal. Tulis tahun-bulan, misalnya 2026-11.",
                           month=month) from None
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def month_filter(month: str) -> LogbookFilter:
    first, last = month_bounds(month)
    return LogbookFilter(first_day=first, last_day=last)


@dataclass(frozen=True, slots=True)
class LogbookRow:
    """One 3 kg sale line as the logbook shows it; `nik` is whole or masked according to who reads it.

    `pieces` and `total` are net of refunds (what the buyer kept and paid for), `returned` the cylinders brought
    back. A line returned in full stays on the screen (0 pieces) so a row already typed into MAP can be
    corrected there, but it is no distribution: it is not pending, not in the agen's exports, not in totals.
    """

    sale_line_id: str
    sold_at: datetime
    business_date: date
    nik: str
    name: str
    address: str
    category: str
    pieces: int
    unit_price: int
    total: int
    do_number: str
    cashier_name: str
    receipt_no: str
    map_entered_at: datetime | None
    map_entered_by: str | None
    returned: int = 0

    @property
    def pending(self) -> bool:
        """Not yet typed into Pertamina's MAP app, and there is something to type (not all returned)."""
        return self.map_entered_at is None and self.pieces > 0

    @property
    def returned_in_full(self) -> bool:
        """Every cylinder of the line came back: nothing was distributed."""
        return self.pieces == 0 and self.returned > 0

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category)


def _role_of(connection: Connection, user_id: str) -> Role:
    role = connection.execute(select(_user.c.role).where(_user.c.id == user_id, _user.c.active.is_(True))).scalar()
    if role is None:
        raise InvalidInput("Pengguna tidak dikenal atau nonaktif. Masuk lagi dengan PIN Anda.")
    return Role(role)


def shows_whole_nik(ctx: PosContext, viewer_id: str) -> bool:
    with reading(ctx.engine) as connection:
        return _role_of(connection, viewer_id) in WHOLE_NIK_ROLES


def _filtered(query: Select, flt: LogbookFilter) -> Select:  # type: ignore[type-arg]
    if flt.last_day < flt.first_day:
        raise InvalidInput("Tanggal akhir sebelum tanggal awal. Periksa rentang tanggal.")
    query = query.where(_lpg.c.business_date >= flt.first_day.isoformat(),
                        _lpg.c.business_date <= flt.last_day.isoformat())
    if flt.category:
        query = query.where(_lpg.c.category == flt.category)
    if flt.pending_only:
        query = query.where(_lpg.c.map_entered_at.is_(None), _STILL_OUT)
    text = " ".join(flt.text.split())
    if text and not normalize_nik(text).isdigit():  # NIK digits are matched after decryption, in _rows
        query = query.where(_buyer.c.name.ilike(f"%{text}%"))
    return query


def _nik_text(r: object, key: bytes | None, *, whole: bool, strict: bool) -> str:
    """The row's NIK as this viewer sees it. Without the key the masked copy is shown, unless `strict`
    (the agen's export needs the whole NIK: NikLocked says how to get nik.key back)."""
    clear, sealed = r.nik, r.nik_enc  # type: ignore[attr-defined]
    masked = r.nik_masked or (mask_nik(clear) if clear else "")  # type: ignore[attr-defined]
    if not whole:
        return masked
    if clear:  # a row start-up has not sealed yet
        return str(clear)
    try:
        return open_nik(key, sealed)
    except NikLocked:
        if strict:
            raise
        return masked


def _rows(connection: Connection, flt: LogbookFilter, *, whole_nik: bool, data_dir: Path,
          strict: bool = False) -> list[LogbookRow]:
    key = read_nik_key(data_dir) if whole_nik else None  # decrypted only for a viewer who may see it
    digits = normalize_nik(" ".join(flt.text.split()))
    rows = []
    for r in connection.execute(_filtered(_ROWS, flt)).all():
        nik = _nik_text(r, key, whole=whole_nik, strict=strict)
        if digits.isdigit() and digits not in nik:
            continue
        rows.append(LogbookRow(
            sale_line_id=r.sale_line_id, sold_at=r.created_at, business_date=date.fromisoformat(r.business_date),
            nik=nik, name=r.name, address=r.address, category=r.category,
            pieces=(r.qty_milli - r.returned_milli) // MILLI, unit_price=r.unit_price,
            total=r.total - r.returned_amount, do_number=r.do_number or "", cashier_name=r.cashier_name,
            receipt_no=r.receipt_no, map_entered_at=r.map_entered_at, map_entered_by=r.marker_name,
            returned=r.returned_milli // MILLI))
    return rows


def list_logbook(ctx: PosContext, flt: LogbookFilter, *, viewer_id: str) -> list[LogbookRow]:
    """The rows matching `flt`, oldest first; the NIK is whole only for a manajer or admin."""
    with reading(ctx.engine) as connection:
        whole = _role_of(connection, viewer_id) in WHOLE_NIK_ROLES
        return _rows(connection, flt, whole_nik=whole, data_dir=ctx.data_dir)


def logbook_for_export(ctx: PosContext, month: str, *, viewer_id: str) -> list[LogbookRow]:
    """The month's rows with the whole NIK, for the agen; only a manajer or admin may take them out."""
    with reading(ctx.engine) as connection:
        if _role_of(connection, viewer_id) not in WHOLE_NIK_ROLES:
            raise InvalidInput("Ekspor logbook dengan NIK lengkap hanya untuk manajer atau admin. Minta manajer "
                               "untuk mengekspornya.")
        return _rows(connection, month_filter(month), whole_nik=True, data_dir=ctx.data_dir, strict=True)


def pending_count(ctx: PosContext) -> int:
    """Logbook rows not yet typed into MAP, over all months (a line returned in full has nothing to type)."""
    with reading(ctx.engine) as connection:
        return int(connection.execute(
            select(func.count()).select_from(_lpg.join(_line, _line.c.id == _lpg.c.sale_line_id))
            .where(_lpg.c.map_entered_at.is_(None), _STILL_OUT)
        ).scalar() or 0)


def mark_map_entered(ctx: PosContext, sale_line_ids: Iterable[str], *, user_id: str) -> int:
    """Mark rows "sudah diinput ke MAP" (who, when) in one transaction with one journal event; returns how many
    were newly marked. A marked row stays marked: there is no way back, as in MAP itself. A line returned in
    full before it was marked is never marked: nothing was handed out, so there is nothing to enter."""
    wanted = sorted(set(sale_line_ids))
    if not wanted:
        raise InvalidInput("Pilih dulu baris logbook yang sudah diinput ke MAP.")
    now = ctx.clock()
    with ctx.unit_of_work() as uow:
        connection = uow.connection
        if _role_of(connection, user_id) not in MARK_ROLES:
            raise InvalidInput("Pengawas hanya dapat melihat logbook. Minta kasir atau manajer menandai baris MAP.")
        unmarked = connection.execute(
            select(_lpg.c.sale_line_id, _STILL_OUT.label("still_out"))
            .join(_line, _line.c.id == _lpg.c.sale_line_id)
            .where(_lpg.c.sale_line_id.in_(wanted), _lpg.c.map_entered_at.is_(None))
        ).all()
        pending = [row.sale_line_id for row in unmarked if row.still_out]
        if not pending:
            if unmarked:  # only lines returned in full: say so rather than "already marked"
                raise InvalidInput("Baris yang dipilih sudah diretur seluruhnya, jadi tidak perlu diinput ke MAP.")
            return 0
        body = {"sale_line_ids": sorted(pending), "by": user_id, "at": rfc3339(now)}
        write_map_marks(connection, body, now)
        append_event(connection, type="lpg_map_marked", at=now, body=body)
        uow.commit()
    return len(pending)


def write_map_marks(connection: Connection, body: dict[str, Any], now: datetime) -> None:
    """The marks of an `lpg_map_marked` body (who, when); mark_map_entered and the journal replay after a restore
    both call this, so a restored till does not offer the same rows for MAP twice."""
    connection.execute(_lpg.update().where(_lpg.c.sale_line_id.in_(body["sale_line_ids"])).values(
        map_entered_at=now, map_entered_by=body["by"]))


# --- the month's exports for the agen, and the HET notice for the wall ---------------------------------

CSV_COLUMNS = ("tanggal", "jam", "NIK", "nama", "alamat", "kategori", "jumlah", "harga", "no. DO", "kasir",
               "no. struk", "status MAP")
"""The agen's columns, in Indonesian whatever the screen language: the file goes to the agen, not the user."""
MAP_DONE, MAP_PENDING = "sudah diinput", "belum diinput"
_MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember")
HET_SKU = "LPG-3-ISI"
"""The 3 kg refill: its ceiling is the HET every buyer knows (Rp per tabung)."""


def month_label(month: str) -> str:
    """'2026-11' -> 'November 2026' (the agen's documents are in Indonesian)."""
    first, _ = month_bounds(month)
    return f"{_MONTHS[first.month - 1]} {first.year}"


def _csv_rows(rows: list[LogbookRow]) -> Iterable[list[str]]:
    # MAP counts cylinders: a line of 2 is two entries there, so it is two rows here. Only the cylinders the buyer
    # kept: one of two returned leaves one row, a line returned in full none.
    for row in rows:
        sold = to_wita(row.sold_at)
        status = MAP_PENDING if row.pending else MAP_DONE
        for _ in range(row.pieces):
            yield [sold.strftime("%d-%m-%Y"), sold.strftime("%H:%M"), row.nik, row.name, row.address,
                   row.category_label, "1", str(row.unit_price), row.do_number, row.cashier_name, row.receipt_no,
                   status]


def export_month_csv(ctx: PosContext, month: str, path: Path, *, viewer_id: str) -> int:
    """Write the month's logbook for the agen (whole NIK, one row per cylinder kept, refunds left out); returns
    the number of rows."""
    rows = logbook_for_export(ctx, month, viewer_id=viewer_id)
    lines = list(_csv_rows(rows))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(lines)
    _write(path, buffer.getvalue().encode("utf-8-sig"))  # the BOM makes Excel read the names' accents right
    return len(lines)


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InvalidInput("Tidak dapat menyimpan '{path}': {why}. Pilih folder lain (mis. Dokumen) dan coba "
                           "lagi.", path=str(path), why=exc.strerror or str(exc)) from exc


def _totals(rows: list[LogbookRow]) -> tuple[CategoryTotal, ...]:
    pieces: dict[str, int] = {}
    amounts: dict[str, int] = {}
    for row in rows:
        pieces[row.category] = pieces.get(row.category, 0) + row.pieces
        amounts[row.category] = amounts.get(row.category, 0) + row.total
    return tuple(CategoryTotal(tr(CATEGORY_LABELS[c]), pieces[c], amounts[c])
                 for c in CATEGORY_LABELS if c in pieces)


def month_pdf_document(ctx: PosContext, month: str, *, viewer_id: str) -> LogbookPdf:
    """What the month's printable logbook says (whole NIK for a manajer or admin, masked otherwise).

    Net of refunds like the CSV: a line returned in full was not distributed, so it is left out, and the
    category totals count the cylinders and rupiah the buyers kept.
    """
    flt = month_filter(month)
    rows = [row for row in list_logbook(ctx, flt, viewer_id=viewer_id) if row.pieces > 0]
    settings = load_settings(ctx)
    outlet = outlet_info(ctx)
    return LogbookPdf(
        koperasi_name=outlet.koperasi_name, gerai_name=outlet.gerai_name, address=outlet.address,
        registration_no=settings.lpg_registration_no, agen_name=settings.lpg_agen_name,
        month_label=month_label(month), printed_at=format_wita(ctx.clock()),
        rows=tuple(LogbookPdfRow(when=to_wita(r.sold_at).strftime("%d-%m-%Y %H:%M"), nik=r.nik, name=r.name,
                                 address=r.address, category=tr(r.category_label), pieces=r.pieces,
                                 unit_price=r.unit_price, do_number=r.do_number, cashier=r.cashier_name,
                                 receipt_no=r.receipt_no,
                                 map_status=tr("belum diinput") if r.pending else tr("sudah diinput"))
                   for r in rows),
        totals=_totals(rows),
    )


def export_month_pdf(ctx: PosContext, month: str, path: Path, *, viewer_id: str) -> int:
    """Write the month's printable logbook (month_pdf_document) as an A4 PDF; returns its rows."""
    document = month_pdf_document(ctx, month, viewer_id=viewer_id)
    _write(path, render_logbook_pdf(document))
    return len(document.rows)


def het_notice(ctx: PosContext) -> HetNotice:
    """The notice's content: the 3 kg HET in force today (dated ceilings first, then the catalogue)."""
    product = find_by_sku(ctx, HET_SKU)
    ceiling = None
    if product is not None:
        with reading(ctx.engine) as connection:
            ceiling = ceilings_in_force(connection, [product], business_date(ctx.clock())).get(HET_SKU)
    if ceiling is None:
        raise InvalidInput("HET elpiji 3 kg belum ada di daftar batas harga. Impor daftar HET/HAP dulu "
                           "(menu Batas harga).")
    settings = load_settings(ctx)
    outlet = outlet_info(ctx)
    return HetNotice(koperasi_name=outlet.koperasi_name, gerai_name=outlet.gerai_name, address=outlet.address,
                     registration_no=settings.lpg_registration_no, het=ceiling.amount,
                     het_source=ceiling.source, agen_name=settings.lpg_agen_name)


def export_het_notice(ctx: PosContext, path: Path) -> HetNotice:
    """Write the wall notice as an A4 PDF; returns what it says."""
    notice = het_notice(ctx)
    _write(path, render_het_notice(notice))
    return notice
