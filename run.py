#!/usr/bin/env python3
"""Set everything up on a fresh machine, then open the demo till (`demo`) or run the whole test suite (`test`).

Needs only python3 (3.11+). It makes `.venv`, installs the pinned packages, and installs the missing system
libraries with apt-get when run as root (otherwise it prints the exact line to run). Standard library only.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".kkmp-installed"
DEMO_DATA = ROOT / ".kkmp-data" / "demo"

# Debian/Ubuntu packages (DESIGN.md "Useful facts"). Qt offscreen needs the first group; a real window the second.
QT_RUNTIME = ["libegl1", "libgl1", "libfontconfig1", "libxkbcommon0", "libglib2.0-0", "libdbus-1-3",
              "fonts-dejavu-core"]
QT_WINDOW = ["libxcb-cursor0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1", "libxcb-render-util0",
             "libxcb-shape0", "libxcb-xkb1", "libxkbcommon-x11-0"]
TEST_TOOLS = ["poppler-utils", "postgresql", "chromium", "binutils", "desktop-file-utils"]
"""pdftotext reads the PDFs the tests make (logbook, notices, member cards) back as text; the city server's
tests start their own throwaway PostgreSQL server (initdb + pg_ctl, stopped at the end of the run) and drive
the dashboard in headless Chromium (Debian's `chromium`; on Ubuntu that package is a snap wrapper). PyInstaller
reads shared libraries with objdump (binutils) when the tests build the till's bundle, and
desktop-file-validate checks its Linux desktop entry."""


def say(message: str) -> None:
    print(f"[kkmp] {message}", flush=True)


def fail(message: str) -> int:
    print(f"[kkmp] GAGAL: {message}", file=sys.stderr, flush=True)
    return 1


def dpkg_installed(package: str) -> bool:
    """True when dpkg knows `package` (or its Ubuntu 24.04 `t64` rename) as installed."""
    for name in (package, package + "t64"):
        result = subprocess.run(["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True)
        if result.returncode == 0 and "install ok installed" in result.stdout:
            return True
    return False


def ensure_system_packages(packages: list[str]) -> bool:
    """Install what is missing via apt-get as root; otherwise print the exact command and say so."""
    if not shutil.which("dpkg-query"):
        say("Bukan Debian/Ubuntu: pastikan pustaka Qt (EGL, GL, fontconfig, xkbcommon, glib, dbus) terpasang.")
        return True
    missing = [p for p in packages if not dpkg_installed(p)]
    if not missing:
        return True
    line = "apt-get update && apt-get install -y --no-install-recommends " + " ".join(missing)
    if os.geteuid() != 0:
        print(
            "[kkmp] Pustaka sistem berikut belum terpasang: " + " ".join(missing) + "\n"
            f"[kkmp] Jalankan sebagai root lalu ulangi perintah ini:\n\n    sudo sh -c '{line}'\n",
            file=sys.stderr,
        )
        return False
    say("Memasang pustaka sistem: " + " ".join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    return True


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv() -> bool:
    if venv_python().exists():
        return True
    say(f"Membuat lingkungan Python di {VENV}")
    try:
        venv.EnvBuilder(with_pip=True).create(VENV)
    except Exception as error:  # ensurepip missing: Debian ships it separately as python3-venv
        shutil.rmtree(VENV, ignore_errors=True)
        version = f"python3.{sys.version_info.minor}-venv"
        if shutil.which("dpkg-query") and ensure_system_packages(["python3-venv", version]):
            venv.EnvBuilder(with_pip=True).create(VENV)
            return True
        print(f"[kkmp] venv tidak bisa dibuat ({error}). Pasang paket python3-venv, lalu ulangi.", file=sys.stderr)
        return False
    return True


def ensure_packages() -> None:
    """pip install the project with its pinned extras, only when pyproject.toml changed since last time."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    say("Memasang paket Python (sekali saja; beberapa menit)")
    python = str(venv_python())
    subprocess.run([python, "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([python, "-m", "pip", "install", "-q", "-e", f"{ROOT}[dev,server]"], check=True)
    STAMP.write_text(digest)


def setup(system_packages: list[str]) -> int | None:
    if sys.version_info < (3, 11):
        return fail("KKMP POS butuh Python 3.11 atau lebih baru (Debian 12 / Ubuntu 24.04 sudah punya).")
    if not ensure_system_packages(system_packages):
        return 1
    if not ensure_venv():
        return 1
    ensure_packages()
    return None


def cmd_demo(extra: list[str]) -> int:
    failed = setup(QT_RUNTIME + QT_WINDOW)
    if failed is not None:
        return failed
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return fail("Tidak ada layar (DISPLAY/WAYLAND_DISPLAY kosong). Jalankan dari desktop, atau `xvfb-run`.")
    say(f"Membuka kasir gerai demo KKMP Lempake (data: {DEMO_DATA})")
    command = [str(venv_python()), "-m", "kkmp_pos", "--data-dir", str(DEMO_DATA), "--demo", *extra]
    return subprocess.run(command, cwd=ROOT).returncode


def cmd_test(extra: list[str]) -> int:
    failed = setup(QT_RUNTIME + TEST_TOOLS)
    if failed is not None:
        return failed
    python = str(venv_python())
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    say("Pemeriksaan arsitektur (import-linter): inti tidak mengimpor Qt, UI tidak menyentuh basis data")
    checks = [
        [str(VENV / "bin" / "lint-imports"), "--config", str(ROOT / "pyproject.toml")],
        [python, "-m", "ruff", "check", "kkmp_pos", "sync", "tests", "run.py", "packaging"],
    ]
    for check in checks:
        if subprocess.run(check, cwd=ROOT, env=env).returncode != 0:
            return fail("pemeriksaan gagal: " + " ".join(check[:3]))
    say("Menjalankan seluruh tes (Qt offscreen)")
    return subprocess.run([python, "-m", "pytest", *extra], cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    commands = {"demo": cmd_demo, "test": cmd_test}
    if not argv or argv[0] not in commands:
        print("Pemakaian: python3 run.py demo   (buka kasir gerai demo)\n"
              "           python3 run.py test   (jalankan seluruh tes tanpa layar)", file=sys.stderr)
        return 2
    try:
        return commands[argv[0]](argv[1:])
    except subprocess.CalledProcessError as error:
        return fail(f"perintah gagal ({error.returncode}): {' '.join(map(str, error.cmd))}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
