"""The dashboard's pages: `router(engine)` gives an APIRouter the city server's app includes."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter
from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from sync.server.audit_export import audit_csv
from sync.server.clock import utc_now
from sync.server.dashboard import charts, formatting, queries, sessions
from sync.server.dashboard.csv_export import overview_csv, sales_csv
from sync.server.dashboard.lockout import LoginLockout
from sync.server.dashboard.users import check_password
from sync.server.tokens import new_secret

MAX_FORM_BYTES = 16 * 1024
MAX_EXPORT_DAYS = 366
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
OUTLET_ID_RE = re.compile(r"^[0-9A-Za-z-]{1,64}$")
"""Outlet ids are UUIDs; anything else is a 404 before it reaches the database (PostgreSQL refuses NUL bytes)."""
WRONG_LOGIN = "Nama pengguna atau kata sandi salah."
HEADERS = {
    # Everything the pages need comes from this server; nothing may load from anywhere else.
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
ROLE_LABELS = {"dinas": "Dinas Koperasi", "koperasi": "Koperasi"}
METHOD_LABELS = {"tunai": "Tunai", "qris": "QRIS", "transfer": "Transfer bank", "debit": "Kartu debit",
                 "kasbon": "Kasbon"}
FLAG_LABELS = {"price_above_het": "Harga di atas HET", "lpg_limit_override": "Batas LPG dilampaui (izin)",
               "override": "Persetujuan manajer", "negative_stock": "Stok negatif",
               "unknown_type": "Jenis peristiwa tak dikenal", "fork": "Jurnal bercabang (fork)",
               "gap": "Urutan terputus (gap)"}

_env = Environment(loader=PackageLoader("sync.server.dashboard", "templates"), autoescape=True,
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_env.filters.update(rupiah=formatting.rupiah, number=formatting.number, qty=formatting.qty,
                    percent=formatting.percent, wita=formatting.wita, wita_date=formatting.wita_date,
                    wita_time=formatting.wita_time, long_date=formatting.long_date,
                    short_date=formatting.short_date, month_name=formatting.month_name,
                    method=lambda m: METHOD_LABELS.get(m, m), flag_kind=lambda k: FLAG_LABELS.get(k, k))
_env.globals.update(role_labels=ROLE_LABELS)


def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("viewer", None)
    context.setdefault("csrf", "")
    return HTMLResponse(_env.get_template(template).render(**context), status_code=status, headers=HEADERS)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def _parse_date(text: str | None) -> date | None:
    if not text or not DATE_RE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


async def read_form(request: Request) -> dict[str, str] | None:
    """An urlencoded form body (≤ 16 KiB), or None for anything else: no multipart parser needed."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20))
    except (UnicodeDecodeError, ValueError):
        return None


class Dashboard:
    """The page handlers, bound to one database and one clock (tests pass a fixed clock)."""

    def __init__(self, engine: Engine, now: Callable[[], datetime]) -> None:
        self.engine = engine
        self.now = now
        self.throttle = LoginLockout(engine)  # in the database: every server process sees the same lock

    # --- login / logout ----------------------------------------------------------------------------------

    def login_page(self, request: Request, *, error: str = "", username: str = "", status: int = 200,
                   fresh_csrf: bool = False) -> Response:
        csrf = sessions.login_csrf(request) if not fresh_csrf else new_secret()
        response = page("login.html", status, title="Masuk", login_csrf=csrf, error=error, username=username)
        sessions.set_login_csrf_cookie(response, request, csrf)
        return response

    def login_get(self, request: Request) -> Response:
        session = sessions.current_session(self.engine, request, self.now())
        if session is not None:
            return _redirect(self.home(session.viewer))
        return self.login_page(request)

    def login_post(self, request: Request, form: dict[str, str] | None) -> Response:
        if form is None:
            return self.login_page(request, error="Permintaan tidak sah. Silakan coba lagi.", status=400)
        if not sessions.login_csrf_ok(request, form.get("csrf_token")):
            return self.login_page(request, error="Formulir sudah kedaluwarsa. Silakan masuk lagi.", status=403,
                                   fresh_csrf=True)
        # The whole name is checked (a too-long one simply fails); only 64 chars are echoed and throttled.
        typed, password = form.get("username", "").strip(), form.get("password", "")
        username = typed[:64]
        now = self.now()
        if self.throttle.locked(username, now):
            return self.login_page(request, username=username, status=429,
                                   error="Terlalu banyak percobaan masuk. Tunggu satu menit lalu coba lagi.")
        viewer = check_password(self.engine, typed, password) if typed and password else None
        if viewer is None:
            self.throttle.failed(username, now)
            return self.login_page(request, error=WRONG_LOGIN, username=username, status=401)
        self.throttle.succeeded(username)
        token = sessions.start_session(self.engine, viewer, now)
        response = _redirect(self.home(viewer))
        sessions.set_session_cookie(response, request, token)
        sessions.clear_login_csrf_cookie(response, request)
        return response

    def logout_post(self, request: Request, form: dict[str, str] | None) -> Response:
        session = sessions.current_session(self.engine, request, self.now())
        if session is None:
            return _redirect("/login")
        if form is None or not session.csrf_ok(form.get("csrf_token")):
            return page("error.html", 403, title="Ditolak", viewer=session.viewer, csrf=session.csrf_token,
                        message="Permintaan ditolak (token formulir tidak cocok). Muat ulang halaman lalu coba lagi.")
        sessions.end_session(self.engine, session)
        response = _redirect("/login")
        sessions.clear_session_cookie(response, request)
        return response

    @staticmethod
    def home(viewer: Any) -> str:
        return f"/outlet/{viewer.outlet_id}" if viewer.role == "koperasi" and viewer.outlet_id else "/"

    # --- pages -------------------------------------------------------------------------------------------

    def not_found(self, session: sessions.Session | None) -> Response:
        return page("error.html", 404, title="Tidak ditemukan", viewer=session and session.viewer,
                    csrf=session.csrf_token if session else "",
                    message="Gerai atau halaman tidak ditemukan, atau Anda tidak berhak melihatnya.")

    def overview(self, request: Request) -> Response:
        session = sessions.current_session(self.engine, request, self.now())
        if session is None:
            return _redirect("/login")
        if self.home(session.viewer) != "/":
            return _redirect(self.home(session.viewer))
        data = queries.overview(self.engine, session.viewer, self.now())
        sort = request.query_params.get("urut", "nama")
        rows = queries.sort_rows(data["rows"], sort)
        return page("overview.html", title="Ringkasan gerai", viewer=session.viewer, csrf=session.csrf_token,
                    data=data, rows=rows, sort=sort if sort in queries.SORT_KEYS else "nama",
                    stale_days=queries.STALE_DAYS)

    def outlet(self, request: Request, outlet_id: str) -> Response:
        session = sessions.current_session(self.engine, request, self.now())
        if session is None:
            return _redirect("/login")
        data = queries.outlet_detail(self.engine, session.viewer, outlet_id, self.now()) \
            if OUTLET_ID_RE.fullmatch(outlet_id) else None
        if data is None:
            return self.not_found(session)
        daily_chart = charts.bar_chart(
            [(formatting.short_date(d["date"]), d["sales_total"],
              f"{formatting.long_date(d['date'])}: {formatting.rupiah(d['sales_total'])} "
              f"({d['sales_count']} transaksi)") for d in data["daily"]],
            label="Penjualan per hari, 30 hari terakhir", label_every=7)
        payment_chart = charts.hbar_chart(
            [(METHOD_LABELS.get(p["method"], p["method"]), p["amount"],
              formatting.percent(p["amount"], data["payment_total"])) for p in data["payments"]],
            label="Komposisi metode pembayaran")
        lpg_points = [(formatting.month_name(m["month"]).split()[0][:3] + " " + m["month"][2:4], m["cylinders"])
                      for m in reversed(data["lpg"])]
        lpg_chart = charts.line_chart(
            lpg_points, label="Tabung LPG 3 kg tersalur per bulan",
            reference=data["outlet"].lpg3_allocation or None, reference_label="alokasi") if lpg_points else None
        return page("outlet.html", title=data["outlet"].name, viewer=session.viewer, csrf=session.csrf_token,
                    data=data, daily_chart=daily_chart, payment_chart=payment_chart, lpg_chart=lpg_chart,
                    default_from=data["start"].isoformat(), default_to=data["today"].isoformat())

    def sales_export(self, request: Request, outlet_id: str) -> Response:
        session = sessions.current_session(self.engine, request, self.now())
        if session is None:
            return _redirect("/login")
        today = formatting.wita_today(self.now())
        raw_from, raw_to = request.query_params.get("from"), request.query_params.get("to")
        start = _parse_date(raw_from) if raw_from else today - timedelta(days=queries.PERIOD_DAYS - 1)
        end = _parse_date(raw_to) if raw_to else today
        if start is None or end is None or start > end or (end - start).days >= MAX_EXPORT_DAYS:
            return page("error.html", 400, title="Periode tidak sah", viewer=session.viewer,
                        csrf=session.csrf_token,
                        message="Periode tidak sah: pakai format TTTT-BB-HH, tanggal awal tidak setelah tanggal "
                                f"akhir, paling lama {MAX_EXPORT_DAYS} hari.")
        if not OUTLET_ID_RE.fullmatch(outlet_id):
            return self.not_found(session)
        item, rows = queries.product_sales(self.engine, session.viewer, outlet_id, start, end)
        if item is None:
            return self.not_found(session)
        filename = f"penjualan_{item.id[:8]}_{start.isoformat()}_{end.isoformat()}.csv"
        return Response(sales_csv(item, rows), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff"})

    def audit_export(self, request: Request, outlet_id: str) -> Response:
        """The outlet's stored journal events as CSV for the auditor; the same 404 as any page it may not see."""
        session = sessions.current_session(self.engine, request, self.now())
        if session is None:
            return _redirect("/login")
        if not OUTLET_ID_RE.fullmatch(outlet_id):
            return self.not_found(session)
        with self.engine.connect() as connection:
            item = queries.visible_outlet(connection, session.viewer, outlet_id)
        if item is None:
            return self.not_found(session)
        filename = f"audit_{item.id[:8]}_{formatting.wita_today(self.now()).isoformat()}.csv"
        return Response(audit_csv(self.engine, item.id), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff"})

    def overview_export(self, request: Request) -> Response:
        session = sessions.current_session(self.engine, request, self.now())
        if session is None:
            return _redirect("/login")
        now = self.now()
        data = queries.overview(self.engine, session.viewer, now)
        filename = f"ringkasan_gerai_{formatting.wita_today(now).isoformat()}.csv"
        return Response(overview_csv(data["rows"]), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff"})


def _stylesheet() -> str:
    return resources.files("sync.server.dashboard").joinpath("static/dashboard.css").read_text(encoding="utf-8")


def router(engine: Engine, *, now: Callable[[], datetime] = utc_now) -> APIRouter:
    """The dashboard's routes (/login, /logout, /, /outlet/{id}, CSV exports, its stylesheet)."""
    dash = Dashboard(engine, now)
    api = APIRouter(include_in_schema=False)
    css = _stylesheet()

    # Handlers are sync (run in the threadpool) because every one of them talks to the database;
    # the two POSTs read their body asynchronously first.
    @api.get("/static/dashboard.css")
    def stylesheet() -> Response:
        return Response(css, media_type="text/css; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})

    @api.get("/login")
    def login_get(request: Request) -> Response:
        return dash.login_get(request)

    @api.post("/login")
    async def login_post(request: Request) -> Response:
        form = await read_form(request)
        return await run_in_threadpool(dash.login_post, request, form)

    @api.post("/logout")
    async def logout_post(request: Request) -> Response:
        form = await read_form(request)
        return await run_in_threadpool(dash.logout_post, request, form)

    @api.get("/")
    def overview(request: Request) -> Response:
        return dash.overview(request)

    @api.get("/outlet/{outlet_id}")
    def outlet_page(request: Request, outlet_id: str) -> Response:
        return dash.outlet(request, outlet_id)

    @api.get("/outlet/{outlet_id}/sales.csv")
    def outlet_csv(request: Request, outlet_id: str) -> Response:
        return dash.sales_export(request, outlet_id)

    @api.get("/outlet/{outlet_id}/audit.csv")
    def outlet_audit_csv(request: Request, outlet_id: str) -> Response:
        return dash.audit_export(request, outlet_id)

    @api.get("/export/overview.csv")
    def export_overview(request: Request) -> Response:
        return dash.overview_export(request)

    return api
