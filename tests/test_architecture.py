"""House rules checked mechanically: the core works with Qt unimportable; the UI never touches the store."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import kkmp_pos
import sync

ROOT = Path(__file__).resolve().parents[1]
CORE_PACKAGES = ("kkmp_pos.domain", "kkmp_pos.store", "kkmp_pos.services", "kkmp_pos.printing", "sync")


def _modules(package: str) -> list[str]:
    module = __import__(package, fromlist=["_"])
    names = [package]
    for info in pkgutil.walk_packages(module.__path__, prefix=package + "."):
        names.append(info.name)
    return names


def test_every_core_module_imports_with_pyside6_blocked() -> None:
    modules = [m for p in CORE_PACKAGES for m in _modules(p) if ".migrations." not in m + "."]
    assert len(modules) > 15
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'shiboken6'):\n"
        "            raise ImportError('Qt is forbidden in the core: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import importlib\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_ui_imports_no_database_layer_and_core_imports_no_qt() -> None:
    ui_dir = Path(kkmp_pos.__file__).parent / "ui"
    for path in ui_dir.rglob("*.py"):
        for name in _imported_roots(path):
            assert not name.startswith(("sqlalchemy", "sqlite3", "kkmp_pos.store")), f"{path}: imports {name}"
    core_dirs = [Path(kkmp_pos.__file__).parent / p.split(".")[1] for p in CORE_PACKAGES[:-1]]
    core_dirs.append(Path(sync.__file__).parent)
    for directory in core_dirs:
        for path in directory.rglob("*.py"):
            for name in _imported_roots(path):
                assert not name.startswith(("PySide6", "shiboken6", "kkmp_pos.ui")), f"{path}: imports {name}"


def test_every_module_has_a_one_line_docstring() -> None:
    for base in (Path(kkmp_pos.__file__).parent, Path(sync.__file__).parent):
        for path in base.rglob("*.py"):
            if "versions" in path.parts:
                continue
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
            assert doc and doc.splitlines()[0].strip(), f"{path} has no module docstring"


def test_every_package_on_disk_is_listed_for_installation() -> None:
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("kkmp_pos", "sync")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert "kkmp_pos.resources" in listed
