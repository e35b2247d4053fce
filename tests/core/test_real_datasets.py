"""The engine on the public datasets of ``../shared/datasets``, checked against figures
computed here, independently, from the raw files (read with pandas and csv, not through the
importer: the frames are built by hand as the store would hand them over).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpidesk.core.engine import Engine, Query

D = dt.date
DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
PIPELINE = DATASETS / "crm-sales-opportunities" / "sales_pipeline.csv"
RETAIL = DATASETS / "online-retail-uci-sample" / "Online Retail.xlsx"
NPS = DATASETS / "nps-botanic-fr" / "nps.csv"


def need(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"dataset not available: {path}")


# -- CRM pipeline (Maven Analytics) -------------------------------------------------------------


@pytest.fixture(scope="module")
def pipeline() -> pd.DataFrame:
    need(PIPELINE)
    return pd.read_csv(PIPELINE, parse_dates=["engage_date", "close_date"])


@pytest.fixture(scope="module")
def crm(pipeline: pd.DataFrame) -> Engine:
    status = pipeline["deal_stage"].map({"Won": "won", "Lost": "lost"}).fillna("open")
    opportunities = pd.DataFrame(
        {
            "created_date": pipeline["engage_date"].astype("datetime64[ns]"),
            "status": pd.Categorical(status),
            "opportunity_id": pipeline["opportunity_id"].astype(object),
            "close_date": pipeline["close_date"].astype("datetime64[ns]"),
            "amount": pipeline["close_value"].astype("float64"),
            "salesperson": pd.Categorical(pipeline["sales_agent"]),
            "customer_id": pipeline["account"].astype(object).where(pipeline["account"].notna(), None),
            "product": pd.Categorical(pipeline["product"]),
        }
    )
    return Engine({"opportunities": opportunities}, today=D(2018, 1, 31))


def test_crm_win_rate_over_2017(crm: Engine, pipeline: pd.DataFrame) -> None:
    closed = pipeline[pipeline["close_date"].dt.year == 2017]
    won = int((closed["deal_stage"] == "Won").sum())
    lost = int((closed["deal_stage"] == "Lost").sum())
    assert (won, lost) == (4238, 2473)
    row = crm.summary(Query(D(2017, 1, 1), D(2017, 12, 31), kpis=("win_rate",))).get("win_rate")
    assert row.value == pytest.approx(4238 / (4238 + 2473) * 100)
    assert row.base == 4238 + 2473 and not row.low_confidence


def test_crm_won_value_and_sales_cycle(crm: Engine, pipeline: pd.DataFrame) -> None:
    won = pipeline[(pipeline["deal_stage"] == "Won") & (pipeline["close_date"].dt.year == 2017)]
    cycle = (won["close_date"] - won["engage_date"]).dt.days
    result = crm.summary(Query(D(2017, 1, 1), D(2017, 12, 31), kpis=("won_value", "sales_cycle_days")))
    assert result.get("won_value").value == pytest.approx(float(won["close_value"].sum()))
    row = result.get("sales_cycle_days")
    assert row.value == pytest.approx(float(cycle.mean()))
    assert row.extra["median"] == pytest.approx(float(cycle.median()))


def test_crm_by_month_and_agent(crm: Engine, pipeline: pd.DataFrame) -> None:
    closed = pipeline[pipeline["deal_stage"].isin(["Won", "Lost"])].copy()
    closed["month"] = closed["close_date"].dt.strftime("%Y-%m")
    closed["won"] = closed["deal_stage"] == "Won"
    expected = closed.groupby(["month", "sales_agent"])["won"].mean() * 100
    result = crm.compute(
        Query(D(2017, 3, 1), D(2017, 12, 31), grain="month", by="salesperson", kpis=("win_rate", "opportunities"))
    )
    for (month, agent), rate in expected.items():
        assert result.get("win_rate", month, agent).value == pytest.approx(rate), (month, agent)
    created = pipeline.dropna(subset=["engage_date"])
    per_month = created.groupby(created["engage_date"].dt.strftime("%Y-%m")).size()
    for month, count in per_month.items():
        if month >= "2017-03":
            assert result.get("opportunities", month).value == count


def test_crm_pipeline_at_the_end_of_june(crm: Engine, pipeline: pd.DataFrame) -> None:
    end = pd.Timestamp("2017-06-30")
    engaged = pipeline["engage_date"] <= end
    still_open = ~pipeline["deal_stage"].isin(["Won", "Lost"]) | (pipeline["close_date"] > end)
    expected = float(pipeline.loc[engaged & still_open, "close_value"].fillna(0).sum())
    row = crm.compute(Query(D(2017, 6, 1), D(2017, 6, 30), kpis=("pipeline_value",))).get("pipeline_value")
    assert row.value == pytest.approx(expected)


# -- UCI Online Retail (40,000-line sample) -----------------------------------------------------


@pytest.fixture(scope="module")
def retail() -> pd.DataFrame:
    need(RETAIL)
    raw = pd.read_excel(RETAIL, engine="calamine")
    raw["amount"] = raw["Quantity"] * raw["UnitPrice"]
    raw["month"] = raw["InvoiceDate"].dt.strftime("%Y-%m")
    return raw


@pytest.fixture(scope="module")
def shop(retail: pd.DataFrame) -> Engine:
    customer = retail["CustomerID"].map(lambda v: None if pd.isna(v) else str(int(v)))
    sales = pd.DataFrame(
        {
            "date": retail["InvoiceDate"].astype("datetime64[ns]"),
            "amount": retail["amount"].astype("float64"),
            "invoice_id": retail["InvoiceNo"].map(str).astype(object),
            "customer_id": customer.astype(object),
            "product": pd.Categorical(retail["StockCode"].map(str)),
            "quantity": retail["Quantity"].astype("float64"),
            "unit_price": retail["UnitPrice"].astype("float64"),
            "region": pd.Categorical(retail["Country"]),
        }
    )
    return Engine({"sales": sales}, today=D(2012, 1, 1))


def test_retail_revenue_and_order_value_by_month(shop: Engine, retail: pd.DataFrame) -> None:
    revenue = retail.groupby("month")["amount"].sum()
    invoices = retail.groupby(["month", "InvoiceNo"])["amount"].sum()
    orders = (invoices > 0).groupby(level="month").sum()
    result = shop.compute(
        Query(D(2010, 12, 1), D(2011, 12, 9), grain="month", kpis=("revenue", "sales_count", "average_order_value"))
    )
    assert [r.period for r in result.series("revenue")] == list(revenue.index)
    for month in revenue.index:
        assert result.get("revenue", month).value == pytest.approx(revenue[month]), month
        assert result.get("sales_count", month).value == orders[month], month
        assert result.get("average_order_value", month).value == pytest.approx(revenue[month] / orders[month])
    assert sum(r.value or 0 for r in result.series("revenue")) == pytest.approx(retail["amount"].sum())


def test_retail_customers_by_month(shop: Engine, retail: pd.DataFrame) -> None:
    buys = retail[(retail["amount"] > 0) & retail["CustomerID"].notna()]
    active = buys.groupby("month")["CustomerID"].nunique()
    first = buys.groupby("CustomerID")["InvoiceDate"].min().dt.strftime("%Y-%m").value_counts()
    result = shop.compute(
        Query(D(2010, 12, 1), D(2011, 12, 9), grain="month", kpis=("active_customers", "new_customers"))
    )
    for month in active.index:
        assert result.get("active_customers", month).value == active[month], month
        assert result.get("new_customers", month).value == first.get(month, 0), month


def test_retail_revenue_by_country(shop: Engine, retail: pd.DataFrame) -> None:
    expected = retail.groupby("Country")["amount"].sum()
    result = shop.summary(Query(by="region", kpis=("revenue",)))
    for country, value in expected.items():
        assert result.get("revenue", result.periods[0].label, country).value == pytest.approx(value), country


# -- NPS survey of a French garden-centre chain -------------------------------------------------


def read_mixed_encoding(path: Path) -> list[list[str]]:
    """The file is UTF-8 except some lines in cp1252: decode line by line."""
    lines = []
    for raw in path.read_bytes().splitlines(keepends=True):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(raw.decode("cp1252", errors="replace"))
    return list(csv.reader(lines))


def test_nps_of_the_botanic_survey() -> None:
    need(NPS)
    rows = read_mixed_encoding(NPS)
    header, data = rows[0], rows[1:]
    column = header.index("nps")
    scores = np.array([np.nan if r[column] == "NA" else float(r[column]) for r in data])
    assert len(scores) == 13954
    answered = scores[~np.isnan(scores)]
    expected = ((answered >= 9).sum() - (answered <= 6).sum()) / len(answered) * 100
    surveys = pd.DataFrame(
        {
            "date": pd.to_datetime(["2020-06-15"] * len(scores)),  # the file has no date: one day for all
            "score": scores,
        }
    )
    result = Engine({"surveys": surveys}).summary(Query(kpis=("nps", "nps_responses")))
    assert result.get("nps").value == pytest.approx(expected)
    assert round(result.get("nps").value, 1) == 53.4
    assert result.get("nps_responses").value == len(answered) == 13954 - 342


# -- retention never above 100 (SPEC §3.1) --------------------------------------------------------

SUPERSTORE = DATASETS / "superstore" / "Sample - Superstore.xls"


def _retention_rows(engine: Engine, start: dt.date, end: dt.date) -> list[float]:
    rows = []
    for grain in ("month", "quarter", "year"):
        result = engine.compute(Query(start, end, grain=grain, kpis=("retention_rate", "churn_rate")))  # type: ignore[arg-type]
        rows += [r.value for r in result.rows if r.kpi == "retention_rate" and r.value is not None]
        assert all(r.value >= 0 for r in result.rows if r.kpi == "churn_rate" and r.value is not None)
    whole = engine.summary(Query(start, end, kpis=("retention_rate",))).get("retention_rate").value
    return rows + ([] if whole is None else [whole])


def test_retention_never_exceeds_100_on_the_superstore_file() -> None:
    # Read by customer name only, as the US export that has no ids would be.
    need(SUPERSTORE)
    raw = pd.read_excel(SUPERSTORE, engine="calamine")
    sales = pd.DataFrame(
        {
            "date": raw["Order Date"].astype("datetime64[ns]"),
            "amount": raw["Sales"].astype("float64"),
            "invoice_id": raw["Order ID"].astype(object),
            "customer_name": raw["Customer Name"].astype(object),
        }
    )
    engine = Engine({"sales": sales}, today=D(2019, 1, 1))
    values = _retention_rows(engine, D(2015, 1, 1), D(2018, 12, 31))
    assert values and max(values) <= 100.0


def test_retention_never_exceeds_100_on_the_retail_file(shop: Engine) -> None:
    values = _retention_rows(shop, D(2011, 1, 1), D(2011, 12, 9))
    assert values and max(values) <= 100.0
