from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from kpidesk.ui.main_window import MainWindow
from kpidesk.ui.settings import UserSettings


@pytest.fixture
def make_main_window(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[..., MainWindow]]:
    """Open a main window on a database and wait for its dashboard; closed at the end."""
    windows: list[MainWindow] = []

    def make(db: Path, lang: str = "en", wait: bool = True) -> MainWindow:
        from kpidesk import i18n

        i18n.set_language(lang)
        settings = UserSettings(QSettings(str(tmp_path / f"settings{len(windows)}.ini"), QSettings.Format.IniFormat))
        window = MainWindow(settings, lang)
        qtbot.addWidget(window)
        windows.append(window)
        if wait:
            with qtbot.waitSignal(window.dashboard_updated, timeout=30_000):
                window.open_database(db)
        else:
            window.open_database(db)
        window.resize(1366, 768)
        window.show()
        return window

    yield make
    for window in windows:
        window.close()
