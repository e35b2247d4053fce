from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.core.periods import (
    add_months,
    parse_label,
    period_bounds,
    period_label,
    periods,
    range_period,
    shift,
    shift_range,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "grain", "fiscal", "label"),
    [
        (D(2024, 3, 5), "day", 1, "2024-03-05"),
        (D(2024, 2, 1), "week", 1, "2024-W05"),
        (D(2024, 3, 5), "month", 1, "2024-03"),
        (D(2024, 3, 5), "quarter", 1, "2024-Q1"),
        (D(2024, 3, 5), "year", 1, "2024"),
        (D(2024, 3, 5), "year", 4, "FY2024"),  # April 2023 - March 2024
        (D(2024, 4, 1), "year", 4, "FY2025"),
        (D(2024, 4, 1), "quarter", 4, "FY2025-Q1"),
        (D(2024, 3, 31), "quarter", 4, "FY2024-Q4"),
        (D(2021, 1, 3), "week", 1, "2020-W53"),  # ISO week 53
        (D(2020, 12, 28), "week", 1, "2020-W53"),
        (D(2019, 12, 30), "week", 1, "2020-W01"),
    ],
)
def test_labels(day: dt.date, grain: str, fiscal: int, label: str) -> None:
    start, _ = period_bounds(day, grain, fiscal)  # type: ignore[arg-type]
    assert period_label(start, grain, fiscal) == label  # type: ignore[arg-type]


def test_periods_are_clipped_to_the_range_and_cover_it() -> None:
    ps = periods(D(2024, 1, 15), D(2024, 3, 10), "month")
    assert [p.label for p in ps] == ["2024-01", "2024-02", "2024-03"]
    assert (ps[0].start, ps[0].end, ps[0].partial) == (D(2024, 1, 15), D(2024, 2, 1), True)
    assert not ps[1].partial
    assert (ps[2].start, ps[2].end) == (D(2024, 3, 1), D(2024, 3, 11))


def test_like_for_like_comparison_of_a_partial_period() -> None:
    (nov,) = periods(D(2026, 11, 1), D(2026, 11, 20), "month")
    prev = shift(nov, "month", "previous")
    assert (prev.start, prev.end, prev.label) == (D(2026, 10, 1), D(2026, 10, 21), "2026-10")
    last_year = shift(nov, "month", "year")
    assert (last_year.start, last_year.end) == (D(2025, 11, 1), D(2025, 11, 21))
    (mar,) = periods(D(2024, 3, 1), D(2024, 3, 31), "month")
    feb = shift(mar, "month", "previous")
    assert (feb.start, feb.end) == (D(2024, 2, 1), D(2024, 3, 1))


def test_week_comparison_a_year_back_keeps_the_weekday() -> None:
    (w,) = periods(D(2024, 2, 5), D(2024, 2, 11), "week")
    back = shift(w, "week", "year")
    assert back.start.isoweekday() == 1 and back.start == D(2023, 2, 6)


def test_whole_range_comparisons() -> None:
    mtd = range_period(D(2026, 11, 1), D(2026, 11, 20))
    assert mtd.label == "2026-11-01/2026-11-20"
    prev = shift_range(mtd, "previous")
    assert (prev.start, prev.end) == (D(2026, 10, 1), D(2026, 10, 21))
    last12 = range_period(D(2025, 12, 1), D(2026, 11, 30))
    assert shift_range(last12, "previous").label == "2024-12-01/2025-11-30"
    assert shift_range(last12, "year").label == "2024-12-01/2025-11-30"
    odd = range_period(D(2024, 3, 10), D(2024, 3, 19))
    assert shift_range(odd, "previous").label == "2024-02-29/2024-03-09"


@pytest.mark.parametrize(
    ("label", "fiscal", "expected"),
    [
        ("2024", 1, ("year", D(2024, 1, 1), D(2025, 1, 1))),
        ("FY2025", 4, ("year", D(2024, 4, 1), D(2025, 4, 1))),
        ("2024-Q3", 1, ("quarter", D(2024, 7, 1), D(2024, 10, 1))),
        ("FY2025-Q1", 4, ("quarter", D(2024, 4, 1), D(2024, 7, 1))),
        ("2024-03", 1, ("month", D(2024, 3, 1), D(2024, 4, 1))),
        ("2020-W53", 1, ("week", D(2020, 12, 28), D(2021, 1, 4))),
        ("2024-03-05", 1, ("day", D(2024, 3, 5), D(2024, 3, 6))),
    ],
)
def test_parse_label(label: str, fiscal: int, expected: tuple[str, dt.date, dt.date]) -> None:
    assert parse_label(label, fiscal) == expected


def test_parse_label_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        parse_label("mars 2024")


def test_add_months_clamps_the_day() -> None:
    assert add_months(D(2024, 3, 31), -1) == D(2024, 2, 29)
    assert add_months(D(2024, 1, 31), 13) == D(2025, 2, 28)


def test_a_label_without_fy_is_the_calendar_period_whatever_the_fiscal_year() -> None:
    assert parse_label("2025", 4) == ("year", D(2025, 1, 1), D(2026, 1, 1))
    assert parse_label("2025-Q1", 4) == ("quarter", D(2025, 1, 1), D(2025, 4, 1))
    assert parse_label("FY2025-Q1", 4) == ("quarter", D(2024, 4, 1), D(2024, 7, 1))


@pytest.mark.parametrize(
    ("label", "fiscal", "week", "expected"),
    [
        # Every label SPEC §3 lists, worked by hand; fiscal years named by the year they end in.
        ("2024-03-05", 1, 1, ("day", D(2024, 3, 5), D(2024, 3, 6))),
        ("2024-W05", 1, 1, ("week", D(2024, 1, 29), D(2024, 2, 5))),
        ("2024-W05", 1, 7, ("week", D(2024, 1, 28), D(2024, 2, 4))),  # Sunday-first weeks
        ("2024-03", 4, 1, ("month", D(2024, 3, 1), D(2024, 4, 1))),
        ("2024-Q1", 4, 1, ("quarter", D(2024, 1, 1), D(2024, 4, 1))),
        ("2024", 4, 1, ("year", D(2024, 1, 1), D(2025, 1, 1))),
        ("FY2024", 4, 1, ("year", D(2023, 4, 1), D(2024, 4, 1))),
        ("FY2024-Q1", 4, 1, ("quarter", D(2023, 4, 1), D(2023, 7, 1))),
        ("fy2025-q4", 4, 1, ("quarter", D(2025, 1, 1), D(2025, 4, 1))),
        (" FY2025 ", 7, 1, ("year", D(2024, 7, 1), D(2025, 7, 1))),
        ("FY2025", 1, 1, ("year", D(2025, 1, 1), D(2026, 1, 1))),  # a January fiscal year is the calendar year
    ],
)
def test_every_label_spec_lists_is_read_by_the_one_parser(
    label: str, fiscal: int, week: int, expected: tuple[str, dt.date, dt.date]
) -> None:
    assert parse_label(label, fiscal, week) == expected


@pytest.mark.parametrize("label", ["2024-13", "2024-W54", "2024-02-30", "FY2024-03", "2024-Q5", ""])
def test_impossible_labels_are_refused(label: str) -> None:
    with pytest.raises(ValueError):
        parse_label(label, 4)
