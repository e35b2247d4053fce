"""The KPI functions of the catalogue (SPEC §3), vectorised over periods.

Each function receives the prepared data (:class:`~kpidesk.core.engine.Ctx`) and
sorted, disjoint day intervals ``[lo, hi)``, and returns a value per interval (and
per member of the breakdown). Rows are first summed by day and member, once per
scope (set of filters) and breakdown (:mod:`kpidesk.core.cells`); a query then
only places those day cells in its periods.

Precise semantics (the catalogue's one-line formulas, made exact):

* Customer-based KPIs count a customer's *purchase lines* (amount > 0, known
  customer); returns reduce revenue but make no customer active or new. A line's
  customer is its id, else its name (trimmed, case- and accent-folded: see
  :meth:`~kpidesk.core.engine.Table.codes`); with neither on any line, the customer
  KPIs are unavailable (:data:`~kpidesk.core.catalog.FIELD_NEEDS`).
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
  |S ∩ E| ÷ |S| × 100 with S the base at the period's first day (purchases before
  it), E the base just after its last day (purchases up to it): the customers of S
  still in the base at the end. Customers back after a gap count in E but not in S:
  they do not raise retention, which never exceeds 100. ``churn_rate`` = 100 − retention.
* ``upsell_rate``: returning customers (active, first purchase before the period)
  with a purchase line of a product they had never bought before ÷ returning
  customers; unavailable when no sales line has a product.
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

# Importing the themes registers their KPI functions with the engine.
from kpidesk.core.kpis import customers, marketing, prospecting, sales, satisfaction
from kpidesk.core.kpis.buyers import Buyers, buyers
from kpidesk.core.kpis.facts import SalesFacts, sales_facts
from kpidesk.core.kpis.prospecting import leads_created, opportunity_counts

__all__ = [
    "Buyers",
    "SalesFacts",
    "buyers",
    "customers",
    "leads_created",
    "marketing",
    "opportunity_counts",
    "prospecting",
    "sales",
    "sales_facts",
    "satisfaction",
]
