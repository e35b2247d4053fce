"""Day-level tables: a kind's rows summed by (day, member), and sums "before a day".

A KPI over periods only needs its rows summed by day (and by member of the
breakdown): a million sales lines over three years become about a thousand
cells. :class:`Cells` holds those sums; any set of periods is then answered by
placing the cells (not the rows) in the periods, and a value at a point in time
(the pipeline at the end of a period, the customers of the last twelve months)
by prefix sums (:class:`Prefix`). Everything is vectorised.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from kpidesk.core.engine import Intervals

#: The day number of a missing date.
MISSING_DAY = int(np.iinfo(np.int64).min)

#: A dense (day x member) key space up to this size is summed with ``bincount``.
_DENSE_LIMIT = 1 << 22
#: ... unless it has more than 64 slots per key and is larger than this.
_SPARSE_FROM = 1 << 16


def group_keys(key: np.ndarray, size: int, sort: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(codes, uniques) of non-negative integer keys below ``size``, uniques ascending
    (in no particular order with ``sort`` False, which is faster for many distinct keys).

    ``codes[i]`` is the position of ``key[i]`` in ``uniques``. Runs of equal consecutive
    keys (the lines of one invoice) are grouped first, which makes sorted data cheap.
    """
    n = len(key)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    boundary = np.empty(n, dtype=bool)
    boundary[0] = True
    np.not_equal(key[1:], key[:-1], out=boundary[1:])
    starts = np.flatnonzero(boundary)
    if len(starts) * 2 > n:
        return _group(key, size, sort)
    codes, uniques = _group(key[starts], size, sort)
    run = np.cumsum(boundary) - 1
    return codes[run], uniques


def _group(key: np.ndarray, size: int, sort: bool) -> tuple[np.ndarray, np.ndarray]:
    # Dense unless the key space is much larger than the keys: a breakdown's (customer x
    # member x day) space is millions of slots for a few thousand keys, and filling and
    # summing those arrays costs far more than sorting the keys.
    if size <= max(_DENSE_LIMIT, 4 * len(key)) and size <= max(_SPARSE_FROM, 64 * len(key)):
        present = np.zeros(size, dtype=bool)
        present[key] = True
        position: np.ndarray = np.cumsum(present, dtype=index_type(size))
        np.subtract(position, 1, out=position)
        return position[key], np.flatnonzero(present).astype(np.int64)
    if not sort:
        hashed, found = pd.factorize(key)
        return hashed.astype(np.int64, copy=False), np.asarray(found, dtype=np.int64)
    uniques, codes = np.unique(key, return_inverse=True)
    return codes.astype(np.int64, copy=False).reshape(-1), uniques.astype(np.int64, copy=False)


def code_type(count: int) -> type[np.signedinteger[Any]]:
    """The smallest integer type holding codes -1 .. count - 1 (what pandas itself picks)."""
    for kind in (np.int8, np.int16, np.int32):
        if count < np.iinfo(kind).max:
            return kind
    return np.int64


def index_type(count: int) -> type[np.signedinteger[Any]]:
    """The type of positions below ``count`` (rows, keys): int32 while they fit, half the
    memory of int64 for a million of them."""
    return np.int32 if count < np.iinfo(np.int32).max else np.int64


def factorize_objects(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` of an object array (codes int64, -1 for missing; uniques in order of
    appearance). Runs of equal values (an invoice's lines) are factorized once, which is
    several times faster on the sorted columns of real files."""
    n = len(values)
    if n > 1024:
        try:
            change = np.asarray(values[1:] != values[:-1], dtype=bool)
        except (TypeError, ValueError):  # values without a plain equality (pd.NA)
            change = np.ones(n - 1, dtype=bool)
        starts = np.flatnonzero(np.concatenate([[True], change]))
        if len(starts) * 4 < n:
            codes, uniques = pd.factorize(values[starts], use_na_sentinel=True)
            lengths = np.diff(np.append(starts, n))
            return np.repeat(codes.astype(np.int64), lengths), np.asarray(uniques, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


class Cells:
    """Measures of a kind's rows summed by (day, member).

    Attributes:
        day: the day number of each cell.
        member: the member code of each cell, or None without a breakdown.
        m: the number of members (1 without a breakdown).
        labels: the member labels, or None.
        sums: measure name -> its sum in each cell.
    """

    def __init__(
        self,
        day: np.ndarray,
        member: np.ndarray | None,
        m: int,
        labels: np.ndarray | None,
        sums: dict[str, np.ndarray],
    ) -> None:
        self.day = day
        self.member = member
        self.m = m
        self.labels = labels
        self.sums = sums
        self._prefix: dict[str, Prefix] = {}

    @classmethod
    def build(
        cls,
        day: np.ndarray,
        keep: np.ndarray,
        measures: Mapping[str, np.ndarray],
        members: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> Cells:
        """Sum ``measures`` (one weight per row) of the rows ``keep`` by day and member.

        Rows without a day, or without a member when broken down, are left out.
        """
        keep = keep & (day != MISSING_DAY)
        member_codes, labels = (None, None) if members is None else members
        m = 1 if labels is None else max(len(labels), 1)
        if member_codes is not None:
            keep &= member_codes >= 0
        rows = np.flatnonzero(keep)
        d = day[rows]
        if len(d) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return cls(
                empty, None if member_codes is None else empty, m, labels, {name: np.zeros(0) for name in measures}
            )
        d0 = int(d.min())
        span = int(d.max()) - d0 + 1
        key = d - d0 if member_codes is None else (d - d0) * m + member_codes[rows]
        codes, uniques = group_keys(key, span * m)
        n = len(uniques)
        every = len(rows) == len(day)
        sums = {
            name: np.bincount(codes, weights=np.asarray(w) if every else np.asarray(w)[rows], minlength=n).astype(
                "float64"
            )
            for name, w in measures.items()
        }
        cell_day = uniques // m + d0
        cell_member = None if member_codes is None else uniques % m
        return cls(cell_day, cell_member, m, labels, sums)

    def totals(self, iv: Intervals, *names: str) -> list[np.ndarray]:
        """The sums of ``names`` over each interval: ``(n,)``, or ``(n, m)`` with members."""
        idx = iv.assign(self.day)
        return [group_sum(idx, self.sums[name], len(iv), self.member, self.m) for name in names]

    def before(self, name: str, points: np.ndarray) -> np.ndarray:
        """The sum of ``name`` over the cells dated before each point (day number)."""
        if name not in self._prefix:
            self._prefix[name] = Prefix(self.day, self.member, self.sums[name], self.m)
        return self._prefix[name].before(points)


def group_sum(idx: np.ndarray, weights: np.ndarray, n: int, member: np.ndarray | None, m: int) -> np.ndarray:
    """Σ weights per interval (and member): rows with idx -1 (or member -1) are left out."""
    keep = idx >= 0
    if member is None:
        return np.bincount(idx[keep], weights=weights[keep], minlength=n)[:n].astype("float64")
    keep &= member >= 0
    key = idx[keep] * m + member[keep]
    return np.bincount(key, weights=weights[keep], minlength=n * m)[: n * m].reshape(n, m).astype("float64")


class Prefix:
    """Sums of weighted items dated before any day, per member: ``before(points)``."""

    def __init__(self, day: np.ndarray, member: np.ndarray | None, weights: np.ndarray, m: int) -> None:
        self.m = m
        self.member = member is not None
        if len(day) == 0:
            self.d0, self.span = 0, 1
            self.keys = np.zeros(0, dtype=np.int64)
            self.cumulative = np.zeros(1)
            return
        self.d0 = int(day.min())
        self.span = int(day.max()) - self.d0 + 2
        key = day - self.d0 if member is None else np.asarray(member, dtype=np.int64) * self.span + (day - self.d0)
        order = np.argsort(key, kind="stable")
        keys = key[order]
        sums = np.cumsum(np.asarray(weights, dtype="float64")[order])
        # One entry per distinct key (its last running sum): "before a day" only needs those,
        # and the days repeat (a million purchases fall on a thousand days).
        last = np.empty(len(keys), dtype=bool)
        last[-1] = True
        np.not_equal(keys[1:], keys[:-1], out=last[:-1])
        self.keys = keys[last]
        self.cumulative = np.concatenate([[0.0], sums[last]])

    @classmethod
    def of_counts(cls, parts: list[tuple[np.ndarray, np.ndarray | None, float]], m: int) -> Prefix:
        """A prefix of items that each weigh the number of their part (+1 for a start, -1 for an
        end...), given as parts ``(days, members, weight)``: counted by day (and member) with
        ``bincount`` when that grid is no larger than the items, so that neither a sorted copy
        of the items nor one entry per item is kept; otherwise as :class:`Prefix` does."""
        has_member = parts[0][1] is not None
        dated = [d for d, _, _ in parts if len(d)]
        if not dated:
            return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64) if has_member else None, np.zeros(0), m)
        d0 = min(int(d.min()) for d in dated)
        span = max(int(d.max()) for d in dated) - d0 + 2
        size = span * (m if has_member else 1)
        if size > max(1 << 16, 2 * sum(len(d) for d, _, _ in parts)):
            days = np.concatenate([d for d, _, _ in parts])
            member = np.concatenate([mb for _, mb, _ in parts if mb is not None]) if has_member else None
            weights = np.concatenate([np.full(len(d), w, dtype="float64") for d, _, w in parts])
            return cls(days, member, weights, m)
        sums = np.zeros(size)
        for days, member, weight in parts:
            key = days - d0
            if member is not None:
                key += np.asarray(member, dtype=np.int64) * span
            sums += np.bincount(key, minlength=size) * weight
            del key
        prefix = cls.__new__(cls)
        prefix.m, prefix.member, prefix.d0, prefix.span = m, has_member, d0, span
        prefix.keys = np.arange(size, dtype=np.int64)
        prefix.cumulative = np.concatenate([[0.0], np.cumsum(sums)])
        return prefix

    def before(self, points: np.ndarray) -> np.ndarray:
        """``(q,)`` sums of the items dated before each point; ``(q, m)`` per member."""
        offset = np.clip(np.asarray(points, dtype=np.int64) - self.d0, 0, self.span - 1)
        if not self.member:
            out: np.ndarray = self.cumulative[np.searchsorted(self.keys, offset, side="left")]
            return out
        base = np.arange(self.m, dtype=np.int64) * self.span
        first = self.cumulative[np.searchsorted(self.keys, base, side="left")]
        at = self.cumulative[np.searchsorted(self.keys, base[None, :] + offset[:, None], side="left")]
        result: np.ndarray = at - first[None, :]
        return result


# -- calendar arithmetic on day numbers ---------------------------------------------------------


def add_months_days(days: np.ndarray, months: int) -> np.ndarray:
    """Day numbers moved by ``months`` calendar months, the day clamped to the month's length
    (the vectorised :func:`kpidesk.core.periods.add_months`)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    day_of_month = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.timedelta64(months, "M")
    start = target.astype("datetime64[D]")
    length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - start).astype(np.int64)
    result: np.ndarray = (start + np.minimum(day_of_month, length - 1)).astype(np.int64)
    return result


def window_reach(days: np.ndarray, months: int) -> np.ndarray:
    """:func:`_window_reach` computed once per distinct day (dates repeat a lot)."""
    d = np.asarray(days, dtype=np.int64)
    if len(d) < 64:
        return _window_reach(d, months)
    lo, hi = int(d.min()), int(d.max())
    if hi - lo > 4 * len(d):
        return _window_reach(d, months)
    table = _window_reach(np.arange(lo, hi + 1, dtype=np.int64), months)
    result: np.ndarray = table[d - lo]
    return result


def _window_reach(days: np.ndarray, months: int) -> np.ndarray:
    """For a purchase on day ``d``, the last day ``t`` whose ``months``-month window
    ``[add_months(t, -months), t)`` still holds ``d``.

    That is ``add_months(d, months)``, except that a purchase on the last day of a month
    reaches the last day of the target month (``add_months`` clamps: 31 March - 1 month is
    29 February, so a purchase on 29 February is still in the window of 31 March).
    """
    d = np.asarray(days, dtype=np.int64)
    month = d.astype("datetime64[D]").astype("datetime64[M]")
    next_month_start = (month + np.timedelta64(1, "M")).astype("datetime64[D]").astype(np.int64)
    last_of_month = d + 1 == next_month_start
    target_end = (month + np.timedelta64(months + 1, "M")).astype("datetime64[D]").astype(np.int64) - 1
    result: np.ndarray = np.where(last_of_month, target_end, add_months_days(d, months))
    return result
