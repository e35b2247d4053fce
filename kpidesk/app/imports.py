"""Importing a spreadsheet into a company, as the window and the command line do it: an
:class:`ImportSession` reads the file once, ranks the kinds once, proposes the mapping,
validates, then commits the rows, the batch and the remembered mapping in one transaction;
undo goes through here too.

The file steps themselves (reading, guessing, validating, the report) are in
:mod:`kpidesk.io.importer`; this module adds what needs the company: the mapping
remembered for the same headers, the transaction, the instance lock, and reloading
the kind that changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kpidesk.app.company import Company
from kpidesk.errors import Cancelled, UserError
from kpidesk.i18n import _
from kpidesk.io import mapping as M
from kpidesk.io.importer import (
    Book,
    ImportOutcome,
    PreparedSheet,
    Validation,
    apply_overrides,
    check_kind,
    choose_sheet,
    detect_kind,
    gc_paused,
    guess_mapping,
    list_sheets,
    prepare,
    read_prepared,
    validate,
    write_report,
)
from kpidesk.io.read import RawSheet
from kpidesk.io.validate import check_required
from kpidesk.labels import KIND_TITLES
from kpidesk.store.database import Batch, Store

__all__ = [
    "Book",
    "ImportOutcome",
    "ImportSession",
    "PreparedSheet",
    "Validation",
    "apply_overrides",
    "choose_sheet",
    "commit",
    "detect_kind",
    "import_file",
    "kind_candidates",
    "list_sheets",
    "prepare",
    "propose_mapping",
    "read_prepared",
    "undo_import",
    "validate",
    "write_report",
]

ProgressCallback = Callable[[float, str], None]
CancelledCallback = Callable[[], bool]


def _scaled(progress: ProgressCallback | None, start: float, end: float) -> ProgressCallback | None:
    if progress is None:
        return None

    def report(fraction: float, message: str) -> None:
        progress(start + (end - start) * min(max(fraction, 0.0), 1.0), message)

    return report


def _remembered(target: Company | Store, headers: Sequence[str]) -> tuple[str, dict[str, str]] | None:
    signature = M.header_signature(headers)
    if isinstance(target, Company):
        return target.remembered_mapping(signature)
    return target.get_mapping(signature)


def kind_candidates(headers: Sequence[str]) -> list[str]:
    """The kinds ``headers`` may hold, best first: one when the best fit is clear, several when
    it is weak or close, none when no column means anything (see :mod:`kpidesk.io.mapping`)."""
    candidates = getattr(M, "kind_candidates", None)
    if candidates is not None:
        return [c if isinstance(c, str) else c.kind for c in candidates(list(headers))]
    guess = M.detect_kind(list(headers))
    return [] if guess is None else [guess.kind]


def propose_mapping(headers: Sequence[str], kind: str, target: Company | Store | None = None) -> dict[str, str]:
    """The field -> column mapping for ``kind``: the one remembered for these headers, else a guess.

    A mapping confirmed earlier for the same headers (same header signature) and the same
    kind is reused as it was.
    """
    check_kind(kind)
    if target is not None:
        saved = _remembered(target, headers)
        if saved is not None and saved[0] == kind and all(c in headers for c in saved[1].values()):
            return dict(saved[1])
    return guess_mapping(headers, kind)


def commit(
    target: Company | Store,
    prepared: PreparedSheet,
    kind: str,
    mapping: Mapping[str, str],
    validation: Validation,
    *,
    strict: bool = False,
    progress: ProgressCallback | None = None,
    cancelled: CancelledCallback | None = None,
) -> ImportOutcome:
    """Store the accepted rows as one batch and remember the mapping, in one transaction.

    With ``strict``, a file with any rejected row stores nothing: the outcome has
    ``batch_id`` None and ``imported`` 0. A company loads the stored kind again.

    Raises:
        Cancelled: ``cancelled()`` returned True before the commit; the file is unchanged.
        CompanyInUse: another KPI Desk holds the company.
    """
    frame, source_rows, errors = validation
    rejected = validation.rejected
    if strict and rejected:
        return ImportOutcome(None, prepared.file, prepared.sheet, kind, 0, 0, rejected, errors)

    def store_rows(store: Store) -> Batch:
        with gc_paused():
            return store.import_frame(
                kind,
                frame,
                file=prepared.file,
                sheet=prepared.sheet,
                source_rows=source_rows,
                rejected=rejected,
                errors=errors,
                mapping=dict(mapping),
                remember_as=M.header_signature(prepared.headers),
                progress=progress,
                cancelled=cancelled,
            )

    if isinstance(target, Company):
        with target.writer() as store:
            batch = store_rows(store)
        target.reload([kind])
    else:
        batch = store_rows(target)
    return ImportOutcome(
        batch.batch_id,
        prepared.file,
        prepared.sheet,
        kind,
        batch.imported,
        batch.skipped_duplicates,
        rejected,
        errors,
    )


def undo_import(company: Company, batch_id: int) -> Batch:
    """Remove an import batch and exactly its rows (see :meth:`Company.undo_import`)."""
    return company.undo_import(batch_id)


@dataclass
class ImportSession:
    """One file being imported into one company, step by step (the wizard) or at once (the
    command line). The file is read once per sheet; a change of header row re-slices
    the rows already read; the kinds are ranked once per header row.

    Attributes:
        company: the company the rows go into.
        path: the file.
        sheets: the data sheets of a workbook (empty for a CSV file).
        sheet: the sheet read (None for a CSV file).
        prepared: the sheet with its header row.
        candidates: the kinds its headers may hold, best first (see :func:`kind_candidates`).
        kind, mapping: the kind and field -> column mapping that will be used.
    """

    company: Company | Store
    path: Path
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    prepared: PreparedSheet | None = None
    candidates: list[str] = field(default_factory=list)
    kind: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    validation: Validation | None = None
    #: The kind and mapping were confirmed for these headers by an earlier import.
    remembered: bool = False
    _raw: dict[str | None, RawSheet] = field(default_factory=dict)

    @classmethod
    def open(
        cls,
        company: Company | Store,
        path: str | Path,
        *,
        sheet: str | None = None,
        kind: str | None = None,
        progress: ProgressCallback | None = None,
        cancelled: CancelledCallback | None = None,
    ) -> ImportSession:
        """Read ``path`` (the ``sheet`` given, else the one that best holds ``kind`` or any kind),
        find its header row, rank the kinds and propose a mapping. Runs on a worker.

        Raises:
            UserError: the file cannot be read, or the sheet is missing or empty.
            Cancelled: ``cancelled()`` returned True.
        """
        if kind is not None:
            check_kind(kind)
        p = Path(path)
        session = cls(company, p)
        if progress is not None:
            progress(0.0, _("Reading {file}").format(file=p.name))
        with gc_paused(), Book(p) as book:
            session.sheets = [] if book.is_csv else book.sheets()
            if sheet is None and len(session.sheets) > 1:
                sheet = choose_sheet(book, kind)
            elif sheet is None and session.sheets:
                sheet = session.sheets[0]
            if cancelled is not None and cancelled():
                raise Cancelled()
            session.sheet = sheet
            session._raw[sheet] = book.read(sheet)
        if progress is not None:
            progress(1.0, _("Read {file}").format(file=p.name))
        session.set_header_row(None, kind=kind)
        return session

    # -- the steps the wizard shows --------------------------------------------------------

    def select_sheet(self, sheet: str | None, progress: ProgressCallback | None = None) -> None:
        """Read another sheet of the workbook (once: a sheet read before is kept)."""
        if sheet not in self._raw:
            if progress is not None:
                progress(0.0, _("Reading {file}").format(file=self.path.name))
            with gc_paused(), Book(self.path) as book:
                self._raw[sheet] = book.read(sheet)
        self.sheet = sheet
        self.set_header_row(None)

    def set_header_row(self, header_row: int | None, kind: str | None = None) -> None:
        """Take ``header_row`` (0-based; None detects it) as the header, from the rows already
        read; rank the kinds and propose the mapping again.

        Raises:
            UserError: no data rows below that header.
        """
        with gc_paused():
            self.prepared = prepare(self._raw[self.sheet], header_row=header_row)
        headers = self.prepared.headers
        self.candidates = kind_candidates(headers)
        remembered = _remembered(self.company, headers)
        self.remembered = remembered is not None
        chosen = kind
        if chosen is None and remembered is not None:
            chosen = remembered[0]
        if chosen is None and self.kind is not None and self.kind in self.candidates:
            chosen = self.kind
        if chosen is None and self.candidates:
            chosen = self.candidates[0]
        self.validation = None
        self.set_kind(chosen)

    @property
    def raw_rows(self) -> int:
        """How many rows the sheet has, as read."""
        return len(self._raw[self.sheet].rows)

    @property
    def ambiguous(self) -> bool:
        """True when the kind cannot be told from the headers (none, or several close) and no
        earlier import of the same headers says it."""
        return not self.remembered and len(self.candidates) != 1

    def set_kind(self, kind: str | None) -> None:
        """Import as ``kind``: the mapping is the remembered one for these headers, else a guess."""
        self.kind = kind
        self.validation = None
        if kind is None or self.prepared is None:
            self.mapping = {}
            return
        self.mapping = propose_mapping(self.prepared.headers, kind, self.company)

    def override(self, overrides: Mapping[str, str]) -> None:
        """Apply the user's ``FIELD=COLUMN`` choices (see :func:`apply_overrides`)."""
        kind, prepared = self._kind(), self._prepared()
        self.mapping = apply_overrides(self.mapping, overrides, prepared.headers, kind, prepared.file)
        self.validation = None

    def set_mapping(self, mapping: Mapping[str, str]) -> None:
        self.mapping = dict(mapping)
        self.validation = None

    def validate(self, progress: ProgressCallback | None = None) -> Validation:
        """Type the rows under the mapping: the accepted ones and the rejected ones, with reasons.

        Raises:
            UserError: a required field has no column.
        """
        kind, prepared = self._kind(), self._prepared()
        check_required(prepared, kind, self.mapping)
        self.validation = validate(prepared, kind, self.mapping, progress=progress)
        return self.validation

    def commit(
        self,
        *,
        strict: bool = False,
        progress: ProgressCallback | None = None,
        cancelled: CancelledCallback | None = None,
    ) -> ImportOutcome:
        """Store the rows, the batch and the remembered mapping in one transaction (validating
        first if needed); the company then loads that kind again.

        Raises:
            Cancelled: before the commit; the company file is unchanged.
            CompanyInUse: another KPI Desk holds the company.
        """
        validation = self.validation
        if validation is None:
            validation = self.validate(_scaled(progress, 0.0, 0.2))
            progress = _scaled(progress, 0.2, 1.0)
        if cancelled is not None and cancelled():
            raise Cancelled()
        return commit(
            self.company,
            self._prepared(),
            self._kind(),
            self.mapping,
            validation,
            strict=strict,
            progress=progress,
            cancelled=cancelled,
        )

    def _prepared(self) -> PreparedSheet:
        if self.prepared is None:
            raise UserError(_("{file}: no sheet was read.").format(file=self.path.name))
        return self.prepared

    def _kind(self) -> str:
        if self.kind is None:
            prepared = self._prepared()
            raise UserError(
                _(
                    "{file}: the kind of data cannot be recognised from its columns ({columns}). "
                    "Choose the kind (on the command line: --kind KIND)."
                ).format(file=prepared.file, columns=", ".join(prepared.headers))
            )
        return self.kind


def _ambiguous_error(session: ImportSession) -> UserError:
    prepared = session._prepared()
    kinds = ", ".join(f"{k} ({_(KIND_TITLES[k]).lower()})" for k in session.candidates)
    return UserError(
        _("{file}: the columns could hold several kinds of data ({kinds}). Say which with --kind KIND.").format(
            file=prepared.file, kinds=kinds
        )
    )


def import_file(
    target: Company | Store,
    path: str | Path,
    *,
    kind: str | None = None,
    sheet: str | None = None,
    overrides: dict[str, str] | None = None,
    strict: bool = False,
    progress: ProgressCallback | None = None,
    cancelled: CancelledCallback | None = None,
) -> list[ImportOutcome]:
    """Import the file at ``path`` into a company: one batch, one transaction.

    Args:
        target: the open company (or, for tests and tools, a store already open).
        path: an ``.xlsx``, ``.xlsm``, ``.xls``, ``.ods`` or ``.csv`` file.
        kind: the kind of data; None detects it (or reuses the kind remembered for
            these headers); when the headers could hold several kinds, nothing is guessed.
        sheet: the sheet to import; None picks the sheet that best matches the kind.
        overrides: ``{field: column}`` choices that win over the automatic mapping.
        strict: store nothing from a file with any rejected row.
        progress: called with (fraction 0..1, message).
        cancelled: polled; when it returns True before the commit the import stops and
            the company is left as it was (raises :class:`~kpidesk.errors.Cancelled`).

    Returns:
        One outcome per imported sheet (one, today).

    Raises:
        UserError: a whole-file problem (unreadable, empty, no column for a required
            field, a kind that cannot be told); nothing is stored.
        Cancelled: the user cancelled; nothing is stored.
    """
    p = Path(path)
    session = ImportSession.open(
        target, p, sheet=sheet, kind=kind, progress=_scaled(progress, 0.0, 0.4), cancelled=cancelled
    )
    if kind is None and session.ambiguous and len(session.candidates) > 1:
        raise _ambiguous_error(session)
    session._kind()
    if overrides:
        session.override(overrides)
    if progress is not None:
        progress(0.4, _("Checking values"))
    session.validate(_scaled(progress, 0.4, 0.5))
    if cancelled is not None and cancelled():
        raise Cancelled()
    outcome = session.commit(strict=strict, progress=_scaled(progress, 0.5, 1.0), cancelled=cancelled)
    if progress is not None:
        progress(1.0, _("Imported {file}").format(file=p.name))
    return [outcome]
