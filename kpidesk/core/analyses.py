"""Customer-base analyses beside the KPIs (SPEC §5): cohort retention, revenue Pareto,
new versus returning revenue, the sales funnel.

Each is a pure function of the :class:`~kpidesk.core.engine.Engine`, computed from
the same prepared data as the KPIs (so a filter means the same thing everywhere) and
returning a typed result. Like the KPIs, they count a customer's purchase lines
(amount > 0) as activity and date a customer by their first-ever purchase.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpidesk.core.cells import MISSING_DAY
from kpidesk.core.engine import Ctx, Engine, Intervals, Query, day_number, wide
from kpidesk.core.kpis import Buyers, buyers, leads_created, opportunity_counts, sales_facts
from kpidesk.core.periods import periods
from kpidesk.i18n import N_

Filters = Mapping[str, frozenset[str]]


def _ctx(engine: Engine, filters: Filters | None) -> Ctx:
    return Ctx(engine, engine.settings, filters or {}, None, {})


def _month_index(days: np.ndarray) -> np.ndarray:
    """Months since January of year 0 (so that consecutive months differ by 1)."""
    months: np.ndarray = (
        np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    )
    return months


def cohort_retention(engine: Engine, start: dt.date, end: dt.date, filters: Filters | None = None) -> pd.DataFrame:
    """The cohort grid: customers acquired in each month of ``start``..``end`` and the share of
    them who bought in each month since.

    A customer belongs to the cohort of their first-ever purchase (with filters: when that
    purchase is kept by them, as for ``new_customers``) and is active in a month when they
    have a purchase line kept by the filters in it.

    Returns:
        One row per acquisition month (index: ``2024-03``), column ``customers`` (the cohort's
        size) and columns ``0``, ``1``... (months since acquisition, up to the month of
        ``end``): the percentage of the cohort active that month, NaN after ``end``.
        Empty without sales.
    """
    months_span = (end.year - start.year) * 12 + end.month - start.month + 1
    columns = ["customers", *range(max(months_span, 0))]
    if not engine.has("sales") or months_span <= 0:
        return pd.DataFrame(columns=columns, dtype="float64")
    ctx = _ctx(engine, filters)
    f = sales_facts(engine)
    first_rows = f.first_row[f.first_row >= 0]
    kept = first_rows[ctx.mask("sales")[first_rows]]
    first_month = _month_index(np.array([day_number(start)]))[0]
    cohort_of = np.full(len(f.first_day), -1, dtype=np.int64)
    customer = f.customer[kept]
    cohort = _month_index(f.day[kept]) - first_month
    inside = (cohort >= 0) & (cohort < months_span)
    cohort_of[customer[inside]] = cohort[inside]
    size = np.bincount(cohort[inside], minlength=months_span)[:months_span].astype("float64")

    b: Buyers = buyers(ctx)
    activity_month = _month_index(b.b_day) - first_month
    their_cohort = cohort_of[b.b_customer]
    offset = activity_month - their_cohort
    keep = (their_cohort >= 0) & (offset >= 0) & (activity_month < months_span)
    pairs = np.unique(wide(b.b_customer[keep]) * (months_span + 1) + offset[keep])
    pair_cohort = cohort_of[pairs // (months_span + 1)]
    pair_offset = pairs % (months_span + 1)
    active = np.zeros((months_span, months_span))
    np.add.at(active, (pair_cohort, pair_offset), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(size[:, None] > 0, active / np.where(size[:, None] > 0, size[:, None], 1) * 100.0, np.nan)
    # Months after the end of the range have not happened yet (for that cohort).
    elapsed = months_span - np.arange(months_span)
    share[np.arange(months_span)[None, :] >= elapsed[:, None]] = np.nan
    labels = [
        f"{(start.year * 12 + start.month - 1 + i) // 12}-{(start.month - 1 + i) % 12 + 1:02d}"
        for i in range(months_span)
    ]
    frame = pd.DataFrame(share, index=pd.Index(labels, name="cohort"), columns=list(range(months_span)))
    frame.insert(0, "customers", size)
    return frame


def revenue_pareto(engine: Engine, start: dt.date, end: dt.date, filters: Filters | None = None) -> pd.DataFrame:
    """Customers ranked by their net revenue over ``start``..``end`` (returns deducted), those
    with a positive net revenue only.

    Returns:
        Columns ``customer`` (id), ``revenue``, ``share`` (% of the ranked customers' revenue),
        ``cumulative_share`` (%) and ``customer_share`` (the rank as a % of the customers), in
        descending order of revenue (ties by customer id).
    """
    columns = {
        "customer": pd.Series(dtype=object),
        "revenue": pd.Series(dtype="float64"),
        "share": pd.Series(dtype="float64"),
        "cumulative_share": pd.Series(dtype="float64"),
        "customer_share": pd.Series(dtype="float64"),
    }
    if not engine.has("sales"):
        return pd.DataFrame(columns)
    ctx = _ctx(engine, filters)
    b = buyers(ctx)
    inside = (b.day >= day_number(start)) & (b.day <= day_number(end))
    n_customers = len(sales_facts(engine).first_day)
    net = np.bincount(b.customer[inside], weights=b.net[inside], minlength=n_customers)[:n_customers]
    positive = np.flatnonzero(net > 0)
    _, labels = engine.tables["sales"].codes("customer_id")
    names = np.asarray([str(labels[i]) for i in positive], dtype=object)
    order = np.lexsort((names, -net[positive]))
    revenue = net[positive][order]
    total = revenue.sum()
    n = len(revenue)
    return pd.DataFrame(
        {
            "customer": names[order],
            "revenue": revenue,
            "share": revenue / total * 100.0 if n else revenue,
            "cumulative_share": np.cumsum(revenue) / total * 100.0 if n else revenue,
            "customer_share": np.arange(1, n + 1) / n * 100.0 if n else revenue,
        }
    )


def pareto_top(pareto: pd.DataFrame) -> tuple[float | None, int]:
    """The concentration a Pareto shows (SPEC §3.1): the share (%) of the ranked customers' net
    revenue that the top ⌈n ÷ 5⌉ of its n customers make, and that number of customers; the
    value of ``top_customer_share`` over the same range and filters. (None, 0) when empty."""
    n = len(pareto)
    if n == 0:
        return None, 0
    top = -(-n // 5)
    return float(pareto["cumulative_share"].iloc[top - 1]), top


def new_vs_returning(engine: Engine, query: Query) -> pd.DataFrame:
    """Revenue of each period of ``query`` split by customer: ``new`` (first purchase in the
    period, or no purchase yet: a customer known only by a credit note), ``returning``
    (bought before the period) and ``unidentified`` (lines without a customer id); the three
    add up to ``revenue``. ``query.by`` and ``query.compare`` are ignored.

    Returns:
        One row per period: ``period`` (label), ``start``, ``end`` (inclusive), ``new``,
        ``returning``, ``unidentified``, ``revenue``.
    """
    start, end = engine.resolve_range(query)
    fiscal, week = engine.settings.fiscal_year_start, engine.settings.week_start
    plist = periods(start, end, query.grain, fiscal, week)
    iv = Intervals.of([(p.start, p.end) for p in plist])
    n = len(plist)
    new: np.ndarray = np.zeros(n)
    returning: np.ndarray = np.zeros(n)
    unidentified: np.ndarray = np.zeros(n)
    if engine.has("sales"):
        ctx = _ctx(engine, query.filters)
        b = buyers(ctx)
        idx = iv.assign(b.day)
        inside = idx >= 0
        before = b.facts.first_day[b.customer] < iv.lo[np.clip(idx, 0, None)]
        returning = np.bincount(idx[inside & before], weights=b.net[inside & before], minlength=n)[:n]
        new = np.bincount(idx[inside & ~before], weights=b.net[inside & ~before], minlength=n)[:n]
        f = sales_facts(engine)
        anonymous = ctx.mask("sales") & (f.customer < 0) & (f.day != MISSING_DAY)
        rows = np.flatnonzero(anonymous)
        where = iv.assign(f.day[rows])
        ok = where >= 0
        unidentified = np.bincount(where[ok], weights=f.amount[rows][ok], minlength=n)[:n]
    return pd.DataFrame(
        {
            "period": [p.label for p in plist],
            "start": [p.start for p in plist],
            "end": [p.end - dt.timedelta(days=1) for p in plist],
            "new": new.astype("float64"),
            "returning": returning.astype("float64"),
            "unidentified": unidentified.astype("float64"),
            "revenue": (new + returning + unidentified).astype("float64"),
        }
    )


@dataclass(frozen=True)
class FunnelStage:
    """One stage of the sales funnel: its id, the count (None when its data is missing), and the
    catalogue's rate that leads to it with the cohort both count (SPEC §3.1), when it has one."""

    stage: str
    count: int | None
    #: The value of the KPI ``rate_kpi`` over the same range and filters (the card's value).
    rate: float | None = None
    rate_kpi: str | None = None
    #: Which rows the count and the rate count: a key of :data:`FUNNEL_COHORTS`.
    cohort: str | None = None


#: The funnel's stages, in order.
FUNNEL_STAGES: tuple[str, ...] = ("leads", "qualified", "opportunities", "won")

#: What each cohort of the funnel counts, said beside its rate.
FUNNEL_COHORTS: dict[str, str] = {
    "leads_created": N_("of the leads created in the period"),
    "opportunities_created": N_("opportunities created in the period"),
    "opportunities_closed": N_("of the opportunities closed in the period"),
}


def funnel(engine: Engine, start: dt.date, end: dt.date, filters: Filters | None = None) -> list[FunnelStage]:
    """Leads → qualified → opportunities → won over ``start``..``end``, with the cards' cohorts:

    * leads: created in the range (``leads``);
    * qualified: of those leads, the qualified ones, at the ``qualification_rate``;
    * opportunities: created in the range (``opportunities``), no rate (another cohort);
    * won: opportunities closed in the range that were won, at the ``win_rate``
      (won ÷ won and lost).

    A stage whose kind is missing, or lacks a filtered dimension, has count None.
    """
    kpis = ("leads", "qualification_rate", "opportunities", "win_rate")
    result = engine.summary(Query(start, end, compare="none", kpis=kpis, filters=filters or {}))
    by_kpi = {row.kpi: row for row in result.rows if row.member is None}
    iv = Intervals.of([(start, end + dt.timedelta(days=1))])
    ctx = _ctx(engine, filters)
    qualified: int | None = None
    if not by_kpi["leads"].unavailable:
        qualified = int(leads_created(ctx, iv)[1][0])
    won: int | None = None
    if not by_kpi["opportunities"].unavailable:
        won = int(opportunity_counts(ctx, iv)["won"][0])

    def count(kpi: str) -> int | None:
        row = by_kpi[kpi]
        return None if row.unavailable or row.value is None else int(row.value)

    def rate(kpi: str) -> float | None:
        row = by_kpi[kpi]
        return None if row.unavailable else row.value

    return [
        FunnelStage("leads", count("leads"), cohort="leads_created"),
        FunnelStage("qualified", qualified, rate("qualification_rate"), "qualification_rate", "leads_created"),
        FunnelStage("opportunities", count("opportunities"), cohort="opportunities_created"),
        FunnelStage("won", won, rate("win_rate"), "win_rate", "opportunities_closed"),
    ]
