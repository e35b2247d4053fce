"""The demo company's opportunities and its sales lines."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kpidesk.demo.calendar import _Calendar, _choice, _cycle, _expand, _lognormal, _unit_price
from kpidesk.demo.people import _Cells, _Customers, _Leads
from kpidesk.demo.world import (
    _CHANNELS,
    _DEAL_QUANTITY,
    _DEAL_WEIGHT,
    _MAINTENANCE,
    _NEVER,
    _POPULARITY,
    _PRODUCTS,
    _QUANTITY,
    _SALES_GROWTH,
    _SALES_SEASON,
    _SEGMENT_DEAL,
    _SP_DEAL_WIN,
    _SP_GROWTH,
    MONTHS,
    FloatArray,
    IntArray,
)

# -- opportunities -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Opportunities:
    created: IntArray
    status: IntArray  # index into ("open", "won", "lost")
    close: IntArray  # valid unless open
    amount: FloatArray
    salesperson: IntArray
    channel: IntArray
    customer: IntArray  # -1: a prospect
    product: IntArray
    region: IntArray
    lead: IntArray  # -1: not from a lead
    quantity: FloatArray  # for won expansion deals, invoiced at close


_OPEN, _WON, _LOST = 0, 1, 2
_STATUS_NAMES = ("open", "won", "lost")


def _make_opportunities(
    rng: np.random.Generator, cal: _Calendar, leads: _Leads, cust: _Customers, cells: _Cells
) -> _Opportunities:
    customer_of_lead = np.full(leads.created.size, -1, dtype=np.int64)
    from_lead = cust.lead >= 0
    customer_of_lead[cust.lead[from_lead]] = np.flatnonzero(from_lead)

    # New business: every qualified lead that got as far as a proposal.
    li = np.flatnonzero(leads.has_opportunity)
    l_close = leads.close_day[li]
    l_status = np.where(l_close >= cal.n_days, _OPEN, np.where(leads.will_convert[li], _WON, _LOST)).astype(np.int64)
    l_segment = leads.segment[li]
    l_value = np.array([c.value for c in _CHANNELS])[leads.channel[li]]
    l_amount = np.round(_lognormal(rng, _SEGMENT_DEAL[l_segment] * l_value, 0.5), -1)
    l_product = _choice(rng, _POPULARITY + 0.02 * (_POPULARITY > 0), li.size)

    # Expansion deals with existing customers: furniture, printers, tooling.
    season = _SALES_SEASON[cal.month - 1][None, :]
    lam = 0.028 * cust.size[:, None] ** 0.35 * season * cells.active / cal.length[None, :]
    c, m = _expand(rng.poisson(lam))
    e_created = cal.business(cells.draw(rng, c, m), cal.lo[m], cal.hi[m])
    e_product = _choice(rng, _DEAL_WEIGHT, c.size)
    e_quantity = np.maximum(1.0, np.rint(_lognormal(rng, _DEAL_QUANTITY[e_product] * cust.size[c] ** 0.5, 0.5)))
    e_amount = np.round(e_quantity * _unit_price(cal, e_product, e_created, cust.segment[c]), 2)
    e_close = cal.next_business(e_created + _cycle(rng, c.size))
    e_won = rng.random(c.size) < _SP_DEAL_WIN[cust.salesperson[c]]
    e_status = np.where(e_close >= cal.n_days, _OPEN, np.where(e_won, _WON, _LOST)).astype(np.int64)

    created = np.concatenate([leads.qualified_day[li], e_created])
    order = np.lexsort((rng.random(created.size), created))
    l_customer = np.where(l_status == _WON, customer_of_lead[li], -1)
    return _Opportunities(
        created=created[order],
        status=np.concatenate([l_status, e_status])[order],
        close=np.concatenate([l_close, e_close])[order],
        amount=np.concatenate([l_amount, e_amount])[order],
        salesperson=np.concatenate([leads.salesperson[li], cust.salesperson[c]])[order],
        channel=np.concatenate([leads.channel[li], cust.channel[c]])[order],
        customer=np.concatenate([l_customer, c])[order],
        product=np.concatenate([l_product, e_product])[order],
        region=np.concatenate([leads.region[li], cust.region[c]])[order],
        lead=np.concatenate([li, np.full(c.size, -1, dtype=np.int64)])[order],
        quantity=np.concatenate([np.zeros(li.size), e_quantity])[order],
    )


# -- sales ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sales:
    day: IntArray
    customer: IntArray
    product: IntArray
    quantity: FloatArray
    unit_price: FloatArray
    amount: FloatArray
    invoice: list[str]


_LINES_PER_INVOICE = np.array([0.36, 0.3, 0.2, 0.14])


def _make_sales(
    rng: np.random.Generator, cal: _Calendar, cust: _Customers, cells: _Cells, opps: _Opportunities
) -> _Sales:
    t = np.arange(MONTHS, dtype=np.float64)
    intensity = _SALES_SEASON[cal.month - 1] * (1.0 + _SALES_GROWTH) ** (t / 12.0)
    # The lagging salesperson's accounts buy less and less: nobody visits them.
    drift = (1.0 + _SP_GROWTH[cust.salesperson])[:, None] ** (t / 12.0)[None, :]
    active = cells.active
    lam = cust.frequency[:, None] * intensity[None, :] * drift * active / cal.length[None, :]

    # Ordinary orders: the first one on the first purchase day, then at random.
    c, m = _expand(rng.poisson(lam))
    day = cal.business(cells.draw(rng, c, m), cal.lo[m], cal.hi[m])
    buyers = np.flatnonzero(cust.first < cal.n_days)
    o_customer = np.concatenate([buyers, c])
    o_day = np.concatenate([cust.first[buyers], day])

    # Maintenance contracts: invoiced once a year, on the anniversary month.
    first_month = np.where(cust.first < cal.n_days, cal.month_of(np.minimum(cust.first, cal.n_days - 1)), _NEVER)
    renewal = np.where(cust.renewal > 0, cust.renewal, cal.month[np.minimum(first_month, MONTHS - 1)])
    renewal = np.where(renewal == 8, 9, renewal)
    due = (
        (cust.maintenance[:, None] > 0)
        & (active > 0)
        & (np.arange(MONTHS)[None, :] >= first_month[:, None])
        & (cal.month[None, :] == renewal[:, None])
    )
    mc, mm = np.nonzero(due)
    mc, mm = mc.astype(np.int64), mm.astype(np.int64)
    m_day = np.where(
        mm == first_month[mc], cust.first[mc], cal.business(cells.draw(rng, mc, mm), cal.lo[mm], cal.hi[mm])
    )

    # Won expansion deals: invoiced within a week of the signature.
    won = np.flatnonzero((opps.status == _WON) & (opps.lead < 0))
    d_day = cal.business(opps.close[won] + rng.integers(0, 6, won.size), opps.close[won], cal.n_days)

    # Lines of the ordinary orders: 1 to 4 distinct products after the customer's taste.
    n_orders = o_customer.size
    n_lines = _choice(rng, _LINES_PER_INVOICE, n_orders) + 1
    keys = np.log(cust.preference[o_customer] + 1e-12) + rng.gumbel(size=(n_orders, len(_PRODUCTS)))
    top = np.argsort(-keys, axis=1, kind="stable")[:, :4]
    mask = np.arange(4)[None, :] < n_lines[:, None]
    o_product = top[mask].astype(np.int64)
    o_line_order = np.repeat(np.arange(n_orders, dtype=np.int64), n_lines)
    o_line_no = np.broadcast_to(np.arange(4, dtype=np.int64), (n_orders, 4))[mask]
    o_line_customer = o_customer[o_line_order]
    o_quantity = np.maximum(
        1.0,
        np.rint(_lognormal(rng, _QUANTITY[o_product] * cust.size[o_line_customer] ** 0.45, 0.6)),
    )

    # Every invoice (ordinary, maintenance, deal) and its lines.
    inv_customer = np.concatenate([o_customer, mc, opps.customer[won]])
    inv_day = np.concatenate([o_day, m_day, d_day])
    n_inv = inv_customer.size
    line_invoice = np.concatenate(
        [o_line_order, n_orders + np.arange(mc.size), n_orders + mc.size + np.arange(won.size)]
    )
    line_no = np.concatenate([o_line_no, np.zeros(mc.size + won.size, dtype=np.int64)])
    product = np.concatenate([o_product, np.full(mc.size, _MAINTENANCE, dtype=np.int64), opps.product[won]])
    quantity = np.concatenate([o_quantity, cust.maintenance[mc].astype(np.float64), opps.quantity[won]])
    ordinary = np.concatenate([np.ones(o_product.size, dtype=np.bool_), np.zeros(mc.size + won.size, np.bool_)])

    # Invoice numbers run by date within each year.
    inv_order = np.lexsort((rng.random(n_inv), inv_day))
    rank = np.empty(n_inv, dtype=np.int64)
    rank[inv_order] = np.arange(n_inv)
    inv_year = cal.year_of(inv_day[inv_order])
    seq = np.arange(n_inv) - np.searchsorted(inv_year, inv_year, side="left") + 1
    numbers = [f"F{y}-{s:05d}" for y, s in zip(inv_year.tolist(), seq.tolist(), strict=True)]
    inv_number = np.empty(n_inv, dtype=object)
    inv_number[inv_order] = numbers

    l_customer = inv_customer[line_invoice]
    l_day = inv_day[line_invoice]
    unit_price = _unit_price(cal, product, l_day, cust.segment[l_customer])

    # Credit notes: about 1 % of ordinary lines come back, whole or in part.
    returned = np.flatnonzero(ordinary & (rng.random(ordinary.size) < 0.011))
    cn_day = cal.business(l_day[returned] + rng.integers(3, 26, returned.size), l_day[returned] + 1, _NEVER)
    partial = rng.random(returned.size) < 0.45
    share = rng.uniform(0.2, 0.8, returned.size)
    cn_quantity = -np.where(
        partial, np.clip(np.rint(quantity[returned] * share), 1.0, quantity[returned]), quantity[returned]
    )
    keep = cn_day < cal.n_days
    returned, cn_day, cn_quantity = returned[keep], cn_day[keep], cn_quantity[keep]
    n_cn = returned.size
    cn_order = np.lexsort((np.arange(n_cn), cn_day))
    cn_rank = np.empty(n_cn, dtype=np.int64)
    cn_rank[cn_order] = np.arange(n_cn)
    cn_year = cal.year_of(cn_day[cn_order])
    cn_seq = np.arange(n_cn) - np.searchsorted(cn_year, cn_year, side="left") + 1
    cn_numbers = np.empty(n_cn, dtype=object)
    cn_numbers[cn_order] = [f"AV{y}-{s:05d}" for y, s in zip(cn_year.tolist(), cn_seq.tolist(), strict=True)]

    all_day = np.concatenate([l_day, cn_day])
    all_key = np.concatenate([rank[line_invoice], n_inv + cn_rank])
    all_line = np.concatenate([line_no, np.zeros(n_cn, dtype=np.int64)])
    order = np.lexsort((all_line, all_key, all_day))
    all_quantity = np.concatenate([quantity, cn_quantity])[order]
    all_price = np.concatenate([unit_price, unit_price[returned]])[order]
    invoice = np.concatenate([inv_number[line_invoice], cn_numbers])[order]
    return _Sales(
        day=all_day[order],
        customer=np.concatenate([l_customer, l_customer[returned]])[order],
        product=np.concatenate([product, product[returned]])[order],
        quantity=all_quantity,
        unit_price=all_price,
        amount=np.round(all_quantity * all_price, 2),
        invoice=invoice.tolist(),
    )
