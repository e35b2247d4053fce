"""The KPI catalogue of SPEC §3: ids, names, formulas, units, directions, needed kinds.

Names and formulas are data, in French and English, so the command line, the
window and the export show the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from kpidesk.core.bases import BASES
from kpidesk.core.kinds import DIMENSIONS, dimension_field

Unit = Literal["currency", "count", "percent", "days", "score", "ratio"]
Direction = Literal["higher", "lower", "neutral"]
Theme = Literal["sales", "customers", "prospecting", "marketing", "satisfaction"]

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


@dataclass(frozen=True)
class KpiDef:
    id: str
    name_fr: str
    name_en: str
    formula_fr: str
    formula_en: str
    unit: Unit
    direction: Direction
    needs: tuple[str, ...]
    theme: Theme

    def name(self, lang: str) -> str:
        return self.name_fr if lang == "fr" else self.name_en

    def formula(self, lang: str) -> str:
        return self.formula_fr if lang == "fr" else self.formula_en

    def counts(self, lang: str) -> str | None:
        """What the formula's numerator and denominator count (None for a plain sum or count)."""
        found = BASES.get(self.id)
        return None if found is None else found[0] if lang == "fr" else found[1]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": {"fr": self.name_fr, "en": self.name_en},
            "formula": {"fr": self.formula_fr, "en": self.formula_en},
            "unit": self.unit,
            "direction": self.direction,
            "needs": list(self.needs),
            "theme": self.theme,
            "counts": None if self.id not in BASES else {"fr": BASES[self.id][0], "en": BASES[self.id][1]},
        }


def _k(
    id: str,
    name_fr: str,
    name_en: str,
    formula_fr: str,
    formula_en: str,
    unit: Unit,
    direction: Direction,
    needs: tuple[str, ...],
    theme: Theme,
) -> KpiDef:
    return KpiDef(id, name_fr, name_en, formula_fr, formula_en, unit, direction, needs, theme)


CATALOG: tuple[KpiDef, ...] = (
    _k(
        "revenue",
        "Chiffre d'affaires",
        "Revenue",
        "Σ montants HT des ventes de la période (avoirs déduits)",
        "Σ net sales amounts in the period (credit notes deducted)",
        "currency",
        "higher",
        ("sales",),
        "sales",
    ),
    _k(
        "sales_count",
        "Volume de ventes",
        "Number of sales",
        "Nombre de factures distinctes de total positif (lignes sans n° de facture comptées une à une)",
        "Distinct invoices with a positive total (lines without an invoice number counted one by one)",
        "count",
        "higher",
        ("sales",),
        "sales",
    ),
    _k(
        "average_order_value",
        "Panier moyen",
        "Average order value",
        "Chiffre d'affaires ÷ volume de ventes",
        "Revenue ÷ number of sales",
        "currency",
        "higher",
        ("sales",),
        "sales",
    ),
    _k(
        "active_customers",
        "Clients actifs",
        "Active customers",
        "Clients distincts ayant acheté dans la période",
        "Distinct customers who bought in the period",
        "count",
        "higher",
        ("sales",),
        "customers",
    ),
    _k(
        "new_customers",
        "Nouveaux clients acquis",
        "New customers",
        "Clients dont le premier achat tombe dans la période",
        "Customers whose first-ever purchase falls in the period",
        "count",
        "higher",
        ("sales",),
        "customers",
    ),
    _k(
        "revenue_per_customer",
        "CA par client",
        "Revenue per customer",
        "Chiffre d'affaires ÷ clients actifs",
        "Revenue ÷ active customers",
        "currency",
        "higher",
        ("sales",),
        "customers",
    ),
    _k(
        "repeat_purchase_rate",
        "Taux de réachat",
        "Repeat purchase rate",
        "Clients actifs ayant déjà acheté avant la période ÷ clients actifs",
        "Active customers who had bought before the period ÷ active customers",
        "percent",
        "higher",
        ("sales",),
        "customers",
    ),
    _k(
        "one_time_buyer_rate",
        "Taux de rebond (clients)",
        "One-time buyer rate",
        "Nouveaux clients sans second achat sous N jours ÷ nouveaux clients (provisoire tant que N jours ne sont pas écoulés)",
        "New customers with no second purchase within N days ÷ new customers (provisional until N days have passed)",
        "percent",
        "lower",
        ("sales",),
        "customers",
    ),
    _k(
        "retention_rate",
        "Taux de fidélisation (rétention)",
        "Retention rate",
        "|S ∩ E| ÷ |S| × 100 : S base clients au début de la période, E base à la fin (base = achat dans les 12 mois précédents)",
        "|S ∩ E| ÷ |S| × 100: S customer base at the period's start, E base at its end (base = bought in the preceding 12 months)",
        "percent",
        "higher",
        ("sales",),
        "customers",
    ),
    _k(
        "churn_rate",
        "Taux d'attrition",
        "Churn rate",
        "100 − taux de fidélisation",
        "100 − retention rate",
        "percent",
        "lower",
        ("sales",),
        "customers",
    ),
    _k(
        "upsell_rate",
        "Taux d'upsell",
        "Upsell rate",
        "Clients revenus dans la période ayant acheté un produit jamais acheté auparavant ÷ clients revenus",
        "Returning customers of the period who bought a product they had never bought ÷ returning customers",
        "percent",
        "higher",
        ("sales",),
        "customers",
    ),
    _k(
        "clv",
        "Valeur à vie du client (CLV)",
        "Customer lifetime value (CLV)",
        "Panier moyen × fréquence d'achat annuelle × durée de vie (1 ÷ attrition annuelle, 10 ans au plus), sur les 12 mois finissant à la fin de la période",
        "Average purchase value × yearly purchase frequency × lifespan (1 ÷ yearly churn, at most 10 years), over the 12 months ending at period end",
        "currency",
        "higher",
        ("sales",),
        "customers",
    ),
    _k(
        "top_customer_share",
        "Concentration du CA",
        "Revenue concentration",
        "Part du chiffre d'affaires réalisée par les 20 % de clients qui achètent le plus",
        "Share of revenue from the top 20 % of customers",
        "percent",
        "neutral",
        ("sales",),
        "customers",
    ),
    _k(
        "leads",
        "Leads générés",
        "Leads generated",
        "Leads créés dans la période",
        "Leads created in the period",
        "count",
        "higher",
        ("leads",),
        "prospecting",
    ),
    _k(
        "qualified_leads",
        "Leads qualifiés",
        "Qualified leads",
        "Leads qualifiés dans la période (date de qualification, sinon date de création)",
        "Leads qualified in the period (qualification date, else creation date)",
        "count",
        "higher",
        ("leads",),
        "prospecting",
    ),
    _k(
        "qualification_rate",
        "Taux de qualification",
        "Qualification rate",
        "Leads créés dans la période et qualifiés ÷ leads créés dans la période",
        "Leads created in the period that are qualified ÷ leads created in the period",
        "percent",
        "higher",
        ("leads",),
        "prospecting",
    ),
    _k(
        "lead_conversion_rate",
        "Taux de conversion des leads",
        "Lead conversion rate",
        "Leads créés dans la période devenus clients ÷ leads créés dans la période",
        "Leads created in the period that became customers ÷ leads created in the period",
        "percent",
        "higher",
        ("leads",),
        "prospecting",
    ),
    _k(
        "transformation_rate",
        "Taux de transformation",
        "Transformation rate",
        "Leads convertis ÷ leads qualifiés, même cohorte de création",
        "Converted leads ÷ qualified leads, same creation cohort",
        "percent",
        "higher",
        ("leads",),
        "prospecting",
    ),
    _k(
        "opportunities",
        "Opportunités créées",
        "Opportunities created",
        "Opportunités créées dans la période",
        "Opportunities created in the period",
        "count",
        "higher",
        ("opportunities",),
        "prospecting",
    ),
    _k(
        "win_rate",
        "Taux de conversion des opportunités",
        "Win rate",
        "Gagnées ÷ (gagnées + perdues), opportunités clôturées dans la période",
        "Won ÷ (won + lost), opportunities closed in the period",
        "percent",
        "higher",
        ("opportunities",),
        "prospecting",
    ),
    _k(
        "won_value",
        "CA signé",
        "Won value",
        "Σ montants des opportunités gagnées dans la période",
        "Σ amounts of opportunities won in the period",
        "currency",
        "higher",
        ("opportunities",),
        "prospecting",
    ),
    _k(
        "pipeline_value",
        "Valeur du pipeline",
        "Pipeline value",
        "Σ montants des opportunités ouvertes à la fin de la période",
        "Σ amounts of opportunities open at period end",
        "currency",
        "higher",
        ("opportunities",),
        "prospecting",
    ),
    _k(
        "sales_cycle_days",
        "Durée moyenne du cycle de vente",
        "Average sales cycle",
        "Moyenne des jours entre création et clôture des opportunités gagnées dans la période (médiane à côté)",
        "Mean days from creation to close of opportunities won in the period (median beside)",
        "days",
        "lower",
        ("opportunities",),
        "prospecting",
    ),
    _k(
        "meetings",
        "RDV obtenus",
        "Meetings",
        "Activités de type rendez-vous dans la période",
        "Activities of type meeting in the period",
        "count",
        "higher",
        ("activities",),
        "prospecting",
    ),
    _k(
        "proposals",
        "Propositions commerciales",
        "Proposals",
        "Activités de type proposition dans la période",
        "Activities of type proposal in the period",
        "count",
        "higher",
        ("activities",),
        "prospecting",
    ),
    _k(
        "calls",
        "Appels",
        "Calls",
        "Activités de type appel dans la période",
        "Activities of type call in the period",
        "count",
        "higher",
        ("activities",),
        "prospecting",
    ),
    _k(
        "marketing_spend",
        "Dépenses marketing et commerciales",
        "Marketing and sales spend",
        "Σ dépenses de la période",
        "Σ spend in the period",
        "currency",
        "neutral",
        ("spend",),
        "marketing",
    ),
    _k(
        "cac",
        "Coût d'acquisition client (CAC)",
        "Customer acquisition cost (CAC)",
        "Σ dépenses (marketing + commerciales) ÷ nouveaux clients",
        "Σ spend (marketing + sales) ÷ new customers",
        "currency",
        "lower",
        ("spend", "sales"),
        "marketing",
    ),
    _k(
        "cost_per_lead",
        "Coût par lead",
        "Cost per lead",
        "Σ dépenses marketing ÷ leads générés",
        "Σ marketing spend ÷ leads generated",
        "currency",
        "lower",
        ("spend", "leads"),
        "marketing",
    ),
    _k(
        "roi",
        "ROI par canal / campagne",
        "ROI by channel / campaign",
        "(CA du canal − dépenses du canal) ÷ dépenses du canal",
        "(revenue of the channel − spend of the channel) ÷ spend of the channel",
        "percent",
        "higher",
        ("spend", "sales"),
        "marketing",
    ),
    _k(
        "ltv_cac_ratio",
        "Ratio CLV / CAC",
        "CLV / CAC ratio",
        "CLV ÷ CAC",
        "CLV ÷ CAC",
        "ratio",
        "higher",
        ("sales", "spend"),
        "marketing",
    ),
    _k(
        "nps",
        "Net Promoter Score",
        "Net Promoter Score",
        "% promoteurs (9–10) − % détracteurs (0–6) des réponses de la période, de −100 à 100",
        "% promoters (9–10) − % detractors (0–6) of responses in the period, −100 to 100",
        "score",
        "higher",
        ("surveys",),
        "satisfaction",
    ),
    _k(
        "nps_responses",
        "Réponses NPS",
        "NPS responses",
        "Réponses à l'enquête dans la période",
        "Survey responses in the period",
        "count",
        "higher",
        ("surveys",),
        "satisfaction",
    ),
)

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
