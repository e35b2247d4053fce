"""Application start: Qt application, language, translators, logging, the main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from kpidesk import __version__, i18n
from kpidesk.memory import tune_allocator
from kpidesk.resources_path import resource_path
from kpidesk.ui import errors, paths
from kpidesk.ui.main_window import MainWindow
from kpidesk.ui.settings import UserSettings

_translators: list[QTranslator] = []


def application() -> QApplication:
    """The QApplication, created once with the names QSettings and QStandardPaths use."""
    tune_allocator()
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName("KPI Desk")
    app.setApplicationName("KPI Desk")
    app.setApplicationVersion(__version__)
    # The menu entry installed on Linux is kpidesk.desktop: Wayland matches windows to it by this name.
    app.setDesktopFileName("kpidesk")
    app.setWindowIcon(QIcon(str(resource_path("icons", "kpidesk-256.png"))))
    return app


def choose_language(settings: UserSettings) -> str:
    """The user's choice, else the system's: applied to our strings and Qt's own dialogs."""
    wanted = settings.get("language") or None
    if wanted not in i18n.LANGUAGES:
        # Windows and macOS set no LANG: the system's language is the one Qt reads from the system.
        wanted = i18n.language_of_locale(QLocale.system().name())
    i18n.set_language(wanted)
    lang = i18n.language()
    QLocale.setDefault(QLocale(QLocale.Language.French if lang == "fr" else QLocale.Language.English))
    install_qt_translator(lang)
    return lang


def install_qt_translator(lang: str) -> None:
    """Translate Qt's own dialogs (buttons, file dialogs) with Qt's ``qtbase`` catalogue."""
    app = QApplication.instance()
    for old in _translators:
        if app is not None:
            app.removeTranslator(old)
    _translators.clear()
    if lang == "en" or app is None:
        return
    translator = QTranslator()
    if translator.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
        _translators.append(translator)


def make_window(db: Path | None = None) -> MainWindow:
    """The main window on ``db``, the last database, or (first run) the demo company."""
    settings = UserSettings()
    lang = choose_language(settings)
    errors.setup_logging()
    errors.install_excepthook()
    window = MainWindow(settings, lang)
    if db is not None:
        window.open_database(Path(db))
    else:
        last = settings.get("last_database")
        if last and Path(last).exists():
            window.open_database(Path(last))
        else:
            window.open_database(paths.default_database(), create_demo=True)
    return window


def run(db: Path | None = None) -> int:
    if db is not None and not Path(db).exists():
        from kpidesk.errors import StoreError
        from kpidesk.i18n import _

        raise StoreError(_("{path}: no such file. Check the path, or create it with 'kpidesk demo'.").format(path=db))
    app = application()
    window = make_window(db)
    window.show()
    if os.environ.get("KPIDESK_QUIT_AFTER_LOAD"):  # smoke tests of a built bundle
        window.computed.connect(lambda: QTimer.singleShot(0, window.close))
    return app.exec()
