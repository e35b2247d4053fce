"""Writing ``.xlsx`` files safely: the rules every workbook KPI Desk writes follows.

The summary workbook (:mod:`kpidesk.io.export`), the data table export and the
rejected-rows report of an import share three rules:

* text is data, never a formula: a cell whose text starts with ``= + - @`` (or
  tab / carriage return, per OWASP's spreadsheet-injection advice) is stored as
  a string (``t="inlineStr"``, no ``<f>`` element) with Excel's quote prefix,
  so even editing it in Excel keeps it text (:func:`text_cell`, and the summary's
  rows in :mod:`kpidesk.io.xlsx`);
* the file is written to a temporary name in the target's folder and renamed
  over the target (:func:`save_file`): a failure or a cancel leaves any
  existing file whole, and a target open in Excel or not writable gives one
  clear message (:func:`check_target`);
* cells are styled from a few shared style records (:class:`CellStyle`), not
  one style object per cell.

A summary sheet is first laid out as a :class:`Sheet` of rows of :class:`Item`
(value + :class:`CellStyle`), so that its columns are sized to the content and
its print layout planned before a cell is written; :mod:`kpidesk.io.xlsx` then
has openpyxl write them, each sheet's rows rendered at once. Large tables (the data table, the
report) go through openpyxl's write-only mode, their rows streamed to disk
(:class:`StyleBook`, :func:`print_setup`, :func:`save_workbook`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from kpidesk.errors import UserError
from kpidesk.i18n import _

#: Text starting with one of these is written as text with a quote prefix, never as a formula.
FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: Excel's limit on the characters of one cell.
MAX_TEXT = 32_767
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
#: The workbook's font (openpyxl's default; LibreOffice shows it with the metric-compatible Carlito).
FONT_NAME = "Calibri"


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


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula (or a DDE payload)."""
    return text.startswith(FORMULA_START)


def clean_text(text: str) -> str:
    """``text`` without the control characters XML cannot hold, cut to Excel's cell limit."""
    if not text.isprintable() and ILLEGAL_CHARACTERS_RE.search(text) is not None:
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text[:MAX_TEXT]


# -- styles -----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CellStyle:
    """How a cell looks, and how wide its value shows (for sizing columns).

    Compared and hashed by identity: a style is made once and shared by its cells,
    and looking it up must cost nothing per cell.

    Attributes:
        number_format: Excel's format code (locale-independent: ``,`` groups, ``.`` decimals).
        decimals, scale, affix: how a number shows, to estimate its width: ``value * scale``
            with ``decimals`` decimals and ``affix`` more characters (unit, sign).
        fit: whether the cell's content counts when sizing its column (titles overflow instead).
    """

    number_format: str = "General"
    bold: bool = False
    italic: bool = False
    size: float | None = None
    color: str | None = None
    fill: str | None = None
    wrap: bool = False
    horizontal: str | None = None
    vertical: str | None = None
    border_bottom: bool = False
    indent: int = 0
    decimals: int = 0
    scale: float = 1.0
    affix: int = 0
    fit: bool = True

    def width(self, value: Any) -> float:
        """The characters ``value`` takes when shown in this style (an estimate)."""
        if type(value) is float or type(value) is int:
            # Digits, group separators, decimals and sign, without formatting the number.
            number = abs(value * self.scale)
            if not number < math.inf:
                return 0.0
            digits = int(math.log10(number)) + 1 if number >= 1 else 1
            return float(
                digits + (digits - 1) // 3 + (self.decimals + 1 if self.decimals else 0) + (value < 0) + self.affix
            )
        if value is None:
            return 0.0
        if isinstance(value, str):
            if not self.wrap and "\n" not in value:
                return float(len(value))
            lines = value.split("\n")
            if self.wrap:
                return float(max((len(w) for line in lines for w in line.split()), default=0))
            return float(max(len(line) for line in lines))
        if isinstance(value, bool):
            return 5.0
        if isinstance(value, dt.datetime):
            return 16.0
        if isinstance(value, dt.date):
            return 10.0
        if isinstance(value, int | float):
            number = float(value) * self.scale
            if not math.isfinite(number):
                return 0.0
            return float(len(f"{number:,.{self.decimals}f}") + self.affix)
        return float(len(str(value)))


PLAIN = CellStyle()


class StyleBook:
    """The cell styles of one workbook, each registered once and shared by all its cells.

    openpyxl stores a cell's look as a small array of indexes into the workbook's
    fonts, fills, formats…; setting ``cell.font`` etc. on every cell looks each
    object up again. Here each :class:`CellStyle` is turned into that array once
    (through the public cell attributes of a scratch cell) and handed to the
    ``Cell`` constructor of every cell that uses it.
    """

    def __init__(self, wb: Workbook) -> None:
        # A scratch cell styled through its public attributes registers the
        # fonts, fills and formats in ``wb``; it only needs ``parent.parent``.
        self._sheet = SimpleNamespace(parent=wb)
        self._arrays: dict[tuple[CellStyle, bool], Any] = {}

    def array(self, style: CellStyle, quote: bool = False) -> Any:
        """The style array of ``style`` (with Excel's quote prefix when ``quote``)."""
        key = (style, quote)
        found = self._arrays.get(key)
        if found is None:
            scratch = Cell(self._sheet)
            scratch.number_format = style.number_format
            if style.bold or style.italic or style.size or style.color:
                # The name is given: without it LibreOffice falls back to a serif font.
                scratch.font = Font(
                    name=FONT_NAME, size=style.size or 11, bold=style.bold, italic=style.italic, color=style.color
                )
            if style.fill:
                scratch.fill = PatternFill(fill_type="solid", start_color=style.fill, end_color=style.fill)
            if style.wrap or style.horizontal or style.vertical or style.indent:
                scratch.alignment = Alignment(
                    wrap_text=style.wrap or None,
                    horizontal=style.horizontal,
                    vertical=style.vertical,
                    indent=style.indent,
                )
            if style.border_bottom:
                scratch.border = Border(bottom=Side(style="thin", color="7F7F7F"))
            if quote:
                scratch.quotePrefix = True
            found = scratch._style  # the style array: indexes into wb's registered styles
            self._arrays[key] = found
        return found

    def cell(self, ws: Any, value: Any, style: CellStyle | None = None) -> Any:
        """What to append to a row for ``value`` in ``style``: a styled cell, or the plain value.

        Plain values (unstyled numbers, text that cannot be read as a formula) go
        in as they are, openpyxl's cheapest path; an empty cell is only written
        when its style shows (a fill).
        """
        plain = style is None or style is PLAIN
        if isinstance(value, str):
            text = clean_text(value)
            if plain and not is_formula_like(text):
                return text
            return text_cell(ws, text, self, style)
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        if style is None or style is PLAIN or (value is None and style.fill is None):
            return value
        return Cell(ws, 1, 1, value, self.array(style))


def text_cell(
    ws: Any, text: str, book: StyleBook | None = None, style: CellStyle | None = None, row: int = 1, column: int = 1
) -> Any:
    """A cell holding ``text`` as text, whatever it starts with.

    openpyxl turns a value starting with ``=`` into a formula; the data type is
    forced back to a string, so the file holds ``<is><t>=…</t></is>`` and no
    ``<f>``. Such cells also get Excel's quote prefix (the hidden ``'``) so that
    editing the cell in Excel does not turn it into a formula either.
    """
    text = clean_text(text)
    guarded = is_formula_like(text)
    array = None
    if book is not None and (guarded or (style is not None and style is not PLAIN)):
        array = book.array(style or PLAIN, quote=guarded)
    cell = Cell(ws, row, column, text, array)
    if guarded:
        cell.data_type = "s"
    return cell


# -- sheets -----------------------------------------------------------------------------------

Item = tuple[Any, CellStyle] | None
"""One cell of a :class:`Sheet`: (value, style), or None for an empty cell."""


@dataclass(frozen=True)
class Highlight:
    """The look a conditional format gives a cell: font and fill colours (``RRGGBB``)."""

    font: str
    fill: str


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


# -- saving -----------------------------------------------------------------------------------


def check_target(path: str | Path, suffix: str | None = None) -> Path:
    """Fail early, with the message the user will act on, when ``path`` cannot be written.

    Creates the folder if needed. Nothing is written to ``path`` itself.

    Args:
        suffix: the extension the file must have (``".xlsx"``), or None for any.

    Raises:
        UserError: ``path`` is a folder or has the wrong extension, its folder cannot
            be written, or the file is read-only.
    """
    target = Path(path)
    if target.is_dir():
        raise UserError(_("{path} is a folder; choose a file name.").format(path=target))
    if suffix is not None and target.suffix.lower() != suffix:
        raise UserError(
            _("{path}: the export is an Excel workbook; give it a name ending in {suffix}.").format(
                path=target, suffix=suffix
            )
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _folder_error(target, exc) from exc
    if target.exists() and not os.access(target, os.W_OK):
        raise _busy_error(target)
    if not os.access(target.parent, os.W_OK):
        raise _folder_error(target, PermissionError(13, os.strerror(13)))
    return target


def save_file(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Have ``write`` write a temporary file beside ``path``, then rename it over ``path``.

    Any failure (or an interrupt) removes the temporary file and leaves an
    existing ``path`` byte for byte as it was.

    Raises:
        UserError: the file cannot be written (open in Excel, read-only, folder
            missing or not writable, disk full…), with a message naming it.
    """
    try:
        target = check_target(path)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".xlsx.tmp", dir=Path(path).parent)
        os.close(fd)
    except OSError as exc:
        raise _folder_error(Path(path), exc) from exc
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with contextlib.suppress(OSError):
            # mkstemp makes the file private (0600): keep the replaced file's mode, else the usual one.
            mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except PermissionError as exc:
        tmp.unlink(missing_ok=True)
        raise _busy_error(target) from exc
    except IsADirectoryError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(_("{path} is a folder; choose a file name.").format(path=target)) from exc
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(
            _("{path} could not be written ({reason}); any existing file is unchanged.").format(
                path=target, reason=exc.strerror or exc
            )
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def save_workbook(wb: Workbook, path: str | Path) -> Path:
    """Save the openpyxl workbook ``wb`` safely (see :func:`save_file`)."""
    started: list[bool] = []

    def write(tmp: Path) -> None:
        started.append(True)
        wb.save(tmp)

    try:
        return save_file(path, write)
    except BaseException:
        if not started:  # a write-only workbook's streamed sheets must still be closed
            _discard(wb)
        raise


def _discard(wb: Workbook) -> None:
    """Finish a write-only workbook that will not be saved, so that its streamed sheets close cleanly."""
    with contextlib.suppress(Exception):
        wb.save(io.BytesIO())


def _busy_error(target: Path) -> UserError:
    return UserError(
        _("{path} is open in another program (Excel?) or not writable; close it or choose another name.").format(
            path=target
        )
    )


def _folder_error(target: Path, exc: OSError) -> UserError:
    return UserError(
        _("The folder of {path} cannot be written to ({reason}); choose another folder.").format(
            path=target, reason=exc.strerror or exc
        )
    )
