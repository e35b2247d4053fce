"""B2 and B7 (SPEC §8): the dashboard on a million sales lines.

B2, full dashboard refresh: every KPI of the catalogue over a 12-month range with
its comparison (``Engine.summary``) plus the 24-month trend of every KPI
(``Engine.compute``), i.e. the two calls of ``kpidesk.core.dashboard.compute_dashboard``,
on 1,000,000 sales lines, 200,000 leads and 100,000 opportunities (plus spend,
activities, surveys, customers and targets in proportion). The engine is the one
the window keeps while the database is open: its data-level facts (day numbers,
codes, first purchases) are prepared once, and every timed refresh starts with the
prepared data of every scope (filters) forgotten, so it sums the rows again.
Reference: one pandas ``groupby(date.dt.to_period("M"))["amount"].sum()`` over
the sales. Goal: <= 5 x. A second line shows the cold case (engine built from the
frames and prepared, then the dashboard), for information.

B7, open the database until its dashboard is computed: ``Store.open``,
``load_all``, ``Engine`` and the same dashboard. Reference: ``SELECT * FROM sales``
fetched with sqlite3. Goal: <= 1.5 x.

The data is generated once, shaped like the public files of ``datasets/`` (UCI
Online Retail lines, the Maven CRM pipeline), and stored in
``benchmarks/.cache/engine_<lines>.kpidesk`` through ``Store.import_frame``.
``KPIDESK_BENCH_QUICK=1`` makes everything 10 x smaller.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import cache_dir, median_time, quick

from kpidesk.core.engine import Engine, Query, Result
from kpidesk.core.periods import add_months

FIRST_DAY = dt.date(2022, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)
SALESPEOPLE = [f"Commercial {i:02d}" for i in range(1, 13)]
CHANNELS = ["Site web", "Salon professionnel", "Google Ads", "LinkedIn Ads", "Emailing", "Recommandation"]
REGIONS = [
    "Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté", "Bretagne", "Centre-Val de Loire", "Corse", "Grand Est",
    "Hauts-de-France", "Île-de-France", "Normandie", "Nouvelle-Aquitaine", "Occitanie", "Pays de la Loire",
    "Provence-Alpes-Côte d'Azur",
]  # fmt: skip
SEGMENTS = ["TPE", "PME", "Grands comptes"]
AGENTS = [f"Agent {i:02d}" for i in range(1, 36)]
OFFICES = ["Central", "East", "West"]
PIPELINE_PRODUCTS = ["GTX Basic", "GTX Plus Basic", "GTX Plus Pro", "GTXPro", "MG Advanced", "MG Special", "GTK 500"]


def _categorical(labels: list[str], codes: np.ndarray) -> pd.Categorical:
    """``labels[codes]`` as a categorical with sorted categories, as the store loads them."""
    ordered = sorted(labels)
    position = np.array([ordered.index(label) for label in labels])
    return pd.Categorical.from_codes(position[codes], categories=ordered)


def generate(sales_lines: int, seed: int = 20240305) -> dict[str, pd.DataFrame]:
    """Typed frames of every kind: ``sales_lines`` sales lines, a fifth as many leads, a tenth as
    many opportunities, and spend, activities, surveys, customers and targets in proportion."""
    rng = np.random.default_rng(seed)
    days = (LAST_DAY - FIRST_DAY).days + 1
    start = np.datetime64(FIRST_DAY.isoformat())

    # Customers: a third already buying when the data starts, the others acquired over time;
    # each buys at their own rate until they leave (a fifth come back after a gap).
    n_customers = max(sales_lines // 125, 10)
    acquired = np.where(
        rng.random(n_customers) < 0.33, rng.integers(0, 60, n_customers), rng.integers(0, days, n_customers)
    )
    lifespan = rng.exponential(600, n_customers).astype(np.int64) + 30
    left = np.minimum(acquired + lifespan, days)
    rate = rng.gamma(2.0, 1.0, n_customers)
    c_salesperson = rng.integers(0, len(SALESPEOPLE), n_customers)
    c_channel = rng.choice(len(CHANNELS), n_customers, p=[0.3, 0.15, 0.2, 0.1, 0.1, 0.15])
    c_region = rng.integers(0, len(REGIONS), n_customers)
    c_segment = rng.choice(len(SEGMENTS), n_customers, p=[0.5, 0.4, 0.1])
    c_ids = np.array([f"{12346 + i}" for i in range(n_customers)], dtype=object)

    # Invoices (about 20 lines each, like UCI Online Retail), a fifth without a customer.
    n_invoices = max(sales_lines // 20, 1)
    known = rng.random(n_invoices) >= 0.2
    weight = (left - acquired) * rate
    customer = rng.choice(n_customers, n_invoices, p=weight / weight.sum())
    back = rng.random(n_invoices) < 0.05  # a customer who left and comes back
    inv_day = acquired[customer] + (rng.random(n_invoices) * (left - acquired)[customer]).astype(np.int64)
    inv_day = np.where(back, np.minimum(left[customer] + rng.integers(90, 400, n_invoices), days - 1), inv_day)
    inv_day = np.where(known, inv_day, rng.integers(0, days, n_invoices))
    inv_minute = rng.integers(8 * 60, 18 * 60, n_invoices)
    order = np.lexsort((inv_minute, inv_day))
    customer, inv_day, inv_minute, known = customer[order], inv_day[order], inv_minute[order], known[order]
    credit = known & (rng.random(n_invoices) < 0.02)
    lines = rng.geometric(1 / 20, n_invoices)
    lines = np.maximum(1, np.round(lines * sales_lines / lines.sum()).astype(np.int64))
    diff = sales_lines - int(lines.sum())
    lines[-1] = max(1, lines[-1] + diff)
    if lines.sum() != sales_lines:
        lines = np.maximum(1, lines)
        extra = int(lines.sum()) - sales_lines
        for i in np.argsort(-lines):
            take = min(extra, int(lines[i]) - 1)
            lines[i] -= take
            extra -= take
            if not extra:
                break
    invoice = np.repeat(np.arange(n_invoices), lines)
    n = len(invoice)

    n_products = 4000
    product = rng.integers(0, n_products, n)
    prices = np.round(rng.gamma(2.0, 2.0, n_products) + 0.19, 2)
    quantity = rng.integers(1, 25, n).astype("float64")
    quantity[credit[invoice]] *= -1
    unit_price = prices[product]
    when = start + inv_day[invoice].astype("timedelta64[D]") + inv_minute[invoice].astype("timedelta64[m]")
    cust = customer[invoice]
    has_customer = known[invoice]
    anon = rng.integers(0, 1 << 30, n)
    numbers = np.char.add(np.where(credit, "C", ""), (536365 + np.arange(n_invoices)).astype(str))
    product_labels = [f"{10000 + 3 * i}" for i in range(n_products)]
    sales = pd.DataFrame(
        {
            "date": pd.to_datetime(when).astype("datetime64[ns]"),
            "amount": np.round(quantity * unit_price, 2),
            "invoice_id": np.asarray(numbers, dtype=object)[invoice],
            "customer_id": np.where(has_customer, c_ids[cust], None).astype(object),
            "customer_name": np.where(has_customer, np.char.add("Client ", c_ids[cust].astype(str)), None).astype(
                object
            ),
            "product": pd.Categorical.from_codes(product, categories=product_labels),
            "quantity": quantity,
            "unit_price": unit_price,
            "salesperson": _categorical(
                SALESPEOPLE, np.where(has_customer, c_salesperson[cust], anon % len(SALESPEOPLE))
            ),
            "channel": _categorical(CHANNELS, np.where(has_customer, c_channel[cust], anon % len(CHANNELS))),
            "region": _categorical(REGIONS, np.where(has_customer, c_region[cust], anon % len(REGIONS))),
            "segment": _categorical(SEGMENTS, np.where(has_customer, c_segment[cust], anon % len(SEGMENTS))),
        }
    )

    # Leads: created over the period, about a third qualified, a quarter of those converted.
    n_leads = max(sales_lines // 5, 10)
    created = np.sort(rng.integers(0, days, n_leads))
    qualified = rng.random(n_leads) < 0.35
    converted = qualified & (rng.random(n_leads) < 0.25)
    q_day = created + rng.integers(0, 21, n_leads)
    v_day = q_day + rng.integers(5, 60, n_leads)
    lead_days = start + created.astype("timedelta64[D]")
    leads = pd.DataFrame(
        {
            "created_date": pd.to_datetime(lead_days).astype("datetime64[ns]"),
            "lead_id": np.array([f"L{i:07d}" for i in range(n_leads)], dtype=object),
            "channel": _categorical(CHANNELS, rng.integers(0, len(CHANNELS), n_leads)),
            "qualified": pd.array(qualified, dtype="boolean"),
            "qualified_date": pd.to_datetime(
                np.where(qualified & (q_day < days), start + q_day.astype("timedelta64[D]"), np.datetime64("NaT"))
            ).astype("datetime64[ns]"),
            "converted": pd.array(converted, dtype="boolean"),
            "converted_date": pd.to_datetime(
                np.where(converted & (v_day < days), start + v_day.astype("timedelta64[D]"), np.datetime64("NaT"))
            ).astype("datetime64[ns]"),
            "customer_id": np.where(converted, c_ids[rng.integers(0, n_customers, n_leads)], None).astype(object),
            "salesperson": _categorical(SALESPEOPLE, rng.integers(0, len(SALESPEOPLE), n_leads)),
            "region": _categorical(REGIONS, rng.integers(0, len(REGIONS), n_leads)),
            "segment": _categorical(SEGMENTS, rng.integers(0, len(SEGMENTS), n_leads)),
        }
    )

    # Opportunities, like the Maven CRM pipeline: won 48 %, lost 28 %, the rest open.
    n_opps = max(sales_lines // 10, 10)
    engaged = np.sort(rng.integers(0, days, n_opps))
    cycle = rng.gamma(1.6, 30, n_opps).astype(np.int64)
    close = engaged + cycle
    draw = rng.random(n_opps)
    status_code = np.where(close >= days, 0, np.where(draw < 0.63, 2, 1))  # open, lost, won
    status = np.array(["open", "lost", "won"], dtype=object)[status_code]
    closed = status_code > 0
    opportunities = pd.DataFrame(
        {
            "created_date": pd.to_datetime(start + engaged.astype("timedelta64[D]")).astype("datetime64[ns]"),
            "status": pd.Categorical(status, categories=["lost", "open", "won"]),
            "opportunity_id": np.array([f"{i:08X}" for i in range(n_opps)], dtype=object),
            "close_date": pd.to_datetime(
                np.where(closed, start + close.astype("timedelta64[D]"), np.datetime64("NaT"))
            ).astype("datetime64[ns]"),
            "amount": np.round(rng.lognormal(7.2, 0.9, n_opps), 0),
            "salesperson": _categorical(AGENTS, rng.integers(0, len(AGENTS), n_opps)),
            "channel": _categorical(CHANNELS, rng.integers(0, len(CHANNELS), n_opps)),
            "customer_id": np.array([f"A{i:04d}" for i in rng.integers(0, 2000, n_opps)], dtype=object),
            "product": _categorical(PIPELINE_PRODUCTS, rng.integers(0, len(PIPELINE_PRODUCTS), n_opps)),
            "region": _categorical(OFFICES, rng.integers(0, len(OFFICES), n_opps)),
        }
    )

    # Spend: each marketing channel every day, sales costs every week.
    day_grid = np.repeat(np.arange(days), len(CHANNELS))
    channel_grid = np.tile(np.arange(len(CHANNELS)), days)
    weeks = np.arange(0, days, 7)
    spend_days = np.concatenate([day_grid, np.repeat(weeks, 2)])
    spend_channel = np.concatenate(
        [
            np.asarray(CHANNELS, dtype=object)[channel_grid],
            np.tile(np.array(["Commissions", "Déplacements"], dtype=object), len(weeks)),
        ]
    )
    category = np.concatenate(
        [np.full(len(day_grid), "marketing", dtype=object), np.full(2 * len(weeks), "sales", dtype=object)]
    )
    spend = pd.DataFrame(
        {
            "date": pd.to_datetime(start + spend_days.astype("timedelta64[D]")).astype("datetime64[ns]"),
            "amount": np.round(rng.gamma(2.0, 40.0 * max(sales_lines / 1e6, 0.01), len(spend_days)), 2),
            "channel": pd.Categorical(spend_channel),
            "category": pd.Categorical(category, categories=["marketing", "sales"]),
        }
    )

    n_activities = max(sales_lines * 3 // 10, 10)
    types = rng.choice(5, n_activities, p=[0.5, 0.15, 0.07, 0.25, 0.03])
    activities = pd.DataFrame(
        {
            "date": pd.to_datetime(
                start + np.sort(rng.integers(0, days, n_activities)).astype("timedelta64[D]")
            ).astype("datetime64[ns]"),
            "type": pd.Categorical(np.array(["call", "meeting", "proposal", "email", "other"], dtype=object)[types]),
            "salesperson": _categorical(SALESPEOPLE, rng.integers(0, len(SALESPEOPLE), n_activities)),
            "lead_id": np.where(
                rng.random(n_activities) < 0.5,
                leads["lead_id"].to_numpy()[rng.integers(0, n_leads, n_activities)],
                None,
            ).astype(object),
            "customer_id": np.where(
                rng.random(n_activities) < 0.5, c_ids[rng.integers(0, n_customers, n_activities)], None
            ).astype(object),
        }
    )

    n_surveys = max(sales_lines // 50, 10)
    score = rng.choice(11, n_surveys, p=[0.01, 0.01, 0.01, 0.02, 0.02, 0.05, 0.05, 0.1, 0.2, 0.25, 0.28])
    surveys = pd.DataFrame(
        {
            "date": pd.to_datetime(start + np.sort(rng.integers(0, days, n_surveys)).astype("timedelta64[D]")).astype(
                "datetime64[ns]"
            ),
            "score": score.astype("float64"),
            "customer_id": c_ids[rng.integers(0, n_customers, n_surveys)],
            "channel": _categorical(CHANNELS, rng.integers(0, len(CHANNELS), n_surveys)),
        }
    )

    customers = pd.DataFrame(
        {
            "customer_id": c_ids,
            "name": np.char.add("Client ", c_ids.astype(str)).astype(object),
            "created_date": pd.to_datetime(start + acquired.astype("timedelta64[D]")).astype("datetime64[ns]"),
            "channel": _categorical(CHANNELS, c_channel),
            "segment": _categorical(SEGMENTS, c_segment),
            "region": _categorical(REGIONS, c_region),
            "salesperson": _categorical(SALESPEOPLE, c_salesperson),
        }
    )

    months = [f"{y}-{m:02d}" for y in (2022, 2023, 2024) for m in range(1, 13)]
    monthly = sales_lines * 12.0 / 36
    target_rows = [("revenue", p, monthly, None, None) for p in months]
    target_rows += [("new_customers", p, n_customers / 40, None, None) for p in months]
    target_rows += [("revenue", p, monthly / len(SALESPEOPLE), "salesperson", s) for p in months for s in SALESPEOPLE]
    target_rows += [("win_rate", str(y), 60.0, None, None) for y in (2022, 2023, 2024)]
    targets = pd.DataFrame(target_rows, columns=["kpi", "period", "value", "dimension", "member"])
    targets["value"] = targets["value"].astype("float64")
    targets["dimension"] = targets["dimension"].astype(object)
    targets["member"] = targets["member"].astype(object)

    return {
        "sales": sales,
        "leads": leads,
        "opportunities": opportunities,
        "customers": customers,
        "spend": spend,
        "activities": activities,
        "surveys": surveys,
        "targets": targets,
    }


def database(sales_lines: int) -> Path:
    """The cached database holding :func:`generate` (written on first use)."""
    from kpidesk.store.database import Store

    path = cache_dir() / f"engine_{sales_lines}.kpidesk"
    if not path.exists():
        tmp = path.with_name(path.name + ".tmp")
        for suffix in ("", "-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        frames = generate(sales_lines)
        with Store.create(tmp) as store:
            for kind, frame in frames.items():
                store.import_frame(kind, frame, file=f"{kind}.xlsx")
            store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        tmp.replace(path)
    return path


def dashboard(engine: Engine) -> tuple[Result, Result]:
    """The two calls of ``kpidesk.core.dashboard.compute_dashboard`` for "last 12 months", by month,
    compared with the previous period: the cards (whole range) and the 24-month trend."""
    end = LAST_DAY
    start = add_months(end.replace(day=1), -11)
    summary = engine.summary(Query(start, end, "month", "previous"))
    trend_first = min(start, add_months(end.replace(day=1), -23))
    trend = engine.compute(Query(trend_first, end, "month", "previous"))
    return summary, trend


def reference_groupby(sales: pd.DataFrame) -> pd.Series:
    return sales.groupby(sales["date"].dt.to_period("M"))["amount"].sum()


def reference_select(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return len(con.execute("SELECT * FROM sales").fetchall())
    finally:
        con.close()


def open_to_dashboard(path: Path) -> tuple[Result, Result]:
    from kpidesk.store.database import Store

    with Store.open(path) as store:
        frames = store.load_all()
        settings = store.settings()
    return dashboard(Engine(frames, settings, today=LAST_DAY))


def paired(
    reference: Callable[[], object],
    subject: Callable[[], object],
    repeat: int,
    setup: Callable[[], object] | None = None,
) -> tuple[float, float]:
    """Median times of ``reference`` and ``subject`` run in alternation (a shared machine's load
    drifts: alternating exposes both to the same conditions)."""
    ref_times, times = [], []
    for _ in range(repeat):
        ref_times.append(median_time(reference, repeat=1))
        times.append(median_time(subject, repeat=1, setup=setup))
    return statistics.median(ref_times), statistics.median(times)


def main() -> None:
    from kpidesk.store.database import Store

    lines = 100_000 if quick() else 1_000_000
    path = database(lines)
    with Store.open(path) as store:
        frames = store.load_all()
        settings = store.settings()
    sales = frames["sales"]

    engine = Engine(frames, settings, today=LAST_DAY)
    engine.prepare()
    summary, _ = dashboard(engine)
    assert len(summary.rows) == 33 and not any(r.unavailable for r in summary.rows)

    ref, refresh = paired(lambda: reference_groupby(sales), lambda: dashboard(engine), 7, setup=engine.forget_scopes)
    print(
        f"B2 dashboard refresh ({lines:,} sales): median {refresh:.2f} s; reference (pandas groupby by month) "
        f"{ref:.2f} s; ratio {refresh / ref:.1f} x (goal <= 5 x)"
    )

    def cold() -> None:
        fresh = Engine(frames, settings, today=LAST_DAY)
        dashboard(fresh)

    ref, cold_time = paired(lambda: reference_groupby(sales), cold, 3)
    print(
        f"   cold: new engine from the loaded frames + dashboard: median {cold_time:.2f} s "
        f"({cold_time / ref:.1f} x the reference)"
    )

    select, opened = paired(lambda: reference_select(path), lambda: open_to_dashboard(path), 5)
    print(
        f"B7 open to dashboard ({lines:,} sales): median {opened:.2f} s; reference (sqlite3 SELECT * FROM sales) "
        f"{select:.2f} s; ratio {opened / select:.2f} x (goal <= 1.5 x)"
    )


if __name__ == "__main__":
    main()
