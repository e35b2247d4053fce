"""The summary workbook a manager sends to the board (SPEC §6), and the data table as ``.xlsx``.

:func:`export_summary` writes, from the same engine results the window shows:

* **Synthèse / Summary** - each KPI over the whole range: value, unit, comparison,
  change, target, attainment, and a note (unavailable, low confidence…);
* **Tendances / Trends** - the KPI × period table, the comparison periods below
  it, and a native Excel line chart per main KPI (with its comparison series);
* one **Par … / By …** sheet per breakdown dimension - each KPI for the whole
  range, the total then every member (the salesperson leaderboard);
* **Définitions / Definitions** - id, name, formula, data used;
* **Paramètres / Settings** - range, grain, comparison, filters, database, generated at.

:func:`export_table` writes the data page's current table with typed cells.

Both follow :mod:`kpidesk.io.workbook`: formula-proof text, shared styles, a
temporary file renamed into place. The summary's sheets are laid out in memory
and written by openpyxl (:mod:`kpidesk.io.xlsx`: its charts built with
openpyxl's chart module, each sheet's rows rendered at once); the table streams
through openpyxl's write-only mode.
Percent values (0–100 in the engine) are written as real Excel percentages (a
fraction with a ``%`` format), so that ``12,5 %`` in a cell is the number 0.125,
as Excel users expect.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import LineChart, Reference, Series
from openpyxl.chart.marker import Marker
from openpyxl.chart.series import SeriesLabel, StrRef
from openpyxl.utils import get_column_letter, quote_sheetname

from kpidesk import __version__, i18n
from kpidesk.core import catalog
from kpidesk.core.catalog import THEME_NAMES, KpiDef
from kpidesk.core.engine import ADDITIVE, Engine, KpiRow, Query, Result, implemented
from kpidesk.core.formatting import CURRENCY_SYMBOLS, format_date, format_number, format_value, relative_change
from kpidesk.core.kinds import DIMENSIONS
from kpidesk.core.periods import Period, range_period, shift, shift_range
from kpidesk.core.targets import attainment
from kpidesk.errors import Cancelled, UserError
from kpidesk.i18n import _
from kpidesk.io.workbook import (
    LINE_POINTS,
    MAX_ROWS,
    MIN_PRINT_SCALE,
    PAGE_HEIGHT_CM,
    PAGE_WIDTH_CM,
    PLAIN,
    TEXT_PER_UNIT,
    CellStyle,
    ConditionalFormat,
    Highlight,
    Item,
    PlacedChart,
    Sheet,
    StyleBook,
    check_target,
    column_cm,
    is_formula_like,
    print_setup,
    save_workbook,
    sheet_title,
    text_cell,
    wrapped_lines,
)
from kpidesk.io.xlsx import DocumentProperties, XlsxBook
from kpidesk.labels import (
    COMPARISON_LABELS,
    DIMENSION_LABELS,
    DIRECTION_LABELS,
    FIELD_TITLES,
    GRAIN_LABELS,
    KIND_TITLES,
    UNIT_LABELS,
)

__all__ = ["MAIN_KPIS", "CancelledCallback", "ProgressCallback", "export_summary", "export_table"]

ProgressCallback = Callable[[float, str], None]
CancelledCallback = Callable[[], bool]

#: KPIs drawn as line charts on the Trends sheet, when implemented and available.
MAIN_KPIS: tuple[str, ...] = (
    "revenue", "sales_count", "average_order_value", "new_customers", "active_customers",
    "retention_rate", "leads", "win_rate", "pipeline_value", "cac", "nps",
)  # fmt: skip

#: Member names (products…) longer than this wrap in their column.
_MEMBER_WIDTH = 40

#: The header row of every table sheet (rows above: title, subtitle, blank).
HEADER_ROW = 4

_NBSP = "\u00a0"
_GOOD = Highlight(font="006100", fill="C6EFCE")  # Excel's "Good" cell style
_BAD = Highlight(font="9C0006", fill="FFC7CE")  # Excel's "Bad" cell style
_MUTED = "7F7F7F"
_HEADER_FILL = "DCE6F1"
_TOTAL_FILL = "F2F2F2"
_MAIN_COLOUR = "1F4E79"
_COMPARISON_COLOUR = "A6A6A6"

# Chart geometry: sizes in centimetres of the sheet; the chart area's rows are 15 pt high.
_CHART_MAX_WIDTH_CM = 16.0
_CHART_MIN_WIDTH_CM = 9.0
_ROW_POINTS = 15.0


# -- language and formats -----------------------------------------------------------------------


class _Words:
    """Translations in the export's language.

    Not the global ``_()``: the window may export in a language of its own choosing
    on a worker thread, and the global language must not change under its feet.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._catalogue: Mapping[str, str] = {} if lang == "en" else i18n.catalogue(lang)

    def tr(self, message: str) -> str:
        return self._catalogue.get(message) or message

    def date(self, day: dt.date) -> str:
        return format_date(day, self.lang)

    def lower_first(self, text: str) -> str:
        return text[:1].lower() + text[1:]


@dataclass(frozen=True)
class _Number:
    """A number format and how wide its numbers show."""

    code: str
    decimals: int = 0
    scale: float = 1.0
    affix: int = 0


def _number_formats(lang: str, symbol: str) -> dict[str, _Number]:
    """The Excel number formats of the export; the reader's Excel or Calc applies its own separators."""
    fr = lang == "fr"
    sp = f'"{_NBSP}"' if fr else ""
    if fr:
        money0, money2 = f'#,##0"{_NBSP}{symbol}"', f'#,##0.00"{_NBSP}{symbol}"'
    elif len(symbol) == 1:
        money0, money2 = f'"{symbol}"#,##0', f'"{symbol}"#,##0.00'
    else:
        money0, money2 = f'"{symbol} "#,##0', f'"{symbol} "#,##0.00'
    day = f'0.0"{_NBSP}j"' if fr else '0.0" d"'
    affix = len(symbol) + 1
    return {
        "currency0": _Number(money0, 0, 1.0, affix),
        "currency2": _Number(money2, 2, 1.0, affix),
        "percent": _Number(f"0.0{sp}%", 1, 100.0, 2),
        "change": _Number(f"+0.0{sp}%;-0.0{sp}%;0.0{sp}%", 1, 100.0, 3),
        "attainment": _Number(f"0{sp}%", 0, 100.0, 2),
        "days": _Number(day, 1, 1.0, 2),
        "count": _Number("#,##0"),
        "decimal": _Number("#,##0.00", 2),
        "integer": _Number("0"),
        "score": _Number("0.0", 1),
        "ratio": _Number("0.00", 2),
        "date": _Number("dd/mm/yyyy" if fr else "yyyy-mm-dd", 0, 1.0, 0),
        "datetime": _Number("dd/mm/yyyy hh:mm" if fr else "yyyy-mm-dd hh:mm", 0, 1.0, 0),
    }


def _value_format(definition: KpiDef) -> str:
    unit = definition.unit
    if unit == "currency":
        # Sums read best in whole units; averages and costs keep their cents.
        return "currency0" if definition.id in ADDITIVE else "currency2"
    return {"count": "count", "percent": "percent", "days": "days", "score": "score", "ratio": "ratio"}[unit]


def _cell_value(definition: KpiDef, value: float | None) -> float | None:
    """A KPI value as written to a cell: percents as fractions of 1."""
    if value is None or not math.isfinite(value):
        return None
    return value / 100.0 if definition.unit == "percent" else float(value)


class _Look:
    """The cell styles of the export, built once per workbook."""

    def __init__(self, lang: str, symbol: str) -> None:
        self.numbers = _number_formats(lang, symbol)
        self.title = CellStyle(bold=True, size=14, fit=False)
        self.subtitle = CellStyle(italic=True, color="595959", wrap=True, vertical="top", fit=False)
        self.section = CellStyle(bold=True, fit=False)
        self.header = CellStyle(
            bold=True, fill=_HEADER_FILL, wrap=True, vertical="center", horizontal="center", border_bottom=True
        )
        self.text = PLAIN
        self.bold = CellStyle(bold=True)
        self.total_text = CellStyle(bold=True, fill=_TOTAL_FILL)
        self.muted = CellStyle(italic=True, color=_MUTED)
        self.note = CellStyle(italic=True, color=_MUTED, wrap=True, vertical="top", fit=False)
        self.wrapped = CellStyle(wrap=True, vertical="top")
        self.wrapped_text = CellStyle(wrap=True)
        self.unit = CellStyle(horizontal="center")
        self.top = CellStyle(vertical="top")
        self._cache: dict[tuple[str, bool, bool, bool], CellStyle] = {}

    def number(self, key: str, *, bold: bool = False, muted: bool = False, total: bool = False) -> CellStyle:
        found = self._cache.get((key, bold, muted, total))
        if found is None:
            n = self.numbers[key]
            found = CellStyle(
                number_format=n.code,
                decimals=n.decimals,
                scale=n.scale,
                affix=n.affix,
                bold=bold or total,
                italic=muted,
                color=_MUTED if muted else None,
                fill=_TOTAL_FILL if total else None,
            )
            self._cache[(key, bold, muted, total)] = found
        return found


# -- the summary workbook -----------------------------------------------------------------------


def export_summary(
    engine: Engine,
    query: Query,
    path: str | Path,
    *,
    by: Sequence[str] = (),
    database: str = "",
    lang: str | None = None,
    currency: str | None = None,
    progress: ProgressCallback | None = None,
    cancelled: CancelledCallback | None = None,
) -> Path:
    """Write the summary workbook of ``query`` to ``path`` (``.xlsx``).

    Args:
        engine: the company's engine (the one the window shows).
        query: range, grain, comparison, filters and KPIs (None: every implemented KPI);
            its ``by`` is ignored: breakdowns are ``by``.
        path: the workbook to write; an existing file is replaced only once the new
            one is complete.
        by: the dimensions to break the KPIs down by, one sheet each.
        database: the database file, shown on the Settings sheet.
        lang: ``"fr"`` or ``"en"``; None is the app's language.
        currency: ISO code of the amounts; None is the company's.
        progress: called with (fraction 0..1, message).
        cancelled: polled; when it returns True the export stops, raising
            :class:`~kpidesk.errors.Cancelled`, and nothing is written.

    Returns:
        The path written.

    Raises:
        UserError: a bad dimension, or the file cannot be written (with a message
            naming it); any existing file is left whole.
        Cancelled: the user cancelled.
    """
    words = _Words(lang or i18n.language())
    target = check_target(path, ".xlsx")
    dimensions = list(dict.fromkeys(by))
    for dimension in dimensions:
        if dimension not in DIMENSIONS:
            raise UserError(
                _("Unknown dimension '{dimension}'. The dimensions are: {dimensions}.").format(
                    dimension=dimension, dimensions=", ".join(DIMENSIONS)
                )
            )

    def step(fraction: float, message: str) -> None:
        if cancelled is not None and cancelled():
            raise Cancelled()
        if progress is not None:
            progress(fraction, message)

    whole = replace(query, by=None)
    step(0.0, _("Computing the KPIs"))
    breakdowns: list[tuple[str, Result]] = []
    for i, dimension in enumerate(dimensions):
        label = words.lower_first(_(DIMENSION_LABELS[dimension]))
        step(0.5 * i / len(dimensions), _("Breaking down by {dimension}").format(dimension=label))
        breakdowns.append((dimension, engine.summary(replace(query, by=dimension))))
    # A breakdown's result holds the whole range's rows too (member None): the Summary's.
    summary = breakdowns[0][1] if breakdowns else engine.summary(whole)
    step(0.5, _("Computing the trends"))
    trends = engine.compute(whole)
    step(0.7, _("Writing the workbook"))

    code = currency or engine.settings.currency
    symbol = CURRENCY_SYMBOLS.get(code, code)
    context = _Context(engine, query, summary, trends, words, _Look(words.lang, symbol), code, symbol, database)
    sheets = [_summary_sheet(context), _trends_sheet(context)]
    for dimension, result in breakdowns:
        sheets.append(_breakdown_sheet(context, dimension, result, [s.title for s in sheets]))
    sheets.append(_definitions_sheet(context))
    sheets.append(_settings_sheet(context, dimensions))
    # The last chance to cancel: the sheets are then written and saved in one go (a
    # fraction of the time).
    step(0.75, _("Writing the workbook"))
    book = XlsxBook(sheets, _document_properties(context))
    if progress is not None:
        progress(0.9, _("Saving {file}").format(file=target.name))
    saved = book.save(target)
    if progress is not None:
        progress(1.0, _("Exported {file}").format(file=target.name))
    return saved


@dataclass
class _Context:
    engine: Engine
    query: Query
    summary: Result
    trends: Result
    words: _Words
    look: _Look
    currency: str
    symbol: str
    database: str

    @property
    def lang(self) -> str:
        return self.words.lang

    def kpis(self) -> list[KpiDef]:
        """The exported KPIs, in catalogue order (those the engine computed)."""
        seen = dict.fromkeys(r.kpi for r in self.summary.rows)
        return [catalog.get(k) for k in seen]

    def company(self) -> str:
        return self.engine.settings.company_name.strip()

    @cached_property
    def first_day(self) -> dt.date | None:
        span = self.engine.data_range()
        return None if span is None else span[0]

    def has_data_before(self, end: dt.date) -> bool:
        """Whether any row is dated before ``end`` (exclusive).

        A comparison period that ends before the first row has no data: its
        values are left empty rather than shown as 0.
        """
        return self.first_day is not None and self.first_day < end

    @cached_property
    def comparison_known(self) -> bool:
        """Whether the whole range's comparison period holds any data."""
        if self.query.compare == "none":
            return False
        compared = shift_range(range_period(self.summary.start, self.summary.end), self.query.compare)
        return self.has_data_before(compared.end)

    def heading(self, sheet: Sheet, title: str, subtitle: str, span: int) -> None:
        """Rows 1-3: the title (company and sheet), the subtitle (within ``span`` columns), a blank row."""
        company = self.company()
        sheet.add((f"{company} — {title}" if company else title, self.look.title))
        sheet.add_note(subtitle, self.look.subtitle, span)
        sheet.add()

    def range_text(self) -> str:
        w = self.words
        text = w.tr("From {start} to {end}").format(start=w.date(self.summary.start), end=w.date(self.summary.end))
        if self.query.compare != "none":
            compared = shift_range(range_period(self.summary.start, self.summary.end), self.query.compare)
            text += " · " + w.tr("compared with: {comparison}, {start} to {end}").format(
                comparison=w.lower_first(w.tr(COMPARISON_LABELS[self.query.compare])),
                start=w.date(compared.start),
                end=w.date(compared.end - dt.timedelta(days=1)),
            )
        filters = self.filters_text()
        if filters:
            text += " · " + w.tr("Filters: {filters}").format(filters=filters)
        return text

    def filters_text(self) -> str:
        w = self.words
        parts = []
        for dimension, members in self.query.filters.items():
            label = w.tr(DIMENSION_LABELS.get(dimension, dimension))
            parts.append(f"{label}{_NBSP if self.lang == 'fr' else ''}: {', '.join(sorted(members, key=str.casefold))}")
        return "; ".join(parts)

    def unit_text(self, definition: KpiDef) -> str:
        if definition.unit == "currency":
            return self.symbol
        if definition.unit == "percent":
            return "%"
        return self.words.tr(UNIT_LABELS[definition.unit])

    def unavailable_note(self, definition: KpiDef) -> str:
        w = self.words
        missing = [k for k in definition.needs if not self.engine.has(k)]
        if missing:
            kinds = ", ".join(w.lower_first(w.tr(KIND_TITLES[k])) for k in missing)
            return w.tr("No {kinds} data imported").format(kinds=kinds)
        if definition.id not in implemented():
            return w.tr("Not computed by this version")
        return w.tr("Not available with the current filters")

    def notes(self, definition: KpiDef, row: KpiRow) -> str:
        w = self.words
        if row.unavailable:
            return self.unavailable_note(definition)
        notes = []
        if row.value is None:
            notes.append(w.tr("Undefined (nothing to divide by)"))
        if row.low_confidence:
            if row.base is not None:
                notes.append(w.tr("Low confidence: base of {count}").format(count=row.base))
            else:
                notes.append(w.tr("Low confidence"))
        if row.provisional:
            notes.append(w.tr("Provisional"))
        median = row.extra.get("median")
        if median is not None:
            notes.append(
                w.tr("Median: {value}").format(value=format_value(median, definition.unit, self.lang, self.currency))
            )
        return "; ".join(notes)


def _attainment(definition: KpiDef, value: float | None, target: float | None) -> float | None:
    """Actual ÷ target as a fraction of 1 (Excel percent), inverted for lower-is-better KPIs."""
    percent = attainment(definition, value, target)
    return None if percent is None or not math.isfinite(percent) else percent / 100.0


def _change(value: float | None, comparison: float | None) -> float | None:
    change = relative_change(value, comparison)
    return None if change is None or not math.isfinite(change) else change / 100.0


class _Colours:
    """Cells whose green/red colouring depends on the KPI's direction: grouped into ranges."""

    def __init__(self) -> None:
        self.cells: dict[str, list[tuple[int, int]]] = {"higher": [], "lower": [], "target": []}

    def add(self, group: str, row: int, column: int) -> None:
        self.cells[group].append((row, column))

    def formats(self) -> list[ConditionalFormat]:
        """The conditional formats of the cells: green when better, red when worse."""
        higher, lower, target = (_ranges(self.cells[g]) for g in ("higher", "lower", "target"))
        out = []
        if higher:
            out.append(ConditionalFormat(higher, (("greaterThan", "0", _GOOD), ("lessThan", "0", _BAD))))
        if lower:
            out.append(ConditionalFormat(lower, (("lessThan", "0", _GOOD), ("greaterThan", "0", _BAD))))
        if target:
            out.append(ConditionalFormat(target, (("greaterThanOrEqual", "1", _GOOD), ("lessThan", "1", _BAD))))
        return out


def _ranges(cells: list[tuple[int, int]]) -> str:
    """``A1:A3 A5`` for cells given as (row, column): runs of rows merged per column."""
    parts: list[str] = []
    by_column: dict[int, list[int]] = {}
    for row, column in cells:
        by_column.setdefault(column, []).append(row)
    for column, rows in sorted(by_column.items()):
        letter = get_column_letter(column)
        rows.sort()
        start = prev = rows[0]
        for r in [*rows[1:], None]:
            if r is not None and r == prev + 1:
                prev = r
                continue
            parts.append(f"{letter}{start}" if start == prev else f"{letter}{start}:{letter}{prev}")
            if r is not None:
                start = prev = r
    return " ".join(parts)


# -- Summary ----------------------------------------------------------------------------------------


def _summary_sheet(c: _Context) -> Sheet:
    w, look = c.words, c.look
    sheet = Sheet(sheet_title(w.tr("Summary")), header_row=HEADER_ROW, freeze_columns=2, max_width=48)
    c.heading(sheet, w.tr("KPI summary"), c.range_text(), 9)
    headers = [
        w.tr("Theme"),
        w.tr("KPI"),
        w.tr("Value"),
        w.tr("Unit"),
        w.tr("Comparison"),
        w.tr("Change"),
        w.tr("Target"),
        w.tr("Attainment"),
        w.tr("Note"),
    ]
    sheet.add(*[(h, look.header) for h in headers])
    colours = _Colours()
    rows = {r.kpi: r for r in c.summary.rows if r.member is None}
    for definition in c.kpis():
        row = rows[definition.id]
        r = len(sheet.rows) + 1
        theme = THEME_NAMES[definition.theme].get(c.lang, THEME_NAMES[definition.theme]["en"])
        sheet.add(
            (theme, look.text),
            (definition.name(c.lang), look.text),
            *_value_items(c, definition, row, colours, r, first_column=3, unit=True),
        )
    sheet.widths[9] = 44.0
    sheet.conditional.extend(colours.formats())
    return sheet


def _value_items(
    c: _Context,
    d: KpiDef,
    row: KpiRow,
    colours: _Colours,
    r: int,
    *,
    first_column: int,
    unit: bool,
    share_column: bool = False,
    share: float | None = None,
    total: bool = False,
) -> list[Item]:
    """Value, [unit], [share of total], comparison, change, target, attainment, note of one KPI row."""
    look = c.look
    fmt = _value_format(d)
    items: list[Item] = []
    col = first_column
    if row.unavailable:
        items.append((c.words.tr("Unavailable"), look.muted))
        if unit:
            items.append((c.unit_text(d), look.unit))
        if share_column:
            items.append(None)
        items.extend([None, None, None, None, (c.notes(d, row), look.note)])
        return items
    items.append((_cell_value(d, row.value), look.number(fmt, muted=row.low_confidence, total=total)))
    col += 1
    if unit:
        items.append((c.unit_text(d), look.unit))
        col += 1
    if share_column:
        items.append((share, look.number("percent", total=total)))
        col += 1
    comparison = row.comparison if c.comparison_known else None
    items.append((_cell_value(d, comparison), look.number(fmt, total=total)))
    col += 1
    change = _change(row.value, comparison)
    items.append((change, look.number("change", total=total)))
    if change is not None and d.direction != "neutral":
        colours.add(d.direction, r, col)
    col += 1
    items.append((_cell_value(d, row.target), look.number(fmt, total=total)))
    col += 1
    attainment = _attainment(d, row.value, row.target)
    items.append((attainment, look.number("attainment", total=total)))
    if attainment is not None and d.direction != "neutral":
        colours.add("target", r, col)
    notes = c.notes(d, row)
    items.append((notes, look.note) if notes else None)
    return items


# -- Trends -----------------------------------------------------------------------------------------


def _trends_sheet(c: _Context) -> Sheet:
    w, look = c.words, c.look
    result = c.trends
    plist = result.periods
    if len(plist) + 2 > 16_384:
        raise UserError(_("Too many periods for one sheet; choose a coarser grain."))
    grain = w.lower_first(w.tr(GRAIN_LABELS[result.grain]))
    sheet = Sheet(sheet_title(w.tr("Trends")), header_row=HEADER_ROW, freeze_columns=2, max_width=40)
    subtitle = w.tr("By {grain}, from {start} to {end}").format(
        grain=grain, start=w.date(result.start), end=w.date(result.end)
    )
    span = 2 + min(len(plist), _PERIODS_PER_PAGE.get(result.grain, 12))
    c.heading(sheet, w.tr("Trends"), subtitle, span)
    partial_header = CellStyle(
        bold=True, italic=True, fill=_HEADER_FILL, wrap=True, vertical="center", horizontal="center", border_bottom=True
    )
    sheet.add(
        (w.tr("KPI"), look.header),
        (w.tr("Unit"), look.header),
        *[(p.label, partial_header if p.partial else look.header) for p in plist],
    )
    series: dict[str, dict[str, KpiRow]] = {}
    for row in result.rows:
        if row.member is None:
            series.setdefault(row.kpi, {})[row.period] = row
    kpis = c.kpis()
    value_rows: dict[str, int] = {}
    for d in kpis:
        value_rows[d.id] = sheet.add(*_trend_row(c, d, plist, series.get(d.id, {})))

    comparison_rows: dict[str, int] = {}
    compare = c.query.compare
    if compare != "none":
        fiscal, week = c.engine.settings.fiscal_year_start, c.engine.settings.week_start
        shifted = [shift(p, result.grain, compare, fiscal, week) for p in plist]
        known = [c.has_data_before(p.end) for p in shifted]
        sheet.add()
        sheet.add(
            (
                w.tr("Comparison: {comparison}").format(comparison=w.lower_first(w.tr(COMPARISON_LABELS[compare]))),
                look.section,
            )
        )
        sheet.add(
            (w.tr("KPI"), look.header),
            (w.tr("Unit"), look.header),
            *[(p.label, partial_header if p.partial else look.header) for p in shifted],
        )
        for d in kpis:
            comparison_rows[d.id] = sheet.add(*_trend_row(c, d, plist, series.get(d.id, {}), known))

    partial = [p for p in plist if p.partial]
    if partial:
        sheet.add()
        spans = ", ".join(f"{p.label} ({w.date(p.start)} – {w.date(p.end - dt.timedelta(days=1))})" for p in partial)
        sheet.add_note(w.tr("Partial periods (in italics): {periods}").format(periods=spans), look.note, span)

    sized = sheet.column_widths()
    sheet.widths = dict(enumerate(sized, start=1))  # sized once: the chart rows below are empty
    widths = [column_cm(x) for x in sized]
    scale, breaks, first_page_cm = _trend_pages(widths[:2], widths[2 : 2 + len(plist)], result.grain)
    sheet.scale, sheet.column_breaks = round(scale * 100 - 0.5), breaks
    charted = [d for d in kpis if d.id in MAIN_KPIS and _has_values(series.get(d.id, {}))]
    charted.sort(key=lambda d: MAIN_KPIS.index(d.id))
    if charted:
        layout = _ChartLayout.plan(len(charted), len(sheet.rows) + 2, scale, first_page_cm, widths)
        sheet.add()
        for _row in range(layout.rows):
            r = sheet.add()
            sheet.row_heights[r] = _ROW_POINTS
        _add_charts(c, sheet, layout, charted, plist, value_rows, comparison_rows)
    return sheet


def _trend_row(
    c: _Context, d: KpiDef, plist: list[Period], rows: Mapping[str, KpiRow], known: list[bool] | None = None
) -> list[Item]:
    """A KPI's values over the periods (or, with ``known``, its comparison values: those of
    the comparison periods that hold data, where ``known`` is True)."""
    look = c.look
    items: list[Item] = [(d.name(c.lang), look.text), (c.unit_text(d), look.unit)]
    if not rows or any(r.unavailable for r in rows.values()):
        items.append((c.words.tr("Unavailable"), look.muted))
        return items
    fmt = _value_format(d)
    plain, muted = look.number(fmt), look.number(fmt, muted=True)
    for i, p in enumerate(plist):
        row = rows.get(p.label)
        if row is None:
            items.append(None)
        elif known is not None:
            items.append((_cell_value(d, row.comparison) if known[i] else None, plain))
        else:
            items.append((_cell_value(d, row.value), muted if row.low_confidence else plain))
    return items


def _has_values(rows: Mapping[str, KpiRow]) -> bool:
    return any(not r.unavailable and r.value is not None for r in rows.values())


#: Periods per printed page across, by grain (a year of months, a quarter of weeks…).
_PERIODS_PER_PAGE: dict[str, int] = {"day": 14, "week": 13, "month": 12, "quarter": 8, "year": 10}


def _trend_pages(titles: Sequence[float], periods: Sequence[float], grain: str) -> tuple[float, list[int], float]:
    """(print scale, column page breaks, printed width of the first page in cm) of the Trends table.

    A table that reads on one page at 70 % or more is printed on one page across;
    a longer one is cut into pages of whole periods (a year of months…), the KPI
    names repeated on each, at one scale for all.
    """
    # Spreadsheets measure columns slightly differently (LibreOffice pads them a little
    # more than Excel): keep 5 % of the page in reserve.
    page = PAGE_WIDTH_CM * 0.95
    head = sum(titles)
    total = head + sum(periods)
    if total * 0.7 <= page or len(periods) <= 1:
        return min(1.0, page / total), [], total
    k = min(_PERIODS_PER_PAGE.get(grain, 12), len(periods))

    def widest(k: int) -> float:
        return max(sum(periods[i : i + k]) for i in range(0, len(periods), k))

    while k > 1 and (head + widest(k)) * MIN_PRINT_SCALE > page:
        k -= 1
    scale = min(1.0, page / (head + widest(k)))
    breaks = [2 + i for i in range(k, len(periods), k)]
    return scale, breaks, head + sum(periods[:k])


@dataclass(frozen=True)
class _ChartLayout:
    """Where the charts go: a grid below the table, whole on printed pages.

    Sizes are in centimetres of the sheet (printing shrinks them by ``scale``);
    the chart area's rows have a fixed height, so rows and centimetres agree.
    """

    first_row: int
    per_row: int
    width: float
    height: float
    rows_per_chart: int
    charts_per_page: int
    rows: int
    second_column: int
    second_offset: float

    @classmethod
    def plan(cls, count: int, first_row: int, scale: float, page_cm: float, widths: Sequence[float]) -> _ChartLayout:
        room = min(PAGE_WIDTH_CM / scale, page_cm + 0.01)
        width = min(_CHART_MAX_WIDTH_CM, (room - 0.8) / 2)
        per_row = 2
        if width < _CHART_MIN_WIDTH_CM:
            width, per_row = min(_CHART_MAX_WIDTH_CM, room - 0.4), 1
        height = width * 0.52
        row_cm = _ROW_POINTS / 72 * 2.54
        rows_per_chart = math.ceil((height + 0.6) / row_cm)
        page_rows = int((PAGE_HEIGHT_CM / scale - 1.0) / row_cm)
        chart_rows_per_page = max(1, page_rows // rows_per_chart)
        grid_rows = math.ceil(count / per_row)
        # The second chart of a row starts inside a column: find it and the offset.
        x, left, column = width + 0.6, 0.0, 1
        for j, w in enumerate(widths, start=1):
            if left + w > x:
                column = j
                break
            left += w
        else:
            column = len(widths) + 1
        return cls(
            first_row,
            per_row,
            width,
            height,
            rows_per_chart,
            chart_rows_per_page * per_row,
            grid_rows * rows_per_chart,
            column,
            max(0.0, x - left),
        )


def _add_charts(
    c: _Context,
    sheet: Sheet,
    layout: _ChartLayout,
    charted: list[KpiDef],
    plist: list[Period],
    value_rows: Mapping[str, int],
    comparison_rows: Mapping[str, int],
) -> None:
    """One native line chart per main KPI, referencing its Trends row (and comparison row)."""
    first, last = get_column_letter(3), get_column_letter(2 + len(plist))
    title = quote_sheetname(sheet.title)

    def row_range(r: int) -> Reference:
        return Reference(range_string=f"{title}!${first}${r}:${last}${r}")

    categories = row_range(HEADER_ROW)
    # Charts start on a new page, and a page holds whole rows of charts.
    sheet.row_breaks.append(layout.first_row - 1)
    for i, d in enumerate(charted):
        grid_row, grid_col = divmod(i, layout.per_row)
        row = layout.first_row + grid_row * layout.rows_per_chart
        if i and i % layout.charts_per_page == 0:
            sheet.row_breaks.append(row - 1)
        chart = LineChart()
        chart.title = d.name(c.lang)
        chart.width, chart.height = layout.width, layout.height
        chart.legend.position = "b"
        chart.y_axis.number_format = c.look.numbers[_AXIS_FORMATS[d.unit]].code
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.x_axis.tickLblSkip = max(1, math.ceil(len(plist) / 18))
        r = value_rows[d.id]
        main = Series(row_range(r))
        main.tx = SeriesLabel(strRef=StrRef(f"{title}!$A${r}"))
        _line(main, _MAIN_COLOUR, dashed=False)
        chart.series.append(main)
        if d.id in comparison_rows:
            other = Series(row_range(comparison_rows[d.id]))
            other.tx = SeriesLabel(v=c.words.tr(COMPARISON_LABELS[c.query.compare]))
            _line(other, _COMPARISON_COLOUR, dashed=True)
            chart.series.append(other)
        chart.set_categories(categories)
        column, offset = (0, 0.0) if grid_col == 0 else (layout.second_column - 1, layout.second_offset)
        sheet.charts.append(PlacedChart(chart, column, row - 1, offset, layout.width, layout.height))


#: Axis labels round what the cells show in full (no cents, no decimals of a percent).
_AXIS_FORMATS: dict[str, str] = {
    "currency": "currency0",
    "count": "count",
    "percent": "attainment",
    "days": "days",
    "score": "count",
    "ratio": "score",
}


def _line(series: Series, colour: str, dashed: bool) -> None:
    series.smooth = False
    if series.marker is None:
        series.marker = Marker(symbol="none")
    else:
        series.marker.symbol = "none"  # the series' own (empty) marker: no second object to build
    line = series.graphicalProperties.line
    line.solidFill = colour
    line.width = 22_000  # EMU: about 1.75 pt
    if dashed:
        line.dashStyle = "dash"


# -- Breakdowns -------------------------------------------------------------------------------------


def _breakdown_sheet(c: _Context, dimension: str, result: Result, taken: Sequence[str]) -> Sheet:
    w, look = c.words, c.look
    label = w.tr(DIMENSION_LABELS[dimension])
    title = w.tr("By {dimension}").format(dimension=w.lower_first(label))
    sheet = Sheet(sheet_title(title, taken), header_row=HEADER_ROW, freeze_columns=2, max_width=_MEMBER_WIDTH)
    c.heading(sheet, title, c.range_text(), 9)
    headers = [
        w.tr("KPI"),
        label,
        w.tr("Value"),
        w.tr("Share of total"),
        w.tr("Comparison"),
        w.tr("Change"),
        w.tr("Target"),
        w.tr("Attainment"),
        w.tr("Note"),
    ]
    sheet.add(*[(h, look.header) for h in headers])
    colours = _Colours()
    by_kpi: dict[str, list[KpiRow]] = {}
    whole: dict[str, KpiRow] = {}
    for row in result.rows:
        if row.member is None:
            whole[row.kpi] = row
        else:
            by_kpi.setdefault(row.kpi, []).append(row)
    left_out: list[str] = []
    for d in c.kpis():
        members = by_kpi.get(d.id, [])
        total = whole.get(d.id)
        if not members or total is None or total.unavailable:
            left_out.append(d.name(c.lang))
            continue
        additive = d.id in ADDITIVE and total.value not in (None, 0)
        name = d.name(c.lang)
        r = len(sheet.rows) + 1
        sheet.add(
            (name, look.total_text),
            (w.tr("Total"), look.total_text),
            *_value_items(
                c,
                d,
                total,
                colours,
                r,
                first_column=3,
                unit=False,
                share_column=True,
                share=1.0 if additive else None,
                total=True,
            ),
        )
        for row in _leaderboard(d, members):
            r = len(sheet.rows) + 1
            share = (row.value / total.value) if additive and row.value is not None and total.value else None
            member = c.engine.member_label(dimension, row.member) if row.member else ""
            member_style = look.wrapped_text if len(member) > _MEMBER_WIDTH * TEXT_PER_UNIT else look.text
            sheet.add(
                (name, look.text),
                (member, member_style),
                *_value_items(c, d, row, colours, r, first_column=3, unit=False, share_column=True, share=share),
            )
    if left_out:
        sheet.add()
        sheet.add_note(
            w.tr("Not broken down by {dimension}: {kpis}").format(
                dimension=w.lower_first(label), kpis=", ".join(left_out)
            ),
            look.note,
            9,
        )
    sheet.widths[9] = 40.0
    sheet.conditional.extend(colours.formats())
    return sheet


def _leaderboard(d: KpiDef, rows: list[KpiRow]) -> list[KpiRow]:
    """Best first (highest, or lowest for lower-is-better KPIs); undefined values last."""
    sign = 1.0 if d.direction == "lower" else -1.0
    return sorted(
        rows,
        key=lambda r: (r.value is None, sign * (r.value or 0.0), (r.member or "").casefold()),
    )


# -- Definitions and Settings -----------------------------------------------------------------------


def _definitions_sheet(c: _Context) -> Sheet:
    w, look = c.words, c.look
    sheet = Sheet(sheet_title(w.tr("Definitions")), header_row=HEADER_ROW, freeze_columns=0, max_width=30)
    c.heading(sheet, w.tr("Definitions"), w.tr("How each KPI is computed"), 7)
    headers = [
        w.tr("ID"),
        w.tr("KPI"),
        w.tr("Theme"),
        w.tr("Unit"),
        w.tr("Direction"),
        w.tr("Formula"),
        w.tr("Data used"),
    ]
    sheet.add(*[(h, look.header) for h in headers])
    for d in c.kpis():
        theme = THEME_NAMES[d.theme].get(c.lang, THEME_NAMES[d.theme]["en"])
        kinds = ", ".join(w.tr(KIND_TITLES[k]) for k in d.needs)
        sheet.add(
            (d.id, look.top),
            (d.name(c.lang), look.wrapped),
            (theme, look.top),
            (c.unit_text(d), look.top),
            (w.tr(DIRECTION_LABELS[d.direction]), look.wrapped),
            (d.formula(c.lang), look.wrapped),
            (kinds, look.wrapped),
        )
    sheet.widths.update({2: 28.0, 5: 30.0, 6: 70.0, 7: 18.0})
    return sheet


def _settings_sheet(c: _Context, dimensions: Sequence[str]) -> Sheet:
    w, look = c.words, c.look
    sheet = Sheet(sheet_title(w.tr("Settings")), header_row=HEADER_ROW, max_width=70)
    c.heading(sheet, w.tr("Settings"), w.tr("What this workbook shows"), 2)
    sheet.add((w.tr("Setting"), look.header), (w.tr("Value"), look.header))
    date = look.number("date")
    left = CellStyle(number_format=date.number_format, horizontal="left")
    stamp = CellStyle(number_format=look.numbers["datetime"].code, horizontal="left")
    q = c.query
    filters = c.filters_text() or w.tr("None")
    rows: list[tuple[str, Any, CellStyle]] = [
        (w.tr("Company"), c.company(), look.text),
        (w.tr("Database"), c.database, look.text),
        (w.tr("Start"), c.summary.start, left),
        (w.tr("End"), c.summary.end, left),
        (w.tr("Grain"), w.tr(GRAIN_LABELS[c.trends.grain]), look.text),
        (w.tr("Comparison"), w.tr(COMPARISON_LABELS[q.compare]), look.text),
    ]
    if q.compare != "none":
        compared = shift_range(range_period(c.summary.start, c.summary.end), q.compare)
        rows.append(
            (
                w.tr("Compared with"),
                w.tr("{start} to {end}").format(
                    start=w.date(compared.start), end=w.date(compared.end - dt.timedelta(days=1))
                ),
                look.text,
            )
        )
    rows += [
        (w.tr("Filters"), filters, look.text),
        (w.tr("Breakdowns"), ", ".join(w.tr(DIMENSION_LABELS[d]) for d in dimensions) or w.tr("None"), look.text),
        (w.tr("Currency"), c.currency, look.text),
        (w.tr("Generated at"), dt.datetime.now().replace(microsecond=0), stamp),
        (w.tr("Generated by"), f"KPI Desk {__version__}", look.text),
    ]
    for name, value, style in rows:
        sheet.add((name, look.bold), (value, style))
    return sheet


def _document_properties(c: _Context) -> DocumentProperties:
    w = c.words
    company = c.company()
    title = w.tr("KPI summary")
    return DocumentProperties(
        title=f"{company} — {title}" if company else title,
        subject=c.range_text(),
        creator="KPI Desk",
        description=w.tr("Generated by KPI Desk {version}").format(version=__version__),
        keywords="KPI",
        language=c.lang,
        created=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
    )


# -- the data table -------------------------------------------------------------------------------


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
    words = _Words(lang or i18n.language())
    if len(frame) + 1 > MAX_ROWS:
        raise UserError(
            _("The table has {rows} rows; an Excel sheet holds at most {limit}. Filter it first.").format(
                rows=format_number(len(frame), 0, words.lang), limit=format_number(MAX_ROWS - 1, 0, words.lang)
            )
        )
    target = check_target(path, ".xlsx")
    look = _Look(words.lang, "€")
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

    arrays = [None if col.style is None else book.array(col.style) for col in columns]
    values = [col.values for col in columns]
    n = len(frame)
    chunk = 20_000
    try:
        for start in range(0, n, chunk):
            if cancelled is not None and cancelled():
                raise Cancelled()
            if progress is not None:
                progress(
                    0.9 * start / max(n, 1), _("Writing {count} rows").format(count=format_number(n, 0, words.lang))
                )
            stop = min(start + chunk, n)
            for i in range(start, stop):
                ws.append([_table_cell(ws, book, vals[i], array) for vals, array in zip(values, arrays, strict=True)])
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


def _table_cell(ws: Any, book: StyleBook, value: Any, array: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        # Plain text goes in as a raw value (openpyxl's fast path); text that
        # looks like a formula becomes a guarded cell.
        return text_cell(ws, value, book) if is_formula_like(value) else value
    if array is None:
        return value
    return Cell(ws, 1, 1, value, array)


@dataclass
class _TableColumn:
    """One column of a table export: its values as Python objects, their style and shown width."""

    name: str
    values: list[Any]
    style: CellStyle | None
    width: float

    @classmethod
    def of(cls, name: str, series: pd.Series, look: _Look) -> _TableColumn:
        sample = _sample(len(series))
        if pd.api.types.is_datetime64_any_dtype(series):
            stamps = series.to_numpy(dtype="datetime64[ns]")
            missing = np.isnat(stamps)
            with_time = bool(np.any(stamps[~missing].astype("datetime64[D]") != stamps[~missing]))
            # Excel dates are days since 1899-12-30: computed for the whole column at once.
            serial = (stamps - np.datetime64("1899-12-30", "ns")) / np.timedelta64(1, "D")
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
