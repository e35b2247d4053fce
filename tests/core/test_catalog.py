"""The catalogue's rules that callers share: which dimensions a KPI breaks down by."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kpidesk.core.catalog import breakdown_dimensions
from kpidesk.core.engine import Engine, Query


def test_a_kpi_breaks_down_by_the_dimensions_every_kind_it_counts_has() -> None:
    assert breakdown_dimensions("revenue") == ("salesperson", "channel", "region", "segment", "product", "customer")
    # Activities have a salesperson and a customer, no channel or region.
    assert breakdown_dimensions("meetings") == ("salesperson", "customer")
    # Spend has only a channel.
    assert breakdown_dimensions("roi") == ("channel",)
    assert breakdown_dimensions("cac") == ("channel",)


def test_the_engine_gives_member_rows_only_for_those_dimensions() -> None:
    sales = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-05", "2024-01-06"]),
            "amount": [100.0, 50.0],
            "region": ["NA", "EU"],
        }
    )
    activities = pd.DataFrame({"date": pd.to_datetime(["2024-01-05"]), "type": ["meeting"], "salesperson": ["Ana"]})
    engine = Engine({"sales": sales, "activities": activities}, today=dt.date(2024, 2, 1))
    q = Query(kpis=("revenue", "meetings"), start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31), by="region")
    rows = engine.compute(q).rows
    members = {(r.kpi, r.member): r.value for r in rows if r.member is not None}
    assert members == {("revenue", "EU"): 50.0, ("revenue", "NA"): 100.0}


def test_every_ratio_says_what_its_numerator_and_denominator_count() -> None:
    from kpidesk.core import catalog

    ratios = [k for k in catalog.CATALOG if k.unit in ("percent", "ratio") or "÷" in k.formula_en]
    missing = [k.id for k in ratios if k.id not in ("churn_rate",) and not k.counts("en")]
    assert missing == []
    retention = catalog.get("retention_rate")
    assert "|S ∩ E|" in (retention.counts("en") or "") and "|S|" in (retention.counts("fr") or "")
    assert catalog.get("revenue").counts("en") is None
    assert catalog.get("win_rate").to_json()["counts"]["fr"].startswith("Numérateur")
