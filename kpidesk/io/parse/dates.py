"""Dates from date cells, Excel serial numbers and French or English text."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from kpidesk.core.text import unaccent
from kpidesk.io.excel import EXCEL_EPOCH
from kpidesk.io.parse.column import DATE_KINDS, NUMERIC_KINDS, VALUE_MISSING, Column, Parsed, Uniques, is_number, spread

#: The dates KPI Desk holds: from 1900-01-01 (Excel's first) to the last day its 64-bit
#: nanosecond dates reach (2262-04-10); anything outside is rejected, never wrapped around.
FIRST_DATE = np.datetime64("1900-01-01", "ns")
LAST_DATE = np.datetime64("2262-04-11", "ns")
_SERIAL_MIN = 1.0
_SERIAL_MAX = float((np.datetime64("2262-04-11", "D") - np.datetime64("1899-12-30", "D")).astype(np.int64))

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("janvier", "janv", "jan", "january", "janv."),
        ("fevrier", "fevr", "fev", "feb", "february", "fevr."),
        ("mars", "mar", "march"),
        ("avril", "avr", "apr", "april"),
        ("mai", "may"),
        ("juin", "jun", "june"),
        ("juillet", "juil", "jul", "july"),
        ("aout", "aou", "aug", "august"),
        ("septembre", "sept", "sep", "september"),
        ("octobre", "oct", "october"),
        ("novembre", "nov", "november"),
        ("decembre", "dec", "december"),
    ),
    start=1,
):
    for _name in _names:
        MONTHS[_name.rstrip(".")] = _number

_WEEKDAYS = (
    "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    "lun|mar|mer|jeu|ven|sam|dim|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    "mon|tue|wed|thu|fri|sat|sun"
)
_TIME = r"(?:[ t]+(\d{1,2})[:h](\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME + r"(?:z|[+-]\d{2}:?\d{2})?$")
_NUMERIC_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})" + _TIME + "$")
_NAMED_DMY = re.compile(
    r"^(?:(?:"
    + _WEEKDAYS
    + r")\.?,?\s+)?(\d{1,2})(?:er|st|nd|rd|th)?[\s\-/.]*([a-z]{3,9})\.?[\s\-/.,]+(\d{2}|\d{4})"
    + _TIME
    + "$"
)
_NAMED_MDY = re.compile(
    r"^(?:(?:" + _WEEKDAYS + r")\.?,?\s+)?([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})" + _TIME + "$"
)
_MONTH_YEAR = re.compile(r"^([a-z]{3,9})\.?[\s\-/.]+(\d{4})$")
_NUMERIC_MY = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
_DIGITS = re.compile(r"^\d+(?:[.,]\d+)?$")


def parse_dates(values: Sequence[Any] | np.ndarray | Column, dayfirst: bool | None = None) -> Parsed:
    """Dates from date cells, Excel serial numbers and text.

    Text: ISO (``2024-03-05``, with an optional time), day-first numbers
    (``05/03/2024``, ``5.3.24``; month-first only when the column proves it, e.g.
    ``12/31/2024``), month names in French or English (``5 mars 2024``,
    ``mardi 5 mars 2024``, ``5-mar-24``, ``March 5, 2024``), a month alone
    (``mars 2024``, ``03/2024``: its first day), ``20240305`` and serial numbers
    written as text.

    Args:
        values: the raw cells.
        dayfirst: force the order of ``05/03/2024``; None decides from the column
            (day first unless a value such as ``12/31/2024`` shows otherwise).
    """
    column = Column.of(values)
    nat = np.datetime64("NaT", "ns")
    if column.kind in DATE_KINDS or column.kind == "empty":
        out = _to_datetimes(column.cells)
        parsed = Parsed(out, column.blank.copy(), np.isnat(out) & ~column.blank)
    elif column.kind in NUMERIC_KINDS:
        out = from_serials(column.numbers())
        parsed = Parsed(out, column.blank.copy(), np.isnat(out) & ~column.blank)
    else:
        parsed = spread(column, VALUE_MISSING, lambda u: _dates_of(u, dayfirst), nat)
    return _in_range(parsed, column)


def _in_range(parsed: Parsed, column: Column) -> Parsed:
    """Dates before 1900 or past :data:`LAST_DATE` made invalid (their rows are rejected), and told
    apart from unreadable text: a serial number or a date cell that is no date KPI Desk holds."""
    values = parsed.values
    outside = ~np.isnat(values) & ((values < FIRST_DATE) | (values >= LAST_DATE)) & ~parsed.missing
    for i in np.flatnonzero(parsed.invalid & ~outside):
        cell = column.cells[i]
        if isinstance(cell, dt.date) or (is_number(cell) and np.isfinite(float(cell))):
            outside[i] = True
    if not outside.any():
        return parsed
    values = values.copy()
    values[outside] = np.datetime64("NaT", "ns")
    return Parsed(values, parsed.missing, parsed.invalid | outside, outside=outside)


def _to_datetimes(cells: np.ndarray) -> np.ndarray:
    """Date and datetime cells (None for blanks) as ``datetime64[ns]``; NaT when out of range."""
    try:
        # No cache: it would hash every cell to find the distinct ones, which costs more
        # than converting date objects.
        return np.asarray(pd.to_datetime(cells, errors="coerce", cache=False).to_numpy(dtype="datetime64[ns]"))
    except (ValueError, TypeError, OverflowError):
        return np.array([_one_date(v) for v in cells], dtype="datetime64[ns]")


def _one_date(value: Any) -> np.datetime64:
    if isinstance(value, dt.datetime | dt.date):
        try:
            return pd.Timestamp(value).as_unit("ns").to_datetime64()
        except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
            pass
    return np.datetime64("NaT", "ns")


def _dates_of(uniq: Uniques, dayfirst: bool | None) -> tuple[np.ndarray, np.ndarray]:
    n = len(uniq.values)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    for i in np.flatnonzero(uniq.other):
        value = uniq.values[i]
        if is_number(value):
            out[i] = from_serials(np.array([float(value)]))[0]
        else:
            out[i] = _one_date(value)
    strings = uniq.strings
    if strings.any():
        texts = uniq.text[strings]
        order = dayfirst if dayfirst is not None else _dayfirst(texts)
        out[strings] = _parse_date_texts(texts, order).to_numpy(dtype="datetime64[ns]")
    return out, np.isnat(out)


def from_serials(serials: np.ndarray) -> np.ndarray:
    """Excel serial day numbers (and ``20240305``-style numbers) as datetimes."""
    out = np.full(len(serials), np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = np.isfinite(serials) & (serials >= _SERIAL_MIN) & (serials < _SERIAL_MAX)
    compact = np.isfinite(serials) & (serials >= 19000101) & (serials <= 21001231) & (serials == np.floor(serials))
    ok &= ~compact
    # Rounded to the millisecond, as Excel shows times.
    ms = np.round(serials[ok] * 86_400_000.0).astype(np.int64)
    out[ok] = EXCEL_EPOCH + ms.astype("timedelta64[ms]").astype("timedelta64[ns]")
    if compact.any():
        text = pd.Series(serials[compact].astype(np.int64).astype(str))
        out[compact] = pd.to_datetime(text, format="%Y%m%d", errors="coerce").to_numpy(dtype="datetime64[ns]")
    return out


def _dayfirst(texts: pd.Series) -> bool:
    """Whether ``05/03/2024`` reads day first in this column (French default)."""
    parts = pd.Series(texts.unique(), dtype=object).str.extract(_NUMERIC_DMY.pattern[:-1])
    if parts.empty:
        return True
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    if (first > 12).any():
        return True
    return not (second > 12).any()


def _two_digit_years(text: pd.Series) -> pd.Series:
    """Years as numbers; only a year written with two digits is widened (Excel's rule: 00-29 is
    2000-2029, 30-99 is 1930-1999). ``0000`` stays year 0, and is then rejected."""
    years = pd.to_numeric(text, errors="coerce")
    short = text.astype(str).str.len() <= 2
    return years.where(~short, years + np.where(years < 30, 2000, 1900))


def _assemble(year: pd.Series, month: pd.Series, day: pd.Series, parts: pd.DataFrame, first_time: int) -> pd.Series:
    frame = pd.DataFrame(
        {
            "year": _two_digit_years(year),
            "month": pd.to_numeric(month, errors="coerce"),
            "day": pd.to_numeric(day, errors="coerce"),
            "hour": pd.to_numeric(parts[first_time], errors="coerce").fillna(0),
            "minute": pd.to_numeric(parts[first_time + 1], errors="coerce").fillna(0),
            "second": pd.to_numeric(parts[first_time + 2], errors="coerce").fillna(0),
        }
    )
    valid = frame.notna().all(axis=1)
    valid &= frame["month"].between(1, 12) & frame["day"].between(1, 31)
    valid &= frame["hour"].between(0, 23) & frame["minute"].between(0, 59) & frame["second"].between(0, 59)
    valid &= frame["year"].between(1900, 2999)
    result = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    if valid.any():
        result[valid] = pd.to_datetime(frame[valid].astype(np.int64), errors="coerce")
    return result


def _parse_date_texts(texts: pd.Series, dayfirst: bool) -> pd.Series:
    """Datetimes for distinct date strings (NaT where none of the forms fits)."""
    folded = texts.astype(str).map(fold_date_text)
    result = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[ns]")
    todo = pd.Series(True, index=texts.index)

    def fill(pattern: re.Pattern[str], build: Callable[[pd.DataFrame], pd.Series]) -> None:
        if not todo.any():
            return
        parts = folded[todo].str.extract(pattern.pattern)
        hit = parts[0].notna()
        if hit.any():
            parsed = build(parts[hit])
            result[parsed.index] = parsed
            todo[parts.index[hit]] = False

    fill(_ISO, lambda p: _assemble(p[0], p[1], p[2], p, 3))
    if dayfirst:
        fill(_NUMERIC_DMY, lambda p: _assemble(p[2], p[1], p[0], p, 3))
    else:
        fill(_NUMERIC_DMY, lambda p: _assemble(p[2], p[0], p[1], p, 3))
    fill(_NAMED_DMY, lambda p: _assemble(p[2], p[1].map(MONTHS.get), p[0], p, 3))
    fill(_NAMED_MDY, lambda p: _assemble(p[2], p[0].map(MONTHS.get), p[1], p, 3))

    def month_only(year: pd.Series, month: pd.Series) -> pd.Series:
        times = pd.DataFrame({k: pd.Series(None, index=year.index, dtype=object) for k in (3, 4, 5)})
        return _assemble(year, month, pd.Series(1, index=year.index), times, 3)

    fill(_MONTH_YEAR, lambda p: month_only(p[1], p[0].map(MONTHS.get)))
    fill(_NUMERIC_MY, lambda p: month_only(p[1], p[0]))
    if todo.any():
        digits = folded[todo]
        digits = digits[digits.str.match(_DIGITS.pattern)]
        if len(digits):
            serials = pd.to_numeric(digits.str.replace(",", ".", regex=False), errors="coerce").to_numpy(np.float64)
            result[digits.index] = from_serials(serials)
    return result


def fold_date_text(text: str) -> str:
    """A date text folded for matching: lower case, no accents, single spaces."""
    return " ".join(unaccent(text).split())
