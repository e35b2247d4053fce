"""The marketing KPIs: spend, and what it costs or returns set against sales and leads."""

from __future__ import annotations

import numpy as np

from kpidesk.core.cells import (
    MISSING_DAY,
    Cells,
)
from kpidesk.core.engine import (
    Ctx,
    Intervals,
    Values,
    kpi,
    ratio,
    spotlight,
    wide,
)
from kpidesk.core.kpis.common import _key, _labels, _values
from kpidesk.core.kpis.customers import _clv, _new_customers
from kpidesk.core.kpis.facts import sales_facts
from kpidesk.core.kpis.prospecting import _leads_labels, leads_created
from kpidesk.core.kpis.sales import _revenue, _sales_labels

# -- spend and the KPIs that set it against sales or leads ------------------------------------


def _spend_cells(ctx: Ctx) -> Cells:
    def build() -> Cells:
        t = ctx.table("spend")
        codes, _ = t.codes("category")
        is_sales = (codes == t.code_of("category", "sales")) & (codes >= 0)
        amount = np.nan_to_num(t.numbers("amount"), nan=0.0)
        return Cells.build(
            t.days("date"),
            ctx.mask("spend"),
            {
                "all": amount,
                "marketing": np.where(is_sales, 0.0, amount),
                "rows": np.ones(t.n),
            },
            ctx.member_codes("spend"),
        )

    cells: Cells = ctx.prepared("spend.cells", build)
    return cells


def _aligned(parts: list[tuple[np.ndarray, np.ndarray | None]]) -> tuple[list[np.ndarray], np.ndarray | None]:
    """Arrays of different kinds broken down by the same dimension, on the union of their members."""
    labels = [lab for _, lab in parts]
    if all(lab is None for lab in labels):
        return [a for a, _ in parts], None
    union = np.array(sorted({str(x) for lab in labels if lab is not None for x in lab}), dtype=object)
    out = []
    for array, lab in parts:
        wide = np.zeros((array.shape[0], len(union)))
        if lab is not None and len(lab):
            position = np.searchsorted(union, np.array([str(x) for x in lab], dtype=object))
            np.add.at(wide.T, position, array[:, : len(lab)].T)
        out.append(wide)
    return out, union


def _spend_labels(ctx: Ctx) -> np.ndarray | None:
    return _labels(ctx.member_codes("spend"))[0]


@kpi("marketing_spend")
def marketing_spend(ctx: Ctx, iv: Intervals) -> Values:
    return _values(_spend_cells(ctx).totals(iv, "all")[0], _spend_labels(ctx))


def _cac(ctx: Ctx, iv: Intervals) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    def build() -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        (spend, new), labels = _aligned(
            [
                (_spend_cells(ctx).totals(iv, "all")[0], _spend_labels(ctx)),
                (_new_customers(ctx, iv), _sales_labels(ctx)),
            ]
        )
        return ratio(spend, new), new, labels

    result: tuple[np.ndarray, np.ndarray, np.ndarray | None] = ctx.result(("cac", _key(iv)), build)
    return result


@kpi("cac")
def cac(ctx: Ctx, iv: Intervals) -> Values:
    value, new, labels = _cac(ctx, iv)
    return _values(value, labels, new)


@kpi("cost_per_lead")
def cost_per_lead(ctx: Ctx, iv: Intervals) -> Values:
    (spend, created), labels = _aligned(
        [
            (_spend_cells(ctx).totals(iv, "marketing")[0], _spend_labels(ctx)),
            (leads_created(ctx, iv)[0], _leads_labels(ctx)),
        ]
    )
    return _values(ratio(spend, created), labels, created)


def _roi(ctx: Ctx, iv: Intervals, revenue: np.ndarray) -> Values:
    """(revenue − spend) ÷ spend × 100, revenue and spend aligned by member (sales channel
    against spend channel); the base is the spend rows."""
    spent, rows = _spend_cells(ctx).totals(iv, "all", "rows")
    (spend, spend_rows, revenue_), labels = _aligned(
        [
            (spent, _spend_labels(ctx)),
            (rows, _spend_labels(ctx)),
            (revenue, _sales_labels(ctx)),
        ]
    )
    return _values(ratio(revenue_ - spend, spend, 100.0), labels, spend_rows)


@kpi("roi")
def roi(ctx: Ctx, iv: Intervals) -> Values:
    return _roi(ctx, iv, _revenue(ctx, iv))


@spotlight("roi")
def roi_by_member(ctx: Ctx, iv: Intervals) -> Values:
    """ROI per member of ``ctx.by`` (the card's channels), the revenue summed straight from the
    sales lines: without filters, from each member's revenue summed by day once per engine."""
    members = ctx.member_codes("sales")
    assert members is not None and ctx.by is not None
    codes, labels = members
    m = len(labels)
    revenue = np.zeros((len(iv), m))
    # The daily table pays from the second query on (the dashboard's refreshes); a first query,
    # the opening of a company, sums the lines.
    uses: list[int] = ctx.engine.cached("sales.daily_by_uses:" + ctx.by, lambda: [0])
    uses[0] += 1
    daily = None if ctx.filters or uses[0] < 2 else _daily_by_member(ctx, ctx.by)
    if daily is not None:
        d0, cumulative = daily
        span = cumulative.shape[1] - 1
        lo = np.clip(np.asarray(iv.lo, dtype=np.int64) - d0, 0, span)
        hi = np.clip(np.asarray(iv.hi, dtype=np.int64) - d0, 0, span)
        revenue[:] = (cumulative[:, hi] - cumulative[:, lo]).T
    else:
        f = sales_facts(ctx.engine)
        keep = ctx.mask("sales") & (codes >= 0)
        for i in range(len(iv)):
            rows = np.flatnonzero(keep & (f.day >= iv.lo[i]) & (f.day < iv.hi[i]))
            revenue[i] = np.bincount(codes[rows], weights=f.amount[rows], minlength=m)[:m]
    return _roi(ctx, iv, revenue)


#: The largest members x days table of :func:`_daily_by_member` (else lines are summed per query).
_DAILY_CELLS = 4_000_000


def _daily_by_member(ctx: Ctx, dimension: str) -> tuple[int, np.ndarray] | None:
    """Each member's revenue summed by day, cumulated: ``(first day, (members, days + 1))``, the
    revenue of ``[a, b)`` being ``c[:, b - d0] - c[:, a - d0]``; None when the table would be large."""

    def build() -> tuple[int, np.ndarray] | None:
        f = sales_facts(ctx.engine)
        members = ctx.member_codes("sales")
        assert members is not None
        codes, labels = members
        rows = np.flatnonzero((codes >= 0) & (f.day != MISSING_DAY))
        if not len(rows):
            return 0, np.zeros((len(labels), 1))
        days = f.day[rows]
        d0 = int(days.min())
        span = int(days.max()) - d0 + 1
        if span * max(len(labels), 1) > _DAILY_CELLS:
            return None
        key = wide(codes[rows]) * span + (days - d0)
        sums = np.bincount(key, weights=f.amount[rows], minlength=len(labels) * span).reshape(len(labels), span)
        cumulative = np.zeros((len(labels), span + 1))
        np.cumsum(sums, axis=1, out=cumulative[:, 1:])
        return d0, cumulative

    found: tuple[int, np.ndarray] | None = ctx.engine.cached("sales.daily_by:" + dimension, build)
    return found


@kpi("ltv_cac_ratio")
def ltv_cac_ratio(ctx: Ctx, iv: Intervals) -> Values:
    value, base = _clv(ctx, iv)
    cost, new, cac_labels = _cac(ctx, iv)
    (value, base, cost, new), labels = _aligned(
        [
            (value, _sales_labels(ctx)),
            (base, _sales_labels(ctx)),
            (cost, cac_labels),
            (new, cac_labels),
        ]
    )
    return _values(ratio(value, cost), labels, np.minimum(base, new))
