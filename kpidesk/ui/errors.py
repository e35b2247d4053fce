"""Unexpected errors: logged to the user's log file and shown in a dialog; the window survives."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from kpidesk.i18n import _
from kpidesk.ui import paths

log = logging.getLogger("kpidesk")


def setup_logging() -> None:
    """Log warnings and errors to ``kpidesk.log`` in the user's data folder (rotated)."""
    if any(isinstance(h, logging.handlers.RotatingFileHandler) for h in log.handlers):
        return
    try:
        handler = logging.handlers.RotatingFileHandler(
            paths.log_file(), maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


class ErrorDialog(QDialog):
    """An unexpected error: what happened, where the log is, details to copy."""

    def __init__(self, message: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.setWindowTitle(_("Unexpected error"))
        layout = QVBoxLayout(self)
        label = QLabel(
            _("Something went wrong. Your data is safe and the window stays open.")
            + "\n\n"
            + message
            + "\n\n"
            + _("The details below are also in the log file:")
            + f"\n{paths.log_file()}"
        )
        label.setWordWrap(True)
        layout.addWidget(label)
        self.details = QPlainTextEdit(details)
        self.details.setObjectName("errorDetails")
        self.details.setReadOnly(True)
        self.details.setMinimumSize(560, 200)
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton(_("Copy details"), QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())


def show_error(message: str, details: str, parent: QWidget | None = None) -> None:
    """A user error (no details) as a message box; anything else in the error dialog."""
    if not details:
        QMessageBox.warning(parent, _("KPI Desk"), message)
        return
    log.error("%s\n%s", message, details)
    if QApplication.instance() is None:
        return
    ErrorDialog(message, details, parent).exec()


def install_excepthook() -> None:
    """Route exceptions escaping a slot to the log and the error dialog instead of aborting."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(kind, value, tb))
        log.error("unexpected error:\n%s", details)
        if QApplication.instance() is None:
            sys.__excepthook__(kind, value, tb)
            return
        if threading.current_thread() is not threading.main_thread():
            return  # logged; widgets belong to the GUI thread
        parent = QApplication.activeWindow()
        show_error(f"{kind.__name__}: {value}", details, parent)

    sys.excepthook = hook
