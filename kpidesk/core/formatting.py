"""KPI values written for a person, in French or English: the one formatter of the window, the
command line and the workbook (SPEC §3.1).

French: ``1 234 567 €``, ``12,4 %`` (narrow no-break spaces as thousands separator, as in
the French typographic convention and Excel's fr-FR). English: ``€1,234,567``, ``12.4%``.
Currency with no decimals at or above 1,000 and two below, percents and days with one
decimal, ratios with two (:func:`value_decimals`); the workbook's number formats follow
the same rule (:func:`excel_format`).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal

from kpidesk import i18n
from kpidesk.core.catalog import Unit
from kpidesk.i18n import N_

NNBSP = "\u202f"  # narrow no-break space: French thousands separator
NBSP = "\u00a0"

CURRENCY_SYMBOLS: dict[str, str] = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "CAD": "$", "MAD": "MAD"}

#: How a change against the comparison is measured (SPEC §3.1, ``change_unit`` in the JSON).
ChangeUnit = Literal["percent", "points", "days", "ratio"]

#: Month names, in English as the catalogue's keys (translated by :func:`month_name`).
MONTH_NAMES: tuple[str, ...] = (
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
    N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December"),
)  # fmt: skip
MONTH_ABBREVIATIONS: tuple[str, ...] = (
    N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"),
    N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"),
)  # fmt: skip


def symbol(currency: str) -> str:
    """The sign of a currency (``€``), or its code when it has none of its own."""
    return CURRENCY_SYMBOLS.get(currency, currency)


def value_decimals(unit: Unit, value: float) -> int:
    """The decimals a KPI value is shown with: currency none at or above 1,000 and two below,
    percents, days and scores one, ratios two, counts none (one for a fractional count)."""
    if unit == "currency":
        return 0 if abs(value) >= 1000 else 2
    if unit in ("percent", "days", "score"):
        return 1
    if unit == "count":
        return 0 if float(value).is_integer() else 1
    return 2


def format_number(value: float, decimals: int, lang: str) -> str:
    """``value`` with ``decimals`` decimals and the language's separators."""
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text.replace("-", "−") if text.startswith("-") else text


def _with_currency(number: str, sign: str, lang: str) -> str:
    if lang == "fr":
        return f"{number}{NBSP}{sign}"
    if number.startswith("−"):
        return f"−{sign}{number[1:]}"
    return f"{sign}{number}"


def format_value(value: float | None, unit: Unit, lang: str, currency: str = "EUR", compact: bool = False) -> str:
    """A KPI value with its unit; ``—`` when undefined.

    Args:
        compact: abbreviate amounts of 10,000 and more (``1,2 M€``) for cards and axes.
    """
    if value is None or not math.isfinite(value):
        return "—"
    if unit == "currency":
        sign = symbol(currency)
        if compact and abs(value) >= 10_000:
            scaled, suffix = _compact(value, lang)
            number = format_number(scaled, 1 if abs(scaled) < 100 else 0, lang)
            return f"{number}{NBSP}{suffix}{sign}" if lang == "fr" else _with_currency(f"{number}{suffix}", sign, lang)
        return _with_currency(format_number(value, value_decimals(unit, value), lang), sign, lang)
    number = format_number(value, value_decimals(unit, value), lang)
    if unit == "percent":
        return f"{number}{NBSP}%" if lang == "fr" else f"{number}%"
    if unit == "days":
        return f"{number}{NBSP}j" if lang == "fr" else f"{number} d"
    return number


def format_date(day: dt.date, lang: str) -> str:
    """A date as the language writes it: ``05/03/2024`` in French, ``2024-03-05`` in English;
    with its time (``05/03/2024 14:30``) when a datetime has one."""
    text = day.strftime("%d/%m/%Y") if lang == "fr" else day.strftime("%Y-%m-%d")
    if isinstance(day, dt.datetime) and (day.hour or day.minute or day.second):
        text += day.strftime(" %H:%M")
    return text


def month_name(month: int, lang: str, abbreviated: bool = False) -> str:
    """The name of ``month`` (1-12) in ``lang``, from its translation catalogue: ``mars``, ``Mar``."""
    name = (MONTH_ABBREVIATIONS if abbreviated else MONTH_NAMES)[month - 1]
    return i18n.translator(lang).gettext(name)


def format_change(change: float | None, lang: str, unit: ChangeUnit = "percent") -> str:
    """A change with its sign and unit: ``+12,4 %``, ``+2,1 pts``, ``−3,5 j``, ``+0,25``."""
    if change is None or not math.isfinite(change):
        return "—"
    sign = "+" if change > 0 else ""
    number = sign + format_number(change, 2 if unit == "ratio" else 1, lang)
    if unit == "percent":
        return f"{number}{NBSP}%" if lang == "fr" else f"{number}%"
    if unit == "points":
        return f"{number}{NBSP}pts" if lang == "fr" else f"{number} pts"
    if unit == "days":
        return f"{number}{NBSP}j" if lang == "fr" else f"{number} d"
    return number


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


# -- the workbook's number formats ------------------------------------------------------------


def _affixed(body: str, unit: str, lang: str) -> str:
    """An Excel format ``body`` (``#,##0.0``) with a unit after it (French with a no-break space)."""
    if not unit:
        return body
    if unit == "%":
        return f'{body}"{NBSP}"%' if lang == "fr" else f"{body}%"
    return f'{body}"{NBSP}{unit}"' if lang == "fr" else f'{body}" {unit}"'


def _body(decimals: int, grouped: bool = True) -> str:
    integer = "#,##0" if grouped else "0"
    return integer + ("." + "0" * decimals if decimals else "")


def excel_format(unit: Unit | Literal["attainment"], decimals: int, lang: str, currency: str = "EUR") -> str:
    """The Excel number format of a KPI value shown with ``decimals`` decimals, as
    :func:`format_value` writes it (Excel applies the reader's own separators).

    Percents are written to cells as fractions of 1 (``12,4 %`` is 0.124).
    """
    if unit == "currency":
        sign = symbol(currency)
        body = _body(decimals)
        if lang == "fr":
            return f'{body}"{NBSP}{sign}"'
        return f'"{sign}"{body}' if len(sign) == 1 else f'"{sign} "{body}'
    if unit in ("percent", "attainment"):
        return _affixed(_body(decimals, grouped=False), "%", lang)
    if unit == "days":
        return _affixed(_body(decimals, grouped=False), "j" if lang == "fr" else "d", lang)
    if unit == "count":
        return _body(decimals)
    return _body(decimals, grouped=False)


def excel_change_format(unit: ChangeUnit, lang: str) -> str:
    """The Excel number format of a change (see :func:`format_change`); a percent change is
    written as a fraction of 1, points, days and ratios as they are."""
    decimals = 2 if unit == "ratio" else 1
    body = _body(decimals, grouped=False)
    affix = {"percent": "%", "points": "pts", "days": "j" if lang == "fr" else "d", "ratio": ""}[unit]
    positive, negative, zero = (_affixed(f"{s}{body}", affix, lang) for s in ("+", "-", ""))
    return f"{positive};{negative};{zero}"
