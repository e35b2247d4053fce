"""The demo company: typed frames for every kind, reproducible, and telling its story."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

from kpidesk import demo
from kpidesk.core.kinds import ACTIVITY_TYPES, KINDS, SPEND_CATEGORIES, STATUSES

END = datetime.date(2026, 11, 20)
START = datetime.date(2023, 12, 1)  # the 1st of the month, 35 months before November 2026


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return demo.generate(seed=42, end=END)


def _win_rates(opportunities: pd.DataFrame) -> pd.Series:
    closed = opportunities[opportunities["status"].isin(["won", "lost"])]
    won = (closed["status"] == "won").groupby(closed["salesperson"].astype(str)).sum()
    total = closed.groupby(closed["salesperson"].astype(str)).size()
    return won / total


# -- shape and types -----------------------------------------------------------------------


def test_same_seed_and_end_give_identical_frames(frames: dict[str, pd.DataFrame]) -> None:
    again = demo.generate(seed=42, end=END)
    assert list(again) == list(frames)
    for kind in KINDS:
        pd.testing.assert_frame_equal(again[kind], frames[kind])


def test_different_seeds_give_different_data() -> None:
    one = demo.generate(seed=1, end=END)
    two = demo.generate(seed=2, end=END)
    for kind in ("sales", "leads", "opportunities", "customers", "surveys"):
        assert not one[kind].equals(two[kind]), kind


def test_every_kind_with_exactly_its_fields(frames: dict[str, pd.DataFrame]) -> None:
    assert list(frames) == list(KINDS)
    for kind, spec in KINDS.items():
        frame = frames[kind]
        assert tuple(frame.columns) == spec.field_names, kind
        assert len(frame) > 0, kind
        assert isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0, kind


def test_typed_frame_dtypes(frames: dict[str, pd.DataFrame]) -> None:
    for kind, spec in KINDS.items():
        frame = frames[kind]
        for field in spec.fields:
            column = frame[field.name]
            where = f"{kind}.{field.name}"
            if field.type == "date":
                assert column.dtype == np.dtype("datetime64[ns]"), where
                present = column.dropna()
                assert (present == present.dt.normalize()).all(), where  # whole days
            elif field.type == "number":
                assert column.dtype == np.dtype("float64"), where
            elif field.type == "text":
                assert column.dtype == np.dtype("object"), where
                assert all(v is None or type(v) is str for v in column), where
            elif field.type == "bool":
                assert isinstance(column.dtype, pd.BooleanDtype), where
            else:  # category, status, activity_type
                assert isinstance(column.dtype, pd.CategoricalDtype), where
                assert all(type(v) is str for v in column.cat.categories), where


def test_enumerated_values(frames: dict[str, pd.DataFrame]) -> None:
    assert set(frames["opportunities"]["status"].dropna()) == set(STATUSES)
    assert set(frames["activities"]["type"].dropna()) <= set(ACTIVITY_TYPES)
    assert {"call", "meeting", "proposal", "email"} <= set(frames["activities"]["type"])
    assert set(frames["spend"]["category"].dropna()) == set(SPEND_CATEGORIES)


def test_required_fields_are_filled(frames: dict[str, pd.DataFrame]) -> None:
    for kind, spec in KINDS.items():
        for name in spec.required:
            assert frames[kind][name].notna().all(), f"{kind}.{name}"


def test_dates_span_36_months_up_to_end(frames: dict[str, pd.DataFrame]) -> None:
    assert demo.period_start(END) == START
    start, end = pd.Timestamp(START), pd.Timestamp(END)
    for kind, spec in KINDS.items():
        for name in spec.fields_of_type("date"):
            dates = frames[kind][name].dropna()
            assert dates.empty or (dates.min() >= start and dates.max() <= end), f"{kind}.{name}"
    months = frames["sales"]["date"].dt.to_period("M")
    assert months.nunique() == 36
    assert months.min() == pd.Period("2023-12", "M") and months.max() == pd.Period("2026-11", "M")


def test_end_defaults_to_today() -> None:
    sales = demo.generate(seed=3)["sales"]
    today = pd.Timestamp(datetime.date.today())
    assert sales["date"].max() <= today
    assert sales["date"].min() == pd.Timestamp(demo.period_start(datetime.date.today()))


def test_sizes(frames: dict[str, pd.DataFrame]) -> None:
    assert 250 <= len(frames["customers"]) <= 400
    assert 15_000 <= len(frames["sales"]) <= 30_000
    assert len(frames["leads"]) >= 2_000
    assert len(frames["activities"]) >= 1_000
    assert 300 <= len(frames["surveys"]) <= 1_500


# -- consistency ---------------------------------------------------------------------------


def test_sales_lines_are_consistent(frames: dict[str, pd.DataFrame]) -> None:
    sales = frames["sales"]
    np.testing.assert_allclose(sales["amount"], (sales["quantity"] * sales["unit_price"]).round(2))
    by_invoice = sales.groupby("invoice_id")
    assert by_invoice["customer_id"].nunique().max() == 1
    assert by_invoice["date"].nunique().max() == 1
    assert by_invoice.size().max() <= 4
    assert sales["invoice_id"].str.fullmatch(r"(F|AV)\d{4}-\d{5}").all()
    assert (sales["invoice_id"].str[-10:-6] == sales["date"].dt.year.astype(str)).all()
    assert set(sales["customer_id"]) <= set(frames["customers"]["customer_id"])


def test_credit_notes(frames: dict[str, pd.DataFrame]) -> None:
    sales = frames["sales"]
    credit = sales[sales["amount"] < 0]
    assert 0.003 < len(credit) / len(sales) < 0.03
    assert credit["invoice_id"].str.startswith("AV").all()
    assert (sales.loc[sales["amount"] > 0, "invoice_id"].str.startswith("F")).all()
    assert credit["customer_id"].notna().all()
    # A credit note follows a purchase of the same product by the same customer.
    first_buy = sales[sales["amount"] > 0].groupby(["customer_id", "product"], observed=True)["date"].min()
    keys = pd.MultiIndex.from_arrays([credit["customer_id"], credit["product"].astype(str)])
    assert (first_buy.reindex(keys).to_numpy() < credit["date"].to_numpy()).all()


def test_customers_are_created_when_they_first_buy(frames: dict[str, pd.DataFrame]) -> None:
    sales, customers = frames["sales"], frames["customers"]
    assert customers["customer_id"].is_unique and customers["name"].is_unique
    assert customers["customer_id"].str.fullmatch(r"C\d{4}").all()
    first = sales[sales["amount"] > 0].groupby("customer_id")["date"].min()
    created = customers.set_index("customer_id")["created_date"].reindex(first.index)
    delay = (first - created).dt.days
    assert delay.min() >= 0
    assert delay.max() <= 14


def test_converted_leads_are_the_new_customers(frames: dict[str, pd.DataFrame]) -> None:
    leads, customers = frames["leads"], frames["customers"]
    assert leads["lead_id"].is_unique
    qualified = leads["qualified"].astype(bool)
    converted = leads["converted"].astype(bool)
    assert 0.3 <= qualified.mean() <= 0.5
    assert 0.08 <= converted.mean() <= 0.15
    assert (qualified | ~converted).all()
    assert leads.loc[qualified, "qualified_date"].notna().all()
    assert leads.loc[~qualified, "qualified_date"].isna().all()
    assert (leads.loc[qualified, "qualified_date"] > leads.loc[qualified, "created_date"]).all()
    won = leads[converted]
    assert (won["converted_date"] >= won["qualified_date"]).all()
    assert won["customer_id"].is_unique and won["customer_id"].notna().all()
    assert leads.loc[~converted, "customer_id"].isna().all()
    created = customers.set_index("customer_id")["created_date"]
    assert (created.loc[won["customer_id"]].to_numpy() == won["converted_date"].to_numpy()).all()


def test_opportunities(frames: dict[str, pd.DataFrame]) -> None:
    opps = frames["opportunities"]
    assert opps["opportunity_id"].is_unique
    is_open = opps["status"] == "open"
    assert opps.loc[is_open, "close_date"].isna().all()
    closed = opps[~is_open]
    cycle = (closed["close_date"] - closed["created_date"]).dt.days
    assert cycle.min() == 0 and cycle.max() <= 130  # 10-120 days, a few the same day
    assert (cycle == 0).sum() < 0.1 * len(closed)
    # Open opportunities are the recent ones.
    assert opps.loc[is_open, "created_date"].min() >= pd.Timestamp(END) - pd.Timedelta(days=130)
    assert opps.loc[opps["status"] == "won", "customer_id"].notna().all()
    rate = (closed["status"] == "won").mean()
    assert 0.4 <= rate <= 0.6


def test_activities_refer_to_known_leads_and_customers(frames: dict[str, pd.DataFrame]) -> None:
    activities = frames["activities"]
    assert set(activities["lead_id"].dropna()) <= set(frames["leads"]["lead_id"])
    assert set(activities["customer_id"].dropna()) <= set(frames["customers"]["customer_id"])
    assert set(activities["salesperson"].dropna()) == set(demo.SALESPEOPLE)


def test_surveys_are_nps_scores(frames: dict[str, pd.DataFrame]) -> None:
    scores = frames["surveys"]["score"]
    assert scores.between(0, 10).all() and (scores == scores.round()).all()
    nps = 100 * ((scores >= 9).mean() - (scores <= 6).mean())
    assert 15 <= nps <= 50
    assert set(frames["surveys"]["customer_id"]) <= set(frames["customers"]["customer_id"])


def test_targets(frames: dict[str, pd.DataFrame]) -> None:
    targets = frames["targets"]
    revenue = targets[targets["kpi"] == "revenue"]
    company = revenue[revenue["dimension"].isna()]
    assert company["member"].isna().all()
    assert len(company) == 36 and company["period"].is_unique
    assert company["period"].str.fullmatch(r"\d{4}-\d{2}").all()
    people = revenue[revenue["dimension"] == "salesperson"]
    assert set(people["member"]) == set(demo.SALESPEOPLE)
    split = people.groupby("period")["value"].sum()
    np.testing.assert_allclose(split.to_numpy(), company.set_index("period")["value"].loc[split.index], rtol=0.01)
    assert {"new_customers", "win_rate"} <= set(targets["kpi"])
    assert targets.loc[targets["kpi"] == "win_rate", "period"].str.fullmatch(r"\d{4}").all()


# -- the story -----------------------------------------------------------------------------


def test_one_salesperson_lags(frames: dict[str, pd.DataFrame]) -> None:
    opps = frames["opportunities"]
    rates = _win_rates(opps)
    assert rates.idxmin() == demo.LAGGING_SALESPERSON
    assert rates.drop(demo.LAGGING_SALESPERSON).min() - rates.min() > 0.1
    wins = opps[opps["status"] == "won"].groupby(opps["salesperson"].astype(str)).size()
    assert wins.idxmin() == demo.LAGGING_SALESPERSON

    # Below his revenue target over the last twelve complete months, the furthest below.
    sales, targets = frames["sales"], frames["targets"]
    periods = [str(p) for p in pd.period_range("2025-11", "2026-10", freq="M")]
    in_window = sales["date"].dt.strftime("%Y-%m").isin(periods)
    actual = sales[in_window].groupby(sales["salesperson"].astype(str))["amount"].sum()
    quota = targets[
        (targets["kpi"] == "revenue") & (targets["dimension"] == "salesperson") & targets["period"].isin(periods)
    ]
    attainment = actual / quota.groupby("member")["value"].sum()
    assert attainment.idxmin() == demo.LAGGING_SALESPERSON
    assert attainment[demo.LAGGING_SALESPERSON] < 0.85


def test_a_channel_costs_more_than_it_brings(frames: dict[str, pd.DataFrame]) -> None:
    spend, sales, customers = frames["spend"], frames["sales"], frames["customers"]
    channel = demo.LOSS_MAKING_CHANNEL
    cost = spend.loc[spend["channel"] == channel, "amount"].sum()
    acquired = set(customers.loc[customers["channel"] == channel, "customer_id"])
    brought = sales.loc[sales["customer_id"].isin(acquired), "amount"].sum()
    assert cost > brought > 0
    # It is the biggest marketing budget, while a cheaper paid channel pays off.
    marketing = spend[spend["category"] == "marketing"].groupby(spend["channel"].astype(str))["amount"].sum()
    assert marketing.idxmax() == channel
    google = sales.loc[sales["channel"] == "Google Ads", "amount"].sum()
    assert google > marketing["Google Ads"]


def test_revenue_is_concentrated_on_a_few_customers(frames: dict[str, pd.DataFrame]) -> None:
    revenue = frames["sales"].groupby("customer_id")["amount"].sum().sort_values(ascending=False)
    top = revenue.iloc[: int(np.ceil(0.2 * len(revenue)))]
    assert top.sum() / revenue.sum() > 0.5


def test_revenue_grows_and_dips_in_august(frames: dict[str, pd.DataFrame]) -> None:
    sales = frames["sales"]
    monthly = sales.groupby(sales["date"].dt.to_period("M"))["amount"].sum()
    first_year = monthly.iloc[:12].sum()
    last_year = monthly.iloc[-13:-1].sum()
    assert 1.1 < last_year / first_year < 1.6
    by_month = sales.pivot_table(
        index=sales["date"].dt.year, columns=sales["date"].dt.month, values="amount", aggfunc="sum"
    )
    for year, row in by_month.iterrows():
        if not np.isnan(row[8]):
            assert row[8] < 0.75 * row.mean(), year


def test_some_customers_churn_and_some_come_back(frames: dict[str, pd.DataFrame]) -> None:
    buys = frames["sales"]
    buys = buys[buys["amount"] > 0].sort_values("date", kind="stable")
    last = buys.groupby("customer_id")["date"].max()
    assert (last < pd.Timestamp(END) - pd.Timedelta(days=180)).sum() >= 20
    gaps = buys.groupby("customer_id")["date"].diff().dt.days
    assert buys.loc[gaps > 150, "customer_id"].nunique() >= 5
