"""The customer KPIs: active, new, repeat, one-time, retention, churn, upsell, CLV and concentration."""

from __future__ import annotations

import numpy as np

from kpidesk.core.cells import (
    add_months_days,
)
from kpidesk.core.engine import (
    Ctx,
    Intervals,
    Values,
    kpi,
    ratio,
)
from kpidesk.core.kpis.buyers import _acquired, _customer_period, buyers
from kpidesk.core.kpis.common import CLV_MONTHS, MAX_LIFESPAN_YEARS, _key, _values
from kpidesk.core.kpis.facts import _revenue_cells
from kpidesk.core.kpis.sales import _revenue, _sales_labels


@kpi("active_customers")
def active_customers(ctx: Ctx, iv: Intervals) -> Values:
    return _values(_customer_period(ctx, iv)["active"], _sales_labels(ctx))


def _new_customers(ctx: Ctx, iv: Intervals) -> np.ndarray:
    result: np.ndarray = ctx.result(("new_customers", _key(iv)), lambda: _acquired(ctx).totals(iv, "n")[0])
    return result


@kpi("new_customers")
def new_customers(ctx: Ctx, iv: Intervals) -> Values:
    return _values(_new_customers(ctx, iv), _sales_labels(ctx))


@kpi("revenue_per_customer")
def revenue_per_customer(ctx: Ctx, iv: Intervals) -> Values:
    active = _customer_period(ctx, iv)["active"]
    return _values(ratio(_revenue(ctx, iv), active), _sales_labels(ctx), active)


@kpi("repeat_purchase_rate")
def repeat_purchase_rate(ctx: Ctx, iv: Intervals) -> Values:
    parts = _customer_period(ctx, iv)
    return _values(ratio(parts["returning"], parts["active"], 100.0), _sales_labels(ctx), parts["active"])


@kpi("one_time_buyer_rate")
def one_time_buyer_rate(ctx: Ctx, iv: Intervals) -> Values:
    n, once, still_open = _acquired(ctx).totals(iv, "n", "once", "open")
    return _values(ratio(once, n, 100.0), _sales_labels(ctx), n, provisional=still_open > 0)


def _retention(ctx: Ctx, iv: Intervals) -> tuple[np.ndarray, np.ndarray]:
    """Retention |S ∩ E| ÷ |S| × 100 and its base |S| per interval (and member): S the customer
    base at the period's first day, E the base at its last (SPEC §3.1); never above 100."""

    def build() -> tuple[np.ndarray, np.ndarray]:
        starting, kept = buyers(ctx).retained(iv, ctx.settings.customer_base_months)
        return ratio(kept, starting, 100.0), starting

    result: tuple[np.ndarray, np.ndarray] = ctx.result(("retention", _key(iv)), build)
    return result


@kpi("retention_rate")
def retention_rate(ctx: Ctx, iv: Intervals) -> Values:
    value, base = _retention(ctx, iv)
    return _values(value, _sales_labels(ctx), base)


@kpi("churn_rate")
def churn_rate(ctx: Ctx, iv: Intervals) -> Values:
    value, base = _retention(ctx, iv)
    return _values(100.0 - value, _sales_labels(ctx), base)


@kpi("upsell_rate")
def upsell_rate(ctx: Ctx, iv: Intervals) -> Values:
    parts = _customer_period(ctx, iv)
    return _values(ratio(parts["upsold"], parts["returning"], 100.0), _sales_labels(ctx), parts["returning"])


def _clv(ctx: Ctx, iv: Intervals) -> tuple[np.ndarray, np.ndarray]:
    """CLV and its base (the fewer of the window's active customers and its starting base)."""

    def build() -> tuple[np.ndarray, np.ndarray]:
        months = ctx.settings.customer_base_months
        b = buyers(ctx)
        end = iv.hi
        start = add_months_days(end, -CLV_MONTHS)
        cells = _revenue_cells(ctx)
        revenue_12 = cells.before("amount", end) - cells.before("amount", start)
        active_12 = b.base_at(end, CLV_MONTHS)
        # Retention over the 12 months, the KPI's own rule: |S ∩ E| ÷ |S|.
        starting, kept = b.retained(Intervals(start, end), months)
        retention = ratio(kept, starting)
        churn = 1.0 - retention
        with np.errstate(divide="ignore", invalid="ignore"):
            lifespan = np.where(
                churn > 0, np.minimum(1.0 / np.where(churn > 0, churn, 1.0), MAX_LIFESPAN_YEARS), MAX_LIFESPAN_YEARS
            )
        lifespan = np.where(np.isnan(retention), np.nan, lifespan)
        return ratio(revenue_12, active_12) * lifespan, np.minimum(active_12, starting)

    result: tuple[np.ndarray, np.ndarray] = ctx.result(("clv", _key(iv)), build)
    return result


@kpi("clv")
def clv(ctx: Ctx, iv: Intervals) -> Values:
    value, base = _clv(ctx, iv)
    return _values(value, _sales_labels(ctx), base)


@kpi("top_customer_share")
def top_customer_share(ctx: Ctx, iv: Intervals) -> Values:
    share, count = buyers(ctx).top_share(iv)
    return _values(share, _sales_labels(ctx), count)
