"""The connection to a company file: opening it (header, pragmas, WAL, version checks, a
backup before migrating), transactions, read-only readers, copies, and SQLite failures
turned into one message that names the file and the fix."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from kpidesk.errors import StoreError
from kpidesk.i18n import _
from kpidesk.store.schema import APPLICATION_ID, SCHEMA_VERSION, migrate

__all__ = [
    "SQLITE_MAGIC",
    "Transaction",
    "backup_before_migrating",
    "backup_copy",
    "check_header",
    "connect",
    "copy_database",
    "failure_message",
    "open_connection",
    "reader",
    "translated",
]

SQLITE_MAGIC = b"SQLite format 3\x00"
#: SQLite's extended result code of a failed write (``SQLITE_IOERR_WRITE``): a file-size
#: limit or a full disk mid-write reports it rather than ``SQLITE_FULL``.
_IOERR_WRITE = 778


def backup_copy(path: Path) -> Path | None:
    """The newest backup copy beside ``path`` (``name.kpidesk.v1.bak``, ``name.kpidesk.bak``…), if any."""
    try:
        found = [p for p in path.parent.glob(f"{path.name}*.bak") if p.is_file()]
    except OSError:
        return None
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def failure_message(exc: sqlite3.Error, path: Path) -> str:
    """One translated line for an SQLite failure on ``path``: what happened and the fix."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    if primary == sqlite3.SQLITE_FULL or code == _IOERR_WRITE or "disk is full" in text:
        return _(
            "{path} could not be written: the disk is full (or the file reached its size limit). "
            "Nothing was changed. Free some disk space and retry."
        ).format(path=path)
    if (
        primary == sqlite3.SQLITE_CORRUPT
        or "malformed" in text
        or (primary == sqlite3.SQLITE_NOTADB and _has_magic(path))
    ):
        backup = backup_copy(path)
        if backup is not None:
            return _("{path} is damaged (corrupt pages). Restore the backup copy {backup}.").format(
                path=path, backup=backup
            )
        return _("{path} is damaged (corrupt pages). Restore it from a backup copy.").format(path=path)
    if primary == sqlite3.SQLITE_READONLY or "readonly" in text or "read-only" in text:
        return _(
            "{path} is read-only (the file or its folder): KPI Desk cannot write to it. "
            "Make the file and its folder writable, or copy the file to a folder you can write to."
        ).format(path=path)
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in text:
        return _("{path} is busy: another program is using it. Close that program and retry.").format(path=path)
    if primary == sqlite3.SQLITE_NOTADB:
        return _(
            "{path} is not a KPI Desk database. Open a .kpidesk file, or import spreadsheets with 'kpidesk import'."
        ).format(path=path)
    if primary == sqlite3.SQLITE_IOERR:
        return _(
            "{path} could not be read or written (input/output error). Check the disk or network drive, then retry."
        ).format(path=path)
    if primary == sqlite3.SQLITE_CANTOPEN:
        return _(
            "{path} cannot be opened: KPI Desk reads the file and writes beside it, in its folder. "
            "Make the file and its folder readable and writable, or copy the file to a folder you can write to."
        ).format(path=path)
    return _("{path}: the database reported an error ({reason}).").format(path=path, reason=exc)


def _has_magic(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(16) == SQLITE_MAGIC
    except OSError:
        return False


@contextmanager
def translated(path: Path) -> Iterator[None]:
    """Turn an SQLite failure inside the block into a :class:`StoreError` naming ``path``."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StoreError(failure_message(exc, path)) from exc


class Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception (a cancel included)."""

    def __init__(self, con: sqlite3.Connection, path: Path) -> None:
        self._con = con
        self._path = path

    def __enter__(self) -> None:
        with translated(self._path):
            self._con.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            try:
                self._con.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise StoreError(failure_message(exc, self._path)) from exc
        else:
            self._rollback()

    def _rollback(self) -> None:
        # SQLite may have rolled back already (a full disk): nothing is left to undo then.
        if self._con.in_transaction:
            with suppress(sqlite3.Error):
                self._con.execute("ROLLBACK")


def check_header(path: Path, create: bool) -> None:
    """Refuse (unless ``create``) an empty file; SQLite itself refuses a file that is not a database.

    The file is looked at with ``stat`` only: opening and closing a descriptor of a database
    file would drop the locks another connection of this process holds on it (POSIX locks
    belong to the process), letting another program write underneath that connection.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise StoreError(_("{path} cannot be read: {reason}").format(path=path, reason=exc.strerror)) from exc
    if not size and not create:
        raise StoreError(
            _(
                "{path} is an empty file (0 bytes), not a company. "
                "Open another .kpidesk file, or start a company there with 'kpidesk new' or 'kpidesk import'."
            ).format(path=path)
        )


def connect(path: Path, create: bool = False) -> sqlite3.Connection:
    """A connection to the company file at ``path``, set up and migrated to this version.

    Raises:
        StoreError: the file is missing (without ``create``), empty (without ``create``), not a
            KPI Desk database, from a newer version, or cannot be read; the message says which.
    """
    if not path.exists() and not create:
        raise StoreError(_("{path}: no such file. Check the path, or create it with 'kpidesk demo'.").format(path=path))
    if path.exists():
        if path.is_dir():
            raise StoreError(_("{path} is a folder, not a KPI Desk database.").format(path=path))
        check_header(path, create)
    elif not path.parent.exists():
        raise StoreError(_("{path}: the folder {folder} does not exist.").format(path=path, folder=path.parent))
    with translated(path):
        con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        try:
            version = open_connection(con, path)
        except sqlite3.OperationalError as exc:
            # A file (or folder) that cannot be written is still read; a write then says why.
            con.close()
            con = _read_only(path, exc)
            version = SCHEMA_VERSION
        with translated(path):
            if version < SCHEMA_VERSION:
                if version > 0:
                    backup_before_migrating(con, path, version)
                migrate(con, version)
    except sqlite3.Error as exc:
        con.close()
        raise StoreError(failure_message(exc, path)) from exc
    except BaseException:
        con.close()
        raise
    return con


def _read_only(path: Path, exc: sqlite3.OperationalError) -> sqlite3.Connection:
    """A read-only connection to a company file SQLite could not open for writing (raises
    ``exc`` when it is not a current company file, or cannot be read either)."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code not in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY) or not path.exists():
        raise exc
    uri = f"{path.resolve().as_uri()}?mode=ro"
    for query in ("", "&immutable=1"):
        # Without a -wal file beside it, the file holds every committed row: with the folder
        # read-only too, SQLite reads it only as immutable (it cannot make its -shm file).
        if query and Path(f"{path}-wal").exists():
            break
        try:
            con = sqlite3.connect(uri + query, uri=True, isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            continue
        try:
            version = open_connection(con, path)
        except sqlite3.Error:
            con.close()
            continue
        except BaseException:
            con.close()
            raise
        if version == SCHEMA_VERSION:
            return con
        con.close()
        break
    raise exc


def open_connection(con: sqlite3.Connection, path: Path) -> int:
    """Set the connection up and return the file's schema version."""
    app_id = int(con.execute("PRAGMA application_id").fetchone()[0])
    version = int(con.execute("PRAGMA user_version").fetchone()[0])
    tables = int(con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0])
    if app_id != APPLICATION_ID and (tables or version):
        raise StoreError(_("{path} is an SQLite file, but not a KPI Desk database.").format(path=path))
    if version > SCHEMA_VERSION:
        raise StoreError(
            _(
                "{path} was written by a newer version of KPI Desk (file version {found}, "
                "this one reads up to {ours}). Install the latest KPI Desk to open it."
            ).format(path=path, found=version, ours=SCHEMA_VERSION)
        )
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")
    con.execute("PRAGMA busy_timeout = 5000")
    return version


def backup_before_migrating(con: sqlite3.Connection, path: Path, version: int) -> Path:
    """Copy the file aside before migrating it (``name.kpidesk.v1.bak``)."""
    target = path.with_name(f"{path.name}.v{version}.bak")
    dest = sqlite3.connect(target)
    try:
        con.backup(dest)
    finally:
        dest.close()
    return target


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of an open or closed database file (backup, save as)."""
    if not source.exists():
        raise StoreError(_("{path}: no such file.").format(path=source))
    src = sqlite3.connect(source)
    try:
        tmp = target.with_name(target.name + ".tmp")
        dest = sqlite3.connect(tmp)
        try:
            src.backup(dest)
        finally:
            dest.close()
        shutil.move(tmp, target)
    finally:
        src.close()


def reader(path: Path) -> sqlite3.Connection | None:
    """A read-only connection, or None when one cannot be opened (the rows are then read on
    the main connection). It reads through SQLite's small page cache, not a memory map:
    mapped pages of a large file count in the window's memory, and reading them is no faster."""
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        con.execute("PRAGMA busy_timeout = 5000")
    except sqlite3.Error:
        con.close()
        return None
    return con
