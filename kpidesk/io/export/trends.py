"""The Trends sheet of the summary workbook: the KPI × period table, its comparison block,
partial periods in italics with their legend, and a native Excel line chart per main KPI."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from openpyxl.chart import LineChart, Reference, Series
from openpyxl.chart.marker import DataPoint, Marker
from openpyxl.chart.series import SeriesLabel, StrRef
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.utils import get_column_letter, quote_sheetname

from kpidesk.core.catalog import KpiDef
from kpidesk.core.engine import KpiRow
from kpidesk.core.periods import Period, shift
from kpidesk.core.present import coverage_text
from kpidesk.errors import UserError
from kpidesk.i18n import _
from kpidesk.io.export.context import Context
from kpidesk.io.export.look import HEADER_ROW, cell_value, value_format
from kpidesk.io.xlsx import (
    MIN_PRINT_SCALE,
    PAGE_HEIGHT_CM,
    PAGE_WIDTH_CM,
    Item,
    PlacedChart,
    Sheet,
    column_cm,
    sheet_title,
)
from kpidesk.labels import COMPARISON_LABELS, GRAIN_LABELS

#: KPIs drawn as line charts on the Trends sheet, when implemented and available.
MAIN_KPIS: tuple[str, ...] = (
    "revenue", "sales_count", "average_order_value", "new_customers", "active_customers",
    "retention_rate", "leads", "win_rate", "pipeline_value", "cac", "nps",
)  # fmt: skip

_MAIN_COLOUR = "1F4E79"
_COMPARISON_COLOUR = "A6A6A6"

# Chart geometry: sizes in centimetres of the sheet; the chart area's rows are 15 pt high.
_CHART_MAX_WIDTH_CM = 16.0
_CHART_MIN_WIDTH_CM = 9.0
_ROW_POINTS = 15.0


def trends_sheet(c: Context) -> Sheet:
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
    sheet.add(
        (w.tr("KPI"), look.header),
        (w.tr("Unit"), look.header),
        *[(p.label, look.partial_header if c.partial(p) else look.header) for p in plist],
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
            *[(p.label, look.partial_header if c.partial(p) else look.header) for p in shifted],
        )
        for d in kpis:
            comparison_rows[d.id] = sheet.add(*_trend_row(c, d, plist, series.get(d.id, {}), comparison=True))

    partial = [p for p in plist if c.partial(p)]
    if partial:
        sheet.add()
        spans = ", ".join(coverage_text(p.label, c.covered_days(p), p.full_days, c.lang) for p in partial)
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
    c: Context, d: KpiDef, plist: list[Period], rows: Mapping[str, KpiRow], comparison: bool = False
) -> list[Item]:
    """A KPI's values over the periods (or, with ``comparison``, those of its comparison
    periods: empty where the data does not cover them). Partial periods in italics."""
    look = c.look
    items: list[Item] = [(d.name(c.lang), look.text), (c.unit_text(d), look.unit)]
    if not rows or any(r.unavailable for r in rows.values()):
        items.append((c.words.tr("Unavailable"), look.muted))
        return items
    for p in plist:
        row = rows.get(p.label)
        if row is None:
            items.append(None)
            continue
        value = row.comparison if comparison else row.value
        style = look.number(value_format(d, value), muted=row.low_confidence and not comparison, italic=row.partial)
        items.append((cell_value(d, value), style))
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
    c: Context,
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
        if plist and c.partial(plist[-1]):
            main.dPt.append(_partial_point(len(plist) - 1))
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
    "percent": "axis_percent",
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


def _partial_point(index: int) -> DataPoint:
    """The last point of a series when its period is partial: the segment leading to it dashed
    and the point hollow, so that a running month does not look like a collapse (SPEC §3.1)."""
    point = DataPoint(idx=index, marker=Marker(symbol="circle", size=6))
    point.graphicalProperties.line.solidFill = _MAIN_COLOUR
    point.graphicalProperties.line.width = 22_000
    point.graphicalProperties.line.dashStyle = "dash"
    if point.marker is not None:
        point.marker.graphicalProperties = GraphicalProperties(solidFill="FFFFFF")
        point.marker.graphicalProperties.line.solidFill = _MAIN_COLOUR
    return point
