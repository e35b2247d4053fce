"""Where KPI Desk keeps the user's files, resolved in one place (qutebrowser ``standarddir``)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QStandardPaths


def data_dir() -> Path:
    """The user's data folder (``~/.local/share/KPI Desk`` on Linux); ``KPIDESK_DATA_DIR`` overrides it."""
    override = os.environ.get("KPIDESK_DATA_DIR")
    if override:
        path = Path(override)
    else:
        path = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database() -> Path:
    """The demo company's database, made on first launch."""
    return data_dir() / "demo.kpidesk"


def log_file() -> Path:
    return data_dir() / "kpidesk.log"
