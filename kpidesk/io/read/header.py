"""The header row of a sheet (titles and blank rows above it skipped) and the sheet ready to map."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kpidesk.errors import UserError
from kpidesk.i18n import _
from kpidesk.io.excel import column_letter
from kpidesk.io.parse.column import Column, cell_text
from kpidesk.io.read.sheet import RawSheet

_HEADER_SCAN_ROWS = 30

_NUMBERISH = re.compile(r"^[\s\d.,:/€$£%()+\-\u00a0\u202f]*$")


def is_blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def _is_label(value: Any) -> bool:
    """A cell that reads like a column title: text that is not a number or a date."""
    return isinstance(value, str) and bool(value.strip()) and not _NUMBERISH.match(value)


def detect_header_row(rows: Sequence[Sequence[Any]], limit: int = _HEADER_SCAN_ROWS) -> int:
    """The index in ``rows`` of the header row: titles and blank rows above it are skipped.

    The header is the first row, among the first ``limit``, whose cells are
    mostly labels and that spans most of the table's width (a merged title cell
    spans one cell; a "Période : mars" line two).
    """
    sample = rows[: limit + 20]
    widths = [sum(1 for v in row if not is_blank(v)) for row in sample]
    if not widths or max(widths) == 0:
        return 0
    width = max(widths)
    for index, row in enumerate(sample[:limit]):
        filled = widths[index]
        if filled == 0:
            continue
        labels = sum(1 for v in row if _is_label(v))
        distinct = len({str(v).strip().lower() for v in row if _is_label(v)})
        if width == 1 or (filled >= max(2, 0.6 * width) and labels >= 0.6 * filled and distinct >= 0.8 * labels):
            return index
    return next((i for i, w in enumerate(widths) if w), 0)


def header_names(cells: Sequence[Any], width: int) -> list[str]:
    """Column titles from the header cells: stripped, never empty, never repeated.

    An empty title becomes "Column C" (its letter); a repeated one gets " (2)".
    """
    names: list[str] = []
    seen: dict[str, int] = {}
    for i in range(width):
        value = cells[i] if i < len(cells) else None
        name = " ".join(cell_text(value).split())
        if not name:
            name = _("Column {letter}").format(letter=column_letter(i))
        key = name.lower()
        if key in seen:
            seen[key] += 1
            name = f"{name} ({seen[key]})"
        else:
            seen[key] = 1
        names.append(name)
    return names


# -- a sheet ready for mapping -------------------------------------------------------------------


@dataclass
class PreparedSheet:
    """A sheet with its header row found: the column titles and the data rows below.

    Attributes:
        file: the file name shown to the user.
        sheet: the sheet name (None for CSV).
        headers: the column titles, stripped, unique, never empty.
        header_row: the index in the sheet's raw rows of the header row (0-based;
            Excel shows it as row ``header_row + 1``).
        rows: the data rows under the header, as read (blank rows included, so that
            ``first_data_row + i`` is the Excel row number of ``rows[i]``).
        first_data_row: the Excel row number (1-based) of ``rows[0]``.
        positions: for each header, the index of its cells in a raw row.
    """

    file: str
    sheet: str | None
    headers: list[str]
    header_row: int
    rows: list[list[Any]]
    first_data_row: int
    positions: list[int]
    rectangular: bool = False
    #: Cells in the header row up to its last title: a CSV row longer than that with values
    #: past it has more values than titles (a decimal comma in a comma-separated file...).
    header_width: int = 0
    _columns: dict[str, Any] | None = None
    _cells: dict[str, Column] | None = None

    def overlong_rows(self) -> np.ndarray:
        """Rows of a CSV file holding values past the last column title (always none in a workbook,
        where a column without a title is a column)."""
        flags = np.zeros(len(self.rows), dtype=bool)
        if self.sheet is not None or not self.header_width:
            return flags
        width = self.header_width
        for i, row in enumerate(self.rows):
            if len(row) > width and any(not is_blank(v) for v in row[width:]):
                flags[i] = True
        return flags

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def column(self, header: str) -> Any:
        """The cells of one column as a 1-D object array (``header`` as in :attr:`headers`)."""
        if self._columns is None:
            self._columns = self._transpose()
        return self._columns[header]

    def cells(self, header: str) -> Column:
        """One column ready to parse (blank cells found once, shared by every step)."""
        if self._cells is None:
            self._cells = {}
        if header not in self._cells:
            self._cells[header] = Column.of(self.column(header))
        return self._cells[header]

    def _transpose(self) -> dict[str, Any]:
        rows = self.rows
        if not rows:
            return {h: np.empty(0, dtype=object) for h in self.headers}
        width = max(self.positions, default=-1) + 1
        ragged = not self.rectangular and any(len(row) != len(rows[0]) for row in rows)
        if ragged or len(rows[0]) < width:
            # Ragged rows (CSV): pad them to a rectangle first.
            width = max(width, max(len(row) for row in rows))
            rows = [row if len(row) == width else [*row, *([""] * (width - len(row)))] for row in rows]
        # One C call builds the (rows x columns) object matrix; far faster than zip(*rows).
        # Each column is a view of it (no copy).
        matrix = np.empty((len(rows), len(rows[0])), dtype=object)
        matrix[:] = rows
        return {h: matrix[:, p] for h, p in zip(self.headers, self.positions, strict=True)}

    def preview(self, count: int = 20) -> list[list[Any]]:
        """The first ``count`` data rows, cells in :attr:`headers` order (for the wizard)."""
        out = []
        for row in self.rows[:count]:
            out.append([row[p] if p < len(row) else "" for p in self.positions])
        return out


def prepare(raw: RawSheet, header_row: int | None = None) -> PreparedSheet:
    """Find the header row of ``raw`` (unless given) and name its columns.

    Columns with neither a title nor any value are dropped.

    Raises:
        UserError: the sheet is empty, or has a header but no data rows.
    """
    where = raw.file if raw.sheet is None else _("{file}, sheet '{sheet}'").format(file=raw.file, sheet=raw.sheet)
    rows = raw.rows
    if not any(any(not is_blank(v) for v in row) for row in rows[:1000]) and not _any_filled(rows):
        raise UserError(
            _("{where}: the sheet is empty. Choose the sheet that holds the data, or check the file.").format(
                where=where
            )
        )
    index = detect_header_row(rows) if header_row is None else header_row
    if not 0 <= index < len(rows):
        raise UserError(_("{where}: there is no row {row}.").format(where=where, row=index + raw.first_row))
    header_cells = rows[index]
    data = rows[index + 1 :]
    width = max(len(header_cells), max((len(r) for r in data[:1000]), default=0))
    if data and len(data) > 1000 and not raw.rectangular:  # a workbook's rows all have one width
        width = max(width, max(len(r) for r in data))
    names = header_names(header_cells, width)
    keep = [i for i in range(width) if not is_blank(header_cells[i] if i < len(header_cells) else None)]
    # A column without a title is kept only if it holds values.
    kept = set(keep)
    untitled = [i for i in range(width) if i not in kept]
    if untitled and data:
        for i in untitled:
            if any(not is_blank(row[i]) for row in data if i < len(row)):
                keep.append(i)
        keep.sort()
    headers = [names[i] for i in keep]
    if not any(any(not is_blank(row[i]) for i in keep if i < len(row)) for row in data):
        raise UserError(
            _("{where}: the sheet has column titles (row {row}) but no data rows under them.").format(
                where=where, row=index + raw.first_row
            )
        )
    return PreparedSheet(
        file=raw.file,
        sheet=raw.sheet,
        headers=headers,
        header_row=index,
        rows=data,
        first_data_row=raw.first_row + index + 1,
        positions=keep,
        header_width=max((i + 1 for i, v in enumerate(header_cells) if not is_blank(v)), default=0),
        rectangular=raw.rectangular,
    )


def _any_filled(rows: Sequence[Sequence[Any]]) -> bool:
    return any(any(not is_blank(v) for v in row) for row in rows)
