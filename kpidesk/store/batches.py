"""Import batches and duplicate detection: a batch's record, the stable hash of each row,
the rows of a frame converted to what SQLite stores, and writing them in chunks."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kpidesk.core.kinds import KINDS
from kpidesk.errors import Cancelled
from kpidesk.i18n import _

__all__ = ["Batch", "batch_from_row", "insert_batch", "row_hashes", "to_sql_values", "unstored"]

ProgressCallback = Callable[[float, str], None]
CancelledCallback = Callable[[], bool]

#: Most rows written between two looks at ``cancelled()``.
INSERT_CHUNK = 20_000
#: A file is written in at least this many chunks, so that even a small one can be cancelled.
MIN_CHUNKS = 16
#: Fixed key of the row hash: stored hashes must stay comparable across runs.
_HASH_KEY = "kpidesk-rows-v1."
#: The columns of ``batches`` a :class:`Batch` is read from.
BATCH_COLUMNS = "id, kind, file, sheet, imported_at, imported, skipped_duplicates, rejected, report"


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


def batch_from_row(row: tuple[Any, ...]) -> Batch:
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


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """A stable 64-bit hash of each row's canonical values (duplicate detection)."""
    return column_hashes([frame[column] for column in frame.columns], len(frame))


def column_hashes(columns: Sequence[pd.Series | None], n: int) -> np.ndarray:
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


def has_values(series: pd.Series) -> bool:
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


def to_sql_values(series: pd.Series, ftype: str) -> list[Any]:
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


def chunk_rows(count: int) -> int:
    """Rows written between two looks at ``cancelled()``: at most :data:`INSERT_CHUNK`, and
    small enough that a file of any size is written in :data:`MIN_CHUNKS` chunks or more."""
    return max(1, min(INSERT_CHUNK, -(-count // MIN_CHUNKS)))


def insert_batch(
    con: sqlite3.Connection,
    kind: str,
    frame: pd.DataFrame,
    *,
    file: str,
    sheet: str | None,
    source_rows: Sequence[int] | np.ndarray | None,
    rejected: int,
    errors: list[dict[str, Any]] | None,
    mapping: dict[str, str] | None,
    progress: ProgressCallback | None,
    cancelled: CancelledCallback | None,
) -> int:
    """Write the rows of a typed ``frame`` of ``kind`` and their batch; return the batch id.

    Runs inside the caller's transaction. Rows already stored by an earlier batch are
    skipped; identical rows inside ``frame`` are all kept.

    Raises:
        Cancelled: ``cancelled()`` returned True between two chunks (the caller rolls back).
    """
    spec = KINDS[kind]
    columns = list(spec.field_names)
    # The kind's columns, None where the frame has none (no reindexed copy of the frame).
    given = [frame[c] if c in frame.columns else None for c in columns]
    n = len(frame)
    rows_hash = column_hashes(given, n)
    # Each line's rank among the identical lines of this file (0 for most: counted only if some repeat).
    repeated = pd.Series(rows_hash).duplicated().to_numpy().any()
    dup_index = (
        pd.Series(rows_hash).groupby(rows_hash).cumcount().to_numpy() if repeated else np.zeros(n, dtype=np.int64)
    )
    source = np.arange(2, n + 2) if source_rows is None else np.asarray(source_rows)
    now = dt.datetime.now().isoformat(timespec="seconds")
    cur = con.execute(
        "INSERT INTO batches(kind, file, sheet, imported_at, rejected, report, mapping) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (kind, file, sheet, now, rejected, json.dumps(errors or []), json.dumps(mapping or {})),
    )
    batch_id = int(cur.lastrowid or 0)
    new = unstored(con, kind, rows_hash, dup_index)
    if new is not None:  # only the rows not stored yet are converted
        source, rows_hash, dup_index = source[new], rows_hash[new], dup_index[new]
        given = [None if series is None else series[new] for series in given]
    count = len(rows_hash)
    # Columns the file does not fill stay NULL without being bound row by row.
    present = {c: series for c, series in zip(columns, given, strict=True) if series is not None and has_values(series)}
    converted = {c: to_sql_values(series, spec.field(c).type) for c, series in present.items()}
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
    before = con.total_changes
    done = 0
    step = chunk_rows(count)
    while done < count:
        if cancelled is not None and cancelled():
            raise Cancelled()
        con.executemany(sql, itertools.islice(data, step))
        done = min(done + step, count)
        if progress is not None:
            progress(done / count, _("Storing rows"))
    imported = con.total_changes - before
    con.execute(
        "UPDATE batches SET imported = ?, skipped_duplicates = ? WHERE id = ?", (imported, n - imported, batch_id)
    )
    return batch_id


def unstored(con: sqlite3.Connection, kind: str, hashes: np.ndarray, dup_index: np.ndarray) -> np.ndarray | None:
    """Which rows ``(hash, dup_index)`` are not stored yet (a mask), or None when all are new.

    Reads the stored hashes as one text (no Python object per row) and compares them with
    numpy: on a large table far cheaper than a unique index checked row by row.
    """
    if len(hashes) == 0:
        return None
    text = con.execute(f'SELECT group_concat(row_hash) FROM "{kind}" WHERE dup_index = 0').fetchone()[0]
    stored = np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64)
    repeated = {
        (int(h), int(d)) for h, d in con.execute(f'SELECT row_hash, dup_index FROM "{kind}" WHERE dup_index > 0')
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
