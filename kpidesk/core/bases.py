"""What the numerator and the denominator of each ratio KPI count, in French and English (SPEC §3.1)."""
# ruff: noqa: E501

from __future__ import annotations

#: KPI id -> (French, English): which rows each side of the formula counts, the cohorts included.
BASES: dict[str, tuple[str, str]] = {
    "average_order_value": (
        "Numérateur : montants nets des ventes datées dans la période ; dénominateur : factures de total positif de la période",
        "Numerator: net sales amounts dated in the period; denominator: invoices of the period with a positive total",
    ),
    "revenue_per_customer": (
        "Numérateur : chiffre d'affaires de la période (lignes sans client comprises) ; dénominateur : clients ayant une ligne d'achat dans la période",
        "Numerator: revenue of the period (lines without a customer included); denominator: customers with a purchase line in the period",
    ),
    "repeat_purchase_rate": (
        "Numérateur : clients actifs dont le premier achat est antérieur à la période ; dénominateur : clients actifs de la période",
        "Numerator: active customers whose first purchase is before the period; denominator: active customers of the period",
    ),
    "one_time_buyer_rate": (
        "Numérateur : clients acquis dans la période sans second achat dans les N jours ; dénominateur : clients acquis dans la période",
        "Numerator: customers acquired in the period with no second purchase within N days; denominator: customers acquired in the period",
    ),
    "retention_rate": (
        "Numérateur : clients de la base au début de la période encore dans la base à la fin (|S ∩ E|) ; dénominateur : base au début (|S|) ; les clients revenus après une absence ne comptent pas",
        "Numerator: customers of the base at the period's start still in the base at its end (|S ∩ E|); denominator: the base at the start (|S|); customers back after a gap do not count",
    ),
    "churn_rate": (
        "Numérateur : clients de la base au début absents de la base à la fin ; dénominateur : base au début",
        "Numerator: customers of the base at the start no longer in it at the end; denominator: the base at the start",
    ),
    "upsell_rate": (
        "Numérateur : clients revenus ayant acheté un produit jamais acheté ; dénominateur : clients actifs dont le premier achat est antérieur à la période",
        "Numerator: returning customers who bought a product they had never bought; denominator: active customers whose first purchase is before the period",
    ),
    "clv": (
        "Sur les 12 mois finissant à la fin de la période : chiffre d'affaires ÷ clients actifs, × durée de vie (1 ÷ attrition annuelle de la base)",
        "Over the 12 months ending at the period's end: revenue ÷ active customers, × lifespan (1 ÷ the base's yearly churn)",
    ),
    "top_customer_share": (
        "Numérateur : CA net des ⌈n ÷ 5⌉ premiers clients ; dénominateur : CA net des n clients au CA net positif dans la période",
        "Numerator: net revenue of the top ⌈n ÷ 5⌉ customers; denominator: net revenue of the n customers with a positive net revenue in the period",
    ),
    "qualification_rate": (
        "Numérateur : leads créés dans la période et qualifiés (à toute date) ; dénominateur : leads créés dans la période",
        "Numerator: leads created in the period that are qualified (at any date); denominator: leads created in the period",
    ),
    "lead_conversion_rate": (
        "Numérateur : leads créés dans la période devenus clients ; dénominateur : leads créés dans la période",
        "Numerator: leads created in the period that became customers; denominator: leads created in the period",
    ),
    "transformation_rate": (
        "Numérateur : leads créés dans la période, qualifiés et convertis ; dénominateur : leads créés dans la période et qualifiés",
        "Numerator: leads created in the period, qualified and converted; denominator: leads created in the period and qualified",
    ),
    "win_rate": (
        "Numérateur : opportunités gagnées clôturées dans la période ; dénominateur : opportunités gagnées ou perdues clôturées dans la période",
        "Numerator: opportunities won and closed in the period; denominator: opportunities won or lost and closed in the period",
    ),
    "sales_cycle_days": (
        "Moyenne sur les opportunités gagnées clôturées dans la période (celles clôturées avant leur création écartées)",
        "Mean over the opportunities won and closed in the period (those closed before created left out)",
    ),
    "cac": (
        "Numérateur : dépenses marketing et commerciales de la période ; dénominateur : nouveaux clients de la période",
        "Numerator: marketing and sales spend of the period; denominator: new customers of the period",
    ),
    "cost_per_lead": (
        "Numérateur : dépenses marketing de la période ; dénominateur : leads créés dans la période",
        "Numerator: marketing spend of the period; denominator: leads created in the period",
    ),
    "roi": (
        "Numérateur : CA du canal − dépenses du canal ; dénominateur : dépenses du canal (toute l'entreprise : tout le CA et toutes les dépenses)",
        "Numerator: the channel's revenue − its spend; denominator: its spend (company-wide: all revenue and all spend)",
    ),
    "ltv_cac_ratio": (
        "Numérateur : CLV à la fin de la période ; dénominateur : CAC de la période",
        "Numerator: CLV at the period's end; denominator: CAC of the period",
    ),
    "nps": (
        "Réponses de la période notées 9–10 moins celles notées 0–6, en % des réponses notées de la période",
        "Responses of the period scored 9–10 minus those scored 0–6, as a % of the period's scored responses",
    ),
}
