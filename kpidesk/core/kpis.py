"""The KPI functions of the catalogue (SPEC §3), vectorised over periods.

Each function receives the prepared data (:class:`~kpidesk.core.engine.Ctx`) and
sorted, disjoint day intervals ``[lo, hi)``, and returns a value per interval (and
per member of the breakdown). Rows are first summed by day and member, once per
scope (set of filters) and breakdown (:mod:`kpidesk.core.cells`); a query then
only places those day cells in its periods.

Precise semantics (the catalogue's one-line formulas, made exact):

* Customer-based KPIs count a customer's *purchase lines* (amount > 0, known
  customer id); returns reduce revenue but make no customer active or new.
  A customer's history (first purchase, "bought before", second purchase) is
  company-wide; filters and breakdowns choose which purchases of the period
  count (a salesperson's active customers are those who bought from them).
* ``new_customers``: the customer's first-ever purchase line falls in the period;
  with a breakdown it goes to the member of that line.
* ``repeat_purchase_rate``: active customers whose first-ever purchase is before
  the period start ÷ active customers.
* ``one_time_buyer_rate``: customers acquired in the period whose next purchase
  (on a later day) is more than N days after the first (or never) ÷ customers
  acquired. *Provisional* while some acquired customer without a second purchase
  is still inside the window at :meth:`Engine.as_of` (the last sale, or today if
  earlier).
* Customer base at a day ``t`` = customers with a purchase in
  ``[add_months(t, -M), t)``, M = ``customer_base_months``. ``retention_rate`` =
  (E − N) ÷ S × 100 with S the base at the period's first day (purchases before
  it), E the base just after its last day (purchases up to it), N the customers of
  E whose first-ever purchase is in the period. Customers back after a gap longer
  than M count in E but neither in S nor N: they raise retention, as the formula
  does. ``churn_rate`` = 100 − retention.
* ``upsell_rate``: returning customers (active, first purchase before the period)
  with a purchase line of a product they had never bought before ÷ returning
  customers.
* ``clv``: over the 12 months ``W = [add_months(end, -12), end)``: value ×
  frequency = revenue(W) ÷ sales(W) × sales(W) ÷ active customers(W) = revenue(W)
  ÷ active customers(W); lifespan = 1 ÷ annual churn (capped at 10 years; 10 when
  churn ≤ 0), annual churn = 1 − retention over W; undefined without a base at
  the start of W.
* ``top_customer_share``: the n customers with a positive net revenue in the
  period, ranked; Σ net revenue of the top ⌈n ÷ 5⌉ ÷ Σ net revenue of the n.
* Leads: a lead is qualified (converted) when its flag says so, or, without a
  flag, when it has a qualification (conversion) date. ``qualified_leads`` are
  dated by the qualification date, else the creation date. Rates are over the
  leads *created* in the period; ``transformation_rate`` = qualified and converted
  ÷ qualified.
* Opportunities: ``win_rate`` and ``won_value`` over won/lost opportunities whose
  close date is in the period; ``pipeline_value`` = Σ amount of opportunities open
  at the end of the period's last day (created on or before it, and open, or
  closed after it; a closed one without a close date is never open);
  ``sales_cycle_days`` = mean of close − creation in days of opportunities won in
  the period (those closed before created are left out), median in ``extra``.
* Spend: ``marketing_spend`` Σ all categories; ``cac`` = Σ spend (marketing +
  sales) ÷ new customers; ``cost_per_lead`` = Σ spend of category marketing (or
  none) ÷ leads; ``roi`` = (revenue − spend) ÷ spend × 100, by channel when broken
  down by channel (sales channel against spend channel).
* ``nps``: % of responses 9–10 − % of responses 0–6; ``nps_responses``: responses
  with a score.

Low confidence: the base of a ratio is the number of rows (customers,
invoices, leads...) in its denominator; for ROI, the spend rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from kpidesk.core.cells import (
    MISSING_DAY,
    Cells,
    Prefix,
    add_months_days,
    group_keys,
    index_type,
    window_reach,
)
from kpidesk.core.engine import (
    Ctx,
    Engine,
    Intervals,
    Values,
    day_number,
    group_count,
    kpi,
    preparer,
    ratio,
    wide,
)
from kpidesk.core.kinds import KINDS, dimension_field

#: A day after every real day: "never".
NEVER = np.iinfo(np.int64).max // 4
#: CLV's lifespan cap, in years.
MAX_LIFESPAN_YEARS = 10.0
#: CLV looks at the 12 months ending at the period's end.
CLV_MONTHS = 12

Members = tuple[np.ndarray, np.ndarray] | None


def _key(iv: Intervals) -> tuple[bytes, bytes]:
    return iv.lo.tobytes(), iv.hi.tobytes()


def _labels(members: Members) -> tuple[np.ndarray | None, int]:
    if members is None:
        return None, 1
    return members[1], max(len(members[1]), 1)


def _values(value: np.ndarray, labels: np.ndarray | None, base: np.ndarray | None = None, **kw: Any) -> Values:
    return Values(value, base, labels, **kw)


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


class Buyers:
    """One row per (customer, member, day) with a line of a known customer in the scope,
    sorted by customer, member and day: net amount, purchase, first purchase of a product."""

    def __init__(self, ctx: Ctx) -> None:
        f = sales_facts(ctx.engine)
        self.facts = f
        g = _grain(ctx)
        members = g.members
        self.labels, self.m = _labels(members)
        keep = g.keep & (g.customer >= 0) & (g.day != MISSING_DAY)
        if members is not None:
            keep &= members[0] >= 0
        rows = np.flatnonzero(keep)
        del keep
        # key = (entity, day) in one integer, built in place (each temporary is 8 MiB a million lines)
        key = g.customer[rows]
        if members is not None:
            key *= self.m
            key += members[0][rows]
        days = g.day[rows]
        if len(rows):
            d0 = int(days.min())
            span = int(days.max()) - d0 + 1
        else:
            d0, span = 0, 1
        key *= span
        days -= d0
        key += days
        del days
        n_entities = (len(f.first_day) * self.m) or 1
        codes, uniques = group_keys(key, n_entities * span)
        del key
        k = len(uniques)
        self.net = np.bincount(codes, weights=g.amount[rows], minlength=k)
        self.buy = np.bincount(codes, weights=g.purchase[rows], minlength=k) > 0
        self.new = np.bincount(codes, weights=g.new_product[rows], minlength=k) > 0
        del codes, rows
        # Kept as int32 (days, and entities while they fit): half the memory of int64.
        self.entity = (uniques // span).astype(index_type(n_entities))
        uniques %= span
        uniques += d0
        self.day = uniques.astype(np.int32)
        del uniques
        self.customer = self.entity if self.m == 1 else self.entity // self.m
        self.member: np.ndarray | None = None if members is None else self.entity % self.m
        b = np.flatnonzero(self.buy)
        self.b_entity = self.entity[b]
        self.b_day = self.day[b]
        self.b_customer = self.b_entity if self.m == 1 else self.customer[b]
        self.b_member = None if self.member is None else self.member[b]
        self.b_new = self.new[b]
        self._memberships: dict[tuple[int, int | None], Prefix] = {}

    def _groups(self, entity: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Boundaries of the (entity, interval) runs of sorted rows, and each row's run."""
        boundary = np.ones(len(entity), dtype=bool)
        if len(entity) > 1:
            boundary[1:] = (entity[1:] != entity[:-1]) | (idx[1:] != idx[:-1])
        return np.flatnonzero(boundary), np.cumsum(boundary) - 1

    def period(self, iv: Intervals) -> dict[str, np.ndarray]:
        """Per interval (and member): active, returning (bought before the period) and upsold
        (returning, with a first purchase of a product) customers."""
        n = len(iv)
        idx = iv.assign(self.b_day)
        first, run = self._groups(self.b_entity, idx)
        g_idx = idx[first]
        g_member = None if self.b_member is None else self.b_member[first]
        g_new = np.bincount(run, weights=self.b_new.astype("float64"), minlength=len(first)) > 0
        inside = g_idx >= 0
        lo = iv.lo[np.clip(g_idx, 0, None)] if n else np.zeros(len(g_idx), dtype=np.int64)
        returning = inside & (self.facts.first_day[self.b_customer[first]] < lo)
        return {
            "active": group_count(g_idx, n, g_member, self.m),
            "returning": group_count(np.where(returning, g_idx, -1), n, g_member, self.m),
            "upsold": group_count(np.where(returning & g_new, g_idx, -1), n, g_member, self.m),
        }

    def top_share(self, iv: Intervals, top: int = 5) -> tuple[np.ndarray, np.ndarray]:
        """Share (%) of the net revenue of customers with a positive net revenue that their top
        ⌈n ÷ ``top``⌉ make, per interval (and member), and n."""
        n = len(iv)
        size = n * self.m
        idx = iv.assign(self.day)
        first, _ = self._groups(self.entity, idx)
        net = np.add.reduceat(self.net, first) if len(first) else np.zeros(0)
        g_idx = idx[first]
        cell = g_idx if self.member is None else g_idx * self.m + self.member[first]
        keep = (g_idx >= 0) & (net > 0)
        cell, net = cell[keep], net[keep]
        order = np.lexsort((-net, cell))
        cell, net = cell[order], net[order]
        count = np.bincount(cell, minlength=size)[:size]
        start = np.cumsum(count) - count
        rank = np.arange(len(cell)) - start[cell]
        in_top = rank < (count[cell] + top - 1) // top
        top_sum = np.bincount(cell, weights=np.where(in_top, net, 0.0), minlength=size)[:size]
        total = np.bincount(cell, weights=net, minlength=size)[:size]
        share = ratio(top_sum, total, 100.0)
        shape = (n,) if self.member is None else (n, self.m)
        return share.reshape(shape), count.astype("float64").reshape(shape)

    def _spans(self, months: int, new_within: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each customer's spans of membership of the base, the days ``t`` with a purchase in
        ``[add_months(t, -months), t)``, as ``(start, reach]`` (merged per customer), and the
        purchase-day rows they come from; with ``new_within``, only the days ``t`` when the
        customer's first purchase is within the ``new_within`` months before."""
        entity, day = self.b_entity, self.b_day
        reach = window_reach(day, months)
        start = np.full(len(day), np.iinfo(np.int64).min // 4, dtype=np.int64)  # the previous reach
        if len(day) > 1:
            np.copyto(start[1:], reach[:-1], where=entity[1:] == entity[:-1])
        np.maximum(day, start, out=start)
        if new_within is not None:
            first = self.facts.first_day[self.b_customer]
            np.minimum(reach, window_reach(first, new_within), out=reach)
            del first
        rows = np.flatnonzero(reach > start)
        return start[rows], reach[rows], rows

    def _base(self, months: int, new_within: int | None) -> Prefix:
        """The spans of :meth:`_spans` as +1 (start) and -1 (end) events summed before any day
        (only these sums are kept: one per day, not two per customer-day)."""
        key = (months, new_within)
        if key not in self._memberships:
            start, reach, rows = self._spans(months, new_within)
            start += 1
            reach += 1
            member = None if self.b_member is None else self.b_member[rows]
            del rows
            self._memberships[key] = Prefix.of_counts([(start, member, 1.0), (reach, member, -1.0)], self.m)
        return self._memberships[key]

    def base_at(self, points: np.ndarray, months: int) -> np.ndarray:
        """Customers with a purchase in ``[add_months(t, -months), t)`` for each day ``t``."""
        return self._base(months, None).before(np.asarray(points, dtype=np.int64) + 1)

    def new_in_base_at(self, points: np.ndarray, months: int, new_within: int) -> np.ndarray:
        """Customers of :meth:`base_at` whose first purchase is in ``[add_months(t, -new_within), t)``."""
        return self._base(months, new_within).before(np.asarray(points, dtype=np.int64) + 1)

    def base_first_since(self, points: np.ndarray, months: int, since: np.ndarray) -> np.ndarray:
        """Customers of the base at each of ``points`` whose first purchase is on or after the
        day of ``since`` at the same position: ``(q,)``, or ``(q, m)`` per member."""
        start, reach, rows = self._spans(months, None)
        first = self.facts.first_day[self.b_customer[rows]]
        member = None if self.b_member is None else self.b_member[rows]
        out = np.zeros((len(points), self.m))
        for i, (point, day) in enumerate(zip(np.asarray(points).tolist(), np.asarray(since).tolist(), strict=True)):
            keep = (start < point) & (point <= reach) & (first >= day)
            if member is None:
                out[i, 0] = np.count_nonzero(keep)
            else:
                out[i] = np.bincount(member[keep], minlength=self.m)[: self.m]
        return out[:, 0] if member is None else out


def buyers(ctx: Ctx) -> Buyers:
    """The customer-days of the scope (and breakdown) of ``ctx``."""
    result: Buyers = ctx.prepared("sales.buyers", lambda: Buyers(ctx))
    return result


def _customer_period(ctx: Ctx, iv: Intervals) -> dict[str, np.ndarray]:
    result: dict[str, np.ndarray] = ctx.result(("customers", _key(iv)), lambda: buyers(ctx).period(iv))
    return result


def _acquired(ctx: Ctx) -> Cells:
    """Customers by the day (and member) of their first purchase line, with one-time buyers."""

    def build() -> Cells:
        f = sales_facts(ctx.engine)
        customers = np.flatnonzero(f.first_row >= 0)
        rows = f.first_row[customers]
        first, second = f.first_day[customers], f.second_day[customers]
        window = ctx.settings.one_time_buyer_days
        as_of = day_number(ctx.engine.as_of())
        once = second > first + window
        # No second purchase known yet, and the window is still open: the value may change.
        open_window = (second > as_of) & (first + window > as_of)
        members = ctx.member_codes("sales")
        m = None if members is None else (members[0][rows], members[1])
        return Cells.build(
            f.day[rows], ctx.mask("sales")[rows], {"n": np.ones(len(rows)), "once": once, "open": open_window}, m
        )

    cells: Cells = ctx.prepared("sales.acquired", build)
    return cells


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
    """Retention (%) and its base S per interval (and member)."""

    def build() -> tuple[np.ndarray, np.ndarray]:
        months = ctx.settings.customer_base_months
        b = buyers(ctx)
        starting = b.base_at(iv.lo, months)
        ending = b.base_at(iv.hi, months)
        parts = _customer_period(ctx, iv)
        new = parts["active"] - parts["returning"]
        # A period longer than the base window: its new customers must still be in the base at its end.
        longer = np.flatnonzero(add_months_days(iv.hi, -months) > iv.lo)
        if len(longer):
            new[longer] = b.base_first_since(iv.hi[longer], months, iv.lo[longer])
        return ratio(ending - new, starting, 100.0), starting

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
        starting = b.base_at(start, months)
        ending = b.base_at(end, months)
        new = b.new_in_base_at(end, months, CLV_MONTHS)
        retention = ratio(ending - new, starting)
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


# -- leads ------------------------------------------------------------------------------------


def _lead_cells(ctx: Ctx) -> tuple[Cells, Cells]:
    """Leads by creation day (with the cohort's qualified/converted) and by qualification day."""

    def build() -> tuple[Cells, Cells]:
        t = ctx.table("leads")
        created = t.days("created_date")
        qualified_day, converted_day = t.days("qualified_date"), t.days("converted_date")
        q_flag, c_flag = t.flags("qualified"), t.flags("converted")
        qualified = np.where(q_flag >= 0, q_flag == 1, qualified_day != MISSING_DAY)
        converted = np.where(c_flag >= 0, c_flag == 1, converted_day != MISSING_DAY)
        members = ctx.member_codes("leads")
        mask = ctx.mask("leads")
        cohort = Cells.build(
            created,
            mask,
            {
                "n": np.ones(t.n),
                "qualified": qualified,
                "converted": converted,
                "both": qualified & converted,
            },
            members,
        )
        when = np.where(qualified_day != MISSING_DAY, qualified_day, created)
        by_qualification = Cells.build(when, mask & qualified, {"n": np.ones(t.n)}, members)
        return cohort, by_qualification

    result: tuple[Cells, Cells] = ctx.prepared("leads.cells", build)
    return result


def _leads_labels(ctx: Ctx) -> np.ndarray | None:
    return _labels(ctx.member_codes("leads"))[0]


def _leads_created(ctx: Ctx, iv: Intervals) -> list[np.ndarray]:
    result: list[np.ndarray] = ctx.result(
        ("leads", _key(iv)), lambda: _lead_cells(ctx)[0].totals(iv, "n", "qualified", "converted", "both")
    )
    return result


@kpi("leads")
def leads(ctx: Ctx, iv: Intervals) -> Values:
    return _values(_leads_created(ctx, iv)[0], _leads_labels(ctx))


@kpi("qualified_leads")
def qualified_leads(ctx: Ctx, iv: Intervals) -> Values:
    return _values(_lead_cells(ctx)[1].totals(iv, "n")[0], _leads_labels(ctx))


@kpi("qualification_rate")
def qualification_rate(ctx: Ctx, iv: Intervals) -> Values:
    n, qualified, _, _ = _leads_created(ctx, iv)
    return _values(ratio(qualified, n, 100.0), _leads_labels(ctx), n)


@kpi("lead_conversion_rate")
def lead_conversion_rate(ctx: Ctx, iv: Intervals) -> Values:
    n, _, converted, _ = _leads_created(ctx, iv)
    return _values(ratio(converted, n, 100.0), _leads_labels(ctx), n)


@kpi("transformation_rate")
def transformation_rate(ctx: Ctx, iv: Intervals) -> Values:
    _, qualified, _, both = _leads_created(ctx, iv)
    return _values(ratio(both, qualified, 100.0), _leads_labels(ctx), qualified)


# -- opportunities ----------------------------------------------------------------------------


@dataclass
class Opportunities:
    created: Cells
    closed: Cells
    pipeline: Prefix
    won_close: np.ndarray
    won_cycle: np.ndarray
    won_member: np.ndarray | None
    labels: np.ndarray | None
    m: int


def _opportunities(ctx: Ctx) -> Opportunities:
    def build() -> Opportunities:
        t = ctx.table("opportunities")
        created, close = t.days("created_date"), t.days("close_date")
        codes, _ = t.codes("status")
        won, lost = codes == t.code_of("status", "won"), codes == t.code_of("status", "lost")
        won &= codes >= 0
        lost &= codes >= 0
        amount = np.nan_to_num(t.numbers("amount"), nan=0.0)
        members = ctx.member_codes("opportunities")
        member_labels, m = _labels(members)
        mask = ctx.mask("opportunities")
        if members is not None:
            mask = mask & (members[0] >= 0)
        dated = (created != MISSING_DAY) & (close != MISSING_DAY)
        cycle = np.where(dated, close - np.where(dated, created, 0), -1)
        won_ok = won & dated & (cycle >= 0)
        created_cells = Cells.build(created, mask, {"n": np.ones(t.n)}, members)
        closed_cells = Cells.build(
            close,
            mask & (won | lost),
            {
                "won": won,
                "lost": lost,
                "won_amount": np.where(won, amount, 0.0),
                "cycle": np.where(won_ok, cycle, 0).astype("float64"),
                "cycles": won_ok,
            },
            members,
        )
        # Open from the creation day until the close day: +amount, then -amount.
        closed = won | lost
        opens = mask & (created != MISSING_DAY) & (~closed | (dated & (close >= created)))
        ends = opens & closed
        days = np.concatenate([created[opens], close[ends]])
        weights = np.concatenate([amount[opens], -amount[ends]])
        member = None if members is None else np.concatenate([members[0][opens], members[0][ends]])
        rows = np.flatnonzero(mask & won_ok)
        order = rows[np.argsort(cycle[rows], kind="stable")]
        return Opportunities(
            created_cells,
            closed_cells,
            Prefix(days, member, weights, m),
            close[order],
            cycle[order].astype("float64"),
            None if members is None else members[0][order],
            member_labels,
            m,
        )

    result: Opportunities = ctx.prepared("opportunities", build)
    return result


def opportunity_counts(ctx: Ctx, iv: Intervals) -> dict[str, np.ndarray]:
    """Opportunities created, won and lost (by close date) in each interval."""
    o = _opportunities(ctx)
    won, lost = o.closed.totals(iv, "won", "lost")
    return {"created": o.created.totals(iv, "n")[0], "won": won, "lost": lost}


@kpi("opportunities")
def opportunities(ctx: Ctx, iv: Intervals) -> Values:
    o = _opportunities(ctx)
    return _values(o.created.totals(iv, "n")[0], o.labels)


@kpi("win_rate")
def win_rate(ctx: Ctx, iv: Intervals) -> Values:
    o = _opportunities(ctx)
    won, lost = o.closed.totals(iv, "won", "lost")
    return _values(ratio(won, won + lost, 100.0), o.labels, won + lost)


@kpi("won_value")
def won_value(ctx: Ctx, iv: Intervals) -> Values:
    o = _opportunities(ctx)
    return _values(o.closed.totals(iv, "won_amount")[0], o.labels)


@kpi("pipeline_value")
def pipeline_value(ctx: Ctx, iv: Intervals) -> Values:
    o = _opportunities(ctx)
    return _values(o.pipeline.before(iv.hi), o.labels)


@kpi("sales_cycle_days")
def sales_cycle_days(ctx: Ctx, iv: Intervals) -> Values:
    o = _opportunities(ctx)
    total, count = o.closed.totals(iv, "cycle", "cycles")
    return _values(ratio(total, count), o.labels, count, extra={"median": _medians(o, iv)})


def _medians(o: Opportunities, iv: Intervals) -> np.ndarray:
    """The median cycle of the won opportunities of each interval (and member)."""
    n, m = len(iv), o.m
    idx = iv.assign(o.won_close)
    keep = idx >= 0
    cell = idx[keep] if o.won_member is None else idx[keep] * m + o.won_member[keep]
    order = np.argsort(cell, kind="stable")  # the cycles are sorted: they stay sorted per cell
    cell, cycles = cell[order], o.won_cycle[keep][order]
    count = np.bincount(cell, minlength=n * m)[: n * m]
    start = np.cumsum(count) - count
    has = count > 0
    low = np.where(has, start + (count - 1) // 2, 0)
    high = np.where(has, start + count // 2, 0)
    median = np.full(n * m, np.nan)
    if len(cycles):
        median[has] = (cycles[low[has]] + cycles[high[has]]) / 2.0
    return median if o.won_member is None else median.reshape(n, m)


# -- activities -------------------------------------------------------------------------------


def _activity_cells(ctx: Ctx) -> Cells:
    def build() -> Cells:
        t = ctx.table("activities")
        codes, _ = t.codes("type")
        return Cells.build(
            t.days("date"),
            ctx.mask("activities"),
            {name: (codes == t.code_of("type", name)) & (codes >= 0) for name in ("meeting", "proposal", "call")},
            ctx.member_codes("activities"),
        )

    cells: Cells = ctx.prepared("activities.cells", build)
    return cells


def _activities(ctx: Ctx, iv: Intervals, name: str) -> Values:
    return _values(_activity_cells(ctx).totals(iv, name)[0], _labels(ctx.member_codes("activities"))[0])


@kpi("meetings")
def meetings(ctx: Ctx, iv: Intervals) -> Values:
    return _activities(ctx, iv, "meeting")


@kpi("proposals")
def proposals(ctx: Ctx, iv: Intervals) -> Values:
    return _activities(ctx, iv, "proposal")


@kpi("calls")
def calls(ctx: Ctx, iv: Intervals) -> Values:
    return _activities(ctx, iv, "call")


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
            (_leads_created(ctx, iv)[0], _leads_labels(ctx)),
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


# -- surveys ----------------------------------------------------------------------------------


def _survey_cells(ctx: Ctx) -> Cells:
    def build() -> Cells:
        t = ctx.table("surveys")
        score = t.numbers("score")
        valid = ~np.isnan(score)
        score = np.where(valid, score, 0.0)
        return Cells.build(
            t.days("date"),
            ctx.mask("surveys") & valid,
            {
                "n": np.ones(t.n),
                "promoters": score >= 9,
                "detractors": score <= 6,
            },
            ctx.member_codes("surveys"),
        )

    cells: Cells = ctx.prepared("surveys.cells", build)
    return cells


@kpi("nps")
def nps(ctx: Ctx, iv: Intervals) -> Values:
    n, promoters, detractors = _survey_cells(ctx).totals(iv, "n", "promoters", "detractors")
    return _values(ratio(promoters - detractors, n, 100.0), _labels(ctx.member_codes("surveys"))[0], n)


@kpi("nps_responses")
def nps_responses(ctx: Ctx, iv: Intervals) -> Values:
    return _values(_survey_cells(ctx).totals(iv, "n")[0], _labels(ctx.member_codes("surveys"))[0])
