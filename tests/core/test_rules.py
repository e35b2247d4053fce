"""SPEC §3.1 rules computed by the engine: customer identity, unavailable KPIs, partial periods
and comparisons the data does not cover, each against a small table worked by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kpidesk.core.engine import Engine, Query

D = dt.date


def _sales(rows: list[tuple[str, float, str | None]], column: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["date", "amount", column])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


@pytest.fixture
def by_name() -> Engine:
    # No customer id: the names say who bought, trimmed, case- and accent-folded.
    rows = [
        ("2024-01-05", 100.0, "Société Générale"),
        ("2024-01-20", 50.0, " societe  GENERALE "),
        ("2024-02-03", 80.0, "ACME"),
        ("2024-02-10", 40.0, "Acme"),
        ("2024-02-15", 30.0, None),
    ]
    return Engine({"sales": _sales(rows, "customer_name")}, today=D(2024, 3, 1))


def test_customers_are_known_by_name_without_an_id(by_name: Engine) -> None:
    q = Query(D(2024, 1, 1), D(2024, 2, 29), grain="month", kpis=("active_customers", "new_customers"))
    result = by_name.compute(q)
    # January: one customer written two ways; February: ACME twice, and a line with no name.
    assert [r.value for r in result.series("active_customers")] == [1, 1]
    assert [r.value for r in result.series("new_customers")] == [1, 1]
    rpc = by_name.summary(Query(D(2024, 2, 1), D(2024, 2, 29), kpis=("revenue_per_customer",)))
    assert rpc.get("revenue_per_customer").value == pytest.approx(150.0)  # (80 + 40 + 30) / 1
    split = by_name.summary(Query(D(2024, 1, 1), D(2024, 2, 29), kpis=("revenue",), by="customer"))
    # Shown as first written.
    assert {r.member: r.value for r in split.rows if r.member} == {"ACME": 120.0, "Société Générale": 150.0}


def test_customer_kpis_are_unavailable_when_the_sales_name_no_customer() -> None:
    frame = pd.DataFrame({"date": pd.to_datetime(["2024-01-05", "2024-01-06"]), "amount": [10.0, 20.0]})
    e = Engine({"sales": frame}, today=D(2024, 2, 1))
    result = e.summary(Query(D(2024, 1, 1), D(2024, 1, 31), kpis=("active_customers", "retention_rate", "revenue")))
    active = result.get("active_customers")
    assert active.unavailable and active.value is None
    assert active.missing_fields == ("customer_id", "customer_name")
    assert result.get("retention_rate").unavailable
    assert not result.get("revenue").unavailable and result.get("revenue").value == 30.0


def test_upsell_is_unavailable_without_a_product_field() -> None:
    rows = [("2024-01-05", 10.0, "A"), ("2024-02-05", 10.0, "A")]
    e = Engine({"sales": _sales(rows, "customer_id")}, today=D(2024, 3, 1))
    result = e.summary(Query(D(2024, 2, 1), D(2024, 2, 29), kpis=("upsell_rate", "repeat_purchase_rate")))
    upsell = result.get("upsell_rate")
    assert upsell.unavailable and upsell.missing_fields == ("product",)
    assert result.get("repeat_purchase_rate").value == 100.0  # A bought in January: 1 / 1


def test_partial_periods_say_how_many_days_they_hold(by_name: Engine) -> None:
    # The data ends on 15 February: February holds 15 days of 29; January is whole.
    result = by_name.compute(Query(D(2024, 1, 1), D(2024, 2, 29), grain="month", kpis=("revenue",)))
    jan, feb = result.series("revenue")
    assert (jan.partial, jan.covered_days, jan.period_days) == (False, 31, 31)
    assert (feb.partial, feb.covered_days, feb.period_days) == (True, 15, 29)
    # A range ending on 10 February: 10 days of 29.
    cut = by_name.compute(Query(D(2024, 1, 1), D(2024, 2, 10), grain="month", kpis=("revenue",)))
    assert (cut.series("revenue")[-1].covered_days, cut.series("revenue")[-1].partial) == (10, True)


def test_a_comparison_the_data_does_not_cover_is_null_and_says_so(by_name: Engine) -> None:
    # January compares with December 2023 (no data at all): null, "no comparable data".
    # February compares with January, which the data covers from the 5th (27 days of 31).
    result = by_name.compute(Query(D(2024, 1, 1), D(2024, 2, 29), grain="month", kpis=("revenue",)))
    jan, feb = result.series("revenue")
    assert jan.comparison is None and jan.no_comparable_data
    assert feb.comparison == 150.0 and not feb.no_comparable_data


def test_a_customer_known_by_name_is_shown_by_that_name_alone(by_name: Engine) -> None:
    assert by_name.member_label("customer", "Société Générale") == "Société Générale"
    assert by_name.members("customer") == ["ACME", "Société Générale"]


def test_roi_names_its_best_and_worst_channel() -> None:
    # Web: revenue 300, spend 100: (300 - 100) / 100 = 200 %. Salon: revenue 100, spend 200:
    # (100 - 200) / 200 = -50 %. The company: (400 - 300) / 300 = 33.3 %.
    sales = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-05", "2024-01-06", "2024-01-07"]),
            "amount": [200.0, 100.0, 100.0],
            "channel": ["Web", "Web", "Salon"],
        }
    )
    spend = pd.DataFrame(
        {"date": pd.to_datetime(["2024-01-01", "2024-01-01"]), "amount": [100.0, 200.0], "channel": ["Web", "Salon"]}
    )
    e = Engine({"sales": sales, "spend": spend}, today=D(2024, 2, 1))
    roi = e.summary(Query(D(2024, 1, 1), D(2024, 1, 31), kpis=("roi",))).get("roi")
    assert roi.value == pytest.approx(100 / 3)
    assert roi.best == ("Web", pytest.approx(200.0))
    assert roi.worst == ("Salon", pytest.approx(-50.0))
    # Asked again (the engine now sums each channel's revenue by day once): the same.
    again = e.summary(Query(D(2024, 1, 1), D(2024, 1, 31), kpis=("roi",))).get("roi")
    assert (again.best, again.worst) == (roi.best, roi.worst)
    jan_6 = e.summary(Query(D(2024, 1, 6), D(2024, 1, 31), kpis=("roi",))).get("roi")
    # From 6 January: Web 100 of revenue against the spend of 1 January, none: no spend, undefined.
    assert jan_6.best is None
    # The same with a filter (summed from the lines kept, not from the engine's daily table).
    kept = Query(D(2024, 1, 1), D(2024, 1, 31), kpis=("roi",), filters={"channel": frozenset({"Web", "Salon"})})
    assert e.summary(kept).get("roi").best == ("Web", pytest.approx(200.0))
    assert e.summary(kept).get("roi").worst == ("Salon", pytest.approx(-50.0))
    # Period rows (trends) do not carry them.
    assert e.compute(Query(D(2024, 1, 1), D(2024, 1, 31), kpis=("roi",))).get("roi").best is None


def test_clv_takes_retention_by_the_same_rule() -> None:
    # The 12 months to 31 Dec 2024: S (bought in 2023) = {A, B}; E (bought in 2024) = {A, C}.
    # C, back after three years, is not retained: retention 1 / 2, churn 0.5, lifespan 2 years.
    # Revenue over the 12 months 200 for 2 active customers: CLV = 100 x 2 = 200 (not the
    # 10-year cap that counting C as retained would give: 1,000).
    rows = [
        ("2023-06-01", 100.0, "A"),
        ("2024-06-01", 100.0, "A"),
        ("2023-06-01", 100.0, "B"),
        ("2021-01-01", 100.0, "C"),
        ("2024-03-01", 100.0, "C"),
    ]
    e = Engine({"sales": _sales(rows, "customer_id")}, today=D(2025, 1, 15))
    row = e.compute(Query(D(2024, 12, 1), D(2024, 12, 31), kpis=("clv",))).get("clv")
    assert row.value == pytest.approx(200.0)
