"""Long work on a thread pool, reported back to the GUI thread through signals.

Core and io functions take plain callbacks (``progress(fraction, message)`` and
``cancelled() -> bool``); :func:`start` wraps them in a ``QRunnable`` and turns
them into the signals ``progress(int, str)``, ``finished(object)``,
``failed(str, str)`` and ``cancelled()`` (Picard ``util/thread.py``). Widgets are
only ever touched from the GUI thread, in the slots of those signals.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from kpidesk.errors import Cancelled, UserError

log = logging.getLogger(__name__)


class TaskSignals(QObject):
    progress = Signal(int, str)
    finished = Signal(object)
    failed = Signal(str, str)  # message for the user, technical details ("" for a user error)
    cancelled = Signal()


class TaskState:
    """What the work function gets: report progress, ask whether to stop."""

    def __init__(self, signals: TaskSignals) -> None:
        self._signals = signals
        self._cancel = threading.Event()
        self._last = -1

    def progress(self, fraction: float, message: str = "") -> None:
        percent = max(0, min(100, int(fraction * 100)))
        if percent != self._last:  # only when it changed enough to show
            self._last = percent
            self._signals.progress.emit(percent, message)

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()


class Task(QRunnable):
    def __init__(self, fn: Callable[[TaskState], Any]) -> None:
        super().__init__()
        self.signals = TaskSignals()
        self.state = TaskState(self.signals)
        self._fn = fn
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self.state.cancel()

    def run(self) -> None:
        try:
            self._run()
        except BaseException:  # nothing may escape a worker thread (the window may be gone)
            log.info("background task could not report (closing?):\n%s", traceback.format_exc())

    def _run(self) -> None:
        if self.state.cancelled():
            self.signals.cancelled.emit()
            return
        try:
            result = self._fn(self.state)
        except Cancelled:
            self.signals.cancelled.emit()
        except UserError as exc:
            self.signals.failed.emit(str(exc), "")
        except Exception as exc:
            details = traceback.format_exc()
            log.error("background task failed:\n%s", details)
            self.signals.failed.emit(f"{type(exc).__name__}: {exc}", details)
        else:
            # Work that ran to its end is reported as done, even when a cancel came too late
            # to stop it (an import already committed is an import done).
            self.signals.finished.emit(result)


_live: set[Task] = set()
_engine_pool: QThreadPool | None = None


def engine_pool() -> QThreadPool:
    """The one thread that runs KPI computations: the engine's caches are not thread-safe,
    so the dashboard, the detail, the analyses and the export take turns on it."""
    global _engine_pool
    if _engine_pool is None:
        _engine_pool = QThreadPool()
        _engine_pool.setMaxThreadCount(1)
    return _engine_pool


def start(
    fn: Callable[[TaskState], Any],
    pool: QThreadPool | None = None,
    *,
    finished: Callable[[Any], Any] | None = None,
    failed: Callable[[str, str], Any] | None = None,
    cancelled: Callable[[], Any] | None = None,
    progress: Callable[[int, str], Any] | None = None,
) -> Task:
    """Run ``fn(state)`` on ``pool`` (the global pool by default).

    The slots are connected before the work starts, so a quick result is never lost.
    Keep the returned task to cancel it.
    """
    task = Task(fn)
    _live.add(task)
    for signal, slot in (
        (task.signals.finished, finished),
        (task.signals.failed, failed),
        (task.signals.cancelled, cancelled),
        (task.signals.progress, progress),
    ):
        if slot is not None:
            signal.connect(slot)

    def forget(*_args: object) -> None:
        _live.discard(task)

    task.signals.finished.connect(forget)
    task.signals.failed.connect(forget)
    task.signals.cancelled.connect(forget)
    (pool or QThreadPool.globalInstance()).start(task)
    return task


class LatestOnly(QObject):
    """Runs one request at a time and delivers only the latest one's result.

    A recomputation asked while another runs supersedes it: the older one is
    cancelled and its result, if it still arrives, is dropped.
    """

    finished = Signal(object)
    failed = Signal(str, str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        if pool is None:
            pool = QThreadPool(self)
            pool.setMaxThreadCount(1)
        self._pool = pool
        self._serial = 0
        self._current: Task | None = None

    def submit(self, fn: Callable[[TaskState], Any]) -> None:
        if self._current is not None:
            self._current.cancel()
        self._serial += 1
        serial = self._serial
        self.busy_changed.emit(True)
        self._current = start(
            fn,
            self._pool,
            finished=lambda result: self._done(serial, result),
            failed=lambda message, details: self._fail(serial, message, details),
            cancelled=lambda: self._settle(serial),
        )

    def _settle(self, serial: int) -> bool:
        if serial != self._serial:
            return False
        self._current = None
        self.busy_changed.emit(False)
        return True

    def _done(self, serial: int, result: object) -> None:
        if self._settle(serial):
            self.finished.emit(result)

    def _fail(self, serial: int, message: str, details: str) -> None:
        if self._settle(serial):
            self.failed.emit(message, details)

    def wait(self, msecs: int = 30000) -> bool:
        return wait_idle(self._pool, msecs)


def wait_idle(pool: QThreadPool | None = None, msecs: int = 30000) -> bool:
    """Wait until ``pool`` (the global pool by default) runs nothing, at most ``msecs``.

    Sleeps between checks, which lets the workers have the GIL: ``QThreadPool.waitForDone``
    keeps it, so a worker still running Python code could not finish while it waits.
    """
    pool = pool or QThreadPool.globalInstance()
    deadline = time.monotonic() + msecs / 1000
    while pool.activeThreadCount() > 0:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
