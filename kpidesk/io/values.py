"""Cell values to typed columns, following SPEC §1 "Value rules".

Every parser takes one column of raw cells (what :mod:`kpidesk.io.reading`
returns: ``str``, ``float``, ``int``, ``bool``, ``datetime``/``date``, ``None``
or ``""`` for a blank cell) and returns a :class:`Parsed`: the typed values,
which cells were blank (``missing``) and which held something that could not
be read (``invalid``).

The work is vectorised: a column that is already all numbers or all dates
takes a numpy/pandas fast path, and text is parsed once per *distinct* value
(``pandas.factorize``) with pandas string methods, then spread back to the
rows. Real columns repeat their values a lot (dates, statuses, countries), so
this is much cheaper than a Python call per cell.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from kpidesk.io.excel import EXCEL_EPOCH

__all__ = [
    "Column",
    "Parsed",
    "as_object_array",
    "blank_mask",
    "cell_text",
    "fold",
    "parse_activity_types",
    "parse_bools",
    "parse_dates",
    "parse_numbers",
    "parse_periods",
    "parse_spend_categories",
    "parse_statuses",
    "parse_texts",
]

#: Text that means "no value" in any column (compared case-insensitively, stripped).
TEXT_MISSING = frozenset({"", "na", "n/a", "#n/a", "null", "#null!"})
#: Text that also means "no value" in a column of numbers, dates, flags or statuses.
#: ``None`` is in this list but not in :data:`TEXT_MISSING`: in a text column it is a
#: value (the Financial Sample's "Discount Band" holds the word ``None``).
VALUE_MISSING = TEXT_MISSING | frozenset({"-", "--", "—", "–", "none", "nan", "nat", "n.a.", "nd", "n.d.", "s.o.", "?"})

#: Serial numbers accepted as dates: 1900-01-01 to 9999-12-31.
_SERIAL_MIN, _SERIAL_MAX = 1.0, 2958466.0

_SPACES = "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u3000"


@dataclass(frozen=True)
class Parsed:
    """One parsed column.

    Attributes:
        values: the typed values (``float64``, ``datetime64[ns]``, ``bool`` or ``object``);
            meaningless where ``missing`` or ``invalid``.
        missing: the cell was blank or held a "no value" marker (``NA``, ``-``…).
        invalid: the cell held a value that is not of the expected kind.
        codes, labels: when the column was parsed by its distinct values, each row's
            index in ``labels`` (the parsed distinct values; -1 for a blank cell):
            ``values`` is ``labels[codes]`` (see :meth:`categorical`).
    """

    values: np.ndarray
    missing: np.ndarray
    invalid: np.ndarray
    codes: np.ndarray | None = None
    labels: np.ndarray | None = None

    def categorical(self) -> pd.Categorical | None:
        """The values as a categorical (missing rows missing), each distinct text once,
        without going through the rows' objects; None when not parsed by distinct values."""
        if self.codes is None or self.labels is None:
            return None
        label_codes, labels = pd.factorize(self.labels, use_na_sentinel=True)
        if len(label_codes):
            codes = np.where(self.codes >= 0, label_codes[np.clip(self.codes, 0, None)], -1)
        else:
            codes = np.full(len(self.codes), -1, dtype=np.int64)
        codes[self.missing | self.invalid] = -1
        return pd.Categorical.from_codes(codes, categories=pd.Index(labels, dtype=object))  # type: ignore[arg-type]

    @property
    def ok(self) -> np.ndarray:
        return np.asarray(~(self.missing | self.invalid), dtype=bool)


# -- helpers -------------------------------------------------------------------------------


def as_object_array(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    """``values`` as a 1-D object array (never a 2-D array of tuples)."""
    if isinstance(values, np.ndarray) and values.dtype == object and values.ndim == 1:
        return values
    out = np.empty(len(values), dtype=object)
    out[:] = list(values) if not isinstance(values, list | np.ndarray) else values
    return out


def blank_mask(arr: np.ndarray) -> np.ndarray:
    """True where a cell is empty: ``None``, NaN/NaT or an empty string."""
    mask = pd.isna(arr)
    # Element-wise comparison in C; non-string cells simply compare unequal.
    mask |= arr == ""
    return np.asarray(mask, dtype=bool)


def fold(text: str) -> str:
    """Lower case without accents, with runs of non-alphanumerics as one space."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", stripped).split())


def cell_text(value: Any) -> str:
    """A raw cell as the user reads it (error reports, headers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds").removesuffix(" 00:00:00")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


# -- a raw column, factorised ----------------------------------------------------------------

_NUMERIC_KINDS = frozenset({"floating", "integer", "mixed-integer-float"})
_DATE_KINDS = frozenset({"datetime", "date", "datetime64"})


@dataclass
class Column:
    """A raw column ready to parse.

    Attributes:
        cells: the cells, blank ones set to None.
        blank: True where the cell is empty (None, NaN or "").
        kind: pandas' ``infer_dtype`` of the non-blank cells (``floating``, ``string``,
            ``datetime``, ``mixed``…).
    """

    cells: np.ndarray
    blank: np.ndarray
    kind: str
    _factorised: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def of(cls, values: Sequence[Any] | np.ndarray | Column) -> Column:
        """``values`` ready to parse (a :class:`Column` is returned as it is)."""
        if isinstance(values, Column):
            return values
        arr = as_object_array(values)
        kind = str(infer_dtype(arr, skipna=True))
        # Numbers or dates only (the type check skips None and NaN): no "" among them to look for.
        if kind in _NUMERIC_KINDS:
            blank = np.isnan(arr.astype(np.float64))
        elif kind in _DATE_KINDS:
            blank = np.asarray(pd.isna(arr), dtype=bool)
        else:
            blank = blank_mask(arr)
        cells = arr
        if blank.any():
            # Calamine gives "" for a blank cell: set them aside so that a column of numbers
            # with holes still reads as numbers.
            cells = arr.copy()
            cells[blank] = None
            kind = str(infer_dtype(cells, skipna=True))
        return cls(cells, blank, kind)

    def __len__(self) -> int:
        return len(self.cells)

    def numbers(self) -> np.ndarray:
        """The cells as ``float64`` (NaN for blanks), for a column of number cells."""
        cells = self.cells
        if self.blank.any():
            cells = cells.copy()
            cells[self.blank] = np.nan
        return np.asarray(cells.astype(np.float64))

    def factorised(self) -> tuple[np.ndarray, np.ndarray]:
        """(codes, uniques): each row's index in the distinct values (-1 for a blank)."""
        if self._factorised is None:
            codes, uniques = pd.factorize(self.cells, use_na_sentinel=True)
            self._factorised = (np.asarray(codes), as_object_array(uniques))
        return self._factorised


@dataclass
class _Uniques:
    """The distinct values of a column, sorted out by type."""

    values: np.ndarray  # object
    is_str: np.ndarray  # bool
    text: pd.Series  # the stripped text of the strings ("" elsewhere)
    missing: np.ndarray  # bool: blank text or a "no value" token

    @property
    def other(self) -> np.ndarray:
        """Present values that are not strings (numbers, dates, booleans)."""
        return np.asarray(~self.is_str & ~self.missing, dtype=bool)

    @property
    def strings(self) -> np.ndarray:
        """Present values that are strings."""
        return np.asarray(self.is_str & ~self.missing, dtype=bool)


def _uniques(values: np.ndarray, tokens: frozenset[str]) -> _Uniques:
    kind = infer_dtype(values, skipna=True)
    if kind == "string":
        is_str = np.ones(len(values), dtype=bool)
        text = pd.Series(values, dtype=object).str.strip()
    elif kind in _NUMERIC_KINDS or kind in _DATE_KINDS:
        is_str = np.zeros(len(values), dtype=bool)
        text = pd.Series("", index=range(len(values)), dtype=object)
    else:
        # Mixed values (invoice numbers both numeric and text): the strings stripped, in one pass.
        stripped = np.empty(len(values), dtype=object)
        stripped[:] = [v.strip() if isinstance(v, str) else None for v in values]
        is_str = np.asarray(stripped != None, dtype=bool)  # noqa: E711 (element-wise)
        stripped[~is_str] = ""
        text = pd.Series(stripped, dtype=object)
    missing = is_str & text.str.lower().isin(tokens).to_numpy(dtype=bool)
    return _Uniques(values, is_str, text, missing)


def _spread(
    column: Column,
    tokens: frozenset[str],
    parse: Callable[[_Uniques], tuple[np.ndarray, np.ndarray]],
    empty: Any,
) -> Parsed:
    """Parse the distinct values of ``column`` with ``parse`` and spread the results to the rows.

    ``parse`` returns (values, invalid) for the uniques; ``empty`` fills the missing rows.
    """
    codes, values = column.factorised()
    uniq = _uniques(values, tokens)
    u_values, u_invalid = parse(uniq)
    u_invalid = u_invalid & ~uniq.missing
    n = len(column)
    present = codes >= 0
    missing = np.asarray(column.blank | ~present, dtype=bool)
    if len(values):
        missing |= uniq.missing[codes] & present
        out = u_values[codes]
        invalid = u_invalid[codes] & ~missing
    else:
        out = np.empty(n, dtype=u_values.dtype)
        invalid = np.zeros(n, dtype=bool)
    if missing.any():
        out = out.copy() if out.base is not None else out
        out[missing] = empty
    return Parsed(out, missing, np.asarray(invalid, dtype=bool), codes, u_values)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_)


# -- numbers -------------------------------------------------------------------------------

_CURRENCY = re.compile(r"(?i)€|\$|£|¥|₣|\b(?:eur|euros?|usd|gbp|chf|cad|ht|ttc)\b\.?")
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
    if column.kind in _NUMERIC_KINDS or column.kind == "empty":
        # The fast path: a column of number cells (None for the blanks).
        return Parsed(column.numbers(), column.blank.copy(), np.zeros(len(column), dtype=bool))
    return _spread(column, VALUE_MISSING, _numbers_of, np.nan)


def _numbers_of(uniq: _Uniques) -> tuple[np.ndarray, np.ndarray]:
    n = len(uniq.values)
    out = np.full(n, np.nan)
    invalid = np.zeros(n, dtype=bool)
    other = uniq.other
    for i in np.flatnonzero(other):
        value = uniq.values[i]
        if _is_number(value):
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
    compact = uniques.str.replace(r"[\s" + _SPACES + r"€$£%()+\-]", "", regex=True)
    if compact.str.contains(_COMMA_DECIMAL_EVIDENCE).any():
        return True
    return not compact.str.contains(_COMMA_THOUSANDS_EVIDENCE).any()


def _parse_number_texts(texts: pd.Series, comma_decimal: bool) -> pd.Series:
    t = texts.astype(str).str.strip()
    t = t.str.replace("\u2212", "-", regex=False)  # the typographic minus
    negative = t.str.match(r"^\(.*\)$") | t.str.match(r"^[^-]*\d[^-]*-$")
    t = t.str.replace(r"^\((.*)\)$", r"\1", regex=True).str.replace(r"-$", "", regex=True)
    percent = t.str.contains("%", regex=False)
    t = t.str.replace("%", "", regex=False).str.replace(_CURRENCY, "", regex=True)
    t = t.str.replace(r"[\s" + _SPACES + r"'’]", "", regex=True)
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


# -- dates ---------------------------------------------------------------------------------

_MONTHS: dict[str, int] = {}
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
        _MONTHS[_name.rstrip(".")] = _number

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
    if column.kind in _DATE_KINDS or column.kind == "empty":
        out = _to_datetimes(column.cells)
        return Parsed(out, column.blank.copy(), np.isnat(out) & ~column.blank)
    if column.kind in _NUMERIC_KINDS:
        out = _from_serials(column.numbers())
        return Parsed(out, column.blank.copy(), np.isnat(out) & ~column.blank)
    return _spread(column, VALUE_MISSING, lambda u: _dates_of(u, dayfirst), nat)


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


def _dates_of(uniq: _Uniques, dayfirst: bool | None) -> tuple[np.ndarray, np.ndarray]:
    n = len(uniq.values)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    for i in np.flatnonzero(uniq.other):
        value = uniq.values[i]
        if _is_number(value):
            out[i] = _from_serials(np.array([float(value)]))[0]
        else:
            out[i] = _one_date(value)
    strings = uniq.strings
    if strings.any():
        texts = uniq.text[strings]
        order = dayfirst if dayfirst is not None else _dayfirst(texts)
        out[strings] = _parse_date_texts(texts, order).to_numpy(dtype="datetime64[ns]")
    return out, np.isnat(out)


def _from_serials(serials: np.ndarray) -> np.ndarray:
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


def _two_digit_years(years: pd.Series) -> pd.Series:
    # Excel's rule: 00-29 is 2000-2029, 30-99 is 1930-1999.
    return years.where(years >= 100, years + np.where(years < 30, 2000, 1900))


def _assemble(year: pd.Series, month: pd.Series, day: pd.Series, parts: pd.DataFrame, first_time: int) -> pd.Series:
    frame = pd.DataFrame(
        {
            "year": _two_digit_years(pd.to_numeric(year, errors="coerce")),
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
    fill(_NAMED_DMY, lambda p: _assemble(p[2], p[1].map(_MONTHS.get), p[0], p, 3))
    fill(_NAMED_MDY, lambda p: _assemble(p[2], p[0].map(_MONTHS.get), p[1], p, 3))

    def month_only(year: pd.Series, month: pd.Series) -> pd.Series:
        times = pd.DataFrame({k: pd.Series(None, index=year.index, dtype=object) for k in (3, 4, 5)})
        return _assemble(year, month, pd.Series(1, index=year.index), times, 3)

    fill(_MONTH_YEAR, lambda p: month_only(p[1], p[0].map(_MONTHS.get)))
    fill(_NUMERIC_MY, lambda p: month_only(p[1], p[0]))
    if todo.any():
        digits = folded[todo]
        digits = digits[digits.str.match(_DIGITS.pattern)]
        if len(digits):
            serials = pd.to_numeric(digits.str.replace(",", ".", regex=False), errors="coerce").to_numpy(np.float64)
            result[digits.index] = _from_serials(serials)
    return result


def fold_date_text(text: str) -> str:
    """A date text folded for matching: lower case, no accents, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


# -- text ----------------------------------------------------------------------------------


def parse_texts(values: Sequence[Any] | np.ndarray | Column) -> Parsed:
    """Text and identifiers, exactly as the user sees them.

    Strings are stripped of surrounding spaces and kept as they are (``None`` is a
    word here, not a missing value). Numbers become their shortest text:
    ``17841.0`` gives ``"17841"``, ``2.5`` gives ``"2.5"``. Dates give ISO text.
    """
    column = Column.of(values)
    if column.kind in _NUMERIC_KINDS:
        codes, uniques = pd.factorize(column.numbers(), use_na_sentinel=True)
        labels = _number_texts(np.asarray(uniques, dtype=np.float64))
        out = labels[codes] if len(labels) else np.full(len(column), None, dtype=object)
        missing = np.asarray(codes < 0, dtype=bool)
        if missing.any():
            out[missing] = None
        return Parsed(out, missing, np.zeros(len(column), dtype=bool), codes, labels)
    return _spread(column, TEXT_MISSING, _texts_of, None)


def _texts_of(uniq: _Uniques) -> tuple[np.ndarray, np.ndarray]:
    n = len(uniq.values)
    out = uniq.text.to_numpy(dtype=object, copy=True)
    other = uniq.other
    if other.any():
        values = uniq.values[other]
        if infer_dtype(values, skipna=True) in _NUMERIC_KINDS:
            out[other] = _number_texts(np.asarray(values, dtype=np.float64))
        else:
            out[other] = [cell_text(v) for v in values]
    return out, np.zeros(n, dtype=bool)


def _number_texts(numbers: np.ndarray) -> np.ndarray:
    """Numbers as the text a user reads: no ``.0`` on whole numbers."""
    out = np.empty(len(numbers), dtype=object)
    whole = np.isfinite(numbers) & (numbers == np.floor(numbers)) & (np.abs(numbers) < 2**53)
    out[whole] = numbers[whole].astype(np.int64).astype(str).astype(object)
    if (~whole).any():
        out[~whole] = [repr(float(v)) for v in numbers[~whole]]
    return out


# -- flags, statuses, activity types, spend categories, periods --------------------------

_TRUE = frozenset({"oui", "o", "yes", "y", "vrai", "true", "1", "x", "ok", "✓", "✔", "☑", "v"})
_FALSE = frozenset({"non", "n", "no", "faux", "false", "0"})
_MARKS = frozenset({"x", "✓", "✔", "☑", "v"})


def parse_bools(values: Sequence[Any] | np.ndarray | Column) -> Parsed:
    """Yes/no flags: oui/non, yes/no, vrai/faux, true/false, 1/0, boolean cells.

    A column that marks its "yes" rows with ``x`` (or a tick) and nothing else
    reads its blank cells as "no".
    """
    column = Column.of(values)
    parsed = _spread(column, VALUE_MISSING, _bools_of, False)
    _codes, uniques = column.factorised()
    uniq = _uniques(uniques, VALUE_MISSING)
    lowered = uniq.text.str.lower()
    marks = lowered.isin(_MARKS).to_numpy(dtype=bool) & uniq.strings
    others = (uniq.strings & ~marks) | uniq.other
    if marks.any() and not others.any():
        # The x/blank convention: a blank cell is a "no".
        return Parsed(parsed.values, np.zeros(len(column), dtype=bool), parsed.invalid)
    return Parsed(np.asarray(parsed.values, dtype=bool), parsed.missing, parsed.invalid)


def _bools_of(uniq: _Uniques) -> tuple[np.ndarray, np.ndarray]:
    n = len(uniq.values)
    out = np.zeros(n, dtype=bool)
    invalid = np.zeros(n, dtype=bool)
    lowered = uniq.text.str.lower()
    strings = uniq.strings
    out[strings] = lowered[strings].isin(_TRUE).to_numpy(dtype=bool)
    invalid[strings] = ~(lowered[strings].isin(_TRUE) | lowered[strings].isin(_FALSE)).to_numpy(dtype=bool)
    for i in np.flatnonzero(uniq.other):
        value = uniq.values[i]
        if isinstance(value, bool | np.bool_) or (_is_number(value) and float(value) in (0.0, 1.0)):
            out[i] = bool(value)
        else:
            invalid[i] = True
    return out, invalid


_WON = re.compile(
    r"\b(?:won|win|gagne|gagnee|signe|signee|conclu|conclue|remporte|remportee|accepte|acceptee|"
    r"closed won|closedwon|succes|vendu|vendue|commande)\b"
)
_LOST = re.compile(
    r"\b(?:lost|lose|perdu|perdue|closed lost|closedlost|abandon|abandonne|abandonnee|refuse|refusee|"
    r"annule|annulee|cancelled|canceled|rejected|rejete|rejetee|echec|sans suite|no go|nogo|disqualified)\b"
)


def _labels(uniq: _Uniques) -> pd.Series:
    """The text of every unique value (numbers and dates as the user reads them)."""
    text = uniq.text.copy()
    other = uniq.other
    if other.any():
        text[other] = [cell_text(v) for v in uniq.values[other]]
    return text


def _classifier(classify: Callable[[pd.Series], np.ndarray]) -> Callable[[_Uniques], tuple[np.ndarray, np.ndarray]]:
    def parse(uniq: _Uniques) -> tuple[np.ndarray, np.ndarray]:
        folded = _labels(uniq).astype(str).map(fold)
        out = np.asarray(classify(folded), dtype=object)
        return out, np.zeros(len(out), dtype=bool)

    return parse


def parse_statuses(values: Sequence[Any] | np.ndarray | Column) -> Parsed:
    """Opportunity statuses ``open``/``won``/``lost`` from any CRM stage name.

    gagné, won, "Closed Won", signé… are won; perdu, lost, "Closed Lost",
    abandonné, annulé… are lost; every other stage (en cours, Prospecting,
    Engaging, Qualification, Proposal, Negotiation…) is open.
    """

    def classify(folded: pd.Series) -> np.ndarray:
        lost = folded.str.contains(_LOST).to_numpy(dtype=bool)
        won = folded.str.contains(_WON).to_numpy(dtype=bool) & ~lost
        return np.where(lost, "lost", np.where(won, "won", "open")).astype(object)

    return _spread(Column.of(values), VALUE_MISSING, _classifier(classify), None)


_ACTIVITY_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("call", re.compile(r"\b(?:appel|appels|call|calls|phone|telephone|tel|cold call|coup de fil)\b")),
    (
        "meeting",
        re.compile(
            r"\b(?:rdv|rendez vous|rendezvous|reunion|meeting|meetings|visite|visit|demo|demonstration|"
            r"entretien|rencontre|visio|visioconference)\b"
        ),
    ),
    (
        "proposal",
        re.compile(r"\b(?:proposition|propositions|devis|proposal|proposals|offre|quote|quotation)\b"),
    ),
    ("email", re.compile(r"\b(?:e mail|email|emails|mail|mails|courriel|courriels|mailing)\b")),
)


def parse_activity_types(values: Sequence[Any] | np.ndarray | Column) -> Parsed:
    """Activity types: appel/call, RDV/rendez-vous/réunion/meeting, proposition/devis/proposal,
    e-mail/mail; anything else is ``other``."""

    def classify(folded: pd.Series) -> np.ndarray:
        result = np.full(len(folded), "other", dtype=object)
        decided = np.zeros(len(folded), dtype=bool)
        for name, pattern in _ACTIVITY_RULES:
            hit = folded.str.contains(pattern).to_numpy(dtype=bool) & ~decided
            result[hit] = name
            decided |= hit
        return result

    return _spread(Column.of(values), VALUE_MISSING, _classifier(classify), None)


_SALES_SPEND = re.compile(r"\b(?:sales|vente|ventes|commercial|commerciale|commerciaux|force de vente)\b")


def parse_spend_categories(values: Sequence[Any] | np.ndarray | Column) -> Parsed:
    """Spend categories ``marketing`` or ``sales`` (ventes, commercial…); blank is marketing."""

    def classify(folded: pd.Series) -> np.ndarray:
        return np.where(folded.str.contains(_SALES_SPEND).to_numpy(dtype=bool), "sales", "marketing").astype(object)

    parsed = _spread(Column.of(values), VALUE_MISSING, _classifier(classify), "marketing")
    return Parsed(parsed.values, np.zeros(len(parsed.values), dtype=bool), parsed.invalid)


def _period_of(text: str) -> str | None:
    """The canonical period label of one text, or None."""
    t = fold_date_text(text).replace(" ", "")
    if m := re.fullmatch(r"(?:fy)?(\d{4})", t):
        return m.group(1)
    if m := re.fullmatch(r"(\d{4})[-/]?[qt]([1-4])", t) or re.fullmatch(r"[qt]([1-4])[-/]?(\d{4})", t):
        year, quarter = (m.group(1), m.group(2)) if len(m.group(1)) == 4 else (m.group(2), m.group(1))
        return f"{year}-Q{quarter}"
    if m := re.fullmatch(r"(\d{4})[-/]?(?:w|s|sem)(\d{1,2})", t):
        week = int(m.group(2))
        return f"{m.group(1)}-W{week:02d}" if 1 <= week <= 53 else None
    if m := re.fullmatch(r"(\d{4})[-/](\d{1,2})", t):
        month = int(m.group(2))
        return f"{m.group(1)}-{month:02d}" if 1 <= month <= 12 else None
    if m := re.fullmatch(r"(\d{1,2})[-/](\d{4})", t):
        month = int(m.group(1))
        return f"{m.group(2)}-{month:02d}" if 1 <= month <= 12 else None
    if m := re.fullmatch(r"([a-z]{3,9})\.?-?(\d{4})", t):
        month_number = _MONTHS.get(m.group(1))
        return f"{m.group(2)}-{month_number:02d}" if month_number else None
    return None


def parse_periods(values: Sequence[Any] | np.ndarray | Column) -> Parsed:
    """Target periods as labels: ``2024``, ``2024-Q1``, ``2024-03``, ``2024-W05``.

    Also reads ``T1 2024``/``Q1-2024`` (quarters), ``03/2024``, ``mars 2024``, a
    year typed as a number, and a date cell (its month).
    """

    def periods(uniq: _Uniques) -> tuple[np.ndarray, np.ndarray]:
        out = np.full(len(uniq.values), None, dtype=object)
        for i in np.flatnonzero(uniq.strings):
            out[i] = _period_of(str(uniq.text.iloc[i]))
        for i in np.flatnonzero(uniq.other):
            value = uniq.values[i]
            if isinstance(value, dt.date):
                out[i] = f"{value.year:04d}-{value.month:02d}"
            elif _is_number(value) and float(value).is_integer():
                out[i] = _period_of(str(int(value)))
        return out, np.asarray(pd.isna(out), dtype=bool)

    return _spread(Column.of(values), VALUE_MISSING, periods, None)
