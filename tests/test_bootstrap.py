"""run.py, the README's two commands: what it tells a non-root user, and its argument handling."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kkmp_run_script", ROOT / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_non_root_user_gets_the_exact_apt_line(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    run = _load_run()
    monkeypatch.setattr(run.os, "geteuid", lambda: 1000)
    missing = {"libxcb-cursor0", "libxkbcommon-x11-0"}
    monkeypatch.setattr(run, "dpkg_installed", lambda name: name not in missing)
    assert run.ensure_system_packages(run.QT_RUNTIME + run.QT_WINDOW) is False
    err = capsys.readouterr().err
    assert ("sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends "
            "libxcb-cursor0 libxkbcommon-x11-0'") in err


def test_nothing_to_install_when_everything_is_there(monkeypatch: pytest.MonkeyPatch) -> None:
    run = _load_run()
    monkeypatch.setattr(run.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(run, "dpkg_installed", lambda name: True)
    assert run.ensure_system_packages(run.QT_RUNTIME) is True


def test_dpkg_check_sees_this_machines_packages() -> None:
    run = _load_run()
    if not Path("/usr/bin/dpkg-query").exists():
        pytest.skip("not a Debian/Ubuntu machine")
    assert run.dpkg_installed("dpkg") is True
    assert run.dpkg_installed("no-such-package-kkmp") is False


def test_unknown_command_prints_usage(capsys: pytest.CaptureFixture[str]) -> None:
    run = _load_run()
    assert run.main(["serve"]) == 2
    assert "python3 run.py demo" in capsys.readouterr().err
    assert sys.version_info >= (3, 11)
