"""What a KPI function sees and returns (Ctx, Values), the registry of KPI functions, and their helpers."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kpidesk.core import catalog
from kpidesk.core.catalog import KpiDef
from kpidesk.core.cells import group_sum
from kpidesk.core.engine.intervals import Intervals
from kpidesk.core.engine.table import Table
from kpidesk.core.kinds import dimension_field
from kpidesk.core.periods import (
    Period,
)
from kpidesk.core.settings import CompanySettings

if TYPE_CHECKING:
    from kpidesk.core.engine.compute import Engine


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


#: Functions that give a KPI over one range per member of its card's breakdown (the best and the
#: worst channel of ROI) more directly than its breakdown does (no day cells per member).
_SPOTLIGHTS: dict[str, KpiFunction] = {}


def spotlight(kpi_id: str) -> Callable[[KpiFunction], KpiFunction]:
    """Register the function that gives ``kpi_id`` per member of its card's breakdown."""

    def register(fn: KpiFunction) -> KpiFunction:
        _SPOTLIGHTS[kpi_id] = fn
        return fn

    return register


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
