"""`python -m kkmp_pos.manual --out dist/panduan.pdf`: build the PDF manual from resources/manual/panduan.md."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kkmp_pos.manual",
                                     description="Buat panduan pengguna KKMP POS sebagai PDF.")
    parser.add_argument("--out", type=Path, default=Path("dist/panduan.pdf"), help="file PDF tujuan")
    args = parser.parse_args(argv)
    from kkmp_pos.manual.pdf import write_manual_pdf

    path = write_manual_pdf(args.out)
    print(f"Panduan disimpan ke {path}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
