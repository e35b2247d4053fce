"""The first KPIs of the catalogue, against values worked out by hand from a small table."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kpidesk.core.engine import Engine, Query

D = dt.date


@pytest.fixture
def sales() -> pd.DataFrame:
    rows = [
        # date, amount, invoice, customer, salesperson
        ("2024-01-03", 100.0, "F1", "C1", "Alice"),
        ("2024-01-03", 50.0, "F1", "C1", "Alice"),  # F1 totals 150
        ("2024-01-10", 200.0, "F2", "C2", "Bruno"),
        ("2024-01-20", -30.0, "AV1", "C1", "Alice"),  # credit note: reduces revenue, is no sale
        ("2024-02-05", 80.0, None, None, "Bruno"),  # no invoice id: its own sale; no customer
        ("2024-02-07", 120.0, "F3", "C1", "Alice"),  # C1 comes back
        ("2024-02-08", 60.0, "F4", "C3", "Bruno"),  # C3 is new
        # nothing in March
        ("2024-04-02", 40.0, "F5", "C2", "Alice"),  # C2 returns after a gap
    ]
    frame = pd.DataFrame(rows, columns=["date", "amount", "invoice_id", "customer_id", "salesperson"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["salesperson"] = frame["salesperson"].astype("category")
    return frame


def values(engine: Engine, query: Query, kpi: str, member: str | None = None) -> dict[str, float | None]:
    result = engine.compute(query)
    return {r.period: r.value for r in result.series(kpi, member)}


def test_revenue_includes_returns(sales: pd.DataFrame) -> None:
    e = Engine({"sales": sales})
    assert values(e, Query(grain="month"), "revenue") == {
        "2024-01": 320.0, "2024-02": 260.0, "2024-03": 0.0, "2024-04": 40.0,
    }


def test_sales_count_counts_positive_invoices_and_lines_without_invoice(sales: pd.DataFrame) -> None:
    e = Engine({"sales": sales})
    assert values(e, Query(grain="month"), "sales_count") == {
        "2024-01": 2.0, "2024-02": 3.0, "2024-03": 0.0, "2024-04": 1.0,
    }


def test_average_order_value_and_its_zero_denominator(sales: pd.DataFrame) -> None:
    e = Engine({"sales": sales})
    got = values(e, Query(grain="month"), "average_order_value")
    assert got["2024-01"] == 160.0
    assert got["2024-02"] == pytest.approx(260 / 3)
    assert got["2024-03"] is None  # no sale: undefined, never 0 or NaN
    result = e.compute(Query(grain="month", kpis=("average_order_value",)))
    assert result.get("average_order_value", "2024-01").low_confidence  # 2 sales < 30
    assert not result.get("average_order_value", "2024-03").low_confidence


def test_active_customers_ignore_lines_without_customer(sales: pd.DataFrame) -> None:
    e = Engine({"sales": sales})
    assert values(e, Query(grain="month"), "active_customers") == {
        "2024-01": 2.0, "2024-02": 2.0, "2024-03": 0.0, "2024-04": 1.0,
    }


def test_new_customers_are_counted_at_their_first_ever_purchase(sales: pd.DataFrame) -> None:
    e = Engine({"sales": sales})
    assert values(e, Query(grain="month"), "new_customers") == {
        "2024-01": 2.0, "2024-02": 1.0, "2024-03": 0.0, "2024-04": 0.0,
    }
    # From February on, C1 and C2 are not new even though the range starts later.
    assert values(e, Query(D(2024, 2, 1), D(2024, 4, 30), grain="quarter"), "new_customers") == {
        "2024-Q1": 1.0, "2024-Q2": 0.0,
    }


def test_a_first_purchase_that_is_a_credit_note_does_not_make_a_customer() -> None:
    frame = pd.DataFrame({
        "date": pd.to_datetime(["2024-01-05", "2024-02-05"]),
        "amount": [-50.0, 70.0],
        "invoice_id": ["AV1", "F1"],
        "customer_id": ["C9", "C9"],
    })
    e = Engine({"sales": frame})
    assert values(e, Query(grain="month"), "new_customers") == {"2024-01": 0.0, "2024-02": 1.0}
    assert values(e, Query(grain="month"), "active_customers") == {"2024-01": 0.0, "2024-02": 1.0}


def test_comparison_with_previous_period_and_last_year(sales: pd.DataFrame) -> None:
    e = Engine({"sales": sales})
    result = e.compute(Query(grain="month", kpis=("revenue",)))
    assert [r.comparison for r in result.series("revenue")] == [0.0, 320.0, 260.0, 0.0]
    yearly = e.compute(Query(D(2025, 1, 1), D(2025, 2, 28), grain="month", compare="year", kpis=("revenue",)))
    assert [r.comparison for r in yearly.series("revenue")] == [320.0, 260.0]
    none = e.compute(Query(grain="month", compare="none", kpis=("revenue",)))
    assert all(r.comparison is None for r in none.rows)


def test_like_for_like_partial_period(sales: pd.DataFrame) -> None:
    e = Engine({"sales": sales})
    # 1-7 February against 1-7 January: 80 + 120 against 150.
    row = e.compute(Query(D(2024, 2, 1), D(2024, 2, 7), grain="month", kpis=("revenue",))).get("revenue", "2024-02")
    assert (row.value, row.comparison) == (200.0, 150.0)


def test_breakdown_by_salesperson(sales: pd.DataFrame) -> None:
    e = Engine({"sales": sales})
    q = Query(grain="month", by="salesperson")
    assert values(e, q, "revenue", "Alice")["2024-01"] == 120.0
    assert values(e, q, "revenue", "Bruno")["2024-01"] == 200.0
    assert values(e, q, "sales_count", "Bruno")["2024-02"] == 2.0
    assert values(e, q, "new_customers", "Alice")["2024-01"] == 1.0
    assert e.compute(q).members("revenue") == ["Alice", "Bruno"]


def test_filters_keep_only_the_chosen_members(sales: pd.DataFrame) -> None:
    e = Engine({"sales": sales})
    q = Query(grain="month", filters={"salesperson": frozenset({"Bruno"})})
    assert values(e, q, "revenue") == {"2024-01": 200.0, "2024-02": 140.0, "2024-03": 0.0, "2024-04": 0.0}
    assert values(e, q, "new_customers")["2024-01"] == 1.0  # C2; C1 first bought from Alice


def test_summary_over_the_whole_range(sales: pd.DataFrame) -> None:
    e = Engine({"sales": sales})
    result = e.summary(Query())
    assert result.periods[0].label == "2024-01-01/2024-04-02"
    assert result.get("revenue").value == 620.0
    assert result.get("sales_count").value == 6.0
    assert result.get("average_order_value").value == pytest.approx(620 / 6)
    assert result.get("active_customers").value == 3.0
    assert result.get("new_customers").value == 3.0


def test_missing_kind_is_unavailable_not_zero() -> None:
    e = Engine({})
    result = e.compute(Query(D(2024, 1, 1), D(2024, 1, 31), kpis=("revenue", "new_customers")))
    for row in result.rows:
        assert row.unavailable and row.value is None


def test_targets_by_period_and_member(sales: pd.DataFrame) -> None:
    targets = pd.DataFrame({
        "kpi": ["revenue", "Chiffre d'affaires", "revenue", "revenue"],
        "period": ["2024-01", "2024-02", "2024-01", "2024"],
        "value": [400.0, 250.0, 100.0, 5000.0],
        "dimension": [None, None, "salesperson", None],
        "member": [None, None, "Alice", None],
    })
    e = Engine({"sales": sales, "targets": targets})
    result = e.compute(Query(grain="month", by="salesperson", kpis=("revenue",)))
    assert result.get("revenue", "2024-01").target == 400.0
    assert result.get("revenue", "2024-02").target == 250.0  # named in French
    assert result.get("revenue", "2024-01", "Alice").target == 100.0
    assert result.get("revenue", "2024-01", "Bruno").target is None
    yearly = e.compute(Query(grain="year", kpis=("revenue",)))
    assert yearly.get("revenue", "2024").target == 5000.0
    # A whole range sums the months it holds: January + February.
    assert e.summary(Query(D(2024, 1, 1), D(2024, 2, 29), kpis=("revenue",))).get("revenue").target == 650.0


def test_json_shape(sales: pd.DataFrame) -> None:
    e = Engine({"sales": sales})
    data = e.compute(Query(grain="quarter", by="salesperson", kpis=("revenue",))).to_json()
    assert set(data) == {"from", "to", "grain", "rows"}
    assert (data["from"], data["to"], data["grain"]) == ("2024-01-01", "2024-04-02", "quarter")
    assert set(data["rows"][0]) == {
        "kpi", "period", "member", "value", "target", "comparison", "unavailable", "low_confidence",
    }
    assert [(r["period"], r["member"], r["value"]) for r in data["rows"]] == [
        ("2024-Q1", None, 580.0), ("2024-Q2", None, 40.0),
        ("2024-Q1", "Alice", 240.0), ("2024-Q1", "Bruno", 340.0),
        ("2024-Q2", "Alice", 40.0), ("2024-Q2", "Bruno", 0.0),
    ]
