"""Writing ``.xlsx`` files safely, through openpyxl's public API: the rules every workbook KPI
Desk writes follows (the summary workbook, the data table, the rejected-rows report).

* text is data, never a formula: a cell whose text starts with ``= + - @`` (or tab /
  carriage return, per OWASP's spreadsheet-injection advice) is stored as a string with
  Excel's quote prefix (:mod:`.text`, :func:`.styles.text_cell`);
* the file is written to a temporary name in the target's folder and renamed over the
  target; a failure or a cancel leaves any existing file whole, and a target open in Excel
  or not writable gives one clear message (:mod:`.save`);
* cells share a few style records (:class:`.styles.CellStyle`), made once per workbook.

A summary sheet is first laid out as a :class:`.layout.Sheet` of (value, style) rows, so
that its columns are sized and its print layout planned before a cell is written
(:mod:`.layout`); :class:`.book.XlsxBook` then has openpyxl write it. Large tables stream
through openpyxl's write-only mode (:class:`.styles.StyleBook`, :func:`.layout.print_setup`,
:func:`.save.save_workbook`).
"""

from __future__ import annotations

from kpidesk.io.xlsx.book import DocumentProperties, XlsxBook
from kpidesk.io.xlsx.layout import (
    LINE_POINTS,
    MAX_ROWS,
    MIN_PRINT_SCALE,
    PAGE_HEIGHT_CM,
    PAGE_WIDTH_CM,
    TEXT_PER_UNIT,
    ConditionalFormat,
    Item,
    PlacedChart,
    PrintLayout,
    Sheet,
    column_cm,
    pages_across,
    print_layout,
    print_setup,
    sheet_title,
    wrapped_lines,
)
from kpidesk.io.xlsx.save import check_target, remove_stale_temporaries, save_file, save_workbook
from kpidesk.io.xlsx.styles import FONT_NAME, PLAIN, CellStyle, Highlight, StyleBook, text_cell
from kpidesk.io.xlsx.text import FORMULA_START, MAX_TEXT, cell_text, clean_text, is_formula_like

__all__ = [
    "FONT_NAME",
    "FORMULA_START",
    "LINE_POINTS",
    "MAX_ROWS",
    "MAX_TEXT",
    "MIN_PRINT_SCALE",
    "PAGE_HEIGHT_CM",
    "PAGE_WIDTH_CM",
    "PLAIN",
    "TEXT_PER_UNIT",
    "CellStyle",
    "ConditionalFormat",
    "DocumentProperties",
    "Highlight",
    "Item",
    "PlacedChart",
    "PrintLayout",
    "Sheet",
    "StyleBook",
    "XlsxBook",
    "cell_text",
    "check_target",
    "clean_text",
    "column_cm",
    "is_formula_like",
    "pages_across",
    "print_layout",
    "print_setup",
    "remove_stale_temporaries",
    "save_file",
    "save_workbook",
    "sheet_title",
    "text_cell",
    "wrapped_lines",
]
