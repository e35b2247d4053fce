"""Detects a company file already open in another running KPI Desk window.

A small ``NAME.kpidesk.lock`` file beside the database holds the owner's host
and process id. A lock left by a process that no longer runs (a crash) is
taken over; a live one is reported to the user.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

from kpidesk.errors import StoreError
from kpidesk.i18n import _


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


class InstanceLock:
    """Held while a window has the database open."""

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".lock")
        self._held = False

    def owner(self) -> dict[str, object] | None:
        """Who holds the lock, if a live process on this machine (or another host) does."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        try:
            pid = int(data.get("pid", 0) or 0)
        except (TypeError, ValueError):
            return None  # an unreadable lock is a stale one
        if data.get("host") == socket.gethostname() and (pid == os.getpid() or not _alive(pid)):
            return None
        return data

    def acquire(self) -> None:
        """Take the lock.

        Raises:
            StoreError: another running KPI Desk has the file open.
        """
        owner = self.owner()
        if owner is not None:
            raise StoreError(
                _(
                    "{path} is already open in another KPI Desk window (process {pid} on {host}). Close it there first."
                ).format(path=self.path.with_suffix(""), pid=owner.get("pid"), host=owner.get("host"))
            )
        content = json.dumps({"pid": os.getpid(), "host": socket.gethostname()}).encode("utf-8")
        self.path.unlink(missing_ok=True)  # stale: its owner is gone
        try:
            # Created only if absent: of two windows opening the file at once, one gets it.
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            raise StoreError(
                _("{path} is being opened by another KPI Desk window. Close it there first.").format(
                    path=self.path.with_suffix("")
                )
            ) from None
        except OSError:
            return  # a read-only folder: nothing to protect against
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        self._held = True

    def release(self) -> None:
        if self._held:
            self.path.unlink(missing_ok=True)
            self._held = False
