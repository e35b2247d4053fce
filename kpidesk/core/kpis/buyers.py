"""The buyers of a scope: each customer's purchase days and members, first purchases, and the customers acquired."""

from __future__ import annotations

import numpy as np

from kpidesk.core.cells import (
    MISSING_DAY,
    Cells,
    Prefix,
    group_keys,
    index_type,
    window_reach,
)
from kpidesk.core.engine import (
    Ctx,
    Intervals,
    day_number,
    group_count,
    ratio,
    wide,
)
from kpidesk.core.kpis.common import _key, _labels
from kpidesk.core.kpis.facts import _grain, sales_facts

#: Merged spans of membership of the base: start, reach, entity, member, next start.
Spans = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]


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
        self._merged: dict[tuple[str, int], Spans] = {}

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
            if new_within is None:  # the same spans, merged, for retention (:meth:`retained`)
                self._merged[("merged", months)] = self._merge(start, reach, rows)
            start += 1
            reach += 1
            member = None if self.b_member is None else self.b_member[rows]
            del rows
            self._memberships[key] = Prefix.of_counts([(start, member, 1.0), (reach, member, -1.0)], self.m)
        return self._memberships[key]

    def base_at(self, points: np.ndarray, months: int) -> np.ndarray:
        """Customers with a purchase in ``[add_months(t, -months), t)`` for each day ``t``."""
        return self._base(months, None).before(np.asarray(points, dtype=np.int64) + 1)

    def _merged_spans(self, months: int) -> Spans:
        """The spans of :meth:`_spans` merged where they follow on without a gap, kept per base
        window: ``(start, reach, entity, member, next start of the same entity)``. A customer's
        spans are then apart, each starting on a purchase day and reaching ``months`` past it."""
        key = ("merged", months)
        if key not in self._merged:
            self._memberships.pop((months, None), None)
            self._base(months, None)
        return self._merged[key]

    def _merge(self, start: np.ndarray, reach: np.ndarray, rows: np.ndarray) -> Spans:
        """See :meth:`_merged_spans`."""
        entity = self.b_entity[rows]
        head = np.ones(len(start), dtype=bool)
        if len(start) > 1:
            head[1:] = (entity[1:] != entity[:-1]) | (start[1:] != reach[:-1])
        heads = np.flatnonzero(head)
        tail = np.append(heads[1:] - 1, len(start) - 1) if len(start) else heads
        start, reach, entity, rows = start[heads], reach[tail], entity[heads], rows[heads]
        member = None if self.b_member is None else self.b_member[rows]
        # A customer is in the base at t when one of its spans holds t: start < t <= reach.
        nxt = np.full(len(start), np.iinfo(np.int64).max, dtype=np.int64)
        if len(start) > 1:
            np.copyto(nxt[:-1], start[1:], where=entity[1:] == entity[:-1])
        return start, reach, entity, member, nxt

    def retained(self, iv: Intervals, months: int) -> tuple[np.ndarray, np.ndarray]:
        """|S| and |S ∩ E| per interval (and member): S the base at its first day, E the base just
        after its last day (:meth:`base_at`). A customer of S who lapsed and came back by the end
        counts once; a customer back after a gap who was not in S does not count at all."""
        lo, hi = np.asarray(iv.lo, dtype=np.int64), np.asarray(iv.hi, dtype=np.int64)
        starting = self.base_at(lo, months)
        start, reach, entity, member, nxt = self._merged_spans(months)
        shape = starting.shape
        lost = np.zeros(shape)
        n = len(iv)
        ordered = bool(np.all(np.diff(lo) >= 0)) and bool(np.all(np.diff(hi) >= 0))
        # Every span starting within a period (on a purchase day after its first day) reaches
        # past its end: a customer of S back in the base by the end is in E.
        reaches = bool(np.all(window_reach(lo + 1, months) >= hi)) if n else True
        if ordered and reaches:
            # Customers of S not in E: the span holding the first day ends within the period
            # and no span of theirs starts before its end, start < lo <= reach < hi <= next.
            # With lo and hi both sorted, the periods a span is lost in are a run [a, b).
            a = np.maximum(np.searchsorted(hi, reach, "right"), np.searchsorted(lo, start, "right"))
            b = np.minimum(np.searchsorted(lo, reach, "right"), np.searchsorted(hi, nxt, "right"))
            some = np.flatnonzero(a < b)
            m = self.m if member is not None else 1
            offset = np.zeros(len(some), dtype=np.int64) if member is None else wide(member[some]) * (n + 1)
            steps = np.bincount(offset + a[some], minlength=m * (n + 1)) - np.bincount(
                offset + b[some], minlength=m * (n + 1)
            )
            counts = np.cumsum(steps.reshape(m, n + 1), axis=1)[:, :n].astype("float64")
            lost = (counts[0] if member is None else counts.T).reshape(shape)
        else:
            for i in range(len(iv)):
                in_s = (start < lo[i]) & (lo[i] <= reach)
                in_e = (start < hi[i]) & (hi[i] <= reach)
                both = np.isin(entity[in_s], entity[in_e], assume_unique=True)
                if member is None:
                    lost[i] = np.count_nonzero(~both)
                else:
                    lost[i] = np.bincount(member[in_s][~both], minlength=self.m)[: self.m]
        return starting, starting - lost


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
