"""The KPI engine: every KPI of the catalogue over periods, compared, broken down, filtered.

One engine serves the window, the command line and the export. It is built
once from the typed frames of the store (:meth:`Engine.__init__` prepares
numpy columns: day numbers, codes of ids and dimensions) and then answers
:class:`Query` objects. Every KPI is vectorised: rows are placed in periods
with ``searchsorted`` and aggregated with ``bincount``/``groupby``; there is no
Python loop over rows.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kpidesk.core import catalog
from kpidesk.core.catalog import ADDITIVE, LOW_CONFIDENCE_BASE, KpiDef
from kpidesk.core.cells import MISSING_DAY, code_type, factorize_objects, group_sum
from kpidesk.core.kinds import KINDS, dimension_field
from kpidesk.core.periods import (
    Grain,
    Period,
    is_partial,
    parse_label,
    period_bounds,
    periods,
    range_period,
    shift,
    shift_range,
)
from kpidesk.core.results import KpiRow, Query, Result
from kpidesk.core.settings import CompanySettings
from kpidesk.core.targets import RangeTarget, Target, range_target
from kpidesk.core.text import member_label

__all__ = ["ADDITIVE", "Engine", "KpiRow", "Query", "Result", "implemented"]

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


# -- prepared data ----------------------------------------------------------------------------


class Table:
    """One kind's frame as numpy columns, with codes for ids and dimensions."""

    def __init__(self, kind: str, frame: pd.DataFrame) -> None:
        self.kind = kind
        self.frame = frame
        self.n = len(frame)
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._days: dict[str, np.ndarray] = {}

    def days(self, column: str) -> np.ndarray:
        """Day numbers of a date column (``INT64_MIN`` where missing), read-only."""
        if column not in self._days:
            if column not in self.frame.columns:
                self._days[column] = _constant(MISSING_DAY, self.n, np.int64)
                return self._days[column]
            values = self.frame[column].to_numpy(dtype="datetime64[ns]")
            days = values.view(np.int64) // _NS_PER_DAY  # floor: the day of a time of day
            days[np.isnat(values)] = MISSING_DAY
            days.flags.writeable = False
            self._days[column] = days
        return self._days[column]

    def code_of(self, column: str, label: str) -> int:
        """The code of ``label`` in a column, -1 when absent."""
        _, labels = self.codes(column)
        for i, value in enumerate(labels):
            if str(value) == label:
                return i
        return -1

    def codes(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """(codes, labels) of a text column; missing values have code -1.

        The codes are read-only and of the narrowest integer type that holds them (a
        category's own codes, not a copy): arithmetic that could exceed that type (a code
        times a count) must widen them first (:func:`wide`).
        """
        if column not in self._codes:
            if column not in self.frame.columns:
                self._codes[column] = (_constant(-1, self.n, np.int8), np.empty(0, dtype=object))
                return self._codes[column]
            series = self.frame[column]
            if isinstance(series.dtype, pd.CategoricalDtype):
                codes = series.cat.codes.to_numpy()
                labels = np.asarray(series.cat.categories.astype(str), dtype=object)
            else:
                codes, uniques = factorize_objects(series.to_numpy(dtype=object))
                labels = np.asarray(uniques, dtype=object)
                if pd.api.types.infer_dtype(labels, skipna=False) != "string":
                    labels = np.asarray([str(u) for u in labels], dtype=object)
                codes = codes.astype(code_type(len(labels)))
            if codes.flags.writeable:
                codes = codes.view()
                codes.flags.writeable = False
            self._codes[column] = (codes, labels)
        return self._codes[column]

    def numbers(self, column: str) -> np.ndarray:
        """A number column as float64 (NaN where missing)."""
        if column not in self.frame.columns:
            return _constant(np.nan, self.n, np.float64)
        return self.frame[column].to_numpy(dtype="float64", na_value=np.nan)

    def flags(self, column: str) -> np.ndarray:
        """A yes/no column as int8: 1 yes, 0 no, -1 missing."""
        if column not in self.frame.columns:
            return _constant(-1, self.n, np.int8)
        series = self.frame[column]
        values = series.astype("boolean")
        out = np.where(values.isna().to_numpy(), -1, values.fillna(False).to_numpy(dtype=bool).astype(np.int8))
        return out.astype(np.int8)

    def has_column(self, column: str) -> bool:
        return column in self.frame.columns


def _constant(value: float, n: int, dtype: type[np.generic]) -> np.ndarray:
    """``n`` times ``value``, read-only, in the memory of one value (a column a kind lacks)."""
    return np.broadcast_to(np.array(value, dtype=dtype), (n,))


def wide(codes: np.ndarray) -> np.ndarray:
    """``codes`` as int64, for arithmetic that a narrow type would overflow (no copy if they are)."""
    return np.asarray(codes, dtype=np.int64)


Scope = tuple[tuple[str, tuple[str, ...]], ...]


def scope_key(filters: Mapping[str, frozenset[str]]) -> Scope:
    """A hashable key of a set of filters (the prepared data of a scope is cached under it)."""
    return tuple(sorted((d, tuple(sorted(str(m) for m in ms))) for d, ms in filters.items()))


@dataclass
class Ctx:
    """What a KPI function sees: the prepared tables, the filters, the breakdown and the settings.

    ``results`` lives for one :meth:`Engine.compute`/:meth:`Engine.summary` call, so that KPIs
    built on the same parts (retention and churn, CLV and the CLV/CAC ratio) share them.
    """

    engine: Engine
    settings: CompanySettings
    filters: Mapping[str, frozenset[str]]
    by: str | None
    results: dict[Any, Any] = field(default_factory=dict)

    @property
    def scope(self) -> Scope:
        return scope_key(self.filters)

    def table(self, kind: str) -> Table:
        return self.engine.tables[kind]

    def mask(self, kind: str) -> np.ndarray:
        """The rows of ``kind`` kept by the filters."""
        mask: np.ndarray = self.engine.scoped(self.scope, ("mask", kind), lambda: self.engine.mask(kind, self.filters))
        return mask

    def member_codes(self, kind: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Codes of the breakdown dimension in ``kind``, or None without a breakdown."""
        if self.by is None:
            return None
        column = dimension_field(kind, self.by)
        assert column is not None
        return self.table(kind).codes(column)

    def prepared(self, name: str, build: Callable[[], Any]) -> Any:
        """Data prepared once per scope (filters) and breakdown, kept by the engine across queries."""
        return self.engine.scoped(self.scope, (self.by, name), build)

    def result(self, key: Any, build: Callable[[], Any]) -> Any:
        """A part computed once per call (keyed with the intervals it was computed over)."""
        full = (self.by, key)
        if full not in self.results:
            self.results[full] = build()
        return self.results[full]


@dataclass
class Values:
    """A KPI's values over intervals: ``value[i]`` (NaN = undefined) and the size of its base.

    With a breakdown, ``value`` and ``base`` are ``(intervals, members)`` arrays and
    ``members`` their labels.
    """

    value: np.ndarray
    base: np.ndarray | None = None
    members: np.ndarray | None = None
    #: True where the value is provisional (same shape as ``value``).
    provisional: np.ndarray | None = None
    #: Figures shown beside the value, same shape as ``value`` (NaN = undefined).
    extra: dict[str, np.ndarray] = field(default_factory=dict)


KpiFunction = Callable[[Ctx, Intervals], Values]
_FUNCTIONS: dict[str, KpiFunction] = {}


def kpi(kpi_id: str) -> Callable[[KpiFunction], KpiFunction]:
    """Register the function that computes ``kpi_id``."""

    def register(fn: KpiFunction) -> KpiFunction:
        catalog.get(kpi_id)
        _FUNCTIONS[kpi_id] = fn
        return fn

    return register


def implemented() -> tuple[str, ...]:
    return tuple(k.id for k in catalog.CATALOG if k.id in _FUNCTIONS)


#: Functions that compute an engine's data-level facts ahead of time (:meth:`Engine.prepare`).
_PREPARERS: list[Callable[[Engine], None]] = []


def preparer(fn: Callable[[Engine], None]) -> Callable[[Engine], None]:
    """Register a function of :meth:`Engine.prepare`."""
    _PREPARERS.append(fn)
    return fn


# -- aggregation helpers ----------------------------------------------------------------------


def group_count(idx: np.ndarray, n: int, member: np.ndarray | None, m: int) -> np.ndarray:
    return group_sum(idx, np.ones(len(idx), dtype="float64"), n, member, m)


def group_distinct(idx: np.ndarray, entity: np.ndarray, n: int, member: np.ndarray | None, m: int) -> np.ndarray:
    """Distinct ``entity`` codes per interval (and member); entity -1 is left out."""
    keep = (idx >= 0) & (entity >= 0)
    if member is not None:
        keep &= member >= 0
    e = entity[keep]
    span = int(e.max()) + 1 if len(e) else 1
    cell = idx[keep] if member is None else idx[keep] * m + member[keep]
    unique = np.unique(cell * span + e)
    counts = np.bincount(unique // span, minlength=n if member is None else n * m)
    return counts[: n if member is None else n * m].reshape((n,) if member is None else (n, m)).astype("float64")


def ratio(num: np.ndarray, den: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """``num * scale / den`` with NaN where the denominator is 0 (scaled first: 1100 x 100 / 500
    is exactly 220)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den != 0, num * scale / np.where(den != 0, den, 1), np.nan)
    return out.astype("float64")


# -- the engine -------------------------------------------------------------------------------


class Engine:
    """The prepared data of one company, ready to answer queries.

    Preparation is lazy and cached at two levels: facts about the data (each table's day
    numbers and codes, each customer's first purchases) once per engine, and the rows of a
    scope (a set of filters) summed by day and member once per scope and breakdown, so that a
    query only touches those small day-level tables. The engine is not thread-safe: one
    thread computes at a time (the window runs one task at a time).
    """

    #: How many scopes (sets of filters) keep their prepared data.
    SCOPES_KEPT = 6

    def __init__(
        self,
        data: Mapping[str, pd.DataFrame],
        settings: CompanySettings | None = None,
        today: dt.date | None = None,
    ) -> None:
        self.settings = settings or CompanySettings()
        self.today = today or dt.date.today()
        self.tables: dict[str, Table] = {}
        for kind in KINDS:
            frame = data.get(kind)
            if frame is None:
                frame = pd.DataFrame({c: pd.Series(dtype="object") for c in KINDS[kind].field_names})
            self.tables[kind] = Table(kind, frame)
        self._cache: dict[str, Any] = {}
        self._scopes: OrderedDict[Scope, dict[Any, Any]] = OrderedDict()
        self._targets = self._prepare_targets()

    # -- facts about the data

    def has(self, kind: str) -> bool:
        return self.tables[kind].n > 0

    def data_range(self) -> tuple[dt.date, dt.date] | None:
        """First and last date of any dated row."""
        found: tuple[dt.date, dt.date] | None = self.cached("data_range", self._data_range)
        return found

    def _data_range(self) -> tuple[dt.date, dt.date] | None:
        lows, highs = [], []
        for kind, table in self.tables.items():
            if kind == "targets" or table.n == 0:
                continue
            # Every date a KPI places rows by: a deal closed after the last one opened counts too.
            for column in KINDS[kind].fields_of_type("date"):
                days = table.days(column)
                days = days[days != MISSING_DAY]
                if len(days):
                    lows.append(int(days.min()))
                    highs.append(int(days.max()))
        if not lows:
            return None
        return from_day_number(min(lows)), from_day_number(max(highs))

    def _last_day(self) -> dt.date | None:
        span = self.data_range()
        return None if span is None else span[1]

    def as_of(self) -> dt.date:
        """The day up to which purchases are known: the last sale, or today if earlier.

        A one-time-buyer window that ends after this day has not elapsed: the value is
        provisional (a second purchase may still come, or may simply not be imported yet).
        """
        last: int | None = self.cached("sales.last_day", self._last_sale)
        return self.today if last is None else min(self.today, from_day_number(last))

    def _last_sale(self) -> int | None:
        days = self.tables["sales"].days("date")
        days = days[days != MISSING_DAY]
        return int(days.max()) if len(days) else None

    def members(self, dimension: str) -> list[str]:
        """Every member of ``dimension`` found in any kind, sorted."""
        found: set[str] = set()
        for kind, table in self.tables.items():
            if kind == "targets" or table.n == 0:
                continue
            column = dimension_field(kind, dimension)
            if column is None:
                continue
            codes, labels = table.codes(column)
            used = np.unique(codes[codes >= 0])
            found.update(str(labels[i]) for i in used)
        return sorted(found, key=str.casefold)

    def member_names(self, dimension: str) -> dict[str, str]:
        """Names to show for the members of ``dimension`` where the data has them: each
        customer id's name, from the customers file, else from its latest sales line.
        Members of the other dimensions are names already (the dict is empty)."""
        if dimension != "customer":
            return {}
        names: dict[str, str] = self.cached("names.customer", self._customer_names)
        return names

    def member_label(self, dimension: str, member: str) -> str:
        """``member`` as a manager reads it: ``Name (id)`` for a customer with a known name."""
        return member_label(member, self.member_names(dimension).get(member))

    def _customer_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        # Sales lines first, the customers file last: its name wins.
        for kind, column in (("sales", "customer_name"), ("customers", "name")):
            table = self.tables[kind]
            if table.n == 0 or not table.has_column(column):
                continue
            ids, id_labels = table.codes("customer_id")
            name_codes, name_labels = table.codes(column)
            rows = np.flatnonzero((ids >= 0) & (name_codes >= 0))
            if not len(rows):
                continue
            # The latest row of each customer (rows in storage order: the last one imported).
            latest = rows[::-1][np.unique(ids[rows[::-1]], return_index=True)[1]]
            for i, n in zip(ids[latest].tolist(), name_codes[latest].tolist(), strict=True):
                name = str(name_labels[n]).strip()
                if name:
                    names[str(id_labels[i])] = name
        return names

    def cached(self, key: str, build: Callable[[], Any]) -> Any:
        """Per-engine memo for unfiltered derived data (e.g. each customer's first purchase)."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def scoped(self, scope: Scope, key: Any, build: Callable[[], Any]) -> Any:
        """Per-scope memo (prepared rows of a set of filters); the least recently used go first."""
        entries = self._scopes.get(scope)
        if entries is None:
            entries = self._scopes[scope] = {}
            while len(self._scopes) > self.SCOPES_KEPT:
                self._scopes.popitem(last=False)
        else:
            self._scopes.move_to_end(scope)
        if key not in entries:
            entries[key] = build()
        return entries[key]

    def forget_scopes(self) -> None:
        """Drop the prepared data of every scope (benchmarks; the data-level facts stay)."""
        self._scopes.clear()

    def prepare(self) -> None:
        """Compute the data-level facts now (day numbers, codes, first purchases) rather than lazily."""
        for prepare in _PREPARERS:
            prepare(self)

    def mask(self, kind: str, filters: Mapping[str, frozenset[str]]) -> np.ndarray:
        """The rows of ``kind`` whose members are kept by ``filters``."""
        table = self.tables[kind]
        mask = np.ones(table.n, dtype=bool)
        for dimension, members in filters.items():
            column = dimension_field(kind, dimension)
            if column is None or table.n == 0:
                continue
            codes, labels = table.codes(column)
            if not len(labels):
                mask[:] = False
                continue
            allowed = np.array([str(label) in members for label in labels], dtype=bool)
            mask &= (codes >= 0) & allowed[np.clip(codes, 0, None)]
        return mask

    # -- targets

    def _prepare_targets(self) -> dict[tuple[str, str | None, str | None], list[Target]]:
        table = self.tables["targets"]
        out: dict[tuple[str, str | None, str | None], list[Target]] = {}
        if table.n == 0:
            return out
        f = table.frame.reindex(columns=list(KINDS["targets"].field_names))
        for kpi_name, label, value, dimension, member in zip(
            f["kpi"], f["period"], f["value"], f["dimension"], f["member"], strict=True
        ):
            definition = catalog.find(str(kpi_name))
            if definition is None or value is None or pd.isna(value):
                continue
            try:
                grain, start, stop = parse_label(str(label), self.settings.fiscal_year_start, self.settings.week_start)
            except ValueError:
                continue
            target = Target(definition.id, grain, start, stop, _text(dimension), _text(member), float(value))
            out.setdefault((target.kpi, target.dimension, target.member), []).append(target)
        return out

    def target(
        self,
        kpi_id: str,
        period: Period,
        grain: Grain,
        dimension: str | None,
        member: str | None,
        whole_range: bool = False,
    ) -> float | None:
        """The target of a period: the one entered for it, or for a whole range the targets of
        the finest grain that starts within it (summed for additive KPIs, else averaged)."""
        found = self.target_span(kpi_id, period, grain, dimension, member, whole_range)
        return None if found is None else found[0]

    def target_span(
        self,
        kpi_id: str,
        period: Period,
        grain: Grain,
        dimension: str | None,
        member: str | None,
        whole_range: bool = False,
    ) -> tuple[float, dt.date, dt.date] | None:
        """The target of a period (see :meth:`target`) and the days ``[start, stop)`` it covers."""
        found = self.range_target(kpi_id, period, grain, dimension, member, whole_range)
        return None if found is None else (found.value, found.start, found.stop)

    def range_target(
        self,
        kpi_id: str,
        period: Period,
        grain: Grain,
        dimension: str | None,
        member: str | None,
        whole_range: bool = False,
    ) -> RangeTarget | None:
        """The target and pacing of a period (of the targets of its grain) or of a whole range
        (of the targets of the finest grain it touches): see :func:`~kpidesk.core.targets.range_target`."""
        found = self._targets.get((kpi_id, dimension, member))
        if not found:
            return None
        return range_target(kpi_id, found, period.start, period.end, None if whole_range else grain)

    # -- computing

    def resolve_range(self, query: Query) -> tuple[dt.date, dt.date]:
        data = self.data_range()
        if data is None:
            first = last = self.today
        else:
            first, last = data
        # The whole data starts with a whole period, so its comparison is a whole period too.
        start = (
            query.start
            or period_bounds(first, query.grain, self.settings.fiscal_year_start, self.settings.week_start)[0]
        )
        # A range asked to start after the data ends is that one day, not the data reversed.
        end = query.end or max(last, start)
        if end < start:
            raise ValueError(f"the range ends ({end}) before it starts ({start})")
        return start, end

    def compute(self, query: Query) -> Result:
        """Every asked KPI for every period of the query's range."""
        start, end = self.resolve_range(query)
        fiscal, week = self.settings.fiscal_year_start, self.settings.week_start
        plist = periods(start, end, query.grain, fiscal, week)
        comparison = None
        if query.compare != "none":
            comparison = [shift(p, query.grain, query.compare, fiscal, week) for p in plist]
        return self._compute(query, start, end, plist, comparison, whole_range=False)

    def summary(self, query: Query) -> Result:
        """Every asked KPI over the whole range as one period, with its comparison (the cards)."""
        start, end = self.resolve_range(query)
        whole = range_period(start, end)
        comparison = [shift_range(whole, query.compare)] if query.compare != "none" else None
        return self._compute(query, start, end, [whole], comparison, whole_range=True)

    def _compute(
        self,
        query: Query,
        start: dt.date,
        end: dt.date,
        plist: list[Period],
        comparison: list[Period] | None,
        whole_range: bool,
    ) -> Result:
        ids = query.kpis if query.kpis is not None else implemented()
        main = Intervals.of([(p.start, p.end) for p in plist])
        results: dict[Any, Any] = {}
        rows: list[KpiRow] = []
        for kpi_id in ids:
            definition = catalog.get(kpi_id)
            rows.extend(self._rows(definition, query, plist, main, comparison, results, whole_range))
        return Result(start, end, query.grain, query.compare, plist, rows)

    def _rows(
        self,
        definition: KpiDef,
        query: Query,
        plist: list[Period],
        main: Intervals,
        comparison: list[Period] | None,
        results: dict[Any, Any],
        whole_range: bool,
    ) -> list[KpiRow]:
        available = self._available(definition, query.filters)
        if not available:
            return [
                KpiRow(
                    kpi=definition.id,
                    member=None,
                    period=p.label,
                    value=None,
                    target=None,
                    comparison=None,
                    unavailable=True,
                    low_confidence=False,
                    start=p.start,
                    end=p.end,
                    partial=is_partial(p, self._last_day()),
                )
                for p in plist
            ]
        ctx = Ctx(self, self.settings, query.filters, None, results)
        whole = self._evaluate(definition, ctx, main)
        compared = None
        if comparison is not None:
            compared = self._evaluate(definition, ctx, _intervals(comparison))
        rows = []
        for i, p in enumerate(plist):
            rows.append(self._row(definition, p, query.grain, None, None, whole, i, None, compared, None, whole_range))
        if query.by is not None and self._breaks_down(definition, query.by):
            ctx = Ctx(self, self.settings, query.filters, query.by, results)
            split = self._evaluate(definition, ctx, main)
            split_cmp = self._evaluate(definition, ctx, _intervals(comparison)) if comparison is not None else None
            assert split.members is not None
            cmp_index = (
                {str(m): j for j, m in enumerate(split_cmp.members)}
                if split_cmp is not None and split_cmp.members is not None
                else {}
            )
            labels = split.members
            order = sorted(range(len(labels)), key=lambda j: str(labels[j]).casefold())
            for i, p in enumerate(plist):
                for j in order:
                    member = str(labels[j])
                    rows.append(
                        self._row(
                            definition,
                            p,
                            query.grain,
                            query.by,
                            member,
                            split,
                            i,
                            j,
                            split_cmp,
                            cmp_index.get(member),
                            whole_range,
                        )
                    )
        if comparison is not None:
            # A comparison period the data hardly covers (before the first import) compares with
            # nothing: undefined, not zero, and no +1,000 % against a single month of data.
            first = self._first_day(definition.needs)
            uncovered = {
                p.label
                for p, c in zip(plist, comparison, strict=True)
                if first is None or (c.end - max(c.start, first)).days * 2 < (c.end - c.start).days
            }
            for row in rows:
                if row.period in uncovered:
                    row.comparison = None
        return rows

    def _first_day(self, kinds: Sequence[str]) -> dt.date | None:
        """The first day any row of ``kinds`` is dated (by any of its date fields)."""

        def build() -> dt.date | None:
            firsts = []
            for kind in kinds:
                for column in KINDS[kind].fields_of_type("date"):
                    days = self.tables[kind].days(column)
                    days = days[days != MISSING_DAY]
                    if len(days):
                        firsts.append(int(days.min()))
            return from_day_number(min(firsts)) if firsts else None

        found: dt.date | None = self.cached("first_day:" + ",".join(kinds), build)
        return found

    def _row(
        self,
        definition: KpiDef,
        p: Period,
        grain: Grain,
        dimension: str | None,
        member: str | None,
        values: Values,
        i: int,
        j: int | None,
        compared: Values | None,
        cj: int | None,
        whole_range: bool,
    ) -> KpiRow:
        value = _cell(values.value, i, j)
        base = None if values.base is None else _cell(values.base, i, j)
        comparison = None
        if compared is not None:
            if j is None:
                comparison = _cell(compared.value, i, None)
            elif cj is not None:
                comparison = _cell(compared.value, i, cj)
        low = value is not None and base is not None and base < LOW_CONFIDENCE_BASE
        provisional = False
        if values.provisional is not None and value is not None:
            provisional = bool(values.provisional[i] if j is None else values.provisional[i, j])
        extra = {}
        for name, array in values.extra.items():
            figure = _cell(array, i, j)
            if figure is not None:
                extra[name] = figure
        target = self.range_target(definition.id, p, grain, dimension, member, whole_range)
        return KpiRow(
            kpi=definition.id,
            period=p.label,
            member=member,
            value=value,
            target=None if target is None else target.value,
            comparison=comparison,
            unavailable=False,
            low_confidence=bool(low),
            start=p.start,
            end=p.end,
            partial=is_partial(p, self._last_day()),
            base=None if base is None else int(base),
            provisional=provisional,
            extra=extra,
            target_start=None if target is None else target.start,
            target_end=None if target is None else target.stop,
            pacing=None if target is None else target.pacing,
        )

    def _evaluate(self, definition: KpiDef, ctx: Ctx, intervals: Intervals) -> Values:
        fn = _FUNCTIONS[definition.id]
        if intervals.is_disjoint():
            return fn(ctx, intervals)
        # Overlapping comparison periods (rare: clipped ranges) are computed one by one.
        parts = [fn(ctx, Intervals(intervals.lo[i : i + 1], intervals.hi[i : i + 1])) for i in range(len(intervals))]
        return _stack(parts)

    def _available(self, definition: KpiDef, filters: Mapping[str, frozenset[str]]) -> bool:
        if definition.id not in _FUNCTIONS:
            return False
        for kind in definition.needs:
            if not self.has(kind):
                return False
        for dimension in filters:
            if any(dimension_field(kind, dimension) is None for kind in _row_kinds(definition)):
                return False
        return True

    def _breaks_down(self, definition: KpiDef, dimension: str) -> bool:
        return all(dimension_field(kind, dimension) is not None for kind in _row_kinds(definition))


def _row_kinds(definition: KpiDef) -> tuple[str, ...]:
    """The kinds whose rows a KPI counts, and so must carry a filter or breakdown field."""
    return definition.needs


def _intervals(plist: list[Period]) -> Intervals:
    return Intervals.of([(p.start, p.end) for p in plist])


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def _cell(array: np.ndarray, i: int, j: int | None) -> float | None:
    v = float(array[i] if j is None else array[i, j])
    return None if math.isnan(v) or math.isinf(v) else v


def _stack(parts: list[Values]) -> Values:
    """One-interval values stacked into one :class:`Values` (members aligned by label)."""
    names = list(parts[0].extra) if parts else []
    if parts and parts[0].members is not None:
        members = np.unique(np.concatenate([p.members for p in parts if p.members is not None]))
        shape = (len(parts), len(members))
        value = np.full(shape, np.nan)
        base = None if parts[0].base is None else np.zeros(shape)
        provisional = None if parts[0].provisional is None else np.zeros(shape, dtype=bool)
        extra = {name: np.full(shape, np.nan) for name in names}
        for i, p in enumerate(parts):
            assert p.members is not None
            pos = np.searchsorted(members, p.members)
            value[i, pos] = p.value[0]
            if base is not None and p.base is not None:
                base[i, pos] = p.base[0]
            if provisional is not None and p.provisional is not None:
                provisional[i, pos] = p.provisional[0]
            for name in names:
                extra[name][i, pos] = p.extra[name][0]
        return Values(value, base, members, provisional, extra)
    value = np.concatenate([p.value for p in parts])
    base = None if parts[0].base is None else np.concatenate([p.base for p in parts if p.base is not None])
    provisional = (
        None
        if parts[0].provisional is None
        else np.concatenate([p.provisional for p in parts if p.provisional is not None])
    )
    extra = {name: np.concatenate([p.extra[name] for p in parts]) for name in names}
    return Values(value, base, None, provisional, extra)


# Register the KPI functions.
from kpidesk.core import kpis as _kpis  # noqa: E402,F401
