"""Cell styles: how a cell looks (:class:`CellStyle`), registered once per workbook through
openpyxl's public style objects (:class:`StyleBook`), and the look of conditional formats."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

from kpidesk.io.xlsx.text import cell_text, clean_text, is_formula_like

#: The workbook's font (openpyxl's default; LibreOffice shows it with the metric-compatible Carlito).
FONT_NAME = "Calibri"


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

    @property
    def number_only(self) -> bool:
        """Whether the style is a number format and nothing else."""
        return not (self.bold or self.italic or self.size or self.color or self.fill or self.wrap) and not (
            self.horizontal or self.vertical or self.border_bottom or self.indent
        )

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


@dataclass(frozen=True)
class Highlight:
    """The look a conditional format gives a cell: font and fill colours (``RRGGBB``)."""

    font: str
    fill: str


class StyleBook:
    """The cell styles of one workbook: each :class:`CellStyle` is registered once as a hidden
    named style (openpyxl's public :class:`~openpyxl.styles.NamedStyle`, its documented way of
    styling many cells alike), which every cell of that style then takes by name. A style
    that is a number format alone is set as such."""

    def __init__(self, wb: Workbook) -> None:
        self._wb = wb
        self._names: dict[CellStyle, str] = {}

    def name(self, style: CellStyle) -> str:
        """The name of ``style``'s named style in the workbook, registered on first use."""
        found = self._names.get(style)
        if found is None:
            found = f"KPI Desk {len(self._names) + 1}"
            named = NamedStyle(name=found, number_format=style.number_format, hidden=True)
            if style.bold or style.italic or style.size or style.color:
                # The name is given: without it LibreOffice falls back to a serif font.
                named.font = Font(
                    name=FONT_NAME, size=style.size or 11, bold=style.bold, italic=style.italic, color=style.color
                )
            if style.fill:
                named.fill = PatternFill(fill_type="solid", start_color=style.fill, end_color=style.fill)
            if style.wrap or style.horizontal or style.vertical or style.indent:
                named.alignment = Alignment(
                    wrap_text=style.wrap or None,
                    horizontal=style.horizontal,
                    vertical=style.vertical,
                    indent=style.indent,
                )
            if style.border_bottom:
                named.border = Border(bottom=Side(style="thin", color="7F7F7F"))
            self._wb.add_named_style(named)
            self._names[style] = found
        return found

    def apply(self, cell: Any, style: CellStyle | None, quote: bool = False) -> Any:
        """Give ``cell`` the look of ``style`` (and Excel's quote prefix when ``quote``); returns it."""
        if style is not None and style is not PLAIN:
            if style.number_only:
                cell.number_format = style.number_format
            else:
                cell.style = self.name(style)
        if quote:
            cell.quotePrefix = True
        return cell

    def cell(self, ws: Any, value: Any, style: CellStyle | None = None) -> Any:
        """What to append to a row (of any worksheet, write-only too) for ``value`` in
        ``style``: a styled cell, or the plain value; NaN and infinities are left empty.

        Plain values (unstyled numbers, text that cannot be read as a formula) go in as they
        are, openpyxl's cheapest path; an empty cell is only written when its style shows (a fill).
        """
        plain = style is None or style is PLAIN
        if isinstance(value, str):
            if plain and not is_formula_like(clean_text(value)):
                return cell_text(value)
            return text_cell(ws, value, self, style)
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        if plain or style is None or (value is None and style.fill is None):
            return value
        return self.apply(WriteOnlyCell(ws, value), style)


def text_cell(ws: Any, text: str, book: StyleBook | None = None, style: CellStyle | None = None) -> Any:
    """A cell (to append to a row) holding ``text`` as text, whatever it starts with.

    openpyxl turns a value starting with ``=`` into a formula; the data type is set back
    to a string, so the file holds ``<is><t>=…</t></is>`` and no ``<f>``. Such cells also
    get Excel's quote prefix (the hidden ``'``) so that editing the cell in Excel does not
    turn it into a formula either.
    """
    guarded = is_formula_like(clean_text(text))
    cell = WriteOnlyCell(ws, cell_text(text))
    if guarded:
        cell.data_type = "s"
    if book is not None:
        book.apply(cell, style, quote=guarded)
    elif guarded:
        cell.quotePrefix = True
    return cell
