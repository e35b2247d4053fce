"""The header synonyms of each field of each kind, in French and English: data, not code.

Best first, written as a user would type them (compared once normalised: case, accents, spaces
and punctuation ignored). Read by :mod:`kpidesk.io.mapping.match`.
"""

from __future__ import annotations

# fmt: off

CUSTOMER_ID: tuple[str, ...] = (
    "customer_id", "id client", "client id", "customer id", "code client", "n client", "no client", "num client",
    "numero client", "numero de client", "ref client", "reference client", "identifiant client", "customer number",
    "customer no", "client", "customer", "customer code", "account id", "id compte", "account", "compte client",
    "compte",
)
CUSTOMER_NAME: tuple[str, ...] = (
    "customer_name", "nom du client", "nom client", "customer name", "client name", "raison sociale", "societe",
    "company", "company name", "entreprise", "account name", "nom", "name", "denomination", "enseigne",
    "nom de la societe", "nom de l entreprise", "client", "customer",
)
SALESPERSON: tuple[str, ...] = (
    "salesperson", "commercial", "commerciale", "vendeur", "vendeuse", "sales rep", "sales person", "sales agent",
    "agent", "representant", "charge d affaires", "account manager", "owner", "proprietaire", "responsable",
    "conseiller", "conseillere", "rep", "seller", "sales manager", "responsable commercial",
)
CHANNEL: tuple[str, ...] = (
    "channel", "canal", "canal de vente", "sales channel", "canal d acquisition", "acquisition channel", "source",
    "origine", "lead source", "source du lead", "provenance", "medium", "canal marketing",
)
REGION: tuple[str, ...] = (
    "region", "zone", "secteur", "territoire", "territory", "zone geographique", "area", "departement", "pays",
    "country",
)
SEGMENT: tuple[str, ...] = (
    "segment", "segment client", "customer segment", "type de client", "type client", "typologie", "categorie client",
    "customer type", "cible", "industry", "secteur d activite", "sector",
)
PRODUCT: tuple[str, ...] = (
    "product", "produit", "nom du produit", "product name", "nom produit", "article", "designation", "libelle",
    "libelle produit", "description", "item", "item name", "offre", "gamme", "prestation", "service", "product line",
    "reference produit", "ref produit", "sku",
)
CREATED: tuple[str, ...] = (
    "created_date", "date de creation", "creation date", "created date", "created", "created at", "created on",
    "date creation", "date d entree", "date du lead", "lead date", "date premier contact", "first contact",
    "engage_date", "engage date", "date d engagement", "date d ouverture", "open date", "date",
)

SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "sales": {
        "date": (
            "date", "date de commande", "date commande", "order date", "invoice date", "invoicedate", "date facture",
            "date de facture", "date de facturation", "date de vente", "sale date", "sales date", "transaction date",
            "date transaction", "date de la vente", "date piece", "date operation", "jour", "day", "order_date",
        ),
        "amount": (
            "amount", "montant", "montant ht", "montant des ventes", "montant net", "montant net ht",
            "montant total ht", "montant de la vente", "montant vente", "ventes", "vente", "sales", "net sales",
            "sales amount", "chiffre d affaires", "chiffre d affaires ht", "ca", "ca ht", "revenue", "revenu",
            "total ht", "prix total", "total price", "line total", "total ligne", "net amount", "montant total",
            "total", "valeur", "value",
        ),
        "invoice_id": (
            "invoice_id", "invoiceno", "invoice no", "invoice number", "invoice id", "invoice", "n facture",
            "no facture", "numero de facture", "num facture", "numero facture", "facture", "id facture", "order id",
            "id commande", "n commande", "no commande", "numero de commande", "numero commande", "order number",
            "order no", "commande", "order", "ref commande", "reference commande", "transaction id", "n piece",
            "numero de piece", "piece",
        ),
        "customer_id": CUSTOMER_ID,
        "customer_name": CUSTOMER_NAME,
        "product": PRODUCT,
        "quantity": (
            "quantity", "quantite", "qte", "qty", "units", "units sold", "unites", "unites vendues", "nombre", "nb",
            "volume", "quantite vendue",
        ),
        "unit_price": (
            "unit_price", "unitprice", "unit price", "prix unitaire", "prix unitaire ht", "pu", "pu ht", "sale price",
            "prix de vente", "prix", "price", "tarif", "prix ht",
        ),
        "salesperson": SALESPERSON,
        "channel": CHANNEL,
        "region": REGION,
        "segment": SEGMENT,
    },
    "leads": {
        "created_date": CREATED,
        "lead_id": (
            "lead_id", "lead id", "id lead", "id prospect", "prospect id", "n prospect", "numero prospect", "mql id",
            "lead", "prospect", "contact id", "id contact",
        ),
        "channel": CHANNEL,
        "qualified": (
            "qualified", "qualifie", "qualifiee", "is qualified", "lead qualifie", "mql", "sql",
        ),
        "qualified_date": (
            "qualified_date", "date de qualification", "qualification date", "qualified date", "date qualifie",
            "mql date", "sql date",
        ),
        "converted": (
            "converted", "converti", "convertie", "is converted", "gagne", "won", "devenu client",
        ),
        "converted_date": (
            "converted_date", "date de conversion", "conversion date", "converted date", "won date",
            "date de signature", "closed date", "date converti",
        ),
        "customer_id": CUSTOMER_ID,
        "salesperson": SALESPERSON,
        "region": REGION,
        "segment": SEGMENT,
    },
    "opportunities": {
        "created_date": CREATED,
        "status": (
            "status", "statut", "deal_stage", "deal stage", "stage", "etape", "etape de vente", "phase", "stade",
            "etat", "state", "opportunity stage", "sales stage", "pipeline stage", "resultat", "outcome",
        ),
        "opportunity_id": (
            "opportunity_id", "opportunity id", "id opportunite", "opportunite id", "n opportunite", "deal id",
            "id affaire", "affaire", "n affaire", "opportunity", "opportunite", "deal",
        ),
        "close_date": (
            "close_date", "close date", "date de cloture", "date cloture", "closing date", "date de signature",
            "closed date", "date de fermeture", "won date", "date de fin", "expected close date",
        ),
        "amount": (
            "amount", "close_value", "close value", "montant", "montant ht", "valeur", "value", "deal value",
            "deal amount", "montant de l affaire", "montant estime", "expected revenue", "opportunity amount", "ca",
            "ca potentiel", "chiffre d affaires",
        ),
        "salesperson": SALESPERSON,
        "channel": CHANNEL,
        "customer_id": CUSTOMER_ID,
        "product": PRODUCT,
        "region": REGION,
    },
    "customers": {
        "customer_id": CUSTOMER_ID,
        "name": CUSTOMER_NAME,
        "created_date": (
            "created_date", "date de creation", "client depuis", "customer since", "date d inscription",
            "signup date", "sign up date", "date d acquisition", "acquisition date", "created", "created at",
            "date premier achat", "first purchase", "first purchase date", "date",
        ),
        "channel": CHANNEL,
        "segment": SEGMENT,
        "region": REGION,
        "salesperson": SALESPERSON,
    },
    "spend": {
        "date": (
            "date", "date de depense", "date depense", "spend date", "mois", "month", "periode", "period", "jour",
            "day", "semaine", "week", "date de facture",
        ),
        "amount": (
            "amount", "montant", "montant ht", "depense", "depenses", "spend", "cost", "cout", "cout total",
            "total cost", "budget depense", "ad spend", "spent", "amount spent", "montant depense", "investissement",
        ),
        "channel": (
            "channel", "canal", "campagne", "campaign", "campaign name", "nom de la campagne", "levier", "support",
            "media", "plateforme", "platform", "source", "reseau", "network",
        ),
        "category": (
            "category", "categorie", "type de depense", "nature", "type", "poste", "poste de depense",
        ),
    },
    "activities": {
        "date": (
            "date", "date de l activite", "activity date", "date activite", "date de l action", "date action", "jour",
            "day", "due date", "echeance", "date du rdv", "date de contact",
        ),
        "type": (
            "type", "type d activite", "activity type", "type activite", "type d action", "action", "activite",
            "activity", "nature", "canal", "objet", "subject",
        ),
        "salesperson": SALESPERSON,
        "lead_id": (
            "lead_id", "lead id", "id lead", "id prospect", "prospect id", "prospect", "lead",
        ),
        "customer_id": CUSTOMER_ID,
    },
    "surveys": {
        "date": (
            "date", "date de reponse", "response date", "date reponse", "date de l enquete", "survey date",
            "date enquete", "submitted at", "submission date", "horodatage", "timestamp", "date questionnaire",
        ),
        "score": (
            "score", "nps", "score nps", "nps score", "note", "note nps", "note de recommandation", "recommandation",
            "likelihood to recommend", "recommend", "probabilite de recommandation", "rating",
        ),
        "customer_id": (*CUSTOMER_ID, "id", "respondent id", "id repondant"),
        "channel": CHANNEL,
    },
    "targets": {
        "kpi": (
            "kpi", "indicateur", "indicator", "metric", "metrique", "kpi id", "id kpi", "mesure",
        ),
        "period": (
            "period", "periode", "mois", "month", "trimestre", "quarter", "annee", "year", "semaine", "week",
        ),
        "value": (
            "value", "valeur", "objectif", "target", "cible", "montant", "amount", "goal", "quota",
        ),
        "dimension": (
            "dimension", "axe", "par", "by",
        ),
        "member": (
            "member", "membre", "element", "valeur de la dimension", "commercial", "vendeur", "salesperson",
        ),
    },
}

#: Words that stop a header from *partly* matching a synonym ("Prévision des ventes" is no amount).
BLOCKERS: frozenset[str] = frozenset((
    "average", "avg", "brut", "budget", "cogs", "cumul", "cumule", "delivery", "discount", "discounts", "expedition",
    "forecast", "gross", "livraison", "manufacturing", "marge", "margin", "moyen", "moyenne", "objectif", "objectifs",
    "pct", "percent", "pourcentage", "prevision", "previsionnel", "previsionnelle", "previsions", "profit", "rate",
    "ratio", "remise", "ship", "target", "taux", "tax", "taxe", "tva", "vat", "ytd",
    # A monthly, yearly, declared or estimated figure is no invoice amount.
    "monthly", "mensuel", "mensuelle", "annual", "annuel", "annuelle", "declared", "declare", "estimated",
))

#: One-word synonyms specific enough to be found inside a longer header ("Quantité commandée");
#: other one-word synonyms ("name", "total", "client"…) only match a header equal to them.
PARTIAL_WORDS: frozenset[str] = frozenset((
    "campagne", "campaign", "canal", "channel", "commercial", "converted", "converti", "cost", "cout", "date",
    "depense", "depenses", "etape", "facture", "indicateur", "invoice", "kpi", "montant", "nps", "objectif", "period",
    "periode", "product", "produit", "qte", "qualifie", "qualified", "quantite", "quantity", "region", "revenue",
    "sales", "score", "segment", "spend", "stage", "status", "statut", "target", "vendeur", "ventes",
))

# fmt: on
