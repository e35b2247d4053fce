"""A raw column ready to parse, the parsed result, and the "no value" markers of SPEC §3.1.

Every parser takes one column of raw cells (what :mod:`kpidesk.io.read` returns: ``str``,
``float``, ``int``, ``bool``, ``datetime``/``date``, ``None`` or ``""`` for a blank cell) and
returns a :class:`Parsed`. Text is parsed once per *distinct* value (``pandas.factorize``) and
spread back to the rows: real columns repeat their values a lot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

#: Text that means "no value" in a text field (SPEC §3.1 "Blank"), compared stripped: only an
#: empty or blank cell, ``-`` or ``—``. ``NA``, ``N/A``, ``null``, ``None`` are values there
#: (the region ``NA`` is North America).
TEXT_MISSING = frozenset({"", "-", "—"})
#: Excel's error values, as a reader gives them.
EXCEL_ERRORS = frozenset(
    {"#n/a", "#null!", "#div/0!", "#value!", "#ref!", "#name?", "#num!", "#getting_data", "#spill!", "#calc!"}
)
#: Text that means "no value" in a column of numbers, dates, flags or statuses (compared stripped
#: and lower case): no number or date could be read from these.
VALUE_MISSING = (
    TEXT_MISSING
    | EXCEL_ERRORS
    | frozenset({"--", "–", "n/a", "na", "null", "none", "nan", "nat", "n.a.", "nd", "n.d.", "s.o.", "?"})
)

SPACES = "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u3000"


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
    #: Among the invalid cells, those that held a value of the right type out of the range KPI
    #: Desk holds (a date past 2262, an infinite number), for a message of their own.
    outside: np.ndarray | None = None

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


def blank_mask(arr: np.ndarray, spaces: bool = True) -> np.ndarray:
    """True where a cell is empty: ``None``, NaN/NaT, an empty string and, with ``spaces``, a
    string of only spaces (blank everywhere: a blank-looking last row is layout, not data)."""
    mask = np.asarray(pd.isna(arr), dtype=bool)
    # Element-wise comparison in C; non-string cells simply compare unequal.
    mask |= np.asarray(arr == "", dtype=bool)
    if not spaces:
        return mask
    try:
        only_spaces = pd.Series(arr, dtype=object).str.isspace().to_numpy(dtype=object, na_value=False)
    except AttributeError:  # no string at all
        return mask
    mask |= only_spaces.astype(bool)
    return mask


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

NUMERIC_KINDS = frozenset({"floating", "integer", "mixed-integer-float"})
DATE_KINDS = frozenset({"datetime", "date", "datetime64"})


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
        if kind in NUMERIC_KINDS:
            blank = np.isnan(arr.astype(np.float64))
        elif kind in DATE_KINDS:
            blank = np.asarray(pd.isna(arr), dtype=bool)
        else:
            # Cells of spaces are found by their distinct values, when asked (see blank_or_spaces).
            blank = blank_mask(arr, spaces=False)
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

    def blank_or_spaces(self) -> np.ndarray:
        """:attr:`blank`, and the cells of only spaces (looked at once per distinct value)."""
        if self.kind in NUMERIC_KINDS or self.kind in DATE_KINDS or self.kind == "empty":
            return self.blank
        codes, uniques = self.factorised()
        spaces = np.fromiter((isinstance(v, str) and not v.strip() for v in uniques), dtype=bool, count=len(uniques))
        if not spaces.any():
            return self.blank
        return np.asarray(self.blank | ((codes >= 0) & spaces[np.clip(codes, 0, None)]), dtype=bool)

    def factorised(self) -> tuple[np.ndarray, np.ndarray]:
        """(codes, uniques): each row's index in the distinct values (-1 for a blank)."""
        if self._factorised is None:
            codes, uniques = pd.factorize(self.cells, use_na_sentinel=True)
            self._factorised = (np.asarray(codes), as_object_array(uniques))
        return self._factorised


@dataclass
class Uniques:
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


def uniques_of(values: np.ndarray, tokens: frozenset[str]) -> Uniques:
    kind = infer_dtype(values, skipna=True)
    if kind == "string":
        is_str = np.ones(len(values), dtype=bool)
        text = pd.Series(values, dtype=object).str.strip()
    elif kind in NUMERIC_KINDS or kind in DATE_KINDS:
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
    return Uniques(values, is_str, text, missing)


def spread(
    column: Column,
    tokens: frozenset[str],
    parse: Callable[[Uniques], tuple[np.ndarray, np.ndarray]],
    empty: Any,
) -> Parsed:
    """Parse the distinct values of ``column`` with ``parse`` and spread the results to the rows.

    ``parse`` returns (values, invalid) for the uniques; ``empty`` fills the missing rows.
    """
    codes, values = column.factorised()
    uniq = uniques_of(values, tokens)
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


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_)
