"""The demo company's typed frames, one per kind, from a seed and an end date."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from kpidesk.core.kinds import KINDS
from kpidesk.demo.calendar import _bools, _Calendar, _category, _frame, _ids, _labels, _text
from kpidesk.demo.deals import _OPEN, _STATUS_NAMES, _make_opportunities, _make_sales
from kpidesk.demo.extras import _customer_ids, _make_activities, _make_spend, _make_surveys, _make_targets
from kpidesk.demo.people import _Cells, _make_customers, _make_leads
from kpidesk.demo.world import CHANNELS, MONTHS, PRODUCTS, REGIONS, SALESPEOPLE, SEGMENTS

# -- the company ---------------------------------------------------------------------------


def generate(seed: int = 42, end: datetime.date | None = None) -> dict[str, pd.DataFrame]:
    """Three years of data for the demo company, one typed frame per kind.

    Args:
        seed: the seed of the only random generator used; the same seed and end
            give identical frames.
        end: the last day of the data (default: today). The data covers the
            month of ``end`` up to ``end`` itself and the 35 months before it.

    Returns:
        A frame per kind of :data:`~kpidesk.core.kinds.KINDS`, in that order,
        with exactly the kind's fields as columns.
    """
    if end is None:
        end = datetime.date.today()
    elif isinstance(end, datetime.datetime):
        end = end.date()
    rng = np.random.default_rng(seed)
    cal = _Calendar.build(end)
    leads = _make_leads(rng, cal)
    cust = _make_customers(rng, cal, leads)
    cells = _Cells.build(cal, cust)
    opps = _make_opportunities(rng, cal, leads, cust, cells)
    sales = _make_sales(rng, cal, cust, cells, opps)

    customer_ids = _customer_ids(cust)
    lead_ids = _ids("L", np.arange(1, leads.created.size + 1, dtype=np.int64), 5)
    customer_of_lead = np.full(leads.created.size, -1, dtype=np.int64)
    from_lead = cust.lead >= 0
    customer_of_lead[cust.lead[from_lead]] = np.flatnonzero(from_lead)
    customer_of_lead = np.where(leads.converted, customer_of_lead, -1)

    frames: dict[str, pd.DataFrame] = {}
    sc = sales.customer
    frames["sales"] = _frame(
        "sales",
        {
            "date": cal.timestamps(sales.day),
            "amount": sales.amount,
            "invoice_id": _text(sales.invoice),
            "customer_id": _labels(customer_ids, sc),
            "customer_name": _labels(cust.names, sc),
            "product": _category(PRODUCTS, sales.product),
            "quantity": sales.quantity,
            "unit_price": sales.unit_price,
            "salesperson": _category(SALESPEOPLE, cust.salesperson[sc]),
            "channel": _category(CHANNELS, cust.channel[sc]),
            "region": _category(REGIONS, cust.region[sc]),
            "segment": _category(SEGMENTS, cust.segment[sc]),
        },
    )
    frames["leads"] = _frame(
        "leads",
        {
            "created_date": cal.timestamps(leads.created),
            "lead_id": _text(lead_ids),
            "channel": _category(CHANNELS, leads.channel),
            "qualified": _bools(leads.qualified),
            "qualified_date": cal.timestamps(leads.qualified_day, leads.qualified),
            "converted": _bools(leads.converted),
            "converted_date": cal.timestamps(leads.converted_day, leads.converted),
            "customer_id": _labels(customer_ids, customer_of_lead),
            "salesperson": _category(SALESPEOPLE, leads.salesperson),
            "region": _category(REGIONS, leads.region),
            "segment": _category(SEGMENTS, leads.segment),
        },
    )
    n_opps = opps.created.size
    frames["opportunities"] = _frame(
        "opportunities",
        {
            "created_date": cal.timestamps(opps.created),
            "status": _category(_STATUS_NAMES, opps.status),
            "opportunity_id": _text(_ids("OPP-", np.arange(1, n_opps + 1, dtype=np.int64), 4)),
            "close_date": cal.timestamps(opps.close, opps.status != _OPEN),
            "amount": opps.amount,
            "salesperson": _category(SALESPEOPLE, opps.salesperson),
            "channel": _category(CHANNELS, opps.channel),
            "customer_id": _labels(customer_ids, opps.customer),
            "product": _category(PRODUCTS, opps.product),
            "region": _category(REGIONS, opps.region),
        },
    )
    frames["customers"] = _frame(
        "customers",
        {
            "customer_id": _text(customer_ids),
            "name": _text(cust.names),
            "created_date": cal.timestamps(cust.created),
            "channel": _category(CHANNELS, cust.channel),
            "segment": _category(SEGMENTS, cust.segment),
            "region": _category(REGIONS, cust.region),
            "salesperson": _category(SALESPEOPLE, cust.salesperson),
        },
    )
    revenue = np.asarray(np.bincount(cal.month_of(sales.day), weights=sales.amount, minlength=MONTHS), dtype=np.float64)
    frames["spend"] = _make_spend(rng, cal, revenue)
    frames["activities"] = _make_activities(rng, cal, leads, cust, opps)
    frames["surveys"] = _make_surveys(rng, cal, cust, cells)
    frames["targets"] = _make_targets(cal, sales, cust)
    return {kind: frames[kind] for kind in KINDS}
