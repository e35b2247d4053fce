"""Sales KPIs (theme "Ventes") on small tables, each value worked out by hand.

``tests/core/test_engine.py`` covers revenue, sales count and average order value by month,
with returns, lines without invoice or customer, comparisons and targets; here: ISO week 53,
a fiscal year starting in April, invoices over two periods, breakdowns and filters by a
column that varies inside an invoice (product), and the day and year grains.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kpidesk.core.engine import Engine, Query
from kpidesk.core.settings import CompanySettings

D = dt.date


def frame(rows: list[tuple[object, ...]], columns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=columns)
    out["date"] = pd.to_datetime(out["date"], format="ISO8601")
    for c in ("product", "salesperson", "channel", "region", "segment"):
        if c in out:
            out[c] = out[c].astype("category")
    return out


def series(e: Engine, q: Query, kpi: str, member: str | None = None) -> dict[str, float | None]:
    return {r.period: r.value for r in e.compute(q).series(kpi, member)}


def test_iso_week_53() -> None:
    # 2020 has 53 ISO weeks: Monday 28 Dec 2020 - Sunday 3 Jan 2021 is 2020-W53.
    sales = frame(
        [
            ("2020-12-27", 10.0, "F1"),  # Sunday: 2020-W52
            ("2020-12-28", 20.0, "F2"),  # Monday: 2020-W53
            ("2021-01-01 09:30", 30.0, "F3"),  # Friday, with a time: 2020-W53
            ("2021-01-03 23:59", 40.0, "F4"),  # Sunday night: still 2020-W53
            ("2021-01-04", 50.0, "F5"),  # Monday: 2021-W01
        ],
        ["date", "amount", "invoice_id"],
    )
    e = Engine({"sales": sales})
    q = Query(D(2020, 12, 21), D(2021, 1, 10), grain="week")
    assert series(e, q, "revenue") == {"2020-W52": 10.0, "2020-W53": 90.0, "2021-W01": 50.0}
    assert series(e, q, "sales_count") == {"2020-W52": 1.0, "2020-W53": 3.0, "2021-W01": 1.0}
    # The same week a year later is 52 weeks back: 2021-W01 against 2020-W01 (empty).
    yearly = e.compute(Query(D(2021, 1, 4), D(2021, 1, 10), grain="week", compare="year", kpis=("revenue",)))
    assert yearly.get("revenue", "2021-W01").comparison is None  # a year before the first sale
    # The previous week of 2021-W01 is 2020-W53.
    previous = e.compute(Query(D(2021, 1, 4), D(2021, 1, 10), grain="week", kpis=("revenue",)))
    assert previous.get("revenue", "2021-W01").comparison == 90.0


def test_fiscal_year_starting_in_april() -> None:
    sales = frame(
        [
            ("2024-03-31", 100.0, "F1"),  # FY2024 (April 2023 - March 2024), Q4
            ("2024-04-01", 200.0, "F2"),  # FY2025-Q1
            ("2024-06-30", 300.0, "F3"),  # FY2025-Q1
            ("2024-07-01", 400.0, "F4"),  # FY2025-Q2
            ("2025-03-31", 500.0, "F5"),  # FY2025-Q4
        ],
        ["date", "amount", "invoice_id"],
    )
    e = Engine({"sales": sales}, CompanySettings(fiscal_year_start=4))
    years = series(e, Query(D(2023, 4, 1), D(2025, 3, 31), grain="year"), "revenue")
    assert years == {"FY2024": 100.0, "FY2025": 1400.0}
    quarters = series(e, Query(D(2024, 1, 1), D(2025, 3, 31), grain="quarter"), "revenue")
    assert quarters == {
        "FY2024-Q4": 100.0,
        "FY2025-Q1": 500.0,
        "FY2025-Q2": 400.0,
        "FY2025-Q3": 0.0,
        "FY2025-Q4": 500.0,
    }
    # AOV over FY2025: 1400 over 4 invoices.
    row = e.compute(Query(D(2024, 4, 1), D(2025, 3, 31), grain="year", kpis=("average_order_value",))).get(
        "average_order_value", "FY2025"
    )
    assert row.value == 350.0


def test_fiscal_targets_are_read_by_fiscal_label() -> None:
    sales = frame([("2024-04-10", 200.0, "F1")], ["date", "amount", "invoice_id"])
    targets = pd.DataFrame(
        {
            "kpi": ["revenue", "revenue"],
            "period": ["FY2025-Q1", "FY2025"],
            "value": [250.0, 1000.0],
            "dimension": [None, None],
            "member": [None, None],
        }
    )
    e = Engine({"sales": sales, "targets": targets}, CompanySettings(fiscal_year_start=4))
    q = e.compute(Query(D(2024, 4, 1), D(2024, 6, 30), grain="quarter", kpis=("revenue",)))
    assert q.get("revenue", "FY2025-Q1").target == 250.0
    y = e.compute(Query(D(2024, 4, 1), D(2025, 3, 31), grain="year", kpis=("revenue",)))
    assert y.get("revenue", "FY2025").target == 1000.0


def test_an_invoice_over_two_periods_counts_where_its_lines_are_positive() -> None:
    sales = frame(
        [
            ("2024-01-31", 100.0, "F1"),
            ("2024-02-01", -30.0, "F1"),  # the same invoice number, next day (a correction)
            ("2024-02-02", 50.0, "F2"),
        ],
        ["date", "amount", "invoice_id"],
    )
    e = Engine({"sales": sales})
    # January: F1's January lines total 100 > 0 -> 1 sale. February: F1's -30 is no sale, F2 is.
    assert series(e, Query(D(2024, 1, 1), D(2024, 2, 29)), "sales_count") == {"2024-01": 1.0, "2024-02": 1.0}
    # Over the quarter F1 totals 70 > 0: one sale, and F2: 2 sales; AOV 120 / 2.
    q = Query(D(2024, 1, 1), D(2024, 3, 31), grain="quarter")
    assert series(e, q, "sales_count") == {"2024-Q1": 2.0}
    assert series(e, q, "average_order_value") == {"2024-Q1": 60.0}


@pytest.fixture
def lines() -> pd.DataFrame:
    return frame(
        [
            # date, amount, invoice, customer, product, salesperson, channel
            ("2024-01-03", 100.0, "F1", "C1", "Papier", "Alice", "Web"),
            ("2024-01-03", 50.0, "F1", "C1", "Encre", "Alice", "Web"),
            ("2024-01-04", 80.0, "F2", "C2", "Encre", "Bruno", "Salon"),
            ("2024-01-05", -80.0, "AV1", "C2", "Encre", "Bruno", "Salon"),  # full refund of F2
            ("2024-02-01", 30.0, None, None, "Papier", "Bruno", "Web"),  # no invoice, no customer
        ],
        ["date", "amount", "invoice_id", "customer_id", "product", "salesperson", "channel"],
    )


def test_breakdown_by_product_splits_an_invoice(lines: pd.DataFrame) -> None:
    e = Engine({"sales": lines})
    q = Query(
        D(2024, 1, 1),
        D(2024, 2, 29),
        by="product",
        kpis=("revenue", "sales_count", "average_order_value", "active_customers"),
    )
    result = e.compute(q)
    # Papier: F1's 100 in January; the 30 line in February. Encre: 50 + 80 - 80 = 50.
    assert result.get("revenue", "2024-01", "Papier").value == 100.0
    assert result.get("revenue", "2024-01", "Encre").value == 50.0
    # F1 is a sale of paper and a sale of ink; F2 - AV1 are two invoices: F2 (+80) is a sale.
    assert result.get("sales_count", "2024-01", "Papier").value == 1.0
    assert result.get("sales_count", "2024-01", "Encre").value == 2.0
    assert result.get("average_order_value", "2024-01", "Encre").value == 25.0
    # Active customers who bought ink: C1 and C2.
    assert result.get("active_customers", "2024-01", "Encre").value == 2.0
    # The parts add up to the whole for revenue.
    assert result.get("revenue", "2024-01").value == 150.0


def test_filters_combine(lines: pd.DataFrame) -> None:
    e = Engine({"sales": lines})
    both = Query(
        D(2024, 1, 1),
        D(2024, 2, 29),
        kpis=("revenue", "sales_count"),
        filters={"channel": frozenset({"Web"}), "product": frozenset({"Papier"})},
    )
    # Web and paper: F1's 100 in January, the 30 line in February.
    assert series(e, both, "revenue") == {"2024-01": 100.0, "2024-02": 30.0}
    assert series(e, both, "sales_count") == {"2024-01": 1.0, "2024-02": 1.0}
    nobody = Query(
        D(2024, 1, 1),
        D(2024, 1, 31),
        kpis=("revenue", "average_order_value"),
        filters={"salesperson": frozenset({"Zoé"})},
    )
    result = e.compute(nobody)
    assert result.get("revenue").value == 0.0 and result.get("average_order_value").value is None
    # The table has no segment column: no line is kept by a segment filter (the field exists
    # in the kind, so the KPI is available, and 0).
    empty = e.compute(Query(D(2024, 1, 1), D(2024, 1, 31), kpis=("revenue",), filters={"segment": frozenset({"PME"})}))
    assert (empty.get("revenue").value, empty.get("revenue").unavailable) == (0.0, False)


def test_day_and_year_grains(lines: pd.DataFrame) -> None:
    e = Engine({"sales": lines})
    days = series(e, Query(D(2024, 1, 3), D(2024, 1, 5), grain="day"), "revenue")
    assert days == {"2024-01-03": 150.0, "2024-01-04": 80.0, "2024-01-05": -80.0}
    assert series(e, Query(grain="year"), "revenue") == {"2024": 180.0}


def test_average_order_value_base_and_low_confidence() -> None:
    sales = frame([(f"2024-01-{d:02d}", 10.0 * d, f"F{d}") for d in range(1, 31)], ["date", "amount", "invoice_id"])
    e = Engine({"sales": sales})
    row = e.compute(Query(D(2024, 1, 1), D(2024, 1, 31), kpis=("average_order_value",))).get("average_order_value")
    # 30 invoices of 10..300: mean 155, base 30 -> not low confidence; 29 would be.
    assert (row.value, row.base, row.low_confidence) == (155.0, 30, False)
    row = e.compute(Query(D(2024, 1, 2), D(2024, 1, 30), kpis=("average_order_value",))).get("average_order_value")
    assert (row.base, row.low_confidence) == (29, True)
