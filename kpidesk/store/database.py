"""One company's ``.kpidesk`` file: open, migrate, import batches, load typed frames.

Every write is one transaction: a failed, killed or cancelled import leaves
the file exactly as it was. Queries are parameterised; table and column names
come only from :mod:`kpidesk.core.kinds`, never from the user.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import queue
import shutil
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kpidesk.core import catalog
from kpidesk.core.cells import code_type, factorize_objects
from kpidesk.core.kinds import KINDS
from kpidesk.core.settings import CompanySettings
from kpidesk.errors import Cancelled, StoreError
from kpidesk.i18n import _
from kpidesk.store.schema import APPLICATION_ID, SCHEMA_VERSION, migrate

ProgressCallback = Callable[[float, str], None]
CancelledCallback = Callable[[], bool]

SQLITE_MAGIC = b"SQLite format 3\x00"
_INSERT_CHUNK = 20_000
#: Fixed key of the row hash: stored hashes must stay comparable across runs.
_HASH_KEY = "kpidesk-rows-v1."


@dataclass(frozen=True)
class Batch:
    """One import: a file (or sheet) brought into one kind."""

    batch_id: int
    kind: str
    file: str
    sheet: str | None
    imported_at: str
    imported: int
    skipped_duplicates: int
    rejected: int
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self, with_errors: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "batch_id": self.batch_id,
            "file": self.file,
            "sheet": self.sheet,
            "kind": self.kind,
            "imported_at": self.imported_at,
            "imported": self.imported,
            "skipped_duplicates": self.skipped_duplicates,
            "rejected": self.rejected,
        }
        if with_errors:
            data["errors"] = self.errors
        return data


class Store:
    """An open ``.kpidesk`` file."""

    def __init__(self, path: Path, con: sqlite3.Connection) -> None:
        self.path = path
        self._con = con

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], create: bool = False) -> Store:
        """Open (or, with ``create``, make) the company file at ``path``.

        Raises:
            StoreError: the file is missing, is not a KPI Desk database, was written by a
                newer version, or cannot be read; the message says which and what to do.
        """
        p = Path(path)
        if not p.exists() and not create:
            raise StoreError(
                _("{path}: no such file. Check the path, or create it with 'kpidesk demo'.").format(path=p)
            )
        if p.exists():
            if p.is_dir():
                raise StoreError(_("{path} is a folder, not a KPI Desk database.").format(path=p))
            _check_header(p)
        elif not p.parent.exists():
            raise StoreError(_("{path}: the folder {folder} does not exist.").format(path=p, folder=p.parent))
        try:
            con = sqlite3.connect(p, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(_("{path} cannot be opened: {reason}").format(path=p, reason=exc)) from exc
        try:
            version = _open_connection(con, p)
            if version < SCHEMA_VERSION:
                if version > 0:
                    _backup(con, p, version)
                migrate(con, version)
        except sqlite3.DatabaseError as exc:
            con.close()
            raise StoreError(_("{path} is not a KPI Desk database ({reason}).").format(path=p, reason=exc)) from exc
        except BaseException:
            con.close()
            raise
        return cls(p, con)

    @classmethod
    def create(cls, path: str | os.PathLike[str], overwrite: bool = False) -> Store:
        """A new empty company file at ``path`` (replacing one only with ``overwrite``)."""
        p = Path(path)
        if p.exists():
            if not overwrite:
                raise StoreError(_("{path} already exists.").format(path=p))
            for suffix in ("", "-wal", "-shm"):
                Path(str(p) + suffix).unlink(missing_ok=True)
        return cls.open(p, create=True)

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def connection(self) -> sqlite3.Connection:
        return self._con

    # -- company settings ------------------------------------------------------------------

    def _get_values(self) -> dict[str, Any]:
        rows = self._con.execute("SELECT key, value FROM company").fetchall()
        return {key: json.loads(value) for key, value in rows}

    def settings(self) -> CompanySettings:
        return CompanySettings.from_dict(self._get_values())

    def save_settings(self, settings: CompanySettings) -> None:
        settings.validate()
        with self._transaction():
            self._set_values(settings.to_dict())

    def _set_values(self, values: dict[str, Any]) -> None:
        self._con.executemany(
            "INSERT INTO company(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [(k, json.dumps(v)) for k, v in values.items()],
        )

    def revision(self) -> int:
        """A number that changes whenever the stored rows change (for caches)."""
        row = self._con.execute("SELECT value FROM company WHERE key = 'revision'").fetchone()
        return int(json.loads(row[0])) if row else 0

    def _bump_revision(self) -> None:
        self._set_values({"revision": self.revision() + 1})

    # -- writing rows ----------------------------------------------------------------------

    def import_frame(
        self,
        kind: str,
        frame: pd.DataFrame,
        *,
        file: str,
        sheet: str | None = None,
        source_rows: Sequence[int] | np.ndarray | None = None,
        rejected: int = 0,
        errors: list[dict[str, Any]] | None = None,
        mapping: dict[str, str] | None = None,
        remember_as: str | None = None,
        progress: ProgressCallback | None = None,
        cancelled: CancelledCallback | None = None,
    ) -> Batch:
        """Store the rows of a typed ``frame`` of ``kind`` as one batch, in one transaction.

        With ``remember_as`` (a header signature), ``mapping`` is remembered for those
        headers in the same transaction.

        Rows already stored by an earlier batch are skipped (counted in
        ``skipped_duplicates``); identical rows inside ``frame`` are all kept.

        Raises:
            Cancelled: ``cancelled()`` returned True; nothing was stored.
        """
        spec = KINDS[kind]
        columns = list(spec.field_names)
        # The kind's columns, None where the frame has none (no reindexed copy of the frame).
        given = [frame[c] if c in frame.columns else None for c in columns]
        n = len(frame)
        rows_hash = _column_hashes(given, n)
        # Each line's rank among the identical lines of this file (0 for most: counted only if some repeat).
        repeated = pd.Series(rows_hash).duplicated().to_numpy().any()
        dup_index = (
            pd.Series(rows_hash).groupby(rows_hash).cumcount().to_numpy() if repeated else np.zeros(n, dtype=np.int64)
        )
        source = np.arange(2, n + 2) if source_rows is None else np.asarray(source_rows)
        now = dt.datetime.now().isoformat(timespec="seconds")
        with self._transaction():
            cur = self._con.execute(
                "INSERT INTO batches(kind, file, sheet, imported_at, rejected, report, mapping) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (kind, file, sheet, now, rejected, json.dumps(errors or []), json.dumps(mapping or {})),
            )
            batch_id = int(cur.lastrowid or 0)
            new = self._unstored(kind, rows_hash, dup_index)
            if new is not None:  # only the rows not stored yet are converted
                source, rows_hash, dup_index = source[new], rows_hash[new], dup_index[new]
                given = [None if series is None else series[new] for series in given]
            count = len(rows_hash)
            # Columns the file does not fill stay NULL without being bound row by row.
            present = {
                c: series
                for c, series in zip(columns, given, strict=True)
                if series is not None and _has_values(series)
            }
            converted = {c: _to_sql_values(series, spec.field(c).type) for c, series in present.items()}
            # (An object column is known to hold a value only once converted.)
            filled = [c for c, v in converted.items() if present[c].dtype != object or v.count(None) < count]
            values = [converted[c] for c in filled]
            del converted
            column_sql = ", ".join(["batch_id", "source_row", "row_hash", "dup_index", *(f'"{c}"' for c in filled)])
            # Values the same on every row are written into the statement, not bound row by row.
            repeats = bool(dup_index.any())
            bound = ", ".join([str(batch_id), "?", "?", "?" if repeats else "0", *("?" * len(filled))])
            # (A row missing a required value, which validation never lets through, is left out.)
            sql = f'INSERT OR IGNORE INTO "{kind}" ({column_sql}) VALUES ({bound})'
            leading = [source.tolist(), rows_hash.tolist(), *([dup_index.tolist()] if repeats else [])]
            data = zip(*leading, *values, strict=True)
            before = self._con.total_changes
            done = 0
            while done < count:
                if cancelled is not None and cancelled():
                    raise Cancelled()
                self._con.executemany(sql, itertools.islice(data, _INSERT_CHUNK))
                done = min(done + _INSERT_CHUNK, count)
                if progress is not None:
                    progress(done / count, _("Storing rows"))
            imported = self._con.total_changes - before
            skipped = n - imported
            self._con.execute(
                "UPDATE batches SET imported = ?, skipped_duplicates = ? WHERE id = ?",
                (imported, skipped, batch_id),
            )
            if remember_as is not None:
                self._save_mapping(remember_as, kind, mapping or {})
            self._bump_revision()
        batch = self.batch(batch_id)
        assert batch is not None
        return batch

    def _unstored(self, kind: str, hashes: np.ndarray, dup_index: np.ndarray) -> np.ndarray | None:
        """Which rows ``(hash, dup_index)`` are not stored yet (a mask), or None when all are new.

        Reads the stored hashes as one text (no Python object per row) and compares them with
        numpy: on a large table far cheaper than a unique index checked row by row.
        """
        if len(hashes) == 0:
            return None
        text = self._con.execute(f'SELECT group_concat(row_hash) FROM "{kind}" WHERE dup_index = 0').fetchone()[0]
        stored = np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64)
        repeated = {
            (int(h), int(d))
            for h, d in self._con.execute(f'SELECT row_hash, dup_index FROM "{kind}" WHERE dup_index > 0')
        }
        if not len(stored) and not repeated:
            return None
        first = dup_index == 0
        new = np.ones(len(hashes), dtype=bool)
        new[first] = ~np.isin(hashes[first], stored)
        later = np.flatnonzero(~first)
        if len(later):
            new[later] = [
                (h, d) not in repeated for h, d in zip(hashes[later].tolist(), dup_index[later].tolist(), strict=True)
            ]
        return None if new.all() else new

    def undo_batch(self, batch_id: int) -> Batch:
        """Remove the batch and exactly its rows."""
        batch = self.batch(batch_id)
        if batch is None:
            raise StoreError(_("There is no import batch {batch}.").format(batch=batch_id))
        with self._transaction():
            self._con.execute(f'DELETE FROM "{batch.kind}" WHERE batch_id = ?', (batch_id,))
            self._con.execute("DELETE FROM batches WHERE id = ?", (batch_id,))
            self._bump_revision()
        return batch

    def set_target(
        self, kpi: str, period: str, value: float | None, dimension: str | None = None, member: str | None = None
    ) -> None:
        """Enter (or with ``value`` None, remove) a target from the app (no batch)."""
        definition = catalog.find(kpi)
        # Imported targets may name the KPI in French or English: the same target either way.
        names = sorted({kpi} | ({definition.id, definition.name_fr, definition.name_en} if definition else set()))
        with self._transaction():
            self._con.execute(
                f"DELETE FROM targets WHERE kpi IN ({', '.join('?' * len(names))}) AND period = ? "
                "AND dimension IS ? AND member IS ?",
                (*names, period, dimension, member),
            )
            if value is not None:
                row = pd.DataFrame(
                    {
                        "kpi": [kpi],
                        "period": [period],
                        "value": [float(value)],
                        "dimension": [dimension],
                        "member": [member],
                    }
                )
                h = int(row_hashes(row)[0])
                self._con.execute(
                    "INSERT INTO targets(batch_id, source_row, row_hash, dup_index, "
                    "kpi, period, value, dimension, member) VALUES (NULL, NULL, ?, 0, ?, ?, ?, ?, ?)",
                    (h, kpi, period, float(value), dimension, member),
                )
            self._bump_revision()

    # -- mappings --------------------------------------------------------------------------

    def save_mapping(self, signature: str, kind: str, mapping: dict[str, str]) -> None:
        with self._transaction():
            self._save_mapping(signature, kind, mapping)

    def _save_mapping(self, signature: str, kind: str, mapping: dict[str, str]) -> None:
        now = dt.datetime.now().isoformat(timespec="seconds")
        self._con.execute(
            "INSERT INTO mappings(signature, kind, mapping, saved_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(signature) DO UPDATE SET kind = excluded.kind, mapping = excluded.mapping, "
            "saved_at = excluded.saved_at",
            (signature, kind, json.dumps(mapping), now),
        )

    def get_mapping(self, signature: str) -> tuple[str, dict[str, str]] | None:
        row = self._con.execute("SELECT kind, mapping FROM mappings WHERE signature = ?", (signature,)).fetchone()
        if row is None:
            return None
        return str(row[0]), dict(json.loads(row[1]))

    # -- reading ---------------------------------------------------------------------------

    def batches(self) -> list[Batch]:
        rows = self._con.execute(
            "SELECT id, kind, file, sheet, imported_at, imported, skipped_duplicates, rejected, report "
            "FROM batches ORDER BY id"
        ).fetchall()
        return [_batch(row) for row in rows]

    def batch(self, batch_id: int) -> Batch | None:
        row = self._con.execute(
            "SELECT id, kind, file, sheet, imported_at, imported, skipped_duplicates, rejected, report "
            "FROM batches WHERE id = ?",
            (batch_id,),
        ).fetchone()
        return _batch(row) if row else None

    def count(self, kind: str) -> int:
        return int(self._con.execute(f'SELECT count(*) FROM "{KINDS[kind].name}"').fetchone()[0])

    def load(self, kind: str, provenance: bool = False) -> pd.DataFrame:
        """The rows of ``kind`` as a typed frame, in storage order.

        Columns are the kind's canonical fields (dates ``datetime64[ns]``, numbers
        ``float64``, text ``category``, so that each distinct text, an invoice number or a
        region, is held once in memory; flags ``boolean``); with
        ``provenance`` also ``batch_id``, ``file``, ``sheet`` and ``source_row``.
        """

        def read(con: sqlite3.Connection) -> pd.DataFrame | None:
            fast = _load_columns(con, kind)
            return _with_provenance(con, kind, fast) if fast is not None and provenance else fast

        fast = self._read(read)
        return fast if fast is not None else _load_rows(self._con, kind, provenance)

    def with_provenance(self, kind: str, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` (the rows of ``kind`` as :meth:`load` gives them, e.g. the engine's) with its
        provenance columns added, without reading the fields again; a frame that no longer
        matches the stored rows (an import since) is read afresh."""
        out = self._read(lambda con: _with_provenance(con, kind, frame))
        return out if out is not None else self.load(kind, provenance=True)

    def _read(self, read: Callable[[sqlite3.Connection], pd.DataFrame | None]) -> pd.DataFrame | None:
        """``read`` on a read-only connection of its own, in one snapshot; None when that path
        cannot serve (inside a write, no reader, a value it cannot read) and rows must be fetched."""
        if self._con.in_transaction:
            return None
        con = self._reader()
        if con is None:
            return None
        try:
            con.execute("BEGIN")
            return read(con)
        except sqlite3.Error:
            return None
        finally:
            con.close()

    def load_all(self) -> dict[str, pd.DataFrame]:
        """Every kind's typed frame (see :meth:`load`).

        A reading thread has SQLite concatenate the columns, a block of rows at a time (one
        read transaction: one snapshot of the file), while this thread converts the blocks
        already read: SQLite works without the GIL, so both run at once on a machine with a
        spare core, and only a few blocks of text are in memory at any time.
        """
        if self._con.in_transaction:
            return {kind: self.load(kind) for kind in KINDS}
        texts: queue.Queue[tuple[str, list[str], tuple[int, tuple[str | None, ...]]] | None] = queue.Queue(maxsize=2)
        stop = threading.Event()
        failure: list[BaseException] = []

        def read() -> None:
            con = self._reader()
            try:
                if con is None:
                    raise sqlite3.OperationalError("no reading connection")
                con.execute("BEGIN")
                for kind, names, span in _column_jobs(con):
                    if stop.is_set():
                        break
                    texts.put((kind, names, _query_columns(con, kind, names, span)))
                con.execute("COMMIT")
            except BaseException as exc:  # handed to the loading thread, which reads row by row
                failure.append(exc)
            finally:
                if con is not None:
                    con.close()
                texts.put(None)

        reader = threading.Thread(target=read, name="kpidesk-load", daemon=True)
        reader.start()
        columns = {kind: _Columns(kind) for kind in KINDS}
        finished = False
        try:
            while (item := texts.get()) is not None:
                kind, names, (n, values) = item
                columns[kind].add(names, n, values)
            finished = True
        finally:
            if not finished:  # stopped by an exception: let the reader end and close its connection
                stop.set()
                while texts.get() is not None:
                    pass
            reader.join()
        out: dict[str, pd.DataFrame] = {}
        for kind in KINDS:
            frame = None if failure else columns[kind].frame()
            # Empty, or values the column path cannot read: row by row.
            out[kind] = frame if frame is not None else _load_rows(self._con, kind, False)
        return out

    def _reader(self) -> sqlite3.Connection | None:
        """A read-only connection, or None when one cannot be opened (the rows are then read as
        before). It reads through SQLite's small page cache, not a memory map: mapped pages of a
        large file count in the window's memory, and reading them is no faster."""
        try:
            con = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        except sqlite3.Error:
            return None
        try:
            con.execute("PRAGMA busy_timeout = 5000")
        except sqlite3.Error:
            con.close()
            return None
        return con

    # -- helpers ---------------------------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(self._con)


class _Transaction:
    def __init__(self, con: sqlite3.Connection) -> None:
        self._con = con

    def __enter__(self) -> None:
        try:
            self._con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(
                _("The database is busy or read-only ({reason}). Close other programs using it and retry.").format(
                    reason=exc
                )
            ) from exc

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            self._con.execute("COMMIT")
        else:
            self._con.execute("ROLLBACK")


def _batch(row: tuple[Any, ...]) -> Batch:
    return Batch(
        batch_id=int(row[0]),
        kind=str(row[1]),
        file=str(row[2]),
        sheet=row[3],
        imported_at=str(row[4]),
        imported=int(row[5]),
        skipped_duplicates=int(row[6]),
        rejected=int(row[7]),
        errors=list(json.loads(row[8] or "[]")),
    )


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise StoreError(_("{path} cannot be read: {reason}").format(path=path, reason=exc.strerror)) from exc
    if head and head != SQLITE_MAGIC:
        raise StoreError(
            _(
                "{path} is not a KPI Desk database. Open a .kpidesk file, or import spreadsheets with 'kpidesk import'."
            ).format(path=path)
        )


def _open_connection(con: sqlite3.Connection, path: Path) -> int:
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


def _backup(con: sqlite3.Connection, path: Path, version: int) -> Path:
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


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """A stable 64-bit hash of each row's canonical values (duplicate detection)."""
    return _column_hashes([frame[column] for column in frame.columns], len(frame))


def _column_hashes(columns: Sequence[pd.Series | None], n: int) -> np.ndarray:
    """:func:`row_hashes` of the columns in order; None is a column without values (it hashes
    as the empty column a reindexed frame would hold)."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    # Each column hashed on its own (no frame to build), then combined in column order.
    combined: np.ndarray = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in columns:
            if column is None:
                hashed = np.full(n, _hash_values(pd.Series([np.nan]))[0], dtype=np.uint64)
            else:
                hashed = _hash_values(column)
            combined = combined * np.uint64(1_000_003) ^ hashed
    return combined.view(np.int64)


def _hash_values(series: pd.Series) -> np.ndarray:
    hashed: np.ndarray = pd.util.hash_pandas_object(
        _hashable(series), index=False, hash_key=_HASH_KEY, categorize=True
    ).to_numpy(dtype=np.uint64)
    return hashed


def _hashable(series: pd.Series) -> pd.Series:
    """Values as the store would hand them back, so equal rows hash equal."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.astype("datetime64[ns]").astype("int64").where(series.notna(), -1)
    if pd.api.types.is_bool_dtype(series) or str(series.dtype) == "boolean":
        return series.astype("float64").fillna(-1.0)
    if pd.api.types.is_numeric_dtype(series):
        return series.astype("float64").round(9).fillna(np.nan)
    # Text hashes as its values (a categorical hashes like its values; missing is one value).
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series
    obj = series.astype("object")
    if pd.api.types.infer_dtype(obj, skipna=True) in ("string", "empty"):
        return obj
    return obj.where(obj.isna(), obj.astype(str))


def _has_values(series: pd.Series) -> bool:
    """Whether a column holds a value, decided without looking at each row's object where
    its type allows (a column the file leaves empty is not converted at all)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return bool((series.cat.codes.to_numpy() >= 0).any())
    if series.dtype != object:
        return bool(series.notna().to_numpy().any())
    return True  # object: decided once converted


def _with_none(values: list[Any], missing: np.ndarray) -> list[Any]:
    """``values`` with None where ``missing`` (a few places, usually: set one by one)."""
    for i in np.flatnonzero(missing).tolist():
        values[i] = None
    return values


def _to_sql_values(series: pd.Series, ftype: str) -> list[Any]:
    """A column as the Python values SQLite stores (ISO dates, floats, 0/1, text; None for missing).

    Converted a column at a time with numpy, never a Python call per cell.
    """
    if ftype == "date":
        # Unix seconds (see schema.SQL_TYPES).
        values = pd.to_datetime(series).to_numpy(dtype="datetime64[s]")
        return _with_none(values.view(np.int64).tolist(), np.isnat(values))
    if ftype == "number":
        arr = pd.to_numeric(series, errors="coerce").astype("float64").to_numpy()
        return _with_none(arr.tolist(), np.isnan(arr))
    if ftype == "bool":
        flags = series.astype("boolean")
        out = flags.fillna(False).astype("int64").to_numpy().astype(object)
        out[flags.isna().to_numpy()] = None
        listed: list[Any] = out.tolist()
        return listed
    if isinstance(series.dtype, pd.CategoricalDtype):
        labels = np.array([*series.cat.categories.astype(str), None], dtype=object)
        listed = labels[series.cat.codes.to_numpy()].tolist()  # code -1 (missing) takes the last: None
        return listed
    obj = series.astype("object")
    missing = obj.isna().to_numpy()
    if missing.all():
        return [None] * len(obj)
    out = obj.to_numpy(dtype=object, copy=True)
    if pd.api.types.infer_dtype(out, skipna=True) not in ("string", "empty"):
        out = obj.where(missing, obj.astype(str)).to_numpy(dtype=object)
    out[missing] = None
    listed = out.tolist()
    return listed


def _load_rows(con: sqlite3.Connection, kind: str, provenance: bool) -> pd.DataFrame:
    """:meth:`Store.load` row by row (provenance, and values the column path cannot read)."""
    spec = KINDS[kind]
    names = list(spec.field_names)
    select = ", ".join(f't."{c}"' for c in names)
    if provenance:
        select += ", t.batch_id, b.file, b.sheet, t.source_row"
        sql = f'SELECT {select} FROM "{kind}" t LEFT JOIN batches b ON b.id = t.batch_id ORDER BY t.id'
    else:
        sql = f'SELECT {select} FROM "{kind}" t ORDER BY t.id'
    rows = con.execute(sql).fetchall()
    all_names = names + (["batch_id", "file", "sheet", "source_row"] if provenance else [])
    raw: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [() for _ in all_names]
    data: dict[str, Any] = {}
    for i, name in enumerate(names):
        data[name] = _from_sql_values(raw[i], spec.field(name).type)
    if provenance:
        data["batch_id"] = pd.array(raw[len(names)], dtype="Int64")
        data["file"] = pd.Categorical(raw[len(names) + 1])
        data["sheet"] = pd.Categorical(raw[len(names) + 2])
        data["source_row"] = pd.array(raw[len(names) + 3], dtype="Int64")
    return pd.DataFrame(data, columns=all_names)


#: Separators of the column path: between values, and standing for NULL.
_SEP = "\x1f"
_NULL = "\x1e"


def _load_columns(con: sqlite3.Connection, kind: str) -> pd.DataFrame | None:
    """:meth:`Store.load` column by column, or None when the values need the row path."""
    columns = _Columns(kind)
    for _kind, names, span in _column_jobs(con, kind):
        n, texts = _query_columns(con, kind, names, span)
        columns.add(names, n, texts)
    return columns.frame()


def _with_provenance(con: sqlite3.Connection, kind: str, frame: pd.DataFrame) -> pd.DataFrame | None:
    """``frame`` with the provenance columns (batch, file, sheet, source row), read column-wise
    like the fields: a million rows cost two texts, not a million tuples. Batch and source row
    are ``Int32`` (a sheet has at most a million rows; a file, a few thousand batches)."""
    row = con.execute(
        f"SELECT count(*), group_concat(coalesce(batch_id, -1)), group_concat(coalesce(source_row, -1)) "
        f'FROM (SELECT batch_id, source_row FROM "{kind}" ORDER BY id)'
    ).fetchone()
    n = len(frame)
    if int(row[0]) != n or row[1] is None or row[2] is None:
        return None
    if max(len(str(i)) for i in con.execute(f'SELECT max(batch_id), max(source_row) FROM "{kind}"').fetchone()) > 9:
        return None  # past int32 (never, in practice): the row path reads them
    batch = np.fromstring(row[1], dtype=np.int32, sep=",")
    source = np.fromstring(row[2], dtype=np.int32, sep=",")
    if len(batch) != n or len(source) != n:
        return None
    ids = np.unique(batch)
    which = np.searchsorted(ids, batch).astype(code_type(len(ids)))  # each row's batch, as a position in ids
    files = {int(i): (f, sh) for i, f, sh in con.execute("SELECT id, file, sheet FROM batches")}

    def labels(part: int) -> pd.Categorical:
        names = [files.get(int(i), (None, None))[part] for i in ids]
        uniques = sorted({n for n in names if n is not None})
        position = {n: k for k, n in enumerate(uniques)}
        remap = np.array([position.get(n, -1) for n in names], dtype=code_type(len(uniques)))
        return pd.Categorical.from_codes(remap[which], categories=pd.Index(uniques, dtype=object))  # type: ignore[arg-type]

    def integers(values: np.ndarray) -> pd.arrays.IntegerArray:
        missing = values < 0
        values[missing] = 0
        return pd.arrays.IntegerArray(values, missing)

    out = frame.copy(deep=False)
    out["batch_id"] = integers(batch)
    out["file"] = labels(0)
    out["sheet"] = labels(1)
    out["source_row"] = integers(source)
    return out


#: Rows read at a time by the column path: the texts SQLite concatenates, and the Python
#: strings a text column is split into, stay a few MiB instead of a hundred.
_BLOCK_ROWS = 200_000


def _column_jobs(con: sqlite3.Connection, kind: str | None = None) -> list[tuple[str, list[str], tuple[int, int]]]:
    """What the column path queries, in order: for each kind (or ``kind``) and each block of
    :data:`_BLOCK_ROWS` ids, its columns in two groups when it has many, so that one group
    is converted while SQLite reads the next."""
    jobs: list[tuple[str, list[str], tuple[int, int]]] = []
    for name, spec in KINDS.items():
        if kind is not None and name != kind:
            continue
        low, high = con.execute(f'SELECT min(id), max(id) FROM "{name}"').fetchone()
        if low is None:
            continue
        names = list(spec.field_names)
        half = (len(names) + 1) // 2 if len(names) >= 8 else len(names)
        groups = [names[:half], names[half:]] if names[half:] else [names]
        for start in range(int(low), int(high) + 1, _BLOCK_ROWS):
            jobs.extend((name, group, (start, start + _BLOCK_ROWS)) for group in groups)
    return jobs


def _query_columns(
    con: sqlite3.Connection, kind: str, names: list[str], span: tuple[int, int]
) -> tuple[int, tuple[str | None, ...]]:
    """The number of rows of ``kind`` with an id in ``[span)`` and, for each column of
    ``names``, their values concatenated in one text by SQLite.

    One scan of those rows produces them all, in storage order (a scan of a rowid range
    follows the ids). numpy and pandas then read each text at once (see :class:`_Columns`):
    creating one Python object per cell, as fetching rows does, costs more than everything
    else, and this path creates none for dates, numbers and flags. Dates come as Unix
    seconds, numbers through ``quote()``, which writes a REAL so that it reads back exactly;
    text values are separated by U+001F, NULL is U+001E.
    """
    spec = KINDS[kind]
    exprs = []
    for name in names:
        column = f't."{name}"'
        ftype = spec.field(name).type
        if ftype == "date":
            exprs.append(f"group_concat(coalesce({column}, 'nan'))")
        elif ftype in ("number", "bool"):
            exprs.append(f"group_concat(CASE WHEN {column} IS NULL THEN 'nan' ELSE quote({column}) END)")
        else:
            exprs.append(f"group_concat(coalesce({column}, char(30)), char(31))")
    source = f'"{kind}" t WHERE t.id >= ? AND t.id < ?'
    sql = f"SELECT count(*), {', '.join(exprs)} FROM {source}"
    plan = " ".join(str(r[-1]) for r in con.execute(f"EXPLAIN QUERY PLAN {sql}", span))
    if "INDEX" in plan.upper():
        source = f'(SELECT * FROM "{kind}" WHERE id >= ? AND id < ? ORDER BY id) t'
        sql = f"SELECT count(*), {', '.join(exprs)} FROM {source}"
    row = con.execute(sql, span).fetchone()
    return int(row[0]), tuple(row[1:])


class _Columns:
    """One kind's columns put together from the blocks of :func:`_query_columns`.

    Dates, numbers and flags are parsed block by block; a text column's block is factorized
    at once (its distinct values numbered), and the blocks' numbers merged into one set of
    categories at the end, so that at most one block of strings exists at a time. Any value
    the column path cannot read (a separator inside a text, a number stored as text...)
    makes :meth:`frame` None: the kind is then read row by row.
    """

    def __init__(self, kind: str) -> None:
        self.spec = KINDS[kind]
        self.counts: dict[str, list[int]] = {name: [] for name in self.spec.field_names}
        self.parts: dict[str, list[Any]] = {name: [] for name in self.spec.field_names}
        self.failed = False

    def add(self, names: list[str], n: int, texts: tuple[str | None, ...]) -> None:
        if self.failed or n == 0:
            return
        try:
            for name, text in zip(names, texts, strict=True):
                part = _parse_block(text, self.spec.field(name).type, n)
                if part is None:
                    self.failed = True
                    return
                self.counts[name].append(n)
                self.parts[name].append(part)
        except ValueError:
            self.failed = True

    def frame(self) -> pd.DataFrame | None:
        names = list(self.spec.field_names)
        totals = {sum(self.counts[name]) for name in names}
        if self.failed or len(totals) != 1 or totals == {0}:
            return None
        if len({tuple(self.counts[name]) for name in names}) != 1:
            return None
        data = {}
        for name in names:
            parts = self.parts.pop(name)
            ftype = self.spec.field(name).type
            textual = ftype not in ("date", "number", "bool")
            data[name] = _join_texts(parts, ftype) if textual else _join_values(parts, ftype)
        # copy=False: each column stays its own array (pandas would otherwise copy the numbers
        # and dates into one block, briefly holding them twice).
        return pd.DataFrame(data, columns=names, copy=False)


def _parse_block(text: str | None, ftype: str, n: int) -> Any:
    """One block of one column from the text SQLite concatenated (None: not readable this way):
    an array for dates, numbers and flags; ``(codes, distinct values)`` for text."""
    if text is None:
        return None
    if ftype in ("date", "number", "bool"):
        numbers = np.fromstring(text, sep=",")
        if len(numbers) != n:
            return None
        if ftype != "date":
            return numbers  # flags become a BooleanArray once joined
        missing = np.isnan(numbers)
        seconds = np.where(missing, 0, numbers).astype(np.int64).astype("datetime64[s]")
        seconds[missing] = np.datetime64("NaT")
        return seconds.astype("datetime64[ns]")
    parts = text.split(_SEP)
    if len(parts) != n:
        return None
    values = np.array(parts, dtype=object)
    del parts
    codes, uniques = factorize_objects(values)
    return codes.astype(code_type(len(uniques))), uniques


def _join_values(parts: list[np.ndarray], ftype: str) -> Any:
    values = parts[0] if len(parts) == 1 else np.concatenate(parts)
    parts.clear()
    if ftype == "bool":
        missing = np.isnan(values)
        return pd.arrays.BooleanArray(np.where(missing, False, values != 0), missing)
    return values


def _join_texts(parts: list[tuple[np.ndarray, np.ndarray]], ftype: str) -> pd.Categorical:
    """A text column's blocks as one categorical: each block's distinct values numbered in
    one dictionary, NULL (U+001E) as missing; categories in order for the kinds' categories,
    in the order they come for ids (sorting a third of a million invoice numbers would only
    cost time)."""
    number: dict[str, int] = {}
    codes = []
    for block_codes, uniques in parts:
        remap = np.fromiter(
            (number.setdefault(u, len(number)) for u in uniques.tolist()), dtype=np.int32, count=len(uniques)
        )
        codes.append(remap[block_codes])  # block codes are never -1: NULL is a value here
    parts.clear()
    labels = np.array(list(number), dtype=object)
    null = number.get(_NULL)
    present = np.flatnonzero(labels != _NULL) if null is not None else np.arange(len(labels))
    labels = labels[present]
    order = np.argsort(labels, kind="stable") if ftype != "text" else np.arange(len(labels))
    final = np.full(len(number), -1, dtype=code_type(len(labels)))
    final[present[order]] = np.arange(len(labels))
    joined = np.concatenate([final[c] for c in codes]) if codes else final[:0]
    return pd.Categorical.from_codes(joined, categories=pd.Index(labels[order], dtype=object))  # type: ignore[arg-type]


def _from_sql_values(values: Sequence[Any], ftype: str) -> Any:
    if ftype == "date":
        seconds = pd.Series(values, dtype="float64")
        return pd.to_datetime(seconds, unit="s").to_numpy(dtype="datetime64[ns]")
    if ftype == "number":
        return np.array(values, dtype="float64")
    if ftype == "bool":
        return pd.array([None if v is None else bool(v) for v in values], dtype="boolean")
    return pd.Categorical(list(values))
