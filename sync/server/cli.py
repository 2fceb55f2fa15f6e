"""`kkmp-city-server`: run the city server and administer it (every admin command prints one line of JSON)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from sync.server.store.db import DB_ENV, database_url, make_engine, open_database

EXIT_USAGE = 2
EXIT_BROKEN_CHAIN = 1
"""`verify` found a stored chain that does not check (the JSON says which device and seq)."""


class CliError(Exception):
    """A refusal for the person at the terminal (Bahasa Indonesia); exit code 2."""


def _print_json(result: Any) -> None:
    print(json.dumps(result, ensure_ascii=False, sort_keys=True), flush=True)


def _open(args: argparse.Namespace) -> Engine:
    url = database_url(args.db)
    try:
        return open_database(url)
    except ValueError as exc:
        raise CliError(f"URL basis data tidak didukung: {exc}. Gunakan postgresql+psycopg://… atau "
                       "sqlite:///berkas.sqlite3.") from None
    except SQLAlchemyError as exc:
        raise CliError(f"Basis data tidak dapat dibuka ({url.split('@')[-1]}): "
                       f"{str(exc.orig if hasattr(exc, 'orig') else exc).strip().splitlines()[0]}") from None


def _require_outlet(engine: Engine, outlet_id: str) -> None:
    from sync.server.store.schema import outlet

    with engine.connect() as connection:
        if connection.execute(select(outlet.c.id).where(outlet.c.id == outlet_id)).first() is None:
            raise CliError(f"Gerai '{outlet_id}' tidak ditemukan.")


def app_from_env() -> Any:
    """The uvicorn factory for `serve`: each worker process opens its own engine from KKMP_CITY_DB."""
    from sync.server.app import create_app

    return create_app(make_engine(database_url(None)))


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    engine = _open(args)  # migrate once, before any worker starts
    engine.dispose()
    os.environ[DB_ENV] = database_url(args.db)
    print(f"Server kota berjalan di http://{args.host}:{args.port} (basis data: "
          f"{database_url(args.db).split('@')[-1]})", file=sys.stderr, flush=True)
    uvicorn.run("sync.server.cli:app_from_env", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_level="info", proxy_headers=False)
    return 0


def cmd_create_outlet(args: argparse.Namespace) -> int:
    from sync.server.enrolment import create_outlet

    _print_json(create_outlet(_open(args), name=args.name, kelurahan_code=args.kelurahan,
                              kelurahan=args.kelurahan_name or "", kecamatan=args.kecamatan or "",
                              lpg3_allocation=args.lpg3_allocation))
    return 0


def cmd_enrolment_code(args: argparse.Namespace) -> int:
    from sync.server.enrolment import new_enrolment_code

    _print_json(new_enrolment_code(_open(args), args.outlet, days=args.days))
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from sync.server.dashboard.users import create_user

    _print_json(create_user(_open(args), username=args.username, role=args.role, outlet_id=args.outlet,
                            password=args.password))
    return 0


def cmd_publish_master(args: argparse.Namespace) -> int:
    from sync.server.master import publish_master_csv, read_master_csv

    read_master_csv(Path(args.file))  # a bad file is refused before the database is even opened
    _print_json(publish_master_csv(_open(args), Path(args.file)))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from sync.server.verify import verify_outlet

    engine = _open(args)
    _require_outlet(engine, args.outlet)
    result = verify_outlet(engine, args.outlet)
    _print_json(result)
    return 0 if result["ok"] else EXIT_BROKEN_CHAIN


def cmd_audit_export(args: argparse.Namespace) -> int:
    from sync.server.audit_export import write_audit_csv

    engine = _open(args)
    _require_outlet(engine, args.outlet)
    try:
        with open(args.out, "w", encoding="utf-8", newline="") as out:
            count = write_audit_csv(engine, args.outlet, out)
    except OSError as exc:
        raise CliError(f"Tidak dapat menulis '{args.out}': {exc.strerror or exc}.") from None
    _print_json({"outlet_id": args.outlet, "events": count, "file": str(args.out)})
    return 0


def cmd_revoke_device(args: argparse.Namespace) -> int:
    from sync.server.enrolment import revoke_device

    _print_json(revoke_device(_open(args), args.device))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from sync.server.demo import run_demo

    kwargs: dict[str, Any] = {"weeks": args.weeks}
    if args.seed is not None:
        kwargs["seed"] = args.seed
    _print_json(run_demo(_open(args), **kwargs))
    return 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' bukan bilangan bulat") from None
    if value < 1:
        raise argparse.ArgumentTypeError("harus 1 atau lebih")
    return value


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' bukan bilangan bulat") from None
    if value < 0:
        raise argparse.ArgumentTypeError("harus 0 atau lebih")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kkmp-city-server",
        description="Server kota KKMP: sinkronisasi gerai, data induk, dasbor Dinas. Basis data dari --db URL "
                    f"atau variabel lingkungan {DB_ENV} (bawaan: berkas SQLite kkmp_city.sqlite3).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="PERINTAH")

    def command(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--db", metavar="URL", help=f"URL basis data (bawaan: ${DB_ENV} atau SQLite lokal)")
        sub.set_defaults(handler=handler)
        return sub

    serve = command("serve", cmd_serve, "Jalankan server (API sinkron + dasbor); migrasi skema dulu.")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_non_negative, default=8765)
    serve.add_argument("--workers", type=_positive, default=1)

    outlet = command("create-outlet", cmd_create_outlet, "Daftarkan gerai baru dan terbitkan kode pendaftaran.")
    outlet.add_argument("--name", required=True, help="nama koperasi, mis. 'KKMP Lempake'")
    outlet.add_argument("--kelurahan", required=True, metavar="KODE", help="kode kelurahan NN.NN.NN.NNNN")
    outlet.add_argument("--kelurahan-name", help="nama kelurahan")
    outlet.add_argument("--kecamatan", help="nama kecamatan")
    outlet.add_argument("--lpg3-allocation", type=_non_negative, default=0, metavar="N",
                        help="alokasi elpiji 3 kg per bulan (tabung)")

    code = command("enrolment-code", cmd_enrolment_code, "Terbitkan kode pendaftaran baru untuk gerai.")
    code.add_argument("--outlet", required=True, metavar="ID")
    code.add_argument("--days", type=_positive, default=7, help="masa berlaku (hari)")

    user = command("create-user", cmd_create_user, "Buat pengguna dasbor (dinas atau koperasi).")
    user.add_argument("--username", required=True)
    user.add_argument("--role", required=True, choices=("dinas", "koperasi"))
    user.add_argument("--outlet", metavar="ID", help="wajib untuk peran koperasi")
    user.add_argument("--password", help="bila kosong, kata sandi dibuat otomatis dan ditampilkan sekali")

    master = command("publish-master", cmd_publish_master,
                     "Terbitkan data induk dari CSV (produk, HET, batas elpiji, atau pengaturan).")
    master.add_argument("file", metavar="FILE.csv")

    verify = command("verify", cmd_verify, "Periksa ulang rantai hash semua perangkat gerai (kode keluar 1 bila ada yang rusak).")
    verify.add_argument("--outlet", required=True, metavar="ID")

    audit = command("audit-export", cmd_audit_export, "Ekspor jejak audit (CSV) peristiwa jurnal gerai seperti tersimpan.")
    audit.add_argument("--outlet", required=True, metavar="ID")
    audit.add_argument("--out", required=True, type=Path, metavar="FILE.csv")

    revoke = command("revoke-device", cmd_revoke_device, "Cabut token perangkat (hilang/dicuri).")
    revoke.add_argument("--device", required=True, metavar="ID")

    demo = command("demo", cmd_demo, "Isi data demo: 12 koperasi Samarinda dengan penjualan tersinkron.")
    demo.add_argument("--weeks", type=_positive, default=3)
    demo.add_argument("--seed", type=int)

    commands.add_parser("bench", help="Ukur kinerja unggah dan ingest (argumen diteruskan ke bench).",
                        add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["bench"]:
        from sync.server.bench import main as bench_main

        return int(bench_main(args_list[1:]) or 0)
    args = build_parser().parse_args(args_list)
    try:
        return args.handler(args)
    except (CliError, ValueError) as exc:
        # AdminError, MasterFileError and the dashboard's user errors are ValueErrors with an Indonesian text.
        print(f"Galat: {exc}", file=sys.stderr, flush=True)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
