"""Per-user settings (language, recent files, window geometry, last period) in QSettings.

Settings of the company itself live in its ``.kpidesk`` file
(:class:`kpidesk.core.settings.CompanySettings`). Options are declared here with
their defaults, as in Picard's ``options.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 8

OPTIONS: dict[str, Any] = {
    "language": "",  # "" follows the system, else "fr" / "en"
    "last_database": "",
    "recent_databases": [],
    "geometry": QByteArray(),
    "window_state": QByteArray(),
    "grain": "month",
    "range_preset": "last_12_months",
    "comparison": "previous",
}


class UserSettings:
    """Typed access to the declared options."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._q = qsettings or QSettings()

    def get(self, key: str) -> Any:
        default = OPTIONS[key]
        value = self._q.value(key, default)
        if isinstance(default, list):
            if value is None or value == "":
                return []
            return [str(v) for v in (value if isinstance(value, list) else [value])]
        if isinstance(default, str):
            return "" if value is None else str(value)
        return value

    def set(self, key: str, value: Any) -> None:
        if key not in OPTIONS:
            raise KeyError(key)
        self._q.setValue(key, value)

    def add_recent(self, path: Path) -> None:
        text = str(path.resolve())
        recent = [p for p in self.get("recent_databases") if p != text]
        recent.insert(0, text)
        self.set("recent_databases", recent[:MAX_RECENT])
        self.set("last_database", text)

    def sync(self) -> None:
        self._q.sync()
