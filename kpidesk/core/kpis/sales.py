"""The sales KPIs: revenue, number of sales and average order value."""

from __future__ import annotations

import numpy as np

from kpidesk.core.engine import (
    Ctx,
    Intervals,
    Values,
    kpi,
    ratio,
)
from kpidesk.core.kpis.common import _key, _labels, _values
from kpidesk.core.kpis.facts import _revenue_cells, _sales_count

# -- sales KPIs -------------------------------------------------------------------------------


def _revenue(ctx: Ctx, iv: Intervals) -> np.ndarray:
    result: np.ndarray = ctx.result(("revenue", _key(iv)), lambda: _revenue_cells(ctx).totals(iv, "amount")[0])
    return result


def _sales_labels(ctx: Ctx) -> np.ndarray | None:
    return _labels(ctx.member_codes("sales"))[0]


@kpi("revenue")
def revenue(ctx: Ctx, iv: Intervals) -> Values:
    return _values(_revenue(ctx, iv), _sales_labels(ctx))


@kpi("sales_count")
def sales_count(ctx: Ctx, iv: Intervals) -> Values:
    return _values(_sales_count(ctx, iv), _sales_labels(ctx))


@kpi("average_order_value")
def average_order_value(ctx: Ctx, iv: Intervals) -> Values:
    counts = _sales_count(ctx, iv)
    return _values(ratio(_revenue(ctx, iv), counts), _sales_labels(ctx), counts)
