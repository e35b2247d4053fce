"""Saving a workbook safely: written to a temporary file beside the target, then renamed over
it; a target that cannot be written gives one clear message; temporaries a crash left behind
are removed at the next export to the same folder."""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

from kpidesk.errors import UserError
from kpidesk.i18n import _

#: How the temporary files of an export end: ``.<name>.<random>.xlsx.tmp`` beside the target.
TEMPORARY_SUFFIX = ".xlsx.tmp"
#: A temporary file untouched for this long is a crash's leftover, not another export at work.
STALE_SECONDS = 10 * 60


def check_target(path: str | Path, suffix: str | None = None) -> Path:
    """Fail early, with the message the user will act on, when ``path`` cannot be written.

    Creates the folder if needed. Nothing is written to ``path`` itself.

    Args:
        suffix: the extension the file must have (``".xlsx"``), or None for any.

    Raises:
        UserError: ``path`` is a folder or has the wrong extension, its folder cannot
            be written, or the file is read-only.
    """
    target = Path(path)
    if target.is_dir():
        raise UserError(_("{path} is a folder; choose a file name.").format(path=target))
    if suffix is not None and target.suffix.lower() != suffix:
        raise UserError(
            _("{path}: the export is an Excel workbook; give it a name ending in {suffix}.").format(
                path=target, suffix=suffix
            )
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _folder_error(target, exc) from exc
    if target.exists() and not os.access(target, os.W_OK):
        raise _busy_error(target)
    if not os.access(target.parent, os.W_OK):
        raise _folder_error(target, PermissionError(13, os.strerror(13)))
    return target


def save_file(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Have ``write`` write a temporary file beside ``path``, then rename it over ``path``.

    Any failure (or an interrupt) removes the temporary file and leaves an
    existing ``path`` byte for byte as it was.

    Raises:
        UserError: the file cannot be written (open in Excel, read-only, folder
            missing or not writable, disk full…), with a message naming it.
    """
    try:
        target = check_target(path)
        remove_stale_temporaries(target.parent)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=TEMPORARY_SUFFIX, dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise _folder_error(Path(path), exc) from exc
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with contextlib.suppress(OSError):
            # mkstemp makes the file private (0600): keep the replaced file's mode, else the usual one.
            mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except PermissionError as exc:
        tmp.unlink(missing_ok=True)
        raise _busy_error(target) from exc
    except IsADirectoryError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(_("{path} is a folder; choose a file name.").format(path=target)) from exc
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(
            _("{path} could not be written ({reason}); any existing file is unchanged.").format(
                path=target, reason=exc.strerror or exc
            )
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def save_workbook(wb: Workbook, path: str | Path) -> Path:
    """Save the openpyxl workbook ``wb`` safely (see :func:`save_file`)."""
    started: list[bool] = []

    def write(tmp: Path) -> None:
        started.append(True)
        wb.save(tmp)

    try:
        return save_file(path, write)
    except BaseException:
        if not started:  # a write-only workbook's streamed sheets must still be closed
            _discard(wb)
        raise


def _discard(wb: Workbook) -> None:
    """Finish a write-only workbook that will not be saved, so that its streamed sheets close cleanly."""
    with contextlib.suppress(Exception):
        wb.save(io.BytesIO())


def _busy_error(target: Path) -> UserError:
    return UserError(
        _("{path} is open in another program (Excel?) or not writable; close it or choose another name.").format(
            path=target
        )
    )


def _folder_error(target: Path, exc: OSError) -> UserError:
    return UserError(
        _("The folder of {path} cannot be written to ({reason}); choose another folder.").format(
            path=target, reason=exc.strerror or exc
        )
    )


def remove_stale_temporaries(folder: Path, now: float | None = None) -> list[Path]:
    """Remove the temporaries of exports that never finished (a crash, a power cut) from ``folder``.

    Only files named as :func:`save_file` names them and untouched for :data:`STALE_SECONDS`
    are removed: an export another window is writing right now keeps its file.

    Returns:
        The files removed.
    """
    removed: list[Path] = []
    limit = (time.time() if now is None else now) - STALE_SECONDS
    try:
        candidates = [p for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(TEMPORARY_SUFFIX)]
    except OSError:
        return removed
    for path in candidates:
        with contextlib.suppress(OSError):
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed.append(path)
    return removed
