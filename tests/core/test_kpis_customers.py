"""Customer KPIs (theme "Clients"), each against a value worked out by hand from a small table.

The table (customer base window M = 3 months, one-time-buyer window N = 30 days):

    date        amount  invoice  customer  product  salesperson
    2024-01-05     100  F1       C         P1       Alice
    2024-01-10     200  F2       A         P1       Alice
    2024-01-20      50  F3       B         P2       Bruno
    2024-02-10      70  F4       B         P2       Bruno    B's second purchase, 21 days later
    2024-03-05     120  F5       A         P1       Alice
    2024-03-05      80  F5       A         P2       Alice    P2 is new for A: an upsell
    2024-03-20     300  F6       D         P3       Bruno    D is new
    2024-04-02      90  F7       E         P1       Alice    E is new
    2024-04-10     -50  AV1      E         P1       Alice    a credit note: no purchase
    2024-04-15      40  F8       (none)    P1       Bruno    no customer id
    2024-06-10      60  F9       C         P1       Bruno    C left in January and comes back

Customer base at day t = customers with a purchase in [t - 3 months, t):
    base(Jan 1) = {}            base(Feb 1) = {C, A, B}     base(Mar 1) = {C, A, B}
    base(Apr 1) = {C, A, B, D}  base(May 1) = {B, A, D, E}  base(Jun 1) = {A, D, E}
    base(Jul 1) = {E, C}
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from kpidesk.core.cells import add_months_days, window_reach
from kpidesk.core.engine import Engine, Query, day_number, from_day_number
from kpidesk.core.periods import add_months
from kpidesk.core.settings import CompanySettings

D = dt.date
SETTINGS = CompanySettings(customer_base_months=3, one_time_buyer_days=30)


@pytest.fixture
def sales() -> pd.DataFrame:
    rows = [
        ("2024-01-05", 100.0, "F1", "C", "P1", "Alice"),
        ("2024-01-10", 200.0, "F2", "A", "P1", "Alice"),
        ("2024-01-20", 50.0, "F3", "B", "P2", "Bruno"),
        ("2024-02-10", 70.0, "F4", "B", "P2", "Bruno"),
        ("2024-03-05", 120.0, "F5", "A", "P1", "Alice"),
        ("2024-03-05", 80.0, "F5", "A", "P2", "Alice"),
        ("2024-03-20", 300.0, "F6", "D", "P3", "Bruno"),
        ("2024-04-02", 90.0, "F7", "E", "P1", "Alice"),
        ("2024-04-10", -50.0, "AV1", "E", "P1", "Alice"),
        ("2024-04-15", 40.0, "F8", None, "P1", "Bruno"),
        ("2024-06-10", 60.0, "F9", "C", "P1", "Bruno"),
    ]
    frame = pd.DataFrame(rows, columns=["date", "amount", "invoice_id", "customer_id", "product", "salesperson"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["product"] = frame["product"].astype("category")
    frame["salesperson"] = frame["salesperson"].astype("category")
    return frame


@pytest.fixture
def engine(sales: pd.DataFrame) -> Engine:
    return Engine({"sales": sales}, SETTINGS, today=D(2024, 7, 15))


def monthly(engine: Engine, kpi: str, member: str | None = None, by: str | None = None) -> dict[str, float | None]:
    result = engine.compute(Query(D(2024, 1, 1), D(2024, 6, 30), grain="month", by=by, kpis=(kpi,)))
    return {r.period: r.value for r in result.series(kpi, member)}


def approx(values: dict[str, float | None]) -> dict[str, object]:
    return {k: (None if v is None else pytest.approx(v)) for k, v in values.items()}


def test_active_customers_count_purchases_only(engine: Engine) -> None:
    # Jan: C, A, B. Feb: B. Mar: A, D. Apr: E (the credit note and the anonymous line add
    # nobody). May: nobody. Jun: C.
    assert monthly(engine, "active_customers") == {
        "2024-01": 3,
        "2024-02": 1,
        "2024-03": 2,
        "2024-04": 1,
        "2024-05": 0,
        "2024-06": 1,
    }


def test_new_customers_and_the_customer_who_comes_back(engine: Engine) -> None:
    # C, A, B in January; D in March; E in April; C coming back in June is not new.
    assert monthly(engine, "new_customers") == {
        "2024-01": 3,
        "2024-02": 0,
        "2024-03": 1,
        "2024-04": 1,
        "2024-05": 0,
        "2024-06": 0,
    }


def test_revenue_per_customer(engine: Engine) -> None:
    # Jan 350 / 3; Feb 70 / 1; Mar 500 / 2; Apr (90 - 50 + 40) / 1: revenue counts the credit
    # note and the line without customer; May: no active customer, undefined; Jun 60 / 1.
    assert monthly(engine, "revenue_per_customer") == approx(
        {
            "2024-01": 350 / 3,
            "2024-02": 70.0,
            "2024-03": 250.0,
            "2024-04": 80.0,
            "2024-05": None,
            "2024-06": 60.0,
        }
    )


def test_repeat_purchase_rate(engine: Engine) -> None:
    # Jan: nobody had bought before. Feb: B (first bought 20 Jan) -> 1/1. Mar: A returns, D is
    # new -> 1/2. Apr: E is new -> 0/1. May: no active customer. Jun: C (first 5 Jan) -> 1/1.
    assert monthly(engine, "repeat_purchase_rate") == {
        "2024-01": 0.0,
        "2024-02": 100.0,
        "2024-03": 50.0,
        "2024-04": 0.0,
        "2024-05": None,
        "2024-06": 100.0,
    }


def test_one_time_buyer_rate(engine: Engine) -> None:
    # Second purchases: A 55 days later (> 30: one-time buyer), B 21 days later (not), C 157
    # days later (one-time), D and E never (the credit note is no purchase).
    # Jan: C, A, B acquired, C and A one-time -> 2/3. Mar: D -> 1/1. Apr: E -> 1/1.
    assert monthly(engine, "one_time_buyer_rate") == approx(
        {
            "2024-01": 200 / 3,
            "2024-02": None,
            "2024-03": 100.0,
            "2024-04": 100.0,
            "2024-05": None,
            "2024-06": None,
        }
    )
    # Every window (first purchase + 30 days) ended before 10 June, the last sale: final values.
    result = engine.compute(Query(D(2024, 1, 1), D(2024, 6, 30), kpis=("one_time_buyer_rate",)))
    assert not any(r.provisional for r in result.rows)


def test_one_time_buyer_rate_is_provisional_while_the_window_runs() -> None:
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-05-02", "2024-05-20", "2024-06-01", "2024-06-10"]),
            "amount": [10.0, 10.0, 10.0, 10.0],
            "customer_id": ["P", "P", "Q", "R"],
        }
    )
    settings = CompanySettings(one_time_buyer_days=30)
    # The data ends on 10 June: Q (1 June) and R (10 June) have no second purchase and their
    # windows run until 1 July and 10 July: June's 2/2 is provisional. May: P bought again
    # 18 days later -> 0/1, final.
    e = Engine({"sales": frame}, settings, today=D(2024, 8, 1))
    result = e.compute(Query(D(2024, 5, 1), D(2024, 6, 30), kpis=("one_time_buyer_rate",)))
    may, june = result.series("one_time_buyer_rate")
    assert (may.value, may.provisional) == (0.0, False)
    assert (june.value, june.provisional) == (100.0, True)
    # Known up to 1 July only (today), R's window is open even if Q's has just ended.
    early = Engine({"sales": frame}, settings, today=D(2024, 6, 12))
    assert early.as_of() == D(2024, 6, 10)
    # A customer with a second purchase within the window is final even while it runs.
    frame.loc[4] = [pd.Timestamp("2024-06-05"), 10.0, "Q"]
    e = Engine({"sales": frame}, settings, today=D(2024, 8, 1))
    row = e.compute(Query(D(2024, 6, 1), D(2024, 6, 30), kpis=("one_time_buyer_rate",))).get("one_time_buyer_rate")
    assert (row.value, row.provisional) == (50.0, True)  # R still open
    assert "provisional" not in row.to_json()


def test_retention_and_churn_by_month(engine: Engine) -> None:
    # |S ∩ E| / |S| with S = base(start), E = base(end) (purchases in the 3 months before):
    # Feb {A,B,C} of {A,B,C}; Mar {A,B,C} of {A,B,C}; Apr {A,B,D} of {A,B,C,D};
    # May {A,D,E} of {A,B,D,E}; Jun: S = {A,D,E}, E = {E,C}: only E stays, 1 / 3. C, back after
    # five months, is in E but not in S: it does not count (it made 66.7 % under (E - N) / S).
    # Jan: no base at its start, undefined.
    assert monthly(engine, "retention_rate") == approx(
        {
            "2024-01": None,
            "2024-02": 100.0,
            "2024-03": 100.0,
            "2024-04": 75.0,
            "2024-05": 75.0,
            "2024-06": 100 / 3,
        }
    )
    assert monthly(engine, "churn_rate") == approx(
        {
            "2024-01": None,
            "2024-02": 0.0,
            "2024-03": 0.0,
            "2024-04": 25.0,
            "2024-05": 25.0,
            "2024-06": 200 / 3,
        }
    )
    result = engine.compute(Query(D(2024, 4, 1), D(2024, 4, 30), kpis=("retention_rate",)))
    assert result.get("retention_rate").base == 4 and result.get("retention_rate").low_confidence


def test_retention_over_a_range_longer_than_the_base_window(engine: Engine) -> None:
    # 1 Feb - 30 Jun (five months, the base is three): S = purchases in [1 Nov, 1 Feb) = {A,B,C};
    # E = purchases in [1 Apr, 1 Jul) = {E,C}: C stayed (it lapsed, and came back by the end),
    # A and B left, E and D are not in S: 1 / 3; churn 2 / 3.
    result = engine.summary(Query(D(2024, 2, 1), D(2024, 6, 30), kpis=("retention_rate", "churn_rate")))
    assert result.get("retention_rate").value == pytest.approx(100 / 3)
    assert result.get("retention_rate").base == 3
    assert result.get("churn_rate").value == pytest.approx(200 / 3)


def test_retention_never_exceeds_100_when_many_come_back() -> None:
    # A and B buy in January; C, D, E bought long before (2023-06) and come back in April.
    # April, base of 3 months: S = {A,B}, E = {C,D,E} plus nobody of S: 0 %, not (3 - 0) / 2.
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2023-06-01"] * 3 + ["2024-01-10", "2024-01-12"] + ["2024-04-05"] * 3),
            "amount": [10.0] * 8,
            "customer_id": ["C", "D", "E", "A", "B", "C", "D", "E"],
        }
    )
    e = Engine({"sales": frame}, SETTINGS, today=D(2024, 7, 1))
    row = e.compute(Query(D(2024, 4, 1), D(2024, 4, 30), kpis=("retention_rate", "churn_rate"))).rows
    values = {r.kpi: r.value for r in row}
    assert values == {"retention_rate": 0.0, "churn_rate": 100.0}


def test_retention_window_edges() -> None:
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-03-05", "2024-03-20", "2024-04-02"]),
            "amount": [1.0, 1.0, 1.0],
            "customer_id": ["A", "D", "E"],
        }
    )
    e = Engine({"sales": frame}, SETTINGS, today=D(2024, 7, 1))
    # 5 May - 4 June: S = base(5 May) = purchases in [5 Feb, 5 May) = A, D, E; E = base(5 June)
    # = purchases in [5 Mar, 5 June): the 5 March purchase is still in -> 3/3.
    assert e.summary(Query(D(2024, 5, 5), D(2024, 6, 4), kpis=("retention_rate",))).get("retention_rate").value == 100
    # One more day: base(6 June) = [6 Mar, 6 June) has lost A -> 2/3.
    row = e.summary(Query(D(2024, 5, 5), D(2024, 6, 5), kpis=("retention_rate",))).get("retention_rate")
    assert row.value == pytest.approx(200 / 3)


def test_retention_over_a_period_longer_than_the_base_window(engine: Engine) -> None:
    # 1 Feb - 30 Jun (5 months > M = 3): S = base(1 Feb) = {C, A, B}; E = base(1 Jul) = {E, C};
    # N = customers of E first seen in the period = {E} (D is new too, but has left the base
    # by the end: subtracting it would count a customer who is not in E) -> (2 - 1) / 3.
    row = engine.summary(Query(D(2024, 2, 1), D(2024, 6, 30), kpis=("retention_rate",))).get("retention_rate")
    assert row.value == pytest.approx(100 / 3)


def test_retention_by_salesperson(engine: Engine) -> None:
    # April. Alice: S = customers who bought from her in [1 Jan, 1 Apr) = {C, A}; E = in
    # [1 Feb, 1 May) = {A, E}; N = {E} -> (2 - 1) / 2. Bruno: S = {B, D}; E = {B, D} (the
    # anonymous line is nobody) -> 2 / 2.
    q = Query(D(2024, 4, 1), D(2024, 4, 30), by="salesperson", kpis=("retention_rate",))
    result = engine.compute(q)
    assert result.get("retention_rate", "2024-04", "Alice").value == 50.0
    assert result.get("retention_rate", "2024-04", "Bruno").value == 100.0
    filtered = engine.compute(
        Query(D(2024, 4, 1), D(2024, 4, 30), kpis=("retention_rate",), filters={"salesperson": frozenset({"Alice"})})
    )
    assert filtered.get("retention_rate").value == 50.0


def test_upsell_rate(engine: Engine) -> None:
    # Mar: the returning customer A buys P2 for the first time -> 1/1. Feb: B returns with P2
    # again -> 0/1. Jun: C returns with P1 again -> 0/1. Jan, Apr: no returning customer.
    assert monthly(engine, "upsell_rate") == {
        "2024-01": None,
        "2024-02": 0.0,
        "2024-03": 100.0,
        "2024-04": None,
        "2024-05": None,
        "2024-06": 0.0,
    }
    # By product, the row level is used: A's new product is P2; A returning with P1 is no upsell.
    result = engine.compute(Query(D(2024, 3, 1), D(2024, 3, 31), by="product", kpis=("upsell_rate",)))
    assert result.get("upsell_rate", "2024-03", "P2").value == 100.0
    assert result.get("upsell_rate", "2024-03", "P1").value == 0.0


def test_top_customer_share(engine: Engine) -> None:
    # Q1 net revenue: C 100, A 400, B 120, D 300 -> 4 customers, the top ceil(4/5) = 1 is A:
    # 400 / 920. Q2: E 90 - 50 = 40, C 60 -> top 1 is C: 60 / 100. The anonymous 40 counts
    # for nobody.
    result = engine.compute(Query(D(2024, 1, 1), D(2024, 6, 30), grain="quarter", kpis=("top_customer_share",)))
    assert result.get("top_customer_share", "2024-Q1").value == pytest.approx(400 / 920 * 100)
    assert result.get("top_customer_share", "2024-Q1").base == 4
    assert result.get("top_customer_share", "2024-Q2").value == pytest.approx(60.0)


def test_top_customer_share_leaves_out_customers_with_net_returns() -> None:
    # Six customers: 500, 300, 100, 50, 50 and one with only a 40 refund (net -40, left out).
    # Five ranked: top ceil(5/5) = 1 -> 500 / 1000. Nine customers would give a top 2.
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-02"] * 6),
            "amount": [500.0, 300.0, 100.0, 50.0, 50.0, -40.0],
            "customer_id": ["A", "B", "C", "D", "E", "F"],
        }
    )
    e = Engine({"sales": frame})
    assert e.summary(Query(kpis=("top_customer_share",))).get("top_customer_share").value == 50.0
    more = pd.concat(
        [
            frame,
            pd.DataFrame(
                {
                    "date": pd.to_datetime(["2024-01-03"] * 4),
                    "amount": [10.0] * 4,
                    "customer_id": ["G", "H", "I", "J"],
                }
            ),
        ],
        ignore_index=True,
    )
    # Nine ranked (500, 300, 100, 50, 50, 10 x 4) -> top 2: 800 / 1040.
    e = Engine({"sales": more})
    assert e.summary(Query(kpis=("top_customer_share",))).get("top_customer_share").value == pytest.approx(
        800 / 1040 * 100
    )


@pytest.fixture
def clv_engine() -> Engine:
    rows = [
        ("2023-01-15", 100.0, "X", "Web"),
        ("2023-06-01", 100.0, "X", "Web"),
        ("2024-02-01", 300.0, "X", "Web"),
        ("2023-03-10", 200.0, "Y", "Salon"),
        ("2023-11-20", 400.0, "Z", "Salon"),
        ("2024-05-05", 200.0, "Z", "Salon"),
        ("2024-03-03", 500.0, "W", "Web"),
        ("2024-04-01", -100.0, "W", "Web"),
    ]
    frame = pd.DataFrame(rows, columns=["date", "amount", "customer_id", "channel"])
    frame["date"] = pd.to_datetime(frame["date"])
    return Engine({"sales": frame}, CompanySettings(), today=D(2025, 1, 15))


def test_clv_over_the_twelve_months_ending_at_period_end(clv_engine: Engine) -> None:
    # 2024 (M = 12): revenue 300 + 500 - 100 + 200 = 900 over 3 active customers (X, Z, W): 300
    # a customer a year. Retention: S = base(1 Jan 2024) = {X, Y, Z}, E = base(1 Jan 2025) =
    # {X, Z, W}, N = {W} -> 2/3; churn 1/3 -> lifespan 3 years. CLV = 300 x 3 = 900.
    result = clv_engine.compute(Query(D(2024, 1, 1), D(2024, 12, 31), grain="year", kpis=("clv", "retention_rate")))
    assert result.get("clv").value == pytest.approx(900.0)
    assert result.get("retention_rate").value == pytest.approx(200 / 3)
    # June 2024: window [1 Jul 2023, 1 Jul 2024): revenue 400 + 300 + 500 - 100 + 200 = 1300 over
    # {Z, X, W}; S = base(1 Jul 2023) = {X, Y}, E = {Z, X, W}, N = {Z, W} -> retention 1/2,
    # lifespan 2 -> 1300 / 3 x 2.
    june = clv_engine.compute(Query(D(2024, 6, 1), D(2024, 6, 30), kpis=("clv",))).get("clv")
    assert june.value == pytest.approx(1300 / 3 * 2)
    # December 2023: the window starts on 1 Jan 2023, when the base (purchases of 2022) is
    # empty: no churn to measure, undefined.
    assert clv_engine.compute(Query(D(2023, 12, 1), D(2023, 12, 31), kpis=("clv",))).get("clv").value is None


def test_clv_lifespan_is_capped_at_ten_years() -> None:
    # Two customers buying every year: no churn -> lifespan 10 (the cap), not infinite.
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2023-03-01", "2023-04-01", "2024-03-01", "2024-04-01"]),
            "amount": [100.0, 300.0, 100.0, 300.0],
            "customer_id": ["A", "B", "A", "B"],
        }
    )
    e = Engine({"sales": frame})
    # 2024: 400 / 2 customers x 10 years.
    assert e.compute(Query(D(2024, 1, 1), D(2024, 12, 31), grain="year", kpis=("clv",))).get("clv").value == 2000


def test_a_period_with_no_sales(engine: Engine) -> None:
    result = engine.compute(Query(D(2024, 5, 1), D(2024, 5, 31)))
    assert result.get("active_customers").value == 0
    assert result.get("new_customers").value == 0
    for kpi in (
        "revenue_per_customer",
        "repeat_purchase_rate",
        "one_time_buyer_rate",
        "upsell_rate",
        "top_customer_share",
    ):
        assert result.get(kpi).value is None, kpi
        assert not result.get(kpi).unavailable


def test_every_customer_kpi_is_unavailable_without_sales() -> None:
    e = Engine({})
    result = e.compute(Query(D(2024, 1, 1), D(2024, 1, 31)))
    for kpi in (
        "active_customers",
        "new_customers",
        "revenue_per_customer",
        "repeat_purchase_rate",
        "one_time_buyer_rate",
        "retention_rate",
        "churn_rate",
        "upsell_rate",
        "clv",
        "top_customer_share",
    ):
        row = result.get(kpi)
        assert row.unavailable and row.value is None, kpi


def test_breakdown_parts_by_customer(engine: Engine) -> None:
    result = engine.compute(
        Query(
            D(2024, 1, 1),
            D(2024, 3, 31),
            grain="quarter",
            by="customer",
            kpis=("active_customers", "revenue", "top_customer_share"),
        )
    )
    assert result.members("active_customers") == ["A", "B", "C", "D", "E"]
    assert result.get("revenue", "2024-Q1", "A").value == 400.0
    assert result.get("active_customers", "2024-Q1", "E").value == 0.0


# -- the customer base at any day, against a plain implementation ------------------------------


def test_window_reach_and_month_arithmetic_match_add_months() -> None:
    days = np.array(
        [
            day_number(D(2024, 1, 30)),
            day_number(D(2024, 1, 31)),
            day_number(D(2024, 2, 29)),
            day_number(D(2024, 3, 30)),
            day_number(D(2024, 3, 31)),
        ]
    )
    assert [from_day_number(d) for d in add_months_days(days, 1)] == [
        D(2024, 2, 29),
        D(2024, 2, 29),
        D(2024, 3, 29),
        D(2024, 4, 30),
        D(2024, 4, 30),
    ]
    # The last day t whose month-long window [add_months(t, -1), t) still holds the day.
    assert [from_day_number(d) for d in window_reach(days, 1)] == [
        D(2024, 2, 29),
        D(2024, 2, 29),
        D(2024, 3, 31),
        D(2024, 4, 30),
        D(2024, 4, 30),
    ]
    start = day_number(D(2023, 1, 1))
    for d in range(start, start + 800, 7):
        reach = int(window_reach(np.array([d]), 12)[0])
        assert add_months(from_day_number(reach), -12) <= from_day_number(d)
        assert add_months(from_day_number(reach + 1), -12) > from_day_number(d)


def test_retention_matches_a_plain_implementation() -> None:
    rng = np.random.default_rng(7)
    n = 400
    start = pd.Timestamp("2023-01-01")
    frame = pd.DataFrame(
        {
            "date": start + pd.to_timedelta(rng.integers(0, 700, n), unit="D"),
            "amount": rng.choice([50.0, 120.0, -30.0], n, p=[0.5, 0.4, 0.1]),
            "customer_id": [f"C{i}" for i in rng.integers(0, 60, n)],
            "salesperson": pd.Categorical(rng.choice(["Alice", "Bruno"], n)),
        }
    )
    months = 4
    e = Engine({"sales": frame}, CompanySettings(customer_base_months=months))
    buys = frame[frame["amount"] > 0]

    def base(t: dt.date, who: pd.DataFrame) -> set[str]:
        lo = pd.Timestamp(add_months(t, -months))
        return set(who[(who["date"] >= lo) & (who["date"] < pd.Timestamp(t))]["customer_id"])

    # Months and weeks are shorter than the window, years longer (the other way to count |S ∩ E|).
    for grain in ("month", "week", "year"):
        result = e.compute(
            Query(
                D(2023, 2, 1),
                D(2024, 11, 30),
                grain=grain,
                by="salesperson",  # type: ignore[arg-type]
                kpis=("retention_rate",),
            )
        )
        for p in result.periods:
            for member in (None, "Alice", "Bruno"):
                who = buys if member is None else buys[buys["salesperson"] == member]
                s, e_ = base(p.start, who), base(p.end, who)
                expected = None if not s else len(s & e_) / len(s) * 100
                got = result.get("retention_rate", p.label, member).value
                assert got == (None if expected is None else pytest.approx(expected)), (grain, p.label, member)
