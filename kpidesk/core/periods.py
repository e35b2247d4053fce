"""Periods: grains, labels, fiscal years, ranges and comparison periods (SPEC §3).

Dates are ``datetime.date``; a period covers ``[start, end)`` (end exclusive).
A fiscal year that starts in month M (M > 1) is named after the calendar year
it ends in: with an April start, FY2025 runs from 2024-04-01 to 2025-03-31.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

Grain = Literal["day", "week", "month", "quarter", "year"]
Comparison = Literal["previous", "year", "none"]

GRAINS: tuple[Grain, ...] = ("day", "week", "month", "quarter", "year")
COMPARISONS: tuple[Comparison, ...] = ("previous", "year", "none")


@dataclass(frozen=True)
class Period:
    """One period of a grain, possibly clipped to the selected range.

    ``start``/``end`` are what the values are computed over; ``full_start``/``full_end``
    the whole period. ``partial`` is True when the two differ.
    """

    label: str
    start: dt.date
    end: dt.date
    full_start: dt.date
    full_end: dt.date

    @property
    def partial(self) -> bool:
        return self.start != self.full_start or self.end != self.full_end

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def full_days(self) -> int:
        return (self.full_end - self.full_start).days


def add_months(d: dt.date, months: int) -> dt.date:
    """``d`` moved by ``months`` calendar months, the day clamped to the month's length."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = _month_length(year, month)
    return dt.date(year, month, min(d.day, last))


def _month_length(year: int, month: int) -> int:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day


def _fiscal_year_start(d: dt.date, fiscal_start: int) -> dt.date:
    year = d.year if d.month >= fiscal_start else d.year - 1
    return dt.date(year, fiscal_start, 1)


def period_bounds(d: dt.date, grain: Grain, fiscal_start: int = 1, week_start: int = 1) -> tuple[dt.date, dt.date]:
    """``[start, end)`` of the ``grain`` period holding ``d``."""
    if grain == "day":
        return d, d + dt.timedelta(days=1)
    if grain == "week":
        start = d - dt.timedelta(days=(d.isoweekday() - week_start) % 7)
        return start, start + dt.timedelta(days=7)
    if grain == "month":
        start = d.replace(day=1)
        return start, add_months(start, 1)
    if grain == "quarter":
        fy = _fiscal_year_start(d, fiscal_start)
        offset = (d.year - fy.year) * 12 + d.month - fy.month
        start = add_months(fy, offset - offset % 3)
        return start, add_months(start, 3)
    if grain == "year":
        start = _fiscal_year_start(d, fiscal_start)
        return start, add_months(start, 12)
    raise ValueError(f"unknown grain {grain!r}")


def period_label(start: dt.date, grain: Grain, fiscal_start: int = 1) -> str:
    """The label of the period starting at ``start``: ``2024-03-05``, ``2024-W05``, ``2024-03``,
    ``2024-Q1``, ``2024``; with a fiscal year, ``FY2024`` and ``FY2024-Q1``."""
    if grain == "day":
        return start.isoformat()
    if grain == "week":
        # The ISO week holding the middle of the week, whatever day weeks start on.
        year, week, _ = (start + dt.timedelta(days=3)).isocalendar()
        return f"{year}-W{week:02d}"
    if grain == "month":
        return f"{start.year}-{start.month:02d}"
    fy = _fiscal_year_start(start, fiscal_start)
    year_label = str(fy.year) if fiscal_start == 1 else f"FY{add_months(fy, 11).year}"
    if grain == "year":
        return year_label
    quarter = ((start.year - fy.year) * 12 + start.month - fy.month) // 3 + 1
    return f"{year_label}-Q{quarter}"


def periods(start: dt.date, end: dt.date, grain: Grain, fiscal_start: int = 1, week_start: int = 1) -> list[Period]:
    """The ``grain`` periods covering ``start``..``end`` (both inclusive), clipped to that range."""
    if end < start:
        raise ValueError("the range ends before it starts")
    stop = end + dt.timedelta(days=1)
    out: list[Period] = []
    cursor = start
    while cursor < stop:
        full_start, full_end = period_bounds(cursor, grain, fiscal_start, week_start)
        out.append(
            Period(
                label=period_label(full_start, grain, fiscal_start),
                start=max(full_start, start),
                end=min(full_end, stop),
                full_start=full_start,
                full_end=full_end,
            )
        )
        cursor = full_end
    return out


def shift(period: Period, grain: Grain, compare: Comparison, fiscal_start: int = 1, week_start: int = 1) -> Period:
    """The comparison period of ``period``: the previous one or the same one a year earlier.

    A partial period is compared like for like: the same number of days from the
    start of the comparison period.
    """
    if compare == "none":
        raise ValueError("no comparison period")
    if compare == "year":
        # The same week of the previous year is 52 weeks back (same weekday).
        if grain == "week":
            full_start = period.full_start - dt.timedelta(weeks=52)
        else:
            full_start = add_months(period.full_start, -12)
    else:
        full_start = _previous_start(period.full_start, grain)
    full_start, full_end = period_bounds(full_start, grain, fiscal_start, week_start)
    start = full_start + (period.start - period.full_start)
    # A whole period maps to a whole period; a partial one to as many days, like for like.
    end = full_end if period.end == period.full_end else min(full_start + (period.end - period.full_start), full_end)
    return Period(period_label(full_start, grain, fiscal_start), start, end, full_start, full_end)


def _previous_start(start: dt.date, grain: Grain) -> dt.date:
    if grain == "day":
        return start - dt.timedelta(days=1)
    if grain == "week":
        return start - dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    return add_months(start, -months)


_LABEL_PATTERNS: tuple[tuple[re.Pattern[str], Grain], ...] = (
    (re.compile(r"^(FY)?(\d{4})$"), "year"),
    (re.compile(r"^(FY)?(\d{4})-Q([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})-W(\d{2})$"), "week"),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "day"),
)


def parse_label(label: str, fiscal_start: int = 1, week_start: int = 1) -> tuple[Grain, dt.date, dt.date]:
    """The grain and ``[start, end)`` of a period label (targets are entered by label).

    Raises:
        ValueError: the label is not one of the forms of :func:`period_label`.
    """
    text = label.strip().upper()
    for pattern, grain in _LABEL_PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        # "FY2025" is a fiscal year (named after the year it ends in); "2025" is the calendar year,
        # whatever the fiscal year: a target means the same dates when the setting changes.
        fiscal = bool(m.group(1)) and fiscal_start != 1 if grain in ("year", "quarter") else False
        if grain == "year":
            year = int(m.group(2))
            start = dt.date(year - 1, fiscal_start, 1) if fiscal else dt.date(year, 1, 1)
            return grain, start, add_months(start, 12)
        if grain == "quarter":
            year, quarter = int(m.group(2)), int(m.group(3))
            fy = dt.date(year - 1, fiscal_start, 1) if fiscal else dt.date(year, 1, 1)
            start = add_months(fy, 3 * (quarter - 1))
            return grain, start, add_months(start, 3)
        if grain == "month":
            start = dt.date(int(m.group(1)), int(m.group(2)), 1)
            return grain, start, add_months(start, 1)
        if grain == "week":
            monday = dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
            # The week-start day within three days of the ISO Monday (see period_label).
            start = monday + dt.timedelta(days=(week_start + 2) % 7 - 3)
            return grain, start, start + dt.timedelta(days=7)
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return grain, day, day + dt.timedelta(days=1)
    raise ValueError(f"not a period label: {label!r}")


def range_period(start: dt.date, end: dt.date) -> Period:
    """The whole range ``start``..``end`` (inclusive) as one period, labelled ``start/end`` (ISO 8601)."""
    stop = end + dt.timedelta(days=1)
    return Period(f"{start.isoformat()}/{end.isoformat()}", start, stop, start, stop)


def shift_range(period: Period, compare: Comparison) -> Period:
    """The comparison of a whole range: the same range a year earlier, or the range just before it.

    A range that starts on the 1st moves by whole months, so "this month to date"
    is compared with the same days of the previous month (like for like).
    """
    if compare == "none":
        raise ValueError("no comparison period")
    last = period.end - dt.timedelta(days=1)
    if compare == "year":
        months: int | None = 12
    elif period.start.day == 1:
        months = (last.year * 12 + last.month) - (period.start.year * 12 + period.start.month) + 1
    else:
        months = None
    if months is not None:
        start = add_months(period.start, -months)
        end = add_months(period.end, -months)
    else:
        length = period.end - period.start
        start, end = period.start - length, period.start
    return range_period(start, end - dt.timedelta(days=1))


def is_partial(period: Period, last_day: dt.date | None) -> bool:
    """Whether ``period`` is partial (SPEC §3.1): the selected range does not hold it whole,
    or the data ends before it does (``last_day``: the last day with data, None: no data)."""
    return period.partial or (last_day is not None and last_day + dt.timedelta(days=1) < period.end)
