"""The open company: its file, its settings, its rows loaded for the engine, its revision and
its instance lock; what the window and the command line read and write it through.

Each call that reads or writes the file uses a connection of its own (SQLite in WAL
mode lets readers go on while an import writes), so a worker thread storing rows never
blocks the window reading the list of imports. After an import or an undo only the
kind that changed is loaded again, not the whole file.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pandas as pd

from kpidesk.app.lock import CompanyInUse, InstanceLock
from kpidesk.core.engine import Engine
from kpidesk.core.kinds import KINDS
from kpidesk.core.settings import CompanySettings
from kpidesk.errors import StoreError, UserError
from kpidesk.i18n import _
from kpidesk.store.database import Batch, Store
from kpidesk.store.snapshot import company_state

__all__ = ["Batch", "Company", "CompanyInUse", "ProgressCallback", "company_state"]

ProgressCallback = Callable[[float, str], None]


def _check_not_empty_file(path: Path) -> None:
    """A reading command never turns a 0-byte file into a company."""
    try:
        empty = path.is_file() and path.stat().st_size == 0
    except OSError:
        return
    if empty:
        raise StoreError(
            _(
                "{path} is an empty file, not a KPI Desk company. "
                "Start a company there with 'kpidesk new --db {path}' or by importing a file into it."
            ).format(path=path)
        )


class Company:
    """One ``.kpidesk`` company, open.

    Open it with :meth:`open` (or make one with :meth:`new`); close it, or use it as a
    context manager. A company opened with ``write=True`` holds the instance lock until
    it is closed: no other KPI Desk (a window, a command) writes to the file meanwhile.

    Attributes:
        path: the company file.
        settings: the company settings, as stored.
        revision: changes whenever the stored rows or settings change.
    """

    def __init__(
        self,
        path: Path,
        settings: CompanySettings,
        frames: dict[str, pd.DataFrame] | None,
        revision: int,
        lock: InstanceLock | None,
    ) -> None:
        self.path = path
        self.settings = settings
        self.revision = revision
        self._frames = frames
        self._lock = lock
        self._engine: Engine | None = None
        self._guard = threading.RLock()

    # -- opening and closing ---------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        write: bool = False,
        create: bool = False,
        load: bool = True,
        progress: ProgressCallback | None = None,
    ) -> Company:
        """Open the company file at ``path``.

        Args:
            write: take the instance lock, so that this company can be written to.
            create: start a company there when the file is missing or empty (0 bytes).
            load: load every kind's rows now (else on the first use of :attr:`engine`).
            progress: called with (fraction 0..1, message) while the rows load.

        Raises:
            CompanyInUse: ``write`` and another KPI Desk holds the company.
            StoreError: the file is missing, empty (without ``create``), not a company, or
                cannot be read; the message names the file and what to do.
        """
        p = Path(path)
        if not create:
            _check_not_empty_file(p)
        lock = InstanceLock(p) if write else None
        if lock is not None:
            lock.acquire()
        try:
            with Store.open(p, create=create) as store:
                settings, revision = store.settings(), store.revision()
                frames = None
                if load:
                    if progress is not None:
                        progress(0.0, _("Loading {name}").format(name=p.name))
                    frames = store.load_all()
            company = cls(p, settings, frames, revision, lock)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        if progress is not None and load:
            progress(1.0, _("Loaded {name}").format(name=p.name))
        return company

    @classmethod
    def new(cls, path: str | Path, *, name: str = "", currency: str = "EUR", overwrite: bool = False) -> Company:
        """Start an empty company at ``path`` (a missing or 0-byte file; any other only with
        ``overwrite``), opened for writing.

        Raises:
            CompanyInUse: another KPI Desk holds the file.
            StoreError: the file exists (and is not empty), or cannot be written.
            UserError: a bad currency code.
        """
        p = Path(path)
        code = currency.strip().upper()
        if len(code) != 3 or not code.isascii() or not code.isalpha():
            raise UserError(_("{code} is not a currency code (three letters, e.g. EUR).").format(code=currency))
        settings = CompanySettings(company_name=name, currency=code)
        lock = InstanceLock(p)
        lock.acquire()
        try:
            if p.exists() and not (p.is_file() and p.stat().st_size == 0) and not overwrite:
                raise StoreError(
                    _("{path} already exists. Choose another file, or add --force to replace it.").format(path=p)
                )
            with Store.create(p, overwrite=True) as store:
                store.save_settings(settings)
                revision = store.revision()
        except BaseException:
            lock.release()
            raise
        return cls(p, settings, {}, revision, lock)

    def close(self) -> None:
        """Let the file go (and its instance lock)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Company:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def writable(self) -> bool:
        """True while this company holds the instance lock."""
        return self._lock is not None and self._lock.held

    def check_writable(self) -> None:
        """Raises :class:`CompanyInUse` when another KPI Desk holds the file; takes the lock
        for this company otherwise (a company opened for reading becomes a writer)."""
        if self._lock is None:
            self._lock = InstanceLock(self.path)
        self._lock.acquire()

    @contextlib.contextmanager
    def store(self) -> Iterator[Store]:
        """A connection to the file for one piece of work (reading, or writing when writable)."""
        with Store.open(self.path) as store:
            yield store

    # -- the engine ------------------------------------------------------------------------

    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        """Every kind's stored rows, loaded on first use."""
        with self._guard:
            if self._frames is None:
                with self.store() as store:
                    self._frames = store.load_all()
            return self._frames

    @property
    def engine(self) -> Engine:
        """The engine on the stored rows and the company settings (made on first use)."""
        with self._guard:
            if self._engine is None:
                self._engine = Engine(self.frames, self.settings)
            return self._engine

    def reload(self, kinds: Iterable[str] = ()) -> Engine | None:
        """Load again the rows of ``kinds`` (and the settings and revision), keeping the others.

        The tables of the kinds that did not change are kept as they were prepared, so the
        engine does not read or prepare them again.
        """
        changed = [k for k in dict.fromkeys(kinds) if k in KINDS]
        with self._guard:
            previous = self._engine
            with self.store() as store:
                self.settings, self.revision = store.settings(), store.revision()
                if self._frames is not None:
                    for kind in changed:
                        self._frames[kind] = store.load(kind)
            if self._frames is None:  # nothing loaded yet: the engine is made on first use
                self._engine = None
                return None
            engine = Engine(self._frames, self.settings)
            if previous is not None and previous.settings == self.settings:
                for kind, table in previous.tables.items():
                    if kind not in changed:
                        engine.tables[kind] = table
            self._engine = engine
            return engine

    # -- reading ---------------------------------------------------------------------------

    def batches(self) -> list[Batch]:
        """The imports, oldest first."""
        with self.store() as store:
            return store.batches()

    def table(self, kind: str, frame: pd.DataFrame | None = None) -> pd.DataFrame:
        """The rows of ``kind`` with their provenance (batch, file, row), for the data page.

        With ``frame`` (the rows the engine holds), only the provenance columns are read.
        """
        with self.store() as store:
            if frame is not None:
                return store.with_provenance(kind, frame)
            return store.load(kind, provenance=True)

    def remembered_mapping(self, signature: str) -> tuple[str, dict[str, str]] | None:
        """The kind and mapping confirmed earlier for headers of this signature, if any."""
        with self.store() as store:
            return store.get_mapping(signature)

    # -- writing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def writer(self) -> Iterator[Store]:
        """A connection for one write, under the instance lock.

        Raises:
            CompanyInUse: another KPI Desk holds the file.
        """
        self.check_writable()
        with self.store() as store:
            yield store

    def save_settings(self, settings: CompanySettings) -> None:
        """Store new company settings; the engine then follows them (no rows are read again)."""
        with self.writer() as store:
            store.save_settings(settings)
        self.reload()

    def set_target(
        self,
        kpi: str,
        period: str,
        value: float | None,
        dimension: str | None = None,
        member: str | None = None,
    ) -> None:
        """Enter (or with ``value`` None, remove) a target; the engine then sees it."""
        with self.writer() as store:
            store.set_target(kpi, period, value, dimension, member)
        self.reload(["targets"])

    def undo_import(self, batch_id: int) -> Batch:
        """Remove an import batch and exactly its rows; only its kind is loaded again.

        Raises:
            StoreError: there is no such batch.
            CompanyInUse: another KPI Desk holds the file.
        """
        with self.writer() as store:
            batch = store.undo_batch(batch_id)
        self.reload([batch.kind])
        return batch

    @property
    def name(self) -> str:
        """The company's name, else its file's."""
        return self.settings.company_name or self.path.stem
