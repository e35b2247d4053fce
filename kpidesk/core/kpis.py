"""The KPI functions of the catalogue (SPEC §3), vectorised over periods.

Each function receives the prepared data (:class:`~kpidesk.core.engine.Ctx`) and
sorted, disjoint day intervals, and returns a value per interval (and per member
of the breakdown). Customer-based KPIs count a customer's purchase lines
(amount > 0) only; returns reduce revenue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpidesk.core.engine import (
    Ctx,
    Engine,
    Intervals,
    Values,
    group_count,
    group_distinct,
    group_sum,
    kpi,
    ratio,
)


class Placed:
    """The rows of one kind placed in intervals, after the filters."""

    def __init__(self, ctx: Ctx, kind: str, date_column: str, intervals: Intervals,
                 rows: np.ndarray | None = None) -> None:
        table = ctx.table(kind)
        days = table.days(date_column)
        mask = ctx.mask(kind)
        if rows is not None:
            days, mask = days[rows], mask[rows]
        self.rows = rows
        self.idx = np.where(mask, intervals.assign(days), -1)
        self.n = len(intervals)
        member = ctx.member_codes(kind)
        if member is None:
            self.member: np.ndarray | None = None
            self.labels: np.ndarray | None = None
            self.m = 1
        else:
            codes, labels = member
            self.member = codes if rows is None else codes[rows]
            self.labels = labels
            self.m = max(len(labels), 1)

    def sum(self, weights: np.ndarray) -> np.ndarray:
        return group_sum(self.idx, weights, self.n, self.member, self.m)

    def count(self, where: np.ndarray | None = None) -> np.ndarray:
        idx = self.idx if where is None else np.where(where, self.idx, -1)
        return group_count(idx, self.n, self.member, self.m)

    def distinct(self, entity: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
        idx = self.idx if where is None else np.where(where, self.idx, -1)
        return group_distinct(idx, entity, self.n, self.member, self.m)

    def values(self, value: np.ndarray, base: np.ndarray | None = None) -> Values:
        return Values(value, base, self.labels)


# -- sales ------------------------------------------------------------------------------------


def _invoice_codes(engine: Engine) -> np.ndarray:
    """Invoice codes of the sales lines; a line without an invoice id is its own invoice."""

    def build() -> np.ndarray:
        codes, _ = engine.tables["sales"].codes("invoice_id")
        codes = codes.copy()
        missing = codes < 0
        start = int(codes.max()) + 1 if len(codes) else 0
        codes[missing] = start + np.arange(int(missing.sum()))
        return codes

    result: np.ndarray = engine.cached("sales.invoice", build)
    return result


def _customer_codes(engine: Engine) -> np.ndarray:
    codes, _ = engine.tables["sales"].codes("customer_id")
    return codes


def _purchase(engine: Engine) -> np.ndarray:
    """Lines that count as a purchase for customer-based KPIs (amount > 0, known customer)."""

    def build() -> np.ndarray:
        table = engine.tables["sales"]
        amount = table.numbers("amount")
        return (amount > 0) & (_customer_codes(engine) >= 0)

    result: np.ndarray = engine.cached("sales.purchase", build)
    return result


def _first_purchase_rows(engine: Engine) -> np.ndarray:
    """Row position of each customer's first-ever purchase line."""

    def build() -> np.ndarray:
        table = engine.tables["sales"]
        rows = np.flatnonzero(_purchase(engine))
        days = table.days("date")[rows]
        order = rows[np.lexsort((rows, days))]
        _, first = np.unique(_customer_codes(engine)[order], return_index=True)
        return np.sort(order[first])

    result: np.ndarray = engine.cached("sales.first_purchase", build)
    return result


@kpi("revenue")
def revenue(ctx: Ctx, iv: Intervals) -> Values:
    p = Placed(ctx, "sales", "date", iv)
    return p.values(p.sum(ctx.table("sales").numbers("amount")))


def _sales_count(ctx: Ctx, iv: Intervals) -> tuple[Placed, np.ndarray]:
    p = Placed(ctx, "sales", "date", iv)
    amount = ctx.table("sales").numbers("amount")
    invoice = _invoice_codes(ctx.engine)
    keep = p.idx >= 0
    if p.member is not None:
        keep &= p.member >= 0
    cell = p.idx[keep] if p.member is None else p.idx[keep] * p.m + p.member[keep]
    span = int(invoice.max()) + 1 if len(invoice) else 1
    totals = pd.Series(amount[keep]).groupby(cell * span + invoice[keep], sort=False).sum()
    positive = totals.index.to_numpy()[totals.to_numpy() > 0] // span
    size = p.n * p.m
    counts = np.bincount(positive, minlength=size)[:size].astype("float64")
    return p, counts if p.member is None else counts.reshape(p.n, p.m)


@kpi("sales_count")
def sales_count(ctx: Ctx, iv: Intervals) -> Values:
    p, counts = _sales_count(ctx, iv)
    return p.values(counts)


@kpi("average_order_value")
def average_order_value(ctx: Ctx, iv: Intervals) -> Values:
    p, counts = _sales_count(ctx, iv)
    total = p.sum(ctx.table("sales").numbers("amount"))
    return p.values(ratio(total, counts), counts)


@kpi("active_customers")
def active_customers(ctx: Ctx, iv: Intervals) -> Values:
    p = Placed(ctx, "sales", "date", iv)
    return p.values(p.distinct(_customer_codes(ctx.engine), where=_purchase(ctx.engine)))


@kpi("new_customers")
def new_customers(ctx: Ctx, iv: Intervals) -> Values:
    rows = _first_purchase_rows(ctx.engine)
    p = Placed(ctx, "sales", "date", iv, rows=rows)
    return p.values(p.count())
