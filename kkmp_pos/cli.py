"""The `kkmp-pos` command: open the till, seed a demo outlet, import a catalogue, run the benchmark."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kkmp_pos import __version__
from kkmp_pos.paths import default_data_dir

if TYPE_CHECKING:  # the CLI imports the store lazily so `--version` and `--help` stay instant
    from kkmp_pos.services.context import PosContext


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kkmp-pos",
        description="KKMP POS - kasir gerai Koperasi Kelurahan Merah Putih (offline-first).",
    )
    parser.add_argument("--version", action="version", version=f"kkmp-pos {__version__}")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="folder data gerai (bawaan: folder data pengguna sistem operasi)")
    parser.add_argument("--demo", action="store_true",
                        help="buat gerai demo KKMP Lempake dengan katalog contoh bila data masih kosong")
    # Used by the benchmark to time a cold start: open the till, then exit as soon as it is usable.
    parser.add_argument("--ready-probe", action="store_true", help=argparse.SUPPRESS)
    # Subcommands accept --data-dir after their name too; SUPPRESS keeps the top-level value otherwise.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS, help="folder data gerai")
    commands = parser.add_subparsers(dest="command", metavar="PERINTAH")
    importer = commands.add_parser("import-catalog", parents=[common],
                                   help="impor katalog produk dari file CSV (semua atau tidak sama sekali)")
    importer.add_argument("file", type=Path, help="file CSV dengan kolom seperti resources/catalog_sample.csv")
    ceilings = commands.add_parser("import-ceilings", parents=[common],
                                   help="impor batas harga HET/HAP dari file CSV (semua atau tidak sama sekali)")
    ceilings.add_argument("file", type=Path, help="file CSV dengan kolom seperti resources/het_ceilings.csv")
    bench = commands.add_parser("bench", parents=[common], help="ukur kecepatan (katalog 50.000 produk) dan cetak tabel + JSON")
    bench.add_argument("--products", type=int, default=50_000)
    bench.add_argument("--sales", type=int, default=2_000)
    bench.add_argument("--kills", type=int, default=300)
    bench.add_argument("--work-dir", type=Path, default=None,
                       help="folder kerja benchmark (bawaan: folder sementara yang dihapus setelahnya)")
    return parser


def _import_file(data_dir: Path, file: Path, run: Callable[[PosContext, str], str]) -> int:
    """Read `file`, hand its text to `run` in one context; a PosError's report goes to stderr (exit 1)."""
    from kkmp_pos.domain.errors import PosError
    from kkmp_pos.services.context import open_context

    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        print(f"File {file} tidak ditemukan. Periksa nama dan foldernya.", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(f"File {file} bukan teks UTF-8. Simpan ulang sebagai CSV UTF-8 lalu impor lagi.", file=sys.stderr)
        return 2
    ctx = open_context(data_dir)
    try:
        print(run(ctx, text))
    except PosError as problem:
        report = getattr(problem, "report", None)
        print(report(limit=200) if callable(report) else str(problem), file=sys.stderr)
        return 1
    finally:
        ctx.close()
    return 0


def _import_catalog(ctx: PosContext, text: str) -> str:
    from kkmp_pos.services.catalog import import_catalog_text

    result = import_catalog_text(ctx, text)
    return f"Katalog diimpor: {result.created} produk baru, {result.updated} diperbarui."


def _import_ceilings(ctx: PosContext, text: str) -> str:
    from kkmp_pos.services.ceilings import import_ceilings_csv

    result = import_ceilings_csv(ctx, text)
    return f"Batas harga diimpor: {result.added} batas harga baru, {result.unchanged} sudah ada."


def _open_app(data_dir: Path, *, demo: bool, ready_probe: bool) -> int:
    from kkmp_pos.services.context import open_context
    from kkmp_pos.services.demo import seed_demo
    from kkmp_pos.services.outlet import has_outlet

    ctx = open_context(data_dir)
    try:
        if demo:
            seed_demo(ctx)
        if not has_outlet(ctx):
            print(
                f"Folder data {data_dir} belum berisi gerai. Jalankan `kkmp-pos --demo` untuk gerai demo "
                "KKMP Lempake (penyiapan gerai sungguhan menyusul di wizard pertama kali).",
                file=sys.stderr,
            )
            return 2
        from kkmp_pos.ui.app import run_app

        return run_app(ctx, quit_when_ready=ready_probe)
    finally:
        ctx.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    data_dir: Path = (args.data_dir or default_data_dir()).expanduser().resolve()
    if args.command == "import-catalog":
        return _import_file(data_dir, args.file, _import_catalog)
    if args.command == "import-ceilings":
        return _import_file(data_dir, args.file, _import_ceilings)
    if args.command == "bench":
        from kkmp_pos.bench import run_bench

        run_bench(products=args.products, sales=args.sales, kills=args.kills, work_dir=args.work_dir)
        return 0
    return _open_app(data_dir, demo=args.demo, ready_probe=args.ready_probe)
