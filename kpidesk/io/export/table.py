"""The data table export: the data page's rows, as shown, to an ``.xlsx`` sheet streamed
through openpyxl's write-only mode, every cell keeping its type."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from kpidesk import i18n
from kpidesk.core.formatting import format_number
from kpidesk.errors import Cancelled, UserError
from kpidesk.i18n import _, ngettext
from kpidesk.io.excel import to_serials
from kpidesk.io.export.look import CancelledCallback, Look, ProgressCallback, Words
from kpidesk.io.xlsx import (
    LINE_POINTS,
    MAX_ROWS,
    TEXT_PER_UNIT,
    CellStyle,
    StyleBook,
    cell_text,
    check_target,
    clean_text,
    column_cm,
    is_formula_like,
    print_setup,
    save_workbook,
    sheet_title,
    text_cell,
    wrapped_lines,
)
from kpidesk.labels import FIELD_TITLES


def export_table(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    headers: Mapping[str, str] | None = None,
    sheet: str | None = None,
    lang: str | None = None,
    progress: ProgressCallback | None = None,
    cancelled: CancelledCallback | None = None,
) -> Path:
    """Write a table (the data page's rows, already filtered and sorted) to ``path`` (``.xlsx``).

    Cells keep their type: dates are Excel dates, numbers numbers (amounts with two
    decimals), flags booleans, text text (never a formula). The header row is
    frozen and filterable, columns are sized to their content.

    Args:
        frame: the rows, in the order to write them.
        headers: column -> title; missing columns use the translated field title, else their name.
        sheet: the sheet name (default: "Data" translated).
        lang: ``"fr"`` or ``"en"``; None is the app's language (date format and titles).
        progress, cancelled: as for :func:`export_summary`.

    Raises:
        UserError: more rows than a sheet holds, or the file cannot be written.
        Cancelled: the user cancelled; nothing is written.
    """
    words = Words(lang or i18n.language())
    if len(frame) + 1 > MAX_ROWS:
        raise UserError(
            _("The table has {rows} rows; an Excel sheet holds at most {limit}. Filter it first.").format(
                rows=format_number(len(frame), 0, words.lang), limit=format_number(MAX_ROWS - 1, 0, words.lang)
            )
        )
    target = check_target(path, ".xlsx")
    look = Look(words.lang, "EUR")
    wb = Workbook(write_only=True)
    book = StyleBook(wb)
    ws = wb.create_sheet(sheet_title(sheet or words.tr("Data")))
    columns = [_TableColumn.of(str(name), frame[name], look) for name in frame.columns]
    titles = [
        (headers or {}).get(col.name) or (words.tr(FIELD_TITLES[col.name]) if col.name in FIELD_TITLES else col.name)
        for col in columns
    ]
    pairs = zip(titles, columns, strict=True)
    widths = [min(max(look.header.width(t) + 3, col.width * 1.1 + 2, 6.0), 60.0) for t, col in pairs]
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = round(width, 1)
    ws.freeze_panes = "A2"
    print_setup(ws, sum(column_cm(w) for w in widths), header_row=1)
    lines = max((wrapped_lines(t, w * TEXT_PER_UNIT - 1) for t, w in zip(titles, widths, strict=True)), default=1)
    if lines > 1:
        ws.row_dimensions[1].height = lines * LINE_POINTS
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"
    ws.append([text_cell(ws, t, book, look.header) for t in titles])

    values = [col.values for col in columns]
    styles = [col.style for col in columns]
    n = len(frame)
    chunk = 20_000
    try:
        for start in range(0, n, chunk):
            if cancelled is not None and cancelled():
                raise Cancelled()
            if progress is not None:
                progress(
                    0.9 * start / max(n, 1),
                    ngettext("Writing {count} row", "Writing {count} rows", n).format(
                        count=format_number(n, 0, words.lang)
                    ),
                )
            stop = min(start + chunk, n)
            for i in range(start, stop):
                ws.append([_table_cell(ws, book, vals[i], style) for vals, style in zip(values, styles, strict=True)])
        if cancelled is not None and cancelled():
            raise Cancelled()
    except BaseException:
        # Close the half-streamed sheet: its rows go to a temporary file that must not stay open.
        with contextlib.suppress(Exception):
            ws.close()
        raise
    wb.properties.creator = "KPI Desk"
    wb.properties.title = sheet or words.tr("Data")
    return _save(wb, target, progress)


def _table_cell(ws: Any, book: StyleBook, value: Any, style: CellStyle | None) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        # Plain text goes in as a raw value (openpyxl's fast path); text that
        # looks like a formula becomes a guarded cell.
        return text_cell(ws, value, book) if is_formula_like(clean_text(value)) else cell_text(value)
    if style is None:
        return value
    return book.apply(WriteOnlyCell(ws, value), style)


@dataclass
class _TableColumn:
    """One column of a table export: its values as Python objects, their style and shown width."""

    name: str
    values: list[Any]
    style: CellStyle | None
    width: float

    @classmethod
    def of(cls, name: str, series: pd.Series, look: Look) -> _TableColumn:
        sample = _sample(len(series))
        if pd.api.types.is_datetime64_any_dtype(series):
            stamps = series.to_numpy(dtype="datetime64[ns]")
            missing = np.isnat(stamps)
            with_time = bool(np.any(stamps[~missing].astype("datetime64[D]") != stamps[~missing]))
            # Excel serial numbers, computed for the whole column at once.
            serial = to_serials(stamps)
            days = [None if m else float(v) for v, m in zip(serial.tolist(), missing.tolist(), strict=True)]
            key = "datetime" if with_time else "date"
            n = look.numbers[key]
            return cls(name, days, CellStyle(number_format=n.code), 16.0 if with_time else 10.0)
        if str(series.dtype) in ("bool", "boolean"):
            flags = zip(series.to_numpy(dtype=object).tolist(), series.isna().to_numpy().tolist(), strict=True)
            return cls(name, [None if m else bool(v) for v, m in flags], None, 6.0)
        if pd.api.types.is_numeric_dtype(series) and not isinstance(series.dtype, pd.CategoricalDtype):
            numbers = series.to_numpy(dtype="float64", na_value=np.nan)
            finite = np.isfinite(numbers)
            integral = bool(np.all(np.mod(numbers[finite], 1) == 0)) if finite.any() else True
            is_int_dtype = pd.api.types.is_integer_dtype(series.dtype)
            key = "integer" if is_int_dtype else ("count" if integral else "decimal")
            n = look.numbers[key]
            style = CellStyle(number_format=n.code, decimals=n.decimals)
            pairs = zip(numbers.tolist(), finite.tolist(), strict=True)
            values: list[Any] = [(int(v) if is_int_dtype else v) if f else None for v, f in pairs]
            picked = numbers[sample][finite[sample]]
            width = max((style.width(float(v)) for v in picked), default=4.0)
            return cls(name, values, style, width)
        texts = zip(series.to_numpy(dtype=object).tolist(), series.isna().to_numpy().tolist(), strict=True)
        strings: list[Any] = [None if m else (v if isinstance(v, str) else str(v)) for v, m in texts]
        width = max((len(strings[i]) for i in sample.tolist() if strings[i] is not None), default=4)
        return cls(name, strings, None, float(width))


def _sample(n: int, size: int = 2_000) -> np.ndarray:
    """Row positions to estimate a column's width from (all rows of a small table)."""
    if n <= size:
        return np.arange(n)
    return np.linspace(0, n - 1, size).astype(np.int64)


def _save(wb: Workbook, target: Path, progress: ProgressCallback | None) -> Path:
    """Write the finished workbook safely (see :func:`save_workbook`), reporting progress."""
    if progress is not None:
        progress(0.9, _("Saving {file}").format(file=target.name))
    saved = save_workbook(wb, target)
    if progress is not None:
        progress(1.0, _("Exported {file}").format(file=target.name))
    return saved
