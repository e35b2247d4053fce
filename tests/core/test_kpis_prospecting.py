"""Prospecting KPIs (leads, opportunities, activities), each against a value worked out by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from kpidesk.core.engine import Engine, Query

D = dt.date


def dates(values: list[str | None]) -> pd.Series:
    return pd.to_datetime(pd.Series(values, dtype=object))


@pytest.fixture
def leads() -> pd.DataFrame:
    # created, qualified flag, qualified date, converted flag, converted date, channel
    rows = [
        ("2024-01-05", True, "2024-01-20", True, "2024-02-10", "Web"),
        ("2024-01-10", True, None, False, None, "Web"),  # qualified, no date: dated by its creation
        ("2024-01-25", True, "2024-02-03", False, None, "Salon"),  # created in January, qualified in February
        ("2024-01-30", False, None, False, None, "Salon"),
        ("2024-02-02", None, "2024-02-20", None, "2024-03-01", "Web"),  # no flags: the dates say yes
        ("2024-02-14", False, None, None, None, "Web"),
        ("2024-02-20", None, None, True, "2024-03-15", "Salon"),  # converted, never marked qualified
    ]
    return pd.DataFrame(
        {
            "created_date": dates([r[0] for r in rows]),
            "qualified": pd.array([r[1] for r in rows], dtype="boolean"),
            "qualified_date": dates([r[2] for r in rows]),
            "converted": pd.array([r[3] for r in rows], dtype="boolean"),
            "converted_date": dates([r[4] for r in rows]),
            "channel": pd.Categorical([r[5] for r in rows]),
        }
    )


MARCH_END = D(2024, 3, 31)


def monthly(
    e: Engine, kpi: str, by: str | None = None, member: str | None = None, end: dt.date = MARCH_END
) -> dict[str, float | None]:
    result = e.compute(Query(D(2024, 1, 1), end, by=by, kpis=(kpi,)))
    return {r.period: r.value for r in result.series(kpi, member)}


def test_leads_created(leads: pd.DataFrame) -> None:
    e = Engine({"leads": leads})
    assert monthly(e, "leads") == {"2024-01": 4, "2024-02": 3, "2024-03": 0}
    assert monthly(e, "leads", by="channel", member="Web") == {"2024-01": 2, "2024-02": 2, "2024-03": 0}


def test_qualified_leads_by_qualification_date_else_creation(leads: pd.DataFrame) -> None:
    # January: lead 1 (20 Jan) and lead 2 (flag only: its creation, 10 Jan). February: lead 3
    # (3 Feb) and lead 5 (no flag, a date: 20 Feb). Lead 7 has no sign of qualification.
    e = Engine({"leads": leads})
    assert monthly(e, "qualified_leads") == {"2024-01": 2, "2024-02": 2, "2024-03": 0}
    assert monthly(e, "qualified_leads", by="channel", member="Salon") == {"2024-01": 0, "2024-02": 1, "2024-03": 0}


def test_rates_over_the_creation_cohort(leads: pd.DataFrame) -> None:
    e = Engine({"leads": leads})
    # January cohort (leads 1-4): qualified 1, 2, 3 -> 3/4; converted 1 -> 1/4; qualified and
    # converted: 1 -> 1/3. February cohort (5-7): qualified 5 -> 1/3; converted 5, 7 -> 2/3;
    # transformation 5 -> 1/1 (7 converted without being qualified: not in either term).
    # March: no lead, undefined.
    assert monthly(e, "qualification_rate") == {"2024-01": 75.0, "2024-02": pytest.approx(100 / 3), "2024-03": None}
    assert monthly(e, "lead_conversion_rate") == {"2024-01": 25.0, "2024-02": pytest.approx(200 / 3), "2024-03": None}
    assert monthly(e, "transformation_rate") == {"2024-01": pytest.approx(100 / 3), "2024-02": 100.0, "2024-03": None}
    row = e.compute(Query(D(2024, 1, 1), D(2024, 1, 31), kpis=("qualification_rate",))).get("qualification_rate")
    assert (row.base, row.low_confidence) == (4, True)


def test_lead_kpis_filtered_by_a_dimension_leads_lack_are_unavailable(leads: pd.DataFrame) -> None:
    e = Engine({"leads": leads})
    result = e.compute(
        Query(
            D(2024, 1, 1),
            D(2024, 1, 31),
            filters={"product": frozenset({"Papier"})},
            kpis=("leads", "qualification_rate"),
        )
    )
    assert all(r.unavailable and r.value is None for r in result.rows)
    # Broken down by product: the whole is there, no member rows.
    split = e.compute(Query(D(2024, 1, 1), D(2024, 1, 31), by="product", kpis=("leads",)))
    assert [r.member for r in split.rows] == [None]


@pytest.fixture
def opportunities() -> pd.DataFrame:
    # created, status, close, amount, salesperson
    rows = [
        ("2024-01-05", "won", "2024-01-20", 1000.0, "Alice"),  # cycle 15 days
        ("2024-01-10", "lost", "2024-02-05", 500.0, "Bruno"),
        ("2024-01-15", "won", "2024-01-15", 300.0, "Bruno"),  # closed the day it was created: 0 days
        ("2024-02-01", "open", None, 2000.0, "Alice"),
        ("2024-02-10", "won", "2024-03-12", 800.0, "Alice"),  # 31 days
        ("2024-02-20", "lost", "2024-03-01", 400.0, "Alice"),
        ("2024-03-05", "open", None, np.nan, "Bruno"),  # no amount
        ("2023-12-20", "won", "2024-02-29", 600.0, "Bruno"),  # 71 days
        ("2024-03-10", "won", None, 100.0, "Bruno"),  # won, close date unknown: left out
    ]
    return pd.DataFrame(
        {
            "created_date": dates([r[0] for r in rows]),
            "status": pd.Categorical([r[1] for r in rows]),
            "close_date": dates([r[2] for r in rows]),
            "amount": [r[3] for r in rows],
            "salesperson": pd.Categorical([r[4] for r in rows]),
        }
    )


def test_opportunities_created(opportunities: pd.DataFrame) -> None:
    e = Engine({"opportunities": opportunities})
    assert monthly(e, "opportunities") == {"2024-01": 3, "2024-02": 3, "2024-03": 2}


def test_win_rate_and_won_value_by_close_date(opportunities: pd.DataFrame) -> None:
    e = Engine({"opportunities": opportunities})
    # January closes: won 20 Jan and 15 Jan -> 2/2. February: won 29 Feb, lost 5 Feb -> 1/2.
    # March: won 12 Mar, lost 1 Mar -> 1/2.
    assert monthly(e, "win_rate") == {"2024-01": 100.0, "2024-02": 50.0, "2024-03": 50.0}
    assert monthly(e, "won_value") == {"2024-01": 1300.0, "2024-02": 600.0, "2024-03": 800.0}
    quarter = e.compute(Query(D(2024, 1, 1), D(2024, 3, 31), grain="quarter", kpis=("win_rate",))).get("win_rate")
    assert quarter.value == pytest.approx(400 / 6) and quarter.base == 6
    # Alice over the quarter: won 1000 and 800, lost 400 -> 2/3.
    by = e.compute(Query(D(2024, 1, 1), D(2024, 3, 31), grain="quarter", by="salesperson", kpis=("win_rate",)))
    assert by.get("win_rate", "2024-Q1", "Alice").value == pytest.approx(200 / 3)
    # The CRM reading: nothing closed in April, undefined; nothing won, 0.
    april = e.compute(Query(D(2024, 4, 1), D(2024, 4, 30), kpis=("win_rate", "won_value")))
    assert (april.get("win_rate").value, april.get("won_value").value) == (None, 0.0)


def test_pipeline_value_is_what_is_open_at_the_end_of_each_period(opportunities: pd.DataFrame) -> None:
    e = Engine({"opportunities": opportunities})
    # End of December: the opportunity created 20 Dec (won 29 Feb) -> 600.
    # End of January: lost on 5 Feb (500) + won on 29 Feb (600) -> 1100.
    # End of February: open since 1 Feb (2000) + won 12 Mar (800) + lost 1 Mar (400: still
    # open on the evening of 29 Feb) -> 3200.
    # End of March: 2000 + the open one without amount (0); the won one without close date is
    # never counted open.
    result = e.compute(Query(D(2023, 12, 1), D(2024, 3, 31), kpis=("pipeline_value",)))
    assert {r.period: r.value for r in result.series("pipeline_value")} == {
        "2023-12": 600.0,
        "2024-01": 1100.0,
        "2024-02": 3200.0,
        "2024-03": 2000.0,
    }
    # A whole range gives the pipeline on its last day: 15 January -> 500 + 600 (the 5 Jan one
    # is won on 20 Jan, still open on the 15th) + 1000; the 15 Jan one closed that day.
    row = e.summary(Query(D(2024, 1, 1), D(2024, 1, 15), kpis=("pipeline_value",))).get("pipeline_value")
    assert row.value == 2100.0
    # 1-15 December comes before the first opportunity (20 December): nothing to compare with.
    assert row.comparison is None


def test_sales_cycle_mean_and_median(opportunities: pd.DataFrame) -> None:
    e = Engine({"opportunities": opportunities})
    # January: 15 and 0 days (closed the day it was created) -> mean 7.5, median 7.5.
    # February: 71. March: 31.
    result = e.compute(Query(D(2024, 1, 1), D(2024, 3, 31), kpis=("sales_cycle_days",)))
    rows = {r.period: r for r in result.series("sales_cycle_days")}
    assert (rows["2024-01"].value, rows["2024-01"].extra) == (7.5, {"median": 7.5})
    assert rows["2024-02"].value == 71.0
    assert rows["2024-03"].value == 31.0
    # The quarter: 15, 0, 71, 31 -> mean 117 / 4, median (15 + 31) / 2.
    quarter = e.compute(Query(D(2024, 1, 1), D(2024, 3, 31), grain="quarter", kpis=("sales_cycle_days",)))
    row = quarter.get("sales_cycle_days")
    assert (row.value, row.extra["median"], row.base) == (29.25, 23.0, 4)
    # Bruno: 0 and 71 -> 35.5; Alice: 15 and 31 -> 23.
    by = e.compute(Query(D(2024, 1, 1), D(2024, 3, 31), grain="quarter", by="salesperson", kpis=("sales_cycle_days",)))
    assert by.get("sales_cycle_days", "2024-Q1", "Bruno").value == 35.5
    assert by.get("sales_cycle_days", "2024-Q1", "Alice").extra == {"median": 23.0}
    # No win in April: undefined, no median.
    april = e.compute(Query(D(2024, 4, 1), D(2024, 4, 30), kpis=("sales_cycle_days",))).get("sales_cycle_days")
    assert (april.value, april.extra) == (None, {})
    assert set(april.to_json()) == {
        "kpi",
        "period",
        "member",
        "value",
        "target",
        "comparison",
        "unavailable",
        "low_confidence",
    }


def test_activities_by_type() -> None:
    activities = pd.DataFrame(
        {
            "date": dates(["2024-01-02", "2024-01-02", "2024-01-03", "2024-01-15", "2024-02-01", "2024-02-02"]),
            "type": pd.Categorical(["call", "call", "meeting", "proposal", "email", "call"]),
            "salesperson": pd.Categorical(["Alice", "Bruno", "Alice", "Alice", "Bruno", "Bruno"]),
        }
    )
    e = Engine({"activities": activities})
    assert monthly(e, "calls", end=D(2024, 2, 29)) == {"2024-01": 2, "2024-02": 1}
    assert monthly(e, "meetings", end=D(2024, 2, 29)) == {"2024-01": 1, "2024-02": 0}
    assert monthly(e, "proposals", end=D(2024, 2, 29)) == {"2024-01": 1, "2024-02": 0}
    assert monthly(e, "calls", by="salesperson", member="Bruno", end=D(2024, 2, 29)) == {"2024-01": 1, "2024-02": 1}
    # The meetings of a company that records no activities are unavailable, not 0.
    assert Engine({}).compute(Query(D(2024, 1, 1), D(2024, 1, 31), kpis=("meetings",))).get("meetings").unavailable
