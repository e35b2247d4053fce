"""Satisfaction KPIs: NPS and its responses, worked out by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from kpidesk.core.engine import Engine, Query

D = dt.date


@pytest.fixture
def surveys() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-03"] * 8 + ["2024-03-01", "2024-03-02"]),
            "score": [10, 9, 8, 7, 6, 0, 10, np.nan, 9, 10],
            "channel": pd.Categorical(["Web", "Web", "Web", "Salon", "Salon", "Salon", "Salon", "Web", "Web", "Web"]),
        }
    )


def test_nps_is_promoters_minus_detractors(surveys: pd.DataFrame) -> None:
    e = Engine({"surveys": surveys})
    result = e.compute(Query(D(2024, 1, 1), D(2024, 3, 31), kpis=("nps", "nps_responses")))
    # January: 7 scored responses (the blank is none); promoters 10, 9, 10; detractors 6, 0
    # -> (3 - 2) / 7 x 100. February: no response -> undefined, 0 responses. March: all
    # promoters -> 100.
    assert {r.period: r.value for r in result.series("nps")} == {
        "2024-01": pytest.approx(100 / 7),
        "2024-02": None,
        "2024-03": 100.0,
    }
    assert {r.period: r.value for r in result.series("nps_responses")} == {"2024-01": 7, "2024-02": 0, "2024-03": 2}
    assert result.get("nps", "2024-01").low_confidence


def test_nps_by_channel_and_its_bounds(surveys: pd.DataFrame) -> None:
    e = Engine({"surveys": surveys})
    result = e.compute(Query(D(2024, 1, 1), D(2024, 1, 31), by="channel", kpis=("nps",)))
    # Web: 10, 9, 8 -> (2 - 0) / 3; Salon: 7, 6, 0, 10 -> (1 - 2) / 4.
    assert result.get("nps", "2024-01", "Web").value == pytest.approx(200 / 3)
    assert result.get("nps", "2024-01", "Salon").value == -25.0
    detractors = pd.DataFrame({"date": pd.to_datetime(["2024-01-03"] * 2), "score": [0.0, 6.0]})
    assert Engine({"surveys": detractors}).summary(Query(kpis=("nps",))).get("nps").value == -100.0


def test_nps_without_surveys_is_unavailable() -> None:
    row = Engine({}).compute(Query(D(2024, 1, 1), D(2024, 1, 31), kpis=("nps", "nps_responses"))).rows
    assert all(r.unavailable and r.value is None for r in row)
