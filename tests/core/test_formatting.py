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
