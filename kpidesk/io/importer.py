"""The file steps of an import, no store: the sheets of a workbook, the sheet read with its header
row found, the kind and mapping guessed from the headers, the user's overrides, the validated
rows, and the report of the rejected ones. :mod:`kpidesk.app.imports` drives them into a company."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kpidesk.core.kinds import KIND_NAMES, KINDS
from kpidesk.errors import UserError
from kpidesk.i18n import _
from kpidesk.io import mapping as M
from kpidesk.io import read as reading
from kpidesk.io.excel import column_letter
from kpidesk.io.read import Book, PreparedSheet, prepare
from kpidesk.io.validate import RowError, Validation
from kpidesk.io.validate import validate as _validate
from kpidesk.labels import KIND_TITLES

__all__ = [
    "Book",
    "ImportOutcome",
    "PreparedSheet",
    "RowError",
    "Validation",
    "apply_overrides",
    "check_kind",
    "choose_sheet",
    "detect_kind",
    "gc_paused",
    "guess_mapping",
    "list_sheets",
    "prepare",
    "read_prepared",
    "validate",
    "write_report",
]

ProgressCallback = Callable[[float, str], None]
CancelledCallback = Callable[[], bool]

#: Rows read from each sheet to choose among a workbook's sheets.
_SHEET_SAMPLE_ROWS = 60


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while an import builds millions of cells.

    The cells are plain values and lists without reference cycles, yet each
    allocation burst triggers collections that walk all of them again: on a
    500,000-line workbook that costs about a quarter of the import time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class ImportOutcome:
    """The result of importing one file (one sheet) into one kind."""

    batch_id: int | None
    file: str
    sheet: str | None
    kind: str
    imported: int
    skipped_duplicates: int
    rejected: int
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The batch object of ``kpidesk import --json`` (SPEC §4)."""
        return {
            "batch_id": self.batch_id,
            "file": self.file,
            "sheet": self.sheet,
            "kind": self.kind,
            "imported": self.imported,
            "skipped_duplicates": self.skipped_duplicates,
            "rejected": self.rejected,
            "errors": [dict(e) for e in self.errors],
        }


# -- the steps -------------------------------------------------------------------------------


def list_sheets(path: str | Path) -> list[str]:
    """The data sheets of a workbook (``[]`` for a CSV file). See :func:`reading.list_sheets`."""
    return reading.list_sheets(path)


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise UserError(
            _("Unknown kind of data '{kind}'. The kinds are: {kinds}.").format(kind=kind, kinds=", ".join(KIND_NAMES))
        )


def choose_sheet(book: str | Path | Book, kind: str | None = None) -> str | None:
    """The sheet of a workbook that best holds ``kind`` data (any kind if None).

    Each visible sheet's first rows are read and scored by how well their
    headers match the kind's fields, so a data sheet wins over pivot tables
    and notes. Without a kind, the first sheet that holds every required
    field of some kind wins. None for a CSV file.

    Args:
        book: the file, or a :class:`~kpidesk.io.read.Book` already open.
        kind: the kind wanted, or None.
    """
    if not isinstance(book, Book):
        with Book(book) as opened:
            return choose_sheet(opened, kind)
    sheets = book.sheets()
    if len(sheets) <= 1:
        return sheets[0] if sheets else None
    best: tuple[bool, float] = (False, -1.0)
    chosen = sheets[0]
    for order, name in enumerate(sheets):
        try:
            sample = prepare(book.read(name, nrows=_SHEET_SAMPLE_ROWS))
        except UserError:
            continue  # an empty sheet, or one without data rows
        guesses = M.rank_kinds(sample.headers)
        if kind is not None:
            guesses = [g for g in guesses if g.kind == kind]
        guess = guesses[0]
        # Any kind: the first sheet that holds a complete kind, in workbook order.
        # A given kind: the sheet whose columns match it best.
        score = (guess.complete, guess.score if kind is not None or not guess.complete else -order)
        if score > best:
            best, chosen = score, name
    return chosen


def read_prepared(path: str | Path | Book, sheet: str | None = None, header_row: int | None = None) -> PreparedSheet:
    """The sheet ``sheet`` of ``path`` (the first one if None) with its header row found.

    Args:
        path: the file, or a :class:`~kpidesk.io.read.Book` already open.
        sheet: the sheet name (ignored for CSV).
        header_row: force the header row (0-based index in the sheet); None detects it.

    Raises:
        UserError: the file cannot be read, the sheet is missing or empty.
    """
    with gc_paused():
        if isinstance(path, Book):
            return prepare(path.read(sheet), header_row=header_row)
        with Book(path) as book:
            return prepare(book.read(sheet), header_row=header_row)


def detect_kind(headers: Sequence[str] | PreparedSheet) -> str | None:
    """The kind of data the columns most likely hold, or None when no column means anything."""
    names = headers.headers if isinstance(headers, PreparedSheet) else list(headers)
    guess = M.detect_kind(names)
    return guess.kind if guess is not None else None


def guess_mapping(headers: Sequence[str], kind: str) -> dict[str, str]:
    """The field -> column mapping for ``kind`` guessed from ``headers``."""
    check_kind(kind)
    matches = M.match_columns(headers, kind)
    return {f: matches[f].column for f in KINDS[kind].field_names if f in matches}


def apply_overrides(
    mapping: Mapping[str, str],
    overrides: Mapping[str, str],
    headers: Sequence[str],
    kind: str,
    file: str = "",
) -> dict[str, str]:
    """``mapping`` with the user's ``FIELD=COLUMN`` choices applied (they win).

    A column is named by its title (compared loosely, like the automatic
    mapping) or by its letter (``C``). An empty column unmaps the field. A
    column taken by an override is removed from any other field.

    Raises:
        UserError: an unknown field or column.
    """
    spec = KINDS[kind]
    result = dict(mapping)
    for fld, column in overrides.items():
        if fld not in spec.field_names:
            raise UserError(
                _("Unknown field '{field}' for {kind}. Its fields are: {fields}.").format(
                    field=fld, kind=_(KIND_TITLES[kind]).lower(), fields=", ".join(spec.field_names)
                )
            )
        if not column.strip():
            result.pop(fld, None)
            continue
        header = _find_header(column, headers)
        if header is None:
            raise UserError(
                _("{file}: there is no column '{column}' (for '{field}'). The columns are: {columns}.").format(
                    file=file, column=column, field=fld, columns=", ".join(headers)
                )
            )
        for other, taken in list(result.items()):
            if taken == header and other != fld and other not in overrides:
                del result[other]
        result[fld] = header
    return {f: result[f] for f in spec.field_names if f in result}


def _find_header(column: str, headers: Sequence[str]) -> str | None:
    if column in headers:
        return column
    wanted = M.normalise(column)
    for header in headers:
        if M.normalise(header) == wanted:
            return header
    letters = column.strip().upper()
    if letters.isalpha() and len(letters) <= 3:
        for index in range(len(headers)):
            if column_letter(index) == letters:
                return headers[index]
    return None


def validate(
    prepared: PreparedSheet, kind: str, mapping: Mapping[str, str], progress: ProgressCallback | None = None
) -> Validation:
    """The typed frame of the accepted rows, their Excel row numbers, and the row errors.

    See :mod:`kpidesk.io.validate`. Unpacks as ``frame, source_rows, errors``;
    ``.rejected`` is the number of rejected rows.
    """
    check_kind(kind)
    with gc_paused():
        return _validate(prepared, kind, mapping, progress=progress)


# -- the report ------------------------------------------------------------------------------


def write_report(outcomes_or_errors: Sequence[ImportOutcome] | Sequence[RowError], path: str | Path) -> Path:
    """Save the rejected rows as an ``.xlsx`` report (row, column, value, reason).

    With outcomes of several files, the file (and sheet) come first. Text that
    starts with ``= + - @`` is written as text, never as a formula. The file is
    written to a temporary name and renamed, so a failure never leaves half a file
    (see :mod:`kpidesk.io.xlsx`, shared with the summary export).

    Raises:
        UserError: the report cannot be written there.
    """
    import datetime as dt

    from openpyxl import Workbook

    from kpidesk.io.xlsx import CellStyle, StyleBook, column_cm, print_setup, save_workbook

    items = list(outcomes_or_errors)
    rows: list[tuple[str | None, str | None, RowError]] = []
    outcomes = [o for o in items if isinstance(o, ImportOutcome)]
    for item in items:
        if isinstance(item, ImportOutcome):
            rows.extend((item.file, item.sheet, e) for e in item.errors)
        elif isinstance(item, dict):
            rows.append((None, None, item))
    with_file = len({(o.file, o.sheet) for o in outcomes}) > 1

    wb = Workbook(write_only=True)
    book = StyleBook(wb)
    ws = wb.create_sheet(_("Rejected rows"))
    headers = [_("Row"), _("Column"), _("Value"), _("Reason")]
    keys = ["row", "column", "value", "message"]
    limits = [10, 30, 50, 90]
    if with_file:
        headers = [_("File"), _("Sheet"), *headers]
        keys = ["file", "sheet", *keys]
        limits = [40, 24, *limits]
    # Columns sized to their content (the first thousand rows), within limits.
    sample = [{"file": f, "sheet": s, **e} for f, s, e in rows[:1000]]
    widths = [
        min(max([len(h) + 2] + [len(str(r.get(k) or "")) + 2 for r in sample]), limit)
        for h, k, limit in zip(headers, keys, limits, strict=True)
    ]
    # Widths, frozen header and print setup go before the first row in a write-only sheet.
    for letter, width in zip("ABCDEF", widths, strict=False):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    print_setup(ws, sum(column_cm(w) for w in widths), header_row=1)
    bold = CellStyle(bold=True)
    ws.append([book.cell(ws, title, bold) for title in headers])
    for file, sheet, error in rows:
        values: list[Any] = [error.get("row"), error.get("column"), error.get("value"), error.get("message")]
        if with_file:
            values = [file, sheet, *values]
        ws.append(
            [book.cell(ws, v if v is None or isinstance(v, str | int | float | dt.date) else str(v)) for v in values]
        )
    return save_workbook(wb, path)
