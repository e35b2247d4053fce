"""A sheet laid out in memory before it is written: rows of (value, style), sized columns,
merged notes, conditional formats, charts, and how it prints on A4."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from kpidesk.io.xlsx.styles import CellStyle, Highlight
from kpidesk.io.xlsx.text import clean_text

#: Excel's limit on the rows of one sheet.
MAX_ROWS = 1_048_576
#: The printable area of a landscape A4 page with our margins (0.4" sides, 0.55" top and
#: bottom, less the footer line), in centimetres.
PAGE_WIDTH_CM = 29.7 - 2 * 0.4 * 2.54
PAGE_HEIGHT_CM = 21.0 - 2 * 0.55 * 2.54 - 0.8
#: A wide sheet is printed over several pages across rather than shrunk below this scale.
MIN_PRINT_SCALE = 0.55
#: The height of a row of one line of the default 11-point font, in points.
LINE_POINTS = 15.0
#: Characters of ordinary text per unit of column width (letters are narrower than digits).
TEXT_PER_UNIT = 1.15


def wrapped_lines(text: str, per_line: float) -> int:
    """The lines ``text`` takes when wrapped at word boundaries, ``per_line`` characters each."""
    lines, used = 1, 0
    for word in text.split():
        need = len(word) if used == 0 else used + 1 + len(word)
        if need <= per_line or used == 0:
            used = need
        else:
            lines += 1
            used = len(word)
        while used > per_line:  # a word longer than the line is cut
            lines += 1
            used -= int(per_line)
    return lines


def column_cm(width: float) -> float:
    """The shown width of a column ``width`` units wide, in centimetres.

    A unit is the width of a digit of the default font (7 px at 96 dpi for
    Calibri 11); Excel adds 5 px of padding.
    """
    return (width * 7 + 5) / 96 * 2.54


Item = tuple[Any, CellStyle] | None
"""One cell of a :class:`Sheet`: (value, style), or None for an empty cell."""


@dataclass(frozen=True)
class ConditionalFormat:
    """Cells coloured by their value.

    Attributes:
        cells: the ranges, as Excel writes them (``"F5:F9 F12"``).
        rules: (operator, formula, look) of each rule, in priority order; the operator is
            one of Excel's ``cellIs`` operators (``greaterThan``, ``lessThan``…).
    """

    cells: str
    rules: tuple[tuple[str, str, Highlight], ...]


@dataclass(frozen=True)
class PlacedChart:
    """An openpyxl chart (:mod:`openpyxl.chart`) and where it sits on its sheet.

    Attributes:
        chart: the chart object; its references name the sheet.
        column, row: the cell of its top-left corner, 0-based.
        column_offset_cm: how far right of that cell's left edge it starts.
        width_cm, height_cm: its size.
    """

    chart: Any
    column: int
    row: int
    column_offset_cm: float
    width_cm: float
    height_cm: float


@dataclass
class Sheet:
    """A sheet laid out in memory before it is written (see :mod:`kpidesk.io.xlsx`).

    Attributes:
        title: the sheet name (see :func:`sheet_title`).
        rows: the rows of cells.
        header_row: the row (1-based) of the table header: frozen with the rows above
            it and repeated on every printed page.
        freeze_columns: columns kept in view when scrolling right (and repeated when printed).
        min_width, max_width: bounds of the sized column widths.
        widths: fixed widths of some columns (1-based), winning over sizing.
        row_heights: fixed heights of some rows (1-based), in points; rows holding
            wrapped text get the height of their lines otherwise.
        scale: print at this percentage with manual page breaks, instead of fitting the
            page width (Excel ignores manual page breaks on a sheet fitted to pages).
        column_breaks: page breaks after these columns (1-based), with ``scale``.
        merges: (row, first column, last column) ranges merged into one cell: long notes
            wrap within the table's width instead of running past it (LibreOffice
            prints text that overflows into empty cells, widening the page).
        conditional: conditional formats (the green/red colours of changes).
        charts: native charts placed on the sheet.
        row_breaks: page breaks after these rows (1-based).
    """

    title: str
    rows: list[list[Item]] = field(default_factory=list)
    header_row: int | None = None
    freeze_columns: int = 0
    min_width: float = 6.0
    max_width: float = 60.0
    widths: dict[int, float] = field(default_factory=dict)
    row_heights: dict[int, float] = field(default_factory=dict)
    scale: int | None = None
    column_breaks: list[int] = field(default_factory=list)
    merges: list[tuple[int, int, int]] = field(default_factory=list)
    conditional: list[ConditionalFormat] = field(default_factory=list)
    charts: list[PlacedChart] = field(default_factory=list)
    row_breaks: list[int] = field(default_factory=list)

    def add(self, *items: Item) -> int:
        """Append a row; returns its number (1-based)."""
        self.rows.append(list(items))
        return len(self.rows)

    def add_note(self, text: str, style: CellStyle, span: int) -> int:
        """Append a row of text spanning the first ``span`` columns (merged; wrapped if ``style`` wraps)."""
        row = self.add((text, style))
        if span > 1:
            self.merges.append((row, 1, span))
        return row

    def column_widths(self) -> list[float]:
        """Each column's width: its widest shown content plus a margin, within the bounds."""
        widest: list[float] = []
        fixed = {j - 1 for j in self.widths}
        columns = max((len(row) for row in self.rows), default=0)
        if fixed.issuperset(range(columns)):
            # Every column has its width: nothing to measure.
            return [self.widths.get(j, self.min_width) for j in range(1, max(self.widths, default=0) + 1)]
        for row in self.rows:
            if len(row) > len(widest):
                widest.extend([0.0] * (len(row) - len(widest)))
            for j, item in enumerate(row):
                if item is None or j in fixed:
                    continue
                value, style = item
                if value is None or not style.fit:
                    continue
                w = style.width(value)
                if w > widest[j]:
                    widest[j] = w
        out = [min(max(w * 1.1 + 2.0, self.min_width), self.max_width) for w in widest]
        for j, w in self.widths.items():
            while len(out) < j:
                out.append(self.min_width)
            out[j - 1] = w
        return out

    def wrapped_heights(self, widths: Sequence[float]) -> dict[int, float]:
        """The height (points) of each row whose wrapped text takes more than one line.

        Excel sizes such rows when it opens the file, LibreOffice does not: the
        height is written, estimated from the text and the column width.
        """
        heights: dict[int, float] = {}
        merged = {(r, first - 1): sum(widths[first - 1 : last]) for r, first, last in self.merges}
        for r, row in enumerate(self.rows, start=1):
            lines = 1
            for j, item in enumerate(row):
                if item is None or not item[1].wrap or not isinstance(item[0], str) or j >= len(widths):
                    continue
                per_line = max(merged.get((r, j), widths[j]) * TEXT_PER_UNIT - 1, 1.0)
                lines = max(lines, sum(wrapped_lines(part, per_line) for part in item[0].split("\n")))
            if lines > 1:
                heights[r] = lines * LINE_POINTS
        return heights


def sheet_title(text: str, taken: Sequence[str] = ()) -> str:
    """A valid, unique sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in clean_text(text)).strip().strip("'") or "Sheet"
    name = cleaned[:31]
    lower = {t.casefold() for t in taken}
    n = 2
    while name.casefold() in lower:
        suffix = f" ({n})"
        name = cleaned[: 31 - len(suffix)] + suffix
        n += 1
    return name


def pages_across(total_cm: float) -> int:
    """How many pages wide a sheet ``total_cm`` wide prints on (see :data:`MIN_PRINT_SCALE`)."""
    return max(1, math.ceil(total_cm * MIN_PRINT_SCALE / PAGE_WIDTH_CM))


@dataclass(frozen=True)
class PrintLayout:
    """How a sheet prints: A4, margins and footer are the same for all.

    Attributes:
        landscape: the orientation.
        fit_width: fitted to this many pages across (any number down), or None with ``scale``.
        scale: printed at this percentage (its manual page breaks honoured), or None.
        title_rows: the rows repeated on every page (``"$4:$4"``), or None.
        title_columns: the columns repeated on every page across (``"$A:$B"``), or None.
    """

    landscape: bool
    fit_width: int | None
    scale: int | None
    title_rows: str | None
    title_columns: str | None


def print_layout(
    total_cm: float,
    *,
    landscape: bool = True,
    header_row: int | None = None,
    title_columns: int = 0,
    scale: int | None = None,
) -> PrintLayout:
    """Landscape, fitted to the page width, header row repeated.

    A table too wide to read on one page is fitted to a few pages across, its
    first ``title_columns`` repeated on each. With ``scale``, the sheet prints
    at that percentage instead, its manual page breaks honoured.
    """
    if scale is None:
        wide = pages_across(total_cm)
        fit: int | None = wide
    else:
        scale = max(10, min(400, scale))
        wide = 2 if total_cm * scale / 100 > PAGE_WIDTH_CM else 1
        fit = None
    rows = f"${header_row}:${header_row}" if header_row is not None else None
    columns = f"$A:${get_column_letter(title_columns)}" if wide > 1 and title_columns else None
    return PrintLayout(landscape, fit, scale, rows, columns)


def print_setup(
    ws: Any,
    total_cm: float,
    *,
    landscape: bool = True,
    header_row: int | None = None,
    title_columns: int = 0,
    scale: int | None = None,
) -> None:
    """The :func:`print_layout` of an openpyxl worksheet: A4, page numbers in the footer."""
    layout = print_layout(
        total_cm, landscape=landscape, header_row=header_row, title_columns=title_columns, scale=scale
    )
    ws.page_setup.orientation = "landscape" if layout.landscape else "portrait"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.pageOrder = "overThenDown"
    if layout.fit_width is not None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth = layout.fit_width
        ws.page_setup.fitToHeight = 0
    else:
        ws.page_setup.scale = layout.scale
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.55, bottom=0.55, header=0.25, footer=0.25)
    if layout.title_rows is not None:
        ws.print_title_rows = layout.title_rows.replace("$", "")
    if layout.title_columns is not None:
        ws.print_title_cols = layout.title_columns.replace("$", "")
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "&P / &N"
