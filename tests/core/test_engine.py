"""The first KPIs of the catalogue, against values worked out by hand from a small table."""

from __future__ import annotations

import datetime as dt

import numpy as np
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
        "2024-01": 320.0,
        "2024-02": 260.0,
        "2024-03": 0.0,
        "2024-04": 40.0,
    }


def test_sales_count_counts_positive_invoices_and_lines_without_invoice(sales: pd.DataFrame) -> None:
    e = Engine({"sales": sales})
    assert values(e, Query(grain="month"), "sales_count") == {
        "2024-01": 2.0,
        "2024-02": 3.0,
        "2024-03": 0.0,
        "2024-04": 1.0,
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
        "2024-01": 2.0,
        "2024-02": 2.0,
        "2024-03": 0.0,
        "2024-04": 1.0,
    }


def test_new_customers_are_counted_at_their_first_ever_purchase(sales: pd.DataFrame) -> None:
    e = Engine({"sales": sales})
    assert values(e, Query(grain="month"), "new_customers") == {
        "2024-01": 2.0,
        "2024-02": 1.0,
        "2024-03": 0.0,
        "2024-04": 0.0,
    }
    # From February on, C1 and C2 are not new even though the range starts later.
    assert values(e, Query(D(2024, 2, 1), D(2024, 4, 30), grain="quarter"), "new_customers") == {
        "2024-Q1": 1.0,
        "2024-Q2": 0.0,
    }


def test_a_first_purchase_that_is_a_credit_note_does_not_make_a_customer() -> None:
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-05", "2024-02-05"]),
            "amount": [-50.0, 70.0],
            "invoice_id": ["AV1", "F1"],
            "customer_id": ["C9", "C9"],
        }
    )
    e = Engine({"sales": frame})
    assert values(e, Query(grain="month"), "new_customers") == {"2024-01": 0.0, "2024-02": 1.0}
    assert values(e, Query(grain="month"), "active_customers") == {"2024-01": 0.0, "2024-02": 1.0}


def test_comparison_with_previous_period_and_last_year(sales: pd.DataFrame) -> None:
    e = Engine({"sales": sales})
    result = e.compute(Query(grain="month", kpis=("revenue",)))
    # December 2023 comes before the first sale: undefined, not zero.
    assert [r.comparison for r in result.series("revenue")] == [None, 320.0, 260.0, 0.0]
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
    targets = pd.DataFrame(
        {
            "kpi": ["revenue", "Chiffre d'affaires", "revenue", "revenue"],
            "period": ["2024-01", "2024-02", "2024-01", "2024"],
            "value": [400.0, 250.0, 100.0, 5000.0],
            "dimension": [None, None, "salesperson", None],
            "member": [None, None, "Alice", None],
        }
    )
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
        "kpi",
        "period",
        "member",
        "value",
        "target",
        "comparison",
        "unavailable",
        "low_confidence",
    }
    assert [(r["period"], r["member"], r["value"]) for r in data["rows"]] == [
        ("2024-Q1", None, 580.0),
        ("2024-Q2", None, 40.0),
        ("2024-Q1", "Alice", 240.0),
        ("2024-Q1", "Bruno", 340.0),
        ("2024-Q2", "Alice", 40.0),
        ("2024-Q2", "Bruno", 0.0),
    ]


# -- targets: attainment and pacing -------------------------------------------------------------


def test_attainment_is_inverted_for_lower_is_better_kpis() -> None:
    from kpidesk.core.targets import attainment

    assert attainment("revenue", 800.0, 1000.0) == 80.0
    # CAC: 125 spent per customer against a target of 100 is 80 % of the goal; 80 is 125 %.
    assert attainment("cac", 125.0, 100.0) == 80.0
    assert attainment("cac", 80.0, 100.0) == 125.0
    assert attainment("revenue", 0.0, 1000.0) == 0.0
    assert attainment("revenue", -200.0, 1000.0) == -20.0
    assert attainment("revenue", 800.0, 0.0) is None
    assert attainment("roi", 10.0, -5.0) is None
    assert attainment("cac", 0.0, 100.0) is None
    assert attainment("cac", 50.0, -1.0) is None
    assert attainment("revenue", None, 1000.0) is None
    assert attainment("revenue", 800.0, None) is None


def test_pacing_of_a_partial_month(sales: pd.DataFrame) -> None:
    from kpidesk.core.targets import pacing

    targets = pd.DataFrame(
        {
            "kpi": ["revenue", "average_order_value", "cac"],
            "period": ["2024-02", "2024-02", "2024-02"],
            "value": [290.0, 100.0, 50.0],
            "dimension": [None] * 3,
            "member": [None] * 3,
        }
    )
    e = Engine({"sales": sales, "targets": targets})
    # 1-10 February: revenue 80 + 120 + 60 = 260 against 290 x 10 / 29 = 100 expected by the
    # 10th (straight line): 260 %. The month-to-date range takes February's target and its days.
    row = e.summary(Query(D(2024, 2, 1), D(2024, 2, 10), kpis=("revenue",))).get("revenue")
    assert (row.value, row.target, row.target_start, row.target_end) == (260.0, 290.0, D(2024, 2, 1), D(2024, 3, 1))
    p = pacing("revenue", row, D(2024, 2, 10))
    assert p is not None
    assert (p.expected, p.actual, p.elapsed_days, p.period_days, p.partial) == (100.0, 260.0, 10, 29, True)
    assert p.attainment == 260.0
    # A rate is expected at its target from the first day: AOV 260 / 3 against 100.
    trend = e.compute(Query(D(2024, 1, 1), D(2024, 2, 10), kpis=("average_order_value",)))
    aov = trend.get("average_order_value", "2024-02")
    p = pacing("average_order_value", aov, D(2024, 2, 10))
    assert p is not None and (p.expected, p.attainment) == (100.0, pytest.approx(260 / 3))
    # A whole month is not partial: expected = the target.
    whole = e.compute(Query(D(2024, 2, 1), D(2024, 2, 29), kpis=("revenue",))).get("revenue")
    p = pacing("revenue", whole, D(2024, 3, 15))
    assert p is not None and (p.expected, p.partial) == (290.0, False)
    # No target, no pacing.
    assert pacing("revenue", trend.get("average_order_value", "2024-01"), D(2024, 2, 10)) is None


def test_whole_range_target_spans_the_months_it_sums(sales: pd.DataFrame) -> None:
    targets = pd.DataFrame(
        {
            "kpi": ["revenue", "revenue"],
            "period": ["2024-01", "2024-02"],
            "value": [400.0, 250.0],
            "dimension": [None, None],
            "member": [None, None],
        }
    )
    e = Engine({"sales": sales, "targets": targets})
    row = e.summary(Query(D(2024, 1, 1), D(2024, 2, 29), kpis=("revenue",))).get("revenue")
    assert (row.target, row.target_start, row.target_end) == (650.0, D(2024, 1, 1), D(2024, 3, 1))


def test_prepare_computes_the_same_numbers(sales: pd.DataFrame) -> None:
    lazy = Engine({"sales": sales}).compute(Query(grain="month"))
    prepared = Engine({"sales": sales})
    prepared.prepare()
    again = prepared.compute(Query(grain="month"))
    prepared.forget_scopes()
    assert [r.to_json() for r in lazy.rows] == [r.to_json() for r in again.rows]
    assert [r.to_json() for r in prepared.compute(Query(grain="month")).rows] == [r.to_json() for r in lazy.rows]


def test_every_kpi_of_the_catalogue_is_computed() -> None:
    from kpidesk.core import catalog
    from kpidesk.core.engine import implemented

    assert implemented() == catalog.KPI_IDS


def _random_company(seed: int, n: int = 600) -> dict[str, pd.DataFrame]:
    import numpy as np

    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-01")
    invoice = rng.integers(0, n // 3, n)
    sales = pd.DataFrame(
        {
            "date": start
            + pd.to_timedelta(np.sort(invoice) * 2 + rng.integers(0, 2, n) * (rng.random(n) < 0.05), unit="D"),
            "amount": rng.choice([40.0, 90.0, 250.0, -60.0], n, p=[0.4, 0.3, 0.2, 0.1]),
            "invoice_id": np.where(rng.random(n) < 0.05, None, [f"F{i}" for i in np.sort(invoice)]).astype(object),
            "customer_id": np.where(rng.random(n) < 0.1, None, [f"C{i % 45}" for i in np.sort(invoice)]).astype(object),
            "product": pd.Categorical(rng.choice(["Papier", "Encre", "Toner", "Classeur"], n)),
            "salesperson": pd.Categorical([["Alice", "Bruno", "Chloé"][i % 3] for i in np.sort(invoice)]),
            "channel": pd.Categorical([["Web", "Salon"][i % 2] for i in np.sort(invoice)]),
        }
    )
    spend = pd.DataFrame(
        {
            "date": start + pd.to_timedelta(rng.integers(0, 420, 40), unit="D"),
            "amount": rng.integers(50, 500, 40).astype(float),
            "channel": pd.Categorical(rng.choice(["Web", "Salon"], 40)),
        }
    )
    return {"sales": sales, "spend": spend}


def _everything(e: Engine, **kw: object) -> list[tuple[object, ...]]:
    q = Query(D(2023, 1, 1), D(2024, 3, 31), grain="quarter", **kw)  # type: ignore[arg-type]
    rows = e.compute(q).rows + e.summary(Query(D(2023, 4, 1), D(2024, 2, 10), **kw)).rows  # type: ignore[arg-type]
    return [
        (
            r.kpi,
            r.period,
            r.member,
            None if r.value is None else round(r.value, 9),
            r.base,
            r.provisional,
            tuple(sorted(r.extra.items())),
            r.comparison if r.comparison is None else round(r.comparison, 9),
        )
        for r in rows
    ]


def test_row_order_and_preparation_paths_do_not_change_any_value(monkeypatch: pytest.MonkeyPatch) -> None:
    from kpidesk.core import cells

    data = _random_company(1)
    reference = _everything(Engine(data, today=D(2024, 6, 1)))
    by_channel = _everything(Engine(data, today=D(2024, 6, 1)), by="channel")
    # Shuffled rows: no invoice runs to group, the line-level path.
    shuffled = {k: v.sample(frac=1.0, random_state=3).reset_index(drop=True) for k, v in data.items()}
    assert _everything(Engine(shuffled, today=D(2024, 6, 1))) == reference
    assert _everything(Engine(shuffled, today=D(2024, 6, 1)), by="channel") == by_channel
    # A filter keeping every product forces the line level (products vary within invoices);
    # spend has no product, so only the sales KPIs are comparable.
    from kpidesk.core import catalog

    every = frozenset({"Papier", "Encre", "Toner", "Classeur"})
    sales_only = {k.id for k in catalog.CATALOG if k.needs == ("sales",)}
    filtered = _everything(Engine(data, today=D(2024, 6, 1)), filters={"product": every})
    assert [r for r in filtered if r[0] in sales_only] == [r for r in reference if r[0] in sales_only]
    # Sparse grouping (sort-based) instead of dense tables.
    monkeypatch.setattr(cells, "_DENSE_LIMIT", 0)
    assert _everything(Engine(shuffled, today=D(2024, 6, 1)), by="channel") == by_channel


def test_overlapping_intervals_are_computed_one_by_one() -> None:
    from kpidesk.core import catalog
    from kpidesk.core.engine import Ctx, Intervals

    e = Engine(_random_company(2), today=D(2024, 6, 1))
    iv = Intervals.of([(D(2023, 1, 1), D(2023, 7, 1)), (D(2023, 4, 1), D(2023, 10, 1))])
    assert not iv.is_disjoint()
    for kpi in ("revenue", "one_time_buyer_rate", "retention_rate", "roi"):
        for by in (None, "channel"):
            both = e._evaluate(catalog.get(kpi), Ctx(e, e.settings, {}, by), iv)
            for i in range(2):
                one = e._evaluate(
                    catalog.get(kpi), Ctx(e, e.settings, {}, by), Intervals(iv.lo[i : i + 1], iv.hi[i : i + 1])
                )
                assert np.allclose(both.value[i], one.value[0], equal_nan=True), (kpi, by)


def test_a_comparison_period_hardly_covered_by_the_data_is_undefined(sales: pd.DataFrame) -> None:
    # The data starts on 3 January 2024: 2023 as a whole compares with nothing, and the
    # year 2024 compared with 2023 is undefined rather than an absurd growth.
    e = Engine({"sales": sales})
    result = e.compute(Query(D(2024, 1, 1), D(2024, 12, 31), grain="year", compare="previous", kpis=("revenue",)))
    assert result.get("revenue", "2024").comparison is None
    # A comparison period mostly covered keeps its value: 4 Jan - 2 Feb against 3 Jan onwards.
    row = e.compute(Query(D(2024, 2, 4), D(2024, 3, 3), grain="month", kpis=("revenue",))).get("revenue", "2024-02")
    assert row.comparison == 170.0  # 4-31 January: 200 - 30


def test_customers_are_shown_by_name_the_customers_file_first() -> None:
    sales = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-05", "2024-01-06", "2024-02-01", "2024-02-02"]),
            "amount": [100.0, 50.0, 80.0, 20.0],
            "customer_id": ["C1", "C2", "C2", "C3"],
            "customer_name": ["Boulangerie Martin", "Garage Petit", "Garage Petit SARL", None],
        }
    )
    customers = pd.DataFrame({"customer_id": ["C1", "C4"], "name": ["Boulangerie Martin & Fils", "Hôtel du Lac"]})
    engine = Engine({"sales": sales, "customers": customers})
    assert engine.member_names("customer") == {
        "C1": "Boulangerie Martin & Fils",  # the customers file wins over the sales lines
        "C2": "Garage Petit SARL",  # the latest sales line
        "C4": "Hôtel du Lac",
    }
    assert engine.member_label("customer", "C2") == "Garage Petit SARL (C2)"
    assert engine.member_label("customer", "C3") == "C3"  # no name known: the id
    assert engine.member_names("salesperson") == {}
    assert engine.member_label("salesperson", "Alice") == "Alice"


@pytest.mark.parametrize("size", [50, 1 << 20, 1 << 30])  # dense, sparse against its keys, beyond the dense limit
@pytest.mark.parametrize("sort", [True, False])
def test_group_keys_are_one_grouping_however_large_the_key_space(size: int, sort: bool) -> None:
    from kpidesk.core.cells import group_keys

    key = np.array([7, 7, 3, 42, 3, 3, 49, 7], dtype=np.int64) * (size // 50)
    codes, uniques = group_keys(key, size, sort=sort)
    assert np.array_equal(uniques[codes], key)  # each key maps back to itself
    assert sorted(uniques.tolist()) == sorted(set(key.tolist())) and len(uniques) == 4
    if sort:
        assert uniques.tolist() == sorted(uniques.tolist())
