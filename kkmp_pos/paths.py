"""Where the outlet's data lives: `--data-dir`, else the platform's user data directory."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "kkmp-pos"
ENV_DATA_DIR = "KKMP_POS_DATA_DIR"


def default_data_dir() -> Path:
    """`KKMP_POS_DATA_DIR` if set, else e.g. ~/.local/share/kkmp-pos or %LOCALAPPDATA%\\kkmp-pos."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override).expanduser()
    return Path(user_data_dir(APP_NAME, appauthor=False))
