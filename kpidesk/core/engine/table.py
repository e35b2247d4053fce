"""One kind's frame as numpy columns (day numbers, codes of ids and dimensions, numbers, flags)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpidesk.core.cells import MISSING_DAY, code_type, factorize_objects
from kpidesk.core.engine.intervals import _NS_PER_DAY
from kpidesk.core.text import unaccent

# -- prepared data ----------------------------------------------------------------------------


class Table:
    """One kind's frame as numpy columns, with codes for ids and dimensions."""

    def __init__(self, kind: str, frame: pd.DataFrame) -> None:
        self.kind = kind
        self.frame = frame
        self.n = len(frame)
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._days: dict[str, np.ndarray] = {}
        self._holds: dict[str, bool] = {}

    def days(self, column: str) -> np.ndarray:
        """Day numbers of a date column (``INT64_MIN`` where missing), read-only."""
        if column not in self._days:
            if column not in self.frame.columns:
                self._days[column] = _constant(MISSING_DAY, self.n, np.int64)
                return self._days[column]
            values = self.frame[column].to_numpy(dtype="datetime64[ns]")
            days = values.view(np.int64) // _NS_PER_DAY  # floor: the day of a time of day
            days[np.isnat(values)] = MISSING_DAY
            days.flags.writeable = False
            self._days[column] = days
        return self._days[column]

    def code_of(self, column: str, label: str) -> int:
        """The code of ``label`` in a column, -1 when absent."""
        _, labels = self.codes(column)
        for i, value in enumerate(labels):
            if str(value) == label:
                return i
        return -1

    def codes(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """(codes, labels) of a text column; missing values have code -1.

        The codes are read-only and of the narrowest integer type that holds them (a
        category's own codes, not a copy): arithmetic that could exceed that type (a code
        times a count) must widen them first (:func:`wide`).
        """
        if column not in self._codes:
            if column == "customer_id" and self.kind == "sales":
                self._codes[column] = self._customer_codes()
            else:
                self._codes[column] = self.stored_codes(column)
        return self._codes[column]

    def _customer_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """Who bought each line (SPEC §3.1): its customer id, else its customer name, names
        matched trimmed, case- and accent-folded and shown as first written."""
        ids, id_labels = self.stored_codes("customer_id")
        by_name = np.flatnonzero(ids < 0) if self.has_column("customer_name") else np.empty(0, dtype=np.int64)
        if not len(by_name):
            return ids, id_labels
        # Only the lines without an id are read by name (their names folded once each).
        column = self.frame["customer_name"]
        if isinstance(column.dtype, pd.CategoricalDtype):
            names = column.cat.codes.to_numpy()[by_name].astype(np.int64)
            name_labels = np.asarray(column.cat.categories.astype(str), dtype=object)
        else:
            names, name_labels = factorize_objects(column.to_numpy(dtype=object)[by_name])
        group: dict[str, int] = {}
        shown: list[str] = []
        of_label = np.full(len(name_labels) + 1, -1, dtype=np.int64)  # the last slot: no name
        for i in np.unique(names[names >= 0]).tolist():
            key = " ".join(unaccent(str(name_labels[i])).split())
            if key:
                if key not in group:
                    group[key] = len(shown)
                    shown.append(" ".join(str(name_labels[i]).split()))
                of_label[i] = len(id_labels) + group[key]
        if not shown:
            return ids, id_labels
        codes = ids.astype(np.int64)
        codes[by_name] = of_label[np.where(names >= 0, names, len(name_labels))]
        labels = np.concatenate([id_labels, np.asarray(shown, dtype=object)])
        codes = codes.astype(code_type(len(labels)))
        codes.flags.writeable = False
        return codes, labels

    def stored_codes(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """(codes, labels) of one column as stored (:meth:`codes` reads the sales' customer from its
        id or its name)."""
        key = "stored:" + column
        if key not in self._codes:
            self._codes[key] = self._stored_codes(column)
        return self._codes[key]

    def _stored_codes(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        if column not in self.frame.columns:
            return _constant(-1, self.n, np.int8), np.empty(0, dtype=object)
        series = self.frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            codes = series.cat.codes.to_numpy()
            labels = np.asarray(series.cat.categories.astype(str), dtype=object)
        else:
            codes, uniques = factorize_objects(series.to_numpy(dtype=object))
            labels = np.asarray(uniques, dtype=object)
            if pd.api.types.infer_dtype(labels, skipna=False) != "string":
                labels = np.asarray([str(u) for u in labels], dtype=object)
            codes = codes.astype(code_type(len(labels)))
        if codes.flags.writeable:
            codes = codes.view()
            codes.flags.writeable = False
        return codes, labels

    def holds(self, column: str) -> bool:
        """Whether some row has a value in the text column (``customer_id`` of the sales: a
        customer id or name, see :meth:`codes`)."""
        key = "holds:" + column
        if key not in self._holds:
            codes, _ = self.codes(column)
            self._holds[key] = bool(len(codes)) and bool((codes >= 0).any())
        return self._holds[key]

    def numbers(self, column: str) -> np.ndarray:
        """A number column as float64 (NaN where missing)."""
        if column not in self.frame.columns:
            return _constant(np.nan, self.n, np.float64)
        return self.frame[column].to_numpy(dtype="float64", na_value=np.nan)

    def flags(self, column: str) -> np.ndarray:
        """A yes/no column as int8: 1 yes, 0 no, -1 missing."""
        if column not in self.frame.columns:
            return _constant(-1, self.n, np.int8)
        series = self.frame[column]
        values = series.astype("boolean")
        out = np.where(values.isna().to_numpy(), -1, values.fillna(False).to_numpy(dtype=bool).astype(np.int8))
        return out.astype(np.int8)

    def has_column(self, column: str) -> bool:
        return column in self.frame.columns


def _constant(value: float, n: int, dtype: type[np.generic]) -> np.ndarray:
    """``n`` times ``value``, read-only, in the memory of one value (a column a kind lacks)."""
    return np.broadcast_to(np.array(value, dtype=dtype), (n,))


def wide(codes: np.ndarray) -> np.ndarray:
    """``codes`` as int64, for arithmetic that a narrow type would overflow (no copy if they are)."""
    return np.asarray(codes, dtype=np.int64)
