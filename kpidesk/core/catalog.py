"""The KPI catalogue of SPEC §3: ids, names, formulas, units, directions, needed kinds.

Names and formulas are data, in French and English, so the command line, the
window and the export show the same words.

The definitions themselves are in :mod:`kpidesk.core.definitions`; this module holds the
rules about them: themes, which KPIs add up, which fields and dimensions each one needs.
"""

from __future__ import annotations

from kpidesk.core.definitions import CATALOG, Direction, KpiDef, Theme, Unit
from kpidesk.core.kinds import DIMENSIONS, dimension_field

THEMES: tuple[Theme, ...] = ("sales", "customers", "prospecting", "marketing", "satisfaction")
THEME_NAMES: dict[Theme, dict[str, str]] = {
    "sales": {"fr": "Ventes", "en": "Sales"},
    "customers": {"fr": "Clients", "en": "Customers"},
    "prospecting": {"fr": "Prospection", "en": "Prospecting"},
    "marketing": {"fr": "Marketing", "en": "Marketing"},
    "satisfaction": {"fr": "Satisfaction", "en": "Satisfaction"},
}

#: KPIs whose value over a range is the sum of their values over its parts.
ADDITIVE: frozenset[str] = frozenset(
    {
        "revenue",
        "sales_count",
        "new_customers",
        "leads",
        "qualified_leads",
        "opportunities",
        "won_value",
        "meetings",
        "proposals",
        "calls",
        "marketing_spend",
        "nps_responses",
    }
)

#: Fewer rows than this in a value's denominator flag it as low confidence.
LOW_CONFIDENCE_BASE = 30


#: KPIs that count the customers of the sales lines: unavailable when no line names one.
_CUSTOMER_KPIS = (
    "active_customers",
    "new_customers",
    "revenue_per_customer",
    "repeat_purchase_rate",
    "one_time_buyer_rate",
    "retention_rate",
    "churn_rate",
    "upsell_rate",
    "clv",
    "top_customer_share",
    "cac",
    "ltv_cac_ratio",
)

#: The fields a KPI needs beyond its kinds (SPEC §3.1): (kind, field) pairs whose column must
#: hold a value, else the KPI is unavailable, never 0. The sales' ``customer_id`` is who bought:
#: the customer id, else the customer name.
FIELD_NEEDS: dict[str, tuple[tuple[str, str], ...]] = {
    **{kpi_id: (("sales", "customer_id"),) for kpi_id in _CUSTOMER_KPIS},
    # A file with no product history says nothing of upsell (it would read 100 %).
    "upsell_rate": (("sales", "customer_id"), ("sales", "product")),
}

#: KPIs whose card names the best and the worst member of a dimension (SPEC §3: ROI is
#: meaningful per channel); the engine's whole-range rows carry them (``best``, ``worst``).
CARD_BREAKDOWN: dict[str, str] = {"roi": "channel"}

BY_ID: dict[str, KpiDef] = {k.id: k for k in CATALOG}
KPI_IDS: tuple[str, ...] = tuple(BY_ID)


def get(kpi_id: str) -> KpiDef:
    """The definition of ``kpi_id``.

    Raises:
        KeyError: no such KPI.
    """
    return BY_ID[kpi_id]


def find(name_or_id: str) -> KpiDef | None:
    """A KPI by id or by its French or English name (targets name KPIs either way)."""
    from kpidesk.core.text import normalise

    if name_or_id in BY_ID:
        return BY_ID[name_or_id]
    key = normalise(name_or_id)
    for k in CATALOG:
        if key in (normalise(k.id), normalise(k.name_fr), normalise(k.name_en)):
            return k
    return None


def breakdown_dimensions(kpi_id: str) -> tuple[str, ...]:
    """The dimensions ``kpi_id`` breaks down by: those every kind it counts has a field for.

    The one rule for the window's breakdown choices, the command line's ``--by``, the workbook's
    breakdown sheets and the engine (which gives no member rows for any other dimension).
    """
    needs = get(kpi_id).needs
    return tuple(d for d in DIMENSIONS if all(dimension_field(k, d) is not None for k in needs))


__all__ = [
    "ADDITIVE",
    "BY_ID",
    "CARD_BREAKDOWN",
    "CATALOG",
    "FIELD_NEEDS",
    "KPI_IDS",
    "LOW_CONFIDENCE_BASE",
    "THEMES",
    "THEME_NAMES",
    "Direction",
    "KpiDef",
    "Theme",
    "Unit",
    "breakdown_dimensions",
    "find",
    "get",
]
