"""What every sheet of the summary workbook shares: the results, the words, the looks, the
headings, and the one presentation of each KPI row (:func:`kpidesk.core.present.present`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from kpidesk.core import catalog
from kpidesk.core.catalog import KpiDef
from kpidesk.core.engine import Engine, KpiRow, Query, Result
from kpidesk.core.formatting import format_value
from kpidesk.core.periods import Period, is_partial, range_period, shift_range
from kpidesk.core.present import Presented, present
from kpidesk.io.export.look import BAD, GOOD, NBSP, Look, Words
from kpidesk.io.xlsx import ConditionalFormat, Sheet
from kpidesk.labels import COMPARISON_LABELS, DIMENSION_LABELS, UNIT_LABELS


@dataclass
class Context:
    engine: Engine
    query: Query
    summary: Result
    trends: Result
    words: Words
    look: Look
    currency: str
    symbol: str
    database: str

    @property
    def lang(self) -> str:
        return self.words.lang

    @property
    def compared(self) -> bool:
        return self.query.compare != "none"

    def kpis(self) -> list[KpiDef]:
        """The exported KPIs, in catalogue order (those the engine computed)."""
        seen = dict.fromkeys(r.kpi for r in self.summary.rows)
        return [catalog.get(k) for k in seen]

    def company(self) -> str:
        return self.engine.settings.company_name.strip()

    def partial(self, period: Period) -> bool:
        """Whether ``period`` is partial: the range or the data does not cover it whole."""
        span = self.engine.data_range()
        return is_partial(period, None if span is None else span[1])

    def covered_days(self, period: Period) -> int:
        """The days of ``period`` that the range and the data cover."""
        span = self.engine.data_range()
        end = period.end if span is None else min(period.end, span[1] + dt.timedelta(days=1))
        return max((end - period.start).days, 0)

    def present(self, row: KpiRow) -> Presented:
        """``row`` as the window shows it (change, attainment, notes)."""
        missing = tuple(k for k in catalog.get(row.kpi).needs if not self.engine.has(k)) if row.unavailable else ()
        return present(row, compared=self.compared, missing_kinds=missing)

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
            parts.append(f"{label}{NBSP if self.lang == 'fr' else ''}: {', '.join(sorted(members, key=str.casefold))}")
        return "; ".join(parts)

    def unit_text(self, definition: KpiDef) -> str:
        if definition.unit == "currency":
            return self.symbol
        if definition.unit == "percent":
            return "%"
        return self.words.tr(UNIT_LABELS[definition.unit])

    def notes(self, shown: Presented) -> str:
        """The notes of a row (one home: :mod:`kpidesk.core.present`), and the median beside a mean."""
        text = shown.notes_text(self.lang, skip=("partial",))
        median = shown.row.extra.get("median")
        if median is not None and not shown.row.unavailable:
            figure = self.words.tr("Median: {value}").format(
                value=format_value(median, shown.kpi.unit, self.lang, self.currency)
            )
            text = f"{text} {figure}" if text else figure
        return text


class Colours:
    """Cells whose green/red colouring depends on the KPI's direction: grouped into ranges."""

    def __init__(self) -> None:
        self.cells: dict[str, list[tuple[int, int]]] = {"higher": [], "lower": [], "target": []}

    def add(self, group: str, row: int, column: int) -> None:
        self.cells[group].append((row, column))

    def formats(self) -> list[ConditionalFormat]:
        """The conditional formats of the cells: green when better, red when worse."""
        higher, lower, target = (cell_ranges(self.cells[g]) for g in ("higher", "lower", "target"))
        out = []
        if higher:
            out.append(ConditionalFormat(higher, (("greaterThan", "0", GOOD), ("lessThan", "0", BAD))))
        if lower:
            out.append(ConditionalFormat(lower, (("lessThan", "0", GOOD), ("greaterThan", "0", BAD))))
        if target:
            out.append(ConditionalFormat(target, (("greaterThanOrEqual", "1", GOOD), ("lessThan", "1", BAD))))
        return out


def cell_ranges(cells: list[tuple[int, int]]) -> str:
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
