"""Day numbers and the sorted, disjoint day intervals that periods become in the engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_EPOCH = dt.date(1970, 1, 1)
_NS_PER_DAY = 86_400 * 10**9


def day_number(d: dt.date) -> int:
    return (d - _EPOCH).days


def from_day_number(n: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(n))


# -- intervals --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Intervals:
    """Sorted, disjoint day-number intervals ``[lo, hi)``."""

    lo: np.ndarray
    hi: np.ndarray

    def __len__(self) -> int:
        return len(self.lo)

    @classmethod
    def of(cls, spans: Sequence[tuple[dt.date, dt.date]]) -> Intervals:
        lo = np.array([day_number(a) for a, _ in spans], dtype=np.int64)
        hi = np.array([day_number(b) for _, b in spans], dtype=np.int64)
        return cls(lo, hi)

    def is_disjoint(self) -> bool:
        return bool(np.all(self.lo[1:] >= self.hi[:-1])) and bool(np.all(self.lo <= self.hi))

    def assign(self, days: np.ndarray) -> np.ndarray:
        """The interval index of each day number, -1 outside every interval."""
        if len(self.lo) == 0:
            return np.full(len(days), -1, dtype=np.int64)
        # The bounds interleaved (lo0 <= hi0 <= lo1 <= hi1...): a day is inside interval i when
        # 2i + 1 bounds are at or before it. One search, and no array but the result.
        edges = np.empty(2 * len(self.lo), dtype=np.int64)
        edges[0::2], edges[1::2] = self.lo, self.hi
        idx = np.searchsorted(edges, days, side="right")
        outside = np.bitwise_and(idx, 1) == 0
        idx >>= 1
        idx[outside] = -1
        return idx
