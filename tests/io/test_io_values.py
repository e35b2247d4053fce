"""Value rules of SPEC §1: raw cell -> typed value, one table per rule."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kpidesk.io import parse as V

NNBSP = "\u202f"  # narrow no-break space, French thousands separator in Excel/Word
NBSP = "\u00a0"

# -- numbers -------------------------------------------------------------------------------

NUMBERS: list[tuple[Any, float | None]] = [
    (1234.56, 1234.56),
    (12, 12.0),
    ("1 234,56 €", 1234.56),
    (f"2{NNBSP}444 €", 2444.0),
    (f"1{NBSP}000,50", 1000.5),
    ("€ 162", 162.0),
    ("1,234.56", 1234.56),
    ("1.234,56", 1234.56),
    ("12,5 %", 0.125),
    ("12.5%", 0.125),
    ("(123)", -123.0),
    ("(1 234,50 €)", -1234.5),
    ("123-", -123.0),
    ("-45,5", -45.5),
    ("\u221245", -45.0),  # typographic minus
    ("+7", 7.0),
    ("1.234.567", 1234567.0),
    ("1,234,567", 1234567.0),
    ("  42  ", 42.0),
    ("1e3", 1000.0),
    ("100 EUR", 100.0),
    ("100 € HT", 100.0),
    ("0,5", 0.5),
]
NUMBERS_MISSING = [None, "", "   ", "-", "NA", "N/A", "n/a", "null", "#N/A", "None", "—"]
NUMBERS_INVALID = ["abc", "12 abc", "inf", "1,2,3,4", True, dt.date(2024, 1, 1), "1.2.3"]


@pytest.mark.parametrize(("raw", "expected"), NUMBERS)
def test_number_from_cell_or_text(raw: Any, expected: float) -> None:
    parsed = V.parse_numbers([raw])
    assert not parsed.missing[0] and not parsed.invalid[0]
    assert parsed.values[0] == pytest.approx(expected)


@pytest.mark.parametrize("raw", NUMBERS_MISSING)
def test_number_missing_markers(raw: Any) -> None:
    parsed = V.parse_numbers([raw, 1.0])
    assert parsed.missing.tolist() == [True, False]
    assert not parsed.invalid.any()
    assert math.isnan(parsed.values[0])


@pytest.mark.parametrize("raw", NUMBERS_INVALID)
def test_number_invalid(raw: Any) -> None:
    parsed = V.parse_numbers([raw, "3"])
    assert parsed.invalid.tolist() == [True, False]
    assert parsed.values[1] == 3.0


def test_lone_comma_group_follows_the_column() -> None:
    # French default: "1,234" is 1.234 ...
    assert V.parse_numbers(["1,234"]).values[0] == pytest.approx(1.234)
    # ... unless the column writes its thousands with commas elsewhere.
    assert V.parse_numbers(["1,234", "1,234,567.50"]).values.tolist() == [1234.0, 1234567.5]
    # ... and "12,5" elsewhere confirms the decimal comma.
    assert V.parse_numbers(["1,234", "12,5"]).values.tolist() == [1.234, 12.5]


def test_number_fast_path_with_blank_cells() -> None:
    parsed = V.parse_numbers([1.0, "", 2.5, None, 4])
    assert parsed.missing.tolist() == [False, True, False, True, False]
    assert parsed.values[[0, 2, 4]].tolist() == [1.0, 2.5, 4.0]


# -- dates ---------------------------------------------------------------------------------

D = dt.datetime
DATES: list[tuple[Any, dt.datetime]] = [
    (D(2024, 3, 5, 14, 30), D(2024, 3, 5, 14, 30)),
    (dt.date(2024, 3, 5), D(2024, 3, 5)),
    (45356, D(2024, 3, 5)),  # Excel serial number
    (45356.5, D(2024, 3, 5, 12)),
    ("45356", D(2024, 3, 5)),
    ("2024-03-05", D(2024, 3, 5)),
    ("2024-03-05 14:30:00", D(2024, 3, 5, 14, 30)),
    ("2024-03-05T14:30", D(2024, 3, 5, 14, 30)),
    ("2024/03/05", D(2024, 3, 5)),
    ("05/03/2024", D(2024, 3, 5)),
    ("5/3/2024", D(2024, 3, 5)),
    ("05.03.2024", D(2024, 3, 5)),
    ("05-03-24", D(2024, 3, 5)),
    ("05/03/2024 14:30", D(2024, 3, 5, 14, 30)),
    ("05/03/2024 14h30", D(2024, 3, 5, 14, 30)),
    ("5 mars 2024", D(2024, 3, 5)),
    ("5 MARS 2024", D(2024, 3, 5)),
    ("mardi 5 mars 2024", D(2024, 3, 5)),
    ("1er janvier 2024", D(2024, 1, 1)),
    ("5 févr. 2024", D(2024, 2, 5)),
    ("15 août 2023", D(2023, 8, 15)),
    ("3 décembre 2023", D(2023, 12, 3)),
    ("5-mar-24", D(2024, 3, 5)),
    ("05-Mar-2024", D(2024, 3, 5)),
    ("March 5, 2024", D(2024, 3, 5)),
    ("mars 2024", D(2024, 3, 1)),
    ("03/2024", D(2024, 3, 1)),
    ("20240305", D(2024, 3, 5)),
    (20240305, D(2024, 3, 5)),
]
DATES_INVALID = ["32/13/2024", "31/02/2024", "2024-13-01", "hello", "5 foo 2024", True, "12:30"]


@pytest.mark.parametrize(("raw", "expected"), DATES)
def test_date_from_cell_or_text(raw: Any, expected: dt.datetime) -> None:
    parsed = V.parse_dates([raw])
    assert not parsed.missing[0] and not parsed.invalid[0], raw
    assert pd.Timestamp(parsed.values[0]) == pd.Timestamp(expected)


@pytest.mark.parametrize("raw", DATES_INVALID)
def test_date_invalid(raw: Any) -> None:
    parsed = V.parse_dates([raw, "01/02/2024"])
    assert parsed.invalid.tolist() == [True, False]


@pytest.mark.parametrize("raw", [None, "", "NA", "-", "n/a"])
def test_date_missing(raw: Any) -> None:
    parsed = V.parse_dates([raw, dt.date(2024, 1, 1)])
    assert parsed.missing.tolist() == [True, False]
    assert np.isnat(parsed.values[0])


def test_dates_are_day_first_unless_the_column_proves_otherwise() -> None:
    french = V.parse_dates(["05/03/2024", "01/02/2024"]).values
    assert [str(v)[:10] for v in french] == ["2024-03-05", "2024-02-01"]
    us = V.parse_dates(["12/31/2024", "01/02/2024"]).values
    assert [str(v)[:10] for v in us] == ["2024-12-31", "2024-01-02"]


def test_dates_mixed_cells_in_one_column() -> None:
    parsed = V.parse_dates([dt.datetime(2024, 1, 2), "03/01/2024", 45296.0, ""])
    assert [str(v)[:10] for v in parsed.values[:3]] == ["2024-01-02", "2024-01-03", "2024-01-05"]
    assert parsed.missing.tolist() == [False, False, False, True]


# -- text and identifiers ------------------------------------------------------------------

TEXTS: list[tuple[Any, str | None]] = [
    (17841.0, "17841"),  # a float id cell reads as the user sees it
    (17841, "17841"),
    ("17841", "17841"),
    ("00123", "00123"),  # leading zeros are kept
    ("C536379", "C536379"),
    ("  trailing spaces  ", "trailing spaces"),
    ("None", "None"),  # a word in a text column, not a missing value (Financial Sample)
    (2.08, "2.08"),
    (dt.date(2024, 1, 31), "2024-01-31"),
    (None, None),
    ("", None),
    ("NA", "NA"),  # SPEC §3.1: a value in a text field (the region NA is North America)
    ("N/A", "N/A"),
    ("null", "null"),
    ("-", None),
    ("—", None),
    ("   ", None),
]


@pytest.mark.parametrize(("raw", "expected"), TEXTS)
def test_text_and_ids(raw: Any, expected: str | None) -> None:
    parsed = V.parse_texts([raw, "x"])
    assert parsed.values[0] == expected
    assert bool(parsed.missing[0]) is (expected is None)


def test_id_column_mixing_numbers_and_text() -> None:
    # Online Retail's InvoiceNo: number cells and "C..." cancellation numbers.
    parsed = V.parse_texts([536365.0, "C536379", 536365.0, "", 536366])
    assert parsed.values.tolist() == ["536365", "C536379", "536365", None, "536366"]


# -- booleans, statuses, activity types ----------------------------------------------------

BOOLS: list[tuple[Any, bool]] = [
    ("oui", True), ("Oui", True), ("non", False), ("yes", True), ("no", False), ("vrai", True),
    ("FAUX", False), ("true", True), ("False", False), ("1", True), ("0", False), (1.0, True), (0, False),
    (True, True), (False, False), ("x", True),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), BOOLS)
def test_bools(raw: Any, expected: bool) -> None:
    parsed = V.parse_bools([raw, "non"])
    assert not parsed.invalid[0] and not parsed.missing[0]
    assert bool(parsed.values[0]) is expected


def test_bools_x_or_blank_column() -> None:
    parsed = V.parse_bools(["x", "", "X", None])
    assert parsed.values.tolist() == [True, False, True, False]
    assert not parsed.missing.any()


def test_bools_blank_is_missing_when_the_column_says_yes_and_no() -> None:
    parsed = V.parse_bools(["oui", "", "non", "peut-être"])
    assert parsed.missing.tolist() == [False, True, False, False]
    assert parsed.invalid.tolist() == [False, False, False, True]


STATUSES = [
    ("gagné", "won"), ("Gagnée", "won"), ("perdu", "lost"), ("PERDUE", "lost"), ("en cours", "open"),
    ("won", "won"), ("Lost", "lost"), ("open", "open"), ("Closed Won", "won"), ("Closed Lost", "lost"),
    ("Engaging", "open"), ("Prospecting", "open"), ("Qualification", "open"), ("Proposal", "open"),
    ("Negotiation", "open"), ("Négociation", "open"), ("Signé", "won"), ("Abandonné", "lost"), ("Annulé", "lost"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), STATUSES)
def test_statuses(raw: str, expected: str) -> None:
    assert V.parse_statuses([raw]).values[0] == expected


def test_status_blank_is_missing() -> None:
    parsed = V.parse_statuses(["", None, "won"])
    assert parsed.missing.tolist() == [True, True, False]


ACTIVITIES = [
    ("appel", "call"), ("Appel sortant", "call"), ("call", "call"), ("RDV", "meeting"), ("rendez-vous", "meeting"),
    ("Réunion", "meeting"), ("meeting", "meeting"), ("Proposition commerciale", "proposal"),
    ("proposition", "proposal"),
    ("devis", "proposal"), ("Proposal", "proposal"), ("e-mail", "email"), ("E-mail", "email"), ("mail", "email"),
    ("email", "email"), ("Salon", "other"), ("Relance courrier", "other"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), ACTIVITIES)
def test_activity_types(raw: str, expected: str) -> None:
    assert V.parse_activity_types([raw]).values[0] == expected


PERIODS = [
    ("2024", "2024"), (2024, "2024"), (2024.0, "2024"), ("2024-Q1", "2024-Q1"), ("T1 2024", "2024-Q1"),
    ("Q3-2024", "2024-Q3"), ("2024-03", "2024-03"), ("03/2024", "2024-03"), ("mars 2024", "2024-03"),
    ("2024-W05", "2024-W05"), ("2024-W5", "2024-W05"), (dt.date(2024, 3, 1), "2024-03"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), PERIODS)
def test_target_periods(raw: Any, expected: str) -> None:
    parsed = V.parse_periods([raw])
    assert parsed.values[0] == expected and not parsed.invalid[0]


@pytest.mark.parametrize("raw", ["2024-13", "2024-Q5", "2024-W54", "soon"])
def test_target_period_invalid(raw: str) -> None:
    assert V.parse_periods([raw]).invalid[0]


def test_spend_categories_default_to_marketing() -> None:
    parsed = V.parse_spend_categories(["Marketing", "Ventes", "commercial", "", "Google Ads"])
    assert parsed.values.tolist() == ["marketing", "sales", "sales", "marketing", "marketing"]
    assert not parsed.missing.any()
