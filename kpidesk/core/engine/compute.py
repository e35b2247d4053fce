"""The KPI engine: every KPI of the catalogue over periods, compared, broken down, against targets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from kpidesk.core import catalog
from kpidesk.core.catalog import LOW_CONFIDENCE_BASE, KpiDef
from kpidesk.core.engine.context import (
    _FUNCTIONS,
    _PREPARERS,
    _SPOTLIGHTS,
    Ctx,
    Values,
    _cell,
    _intervals,
    _row_kinds,
    _stack,
    _text,
    implemented,
)
from kpidesk.core.engine.data import EngineData
from kpidesk.core.engine.intervals import Intervals
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


class Engine(EngineData):
    """The prepared data of one company, ready to answer queries (see :class:`EngineData`)."""

    def __init__(
        self,
        data: Mapping[str, pd.DataFrame],
        settings: CompanySettings | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(data, settings, today)
        self._targets = self._prepare_targets()

    def prepare(self) -> None:
        """Compute the data-level facts now (day numbers, codes, first purchases) rather than lazily."""
        for prepare in _PREPARERS:
            prepare(self)

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
        missing = self.missing_fields(definition.id)
        if missing or not self._available(definition, query.filters):
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
                    period_days=p.full_days,
                    covered_days=self.covered_days(p),
                    missing_fields=missing,
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
        spotlight = catalog.CARD_BREAKDOWN.get(definition.id)
        if whole_range and spotlight is not None and self._breaks_down(definition, spotlight):
            self._spotlight(definition, rows, Ctx(self, self.settings, query.filters, spotlight, results), main)
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
                    row.no_comparable_data = True
        return rows

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
            period_days=p.full_days,
            covered_days=self.covered_days(p),
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

    def _spotlight(self, definition: KpiDef, rows: list[KpiRow], ctx: Ctx, main: Intervals) -> None:
        """The best and the worst member of the card's breakdown (ROI: the channels), on each row."""
        direct = _SPOTLIGHTS.get(definition.id)
        split = direct(ctx, main) if direct is not None else self._evaluate(definition, ctx, main)
        if split.members is None:
            return
        sign = -1.0 if definition.direction == "lower" else 1.0
        for i, row in enumerate(rows):
            found = [(str(m), v) for j, m in enumerate(split.members) if (v := _cell(split.value, i, j)) is not None]
            if found:
                # Best first; ties by name, so the same pair comes back every time.
                found.sort(key=lambda mv: (-sign * mv[1], mv[0].casefold()))
                row.best, row.worst = found[0], found[-1]

    def covered_days(self, period: Period) -> int:
        """The days of ``period`` that the range and the data cover (all of them when whole)."""
        stop: dt.date | None = self.cached("data_stop", self._data_stop)
        end = period.end if stop is None else min(period.end, stop)
        return max((end - period.start).days, 0)

    def _data_stop(self) -> dt.date | None:
        last = self._last_day()
        return None if last is None else last + dt.timedelta(days=1)

    def missing_fields(self, kpi_id: str) -> tuple[str, ...]:
        """The fields ``kpi_id`` needs that no row of its data holds (:data:`catalog.FIELD_NEEDS`):
        ``("customer_id", "customer_name")`` when the sales name no customer, ``("product",)``."""
        missing: list[str] = []
        for kind, name in catalog.FIELD_NEEDS.get(kpi_id, ()):
            table = self.tables[kind]
            if table.n == 0 or table.holds(name):
                continue  # a kind not imported at all is said by its kinds
            missing.extend(("customer_id", "customer_name") if (kind, name) == ("sales", "customer_id") else (name,))
        return tuple(missing)

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
        return dimension in catalog.breakdown_dimensions(definition.id)
