"""The KPI engine: every KPI of the catalogue over periods, compared, broken down, filtered.

One engine serves the window, the command line and the export. It is built
once from the typed frames of the store (:meth:`Engine.__init__` prepares
numpy columns: day numbers, codes of ids and dimensions) and then answers
:class:`Query` objects. Every KPI is vectorised: rows are placed in periods
with ``searchsorted`` and aggregated with ``bincount``/``groupby``; there is no
Python loop over rows.
"""

from __future__ import annotations

from kpidesk.core.catalog import ADDITIVE
from kpidesk.core.engine.compute import Engine
from kpidesk.core.engine.context import (
    Ctx,
    KpiFunction,
    Scope,
    Values,
    group_count,
    group_distinct,
    implemented,
    kpi,
    preparer,
    ratio,
    scope_key,
    spotlight,
)
from kpidesk.core.engine.data import EngineData
from kpidesk.core.engine.intervals import Intervals, day_number, from_day_number
from kpidesk.core.engine.table import Table, wide
from kpidesk.core.results import KpiRow, Query, Result

__all__ = [
    "ADDITIVE",
    "Ctx",
    "Engine",
    "EngineData",
    "Intervals",
    "KpiFunction",
    "KpiRow",
    "Query",
    "Result",
    "Scope",
    "Table",
    "Values",
    "day_number",
    "from_day_number",
    "group_count",
    "group_distinct",
    "implemented",
    "kpi",
    "preparer",
    "ratio",
    "scope_key",
    "spotlight",
    "wide",
]

# Register the KPI functions.
from kpidesk.core import kpis as _kpis  # noqa: F401
