"""The demo data's calendar (days as offsets, months as indexes) and the small drawing helpers."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from kpidesk.core.kinds import KINDS
from kpidesk.demo.world import _PRICE, _PRICE_GROWTH, _SEGMENT_DISCOUNT, MONTHS, BoolArray, FloatArray, IntArray

# -- calendar ------------------------------------------------------------------------------


def period_start(end: datetime.date) -> datetime.date:
    """The first day of the demo data ending at ``end``: the 1st, 35 months before."""
    index = end.year * 12 + end.month - 1 - (MONTHS - 1)
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class _Calendar:
    """Days are integer offsets from ``start``; months are indexed 0..MONTHS-1."""

    start: datetime.date
    n_days: int  # days from start to end, both included
    lo: IntArray  # first day of each month
    hi: IntArray  # day after the last day of each month, clipped to n_days
    length: IntArray  # full length of each month
    month: IntArray  # calendar month, 1..12
    year: IntArray  # calendar year

    @classmethod
    def build(cls, end: datetime.date) -> _Calendar:
        start = period_start(end)
        months = np.datetime64(start, "M") + np.arange(MONTHS + 1)
        bounds = (months.astype("datetime64[D]") - np.datetime64(start, "D")).astype(np.int64)
        n_days = (end - start).days + 1
        index = months[:-1].astype(np.int64)
        return cls(
            start=start,
            n_days=n_days,
            lo=bounds[:-1],
            hi=np.minimum(bounds[1:], n_days),
            length=bounds[1:] - bounds[:-1],
            month=index % 12 + 1,
            year=index // 12 + 1970,
        )

    @property
    def elapsed(self) -> FloatArray:
        """Share of each month covered (1 except for the month of ``end``)."""
        return np.asarray((self.hi - self.lo) / self.length, dtype=np.float64)

    def weekday(self, days: IntArray) -> IntArray:
        return np.asarray((days + self.start.weekday()) % 7, dtype=np.int64)

    def business(self, days: IntArray, lo: IntArray | int, hi: IntArray | int) -> IntArray:
        """Saturdays to the Friday before, Sundays to the Monday after, kept in [lo, hi)."""
        wd = self.weekday(days)
        moved = days - (wd == 5).astype(np.int64) + (wd == 6).astype(np.int64)
        return np.asarray(np.clip(moved, lo, np.asarray(hi) - 1), dtype=np.int64)

    def next_business(self, days: IntArray) -> IntArray:
        """Week-end days to the Monday after."""
        wd = self.weekday(days)
        return np.asarray(days + np.where(wd == 5, 2, np.where(wd == 6, 1, 0)), dtype=np.int64)

    def month_of(self, days: IntArray) -> IntArray:
        return np.asarray(np.searchsorted(self.lo, days, side="right") - 1, dtype=np.int64)

    def year_of(self, days: IntArray) -> IntArray:
        return np.asarray(self.year[self.month_of(days)], dtype=np.int64)

    def timestamps(self, days: IntArray, valid: BoolArray | None = None) -> npt.NDArray[np.datetime64]:
        """Midnight ``datetime64[ns]`` of each day offset; NaT where not ``valid``."""
        if valid is None:
            valid = np.ones(days.shape, dtype=np.bool_)
        offsets = np.where(valid, days, 0).astype("timedelta64[D]")
        out = (np.datetime64(self.start, "D") + offsets).astype("datetime64[ns]")
        out[~valid] = np.datetime64("NaT")
        return out


# -- small helpers -------------------------------------------------------------------------


def _choice(rng: np.random.Generator, weights: FloatArray, n: int) -> IntArray:
    p = np.asarray(weights, dtype=np.float64)
    return np.asarray(rng.choice(p.size, size=n, p=p / p.sum()), dtype=np.int64)


def _pick(rng: np.random.Generator, probs: FloatArray) -> IntArray:
    """One index per row of ``probs`` (rows of probabilities)."""
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(int(probs.shape[0]))
    return np.asarray(np.minimum((u[:, None] > cum).sum(axis=1), probs.shape[1] - 1), dtype=np.int64)


def _expand(counts: IntArray) -> tuple[IntArray, IntArray]:
    """Row and column of each event, for a (rows x columns) matrix of event counts."""
    cell = np.repeat(np.arange(counts.size, dtype=np.int64), counts.ravel())
    return cell // counts.shape[1], cell % counts.shape[1]


def _cycle(rng: np.random.Generator, n: int) -> IntArray:
    """Sales cycles in days: 10 to 120, about a month typically, a few the same day."""
    days = np.clip(np.rint(np.exp(rng.normal(np.log(32.0), 0.55, n))), 10, 120).astype(np.int64)
    days[rng.random(n) < 0.03] = 0
    return days


def _lognormal(rng: np.random.Generator, median: FloatArray, sigma: float) -> FloatArray:
    return np.asarray(median * np.exp(rng.normal(0.0, sigma, median.shape)), dtype=np.float64)


def _unit_price(cal: _Calendar, product: IntArray, day: IntArray, segment: IntArray) -> FloatArray:
    index = _PRICE_GROWTH ** (cal.year_of(day) - cal.year[0]).astype(np.float64)
    return np.asarray(np.round(_PRICE[product] * index * _SEGMENT_DISCOUNT[segment], 2), dtype=np.float64)


def _ids(prefix: str, numbers: IntArray, width: int) -> list[str]:
    return [f"{prefix}{n:0{width}d}" for n in numbers.tolist()]


def _labels(names: Sequence[str], codes: IntArray) -> npt.NDArray[np.object_]:
    """``names[code]`` per row, None where the code is -1."""
    table = np.array([*names, None], dtype=object)
    return np.asarray(table[codes], dtype=object)


def _category(names: Sequence[str], codes: IntArray) -> pd.Categorical:
    return pd.Categorical(_labels(names, codes))


def _text(values: Sequence[str | None] | npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _bools(values: BoolArray) -> pd.api.extensions.ExtensionArray:
    return pd.array(values, dtype="boolean")


def _frame(kind: str, columns: dict[str, object]) -> pd.DataFrame:
    names = list(KINDS[kind].field_names)
    return pd.DataFrame({name: columns[name] for name in names}, columns=names)
