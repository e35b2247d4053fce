"""The open company file, :class:`Store`: its settings, imports, undo, targets, mappings and
loaded frames, each write one transaction.

A failed, killed or cancelled import leaves the file exactly as it was. Queries are
parameterised; table and column names come only from :mod:`kpidesk.core.kinds`, never from
the user. The pieces live beside this module: :mod:`~kpidesk.store.connection` (opening,
pragmas, failures), :mod:`~kpidesk.store.schema` (tables, migrations),
:mod:`~kpidesk.store.batches` (batches, dedup) and :mod:`~kpidesk.store.loading` (frames).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kpidesk.core import catalog
from kpidesk.core.kinds import KINDS
from kpidesk.core.settings import CompanySettings
from kpidesk.errors import Cancelled, StoreError
from kpidesk.i18n import _
from kpidesk.store import loading
from kpidesk.store.batches import (
    BATCH_COLUMNS,
    Batch,
    CancelledCallback,
    ProgressCallback,
    batch_from_row,
    insert_batch,
    row_hashes,
)
from kpidesk.store.connection import SQLITE_MAGIC, Transaction, connect, copy_database, reader, translated

__all__ = [
    "SQLITE_MAGIC",
    "Batch",
    "CancelledCallback",
    "ImportCommit",
    "ProgressCallback",
    "Store",
    "StoreError",
    "copy_database",
    "row_hashes",
]


@dataclass(frozen=True)
class ImportCommit:
    """What :meth:`Store.commit_import` did.

    Attributes:
        batch: the stored batch, None when nothing was committed.
        committed: the rows, the batch and the mapping are in the file.
        cancel_too_late: a cancel was asked after the commit: the import is done, report it so.
    """

    batch: Batch | None
    committed: bool
    cancel_too_late: bool = False


class Store:
    """An open ``.kpidesk`` file."""

    def __init__(self, path: Path, con: sqlite3.Connection) -> None:
        self.path = path
        self._con = con

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], create: bool = False) -> Store:
        """Open (or, with ``create``, make) the company file at ``path``.

        A 0-byte file is refused as empty unless ``create`` (then a company starts there).

        Raises:
            StoreError: the file is missing, empty, is not a KPI Desk database, was written
                by a newer version, or cannot be read; the message says which and what to do.
        """
        p = Path(path)
        return cls(p, connect(p, create))

    @classmethod
    def create(
        cls, path: str | os.PathLike[str], overwrite: bool = False, settings: CompanySettings | None = None
    ) -> Store:
        """A new empty company file at ``path`` (a missing or 0-byte file; another one only with
        ``overwrite``), with ``settings`` (a name, a currency) when given."""
        p = Path(path)
        if p.exists() and not (p.is_file() and p.stat().st_size == 0):
            if not overwrite:
                raise StoreError(_("{path} already exists.").format(path=p))
            for suffix in ("", "-wal", "-shm"):
                Path(str(p) + suffix).unlink(missing_ok=True)
        store = cls.open(p, create=True)
        if settings is not None:
            try:
                store.save_settings(settings)
            except BaseException:
                store.close()
                raise
        return store

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
        with translated(self.path):
            rows = self._con.execute("SELECT key, value FROM company").fetchall()
        return {key: json.loads(value) for key, value in rows}

    def settings(self) -> CompanySettings:
        return CompanySettings.from_dict(self._get_values())

    def save_settings(self, settings: CompanySettings) -> None:
        settings.validate()
        with self._transaction(), translated(self.path):
            self._set_values(settings.to_dict())

    def _set_values(self, values: dict[str, Any]) -> None:
        self._con.executemany(
            "INSERT INTO company(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [(k, json.dumps(v)) for k, v in values.items()],
        )

    def revision(self) -> int:
        """A number that changes whenever the stored rows change (for caches)."""
        with translated(self.path):
            row = self._con.execute("SELECT value FROM company WHERE key = 'revision'").fetchone()
        return int(json.loads(row[0])) if row else 0

    def _bump_revision(self) -> None:
        self._set_values({"revision": self.revision() + 1})

    # -- writing rows ----------------------------------------------------------------------

    def commit_import(
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
    ) -> ImportCommit:
        """One import as one transaction: the rows of ``frame``, their batch and (with
        ``remember_as``, a header signature) the remembered ``mapping``.

        ``cancelled()`` is asked between chunks of rows and once more just before the
        commit; a cancel then leaves the file byte for byte as it was (``committed`` False,
        no exception). A cancel seen after the commit sets ``cancel_too_late``: the import
        is done and must be reported as done.

        Raises:
            StoreError: SQLite failed (full disk, read-only file…); nothing was stored.
        """
        try:
            batch = self.import_frame(
                kind,
                frame,
                file=file,
                sheet=sheet,
                source_rows=source_rows,
                rejected=rejected,
                errors=errors,
                mapping=mapping,
                remember_as=remember_as,
                progress=progress,
                cancelled=cancelled,
            )
        except Cancelled:
            return ImportCommit(None, committed=False)
        late = cancelled is not None and bool(cancelled())
        return ImportCommit(batch, committed=True, cancel_too_late=late)

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
        """Store the rows of a typed ``frame`` of ``kind`` as one batch, in one transaction
        (see :meth:`commit_import`, which reports a cancel instead of raising it).

        With ``remember_as`` (a header signature), ``mapping`` is remembered for those
        headers in the same transaction. Rows already stored by an earlier batch are skipped
        (counted in ``skipped_duplicates``); identical rows inside ``frame`` are all kept.

        Raises:
            Cancelled: ``cancelled()`` returned True before the commit; nothing was stored.
            StoreError: SQLite failed; nothing was stored.
        """
        with self._transaction(), translated(self.path):
            batch_id = insert_batch(
                self._con,
                kind,
                frame,
                file=file,
                sheet=sheet,
                source_rows=source_rows,
                rejected=rejected,
                errors=errors,
                mapping=mapping,
                progress=progress,
                cancelled=cancelled,
            )
            if remember_as is not None:
                self._save_mapping(remember_as, kind, mapping or {})
            self._bump_revision()
            if cancelled is not None and cancelled():
                raise Cancelled()
        batch = self.batch(batch_id)
        assert batch is not None
        return batch

    def undo_batch(self, batch_id: int) -> Batch:
        """Remove the batch and exactly its rows."""
        batch = self.batch(batch_id)
        if batch is None:
            raise StoreError(_("There is no import batch {batch}.").format(batch=batch_id))
        with self._transaction(), translated(self.path):
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
        with self._transaction(), translated(self.path):
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
        with self._transaction(), translated(self.path):
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
        with translated(self.path):
            row = self._con.execute("SELECT kind, mapping FROM mappings WHERE signature = ?", (signature,)).fetchone()
        if row is None:
            return None
        return str(row[0]), dict(json.loads(row[1]))

    # -- reading ---------------------------------------------------------------------------

    def batches(self) -> list[Batch]:
        with translated(self.path):
            rows = self._con.execute(f"SELECT {BATCH_COLUMNS} FROM batches ORDER BY id").fetchall()
        return [batch_from_row(row) for row in rows]

    def batch(self, batch_id: int) -> Batch | None:
        with translated(self.path):
            row = self._con.execute(f"SELECT {BATCH_COLUMNS} FROM batches WHERE id = ?", (batch_id,)).fetchone()
        return batch_from_row(row) if row else None

    def count(self, kind: str) -> int:
        with translated(self.path):
            return int(self._con.execute(f'SELECT count(*) FROM "{KINDS[kind].name}"').fetchone()[0])

    def load(self, kind: str, provenance: bool = False) -> pd.DataFrame:
        """The rows of one ``kind`` as a typed frame, in storage order (reading only that kind's
        table: what a company reloads after an import or an undo).

        Columns are the kind's canonical fields (dates ``datetime64[ns]``, numbers
        ``float64``, text ``category``, so that each distinct text, an invoice number or a
        region, is held once in memory; flags ``boolean``); with
        ``provenance`` also ``batch_id``, ``file``, ``sheet`` and ``source_row``.
        """

        def read(con: sqlite3.Connection) -> pd.DataFrame | None:
            fast = loading.load_columns(con, kind)
            return loading.with_provenance(con, kind, fast) if fast is not None and provenance else fast

        fast = self._read(read)
        if fast is not None:
            return fast
        with translated(self.path):
            return loading.load_rows(self._con, kind, provenance)

    def with_provenance(self, kind: str, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` (the rows of ``kind`` as :meth:`load` gives them, e.g. the engine's) with its
        provenance columns added, without reading the fields again; a frame that no longer
        matches the stored rows (an import since) is read afresh."""
        out = self._read(lambda con: loading.with_provenance(con, kind, frame))
        return out if out is not None else self.load(kind, provenance=True)

    def _read(self, read: Callable[[sqlite3.Connection], pd.DataFrame | None]) -> pd.DataFrame | None:
        """``read`` on a read-only connection of its own, in one snapshot; None when that path
        cannot serve (inside a write, no reader, a value it cannot read) and rows must be fetched."""
        if self._con.in_transaction:
            return None
        con = reader(self.path)
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
        """Every kind's typed frame (see :meth:`load` and :func:`kpidesk.store.loading.load_all`)."""
        if self._con.in_transaction:
            return {kind: self.load(kind) for kind in KINDS}
        with translated(self.path):
            return loading.load_all(lambda: reader(self.path), self._con)

    # -- helpers ---------------------------------------------------------------------------

    def _transaction(self) -> Transaction:
        return Transaction(self._con, self.path)
