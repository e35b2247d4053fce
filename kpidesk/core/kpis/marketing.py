"""The marketing KPIs: spend, and what it costs or returns set against sales and leads."""

from __future__ import annotations

import numpy as np

from kpidesk.core.cells import (
    Cells,
)
from kpidesk.core.engine import (
    Ctx,
    Intervals,
    Values,
    kpi,
    ratio,
)
from kpidesk.core.kpis.common import _key, _labels, _values
from kpidesk.core.kpis.customers import _clv, _new_customers
from kpidesk.core.kpis.prospecting import _leads_labels, leads_created
from kpidesk.core.kpis.sales import _revenue, _sales_labels

# -- spend and the KPIs that set it against sales or leads ------------------------------------


def _spend_cells(ctx: Ctx) -> Cells:
    def build() -> Cells:
        t = ctx.table("spend")
        codes, _ = t.codes("category")
        is_sales = (codes == t.code_of("category", "sales")) & (codes >= 0)
        amount = np.nan_to_num(t.numbers("amount"), nan=0.0)
        return Cells.build(
            t.days("date"),
            ctx.mask("spend"),
            {
                "all": amount,
                "marketing": np.where(is_sales, 0.0, amount),
                "rows": np.ones(t.n),
            },
            ctx.member_codes("spend"),
        )

    cells: Cells = ctx.prepared("spend.cells", build)
    return cells


def _aligned(parts: list[tuple[np.ndarray, np.ndarray | None]]) -> tuple[list[np.ndarray], np.ndarray | None]:
    """Arrays of different kinds broken down by the same dimension, on the union of their members."""
    labels = [lab for _, lab in parts]
    if all(lab is None for lab in labels):
        return [a for a, _ in parts], None
    union = np.array(sorted({str(x) for lab in labels if lab is not None for x in lab}), dtype=object)
    out = []
    for array, lab in parts:
        wide = np.zeros((array.shape[0], len(union)))
        if lab is not None and len(lab):
            position = np.searchsorted(union, np.array([str(x) for x in lab], dtype=object))
            np.add.at(wide.T, position, array[:, : len(lab)].T)
        out.append(wide)
    return out, union


def _spend_labels(ctx: Ctx) -> np.ndarray | None:
    return _labels(ctx.member_codes("spend"))[0]


@kpi("marketing_spend")
def marketing_spend(ctx: Ctx, iv: Intervals) -> Values:
    return _values(_spend_cells(ctx).totals(iv, "all")[0], _spend_labels(ctx))


def _cac(ctx: Ctx, iv: Intervals) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    def build() -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        (spend, new), labels = _aligned(
            [
                (_spend_cells(ctx).totals(iv, "all")[0], _spend_labels(ctx)),
                (_new_customers(ctx, iv), _sales_labels(ctx)),
            ]
        )
        return ratio(spend, new), new, labels

    result: tuple[np.ndarray, np.ndarray, np.ndarray | None] = ctx.result(("cac", _key(iv)), build)
    return result


@kpi("cac")
def cac(ctx: Ctx, iv: Intervals) -> Values:
    value, new, labels = _cac(ctx, iv)
    return _values(value, labels, new)


@kpi("cost_per_lead")
def cost_per_lead(ctx: Ctx, iv: Intervals) -> Values:
    (spend, created), labels = _aligned(
        [
            (_spend_cells(ctx).totals(iv, "marketing")[0], _spend_labels(ctx)),
            (leads_created(ctx, iv)[0], _leads_labels(ctx)),
        ]
    )
    return _values(ratio(spend, created), labels, created)


@kpi("roi")
def roi(ctx: Ctx, iv: Intervals) -> Values:
    spent, rows = _spend_cells(ctx).totals(iv, "all", "rows")
    (spend, spend_rows, revenue_), labels = _aligned(
        [
            (spent, _spend_labels(ctx)),
            (rows, _spend_labels(ctx)),
            (_revenue(ctx, iv), _sales_labels(ctx)),
        ]
    )
    return _values(ratio(revenue_ - spend, spend, 100.0), labels, spend_rows)


@kpi("ltv_cac_ratio")
def ltv_cac_ratio(ctx: Ctx, iv: Intervals) -> Values:
    value, base = _clv(ctx, iv)
    cost, new, cac_labels = _cac(ctx, iv)
    (value, base, cost, new), labels = _aligned(
        [
            (value, _sales_labels(ctx)),
            (base, _sales_labels(ctx)),
            (cost, cac_labels),
            (new, cac_labels),
        ]
    )
    return _values(ratio(value, cost), labels, np.minimum(base, new))
