"""The till's one-folder bundle: built with packaging/build_bundle.py, started offscreen, complete, installable.

The build (40-80 s, PyInstaller) is cached in <temp dir>/kkmp-pos-bundle-test/<key>, the key being a hash of
everything that goes into the bundle (the till's sources, resources, packaging files, pyproject.toml, the
installed packages and the Python version): a fresh machine, like CI, always builds it; a second run of
unchanged sources reuses it. (Not under build/: setuptools' editable installs use that folder.)
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import pkgutil
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest

import kkmp_pos
from kkmp_pos.domain.catalog_import import parse_catalog_csv
from kkmp_pos.store.db import DB_FILENAME, HEAD_REVISION
from tests.store.test_upgrade import MEMBER_NIK, make_old_data_dir

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
CACHE = Path(tempfile.gettempdir()) / "kkmp-pos-bundle-test"
BUNDLE_INPUTS = ("kkmp_pos", "sync/client", "sync/protocol", "sync/__init__.py", "resources", "packaging",
                 "pyproject.toml")
SKIPPED = ("__pycache__",)

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle (Windows builds its own)"),
    pytest.mark.timeout(900),  # the first test also builds the bundle
]


def _files(top: Path) -> list[Path]:
    if top.is_file():
        return [top]
    return sorted(p for p in top.rglob("*") if p.is_file() and not set(SKIPPED) & set(p.parts)
                  and p.suffix != ".pyc")


def _inputs_key() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for top in BUNDLE_INPUTS:
        for path in _files(ROOT / top):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    installed = sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions())
    digest.update("\n".join(installed).encode())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="module")
def bundle() -> Path:
    """dist/kkmp-pos as `python3 packaging/build_bundle.py` makes it (with this interpreter's packages)."""
    home = CACHE / _inputs_key()
    if not (home / "complete").exists():
        shutil.rmtree(CACHE, ignore_errors=True)  # older keys: stale sources
        result = subprocess.run(
            [sys.executable, str(PACKAGING / "build_bundle.py"), "--python", sys.executable,
             "--dist", str(home / "dist"), "--work", str(home / "work")],
            cwd=ROOT, capture_output=True, text=True, timeout=840,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
        shutil.rmtree(home / "work")
        (home / "complete").write_text("built by tests/packaging/test_bundle.py\n")
    return home / "dist" / "kkmp-pos"


def _start(bundle: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the bundled program as a user would: none of the venv's or the test run's Python settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "QT_", "KKMP_"))}
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"), XDG_RUNTIME_DIR=str(runtime),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "share"))
    return subprocess.run([str(bundle / "kkmp-pos"), *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=180)


def _count(db: Path, sql: str) -> object:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        value = connection.execute(sql).fetchone()[0]
    connection.close()
    return value


def test_the_bundle_opens_the_demo_outlet_offscreen_and_exits_cleanly(bundle: Path, tmp_path: Path) -> None:
    data = tmp_path / "demo"
    result = _start(bundle, tmp_path, "--data-dir", str(data), "--demo", "--ready-probe")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and ":ERROR]" not in result.stderr, result.stderr  # [PYI-n:ERROR]
    sample = (ROOT / "resources" / "catalog_sample.csv").read_text(encoding="utf-8")
    db = data / DB_FILENAME
    assert _count(db, "SELECT count(*) FROM product") == len(parse_catalog_csv(sample)) > 0
    assert _count(db, "SELECT count(*) FROM app_user WHERE pin_hash IS NOT NULL") == 4
    assert _count(db, "SELECT version_num FROM alembic_version") == HEAD_REVISION


def test_the_bundle_opens_an_older_data_directory_and_migrates_it(bundle: Path, tmp_path: Path) -> None:
    data = make_old_data_dir(tmp_path / "old")
    result = _start(bundle, tmp_path, "--data-dir", str(data), "--ready-probe")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    db = data / DB_FILENAME
    assert _count(db, "SELECT version_num FROM alembic_version") == HEAD_REVISION
    assert _count(db, "SELECT count(*) FROM sale") == 3
    assert _count(db, "SELECT count(*) FROM member WHERE nik IS NULL AND nik_enc LIKE 'v1:%'") == 1
    assert MEMBER_NIK not in (data / DB_FILENAME).read_bytes().decode("latin-1")


def test_the_bundle_carries_every_data_file_and_module_the_till_loads(bundle: Path) -> None:
    inside = bundle / "_internal"
    assert (inside / "escpos" / "capabilities.json").is_file()  # python-escpos's printer profiles
    assert (inside / "reportlab" / "fonts" / "Vera.ttf").is_file()
    # The whole resources package (translations, sample catalogue, wilayah, icons, the manual...).
    for path in _files(ROOT / "resources"):
        assert (inside / "kkmp_pos" / "resources" / path.relative_to(ROOT / "resources")).is_file(), path
    for name in ("i18n/en.json", "catalog_sample.csv", "icons/kkmp-pos.png"):
        assert (inside / "kkmp_pos" / "resources" / name).is_file()
    # Alembic reads the migration scripts as files.
    for path in _files(ROOT / "kkmp_pos" / "store" / "migrations"):
        assert (inside / path.relative_to(ROOT)).is_file(), path
    # Every module of the till (many imported lazily), the sync client and protocol; not the city server.
    listing = subprocess.run([str(Path(sys.executable).parent / "pyi-archive_viewer"), "-l", "-r", "-b",
                              str(bundle / "kkmp-pos")], capture_output=True, text=True, check=True).stdout
    archived = set(re.findall(r"[\w.]+", listing))
    wanted = {info.name for info in pkgutil.walk_packages(kkmp_pos.__path__, prefix="kkmp_pos.")
              if not info.name.startswith(("kkmp_pos.bench", "kkmp_pos.resources"))}
    wanted |= {"sync.client.transport", "sync.protocol.canonical", "sync.protocol.batch",
               "sync.protocol.compression", "isal.igzip", "reportlab.graphics.barcode.code128", "escpos.printer"}
    assert wanted - archived == set()
    assert list((inside / "isal").glob("isal_zlib*"))  # the fast gzip's extension, not the zlib fallback
    assert not {"sync.server", "fastapi", "uvicorn", "psycopg", "pytest"} & archived
    # The Qt modules a widgets till never loads stay out (size and build time).
    for heavy in ("libQt6WebEngineCore", "libQt6Quick", "libQt6Qml", "libQt6Pdf", "libQt6Multimedia"):
        assert not list(inside.rglob(heavy + "*")), heavy


def test_the_linux_desktop_entry_is_valid() -> None:
    entry = PACKAGING / "linux" / "kkmp-pos.desktop"
    result = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
    text = entry.read_text(encoding="utf-8")
    assert "Exec=/opt/kkmp-pos/kkmp-pos\n" in text and "Icon=kkmp-pos\n" in text
    assert (ROOT / "resources" / "icons" / "kkmp-pos.png").is_file()


def test_the_windows_installer_script_points_at_what_the_build_makes() -> None:
    iss = PACKAGING / "windows" / "kkmp_pos.iss"
    text = iss.read_text(encoding="utf-8")
    defines = dict(re.findall(r'#define (\w+) "([^"]*)"', text))
    # The spec's one-folder output and program name, and the app's version.
    assert defines["Bundle"].replace("\\", "/") == "../../dist/kkmp-pos"
    assert defines["AppExe"] == "kkmp-pos.exe"
    assert 'name="kkmp-pos"' in (PACKAGING / "kkmp_pos.spec").read_text(encoding="utf-8")
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert defines["AppVersion"] == version == kkmp_pos.__version__
    # Every file it names next to itself exists (icon, the Indonesian messages).
    icon = re.search(r"^SetupIconFile=(.+)$", text, re.M)
    assert icon is not None and (iss.parent / icon.group(1).replace("\\", "/")).is_file()
    for messages in re.findall(r'MessagesFile: "([^"]+)"', text):
        for part in messages.split(","):
            if not part.startswith("compiler:"):
                assert (iss.parent / part).is_file(), part
    # The till's data folder (%LOCALAPPDATA%\kkmp-pos) is never deleted by the uninstaller.
    assert "[UninstallDelete]" not in text.replace("No [UninstallDelete]", "")
    assert "{localappdata}\\kkmp-pos\"" not in text
