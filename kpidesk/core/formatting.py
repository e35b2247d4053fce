"""KPI values written for a person, in French or English (window, command line, export).

French: ``1 234 567,89 €``, ``12,5 %`` (narrow no-break spaces as thousands
separator, as in the French typographic convention and Excel's fr-FR).
English: ``€1,234,567.89``, ``12.5%``.
"""

from __future__ import annotations

import datetime as dt
import math

from kpidesk.core.catalog import Unit

NNBSP = "\u202f"  # narrow no-break space: French thousands separator
NBSP = "\u00a0"

CURRENCY_SYMBOLS: dict[str, str] = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "CAD": "$", "MAD": "MAD"}


def format_number(value: float, decimals: int, lang: str) -> str:
    """``value`` with ``decimals`` decimals and the language's separators."""
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text.replace("-", "−") if text.startswith("-") else text


def format_value(value: float | None, unit: Unit, lang: str, currency: str = "EUR", compact: bool = False) -> str:
    """A KPI value with its unit; ``—`` when undefined.

    Args:
        compact: abbreviate large amounts (``1,2 M€``) for cards and axes.
    """
    if value is None or not math.isfinite(value):
        return "—"
    if unit == "currency":
        symbol = CURRENCY_SYMBOLS.get(currency, currency)
        if compact and abs(value) >= 10_000:
            scaled, suffix = _compact(value, lang)
            number = format_number(scaled, 1 if abs(scaled) < 100 else 0, lang)
            return f"{number}{NBSP}{suffix}{symbol}" if lang == "fr" else f"{symbol}{number}{suffix}"
        decimals = 0 if compact or abs(value) >= 1000 else 2
        number = format_number(value, decimals, lang)
        if lang == "fr":
            return f"{number}{NBSP}{symbol}"
        if number.startswith("−"):
            return f"−{symbol}{number[1:]}"
        return f"{symbol}{number}"
    if unit == "percent":
        number = format_number(value, 1, lang)
        return f"{number}{NBSP}%" if lang == "fr" else f"{number}%"
    if unit == "count":
        return format_number(value, 0 if float(value).is_integer() else 1, lang)
    if unit == "days":
        number = format_number(value, 1, lang)
        return f"{number}{NBSP}j" if lang == "fr" else f"{number} d"
    if unit == "score":
        return format_number(value, 1, lang)
    return format_number(value, 2, lang)


def format_date(day: dt.date, lang: str) -> str:
    """A date as the language writes it: ``05/03/2024`` in French, ``2024-03-05`` in English;
    with its time (``05/03/2024 14:30``) when a datetime has one."""
    text = day.strftime("%d/%m/%Y") if lang == "fr" else day.strftime("%Y-%m-%d")
    if isinstance(day, dt.datetime) and (day.hour or day.minute or day.second):
        text += day.strftime(" %H:%M")
    return text


def format_change(change: float | None, lang: str) -> str:
    """A relative change in percent with its sign: ``+12,5 %``."""
    if change is None or not math.isfinite(change):
        return "—"
    sign = "+" if change > 0 else ""
    number = format_number(change, 1, lang)
    return f"{sign}{number}{NBSP}%" if lang == "fr" else f"{sign}{number}%"


def relative_change(value: float | None, reference: float | None) -> float | None:
    """``(value − reference) ÷ |reference| × 100``; None when it is undefined."""
    if value is None or reference is None or reference == 0:
        return None
    return (value - reference) / abs(reference) * 100.0


def _compact(value: float, lang: str) -> tuple[float, str]:
    magnitude = abs(value)
    if magnitude >= 1e9:
        return value / 1e9, "Md" if lang == "fr" else "bn"
    if magnitude >= 1e6:
        return value / 1e6, "M"
    return value / 1e3, "k"
