"""Excel's conventions shared by the readers and the writers: the epoch of its date serial
numbers and its column letters."""

from __future__ import annotations

import datetime as dt

import numpy as np

#: Excel's day zero (serial 1 is 1900-01-01, with Excel's phantom 1900-02-29 accounted for).
EXCEL_EPOCH = np.datetime64("1899-12-30", "ns")
EXCEL_EPOCH_DATE = dt.date(1899, 12, 30)


def column_letter(index: int) -> str:
    """The spreadsheet letter of the 0-based column ``index`` (0 is A, 26 is AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """The 0-based index of the column named ``letters`` (``A`` is 0, ``AA`` is 26)."""
    index = 0
    for char in letters.strip().upper():
        if not "A" <= char <= "Z":
            raise ValueError(f"not a column: {letters!r}")
        index = index * 26 + ord(char) - 64
    if index == 0:
        raise ValueError(f"not a column: {letters!r}")
    return index - 1


def to_serials(stamps: np.ndarray) -> np.ndarray:
    """Excel serial numbers (days since :data:`EXCEL_EPOCH`, float) of ``datetime64`` values;
    NaT gives NaN."""
    days = (stamps.astype("datetime64[ns]") - EXCEL_EPOCH) / np.timedelta64(1, "D")
    return np.asarray(days, dtype="float64")


def from_serials(serials: np.ndarray) -> np.ndarray:
    """The ``datetime64[ns]`` values of Excel serial numbers (NaN gives NaT), to the millisecond."""
    numbers = np.asarray(serials, dtype="float64")
    millis = np.round(numbers * 86_400_000.0)
    out = np.full(numbers.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = np.isfinite(millis)
    out[ok] = EXCEL_EPOCH + millis[ok].astype("int64").astype("timedelta64[ms]")
    return out
