"""Numbers from numeric cells and from text such as ``1 234,56 €``, ``€ 162``, ``(123)``, ``12,5 %``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from kpidesk.io.parse.column import NUMERIC_KINDS, SPACES, VALUE_MISSING, Column, Parsed, Uniques, is_number, spread

_CURRENCY = re.compile(r"(?i)€|\$|£|¥|₣|\b(?:eur|euros?|usd|gbp|chf|cad|ht|ttc)\b\.?")
_CURRENCY_DECIMAL = re.compile(
    r"(?i)(\d)[\s" + SPACES + r"]*(?:€|\$|£|¥|\beur\b|\beuros?\b)[\s" + SPACES + r"]*(\d{1,2})$"
)
_COMMA_DECIMAL_EVIDENCE = re.compile(r"\d,(?:\d{1,2}|\d{4,})$|^\d{1,3}(?:[ .]\d{3})+,\d+$")
_COMMA_THOUSANDS_EVIDENCE = re.compile(r"^\d{1,3}(?:,\d{3}){2,}$|^\d{1,3}(?:,\d{3})+\.\d+$")


def parse_numbers(values: Sequence[Any] | np.ndarray | Column) -> Parsed:
    """Numbers from numeric cells and text such as ``1 234,56 €``, ``€ 162``, ``(123)``.

    Text rules: spaces of any kind (including U+00A0 and U+202F) and currency
    marks are ignored; when both ``,`` and ``.`` occur the last one is the
    decimal mark; ``1,234`` alone follows the column (comma decimals elsewhere
    in the column, or else the French reading 1.234); ``(123)`` and ``123-`` are
    negative; ``12,5 %`` is the fraction 0.125 (as Excel stores percentages);
    ``-``, ``NA``, ``N/A``, ``null`` are missing.
    """
    column = Column.of(values)
    if column.kind in NUMERIC_KINDS or column.kind == "empty":
        # The fast path: a column of number cells (None for the blanks).
        parsed = Parsed(column.numbers(), column.blank.copy(), np.zeros(len(column), dtype=bool))
    else:
        parsed = spread(column, VALUE_MISSING, _numbers_of, np.nan)
    return _finite(parsed)


def _finite(parsed: Parsed) -> Parsed:
    """Infinite numbers (``1e999``, a cell holding inf) made invalid: they are no amount."""
    infinite = np.isinf(parsed.values) & ~parsed.missing
    if not infinite.any():
        return parsed
    values = parsed.values.copy()
    values[infinite] = np.nan
    return Parsed(values, parsed.missing, parsed.invalid | infinite, outside=infinite)


def _numbers_of(uniq: Uniques) -> tuple[np.ndarray, np.ndarray]:
    n = len(uniq.values)
    out = np.full(n, np.nan)
    invalid = np.zeros(n, dtype=bool)
    other = uniq.other
    for i in np.flatnonzero(other):
        value = uniq.values[i]
        if is_number(value):
            out[i] = float(value)
        else:
            invalid[i] = True  # a date or a boolean where a number is expected
    strings = uniq.strings
    if strings.any():
        texts = uniq.text[strings]
        parsed = _parse_number_texts(texts, _comma_is_decimal(texts)).to_numpy(dtype=np.float64)
        out[strings] = parsed
        invalid[strings] = np.isnan(parsed)
    return out, invalid


def _comma_is_decimal(texts: pd.Series) -> bool:
    """Whether a lone ``,`` is the decimal mark in this column (the French default)."""
    uniques = pd.Series(texts.unique(), dtype=object)
    compact = uniques.str.replace(r"[\s" + SPACES + r"€$£%()+\-]", "", regex=True)
    if compact.str.contains(_COMMA_DECIMAL_EVIDENCE).any():
        return True
    return not compact.str.contains(_COMMA_THOUSANDS_EVIDENCE).any()


def _parse_number_texts(texts: pd.Series, comma_decimal: bool) -> pd.Series:
    t = texts.astype(str).str.strip()
    t = t.str.replace("\u2212", "-", regex=False)  # the typographic minus
    negative = t.str.match(r"^\(.*\)$") | t.str.match(r"^[^-]*\d[^-]*-$")
    t = t.str.replace(r"^\((.*)\)$", r"\1", regex=True).str.replace(r"-$", "", regex=True)
    percent = t.str.contains("%", regex=False)
    # A currency between units and cents is their decimal mark: "12€50", "12 euros 50" are 12.50.
    t = t.str.replace(_CURRENCY_DECIMAL, r"\1.\2", regex=True)
    t = t.str.replace("%", "", regex=False).str.replace(_CURRENCY, "", regex=True)
    t = t.str.replace(r"[\s" + SPACES + r"'’]", "", regex=True)
    has_comma = t.str.contains(",", regex=False)
    has_dot = t.str.contains(".", regex=False)
    both = has_comma & has_dot
    comma_last = t.str.rfind(",") > t.str.rfind(".")
    # Both marks: the last one is the decimal mark.
    t = t.where(~(both & comma_last), t.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    t = t.where(~(both & ~comma_last), t.str.replace(",", "", regex=False))
    # Only commas: thousands when grouped in threes (twice or more, or by the column), else decimal.
    only_comma = has_comma & ~has_dot
    grouped = t.str.match(r"^[+-]?\d{1,3}(?:,\d{3}){2,}$")
    ambiguous = t.str.match(r"^[+-]?\d{1,3},\d{3}$")
    thousands = only_comma & (grouped | (ambiguous & (not comma_decimal)))
    t = t.where(~thousands, t.str.replace(",", "", regex=False))
    t = t.where(~(only_comma & ~thousands), t.str.replace(",", ".", regex=False))
    # Only dots, several of them: thousands separators (1.234.567).
    dotted = ~has_comma & t.str.match(r"^[+-]?\d{1,3}(?:\.\d{3}){2,}$")
    t = t.where(~dotted, t.str.replace(".", "", regex=False))
    # Only plain decimal numbers from here: no "inf", "nan" or hex.
    plain = t.str.match(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
    cells = t.to_numpy(dtype=object, copy=True)
    cells[~plain.to_numpy(bool)] = None
    candidates = pd.Series(cells, dtype=object)
    number = pd.Series(pd.to_numeric(candidates, errors="coerce"), dtype=np.float64)
    number = number.where(~negative.to_numpy(bool), -number.abs())
    number = number.where(~percent.to_numpy(bool), number / 100.0)
    return pd.Series(number.to_numpy(), index=texts.index, dtype=np.float64)
