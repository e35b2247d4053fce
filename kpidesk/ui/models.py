"""Qt models: thin adapters over the column arrays of a typed frame.

Cells are read by position from numpy columns (categorical columns stay as
codes and labels, never a million Python strings); sorting is an argsort
permutation inside the model (Orange's ``AbstractSortTableModel``), filtering a
boolean mask: neither calls back into Python per row.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from kpidesk.core.cells import index_type
from kpidesk.core.formatting import format_date, format_number
from kpidesk.i18n import _

SortRole = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


class _Column:
    """One column: its raw values by row, its sort keys and its searchable text, made on demand."""

    def __init__(self, series: pd.Series) -> None:
        self._keys: np.ndarray | None = None
        self._strings: pd.Series | None = None
        self.codes: np.ndarray | None = None
        self.labels: np.ndarray | None = None
        #: Where a number is missing, for integers with missing values (None: NaN marks them).
        self.missing: np.ndarray | None = None
        if pd.api.types.is_datetime64_any_dtype(series):
            self.kind = "date"
            self.values: np.ndarray = series.to_numpy(dtype="datetime64[ns]")
        elif isinstance(series.dtype, pd.CategoricalDtype):
            self.kind = "text"
            self.codes = series.cat.codes.to_numpy()
            self.labels = np.asarray(series.cat.categories.astype(str), dtype=object)
            self.values = self.codes
        elif str(series.dtype) in ("boolean", "bool"):
            self.kind = "bool"
            values = series.astype(object).to_numpy()
            values[series.isna().to_numpy()] = None
            self.values = values
        elif pd.api.types.is_numeric_dtype(series):
            self.kind = "number"
            masked = _masked_parts(series)
            if masked is not None:  # the integers themselves and their mask, not a float copy
                self.values, self.missing = masked
            else:
                self.values = series.to_numpy(dtype="float64", na_value=np.nan)
        else:
            self.kind = "text"
            self.values = series.to_numpy(dtype=object)

    def __len__(self) -> int:
        return len(self.values)

    def value(self, row: int) -> Any:
        if self.codes is not None:
            code = int(self.codes[row])
            assert self.labels is not None
            return None if code < 0 else self.labels[code]
        if self.missing is not None:
            return math.nan if self.missing[row] else float(self.values[row])
        return self.values[row]

    def numbers(self) -> np.ndarray:
        """A number column as float64, NaN where missing (the column itself when it is one)."""
        if self.missing is None:
            return self.values
        out = self.values.astype("float64")
        out[self.missing] = np.nan
        return out

    def keys(self) -> np.ndarray:
        """A float per row ordering the column (NaN for missing values)."""
        if self._keys is None:
            self._keys = self._make_keys()
        return self._keys

    def _make_keys(self) -> np.ndarray:
        if self.kind == "number":
            return self.numbers()
        if self.kind == "date":
            keys = self.values.astype("int64").astype("float64")
            keys[np.isnat(self.values)] = np.nan
            return keys
        if self.codes is not None and self.labels is not None:
            rank = np.empty(len(self.labels), dtype="float64")
            rank[np.argsort([label.casefold() for label in self.labels], kind="stable")] = np.arange(len(self.labels))
            return np.where(self.codes >= 0, rank[np.clip(self.codes, 0, None)], np.nan)
        series = pd.Series(self.values, dtype=object)
        text = series.where(series.isna(), series.astype(str).str.casefold())
        if self.kind == "bool":
            text = series.map(lambda v: None if v is None else float(v))
        codes, _uniques = pd.factorize(text, sort=True)
        keys = codes.astype("float64")
        keys[codes < 0] = np.nan
        return keys

    def strings(self) -> pd.Series:
        """The column as lower-case text, for the filter (made once, then kept)."""
        if self._strings is None:
            self._strings = self._make_strings()
        return self._strings

    def _make_strings(self) -> pd.Series:
        if self.codes is not None and self.labels is not None:
            folded = np.array([label.casefold() for label in self.labels] + [""], dtype=object)
            return pd.Series(folded[np.where(self.codes >= 0, self.codes, len(self.labels))], dtype=object)
        if self.kind == "number":
            numbers = self.numbers()
            text = np.char.mod("%g", np.nan_to_num(numbers, nan=0.0)).astype(object)
            text[np.isnan(numbers)] = ""
            return pd.Series(text, dtype=object)
        if self.kind == "date":
            return pd.Series(pd.to_datetime(self.values)).dt.strftime("%Y-%m-%d %d/%m/%Y").fillna("")
        return pd.Series(self.values, dtype=object).fillna("").astype(str).str.casefold()

    def contains(self, needle: str) -> np.ndarray:
        """Which rows hold ``needle`` (already case-folded) in their text, vectorised: a text
        column of few distinct values is searched once per value, not once per row."""
        if self.codes is not None and self.labels is not None:
            hits = np.array([needle in label.casefold() for label in self.labels] + [False], dtype=bool)
            return hits[np.where(self.codes >= 0, self.codes, len(self.labels))]
        return self.strings().str.contains(needle, regex=False).to_numpy(dtype=bool)


class FrameModel(QAbstractTableModel):
    """A read-only table over a DataFrame, sortable and filterable without copies of the data."""

    def __init__(
        self,
        frame: pd.DataFrame | None = None,
        headers: dict[str, str] | None = None,
        lang: str = "en",
        formatters: dict[str, Callable[[float], str]] | None = None,
    ) -> None:
        super().__init__()
        self.lang = lang
        self._headers = headers or {}
        self._formatters = formatters or {}
        self._frame = pd.DataFrame()
        self._columns: list[_Column] = []
        self._order = np.zeros(0, dtype=np.int32)  # view row -> frame row
        self._mask: np.ndarray | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None
        if frame is not None:
            self.set_frame(frame)

    # -- data in ------------------------------------------------------------------------

    def set_headers(self, headers: dict[str, str], formatters: dict[str, Callable[[float], str]] | None = None) -> None:
        """Column titles (and number formatters) by column name; applied at the next :meth:`set_frame`."""
        self._headers = headers
        self._formatters = formatters or {}

    def set_frame(self, frame: pd.DataFrame) -> None:
        self.beginResetModel()
        self._frame = frame
        self._columns = [_Column(frame[name]) for name in frame.columns]
        self._mask = None
        self._order = np.arange(len(frame), dtype=index_type(len(frame)))
        if self._sort is not None and self._sort[0] < len(self._columns):
            self._order = self._sorted_order(*self._sort)
        self.endResetModel()

    def frame(self) -> pd.DataFrame:
        return self._frame

    def visible_frame(self) -> pd.DataFrame:
        """The rows as shown: filtered and sorted (for exports)."""
        return self._frame.iloc[self._order]

    # -- Qt model interface ---------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._order)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self._frame.columns):
                name = str(self._frame.columns[section])
                return self._headers.get(name, name)
            return None
        return section + 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < len(self._order) and 0 <= col < len(self._columns)):
            return None
        column = self._columns[col]
        value = column.value(int(self._order[row]))
        if role == Qt.ItemDataRole.DisplayRole:
            formatter = self._formatters.get(str(self._frame.columns[col]))
            if formatter is not None and column.kind == "number":
                return "" if math.isnan(value) else formatter(float(value))
            return self._display(value, column.kind)
        if role in (Qt.ItemDataRole.EditRole, SortRole):
            return _raw(value, column.kind)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column.kind == "number":
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        self._sort = (column, order)
        self._relayout(self._sorted_order(column, order))

    # -- sort and filter ------------------------------------------------------------------

    def _rows(self) -> np.ndarray:
        n = len(self._frame)
        rows = np.flatnonzero(self._mask) if self._mask is not None else np.arange(n)
        return rows.astype(index_type(n), copy=False)

    def _sorted_order(self, column: int, order: Qt.SortOrder) -> np.ndarray:
        rows = self._rows()
        keys = self._columns[column].keys()
        if self._mask is not None:
            keys = keys[rows]
        if order == Qt.SortOrder.DescendingOrder:
            keys = -keys
        # numpy puts NaN last: missing values stay at the bottom either way; ties keep their order.
        ranks = np.argsort(keys, kind="stable")
        del keys
        result: np.ndarray = rows[ranks]
        return result

    def set_filter(self, text: str) -> None:
        """Keep the rows where some cell contains ``text`` (case-insensitive)."""
        self.apply_mask(self.filter_mask(text))

    def filter_mask(self, text: str) -> np.ndarray | None:
        """The rows where some cell contains ``text`` (case-insensitive), None for all rows.

        Touches no Qt object: it may run on a worker thread, then :meth:`apply_mask` shows
        the result on the GUI thread.
        """
        needle = text.strip().casefold()
        if not needle:
            return None
        mask = np.zeros(len(self._frame), dtype=bool)
        for column in list(self._columns):
            mask |= column.contains(needle)
        return mask

    def apply_mask(self, mask: np.ndarray | None) -> None:
        """Show the rows of ``mask`` (from :meth:`filter_mask` on the current frame)."""
        if mask is not None and len(mask) != len(self._frame):
            return  # computed on a frame since replaced
        self._mask = mask
        order = self._sorted_order(*self._sort) if self._sort is not None else self._rows()
        self._relayout(order)

    def _relayout(self, order: np.ndarray) -> None:
        """Show the frame rows ``order``; selections and other persistent indexes follow their rows."""
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        sources = [int(self._order[i.row()]) for i in persistent]
        self._order = order
        if persistent:
            position = np.full(len(self._frame), -1, dtype=np.int64)
            position[order] = np.arange(len(order))
            moved = [
                self.index(int(position[src]), i.column()) if position[src] >= 0 else QModelIndex()
                for i, src in zip(persistent, sources, strict=True)
            ]
            self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def _display(self, value: Any, kind: str) -> str:
        if kind == "number":
            if math.isnan(value):
                return ""
            decimals = 0 if float(value).is_integer() else 2
            return format_number(float(value), decimals, self.lang)
        if kind == "date":
            if np.isnat(value):
                return ""
            return format_date(pd.Timestamp(value).to_pydatetime(), self.lang)
        if kind == "bool":
            if value is None:
                return ""
            return _("yes") if value else _("no")
        return "" if value is None else str(value)


def _masked_parts(series: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """(values, missing) of a column of integers with missing values (pandas' ``Int64``...),
    without copying them; None for other columns."""
    array = series.array
    if not isinstance(array, pd.arrays.IntegerArray):
        return None
    values, missing = getattr(array, "_data", None), getattr(array, "_mask", None)
    if not isinstance(values, np.ndarray) or not isinstance(missing, np.ndarray):
        return None  # another pandas: its float copy below serves
    return values, missing


def _raw(value: Any, kind: str) -> Any:
    if kind == "number":
        return None if math.isnan(value) else float(value)
    if kind == "date":
        return None if np.isnat(value) else pd.Timestamp(value).to_pydatetime()
    if kind == "bool":
        return None if value is None else bool(value)
    return None if value is None else str(value)
