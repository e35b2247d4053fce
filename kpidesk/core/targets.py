"""Targets: the target of a range, its pacing period by period, and attainment (SPEC §3.1).

Targets are read by the engine (kind ``targets``, or entered in the app) as
:class:`Target` records, one per KPI, period and (optionally) member; every
:class:`~kpidesk.core.results.KpiRow` then carries its ``target`` and ``pacing``,
computed here by :func:`range_target`. The window, the workbook and the JSON
show the one attainment of :func:`row_attainment`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from kpidesk.core import catalog
from kpidesk.core.catalog import ADDITIVE, KpiDef
from kpidesk.core.periods import Grain
from kpidesk.core.results import KpiRow

#: Grains from the finest to the coarsest: a range with targets of several grains uses the finest.
GRAIN_ORDER: dict[str, int] = {"day": 0, "week": 1, "month": 2, "quarter": 3, "year": 4}


def _definition(kpi: KpiDef | str) -> KpiDef:
    return kpi if isinstance(kpi, KpiDef) else catalog.get(kpi)


def prorated(kpi: KpiDef | str) -> bool:
    """Whether a target of ``kpi`` is spread over the days of its period (sums and counts),
    or holds from the first day (ratios and averages: rates, AOV, CAC, NPS…)."""
    return _definition(kpi).id in ADDITIVE


@dataclass(frozen=True)
class Target:
    """One target entered for a KPI over a period ``[start, stop)``, optionally for one member."""

    kpi: str
    grain: Grain
    start: dt.date
    stop: dt.date
    dimension: str | None
    member: str | None
    value: float

    @property
    def days(self) -> int:
        return (self.stop - self.start).days


@dataclass(frozen=True)
class RangeTarget:
    """The target of a range and where the actual should stand by its last day.

    Attributes:
        value: the sum of the targets of the periods the range touches (their mean for a
            ratio or an average).
        pacing: Σ target × days of the period inside the range ÷ days of the period (for a
            ratio or an average: the target itself, never prorated).
        start, stop: the days ``[start, stop)`` the targets cover.
    """

    value: float
    pacing: float
    start: dt.date
    stop: dt.date


def range_target(
    kpi: KpiDef | str, targets: Sequence[Target], start: dt.date, end: dt.date, grain: Grain | None = None
) -> RangeTarget | None:
    """The target and pacing of ``kpi`` over ``[start, end)`` (end exclusive).

    Args:
        targets: the KPI's targets (of one member, or of the whole company).
        grain: the grain of the row (a trend's period): the targets entered for its periods,
            else the sum of finer ones (a year of monthly targets); coarser targets are left
            out (a month has no share of a yearly target). None (a range): the finest grain
            among the targets the range touches.

    Returns:
        None when no target touches the range.
    """
    limit = GRAIN_ORDER[grain] if grain is not None else len(GRAIN_ORDER)
    touching = [t for t in targets if t.start < end and start < t.stop and GRAIN_ORDER[t.grain] <= limit]
    if not touching:
        return None
    chosen = [t for t in touching if t.grain == grain]
    if not chosen:
        finest = min(GRAIN_ORDER[t.grain] for t in touching)
        chosen = [t for t in touching if GRAIN_ORDER[t.grain] == finest]
    values = [t.value for t in chosen]
    if prorated(kpi):
        value = float(sum(values))
        pace = 0.0
        for t in chosen:
            inside = (min(end, t.stop) - max(start, t.start)).days
            pace += t.value * inside / t.days if t.days > 0 else 0.0
    else:
        value = pace = float(sum(values) / len(values))
    return RangeTarget(value, pace, min(t.start for t in chosen), max(t.stop for t in chosen))


def attainment(kpi: KpiDef | str, value: float | None, target: float | None) -> float | None:
    """Actual ÷ target × 100; for a lower-is-better KPI target ÷ actual × 100.

    None when either is missing or not finite, or when the ratio means nothing: a target
    that is not positive (a negative actual against a positive target is a negative
    attainment), or for a lower-is-better KPI an actual that is not positive.
    """
    if value is None or target is None or not math.isfinite(value) or not math.isfinite(target):
        return None
    if _definition(kpi).direction == "lower":
        return None if value <= 0 or target < 0 else target / value * 100.0
    return None if target <= 0 else value / target * 100.0


def row_pacing(kpi: KpiDef | str, row: KpiRow) -> float | None:
    """The pacing of a row: the engine's, else its target spread over the days it covers."""
    if row.target is None or row.unavailable:
        return None
    if row.pacing is not None:
        return row.pacing
    if not prorated(kpi) or row.target_start is None or row.target_end is None:
        return row.target
    days = (row.target_end - row.target_start).days
    inside = (min(row.end, row.target_end) - max(row.start, row.target_start)).days
    return row.target * max(inside, 0) / days if days > 0 else row.target


def row_attainment(kpi: KpiDef | str, row: KpiRow) -> float | None:
    """The one attainment of a row (card, detail, JSON and workbook): actual ÷ pacing × 100
    (pacing ÷ actual for lower-is-better); ratios and averages against their target."""
    if row.unavailable:
        return None
    return attainment(kpi, row.value, row_pacing(kpi, row))


@dataclass(frozen=True)
class Pacing:
    """Where a KPI stands against its target so far in the target's period.

    Attributes:
        expected: what the actual should be by now (see :func:`row_pacing`).
        actual: the value so far.
        elapsed_days: days of the target's periods inside the row's range.
        period_days: days of the target's periods.
        attainment: actual against expected (see :func:`attainment`).
    """

    expected: float
    actual: float | None
    elapsed_days: int
    period_days: int
    attainment: float | None

    @property
    def partial(self) -> bool:
        return self.elapsed_days < self.period_days


def pacing(kpi: KpiDef | str, row: KpiRow, today: dt.date | None = None) -> Pacing | None:
    """The pacing of a row against its target. None without a target or a value.

    ``today``, the last day with known activity, cuts the row's range short when it ends
    before the range does.
    """
    if row.target is None or row.value is None or row.unavailable:
        return None
    start = row.target_start or row.start
    stop = row.target_end or row.end
    end = row.end if today is None else min(row.end, today + dt.timedelta(days=1))
    days = (stop - start).days
    elapsed = min(max((end - max(start, row.start)).days, 0), days)
    expected = row_pacing(kpi, row) if today is None or end == row.end else None
    if expected is None:
        expected = row.target * elapsed / days if prorated(kpi) and days > 0 else row.target
    return Pacing(expected, row.value, elapsed, days, attainment(kpi, row.value, expected))
