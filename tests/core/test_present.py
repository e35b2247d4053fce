"""The one presentation of a KPI result (:mod:`kpidesk.core.present`), against values worked out by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kpidesk.core.engine import Engine, Query
from kpidesk.core.present import (
    PALETTE,
    attainment_tone,
    change,
    change_tone,
    change_unit,
    json_row,
    leaderboard,
    present,
)
from kpidesk.core.results import KpiRow
from kpidesk.core.targets import Target, range_target

D = dt.date
NB = "\u00a0"


def row(kpi: str, value: float | None, comparison: float | None = None, **extra: object) -> KpiRow:
    fields: dict[str, object] = {
        "kpi": kpi,
        "period": "2024-03",
        "member": None,
        "value": value,
        "target": None,
        "comparison": comparison,
        "unavailable": False,
        "low_confidence": False,
        "start": D(2024, 3, 1),
        "end": D(2024, 4, 1),
    }
    fields.update(extra)
    return KpiRow(**fields)  # type: ignore[arg-type]


def test_a_change_is_measured_in_the_kpis_own_unit() -> None:
    # Revenue 110 against 100: +10 % (relative); churn 8 % against 5 %: +3 points, not +60 %;
    # NPS 46 against 40: +6 points; a sales cycle of 26.5 days against 30: −3.5 days.
    assert (change("revenue", 110.0, 100.0), change_unit("revenue")) == (10.0, "percent")
    assert (change("sales_count", 90.0, 120.0), change_unit("sales_count")) == (-25.0, "percent")
    assert (change("churn_rate", 8.0, 5.0), change_unit("churn_rate")) == (3.0, "points")
    assert (change("nps", 46.0, 40.0), change_unit("nps")) == (6.0, "points")
    assert (change("sales_cycle_days", 26.5, 30.0), change_unit("sales_cycle_days")) == (-3.5, "days")
    assert change_unit("ltv_cac_ratio") == "ratio"
    assert change("ltv_cac_ratio", 3.25, 3.0) == 0.25
    assert change("revenue", 10.0, 0.0) is None
    assert change("revenue", 10.0, None) is None
    assert present(row("churn_rate", 8.0, 5.0)).change_text("fr") == f"+3,0{NB}pts"
    assert present(row("sales_cycle_days", 26.5, 30.0)).change_text("fr") == f"−3,5{NB}j"
    assert present(row("revenue", 110.0, 100.0)).change_text("en") == "+10.0%"
    assert present(row("nps", 46.0, 40.0)).change_text("en") == "+6.0 pts"


def test_the_colour_of_a_change_follows_the_kpis_direction() -> None:
    assert change_tone("revenue", 10.0) == "good"
    assert change_tone("revenue", -1.0) == "bad"
    assert change_tone("churn_rate", 3.0) == "bad"  # more churn is worse
    assert change_tone("cac", -12.0) == "good"  # a cheaper customer is better
    assert change_tone("revenue", 0.0) == "neutral"
    assert change_tone("revenue", None) == "neutral"
    assert attainment_tone("revenue", 100.0) == "good"
    assert attainment_tone("revenue", 99.9) == "bad"
    assert attainment_tone("revenue", None) == "neutral"
    assert PALETTE[present(row("churn_rate", 8.0, 5.0)).change_tone] == "#b91c1c"


def test_notes() -> None:
    low = present(row("average_order_value", 50.0, 40.0, low_confidence=True, base=12))
    assert [n.kind for n in low.notes] == ["low_confidence"]
    assert low.notes_text("en") == "Low confidence: based on 12 items."
    # A comparison was asked and the data does not cover it: said, never shown as 0 %.
    uncovered = present(row("revenue", 500.0, None))
    assert [n.kind for n in uncovered.notes] == ["no_comparable_data"] and uncovered.change is None
    assert [n.kind for n in present(row("revenue", 500.0, None), compared=False).notes] == []
    undefined = present(row("average_order_value", None, 40.0, provisional=False))
    assert [n.kind for n in undefined.notes] == ["undefined"]
    running = present(row("revenue", 500.0, 400.0, partial=True, provisional=True))
    assert [n.kind for n in running.notes] == ["provisional", "partial"]
    missing = present(row("leads", None, unavailable=True), missing_kinds=("leads",))
    assert missing.notes_text("en") == "No leads data imported"
    assert missing.attainment is None and missing.change is None


def test_pacing_is_period_by_period() -> None:
    # Targets: March 400, April 1,000. The range 1 March - 8 April holds all of March and
    # 8 of April's 30 days: target 400 + 1,000 = 1,400, pacing 400 + 1,000 x 8/30 = 666.67
    # (not 1,400 x 39/61 = 895.08).
    targets = [
        Target("revenue", "month", D(2024, 3, 1), D(2024, 4, 1), None, None, 400.0),
        Target("revenue", "month", D(2024, 4, 1), D(2024, 5, 1), None, None, 1000.0),
    ]
    found = range_target("revenue", targets, D(2024, 3, 1), D(2024, 4, 9))
    assert found is not None
    assert found.value == 1400.0
    assert found.pacing == pytest.approx(400 + 1000 * 8 / 30)
    # A rate is not prorated: its target holds from the first day (the mean of the periods').
    rates = [
        Target("win_rate", "month", t.start, t.stop, None, None, v) for t, v in zip(targets, (30.0, 40.0), strict=True)
    ]
    found = range_target("win_rate", rates, D(2024, 3, 1), D(2024, 4, 9))
    assert found is not None and (found.value, found.pacing) == (35.0, 35.0)
    assert range_target("revenue", targets, D(2024, 5, 1), D(2024, 5, 9)) is None


def test_attainment_against_pacing_through_the_engine() -> None:
    sales = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-03-04", "2024-03-20", "2024-04-03", "2024-04-08"]),
            "amount": [300.0, 200.0, 100.0, 200.0],
            "invoice_id": ["F1", "F2", "F3", "F4"],
        }
    )
    targets = pd.DataFrame(
        {
            "kpi": ["revenue", "revenue", "average_order_value"],
            "period": ["2024-03", "2024-04", "2024-04"],
            "value": [400.0, 1000.0, 250.0],
            "dimension": [None] * 3,
            "member": [None] * 3,
        }
    )
    engine = Engine({"sales": sales, "targets": targets})
    result = engine.summary(Query(D(2024, 3, 1), D(2024, 4, 8), kpis=("revenue", "average_order_value")))
    revenue = present(result.get("revenue"))
    # 800 against 400 + 1,000 x 8/30 = 666.67: 120 %.
    assert revenue.value == 800.0 and revenue.target == 1400.0
    assert revenue.pacing == pytest.approx(2000 / 3)
    assert revenue.attainment == pytest.approx(120.0)
    assert revenue.attainment_text("fr") == f"120,0{NB}%"
    # AOV 800 / 4 = 200 against its target 250, not prorated: 80 %.
    aov = present(result.get("average_order_value"))
    assert (aov.value, aov.pacing, aov.attainment) == (200.0, 250.0, 80.0)
    # Month by month: April's row holds 8 of its 30 days.
    trend = engine.compute(Query(D(2024, 3, 1), D(2024, 4, 8), kpis=("revenue",)))
    april = json_row(trend.get("revenue", "2024-04"))
    assert april["partial"] is True
    assert april["target"] == 1000.0
    assert april["pacing"] == pytest.approx(1000 * 8 / 30)
    assert april["attainment"] == pytest.approx(300 / (1000 * 8 / 30) * 100)


def test_json_row_has_every_field_of_the_spec() -> None:
    data = json_row(row("churn_rate", 8.0, 5.0, partial=True))
    assert list(data) == [
        "kpi", "period", "member", "value", "target", "pacing", "attainment", "comparison",
        "change", "change_unit", "partial", "unavailable", "low_confidence", "forecast",
    ]  # fmt: skip
    assert (data["change"], data["change_unit"], data["partial"], data["forecast"]) == (3.0, "points", True, None)


def test_leaderboard_order() -> None:
    rows = [
        row("cac", 50.0, member="Bruno"),
        row("cac", None, member="Alice"),
        row("cac", 30.0, member="Chloé"),
        row("cac", 30.0, member="assia"),
    ]
    # Lower is better for a cost: cheapest first, ties by name, undefined last.
    assert [r.member for r in leaderboard("cac", rows)] == ["assia", "Chloé", "Bruno", "Alice"]
    revenue = [row("revenue", v, member=m) for m, v in (("A", 10.0), ("B", 30.0), ("C", None))]
    assert [r.member for r in leaderboard("revenue", revenue)] == ["B", "A", "C"]


def test_a_periods_target_is_its_own_else_the_sum_of_finer_ones() -> None:
    months = [
        Target("revenue", "month", D(2024, 1, 1), D(2024, 2, 1), None, None, 400.0),
        Target("revenue", "month", D(2024, 2, 1), D(2024, 3, 1), None, None, 250.0),
    ]
    # A year's row sums the months it touches (never null where the workbook sums them);
    # 1 January - 14 February holds 14 of February's 29 days: pacing 400 + 250 x 14/29.
    found = range_target("revenue", months, D(2024, 1, 1), D(2024, 2, 15), grain="year")
    assert found is not None and found.value == 650.0
    assert found.pacing == pytest.approx(400 + 250 * 14 / 29)
    # A target entered for the year itself wins for the year's row.
    year = Target("revenue", "year", D(2024, 1, 1), D(2025, 1, 1), None, None, 5000.0)
    found = range_target("revenue", [*months, year], D(2024, 1, 1), D(2025, 1, 1), grain="year")
    assert found is not None and found.value == 5000.0
    # A month has no share of a yearly target.
    assert range_target("revenue", [year], D(2024, 3, 1), D(2024, 4, 1), grain="month") is None


def test_a_period_the_data_does_not_cover_whole_is_partial() -> None:
    from kpidesk.core.periods import is_partial, periods

    # The range asks for the whole of April; the data stops on the 8th: April is partial,
    # March is not. A range cut mid-month is partial whatever the data.
    march, april = periods(D(2024, 3, 1), D(2024, 4, 30), "month")
    assert not is_partial(march, D(2024, 4, 8)) and is_partial(april, D(2024, 4, 8))
    assert not is_partial(april, D(2024, 4, 30)) and not is_partial(april, None)
    (cut,) = periods(D(2024, 4, 1), D(2024, 4, 8), "month")
    assert is_partial(cut, D(2024, 12, 31))
    sales = pd.DataFrame(
        {"date": pd.to_datetime(["2024-03-04", "2024-04-08"]), "amount": [300.0, 200.0], "invoice_id": ["F1", "F2"]}
    )
    trend = Engine({"sales": sales}).compute(Query(D(2024, 3, 1), D(2024, 4, 30), kpis=("revenue",)))
    assert [json_row(r)["partial"] for r in trend.series("revenue")] == [False, True]
