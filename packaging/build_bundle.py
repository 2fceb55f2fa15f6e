#!/usr/bin/env python3
"""Build the till's one-folder bundle for this machine: `python3 packaging/build_bundle.py` -> dist/kkmp-pos/.

Standard library only. It makes (or updates) `.venv` with run.py's own setup (pinned packages, PyInstaller
from the `dev` extra), then runs PyInstaller on packaging/kkmp_pos.spec. On Windows, run it with `py` and
afterwards compile the installer: `iscc packaging\\windows\\kkmp_pos.iss` (Inno Setup 6).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "kkmp_pos.spec"
BUNDLE_NAME = "kkmp-pos"
LINUX_BUILD_TOOLS = ["binutils"]
"""PyInstaller reads the shared libraries' dependencies with objdump (binutils), not installed by python3."""


def executable(dist: Path) -> Path:
    """The till's program inside a built bundle."""
    return dist / BUNDLE_NAME / (BUNDLE_NAME + (".exe" if os.name == "nt" else ""))


def prepare_venv() -> Path | None:
    """run.py's setup: system libraries (Linux, as root), .venv and the pinned packages; None if it failed."""
    sys.path.insert(0, str(ROOT))
    import run  # run.py lives at the repository root, beside packaging/

    system = run.QT_RUNTIME + LINUX_BUILD_TOOLS if sys.platform.startswith("linux") else []
    if run.setup(system) is not None:
        return None
    return run.venv_python()


def build(python: Path, dist: Path, work: Path) -> int:
    command = [str(python), "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
               "--distpath", str(dist), "--workpath", str(work), str(SPEC)]
    return subprocess.run(command, cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Bangun paket kasir KKMP POS (satu folder) untuk komputer ini.")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="folder hasil (bawaan: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="folder kerja PyInstaller (bawaan: build/pyinstaller)")
    parser.add_argument("--python", type=Path, default=None,
                        help="Python yang sudah berisi paket proyek + PyInstaller (bawaan: .venv dari run.py)")
    args = parser.parse_args(argv)
    python = args.python or prepare_venv()
    if python is None:
        return 1
    started = time.monotonic()
    code = build(python, args.dist.resolve(), args.work.resolve())
    if code != 0:
        print(f"[kkmp] GAGAL: PyInstaller berhenti dengan kode {code}.", file=sys.stderr)
        return code
    program = executable(args.dist.resolve())
    print(f"[kkmp] Paket selesai dalam {time.monotonic() - started:.0f} detik: {program}")
    if os.name == "nt":
        print("[kkmp] Penginstal Windows: iscc packaging\\windows\\kkmp_pos.iss")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
