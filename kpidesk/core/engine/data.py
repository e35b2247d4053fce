"""The facts an engine keeps about a company's data: its tables, date range, members, customer names and caches."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from kpidesk.core.cells import MISSING_DAY
from kpidesk.core.engine.context import Scope
from kpidesk.core.engine.intervals import from_day_number
from kpidesk.core.engine.table import Table
from kpidesk.core.kinds import KINDS, dimension_field
from kpidesk.core.settings import CompanySettings
from kpidesk.core.text import member_label


class EngineData:
    """The prepared data of one company, ready to answer queries.

    Preparation is lazy and cached at two levels: facts about the data (each table's day
    numbers and codes, each customer's first purchases) once per engine, and the rows of a
    scope (a set of filters) summed by day and member once per scope and breakdown, so that a
    query only touches those small day-level tables. The engine is not thread-safe: one
    thread computes at a time (the window runs one task at a time).
    """

    #: How many scopes (sets of filters) keep their prepared data.
    SCOPES_KEPT = 6

    def __init__(
        self,
        data: Mapping[str, pd.DataFrame],
        settings: CompanySettings | None = None,
        today: dt.date | None = None,
    ) -> None:
        self.settings = settings or CompanySettings()
        self.today = today or dt.date.today()
        self.tables: dict[str, Table] = {}
        for kind in KINDS:
            frame = data.get(kind)
            if frame is None:
                frame = pd.DataFrame({c: pd.Series(dtype="object") for c in KINDS[kind].field_names})
            self.tables[kind] = Table(kind, frame)
        self._cache: dict[str, Any] = {}
        self._scopes: OrderedDict[Scope, dict[Any, Any]] = OrderedDict()

    # -- facts about the data

    def has(self, kind: str) -> bool:
        return self.tables[kind].n > 0

    def data_range(self) -> tuple[dt.date, dt.date] | None:
        """First and last date of any dated row."""
        found: tuple[dt.date, dt.date] | None = self.cached("data_range", self._data_range)
        return found

    def _data_range(self) -> tuple[dt.date, dt.date] | None:
        lows, highs = [], []
        for kind, table in self.tables.items():
            if kind == "targets" or table.n == 0:
                continue
            # Every date a KPI places rows by: a deal closed after the last one opened counts too.
            for column in KINDS[kind].fields_of_type("date"):
                days = table.days(column)
                days = days[days != MISSING_DAY]
                if len(days):
                    lows.append(int(days.min()))
                    highs.append(int(days.max()))
        if not lows:
            return None
        return from_day_number(min(lows)), from_day_number(max(highs))

    def _last_day(self) -> dt.date | None:
        span = self.data_range()
        return None if span is None else span[1]

    def as_of(self) -> dt.date:
        """The day up to which purchases are known: the last sale, or today if earlier.

        A one-time-buyer window that ends after this day has not elapsed: the value is
        provisional (a second purchase may still come, or may simply not be imported yet).
        """
        last: int | None = self.cached("sales.last_day", self._last_sale)
        return self.today if last is None else min(self.today, from_day_number(last))

    def _last_sale(self) -> int | None:
        days = self.tables["sales"].days("date")
        days = days[days != MISSING_DAY]
        return int(days.max()) if len(days) else None

    def members(self, dimension: str) -> list[str]:
        """Every member of ``dimension`` found in any kind, sorted."""
        found: set[str] = set()
        for kind, table in self.tables.items():
            if kind == "targets" or table.n == 0:
                continue
            column = dimension_field(kind, dimension)
            if column is None:
                continue
            codes, labels = table.codes(column)
            used = np.unique(codes[codes >= 0])
            found.update(str(labels[i]) for i in used)
        return sorted(found, key=str.casefold)

    def member_names(self, dimension: str) -> dict[str, str]:
        """Names to show for the members of ``dimension`` where the data has them: each
        customer id's name, from the customers file, else from its latest sales line.
        Members of the other dimensions are names already (the dict is empty)."""
        if dimension != "customer":
            return {}
        names: dict[str, str] = self.cached("names.customer", self._customer_names)
        return names

    def member_label(self, dimension: str, member: str) -> str:
        """``member`` as a manager reads it: ``Name (id)`` for a customer with a known name."""
        return member_label(member, self.member_names(dimension).get(member))

    def _customer_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        # Sales lines first, the customers file last: its name wins.
        for kind, column in (("sales", "customer_name"), ("customers", "name")):
            table = self.tables[kind]
            if table.n == 0 or not table.has_column(column):
                continue
            ids, id_labels = table.stored_codes("customer_id")  # names of customers with an id
            name_codes, name_labels = table.codes(column)
            rows = np.flatnonzero((ids >= 0) & (name_codes >= 0))
            if not len(rows):
                continue
            # The latest row of each customer (rows in storage order: the last one imported).
            latest = rows[::-1][np.unique(ids[rows[::-1]], return_index=True)[1]]
            for i, n in zip(ids[latest].tolist(), name_codes[latest].tolist(), strict=True):
                name = str(name_labels[n]).strip()
                if name:
                    names[str(id_labels[i])] = name
        return names

    def cached(self, key: str, build: Callable[[], Any]) -> Any:
        """Per-engine memo for unfiltered derived data (e.g. each customer's first purchase)."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def scoped(self, scope: Scope, key: Any, build: Callable[[], Any]) -> Any:
        """Per-scope memo (prepared rows of a set of filters); the least recently used go first."""
        entries = self._scopes.get(scope)
        if entries is None:
            entries = self._scopes[scope] = {}
            while len(self._scopes) > self.SCOPES_KEPT:
                self._scopes.popitem(last=False)
        else:
            self._scopes.move_to_end(scope)
        if key not in entries:
            entries[key] = build()
        return entries[key]

    def forget_scopes(self) -> None:
        """Drop the prepared data of every scope (benchmarks; the data-level facts stay)."""
        self._scopes.clear()

    def mask(self, kind: str, filters: Mapping[str, frozenset[str]]) -> np.ndarray:
        """The rows of ``kind`` whose members are kept by ``filters``."""
        table = self.tables[kind]
        mask = np.ones(table.n, dtype=bool)
        for dimension, members in filters.items():
            column = dimension_field(kind, dimension)
            if column is None or table.n == 0:
                continue
            codes, labels = table.codes(column)
            if not len(labels):
                mask[:] = False
                continue
            allowed = np.array([str(label) in members for label in labels], dtype=bool)
            mask &= (codes >= 0) & allowed[np.clip(codes, 0, None)]
        return mask

    def _first_day(self, kinds: Sequence[str]) -> dt.date | None:
        """The first day any row of ``kinds`` is dated (by any of its date fields)."""

        def build() -> dt.date | None:
            firsts = []
            for kind in kinds:
                for column in KINDS[kind].fields_of_type("date"):
                    days = self.tables[kind].days(column)
                    days = days[days != MISSING_DAY]
                    if len(days):
                        firsts.append(int(days.min()))
            return from_day_number(min(firsts)) if firsts else None

        found: dt.date | None = self.cached("first_day:" + ",".join(kinds), build)
        return found
