"""``kpidesk kpis`` over a stored company of every kind: the JSON of SPEC §4, values by hand."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kpidesk.cli import main
from kpidesk.core import catalog

KEYS = {
    "kpi",
    "period",
    "member",
    "value",
    "target",
    "pacing",
    "attainment",
    "comparison",
    "change",
    "change_unit",
    "partial",
    "unavailable",
    "low_confidence",
    "forecast",
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, _ = capsys.readouterr()
    return code, json.loads(out) if out.strip().startswith("{") else out


@pytest.fixture
def company(make_db: Callable[..., Path]) -> Path:
    sales = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-10", "2024-02-12", "2024-02-20"]),
            "amount": [1000.0, 400.0, 300.0, -100.0, 200.0],
            "invoice_id": ["F1", "F2", "F3", "AV1", "F4"],
            "customer_id": ["A", "B", "A", "A", "C"],
            "channel": pd.Categorical(["Web", "Salon", "Web", "Web", "Salon"]),
        }
    )
    leads = pd.DataFrame(
        {
            "created_date": pd.to_datetime(["2024-01-02", "2024-01-08", "2024-02-01", "2024-02-03"]),
            "qualified": pd.array([True, False, True, True], dtype="boolean"),
            "converted": pd.array([True, False, False, None], dtype="boolean"),
            "channel": pd.Categorical(["Web", "Salon", "Web", "Web"]),
        }
    )
    opportunities = pd.DataFrame(
        {
            "created_date": pd.to_datetime(["2024-01-03", "2024-01-10", "2024-01-15"]),
            "status": pd.Categorical(["won", "lost", "open"]),
            "close_date": pd.to_datetime(["2024-02-02", "2024-01-10", None]),
            "amount": [900.0, 500.0, 700.0],
        }
    )
    spend = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-01", "2024-02-01"]),
            "amount": [200.0, 100.0],
            "channel": pd.Categorical(["Web", "Salon"]),
            "category": pd.Categorical(["marketing", "marketing"]),
        }
    )
    surveys = pd.DataFrame(
        {"date": pd.to_datetime(["2024-02-05", "2024-02-06", "2024-02-07"]), "score": [10.0, 3.0, np.nan]}
    )
    return make_db(sales=sales, leads=leads, opportunities=opportunities, spend=spend, surveys=surveys)


def rows_of(data: dict[str, Any]) -> dict[tuple[str, str, str | None], dict[str, Any]]:
    return {(r["kpi"], r["period"], r["member"]): r for r in data["rows"]}


def test_every_kpi_by_month_in_the_json_of_the_spec(capsys: pytest.CaptureFixture[str], company: Path) -> None:
    code, data = run(capsys, "kpis", "--db", str(company), "--grain", "month", "--json")
    assert code == 0
    assert (data["from"], data["to"], data["grain"]) == ("2024-01-01", "2024-02-20", "month")
    assert all(set(r) == KEYS for r in data["rows"])
    assert [r["kpi"] for r in data["rows"][::2]] == list(catalog.KPI_IDS)  # two months per KPI
    rows = rows_of(data)

    def value(kpi: str, period: str) -> Any:
        return rows[(kpi, period, None)]["value"]

    # January: 1400 of sales to A and B (both new), spend 200 -> CAC 100, ROI 600 %.
    assert value("revenue", "2024-01") == 1400.0
    assert value("cac", "2024-01") == 100.0
    assert value("roi", "2024-01") == 600.0
    # February: 300 - 100 + 200 = 400; C new; A returning.
    assert value("revenue", "2024-02") == 400.0
    assert value("repeat_purchase_rate", "2024-02") == 50.0
    # Like for like: February to the 20th against 1-20 January (1000 + 400).
    assert rows[("revenue", "2024-02", None)]["comparison"] == 1400.0
    # Leads: January 2 (1 qualified, converted), February 2 (both qualified, none converted).
    assert value("qualification_rate", "2024-01") == 50.0
    assert value("transformation_rate", "2024-02") == 0.0
    assert value("cost_per_lead", "2024-02") == 50.0
    # Opportunities: January closes one lost (closed the day it was created), February one won.
    assert value("win_rate", "2024-01") == 0.0 and value("win_rate", "2024-02") == 100.0
    assert value("sales_cycle_days", "2024-02") == 30.0
    # The pipeline at the end of January: the won one (closes 2 Feb) and the open one.
    assert value("pipeline_value", "2024-01") == 1600.0
    # NPS in February: one promoter, one detractor, one blank.
    assert value("nps", "2024-02") == 0.0 and value("nps_responses", "2024-02") == 2.0
    assert rows[("nps", "2024-02", None)]["low_confidence"] is True
    # No activities were imported: unavailable, null, never 0.
    assert rows[("meetings", "2024-01", None)] == {
        "kpi": "meetings",
        "period": "2024-01",
        "member": None,
        "value": None,
        "target": None,
        "pacing": None,
        "attainment": None,
        "comparison": None,
        "change": None,
        "change_unit": "percent",
        "partial": False,
        "unavailable": True,
        "low_confidence": False,
        "forecast": None,
    }
    assert value("nps", "2024-01") is None and rows[("nps", "2024-01", None)]["unavailable"] is False


def test_kpis_by_channel_and_selected(capsys: pytest.CaptureFixture[str], company: Path) -> None:
    code, data = run(
        capsys,
        "kpis",
        "--db",
        str(company),
        "--from",
        "2024-01-01",
        "--to",
        "2024-01-31",
        "--by",
        "channel",
        "--kpi",
        "roi",
        "--kpi",
        "cac",
        "--kpi",
        "win_rate",
        "--compare",
        "none",
        "--json",
    )
    assert code == 0
    rows = rows_of(data)
    # ROI by channel: Web (1000 - 200) / 200; Salon 400 of revenue, no spend in January.
    assert rows[("roi", "2024-01", "Web")]["value"] == 400.0
    assert rows[("roi", "2024-01", "Salon")]["value"] is None
    assert rows[("cac", "2024-01", "Web")]["value"] == 200.0
    # Opportunities have a channel field, empty here: no member row carries a value.
    assert all(r["value"] is None for r in data["rows"] if r["kpi"] == "win_rate" and r["member"])
    assert [r["member"] for r in data["rows"] if r["kpi"] == "roi"] == [None, "Salon", "Web"]


def test_kpis_by_week_compared_with_last_year(capsys: pytest.CaptureFixture[str], company: Path) -> None:
    code, data = run(
        capsys,
        "kpis",
        "--db",
        str(company),
        "--from",
        "2024-01-01",
        "--to",
        "2024-01-14",
        "--grain",
        "week",
        "--kpi",
        "revenue",
        "--compare",
        "year",
        "--json",
    )
    assert code == 0
    assert [(r["period"], r["value"], r["comparison"]) for r in data["rows"]] == [
        ("2024-W01", 1000.0, None),
        ("2024-W02", 0.0, None),
    ]  # 2023 holds no data: nothing to compare


def test_catalog_text_names_every_kpi(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "catalog")
    assert code == 0
    assert all(f"{k.id}: " in out for k in catalog.CATALOG)


def test_kpis_by_customer_name_customers_in_text_and_keep_ids_in_json(
    capsys: pytest.CaptureFixture[str], make_db: Callable[..., Path]
) -> None:
    sales = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-05", "2024-01-20"]),
            "amount": [1000.0, 400.0],
            "customer_id": ["C1", "C2"],
            "customer_name": ["Boulangerie Martin", None],
        }
    )
    db = make_db(sales=sales)
    args = (
        "kpis",
        "--db",
        str(db),
        "--from",
        "2024-01-01",
        "--to",
        "2024-01-31",
        "--by",
        "customer",
        "--kpi",
        "revenue",
        "--compare",
        "none",
    )
    code, text = run(capsys, *args)
    assert code == 0
    lines = text.splitlines()
    assert any("Boulangerie Martin (C1)" in line and "1" in line for line in lines)
    assert any("C2" in line for line in lines) and not any("None" in line for line in lines)
    code, data = run(capsys, *args, "--json")
    assert sorted(r["member"] for r in data["rows"] if r["member"]) == ["C1", "C2"]  # ids: a stable key
