"""The instance lock of a company file: an operating-system file lock that one KPI Desk holds
while it has the company open, and that never signals another process.

A small ``NAME.kpidesk.lock`` file beside the company is locked with ``fcntl.flock``
(POSIX) or ``msvcrt.locking`` (Windows). The operating system releases the lock when
its holder ends, even by a crash or a kill, so a lock is never stale. The file also
holds the holder's process id and host, only to name them in the message.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
from pathlib import Path
from typing import IO

from kpidesk.errors import StoreError
from kpidesk.i18n import _

__all__ = ["CompanyInUse", "InstanceLock", "lock_path"]


class CompanyInUse(StoreError):
    """Another running KPI Desk (a window, an import) holds the company file."""


def lock_path(database: Path) -> Path:
    """The lock file of the company file ``database``."""
    return database.with_name(database.name + ".lock")


def _try_lock(fh: IO[bytes]) -> bool:
    """Lock ``fh`` without waiting; False when another open file holds the lock."""
    if sys.platform == "win32":
        import msvcrt

        fh.seek(0)
        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return False
    return True


def _unlock(fh: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        fh.seek(0)
        with contextlib.suppress(OSError):
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


class InstanceLock:
    """Held while a KPI Desk has the company file open for writing.

    Usable as a context manager. Within one process, take it once and keep the
    object: a second :class:`InstanceLock` on the same file is refused, as in
    another process.
    """

    def __init__(self, database: str | os.PathLike[str]) -> None:
        self.database = Path(database)
        self.path = lock_path(self.database)
        self._fh: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def owner(self) -> dict[str, object]:
        """What the lock file says of its holder (informative only: its process id and host)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def acquire(self) -> None:
        """Take the lock, without waiting.

        Raises:
            CompanyInUse: another running KPI Desk holds the company file.
        """
        if self._fh is not None:
            return
        for _attempt in range(5):
            try:
                fh = open(self.path, "a+b")  # noqa: SIM115 - held for the lock's lifetime
            except OSError:
                return  # a read-only folder: the company cannot be written there anyway
            if not _try_lock(fh):
                fh.close()
                owner = self.owner()
                raise CompanyInUse(
                    _(
                        "{path} is open in another KPI Desk (process {pid} on {host}). "
                        "Close it there first, then try again."
                    ).format(path=self.database, pid=owner.get("pid", "?"), host=owner.get("host", "?"))
                )
            if not _same_file(fh, self.path):
                # The holder released and removed the file while we opened it: take the new one.
                _unlock(fh)
                fh.close()
                continue
            try:
                fh.seek(0)
                fh.truncate()
                fh.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}).encode("utf-8"))
                fh.flush()
            except OSError:
                pass  # the lock holds even when its note cannot be written
            self._fh = fh
            return

    def release(self) -> None:
        """Let the lock go (the operating system does it too when the process ends)."""
        fh, self._fh = self._fh, None
        if fh is None:
            return
        try:
            if sys.platform != "win32":
                # Removed while still locked, so that whoever opens it next makes a new one.
                self.path.unlink(missing_ok=True)
            _unlock(fh)
        except OSError:
            pass
        finally:
            fh.close()

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _same_file(fh: IO[bytes], path: Path) -> bool:
    if sys.platform == "win32":
        return True  # an open file cannot be removed there
    try:
        mine, there = os.fstat(fh.fileno()), os.stat(path)
    except OSError:
        return False
    return (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)
