"""The summary workbook's ``.xlsx`` file, written by openpyxl from sheets laid out in memory.

openpyxl writes the whole package: the workbook, its styles (each
:class:`~kpidesk.io.workbook.CellStyle` registered once through openpyxl's style
arrays), theme, document properties, and each worksheet's frozen panes, sized
columns, merged notes, conditional formats, print setup, page breaks and native
charts (:mod:`openpyxl.chart`, placed with openpyxl's drawing anchors).

Only the rows of cells are not built as openpyxl ``Cell`` objects: openpyxl keeps
an object per cell and serialises each through an element tree, which is most of
the time of a summary of a few thousand styled cells. Each sheet's rows are
rendered here as the ``<row>``/``<c>`` text openpyxl itself writes (style ids from
openpyxl's own style list; text as inline strings, never a formula, Excel's quote
prefix on text that looks like one) and handed to openpyxl's worksheet writer in
place of its cell loop (:class:`_LaidOutSheetWriter`).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, OneCellAnchor, SpreadsheetDrawing
from openpyxl.drawing.xdr import XDRPositiveSize2D
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.worksheet.pagebreak import Break
from openpyxl.writer.excel import ExcelWriter

from kpidesk.io.workbook import (
    CellStyle,
    Highlight,
    Sheet,
    StyleBook,
    clean_text,
    column_cm,
    is_formula_like,
    print_setup,
    save_file,
)

__all__ = ["DocumentProperties", "XlsxBook", "xml_attribute", "xml_escape", "xml_text"]

#: Deflate level of the parts: 1 compresses this XML to about a tenth, several times
#: faster than the default 6, for a file a few percent larger.
COMPRESSION_LEVEL = 1

#: Characters XML 1.0 cannot hold at all (controls, lone surrogates, U+FFFE/U+FFFF).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Text Excel would read as an escaped character (``_x0041_`` is "A"): its ``_`` is escaped.
_EXCEL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")

#: EMU per centimetre (DrawingML's unit).
_EMU_PER_CM = 360_000

#: Stands for a sheet's rows in the XML openpyxl writes, until they are put in its place.
_ROWS_MARK = "@@kpidesk-rows@@"


def xml_escape(text: str) -> str:
    """``text`` as the content of an XML element: ``& < >`` escaped, a carriage return as a
    character reference (a literal one is read back as a line feed), and the characters
    XML 1.0 cannot hold removed."""
    if not text.isprintable():
        text = _XML_ILLEGAL.sub("", text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def xml_text(text: str) -> str:
    """The text of a cell as XML (:func:`xml_escape`), with what Excel would read as an
    escaped character (``_x0041_`` is "A") kept literal: its ``_`` escaped as ``_x005F_``."""
    text = xml_escape(text)
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(r"_x005F_\1", text)
    return text


def xml_attribute(text: str) -> str:
    """``text`` as an XML attribute value between double quotes."""
    if not text.isprintable():
        text = _XML_ILLEGAL.sub("", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def _size(value: float) -> str:
    """A width or height: at most 2 decimals, no trailing zeros."""
    return f"{round(value, 2):g}"


# -- styles ------------------------------------------------------------------------------------


class Styles:
    """The ``s`` attribute of each :class:`CellStyle`: its index in openpyxl's list of cell
    formats (``cellXfs``), registered through :class:`~kpidesk.io.workbook.StyleBook`."""

    def __init__(self, wb: Workbook) -> None:
        self._wb = wb
        self._book = StyleBook(wb)
        self._attributes: dict[tuple[CellStyle, bool], str] = {}

    def attribute(self, style: CellStyle, quote: bool = False) -> str:
        """The ``s`` attribute of a cell in ``style`` (``' s="3"'``; "" for the default format)."""
        key = (style, quote)
        found = self._attributes.get(key)
        if found is None:
            index = self._wb._cell_styles.add(self._book.array(style, quote))
            found = self._attributes[key] = f' s="{index}"' if index else ""
        return found


# -- document properties ----------------------------------------------------------------------


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


# -- worksheets --------------------------------------------------------------------------------


def _letters(n: int) -> list[str]:
    """Column letters of columns 1..n (index 0 unused)."""
    return ["", *(get_column_letter(j) for j in range(1, n + 1))]


def _cell_xml(ref: str, value: Any, style: CellStyle, styles: Styles) -> str:
    """One ``<c>`` element, or "" for a cell with nothing to show.

    Numbers are written with ``repr`` (the shortest text that reads back as the same
    float); dates as Excel serial numbers (their style has a date format).
    """
    kind = type(value)
    if kind is float:
        if value - value == 0.0:  # finite: NaN and infinities are left empty
            return f'<c r="{ref}"{styles.attribute(style)}><v>{value!r}</v></c>'
        value = None
    elif kind is str:
        return f'<c r="{ref}"{_text_cell_rest(value, style, styles)}'
    if value is None:
        return f'<c r="{ref}"{styles.attribute(style)}/>' if style.fill else ""
    if kind is int:
        return f'<c r="{ref}"{styles.attribute(style)}><v>{value}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{styles.attribute(style)} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.date | dt.datetime):
        return f'<c r="{ref}"{styles.attribute(style)}><v>{float(to_excel(value))!r}</v></c>'
    if isinstance(value, int):  # numpy integers and other integrals
        return _cell_xml(ref, int(value), style, styles)
    if isinstance(value, float):  # numpy floats
        return _cell_xml(ref, float(value), style, styles)
    return _cell_xml(ref, str(value), style, styles)


def _text_cell_rest(value: str, style: CellStyle, styles: Styles) -> str:
    """A text cell's ``<c>`` element after its reference: style, inline string, end tag.

    The same text in the same style gives the same element (a KPI's name on every row of a
    breakdown): :func:`sheet_xml` keeps them.
    """
    text = clean_text(value)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'{styles.attribute(style, is_formula_like(text))} t="inlineStr"><is><t{space}>{xml_text(text)}</t></is></c>'


def rows_xml(
    sheet: Sheet, styles: Styles, widths: Sequence[float], texts: dict[tuple[str, CellStyle], str] | None = None
) -> tuple[str, str]:
    """The ``<row>`` elements of ``sheet`` and the range they cover (``A1:F40``).

    Rows holding wrapped text get the height of their lines (LibreOffice does not size
    them when it opens the file); ``texts`` keeps text cells already rendered (the same
    KPI name on every row of a breakdown), shared by the sheets of a workbook.
    """
    if texts is None:
        texts = {}
    heights = sheet.wrapped_heights(widths) | sheet.row_heights
    last_column = max([len(widths), *(len(row) for row in sheet.rows)])
    letters = _letters(max(last_column, 1))
    parts = []
    cell, attribute = _cell_xml, styles.attribute
    for r, row in enumerate(sheet.rows, start=1):
        height = heights.get(r)
        cells = []
        for j, item in enumerate(row, start=1):
            if item is None:
                continue
            value, style = item
            kind = type(value)
            # The usual cells, inlined: a finite number, a text.
            if kind is float and value - value == 0.0:
                cells.append(f'<c r="{letters[j]}{r}"{attribute(style)}><v>{value!r}</v></c>')
            elif kind is str:
                rest = texts.get((value, style))
                if rest is None:
                    rest = texts[(value, style)] = _text_cell_rest(value, style, styles)
                cells.append(f'<c r="{letters[j]}{r}"{rest}')
            else:
                cells.append(cell(f"{letters[j]}{r}", value, style, styles))
        body = "".join(cells)
        if height is not None:
            parts.append(f'<row r="{r}" ht="{_size(height)}" customHeight="1">{body}</row>')
        elif body:
            parts.append(f'<row r="{r}">{body}</row>')
    end = f"{letters[last_column]}{len(sheet.rows)}" if sheet.rows and last_column else "A1"
    return "".join(parts), ("A1" if end == "A1" else f"A1:{end}")


def _worksheet(wb: Workbook, sheet: Sheet, widths: Sequence[float]) -> Any:
    """An openpyxl worksheet with everything of ``sheet`` but its cells."""
    ws = wb.create_sheet(sheet.title)
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = round(width, 1)
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
        # A range only: openpyxl's merge_cells would create cells this writer does not use.
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
        placed.chart.anchor = OneCellAnchor(
            _from=AnchorMarker(col=placed.column, colOff=_emu(placed.column_offset_cm), row=placed.row, rowOff=0),
            ext=XDRPositiveSize2D(_emu(placed.width_cm), _emu(placed.height_cm)),
        )
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


class _LaidOutSheetWriter(WorksheetWriter):  # type: ignore[misc]
    """openpyxl's worksheet writer with the rows rendered by :func:`rows_xml` in place of
    its loop over ``Cell`` objects (and their range as the sheet's dimension)."""

    def __init__(self, ws: Any, rows: str, extent: str) -> None:
        super().__init__(ws)
        self._rows, self._extent = rows, extent

    def write_dimensions(self) -> None:
        self.xf.send(SheetDimension(self._extent).to_tree())

    def write_rows(self) -> None:
        xf = self.xf.send(True)
        with xf.element("sheetData"):
            xf.write(_ROWS_MARK)
        self.xf.send(None)  # hands control back to openpyxl's generator

    def write(self) -> None:
        super().write()
        path = Path(self.out)
        xml = path.read_text(encoding="utf-8")
        if xml.count(_ROWS_MARK) != 1:
            raise RuntimeError("openpyxl wrote the sheet's rows in an unexpected form")
        path.write_text(xml.replace(_ROWS_MARK, self._rows), encoding="utf-8")


class _Writer(ExcelWriter):  # type: ignore[misc]
    """openpyxl's package writer; the laid-out sheets go through :class:`_LaidOutSheetWriter`."""

    def __init__(self, wb: Workbook, archive: zipfile.ZipFile, rows: dict[int, tuple[str, str]]) -> None:
        super().__init__(wb, archive)
        self._laid_out = rows

    def write_worksheet(self, ws: Any) -> None:
        found = self._laid_out.get(id(ws))
        if found is None:
            super().write_worksheet(ws)
            return
        # As openpyxl's own write_worksheet, with the writer of laid-out rows.
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _LaidOutSheetWriter(ws, *found)
        writer.write()
        ws._rels = writer._rels
        self._archive.write(writer.out, ws.path[1:])
        self.manifest.append(ws)
        writer.cleanup()


# -- the workbook -------------------------------------------------------------------------------


class XlsxBook:
    """A workbook of laid-out sheets, saved by openpyxl as one ``.xlsx`` file."""

    def __init__(self, sheets: Sequence[Sheet], properties: DocumentProperties | None = None) -> None:
        self.sheets = list(sheets)
        self.properties = properties or DocumentProperties()

    def save(self, path: str | Path) -> Path:
        """Write the workbook to a temporary file beside ``path``, then rename it over ``path``.

        See :func:`~kpidesk.io.workbook.save_file`: an existing ``path`` is left whole on
        any failure, and a locked or unwritable target gives one clear message.
        """
        return save_file(path, self.write)

    def write(self, file: str | Path | IO[bytes]) -> None:
        """Write the workbook to ``file`` (a path or a binary file open for writing)."""
        wb = Workbook()
        wb.remove(wb.active)
        self.properties.apply(wb)
        styles = Styles(wb)
        texts: dict[tuple[str, CellStyle], str] = {}
        rows: dict[int, tuple[str, str]] = {}
        for n, sheet in enumerate(self.sheets):
            widths = sheet.column_widths()
            ws = _worksheet(wb, sheet, widths)
            if n == 0:
                ws.sheet_view.tabSelected = True  # the tab shown when the file opens
            rows[id(ws)] = rows_xml(sheet, styles, widths, texts)
        with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION_LEVEL) as archive:
            _Writer(wb, archive, rows).write_data()
