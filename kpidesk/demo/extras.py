"""The demo company's marketing spend, sales activities, surveys and targets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpidesk.demo.calendar import _Calendar, _category, _choice, _frame, _ids, _labels, _text
from kpidesk.demo.deals import _OPEN, _Opportunities, _Sales
from kpidesk.demo.people import _Cells, _Customers, _Leads
from kpidesk.demo.world import (
    _COMMISSION_RATE,
    _LEAD_SEASON,
    _MONTHLY_SPEND,
    _NEVER,
    _NPS_CURVE,
    _SALON_COST,
    _SP_MEETINGS,
    _SP_NPS,
    CHANNELS,
    MONTHS,
    SALESPEOPLE,
    FloatArray,
    IntArray,
)

# -- spend, activities, surveys, targets --------------------------------------------------


def _make_spend(rng: np.random.Generator, cal: _Calendar, revenue: FloatArray) -> pd.DataFrame:
    t = np.arange(MONTHS, dtype=np.float64)
    day: list[IntArray] = []
    amount: list[FloatArray] = []
    channel: list[str] = []
    category: list[str] = []
    for name, cat, first, growth in _MONTHLY_SPEND:
        base = first * (1.0 + growth) ** (t / 12.0) * rng.normal(1.0, 0.08, MONTHS)
        if name == "Déplacements":
            base = base * np.where(cal.month == 8, 0.3, np.where(cal.month == 7, 0.7, 1.0))
        day.append(cal.lo)
        amount.append(np.round(base * cal.elapsed, 2))
        channel += [name] * MONTHS
        category += [cat] * MONTHS
    salon = np.flatnonzero(np.isin(cal.month, list(_SALON_COST)))
    costs = np.array([_SALON_COST[int(mo)] for mo in cal.month[salon].tolist()], dtype=np.float64)
    day.append(cal.lo[salon])
    amount.append(np.round(costs * rng.normal(1.0, 0.05, salon.size) * cal.elapsed[salon], 0))
    channel += ["Salon professionnel"] * salon.size
    category += ["marketing"] * salon.size
    day.append(cal.lo)
    amount.append(np.round(np.maximum(revenue, 0.0) * _COMMISSION_RATE, 2))
    channel += ["Commissions"] * MONTHS
    category += ["sales"] * MONTHS

    days = np.concatenate(day)
    amounts = np.concatenate(amount)
    order = np.lexsort((np.arange(days.size), days))
    return _frame(
        "spend",
        {
            "date": cal.timestamps(days[order]),
            "amount": amounts[order].astype(np.float64),
            "channel": pd.Categorical(np.array(channel, dtype=object)[order]),
            "category": pd.Categorical(np.array(category, dtype=object)[order]),
        },
    )


_TYPES = ("call", "meeting", "proposal", "email", "other")
_CALL, _MEETING, _PROPOSAL, _EMAIL, _OTHER = range(5)
# Background activity a week per salesperson: calls, meetings, emails, other.
_WEEKLY = ((_CALL, 1.3), (_MEETING, 0.4), (_EMAIL, 1.6), (_OTHER, 0.15))


def _make_activities(
    rng: np.random.Generator, cal: _Calendar, leads: _Leads, cust: _Customers, opps: _Opportunities
) -> pd.DataFrame:
    parts: list[tuple[IntArray, IntArray, IntArray, IntArray, IntArray]] = []  # day, type, sp, lead, customer
    n_leads = leads.created.size
    none = -np.ones(n_leads, dtype=np.int64)

    # A first call to most leads, a meeting with many qualified ones.
    called = rng.random(n_leads) < 0.85
    call_day = cal.business(leads.created + rng.integers(0, 3, n_leads), leads.created, _NEVER)
    ok = called & (call_day < cal.n_days)
    lead_ids = np.arange(n_leads, dtype=np.int64)
    parts.append((call_day[ok], np.full(int(ok.sum()), _CALL), leads.salesperson[ok], lead_ids[ok], none[ok]))
    met = leads.qualified & (rng.random(n_leads) < 0.65 * _SP_MEETINGS[leads.salesperson])
    parts.append(
        (
            leads.qualified_day[met],
            np.full(int(met.sum()), _MEETING),
            leads.salesperson[met],
            lead_ids[met],
            none[met],
        )
    )

    # A proposal for every opportunity, a meeting before most expansion deals.
    n_opps = opps.created.size
    latest = np.where(opps.status == _OPEN, cal.n_days, np.minimum(opps.close + 1, cal.n_days))
    proposal_day = np.minimum(opps.created + rng.integers(0, 8, n_opps), latest - 1)
    proposal_day = cal.business(proposal_day, opps.created, latest)
    parts.append((proposal_day, np.full(n_opps, _PROPOSAL), opps.salesperson, opps.lead, opps.customer))
    expansion = (opps.lead < 0) & (rng.random(n_opps) < 0.8)
    parts.append(
        (
            opps.created[expansion],
            np.full(int(expansion.sum()), _MEETING),
            opps.salesperson[expansion],
            opps.lead[expansion],
            opps.customer[expansion],
        )
    )

    # Account management: calls, meetings and e-mails with the salesperson's customers.
    weeks = cal.n_days / 7.0
    for sp in range(len(SALESPEOPLE)):
        mine = np.flatnonzero(cust.salesperson == sp)  # already in creation order
        mine_created = cust.created[mine]
        for kind, rate in _WEEKLY:
            factor = _SP_MEETINGS[sp] if kind == _MEETING else 1.0
            n = int(rng.poisson(rate * factor * weeks))
            day = cal.business(rng.integers(0, cal.n_days, n).astype(np.int64), 0, cal.n_days)
            known = np.searchsorted(mine_created, day, side="right")
            pick = (rng.random(n) * known).astype(np.int64)
            with_customer = (known > 0) & (rng.random(n) < 0.8)
            customer = np.where(with_customer, mine[np.minimum(pick, max(mine.size - 1, 0))], -1)
            if mine.size == 0:
                customer = -np.ones(n, dtype=np.int64)
            parts.append(
                (
                    day,
                    np.full(n, kind),
                    np.full(n, sp),
                    -np.ones(n, dtype=np.int64),
                    customer.astype(np.int64),
                )
            )

    day = np.concatenate([p[0] for p in parts])
    kind_codes = np.concatenate([p[1] for p in parts]).astype(np.int64)
    sp_codes = np.concatenate([p[2] for p in parts]).astype(np.int64)
    lead_codes = np.concatenate([p[3] for p in parts]).astype(np.int64)
    customer_codes = np.concatenate([p[4] for p in parts]).astype(np.int64)
    order = np.lexsort((np.arange(day.size), day))
    lead_names = _ids("L", np.arange(1, n_leads + 1, dtype=np.int64), 5)
    return _frame(
        "activities",
        {
            "date": cal.timestamps(day[order]),
            "type": _category(_TYPES, kind_codes[order]),
            "salesperson": _category(SALESPEOPLE, sp_codes[order]),
            "lead_id": _labels(lead_names, lead_codes[order]),
            "customer_id": _labels(_customer_ids(cust), customer_codes[order]),
        },
    )


def _customer_ids(cust: _Customers) -> list[str]:
    return _ids("C", np.arange(1, cust.n + 1, dtype=np.int64), 4)


def _make_surveys(rng: np.random.Generator, cal: _Calendar, cust: _Customers, cells: _Cells) -> pd.DataFrame:
    active = cells.active
    xs, ys = zip(*_NPS_CURVE, strict=True)
    target = np.interp(np.arange(MONTHS, dtype=np.float64), xs, ys)
    s_customer: list[IntArray] = []
    s_month: list[IntArray] = []
    for month in range(MONTHS):
        candidates = np.flatnonzero(active[:, month] > 0)
        n = min(int(rng.poisson(35.0 * cal.elapsed[month])), candidates.size)
        s_customer.append(np.sort(rng.choice(candidates, n, replace=False)).astype(np.int64))
        s_month.append(np.full(n, month, dtype=np.int64))
    c = np.concatenate(s_customer)
    m = np.concatenate(s_month)
    day = cal.business(cells.draw(rng, c, m), cal.lo[m], cal.hi[m])

    nps = np.clip(target[m] + _SP_NPS[cust.salesperson[c]], -60.0, 60.0)
    promoter = 0.35 + nps / 200.0
    detractor = 0.35 - nps / 200.0
    u = rng.random(c.size)
    detractor_score = _choice(rng, np.array([0.02, 0.02, 0.04, 0.06, 0.1, 0.26, 0.5]), c.size)
    passive_score = 7 + rng.integers(0, 2, c.size)
    promoter_score = 9 + (rng.random(c.size) < 0.45)
    score = np.where(
        u < detractor, detractor_score, np.where(u < 1.0 - promoter, passive_score, promoter_score)
    ).astype(np.float64)

    order = np.lexsort((c, day))
    return _frame(
        "surveys",
        {
            "date": cal.timestamps(day[order]),
            "score": score[order],
            "customer_id": _labels(_customer_ids(cust), c[order]),
            "channel": _category(CHANNELS, cust.channel[c[order]]),
        },
    )


_FIRST_BUDGET = np.array([1.02, 0.98, 1.03, 1.0, 1.04, 0.99, 1.02, 1.0, 1.03, 0.98, 1.01, 1.02])


def _make_targets(cal: _Calendar, sales: _Sales, cust: _Customers) -> pd.DataFrame:
    month = cal.month_of(sales.day)
    revenue = np.bincount(month, weights=sales.amount, minlength=MONTHS)
    labels = [f"{y}-{mo:02d}" for y, mo in zip(cal.year.tolist(), cal.month.tolist(), strict=True)]
    # The first year's budget sits close to what was done; later ones ask for +12 % on last year.
    company = np.empty(MONTHS)
    company[:12] = revenue[:12] * _FIRST_BUDGET
    company[12:] = revenue[:-12] * 1.12
    company = np.round(company, -3)

    # Quotas: half each salesperson's share of the first year, half an even split.
    sp = cust.salesperson[sales.customer]
    first_year = month < 12
    share = np.bincount(sp[first_year], weights=sales.amount[first_year], minlength=len(SALESPEOPLE))
    share = 0.5 * share / share.sum() + 0.5 / len(SALESPEOPLE)

    kpi: list[str] = []
    period: list[str] = []
    value: list[float] = []
    dimension: list[str | None] = []
    member: list[str | None] = []

    def add(k: str, p: str, v: float, d: str | None = None, mbr: str | None = None) -> None:
        kpi.append(k)
        period.append(p)
        value.append(float(v))
        dimension.append(d)
        member.append(mbr)

    for i, label in enumerate(labels):
        add("revenue", label, company[i])
        for j, name in enumerate(SALESPEOPLE):
            add("revenue", label, round(company[i] * share[j], -2), "salesperson", name)
    years = sorted(set(cal.year.tolist()))
    for i, label in enumerate(labels):
        step = years.index(int(cal.year[i]))
        add("new_customers", label, 6 + step)
        add("leads", label, round(60.0 * 1.1**step * _LEAD_SEASON[cal.month[i] - 1]))
    for step, year in enumerate(years):
        add("win_rate", str(year), 50.0)
        for name in SALESPEOPLE:
            add("win_rate", str(year), 50.0, "salesperson", name)
        add("nps", str(year), 35.0 + 2.5 * step)
        add("cac", str(year), 4500.0)
    return _frame(
        "targets",
        {
            "kpi": _text(kpi),
            "period": _text(period),
            "value": np.array(value, dtype=np.float64),
            "dimension": _text(dimension),
            "member": _text(member),
        },
    )
