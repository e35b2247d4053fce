from __future__ import annotations

import pytest

from kpidesk.core.formatting import format_change, format_value, relative_change

NN = "\u202f"
NB = "\u00a0"


@pytest.mark.parametrize(
    ("value", "unit", "lang", "compact", "expected"),
    [
        (1234567.891, "currency", "fr", False, f"1{NN}234{NN}568{NB}€"),
        (1234567.891, "currency", "en", False, "€1,234,568"),
        (12.5, "currency", "fr", False, f"12,50{NB}€"),
        (-30.0, "currency", "en", False, "−€30.00"),
        (3_712_000.0, "currency", "fr", True, f"3,7{NB}M€"),
        (3_712_000.0, "currency", "en", True, "€3.7M"),
        (48_200.0, "currency", "en", True, "€48.2k"),
        (12.5, "percent", "fr", False, f"12,5{NB}%"),
        (12.5, "percent", "en", False, "12.5%"),
        (2953.0, "count", "fr", False, f"2{NN}953"),
        (34.25, "days", "fr", False, f"34,2{NB}j"),
        (None, "currency", "fr", False, "—"),
        (float("nan"), "percent", "en", False, "—"),
    ],
)
def test_format_value(value: float | None, unit: str, lang: str, compact: bool, expected: str) -> None:
    assert format_value(value, unit, lang, "EUR", compact=compact) == expected  # type: ignore[arg-type]


def test_changes() -> None:
    assert relative_change(150.0, 100.0) == 50.0
    assert relative_change(-50.0, -100.0) == 50.0  # less negative is up
    assert relative_change(10.0, 0.0) is None
    assert format_change(50.0, "fr") == f"+50,0{NB}%"
    assert format_change(-3.25, "en") == "−3.2%"
    assert format_change(None, "en") == "—"


def test_one_formatter_for_the_window_and_the_workbook() -> None:
    from kpidesk.core.formatting import excel_format, format_number, value_decimals

    # An AOV of 1,500 € shows no decimals, 150.5 € two, on a card as in the workbook.
    assert format_value(1500.0, "currency", "fr", "EUR") == f"1{NN}500{NB}€"
    assert format_value(1500.0, "currency", "fr", "EUR", compact=True) == f"1{NN}500{NB}€"
    assert format_value(150.5, "currency", "fr", "EUR", compact=True) == f"150,50{NB}€"
    assert value_decimals("currency", 1500.0) == 0 and value_decimals("currency", 150.5) == 2
    assert excel_format("currency", value_decimals("currency", 1500.0), "fr") == f'#,##0"{NB}€"'
    assert excel_format("currency", value_decimals("currency", 150.5), "en") == '"€"#,##0.00'
    assert format_value(1234567.0, "currency", "en") == "€1,234,567"
    assert format_value(12.44, "percent", "fr") == f"12,4{NB}%"
    assert format_value(12.44, "percent", "en") == "12.4%"
    assert format_value(3.456, "ratio", "en") == "3.46"
    assert format_value(26.54, "days", "en") == "26.5 d"
    assert format_number(1234567.0, 0, "fr") == f"1{NN}234{NN}567"


def test_changes_in_their_unit() -> None:
    from kpidesk.core.formatting import excel_change_format

    assert format_change(2.14, "fr", "points") == f"+2,1{NB}pts"
    assert format_change(-3.5, "fr", "days") == f"−3,5{NB}j"
    assert format_change(0.25, "en", "ratio") == "+0.25"
    assert excel_change_format("points", "en") == '+0.0" pts";-0.0" pts";0.0" pts"'


def test_month_names_come_from_the_language() -> None:
    from kpidesk.core.formatting import month_name

    assert [month_name(m, "fr") for m in (1, 3, 8)] == ["janvier", "mars", "août"]
    assert month_name(2, "fr", abbreviated=True) == "févr."
    assert month_name(12, "en", abbreviated=True) == "Dec"
