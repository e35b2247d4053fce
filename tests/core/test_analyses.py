"""Customer-base analyses: cohort grid, revenue Pareto, new versus returning revenue, funnel.

The sales are those of ``test_kpis_customers``: first purchases C 5 Jan, A 10 Jan, B 20 Jan,
D 20 Mar, E 2 Apr; purchases in January C, A, B; February B; March A, D; April E (and its
credit note of -50, and 40 without customer); June C.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from kpidesk.core.analyses import (
    FunnelStage,
    cohort_retention,
    funnel,
    new_vs_returning,
    pareto_top,
    revenue_pareto,
)
from kpidesk.core.engine import Engine, Query

D = dt.date


@pytest.fixture
def engine() -> Engine:
    rows = [
        ("2024-01-05", 100.0, "F1", "C", "Alice"),
        ("2024-01-10", 200.0, "F2", "A", "Alice"),
        ("2024-01-20", 50.0, "F3", "B", "Bruno"),
        ("2024-02-10", 70.0, "F4", "B", "Bruno"),
        ("2024-03-05", 120.0, "F5", "A", "Alice"),
        ("2024-03-05", 80.0, "F5", "A", "Alice"),
        ("2024-03-20", 300.0, "F6", "D", "Bruno"),
        ("2024-04-02", 90.0, "F7", "E", "Alice"),
        ("2024-04-10", -50.0, "AV1", "E", "Alice"),
        ("2024-04-15", 40.0, "F8", None, "Bruno"),
        ("2024-06-10", 60.0, "F9", "C", "Bruno"),
    ]
    sales = pd.DataFrame(rows, columns=["date", "amount", "invoice_id", "customer_id", "salesperson"])
    sales["date"] = pd.to_datetime(sales["date"])
    sales["salesperson"] = sales["salesperson"].astype("category")
    return Engine({"sales": sales}, today=D(2024, 7, 1))


def test_cohort_retention_grid(engine: Engine) -> None:
    grid = cohort_retention(engine, D(2024, 1, 1), D(2024, 6, 30))
    assert list(grid.index) == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    assert list(grid.columns) == ["customers", 0, 1, 2, 3, 4, 5]
    assert grid["customers"].tolist() == [3, 0, 1, 1, 0, 0]
    # January cohort {C, A, B}: all in January, B in February, A in March, nobody in April or
    # May, C (back) in June.
    third = pytest.approx(100 / 3)
    assert grid.loc["2024-01", [0, 1, 2, 3, 4, 5]].tolist() == [100.0, third, third, 0.0, 0.0, third]
    # March cohort {D}: only March; months after June have not happened.
    march = grid.loc["2024-03", [0, 1, 2, 3, 4, 5]].tolist()
    assert march[:4] == [100.0, 0.0, 0.0, 0.0] and np.isnan(march[4:]).all()
    # April cohort {E}: the credit note of 10 April is no purchase of month 1.
    assert grid.loc["2024-04", [0, 1, 2]].tolist() == [100.0, 0.0, 0.0]
    # An empty cohort has no percentages.
    assert grid.loc["2024-02", [0, 1]].isna().all()


def test_cohort_retention_filtered(engine: Engine) -> None:
    # Bruno's cohorts: customers whose first purchase was with him (B in January, D in March);
    # C's first purchase was Alice's. B bought from him again in February.
    grid = cohort_retention(engine, D(2024, 1, 1), D(2024, 3, 31), {"salesperson": frozenset({"Bruno"})})
    assert grid["customers"].tolist() == [1, 0, 1]
    assert grid.loc["2024-01", [0, 1, 2]].tolist() == [100.0, 100.0, 0.0]
    empty = cohort_retention(Engine({}), D(2024, 1, 1), D(2024, 3, 31))
    assert len(empty) == 0 and list(empty.columns) == ["customers", 0, 1, 2]


def test_revenue_pareto(engine: Engine) -> None:
    pareto = revenue_pareto(engine, D(2024, 1, 1), D(2024, 6, 30))
    # Net revenue: A 400, D 300, C 100 + 60, B 50 + 70, E 90 - 50; total 1020.
    assert pareto["customer"].tolist() == ["A", "D", "C", "B", "E"]
    assert pareto["revenue"].tolist() == [400.0, 300.0, 160.0, 120.0, 40.0]
    assert pareto["cumulative_share"].tolist() == pytest.approx([400 / 10.2, 700 / 10.2, 860 / 10.2, 980 / 10.2, 100])
    assert pareto["customer_share"].tolist() == [20.0, 40.0, 60.0, 80.0, 100.0]
    # April alone: E's net 40 only (the anonymous 40 belongs to nobody).
    april = revenue_pareto(engine, D(2024, 4, 1), D(2024, 4, 30))
    assert april[["customer", "revenue", "share"]].values.tolist() == [["E", 40.0, 100.0]]
    assert len(revenue_pareto(engine, D(2024, 5, 1), D(2024, 5, 31))) == 0


def test_new_versus_returning_revenue(engine: Engine) -> None:
    table = new_vs_returning(engine, Query(D(2024, 1, 1), D(2024, 6, 30), grain="month"))
    # Jan: C, A, B new (350). Feb: B returning (70). Mar: A returning (200), D new (300).
    # Apr: E new (90 - 50), 40 without customer. May: nothing. Jun: C returning (60).
    assert table["period"].tolist() == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    assert table["new"].tolist() == [350.0, 0.0, 300.0, 40.0, 0.0, 0.0]
    assert table["returning"].tolist() == [0.0, 70.0, 200.0, 0.0, 0.0, 60.0]
    assert table["unidentified"].tolist() == [0.0, 0.0, 0.0, 40.0, 0.0, 0.0]
    # The parts add up to the revenue KPI.
    revenue = engine.compute(Query(D(2024, 1, 1), D(2024, 6, 30), kpis=("revenue",)))
    assert table["revenue"].tolist() == [r.value for r in revenue.series("revenue")]
    assert table["end"].tolist()[0] == D(2024, 1, 31)


def test_funnel() -> None:
    leads = pd.DataFrame(
        {
            "created_date": pd.to_datetime(["2024-01-05", "2024-01-10", "2024-02-01", "2024-04-01"]),
            "qualified": pd.array([True, False, True, True], dtype="boolean"),
            "qualified_date": pd.to_datetime(["2024-01-06", None, "2024-04-02", "2024-04-02"]),
            "segment": pd.Categorical(["PME", "PME", "TPE", "PME"]),
        }
    )
    opportunities = pd.DataFrame(
        {
            "created_date": pd.to_datetime(["2024-01-06", "2024-02-02", "2024-03-01"]),
            "status": pd.Categorical(["won", "lost", "won"]),
            "close_date": pd.to_datetime(["2024-01-20", "2024-03-01", "2024-04-05"]),
        }
    )
    e = Engine({"leads": leads, "opportunities": opportunities})
    # Q1, the cards' cohorts: 3 leads created, of which 2 are qualified (the 1 Feb one is
    # qualified in April, but it is of the Q1 cohort): 2 / 3 = the qualification rate, 66.7 %.
    # 3 opportunities created; closed in Q1: won 20 Jan, lost 1 Mar (the other is won on
    # 5 April): 1 won, win rate 1 / (1 + 1) = 50 %.
    stages = funnel(e, D(2024, 1, 1), D(2024, 3, 31))
    assert stages == [
        FunnelStage("leads", 3, cohort="leads_created"),
        FunnelStage("qualified", 2, pytest.approx(200 / 3), "qualification_rate", "leads_created"),
        FunnelStage("opportunities", 3, cohort="opportunities_created"),
        FunnelStage("won", 1, 50.0, "win_rate", "opportunities_closed"),
    ]
    cards = e.summary(Query(D(2024, 1, 1), D(2024, 3, 31), kpis=("qualification_rate", "win_rate")))
    assert [stages[1].rate, stages[3].rate] == [r.value for r in cards.rows]
    # Opportunities have no segment: filtered by segment, their stages are unavailable.
    assert funnel(e, D(2024, 1, 1), D(2024, 3, 31), {"segment": frozenset({"PME"})}) == [
        FunnelStage("leads", 2, cohort="leads_created"),
        FunnelStage("qualified", 1, 50.0, "qualification_rate", "leads_created"),
        FunnelStage("opportunities", None, cohort="opportunities_created"),
        FunnelStage("won", None, None, "win_rate", "opportunities_closed"),
    ]
    assert [s.count for s in funnel(Engine({}), D(2024, 1, 1), D(2024, 3, 31))] == [None, None, None, None]


def test_the_pareto_headline_is_the_concentration_card() -> None:
    # Seven customers with 400, 300, 100, 80, 60, 40, 20 (1,000 in all, a credit note of -30
    # brings G from 50 to 20; H nets 0 and is left out): the top ⌈7 ÷ 5⌉ = 2 make 700, 70 %
    # (interpolating the curve at 20 % of customers would say 52 %).
    amounts = {"A": [400.0], "B": [300.0], "C": [100.0], "D": [80.0], "E": [60.0], "F": [40.0], "G": [50.0, -30.0]}
    amounts["H"] = [25.0, -25.0]
    rows = [(f"2024-03-{i + 1:02d}", a, c) for i, (c, xs) in enumerate(amounts.items()) for a in xs]
    sales = pd.DataFrame(rows, columns=["date", "amount", "customer_id"])
    sales["date"] = pd.to_datetime(sales["date"])
    e = Engine({"sales": sales}, today=D(2024, 4, 1))
    pareto = revenue_pareto(e, D(2024, 3, 1), D(2024, 3, 31))
    assert len(pareto) == 7
    share, top = pareto_top(pareto)
    assert (share, top) == (pytest.approx(70.0), 2)
    card = e.summary(Query(D(2024, 3, 1), D(2024, 3, 31), compare="none", kpis=("top_customer_share",)))
    assert card.get("top_customer_share").value == pytest.approx(share)
    assert pareto_top(revenue_pareto(e, D(2025, 1, 1), D(2025, 1, 31))) == (None, 0)
