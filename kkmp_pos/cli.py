"""The `kkmp-pos` command: open the till, seed a demo outlet, import a catalogue, run the benchmark."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
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
    commands.add_parser("verify-journal", parents=[common],
                        help="periksa rantai hash jurnal, tanda terima server kota dan laporan Z (kode 1 bila rusak)")
    audit = commands.add_parser("audit-export", parents=[common],
                                help="ekspor jejak audit (CSV) untuk pengawas dan Dinas: semua peristiwa jurnal")
    audit.add_argument("--from", dest="first_day", type=_day, required=True, metavar="TTTT-BB-HH")
    audit.add_argument("--to", dest="last_day", type=_day, required=True, metavar="TTTT-BB-HH")
    audit.add_argument("--out", type=Path, required=True, help="file CSV tujuan")
    backup = commands.add_parser("backup", parents=[common],
                                 help="buat cadangan database yang diperiksa (integrity_check) sekarang")
    backup.add_argument("--to", type=Path, default=None,
                        help="folder tujuan (bawaan: folder cadangan yang dipilih, atau <folder data>/backups)")
    restore = commands.add_parser("restore", parents=[common],
                                  help="pulihkan database dari file cadangan (database lama disimpan di 'damaged')")
    restore.add_argument("file", type=Path, help="file cadangan kkmp_pos-....sqlite3")
    restore.add_argument("--yes", action="store_true", help="konfirmasi: ganti database gerai dengan cadangan ini")
    manual = commands.add_parser("manual-pdf", help="buat panduan pengguna (PDF) dari resources/manual/panduan.md")
    manual.add_argument("--out", type=Path, default=Path("panduan.pdf"), help="file PDF tujuan")
    bench = commands.add_parser("bench", parents=[common], help="ukur kecepatan (katalog 50.000 produk) dan cetak tabel + JSON")
    bench.add_argument("--products", type=int, default=50_000)
    bench.add_argument("--sales", type=int, default=2_000)
    bench.add_argument("--kills", type=int, default=1_000,
                       help="SIGKILL saat berjualan; database diaudit setelah tiap kill (bawaan 1.000, ~0,3-0,6 s/kill)")
    bench.add_argument("--work-dir", type=Path, default=None,
                       help="folder kerja benchmark (bawaan: folder sementara yang dihapus setelahnya)")
    return parser


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' bukan tanggal TTTT-BB-HH") from None


def _verify_journal(data_dir: Path) -> int:
    """Print the journal check's short report; exit 0 when everything checks, 1 when something is broken."""
    from kkmp_pos.services.context import open_context
    from kkmp_pos.services.journal_check import check_journal, summary_lines
    from kkmp_pos.store.db import DB_FILENAME

    if not (data_dir / DB_FILENAME).exists():
        print(f"Folder data {data_dir} tidak berisi basis data gerai. Periksa --data-dir.", file=sys.stderr)
        return 2
    ctx = open_context(data_dir)
    try:
        result = check_journal(ctx)
    finally:
        ctx.close()
    print("\n".join(summary_lines(result)))
    return 0 if result.ok else 1


def _audit_export(data_dir: Path, first_day: date, last_day: date, out: Path) -> int:
    from kkmp_pos.domain.errors import PosError
    from kkmp_pos.services.audit_export import export_audit_csv
    from kkmp_pos.services.context import open_context

    ctx = open_context(data_dir)
    try:
        rows = export_audit_csv(ctx, first_day, last_day, out, viewer_id=None)
    except PosError as problem:
        print(str(problem), file=sys.stderr)
        return 1
    finally:
        ctx.close()
    print(f"Jejak audit disimpan ke {out}: {rows} baris.")
    return 0


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


def _backup(data_dir: Path, folder: Path | None) -> int:
    from kkmp_pos.domain.errors import PosError
    from kkmp_pos.services.backup import make_backup
    from kkmp_pos.services.context import open_context

    ctx = open_context(data_dir)
    try:
        result = make_backup(ctx, "manual", folder)
    except PosError as problem:
        print(str(problem), file=sys.stderr)
        return 1
    finally:
        ctx.close()
    print(f"Cadangan dibuat: {result.path} ({result.size:,} byte, jurnal s.d. seq {result.last_seq}).")
    if not result.ok:
        print(f"PERIKSA: integrity_check cadangan gagal: {result.integrity}", file=sys.stderr)
        return 1
    print("integrity_check: ok. Simpan juga file pin.key dan nik.key dari folder data di tempat terpisah.")
    return 0


def _restore(data_dir: Path, file: Path, yes: bool) -> int:
    from kkmp_pos.domain.errors import PosError
    from kkmp_pos.services.recovery import restore_file

    if not yes:
        print("Pemulihan mengganti database gerai dengan isi cadangan; transaksi setelah cadangan itu hilang dari "
              "komputer ini. Ulangi dengan --yes untuk melanjutkan.", file=sys.stderr)
        return 2
    try:
        result = restore_file(data_dir, file)
    except PosError as problem:
        print(str(problem), file=sys.stderr)
        return 1
    print(f"Dipulihkan dari {result.backup.path}.")
    if result.damaged_copy:
        print(f"Database sebelumnya disimpan di {result.damaged_copy}.")
    print("Perangkat perlu didaftarkan ulang ke server kota dengan kode baru dari Dinas (Sistem → Hubungkan ke "
          "server kota); sesudah itu transaksi yang sudah terkirim ke kota diambil kembali otomatis.")
    return 0


def _open_app(data_dir: Path, *, demo: bool, ready_probe: bool) -> int:
    from kkmp_pos.services.context import open_context
    from kkmp_pos.services.demo import seed_demo
    from kkmp_pos.services.outlet import has_outlet
    from kkmp_pos.ui.app import recover_if_damaged

    if not recover_if_damaged(data_dir):  # a damaged database: restored from a backup, or the user quit
        return 3
    ctx = open_context(data_dir)
    try:
        if demo:
            seed_demo(ctx)
        if not has_outlet(ctx) and ready_probe:  # a timing run never waits for someone to fill in a wizard
            print(f"Folder data {data_dir} belum berisi gerai. Jalankan `kkmp-pos --demo` untuk gerai demo.",
                  file=sys.stderr)
            return 2
        if not has_outlet(ctx):
            from kkmp_pos.ui.app import run_first_run

            if not run_first_run(ctx):
                print(f"Penyiapan gerai dibatalkan; folder data {data_dir} tetap kosong. Jalankan kkmp-pos lagi "
                      "untuk mengulang penyiapan, atau `kkmp-pos --demo` untuk gerai demo KKMP Lempake.",
                      file=sys.stderr)
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
    if args.command == "verify-journal":
        return _verify_journal(data_dir)
    if args.command == "audit-export":
        return _audit_export(data_dir, args.first_day, args.last_day, args.out)
    if args.command == "backup":
        return _backup(data_dir, args.to)
    if args.command == "restore":
        return _restore(data_dir, args.file, args.yes)
    if args.command == "manual-pdf":
        from kkmp_pos.manual.__main__ import main as manual_main

        return manual_main(["--out", str(args.out)])
    if args.command == "bench":
        from kkmp_pos.bench import run_bench

        run_bench(products=args.products, sales=args.sales, kills=args.kills, work_dir=args.work_dir)
        return 0
    return _open_app(data_dir, demo=args.demo, ready_probe=args.ready_probe)
