"""A workbook of laid-out sheets written through openpyxl's public API: cells, styles, frozen
panes, sized columns, merged notes, conditional formats, print setup, page breaks and native
charts, then saved safely (:mod:`kpidesk.io.xlsx.save`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, OneCellAnchor
from openpyxl.drawing.xdr import XDRPositiveSize2D
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.pagebreak import Break

from kpidesk.io.xlsx.layout import Sheet, column_cm, print_setup
from kpidesk.io.xlsx.save import save_file
from kpidesk.io.xlsx.styles import Highlight, StyleBook
from kpidesk.io.xlsx.text import clean_text

__all__ = ["DocumentProperties", "XlsxBook"]

#: EMU per centimetre (DrawingML's unit).
_EMU_PER_CM = 360_000


@dataclass(frozen=True)
class DocumentProperties:
    """What File > Properties shows (openpyxl's ``docProps/core.xml``)."""

    title: str = ""
    subject: str = ""
    creator: str = ""
    description: str = ""
    keywords: str = ""
    language: str = ""
    created: dt.datetime | None = None

    def apply(self, wb: Workbook) -> None:
        props = wb.properties
        when = (self.created or dt.datetime.now(dt.UTC).replace(tzinfo=None)).replace(microsecond=0)
        for name, value in (
            ("title", self.title),
            ("subject", self.subject),
            ("creator", self.creator),
            ("description", self.description),
            ("keywords", self.keywords),
            ("language", self.language),
            ("lastModifiedBy", self.creator),
        ):
            setattr(props, name, clean_text(value) or None)
        props.created = props.modified = when


def _cells(ws: Any, sheet: Sheet, book: StyleBook) -> None:
    """Write the rows of ``sheet`` to ``ws``, row after row (openpyxl's quickest path), each
    value as :meth:`StyleBook.cell` makes it: typed, styled, text never a formula."""
    cell = book.cell
    for row in sheet.rows:
        ws.append([None if item is None else cell(ws, *item) for item in row])


def _worksheet(wb: Workbook, sheet: Sheet, widths: Sequence[float], book: StyleBook) -> Any:
    """An openpyxl worksheet holding ``sheet``."""
    ws = wb.create_sheet(sheet.title)
    _cells(ws, sheet, book)
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = round(width, 1)
    heights = sheet.wrapped_heights(widths) | sheet.row_heights
    for r, height in sorted(heights.items()):
        ws.row_dimensions[r].height = round(height, 2)
    if sheet.header_row is not None or sheet.freeze_columns:
        ws.freeze_panes = f"{get_column_letter(sheet.freeze_columns + 1)}{(sheet.header_row or 0) + 1}"
    print_setup(
        ws,
        sum(column_cm(w) for w in widths),
        header_row=sheet.header_row,
        title_columns=sheet.freeze_columns,
        scale=sheet.scale,
    )
    for r, first, last in sheet.merges:
        # The range alone (its first cell holds the note): merge_cells would also restyle
        # the covered cells' borders, which these notes have none of.
        ws.merged_cells.add(CellRange(min_row=r, min_col=first, max_row=r, max_col=last))
    for rule in sheet.conditional:
        if rule.cells:
            for operator, formula, look in rule.rules:
                ws.conditional_formatting.add(
                    rule.cells, Rule(type="cellIs", operator=operator, formula=[formula], dxf=_differential(look))
                )
    for row in sheet.row_breaks:
        ws.row_breaks.append(Break(id=row))
    for column in sheet.column_breaks:
        ws.col_breaks.append(Break(id=column, max=1_048_575))
    for placed in sheet.charts:
        corner = AnchorMarker(col=placed.column, colOff=_emu(placed.column_offset_cm), row=placed.row, rowOff=0)
        placed.chart.anchor = OneCellAnchor(corner, XDRPositiveSize2D(_emu(placed.width_cm), _emu(placed.height_cm)))
        ws.add_chart(placed.chart)
    return ws


def _differential(look: Highlight) -> DifferentialStyle:
    """The look a conditional format gives a cell (Excel's "Good" and "Bad" colours)."""
    return DifferentialStyle(
        font=Font(color=look.font),
        fill=PatternFill(fill_type="solid", start_color=look.fill, end_color=look.fill, bgColor=look.fill),
    )


def _emu(cm: float) -> int:
    return round(cm * _EMU_PER_CM)


class XlsxBook:
    """A workbook of laid-out sheets, saved by openpyxl as one ``.xlsx`` file."""

    def __init__(self, sheets: Sequence[Sheet], properties: DocumentProperties | None = None) -> None:
        self.sheets = list(sheets)
        self.properties = properties or DocumentProperties()

    def save(self, path: str | Path) -> Path:
        """Write the workbook to a temporary file beside ``path``, then rename it over ``path``.

        See :func:`~kpidesk.io.xlsx.save.save_file`: an existing ``path`` is left whole on
        any failure, and a locked or unwritable target gives one clear message.
        """
        return save_file(path, self.write)

    def workbook(self) -> Workbook:
        """The openpyxl workbook of the sheets."""
        wb = Workbook()
        wb.remove(wb.active)
        self.properties.apply(wb)
        book = StyleBook(wb)
        for n, sheet in enumerate(self.sheets):
            ws = _worksheet(wb, sheet, sheet.column_widths(), book)
            if n == 0:
                ws.sheet_view.tabSelected = True  # the tab shown when the file opens
        return wb

    def write(self, file: str | Path | IO[bytes]) -> None:
        """Write the workbook to ``file`` (a path or a binary file open for writing)."""
        self.workbook().save(file)
