"""The exports a user asks for, as the window and the command line call them: the summary
workbook, the data table, and the inputs of the PDF board report (SPEC §6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from kpidesk import i18n
from kpidesk.core import catalog
from kpidesk.core.catalog import THEME_NAMES, THEMES, Theme
from kpidesk.core.engine import Engine, Query
from kpidesk.core.present import Presented, present, translate
from kpidesk.core.results import Result
from kpidesk.io.export import MAIN_KPIS, export_summary, export_table
from kpidesk.labels import FIELD_TITLES, KIND_TITLES

__all__ = [
    "HEADLINE_KPIS",
    "KpiLine",
    "ReportInputs",
    "ThemePage",
    "TrendPoint",
    "data_table",
    "report_inputs",
    "summary_workbook",
]

ProgressCallback = Callable[[float, str], None]
CancelledCallback = Callable[[], bool]

#: The KPIs on the first page of the board report, in this order, when the company has them.
HEADLINE_KPIS: tuple[str, ...] = MAIN_KPIS


def summary_workbook(
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
    """Write the summary workbook of what the dashboard shows (range, grain, comparison,
    filters) to ``path``, one sheet per dimension of ``by``: see
    :func:`kpidesk.io.export.export_summary`.

    Raises:
        UserError: a bad dimension, or the file cannot be written (any existing file is left whole).
        Cancelled: ``cancelled`` returned True; nothing is written.
    """
    return export_summary(
        engine,
        query,
        path,
        by=by,
        database=database,
        lang=lang,
        currency=currency,
        progress=progress,
        cancelled=cancelled,
    )


def data_table(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    kind: str | None = None,
    headers: Mapping[str, str] | None = None,
    lang: str | None = None,
    progress: ProgressCallback | None = None,
    cancelled: CancelledCallback | None = None,
) -> Path:
    """Write the rows of a data table, as shown (filtered and sorted), to ``path``: the sheet is
    named after ``kind`` and the columns after their fields, in ``lang``.

    Raises:
        UserError: more rows than a sheet holds, or the file cannot be written.
        Cancelled: ``cancelled`` returned True; nothing is written.
    """
    language = lang or i18n.language()
    titles = {name: translate(title, language) for name, title in FIELD_TITLES.items()}
    titles.update(headers or {})
    sheet = translate(KIND_TITLES[kind], language) if kind in KIND_TITLES else None
    return export_table(frame, path, headers=titles, sheet=sheet, lang=language, progress=progress, cancelled=cancelled)


# -- the board report's inputs ------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    """One period of a KPI's trend: its label, value, comparison, and whether it is partial."""

    period: str
    start: dt.date
    end: dt.date
    value: float | None
    comparison: float | None
    partial: bool


@dataclass(frozen=True)
class KpiLine:
    """A KPI as the report shows it: its result over the range, presented (value, change and
    its unit, target, pacing, attainment, notes), and its trend by period."""

    shown: Presented
    trend: tuple[TrendPoint, ...]

    @property
    def kpi(self) -> str:
        return self.shown.kpi.id


@dataclass(frozen=True)
class ThemePage:
    """One page of the report: a theme's available KPIs."""

    theme: Theme
    title: str
    kpis: tuple[KpiLine, ...]


@dataclass(frozen=True)
class ReportInputs:
    """Everything the PDF board report draws, computed once: page 1 the highlights and the
    headline KPIs with their trends, then one page per theme that has data.

    Attributes:
        highlights: the highlights of SPEC §3.2, as sentences (empty until they are computed).
    """

    company: str
    lang: str
    currency: str
    start: dt.date
    end: dt.date
    grain: str
    compare: str
    headline: tuple[KpiLine, ...]
    themes: tuple[ThemePage, ...]
    highlights: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)


def _lines(summary: Result, trends: Result, compared: bool, kpis: Sequence[str]) -> tuple[KpiLine, ...]:
    whole = {r.kpi: r for r in summary.rows if r.member is None}
    out = []
    for kpi in kpis:
        row = whole.get(kpi)
        if row is None or row.unavailable:
            continue
        points = tuple(
            TrendPoint(r.period, r.start, r.end, r.value, r.comparison, r.partial) for r in trends.series(kpi)
        )
        out.append(KpiLine(present(row, compared=compared), points))
    return tuple(out)


def report_inputs(
    engine: Engine, query: Query, *, lang: str | None = None, currency: str | None = None
) -> ReportInputs:
    """The inputs of the PDF board report of ``query``: the same results as the dashboard and the
    summary workbook, presented by :func:`kpidesk.core.present.present`."""
    language = lang or i18n.language()
    whole = replace(query, by=None)
    summary = engine.summary(whole)
    trends = engine.compute(whole)
    compared = query.compare != "none"
    computed = [r.kpi for r in summary.rows if r.member is None]
    headline = _lines(summary, trends, compared, [k for k in HEADLINE_KPIS if k in computed])
    pages = []
    for theme in THEMES:
        ids = [k for k in computed if catalog.get(k).theme == theme]
        lines = _lines(summary, trends, compared, ids)
        if lines:
            title = THEME_NAMES[theme].get(language, THEME_NAMES[theme]["en"])
            pages.append(ThemePage(theme, title, lines))
    return ReportInputs(
        company=engine.settings.company_name.strip(),
        lang=language,
        currency=currency or engine.settings.currency,
        start=summary.start,
        end=summary.end,
        grain=query.grain,
        compare=query.compare,
        headline=headline,
        themes=tuple(pages),
    )
