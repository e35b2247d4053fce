"""Qt models: thin adapters over the column arrays of a typed frame.

Cells are read by position from numpy columns; sorting is an argsort
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

from kpidesk.core.formatting import format_number

SortRole = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


class FrameModel(QAbstractTableModel):
    """A read-only table over a DataFrame, sortable and filterable without copies of the data."""

    def __init__(self, frame: pd.DataFrame | None = None, headers: dict[str, str] | None = None,
                 lang: str = "en", formatters: dict[str, Callable[[float], str]] | None = None) -> None:
        super().__init__()
        self.lang = lang
        self._headers = headers or {}
        self._formatters = formatters or {}
        self._frame = pd.DataFrame()
        self._columns: list[np.ndarray] = []
        self._kinds: list[str] = []
        self._order = np.zeros(0, dtype=np.int64)  # view row -> frame row
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
        self._columns = []
        self._kinds = []
        for name in frame.columns:
            series = frame[name]
            if pd.api.types.is_datetime64_any_dtype(series):
                self._columns.append(series.to_numpy(dtype="datetime64[ns]"))
                self._kinds.append("date")
            elif isinstance(series.dtype, pd.CategoricalDtype):
                self._columns.append(series.to_numpy(dtype=object, na_value=None))
                self._kinds.append("text")
            elif str(series.dtype) in ("boolean", "bool"):
                self._columns.append(series.to_numpy(dtype=object, na_value=None))
                self._kinds.append("bool")
            elif pd.api.types.is_numeric_dtype(series):
                self._columns.append(series.to_numpy(dtype="float64", na_value=np.nan))
                self._kinds.append("number")
            else:
                self._columns.append(series.to_numpy(dtype=object))
                self._kinds.append("text")
        self._mask = None
        self._order = np.arange(len(frame), dtype=np.int64)
        if self._sort is not None:
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
        value = self._columns[col][self._order[row]]
        kind = self._kinds[col]
        if role == Qt.ItemDataRole.DisplayRole:
            formatter = self._formatters.get(str(self._frame.columns[col]))
            if formatter is not None and kind == "number":
                return "" if math.isnan(value) else formatter(float(value))
            return self._display(value, kind)
        if role in (Qt.ItemDataRole.EditRole, SortRole):
            return _raw(value, kind)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if kind == "number":
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

    def _sorted_order(self, column: int, order: Qt.SortOrder) -> np.ndarray:
        rows = np.flatnonzero(self._mask) if self._mask is not None else np.arange(len(self._frame))
        values = self._columns[column][rows]
        kind = self._kinds[column]
        if kind == "number":
            keys = values
        elif kind == "date":
            keys = values.astype("int64").astype("float64")
            keys[np.isnat(values)] = np.nan
        else:
            codes, _ = pd.factorize(pd.Series(values, dtype=object).map(_text_key), sort=True)
            keys = codes.astype("float64")
            keys[codes < 0] = np.nan
        missing = np.isnan(keys)
        if order == Qt.SortOrder.DescendingOrder:
            keys = -keys
        # Stable, with missing values last either way.
        perm = np.lexsort((np.arange(len(keys)), np.where(missing, 0.0, keys), missing))
        return rows[perm].astype(np.int64)

    def set_filter(self, text: str) -> None:
        """Keep the rows where some cell contains ``text`` (case-insensitive)."""
        needle = text.strip().casefold()
        if not needle:
            self._mask = None
        else:
            mask = np.zeros(len(self._frame), dtype=bool)
            for col, kind in zip(self._columns, self._kinds, strict=True):
                if kind == "number":
                    strings = pd.Series(col).map(lambda v: "" if math.isnan(v) else f"{v:g}")
                elif kind == "date":
                    strings = pd.Series(pd.to_datetime(col)).dt.strftime("%Y-%m-%d %d/%m/%Y").fillna("")
                else:
                    strings = pd.Series(col, dtype=object).fillna("").astype(str)
                mask |= strings.str.casefold().str.contains(needle, regex=False).to_numpy()
            self._mask = mask
        if self._sort is not None:
            order = self._sorted_order(*self._sort)
        else:
            order = np.flatnonzero(self._mask) if self._mask is not None else np.arange(len(self._frame))
        self._relayout(order.astype(np.int64))

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
            ts = pd.Timestamp(value)
            fmt = "%d/%m/%Y" if self.lang == "fr" else "%Y-%m-%d"
            if ts.hour or ts.minute or ts.second:
                fmt += " %H:%M"
            return ts.strftime(fmt)
        if kind == "bool":
            if value is None:
                return ""
            from kpidesk.i18n import _

            return _("yes") if value else _("no")
        return "" if value is None else str(value)


def _raw(value: Any, kind: str) -> Any:
    if kind == "number":
        return None if math.isnan(value) else float(value)
    if kind == "date":
        return None if np.isnat(value) else pd.Timestamp(value).to_pydatetime()
    if kind == "bool":
        return None if value is None else bool(value)
    return None if value is None else str(value)


def _text_key(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value).casefold()

