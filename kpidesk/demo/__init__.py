"""The demo company: three years of believable data for every kind (SPEC §1).

:func:`generate` builds, from a seed and an end date, the typed frames of a
small French B2B distributor of office and industrial supplies. The frames
follow the app's typed-frame convention (the one ``store`` loads): dates
``datetime64[ns]`` at midnight (NaT when missing), numbers ``float64``, text
``object`` holding ``str`` or ``None``, categories (and statuses, activity
types) ``category`` with the sorted observed values as categories, flags
nullable ``boolean``.

The data tells a story the KPIs should reveal:

* revenue grows about 15 % a year, dips every August and peaks in September
  and December; a handful of large accounts carry most of it (Pareto);
* new customers come from leads: each converted lead is a new customer,
  created on the day its opportunity is won and buying within a few days;
  the established customers (who predate the data) are created on their
  first purchase of the period, so that every date lies within it; some
  customers churn, a few come back after a gap; a few credit notes
  (``AV…`` invoices, negative amounts) reduce revenue;
* :data:`LAGGING_SALESPERSON` converts half as many of his leads, wins fewer
  deals, loses more customers, his accounts buy less and less, and he ends
  the furthest below his revenue target;
* :data:`LOSS_MAKING_CHANNEL` gets the largest and growing marketing budget
  but brings many poor leads and a few small customers: its spend exceeds
  the revenue of the customers it acquired;
* the NPS sags in the middle year (delivery problems) and recovers.

A sale's ``channel`` is the customer's acquisition channel, so that revenue
and spend meet per channel (ROI by channel).
"""

from __future__ import annotations

from kpidesk.demo.calendar import period_start
from kpidesk.demo.company import generate
from kpidesk.demo.world import (
    CHANNELS,
    COMPANY_NAME,
    LAGGING_SALESPERSON,
    LOSS_MAKING_CHANNEL,
    MONTHS,
    PRODUCTS,
    REGIONS,
    SALESPEOPLE,
    SEGMENTS,
)

__all__ = [
    "CHANNELS",
    "COMPANY_NAME",
    "LAGGING_SALESPERSON",
    "LOSS_MAKING_CHANNEL",
    "MONTHS",
    "PRODUCTS",
    "REGIONS",
    "SALESPEOPLE",
    "SEGMENTS",
    "generate",
    "period_start",
]
