"""Marketing KPIs: spend, CAC, cost per lead, ROI by channel, CLV / CAC, worked out by hand.

sales                                        spend
2024-01-05  1000  A  Web     A new           2024-01-02  500  Web          marketing
2024-01-12   400  B  Salon   B new           2024-01-15  300  Salon        marketing
2024-01-20   600  C  Web     C new           2024-01-31  200  Commissions  sales
2024-02-03   300  A  Web                     2024-02-01  400  Web          (none: marketing)
2024-02-15   200  D  Salon   D new           2024-02-10  100  Salon        marketing
2024-02-20   100  E  Partenaires  E new

leads: 3, 4, 20 January (Web), 10 January (Salon), 5 February (Salon)
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kpidesk.core.engine import Engine, Query

D = dt.date


@pytest.fixture
def data() -> dict[str, pd.DataFrame]:
    sales = pd.DataFrame(
        {
            "date": pd.to_datetime(
                ["2024-01-05", "2024-01-12", "2024-01-20", "2024-02-03", "2024-02-15", "2024-02-20"]
            ),
            "amount": [1000.0, 400.0, 600.0, 300.0, 200.0, 100.0],
            "invoice_id": ["F1", "F2", "F3", "F4", "F5", "F6"],
            "customer_id": ["A", "B", "C", "A", "D", "E"],
            "channel": pd.Categorical(["Web", "Salon", "Web", "Web", "Salon", "Partenaires"]),
            "salesperson": pd.Categorical(["Alice"] * 6),
        }
    )
    spend = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-02", "2024-01-15", "2024-01-31", "2024-02-01", "2024-02-10"]),
            "amount": [500.0, 300.0, 200.0, 400.0, 100.0],
            "channel": pd.Categorical(["Web", "Salon", "Commissions", "Web", "Salon"]),
            "category": pd.Categorical(["marketing", "marketing", "sales", None, "marketing"]),
        }
    )
    leads = pd.DataFrame(
        {
            "created_date": pd.to_datetime(["2024-01-03", "2024-01-04", "2024-01-10", "2024-01-20", "2024-02-05"]),
            "channel": pd.Categorical(["Web", "Web", "Salon", "Web", "Salon"]),
        }
    )
    return {"sales": sales, "spend": spend, "leads": leads}


def monthly(e: Engine, kpi: str, by: str | None = None, member: str | None = None) -> dict[str, float | None]:
    result = e.compute(Query(D(2024, 1, 1), D(2024, 2, 29), by=by, kpis=(kpi,)))
    return {r.period: r.value for r in result.series(kpi, member)}


def test_marketing_spend_sums_every_category(data: dict[str, pd.DataFrame]) -> None:
    e = Engine(data)
    # January 500 + 300 + 200 (sales costs included); February 400 + 100.
    assert monthly(e, "marketing_spend") == {"2024-01": 1000.0, "2024-02": 500.0}
    assert monthly(e, "marketing_spend", "channel", "Commissions") == {"2024-01": 200.0, "2024-02": 0.0}


def test_cac_is_all_spend_over_new_customers(data: dict[str, pd.DataFrame]) -> None:
    e = Engine(data)
    # January 1000 / 3 (A, B, C); February 500 / 2 (D, E; A is not new).
    assert monthly(e, "cac") == {"2024-01": pytest.approx(1000 / 3), "2024-02": 250.0}
    # By channel, spend and new customers meet by channel: January Web 500 / 2, Salon 300 / 1,
    # Commissions 200 / 0 (undefined); February Web 400 / 0, Salon 100 / 1, Partenaires 0 / 1.
    result = e.compute(Query(D(2024, 1, 1), D(2024, 2, 29), by="channel", kpis=("cac",)))
    assert result.members("cac") == ["Commissions", "Partenaires", "Salon", "Web"]
    assert result.get("cac", "2024-01", "Web").value == 250.0
    assert result.get("cac", "2024-01", "Salon").value == 300.0
    assert result.get("cac", "2024-01", "Commissions").value is None
    assert result.get("cac", "2024-02", "Web").value is None
    assert result.get("cac", "2024-02", "Partenaires").value == 0.0
    assert result.get("cac", "2024-01", "Web").low_confidence  # 2 new customers


def test_cac_by_or_filtered_on_a_dimension_spend_lacks(data: dict[str, pd.DataFrame]) -> None:
    e = Engine(data)
    # Spend has no salesperson: CAC has no salesperson rows, and a salesperson filter makes it
    # unavailable (the spend cannot be split), while revenue is still computed.
    split = e.compute(Query(D(2024, 1, 1), D(2024, 1, 31), by="salesperson", kpis=("cac", "revenue")))
    assert [r.member for r in split.series("cac")] == [None]
    assert split.members("revenue") == ["Alice"]
    filtered = e.compute(
        Query(
            D(2024, 1, 1), D(2024, 1, 31), filters={"salesperson": frozenset({"Alice"})}, kpis=("cac", "roi", "revenue")
        )
    )
    assert filtered.get("cac").unavailable and filtered.get("roi").unavailable
    assert filtered.get("revenue").value == 2000.0


def test_cost_per_lead_counts_marketing_spend_only(data: dict[str, pd.DataFrame]) -> None:
    e = Engine(data)
    # January (500 + 300) / 4 leads (the 200 of sales costs is not marketing); February
    # 400 (no category: marketing) + 100 over 1 lead.
    assert monthly(e, "cost_per_lead") == {"2024-01": 200.0, "2024-02": 500.0}
    assert monthly(e, "cost_per_lead", "channel", "Web") == {"2024-01": pytest.approx(500 / 3), "2024-02": None}
    assert monthly(e, "cost_per_lead", "channel", "Commissions") == {"2024-01": None, "2024-02": None}


def test_roi_overall_and_by_channel(data: dict[str, pd.DataFrame]) -> None:
    e = Engine(data)
    # January (2000 - 1000) / 1000; February (600 - 500) / 500, in percent.
    assert monthly(e, "roi") == {"2024-01": 100.0, "2024-02": 20.0}
    result = e.compute(Query(D(2024, 1, 1), D(2024, 1, 31), by="channel", kpis=("roi",)))
    # Web (1600 - 500) / 500; Salon (400 - 300) / 300; Commissions, no revenue: -100 %;
    # Partenaires, no spend: undefined.
    assert result.get("roi", "2024-01", "Web").value == 220.0
    assert result.get("roi", "2024-01", "Salon").value == pytest.approx(100 / 3)
    assert result.get("roi", "2024-01", "Commissions").value == -100.0
    assert result.get("roi", "2024-01", "Partenaires").value is None
    # Its base is the spend rows: 3 in January.
    overall = result.get("roi", "2024-01")
    assert (overall.base, overall.low_confidence) == (3, True)


def test_missing_kinds_make_the_marketing_kpis_unavailable(data: dict[str, pd.DataFrame]) -> None:
    no_spend = Engine({"sales": data["sales"], "leads": data["leads"]})
    result = no_spend.compute(Query(D(2024, 1, 1), D(2024, 1, 31)))
    for kpi in ("marketing_spend", "cac", "cost_per_lead", "roi", "ltv_cac_ratio"):
        assert result.get(kpi).unavailable and result.get(kpi).value is None, kpi
    assert not result.get("revenue").unavailable
    no_leads = Engine({"sales": data["sales"], "spend": data["spend"]})
    result = no_leads.compute(Query(D(2024, 1, 1), D(2024, 1, 31)))
    assert result.get("cost_per_lead").unavailable and not result.get("cac").unavailable


def test_a_month_with_no_spend_and_no_new_customer() -> None:
    sales = pd.DataFrame(
        {"date": pd.to_datetime(["2024-01-05", "2024-03-05"]), "amount": [10.0, 10.0], "customer_id": ["A", "A"]}
    )
    spend = pd.DataFrame({"date": pd.to_datetime(["2024-01-02"]), "amount": [50.0]})
    e = Engine({"sales": sales, "spend": spend})
    march = e.compute(Query(D(2024, 3, 1), D(2024, 3, 31), kpis=("marketing_spend", "cac", "roi"))).rows
    # Nothing spent, nobody new: 0 spend, CAC 0 / 0 and ROI x / 0 undefined (null, never NaN).
    assert [(r.kpi, r.value) for r in march] == [("marketing_spend", 0.0), ("cac", None), ("roi", None)]
    assert e.compute(Query(D(2024, 1, 1), D(2024, 1, 31), kpis=("cac",))).get("cac").value == 50.0


def test_ltv_cac_ratio() -> None:
    # CLV table of test_kpis_customers (2024: CLV 900) with channels, and 300 + 100 of spend.
    sales = pd.DataFrame(
        {
            "date": pd.to_datetime(
                [
                    "2023-01-15",
                    "2023-06-01",
                    "2024-02-01",
                    "2023-03-10",
                    "2023-11-20",
                    "2024-05-05",
                    "2024-03-03",
                    "2024-04-01",
                ]
            ),
            "amount": [100.0, 100.0, 300.0, 200.0, 400.0, 200.0, 500.0, -100.0],
            "customer_id": ["X", "X", "X", "Y", "Z", "Z", "W", "W"],
            "channel": pd.Categorical(["Web", "Web", "Web", "Salon", "Salon", "Salon", "Web", "Web"]),
        }
    )
    spend = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-02-01", "2024-06-01"]),
            "amount": [300.0, 100.0],
            "channel": pd.Categorical(["Web", "Salon"]),
        }
    )
    e = Engine({"sales": sales, "spend": spend})
    q = Query(D(2024, 1, 1), D(2024, 12, 31), grain="year", by="channel", kpis=("clv", "cac", "ltv_cac_ratio"))
    result = e.compute(q)
    # 2024: CLV 900; CAC 400 / 1 (W) -> 2.25.
    assert result.get("ltv_cac_ratio", "2024").value == pytest.approx(2.25)
    # Web: revenue 300 + 500 - 100 = 700 over {X, W} = 350; S = {X}, E = {X, W}, N = {W} ->
    # no churn -> 10 years: CLV 3500; CAC 300 / 1 -> 3500 / 300.
    assert result.get("clv", "2024", "Web").value == pytest.approx(3500.0)
    assert result.get("ltv_cac_ratio", "2024", "Web").value == pytest.approx(3500 / 300)
    # Salon: 200 over {Z}; S = {Y, Z}, E = {Z}, N = {} -> churn 1/2, 2 years: CLV 400; no new
    # customer -> CAC undefined -> ratio undefined.
    assert result.get("clv", "2024", "Salon").value == pytest.approx(400.0)
    assert result.get("ltv_cac_ratio", "2024", "Salon").value is None
