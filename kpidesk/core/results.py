"""What the engine answers: queries, KPI rows and results (plain data, no numpy or pandas).

Kept apart from :mod:`kpidesk.core.engine` so that the window can show results it
has kept (its start-up snapshot) before the computing libraries are even loaded.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kpidesk.core.periods import Comparison, Grain, Period


@dataclass(frozen=True)
class Query:
    """What to compute.

    Attributes:
        start, end: the range, both inclusive; None spans all the data.
        grain: the periods the range is cut into.
        compare: the comparison period of each period.
        by: a dimension to break every KPI down by, or None.
        kpis: the KPI ids to compute; None is the whole catalogue.
        filters: dimension -> the members kept (rows of other members are left out).
    """

    start: dt.date | None = None
    end: dt.date | None = None
    grain: Grain = "month"
    compare: Comparison = "previous"
    by: str | None = None
    kpis: tuple[str, ...] | None = None
    filters: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass
class KpiRow:
    """One KPI value for one period (and one member of the breakdown, or the whole)."""

    kpi: str
    period: str
    member: str | None
    value: float | None
    target: float | None
    comparison: float | None
    unavailable: bool
    low_confidence: bool
    start: dt.date
    end: dt.date
    partial: bool = False
    base: int | None = None
    #: The value may still change as time passes (a one-time-buyer window not yet elapsed).
    provisional: bool = False
    #: Figures shown beside the value (``sales_cycle_days``: ``{"median": ...}``); not in the JSON.
    extra: dict[str, float] = field(default_factory=dict)
    #: ``[target_start, target_end)``: the days the target covers (for pacing), when there is one.
    target_start: dt.date | None = None
    target_end: dt.date | None = None
    #: Where the value should stand by the row's last day (see :func:`kpidesk.core.targets.range_target`).
    pacing: float | None = None

    #: Days of the whole period, and of those the range and the data cover (a partial period's
    #: tooltip: "20 days of 30"); None when unknown.
    period_days: int | None = None
    covered_days: int | None = None
    #: The comparison is null because the data covers less than half of its period (SPEC §3.1).
    no_comparable_data: bool = False
    #: For an unavailable KPI whose kinds are there: the fields its data lacks (``product``;
    #: ``customer_id`` and ``customer_name`` when the sales name no customer).
    missing_fields: tuple[str, ...] = ()
    #: For a KPI whose card names its extremes (:data:`~kpidesk.core.catalog.CARD_BREAKDOWN`, ROI by
    #: channel), on the rows of a whole range: the best and the worst member with their values.
    best: tuple[str, float] | None = None
    worst: tuple[str, float] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kpi": self.kpi,
            "period": self.period,
            "member": self.member,
            "value": _json_number(self.value),
            "target": _json_number(self.target),
            "comparison": _json_number(self.comparison),
            "unavailable": self.unavailable,
            "low_confidence": self.low_confidence,
        }


@dataclass
class Result:
    start: dt.date
    end: dt.date
    grain: Grain
    compare: Comparison
    periods: list[Period]
    rows: list[KpiRow]

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "grain": self.grain,
            "rows": [r.to_json() for r in self.rows],
        }

    def get(self, kpi: str, period: str | None = None, member: str | None = None) -> KpiRow:
        """The row of ``kpi`` for ``period`` (default: the last) and ``member``."""
        label = period if period is not None else self.periods[-1].label
        for row in self.rows:
            if row.kpi == kpi and row.period == label and row.member == member:
                return row
        raise KeyError((kpi, label, member))

    def series(self, kpi: str, member: str | None = None) -> list[KpiRow]:
        return [r for r in self.rows if r.kpi == kpi and r.member == member]

    def members(self, kpi: str) -> list[str]:
        seen: dict[str, None] = {}
        for r in self.rows:
            if r.kpi == kpi and r.member is not None:
                seen.setdefault(r.member, None)
        return list(seen)


def _json_number(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 10)
