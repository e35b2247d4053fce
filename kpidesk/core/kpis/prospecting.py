"""The prospecting KPIs: leads and their rates, opportunities and their outcomes, and sales activities."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kpidesk.core.cells import (
    MISSING_DAY,
    Cells,
    Prefix,
)
from kpidesk.core.engine import (
    Ctx,
    Intervals,
    Values,
    kpi,
    ratio,
)
from kpidesk.core.kpis.common import _key, _labels, _values

# -- leads ------------------------------------------------------------------------------------


def _lead_cells(ctx: Ctx) -> tuple[Cells, Cells]:
    """Leads by creation day (with the cohort's qualified/converted) and by qualification day."""

    def build() -> tuple[Cells, Cells]:
        t = ctx.table("leads")
        created = t.days("created_date")
        qualified_day, converted_day = t.days("qualified_date"), t.days("converted_date")
        q_flag, c_flag = t.flags("qualified"), t.flags("converted")
        qualified = np.where(q_flag >= 0, q_flag == 1, qualified_day != MISSING_DAY)
        converted = np.where(c_flag >= 0, c_flag == 1, converted_day != MISSING_DAY)
        members = ctx.member_codes("leads")
        mask = ctx.mask("leads")
        cohort = Cells.build(
            created,
            mask,
            {
                "n": np.ones(t.n),
                "qualified": qualified,
                "converted": converted,
                "both": qualified & converted,
            },
            members,
        )
        when = np.where(qualified_day != MISSING_DAY, qualified_day, created)
        by_qualification = Cells.build(when, mask & qualified, {"n": np.ones(t.n)}, members)
        return cohort, by_qualification

    result: tuple[Cells, Cells] = ctx.prepared("leads.cells", build)
    return result


def _leads_labels(ctx: Ctx) -> np.ndarray | None:
    return _labels(ctx.member_codes("leads"))[0]


def leads_created(ctx: Ctx, iv: Intervals) -> list[np.ndarray]:
    """The leads created in each interval (and member), and of them: the qualified, the
    converted, the qualified and converted (the cohort of the lead rates)."""
    result: list[np.ndarray] = ctx.result(
        ("leads", _key(iv)), lambda: _lead_cells(ctx)[0].totals(iv, "n", "qualified", "converted", "both")
    )
    return result


@kpi("leads")
def leads(ctx: Ctx, iv: Intervals) -> Values:
    return _values(leads_created(ctx, iv)[0], _leads_labels(ctx))


@kpi("qualified_leads")
def qualified_leads(ctx: Ctx, iv: Intervals) -> Values:
    return _values(_lead_cells(ctx)[1].totals(iv, "n")[0], _leads_labels(ctx))


@kpi("qualification_rate")
def qualification_rate(ctx: Ctx, iv: Intervals) -> Values:
    n, qualified, _, _ = leads_created(ctx, iv)
    return _values(ratio(qualified, n, 100.0), _leads_labels(ctx), n)


@kpi("lead_conversion_rate")
def lead_conversion_rate(ctx: Ctx, iv: Intervals) -> Values:
    n, _, converted, _ = leads_created(ctx, iv)
    return _values(ratio(converted, n, 100.0), _leads_labels(ctx), n)


@kpi("transformation_rate")
def transformation_rate(ctx: Ctx, iv: Intervals) -> Values:
    _, qualified, _, both = leads_created(ctx, iv)
    return _values(ratio(both, qualified, 100.0), _leads_labels(ctx), qualified)


# -- opportunities ----------------------------------------------------------------------------


@dataclass
class Opportunities:
    created: Cells
    closed: Cells
    pipeline: Prefix
    won_close: np.ndarray
    won_cycle: np.ndarray
    won_member: np.ndarray | None
    labels: np.ndarray | None
    m: int


def _opportunities(ctx: Ctx) -> Opportunities:
    def build() -> Opportunities:
        t = ctx.table("opportunities")
        created, close = t.days("created_date"), t.days("close_date")
        codes, _ = t.codes("status")
        won, lost = codes == t.code_of("status", "won"), codes == t.code_of("status", "lost")
        won &= codes >= 0
        lost &= codes >= 0
        amount = np.nan_to_num(t.numbers("amount"), nan=0.0)
        members = ctx.member_codes("opportunities")
        member_labels, m = _labels(members)
        mask = ctx.mask("opportunities")
        if members is not None:
            mask = mask & (members[0] >= 0)
        dated = (created != MISSING_DAY) & (close != MISSING_DAY)
        cycle = np.where(dated, close - np.where(dated, created, 0), -1)
        won_ok = won & dated & (cycle >= 0)
        created_cells = Cells.build(created, mask, {"n": np.ones(t.n)}, members)
        closed_cells = Cells.build(
            close,
            mask & (won | lost),
            {
                "won": won,
                "lost": lost,
                "won_amount": np.where(won, amount, 0.0),
                "cycle": np.where(won_ok, cycle, 0).astype("float64"),
                "cycles": won_ok,
            },
            members,
        )
        # Open from the creation day until the close day: +amount, then -amount.
        closed = won | lost
        opens = mask & (created != MISSING_DAY) & (~closed | (dated & (close >= created)))
        ends = opens & closed
        days = np.concatenate([created[opens], close[ends]])
        weights = np.concatenate([amount[opens], -amount[ends]])
        member = None if members is None else np.concatenate([members[0][opens], members[0][ends]])
        rows = np.flatnonzero(mask & won_ok)
        order = rows[np.argsort(cycle[rows], kind="stable")]
        return Opportunities(
            created_cells,
            closed_cells,
            Prefix(days, member, weights, m),
            close[order],
            cycle[order].astype("float64"),
            None if members is None else members[0][order],
            member_labels,
            m,
        )

    result: Opportunities = ctx.prepared("opportunities", build)
    return result


def opportunity_counts(ctx: Ctx, iv: Intervals) -> dict[str, np.ndarray]:
    """Opportunities created, won and lost (by close date) in each interval."""
    o = _opportunities(ctx)
    won, lost = o.closed.totals(iv, "won", "lost")
    return {"created": o.created.totals(iv, "n")[0], "won": won, "lost": lost}


@kpi("opportunities")
def opportunities(ctx: Ctx, iv: Intervals) -> Values:
    o = _opportunities(ctx)
    return _values(o.created.totals(iv, "n")[0], o.labels)


@kpi("win_rate")
def win_rate(ctx: Ctx, iv: Intervals) -> Values:
    o = _opportunities(ctx)
    won, lost = o.closed.totals(iv, "won", "lost")
    return _values(ratio(won, won + lost, 100.0), o.labels, won + lost)


@kpi("won_value")
def won_value(ctx: Ctx, iv: Intervals) -> Values:
    o = _opportunities(ctx)
    return _values(o.closed.totals(iv, "won_amount")[0], o.labels)


@kpi("pipeline_value")
def pipeline_value(ctx: Ctx, iv: Intervals) -> Values:
    o = _opportunities(ctx)
    return _values(o.pipeline.before(iv.hi), o.labels)


@kpi("sales_cycle_days")
def sales_cycle_days(ctx: Ctx, iv: Intervals) -> Values:
    o = _opportunities(ctx)
    total, count = o.closed.totals(iv, "cycle", "cycles")
    return _values(ratio(total, count), o.labels, count, extra={"median": _medians(o, iv)})


def _medians(o: Opportunities, iv: Intervals) -> np.ndarray:
    """The median cycle of the won opportunities of each interval (and member)."""
    n, m = len(iv), o.m
    idx = iv.assign(o.won_close)
    keep = idx >= 0
    cell = idx[keep] if o.won_member is None else idx[keep] * m + o.won_member[keep]
    order = np.argsort(cell, kind="stable")  # the cycles are sorted: they stay sorted per cell
    cell, cycles = cell[order], o.won_cycle[keep][order]
    count = np.bincount(cell, minlength=n * m)[: n * m]
    start = np.cumsum(count) - count
    has = count > 0
    low = np.where(has, start + (count - 1) // 2, 0)
    high = np.where(has, start + count // 2, 0)
    median = np.full(n * m, np.nan)
    if len(cycles):
        median[has] = (cycles[low[has]] + cycles[high[has]]) / 2.0
    return median if o.won_member is None else median.reshape(n, m)


# -- activities -------------------------------------------------------------------------------


def _activity_cells(ctx: Ctx) -> Cells:
    def build() -> Cells:
        t = ctx.table("activities")
        codes, _ = t.codes("type")
        return Cells.build(
            t.days("date"),
            ctx.mask("activities"),
            {name: (codes == t.code_of("type", name)) & (codes >= 0) for name in ("meeting", "proposal", "call")},
            ctx.member_codes("activities"),
        )

    cells: Cells = ctx.prepared("activities.cells", build)
    return cells


def _activities(ctx: Ctx, iv: Intervals, name: str) -> Values:
    return _values(_activity_cells(ctx).totals(iv, name)[0], _labels(ctx.member_codes("activities"))[0])


@kpi("meetings")
def meetings(ctx: Ctx, iv: Intervals) -> Values:
    return _activities(ctx, iv, "meeting")


@kpi("proposals")
def proposals(ctx: Ctx, iv: Intervals) -> Values:
    return _activities(ctx, iv, "proposal")


@kpi("calls")
def calls(ctx: Ctx, iv: Intervals) -> Values:
    return _activities(ctx, iv, "call")
