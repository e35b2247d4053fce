"""The dashboard's presets and trend start follow the company's fiscal year and weeks."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kpidesk.core.dashboard import compute_dashboard, preset_range, trend_start
from kpidesk.core.engine import Engine
from kpidesk.core.results import Query
from kpidesk.core.settings import CompanySettings


def test_the_trend_of_an_april_fiscal_year_starts_on_a_whole_fiscal_year() -> None:
    # Five fiscal years back from 15 May 2024 (FY2025 began 1 April 2024): 1 April 2020.
    # The calendar year would have given 1 January 2020, clipping FY2020 (Apr 2019 - Mar 2020).
    assert trend_start(dt.date(2024, 4, 1), dt.date(2024, 5, 15), "year", fiscal_start=4) == dt.date(2020, 4, 1)
    assert trend_start(dt.date(2024, 4, 1), dt.date(2024, 5, 15), "year") == dt.date(2020, 1, 1)


def test_the_trend_of_sunday_weeks_starts_on_a_sunday() -> None:
    # 15 May 2024 is a Wednesday; its Sunday week began on 12 May; 25 weeks earlier: Sunday 19 Nov 2023.
    first = trend_start(dt.date(2024, 5, 1), dt.date(2024, 5, 15), "week", week_start=7)
    assert first == dt.date(2023, 11, 19)
    assert first.isoweekday() == 7
    # Monday weeks: 13 May, and 25 weeks earlier Monday 20 Nov 2023.
    assert trend_start(dt.date(2024, 5, 1), dt.date(2024, 5, 15), "week") == dt.date(2023, 11, 20)


def test_a_long_range_is_its_own_trend_start() -> None:
    assert trend_start(dt.date(2015, 1, 1), dt.date(2024, 5, 15), "year", fiscal_start=4) == dt.date(2015, 1, 1)


def test_presets_use_the_fiscal_year() -> None:
    anchor, first = dt.date(2024, 5, 15), dt.date(2021, 1, 1)
    assert preset_range("year_to_date", anchor, first, fiscal_start=4) == (dt.date(2024, 4, 1), anchor)
    assert preset_range("this_quarter", anchor, first, fiscal_start=2) == (dt.date(2024, 5, 1), anchor)
    assert preset_range("last_month", anchor, first) == (dt.date(2024, 4, 1), dt.date(2024, 4, 30))
    assert preset_range("all_data", anchor, first) == (first, anchor)


def test_the_dashboard_trend_has_no_clipped_first_period() -> None:
    sales = pd.DataFrame(
        {
            "date": pd.to_datetime(["2019-05-01", "2023-06-01", "2024-05-10"]),
            "amount": [100.0, 200.0, 50.0],
        }
    )
    settings = CompanySettings(fiscal_year_start=4)
    engine = Engine({"sales": sales}, settings, today=dt.date(2024, 5, 15))
    query = Query(dt.date(2024, 4, 1), dt.date(2024, 5, 15), "year", "none", None, ("revenue",))
    data = compute_dashboard(engine, query, ("revenue",))
    first = data.trend.periods[0]
    assert (first.start, first.full_start) == (dt.date(2020, 4, 1), dt.date(2020, 4, 1))
    assert first.label == "FY2021"
    revenue = {r.period: r.value for r in data.trend.rows if r.kpi == "revenue" and r.member is None}
    assert revenue["FY2024"] == 200.0  # June 2023 is in April 2023 - March 2024
    assert revenue["FY2025"] == 50.0
