"""Loading a kind's stored rows as a typed frame: column by column through texts SQLite
concatenates (no Python object per cell), or row by row when that path cannot serve."""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from kpidesk.core.cells import code_type, factorize_objects
from kpidesk.core.kinds import KINDS

__all__ = [
    "BLOCK_ROWS",
    "Columns",
    "column_jobs",
    "from_sql_values",
    "load_all",
    "load_columns",
    "load_rows",
    "query_columns",
    "with_provenance",
]


def load_rows(con: sqlite3.Connection, kind: str, provenance: bool) -> pd.DataFrame:
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
        data[name] = from_sql_values(raw[i], spec.field(name).type)
    if provenance:
        data["batch_id"] = pd.array(raw[len(names)], dtype="Int64")
        data["file"] = pd.Categorical(raw[len(names) + 1])
        data["sheet"] = pd.Categorical(raw[len(names) + 2])
        data["source_row"] = pd.array(raw[len(names) + 3], dtype="Int64")
    return pd.DataFrame(data, columns=all_names)


#: Separators of the column path: between values, and standing for NULL.
_SEP = "\x1f"
_NULL = "\x1e"


def load_columns(con: sqlite3.Connection, kind: str) -> pd.DataFrame | None:
    """:meth:`Store.load` column by column, or None when the values need the row path."""
    columns = Columns(kind)
    for _kind, names, span in column_jobs(con, kind):
        n, texts = query_columns(con, kind, names, span)
        columns.add(names, n, texts)
    return columns.frame()


def with_provenance(con: sqlite3.Connection, kind: str, frame: pd.DataFrame) -> pd.DataFrame | None:
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
BLOCK_ROWS = 200_000


def column_jobs(con: sqlite3.Connection, kind: str | None = None) -> list[tuple[str, list[str], tuple[int, int]]]:
    """What the column path queries, in order: for each kind (or ``kind``) and each block of
    :data:`BLOCK_ROWS` ids, its columns in two groups when it has many, so that one group
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
        for start in range(int(low), int(high) + 1, BLOCK_ROWS):
            jobs.extend((name, group, (start, start + BLOCK_ROWS)) for group in groups)
    return jobs


def query_columns(
    con: sqlite3.Connection, kind: str, names: list[str], span: tuple[int, int]
) -> tuple[int, tuple[str | None, ...]]:
    """The number of rows of ``kind`` with an id in ``[span)`` and, for each column of
    ``names``, their values concatenated in one text by SQLite.

    One scan of those rows produces them all, in storage order (a scan of a rowid range
    follows the ids). numpy and pandas then read each text at once (see :class:`Columns`):
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


class Columns:
    """One kind's columns put together from the blocks of :func:`query_columns`.

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


def from_sql_values(values: Sequence[Any], ftype: str) -> Any:
    if ftype == "date":
        seconds = pd.Series(values, dtype="float64")
        return pd.to_datetime(seconds, unit="s").to_numpy(dtype="datetime64[ns]")
    if ftype == "number":
        return np.array(values, dtype="float64")
    if ftype == "bool":
        return pd.array([None if v is None else bool(v) for v in values], dtype="boolean")
    return pd.Categorical(list(values))


def load_all(reader: Callable[[], sqlite3.Connection | None], con: sqlite3.Connection) -> dict[str, pd.DataFrame]:
    """Every kind's typed frame (see :func:`load_columns`).

    A reading thread, on its own connection from ``reader``, has SQLite concatenate the
    columns, a block of rows at a time (one read transaction: one snapshot of the file),
    while this thread converts the blocks already read: SQLite works without the GIL, so
    both run at once on a machine with a spare core, and only a few blocks of text are in
    memory at any time. Kinds the column path cannot read are read row by row on ``con``.
    """
    texts: queue.Queue[tuple[str, list[str], tuple[int, tuple[str | None, ...]]] | None] = queue.Queue(maxsize=2)
    stop = threading.Event()
    failure: list[BaseException] = []

    def read() -> None:
        rcon = reader()
        try:
            if rcon is None:
                raise sqlite3.OperationalError("no reading connection")
            rcon.execute("BEGIN")
            for kind, names, span in column_jobs(rcon):
                if stop.is_set():
                    break
                texts.put((kind, names, query_columns(rcon, kind, names, span)))
            rcon.execute("COMMIT")
        except BaseException as exc:  # handed to the loading thread, which reads row by row
            failure.append(exc)
        finally:
            if rcon is not None:
                rcon.close()
            texts.put(None)

    thread = threading.Thread(target=read, name="kpidesk-load", daemon=True)
    thread.start()
    columns = {kind: Columns(kind) for kind in KINDS}
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
        thread.join()
    out: dict[str, pd.DataFrame] = {}
    for kind in KINDS:
        frame = None if failure else columns[kind].frame()
        # Empty, or values the column path cannot read: row by row.
        out[kind] = frame if frame is not None else load_rows(con, kind, False)
    return out
