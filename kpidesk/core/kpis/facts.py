"""The sales as the KPIs read them: facts once per engine, then revenue, invoices and counts per scope."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kpidesk.core.cells import (
    MISSING_DAY,
    Cells,
    group_keys,
    index_type,
)
from kpidesk.core.engine import (
    Ctx,
    Engine,
    Intervals,
    preparer,
    wide,
)
from kpidesk.core.kinds import KINDS, dimension_field
from kpidesk.core.kpis.common import NEVER, Members, _key, _labels

# -- sales: facts about the data (unfiltered, once per engine) --------------------------------


@dataclass
class SalesFacts:
    """The sales lines as numpy columns, and each customer's first purchases.

    Attributes:
        day: day number of each line (``MISSING_DAY`` where missing).
        amount: amount of each line (0 where missing).
        customer: customer code of each line (-1 without a customer id).
        invoice: invoice code of each line; a line without an invoice id is its own invoice.
        purchase: the line counts as a purchase (amount > 0, known customer, dated).
        first_day: per customer code, the day of the first purchase (``NEVER`` if none).
        second_day: per customer code, the first purchase day after ``first_day`` (or ``NEVER``).
        first_row: per customer code, the row of the first purchase line (-1 if none).
        new_product: the line is a purchase on the first day its customer bought its product.
        start: the first line of each run of consecutive lines of one invoice, day and customer.
    """

    day: np.ndarray
    amount: np.ndarray
    customer: np.ndarray
    invoice: np.ndarray
    n_invoices: int
    purchase: np.ndarray
    first_day: np.ndarray
    second_day: np.ndarray
    first_row: np.ndarray
    new_product: np.ndarray
    start: np.ndarray


def sales_facts(engine: Engine) -> SalesFacts:
    result: SalesFacts = engine.cached("sales.facts", lambda: _build_sales_facts(engine))
    return result


def _build_sales_facts(engine: Engine) -> SalesFacts:
    table = engine.tables["sales"]
    day = table.days("date")
    amount = table.numbers("amount")
    if np.isnan(amount).any():
        amount = np.nan_to_num(amount, nan=0.0)
    # Customers and invoices as int64: their codes are multiplied by counts below.
    customer_codes, customer_labels = table.codes("customer_id")
    customer = wide(customer_codes)
    n_customers = len(customer_labels)
    invoice_codes, invoice_labels = table.codes("invoice_id")
    invoice = invoice_codes.astype(np.int64)
    missing = invoice < 0
    invoice[missing] = len(invoice_labels) + np.arange(int(missing.sum()))
    n_invoices = len(invoice_labels) + int(missing.sum())
    purchase = (amount > 0) & (customer >= 0) & (day != MISSING_DAY)

    # The temporaries below are dropped as soon as they are used: for a million lines each
    # is 8 MiB, and this runs while the window already holds the data.
    rows = np.flatnonzero(purchase)
    cust, days = customer[rows], day[rows]
    first_day = np.full(n_customers, NEVER, dtype=np.int64)
    np.minimum.at(first_day, cust, days)
    on_first = days == first_day[cust]
    first_row = np.full(n_customers, len(day), dtype=np.int64)
    np.minimum.at(first_row, cust[on_first], rows[on_first])
    first_row[first_row == len(day)] = -1
    later = ~on_first
    del on_first
    second_day = np.full(n_customers, NEVER, dtype=np.int64)
    np.minimum.at(second_day, cust[later], days[later])
    del later, cust, days

    product, product_labels = table.codes("product")
    new_product = np.zeros(len(day), dtype=bool)
    with_product = product[rows] >= 0
    if with_product.any():
        p_rows = rows if with_product.all() else rows[with_product]
        del rows, with_product
        n_products = len(product_labels)
        key = customer[p_rows]
        key *= n_products
        key += product[p_rows]
        codes, uniques = group_keys(key, max(n_customers, 1) * n_products, sort=False)
        del key
        p_days = day[p_rows]
        first_of_pair = np.full(len(uniques), NEVER, dtype=np.int64)
        np.minimum.at(first_of_pair, codes, p_days)
        new_product[p_rows] = p_days == first_of_pair[codes]
        del p_days, codes, p_rows

    n = len(day)
    boundary = np.ones(n, dtype=bool)
    if n > 1:
        boundary[1:] = (invoice[1:] != invoice[:-1]) | (day[1:] != day[:-1]) | (customer[1:] != customer[:-1])
    start = np.flatnonzero(boundary).astype(index_type(n))
    return SalesFacts(
        day, amount, customer, invoice, n_invoices, purchase, first_day, second_day, first_row, new_product, start
    )


@preparer
def _prepare_tables(engine: Engine) -> None:
    """Day numbers and codes of the date and dimension columns, and the sales facts."""
    for kind, table in engine.tables.items():
        if table.n == 0 or kind == "targets":
            continue
        for name in KINDS[kind].fields_of_type("date"):
            table.days(name)
        for name in KINDS[kind].fields_of_type("status", "activity_type", "category"):
            table.codes(name)
    if engine.has("sales"):
        _units(engine)


# -- sales: prepared per scope ----------------------------------------------------------------


@dataclass
class Units:
    """The runs of consecutive sales lines of one invoice, day and customer (an invoice's
    lines, usually): what most sales KPIs need, twenty times fewer than the lines."""

    start: np.ndarray
    day: np.ndarray
    amount: np.ndarray
    customer: np.ndarray
    invoice: np.ndarray
    purchase: np.ndarray
    new_product: np.ndarray
    #: column -> True when every run has one value of it (then runs can be filtered by it).
    constant: dict[str, bool]


def _units(engine: Engine) -> Units:
    def build() -> Units:
        f = sales_facts(engine)
        start = f.start
        if not len(start):
            empty = np.zeros(0, dtype=np.int64)
            return Units(start, empty, np.zeros(0), empty, empty, np.zeros(0, bool), np.zeros(0, bool), {})
        if len(start) == len(f.day):  # every line is a run of its own: the lines themselves, not a copy
            return Units(start, f.day, f.amount, f.customer, f.invoice, f.purchase, f.new_product, {})
        return Units(
            start,
            f.day[start],
            np.add.reduceat(f.amount, start),
            f.customer[start],
            f.invoice[start],
            np.logical_or.reduceat(f.purchase, start),
            np.logical_or.reduceat(f.new_product, start),
            {},
        )

    units: Units = engine.cached("sales.units", build)
    return units


def _constant_in_units(engine: Engine, column: str) -> bool:
    units = _units(engine)
    if column not in units.constant:
        codes, _ = engine.tables["sales"].codes(column)
        n = len(codes)
        run = np.repeat(np.arange(len(units.start)), np.diff(np.append(units.start, n)))
        units.constant[column] = bool(np.array_equal(codes, codes[units.start][run]))
    return units.constant[column]


@dataclass
class Grain:
    """The sales rows a scope's KPIs are computed from: invoice runs when the filters and the
    breakdown allow it (their columns are constant within runs), else the lines."""

    day: np.ndarray
    amount: np.ndarray
    customer: np.ndarray
    invoice: np.ndarray
    purchase: np.ndarray
    new_product: np.ndarray
    keep: np.ndarray
    members: Members


def _grain(ctx: Ctx) -> Grain:
    def build() -> Grain:
        engine = ctx.engine
        f = sales_facts(engine)
        members = ctx.member_codes("sales")
        columns = [dimension_field("sales", d) for d in ctx.filters]
        if ctx.by is not None:
            columns.append(dimension_field("sales", ctx.by))
        mask = ctx.mask("sales")
        if all(c is None or _constant_in_units(engine, c) for c in columns):
            u = _units(engine)
            m = None if members is None else (members[0][u.start], members[1])
            return Grain(u.day, u.amount, u.customer, u.invoice, u.purchase, u.new_product, mask[u.start], m)
        return Grain(f.day, f.amount, f.customer, f.invoice, f.purchase, f.new_product, mask, members)

    grain: Grain = ctx.prepared("sales.grain", build)
    return grain


def _revenue_cells(ctx: Ctx) -> Cells:
    def build() -> Cells:
        g = _grain(ctx)
        return Cells.build(g.day, g.keep, {"amount": g.amount}, g.members)

    cells: Cells = ctx.prepared("sales.revenue", build)
    return cells


@dataclass
class Invoices:
    """Invoices (per member) of the scope: those on one day as day cells of the positive
    ones, and the rows of the few spread over several days, counted period by period."""

    positive: Cells
    spread_rows: np.ndarray
    spread_unit: np.ndarray
    spread_member: np.ndarray | None


def _invoices(ctx: Ctx) -> Invoices:
    def build() -> Invoices:
        f = sales_facts(ctx.engine)
        g = _grain(ctx)
        labels, m = _labels(g.members)
        keep = g.keep & (g.day != MISSING_DAY)
        if g.members is not None:
            keep &= g.members[0] >= 0
        rows = np.flatnonzero(keep)
        key = g.invoice[rows] if g.members is None else g.invoice[rows] * m + g.members[0][rows]
        codes, uniques = group_keys(key, max(f.n_invoices, 1) * m)
        k = len(uniques)
        total = np.bincount(codes, weights=g.amount[rows], minlength=k)
        items = np.bincount(codes, minlength=k)
        days = g.day[rows].astype("float64")
        mean = np.bincount(codes, weights=days, minlength=k) / np.maximum(items, 1)
        spread = np.bincount(codes, weights=days != mean[codes], minlength=k) > 0
        one_day = ~spread
        unit_day = np.where(one_day, mean, 0).astype(np.int64)
        unit_members = None if g.members is None else (uniques % m, labels if labels is not None else np.empty(0))
        positive = Cells.build(unit_day, one_day & (total > 0), {"count": np.ones(k)}, unit_members)
        spread_rows = rows[spread[codes]].astype(index_type(len(g.day)))
        spread_unit = codes[spread[codes]].astype(index_type(k))
        spread_member = None if g.members is None else g.members[0][spread_rows]
        return Invoices(positive, spread_rows, spread_unit, spread_member)

    result: Invoices = ctx.prepared("sales.invoices", build)
    return result


def _sales_count(ctx: Ctx, iv: Intervals) -> np.ndarray:
    def build() -> np.ndarray:
        inv = _invoices(ctx)
        (counts,) = inv.positive.totals(iv, "count")
        if len(inv.spread_rows):
            # An invoice spread over several days counts in each period where its lines total > 0.
            g = _grain(ctx)
            _, m = _labels(g.members)
            idx = iv.assign(g.day[inv.spread_rows])
            inside = idx >= 0
            n_units = int(inv.spread_unit.max()) + 1
            unit_codes, units = group_keys(idx[inside] * n_units + inv.spread_unit[inside], len(iv) * n_units)
            totals = np.bincount(unit_codes, weights=g.amount[inv.spread_rows][inside], minlength=len(units))
            positive = totals > 0
            unit_idx = units[positive] // n_units
            if inv.spread_member is None:
                counts = counts + np.bincount(unit_idx, minlength=len(iv))[: len(iv)]
            else:
                # Each (invoice, member) unit has one member: read it from any of its rows.
                row = np.full(len(units), len(inside), dtype=np.int64)
                np.minimum.at(row, unit_codes, np.flatnonzero(inside))
                member = inv.spread_member[row[positive]]
                counts = counts + np.bincount(unit_idx * m + member, minlength=len(iv) * m)[: len(iv) * m].reshape(
                    len(iv), m
                )
        return np.asarray(counts, dtype="float64")

    result: np.ndarray = ctx.result(("sales_count", _key(iv)), build)
    return result
