"""The engine keeps each text column's codes in the narrowest integer type that holds them (a
category's own codes, not an int64 copy) and sums "before a day" once per distinct day.
These tests check, by hand, the KPIs that multiply such codes by counts: an int8 or int16 code
times a number of products or of days overflows unless widened first.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from kpidesk.core.cells import Prefix
from kpidesk.core.engine import Engine, Query

D = dt.date


def test_upsell_with_more_customer_product_pairs_than_an_int16_holds() -> None:
    # 300 customers (int16 codes) x 256 products: 76,800 pairs, past int16's 32,767 (an
    # int16 key of customer 256 + k would land on customer k's).
    # January: customer i buys product i % 256; customers 0-43 also buy product i + 1.
    # March: customers 0-149 buy their January product again; customers 150-299 buy product
    # (i + 1) % 256, new to them -> upsell rate in March = 150 / 300 = 50 %.
    rows = []
    for i in range(300):
        rows.append(("2024-01-10", 10.0, f"J{i}", f"C{i:03d}", f"P{i % 256:03d}"))
        if i < 44:
            rows.append(("2024-01-10", 10.0, f"J{i}", f"C{i:03d}", f"P{i + 1:03d}"))
        product = i % 256 if i < 150 else (i + 1) % 256
        rows.append(("2024-03-10", 10.0, f"M{i}", f"C{i:03d}", f"P{product:03d}"))
    sales = pd.DataFrame(rows, columns=["date", "amount", "invoice_id", "customer_id", "product"])
    sales["date"] = pd.to_datetime(sales["date"])
    sales["customer_id"] = sales["customer_id"].astype("category")
    sales["product"] = sales["product"].astype("category")
    e = Engine({"sales": sales})
    assert e.tables["sales"].codes("customer_id")[0].dtype == np.int16
    result = e.compute(Query(D(2024, 1, 1), D(2024, 3, 31), kpis=("upsell_rate", "active_customers")))
    upsell = {r.period: r.value for r in result.series("upsell_rate")}
    assert upsell["2024-03"] == 50.0
    assert {r.period: r.value for r in result.series("active_customers")}["2024-03"] == 300.0


def test_pipeline_by_salesperson_over_two_years() -> None:
    # Three salespeople (int8 codes); the pipeline's day keys span two years (member x 732 days
    # is past int8's 127).
    #   Ana:  created 2023-01-05, 100, open          -> open at the end of 2023 and of 2024
    #   Ben:  created 2023-06-01, 200, won 2024-02-01 -> open at the end of 2023 only
    #   Cléa: created 2024-12-20, 400, open          -> open at the end of 2024 only
    opportunities = pd.DataFrame(
        {
            "opportunity_id": ["O1", "O2", "O3"],
            "created_date": pd.to_datetime(["2023-01-05", "2023-06-01", "2024-12-20"]),
            "close_date": pd.to_datetime([None, "2024-02-01", None]),
            "status": pd.Categorical(["open", "won", "open"]),
            "amount": [100.0, 200.0, 400.0],
            "salesperson": pd.Categorical(["Ana", "Ben", "Cléa"]),
        }
    )
    e = Engine({"opportunities": opportunities})
    result = e.compute(Query(D(2023, 1, 1), D(2024, 12, 31), grain="year", by="salesperson", kpis=("pipeline_value",)))
    got = {(r.period, r.member): r.value for r in result.rows if r.kpi == "pipeline_value" and r.member}
    assert got == {
        ("2023", "Ana"): 100.0,
        ("2023", "Ben"): 200.0,
        ("2023", "Cléa"): 0.0,
        ("2024", "Ana"): 100.0,
        ("2024", "Ben"): 0.0,
        ("2024", "Cléa"): 400.0,
    }


def test_prefix_sums_before_each_day_with_repeated_days() -> None:
    # Items (day, member, weight): several on one day, per member.
    day = np.array([10, 10, 12, 10, 15, 12, 12], dtype=np.int64)
    member = np.array([0, 1, 0, 0, 1, 1, 1], dtype=np.int8)
    weight = np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0, -1.0])
    prefix = Prefix(day, member, weight, 2)
    # Before day 10: nothing. Before 11: member 0 has 1 + 8, member 1 has 2.
    # Before 13: member 0 adds 4 (day 12), member 1 adds 32 - 1. Before 16: member 1 adds 16.
    expected = np.array([[0.0, 0.0], [9.0, 2.0], [13.0, 33.0], [13.0, 49.0]])
    assert np.array_equal(prefix.before(np.array([10, 11, 13, 16])), expected)
    whole = Prefix(day, None, weight, 1)
    assert np.array_equal(whole.before(np.array([9, 11, 12, 13, 100])), [0.0, 11.0, 11.0, 46.0, 62.0])


def test_codes_are_shared_with_the_frame_and_read_only() -> None:
    sales = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
            "amount": [1.0, 2.0],
            "region": pd.Categorical(["Nord", "Sud"]),
        }
    )
    table = Engine({"sales": sales}).tables["sales"]
    codes, labels = table.codes("region")
    assert list(labels) == ["Nord", "Sud"] and codes.tolist() == [0, 1]
    with pytest.raises(ValueError):
        codes[0] = 1
    # A column the file did not have: every row missing, and nothing to write to either.
    absent, absent_labels = table.codes("channel")
    assert absent.tolist() == [-1, -1] and len(absent_labels) == 0
    with pytest.raises(ValueError):
        absent[0] = 0
    assert sales["region"].cat.codes.tolist() == [0, 1]
