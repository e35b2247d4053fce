"""What the dashboard computes: its range presets, the trend's first day and the cards' numbers,
in the company's fiscal year and weeks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kpidesk.core.kinds import DIMENSIONS
from kpidesk.core.periods import Grain, add_months, period_bounds
from kpidesk.core.results import Query, Result
from kpidesk.core.text import member_label
from kpidesk.i18n import N_

if TYPE_CHECKING:
    from kpidesk.core.engine import Engine

__all__ = [
    "PRESETS",
    "TREND_PERIODS",
    "DashboardContext",
    "DashboardData",
    "compute_dashboard",
    "preset_range",
    "trend_start",
]

PRESETS: dict[str, str] = {
    "this_month": N_("This month"),
    "last_month": N_("Last month"),
    "this_quarter": N_("This quarter"),
    "year_to_date": N_("Year to date"),
    "last_12_months": N_("Last 12 months"),
    "all_data": N_("All data"),
    "custom": N_("Custom range"),
}
#: How many periods of each grain the trend chart shows at least.
TREND_PERIODS: dict[str, int] = {"day": 31, "week": 26, "month": 24, "quarter": 8, "year": 5}


def preset_range(preset: str, anchor: dt.date, data_start: dt.date, fiscal_start: int = 1) -> tuple[dt.date, dt.date]:
    """The dates of a range preset, ``anchor`` being the latest day with data (or today);
    quarters and years are the company's fiscal ones."""
    month_start = anchor.replace(day=1)
    if preset == "this_month":
        return month_start, anchor
    if preset == "last_month":
        start = add_months(month_start, -1)
        return start, month_start - dt.timedelta(days=1)
    if preset == "this_quarter":
        return period_bounds(anchor, "quarter", fiscal_start)[0], anchor
    if preset == "year_to_date":
        return period_bounds(anchor, "year", fiscal_start)[0], anchor
    if preset == "last_12_months":
        return add_months(month_start, -11), anchor
    return data_start, anchor


def trend_start(start: dt.date, end: dt.date, grain: Grain, fiscal_start: int = 1, week_start: int = 1) -> dt.date:
    """The first day of the trend chart: the range, or more periods back when it is short.

    The periods counted back are the company's (fiscal quarters and years, weeks starting
    on ``week_start``), so the chart's first period is a whole one, never clipped.
    """
    back = TREND_PERIODS[grain] - 1
    first = period_bounds(end, grain, fiscal_start, week_start)[0]
    if grain == "day":
        first -= dt.timedelta(days=back)
    elif grain == "week":
        first -= dt.timedelta(weeks=back)
    else:
        first = add_months(first, -back * {"month": 1, "quarter": 3, "year": 12}[grain])
    return min(start, first)


@dataclass(frozen=True)
class DashboardContext:
    """What the controls need of a company: its dates, the members of each dimension, its money."""

    span: tuple[dt.date, dt.date] | None
    members: dict[str, list[str]]
    currency: str
    fiscal_start: int
    company_name: str = ""
    #: dimension -> {member: name shown} where members are ids (customers).
    names: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, engine: Engine) -> DashboardContext:
        settings = engine.settings
        names = {d: found for d in DIMENSIONS if (found := engine.member_names(d))}
        return cls(
            engine.data_range(),
            {d: engine.members(d) for d in DIMENSIONS},
            settings.currency,
            settings.fiscal_year_start,
            settings.company_name,
            names,
        )

    def label(self, dimension: str, member: str) -> str:
        """``member`` as shown: ``Name (id)`` for a customer with a known name (see
        :meth:`Engine.member_label`)."""
        return member_label(member, self.names.get(dimension, {}).get(member))


@dataclass
class DashboardData:
    """What the dashboard shows: the cards over the range and the trend by grain."""

    query: Query
    summary: Result
    trend: Result
    as_of: dt.date  # the last day with data in the range: targets of running periods are paced to it


def compute_dashboard(engine: Engine, query: Query, kpis: tuple[str, ...]) -> DashboardData:
    """The cards' values over the range and the trend by grain (one engine, same numbers)."""
    if query.start is None or query.end is None:
        raise ValueError("the dashboard's query needs a start and an end")
    settings = engine.settings
    summary = engine.summary(Query(query.start, query.end, query.grain, query.compare, None, kpis, query.filters))
    first = trend_start(query.start, query.end, query.grain, settings.fiscal_year_start, settings.week_start)
    trend_query = Query(first, query.end, query.grain, query.compare, None, kpis, query.filters)
    span = engine.data_range()
    as_of = min(query.end, span[1]) if span else query.end
    return DashboardData(query, summary, engine.compute(trend_query), as_of)
