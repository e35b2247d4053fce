"""Targets: attainment and straight-line pacing (SPEC §3), shared by the window and the export.

Targets themselves are read by the engine (kind ``targets``, or entered in the app)
and come with every :class:`~kpidesk.core.engine.KpiRow` as ``target``, with the
days they cover (``target_start``/``target_end``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from kpidesk.core import catalog
from kpidesk.core.catalog import ADDITIVE, KpiDef
from kpidesk.core.results import KpiRow


def _definition(kpi: KpiDef | str) -> KpiDef:
    return kpi if isinstance(kpi, KpiDef) else catalog.get(kpi)


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


@dataclass(frozen=True)
class Pacing:
    """Where a KPI stands against its target so far in the target's period.

    Attributes:
        expected: what the actual should be by now: the target pro rata of the elapsed
            days for an additive KPI (revenue, counts), the target itself otherwise (rates).
        actual: the value so far.
        elapsed_days: days of the target period elapsed (up to and including ``today``).
        period_days: days of the target period.
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


def expected_to_date(kpi: KpiDef | str, target: float, start: dt.date, end: dt.date, today: dt.date) -> float:
    """The straight-line expected value on ``today`` of a target covering ``[start, end)``."""
    days = (end - start).days
    elapsed = min(max((today - start).days + 1, 0), days)
    if _definition(kpi).id in ADDITIVE and days > 0:
        return target * elapsed / days
    return target


def pacing(kpi: KpiDef | str, row: KpiRow, today: dt.date) -> Pacing | None:
    """The pacing of a row against its target, ``today`` being the last day with known activity
    (the end of the data or of the selected range). None without a target or a value."""
    if row.target is None or row.value is None or row.unavailable:
        return None
    start = row.target_start or row.start
    end = row.target_end or row.end
    # The actual covers the row's days: no further than its end.
    last = min(today, row.end - dt.timedelta(days=1))
    days = (end - start).days
    elapsed = min(max((last - start).days + 1, 0), days)
    expected = expected_to_date(kpi, row.target, start, end, last)
    return Pacing(expected, row.value, elapsed, days, attainment(kpi, row.value, expected))
