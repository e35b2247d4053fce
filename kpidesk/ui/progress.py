"""Long work with a progress dialog and a Cancel button, off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QProgressDialog, QWidget

from kpidesk.i18n import _
from kpidesk.ui import tasks
from kpidesk.ui.errors import show_error


def run_with_progress(
    parent: QWidget,
    title: str,
    work: Callable[[tasks.TaskState], Any],
    done: Callable[[Any], None],
    pool: QThreadPool | None = None,
) -> tasks.Task:
    """Run ``work`` on a worker thread behind a modal progress dialog; ``done(result)`` on success.

    Cancel asks the work to stop (it leaves everything as it was); an error is shown.
    """
    dialog = QProgressDialog(title, _("Cancel"), 0, 100, parent)
    dialog.setObjectName("progressDialog")
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setValue(0)

    def finished(result: Any) -> None:
        dialog.close()
        done(result)

    def failed(message: str, details: str) -> None:
        dialog.close()
        show_error(message, details, parent)

    def progress(percent: int, message: str) -> None:
        dialog.setValue(percent)
        if message:
            dialog.setLabelText(message)

    task = tasks.start(work, pool, finished=finished, failed=failed, cancelled=dialog.close, progress=progress)
    dialog.canceled.connect(task.cancel)
    return task
