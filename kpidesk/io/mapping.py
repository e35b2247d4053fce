"""Which kind of data a sheet holds, and which column feeds which field.

Headers are compared once *normalised*: lower case, accents, spaces and
punctuation ignored (``" Date de commande"``, ``date_de_commande`` and
``DATE DE COMMANDE`` are the same). A header equal to a synonym beats a header
that merely contains one (``Ventes`` is the amount, not ``Prévision des
ventes``); earlier synonyms beat later ones; each column feeds at most one
field.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from kpidesk.core.kinds import KIND_NAMES, KINDS

__all__ = [
    "FieldMatch",
    "KindGuess",
    "detect_kind",
    "header_signature",
    "match_columns",
    "normalise",
    "rank_kinds",
]

# -- synonyms ----------------------------------------------------------------------------------
# Best first. Written as a user would type them; normalised when compared.

_CUSTOMER_ID = (
    "customer_id",
    "id client",
    "client id",
    "customer id",
    "code client",
    "n client",
    "no client",
    "num client",
    "numero client",
    "numero de client",
    "ref client",
    "reference client",
    "identifiant client",
    "customer number",
    "customer no",
    "client",
    "customer",
    "customer code",
    "account id",
    "id compte",
    "account",
    "compte client",
    "compte",
)
_CUSTOMER_NAME = (
    "customer_name",
    "nom du client",
    "nom client",
    "customer name",
    "client name",
    "raison sociale",
    "societe",
    "company",
    "company name",
    "entreprise",
    "account name",
    "nom",
    "name",
    "denomination",
    "enseigne",
    "nom de la societe",
    "nom de l entreprise",
    "client",
    "customer",
)
_SALESPERSON = (
    "salesperson",
    "commercial",
    "commerciale",
    "vendeur",
    "vendeuse",
    "sales rep",
    "sales person",
    "sales agent",
    "agent",
    "representant",
    "charge d affaires",
    "account manager",
    "owner",
    "proprietaire",
    "responsable",
    "conseiller",
    "conseillere",
    "rep",
    "seller",
    "sales manager",
    "responsable commercial",
)
_CHANNEL = (
    "channel",
    "canal",
    "canal de vente",
    "sales channel",
    "canal d acquisition",
    "acquisition channel",
    "source",
    "origine",
    "lead source",
    "source du lead",
    "provenance",
    "medium",
    "canal marketing",
)
_REGION = (
    "region",
    "zone",
    "secteur",
    "territoire",
    "territory",
    "zone geographique",
    "area",
    "departement",
    "pays",
    "country",
)
_SEGMENT = (
    "segment",
    "segment client",
    "customer segment",
    "type de client",
    "type client",
    "typologie",
    "categorie client",
    "customer type",
    "cible",
    "industry",
    "secteur d activite",
    "sector",
)
_PRODUCT = (
    "product",
    "produit",
    "nom du produit",
    "product name",
    "nom produit",
    "article",
    "designation",
    "libelle",
    "libelle produit",
    "description",
    "item",
    "item name",
    "offre",
    "gamme",
    "prestation",
    "service",
    "product line",
    "reference produit",
    "ref produit",
    "sku",
)
_CREATED = (
    "created_date",
    "date de creation",
    "creation date",
    "created date",
    "created",
    "created at",
    "created on",
    "date creation",
    "date d entree",
    "date du lead",
    "lead date",
    "date premier contact",
    "first contact",
    "engage_date",
    "engage date",
    "date d engagement",
    "date d ouverture",
    "open date",
    "date",
)

SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "sales": {
        "date": (
            "date",
            "date de commande",
            "date commande",
            "order date",
            "invoice date",
            "invoicedate",
            "date facture",
            "date de facture",
            "date de facturation",
            "date de vente",
            "sale date",
            "sales date",
            "transaction date",
            "date transaction",
            "date de la vente",
            "date piece",
            "date operation",
            "jour",
            "day",
            "order_date",
        ),
        "amount": (
            "amount",
            "montant",
            "montant ht",
            "montant des ventes",
            "montant net",
            "montant net ht",
            "montant total ht",
            "montant de la vente",
            "montant vente",
            "ventes",
            "vente",
            "sales",
            "net sales",
            "sales amount",
            "chiffre d affaires",
            "chiffre d affaires ht",
            "ca",
            "ca ht",
            "revenue",
            "revenu",
            "total ht",
            "prix total",
            "total price",
            "line total",
            "total ligne",
            "net amount",
            "montant total",
            "total",
            "valeur",
            "value",
        ),
        "invoice_id": (
            "invoice_id",
            "invoiceno",
            "invoice no",
            "invoice number",
            "invoice id",
            "invoice",
            "n facture",
            "no facture",
            "numero de facture",
            "num facture",
            "numero facture",
            "facture",
            "id facture",
            "order id",
            "id commande",
            "n commande",
            "no commande",
            "numero de commande",
            "numero commande",
            "order number",
            "order no",
            "commande",
            "order",
            "ref commande",
            "reference commande",
            "transaction id",
            "n piece",
            "numero de piece",
            "piece",
        ),
        "customer_id": _CUSTOMER_ID,
        "customer_name": _CUSTOMER_NAME,
        "product": _PRODUCT,
        "quantity": (
            "quantity",
            "quantite",
            "qte",
            "qty",
            "units",
            "units sold",
            "unites",
            "unites vendues",
            "nombre",
            "nb",
            "volume",
            "quantite vendue",
        ),
        "unit_price": (
            "unit_price",
            "unitprice",
            "unit price",
            "prix unitaire",
            "prix unitaire ht",
            "pu",
            "pu ht",
            "sale price",
            "prix de vente",
            "prix",
            "price",
            "tarif",
            "prix ht",
        ),
        "salesperson": _SALESPERSON,
        "channel": _CHANNEL,
        "region": _REGION,
        "segment": _SEGMENT,
    },
    "leads": {
        "created_date": _CREATED,
        "lead_id": (
            "lead_id",
            "lead id",
            "id lead",
            "id prospect",
            "prospect id",
            "n prospect",
            "numero prospect",
            "mql id",
            "lead",
            "prospect",
            "contact id",
            "id contact",
        ),
        "channel": _CHANNEL,
        "qualified": ("qualified", "qualifie", "qualifiee", "is qualified", "lead qualifie", "mql", "sql"),
        "qualified_date": (
            "qualified_date",
            "date de qualification",
            "qualification date",
            "qualified date",
            "date qualifie",
            "mql date",
            "sql date",
        ),
        "converted": ("converted", "converti", "convertie", "is converted", "gagne", "won", "devenu client"),
        "converted_date": (
            "converted_date",
            "date de conversion",
            "conversion date",
            "converted date",
            "won date",
            "date de signature",
            "closed date",
            "date converti",
        ),
        "customer_id": _CUSTOMER_ID,
        "salesperson": _SALESPERSON,
        "region": _REGION,
        "segment": _SEGMENT,
    },
    "opportunities": {
        "created_date": _CREATED,
        "status": (
            "status",
            "statut",
            "deal_stage",
            "deal stage",
            "stage",
            "etape",
            "etape de vente",
            "phase",
            "stade",
            "etat",
            "state",
            "opportunity stage",
            "sales stage",
            "pipeline stage",
            "resultat",
            "outcome",
        ),
        "opportunity_id": (
            "opportunity_id",
            "opportunity id",
            "id opportunite",
            "opportunite id",
            "n opportunite",
            "deal id",
            "id affaire",
            "affaire",
            "n affaire",
            "opportunity",
            "opportunite",
            "deal",
        ),
        "close_date": (
            "close_date",
            "close date",
            "date de cloture",
            "date cloture",
            "closing date",
            "date de signature",
            "closed date",
            "date de fermeture",
            "won date",
            "date de fin",
            "expected close date",
        ),
        "amount": (
            "amount",
            "close_value",
            "close value",
            "montant",
            "montant ht",
            "valeur",
            "value",
            "deal value",
            "deal amount",
            "montant de l affaire",
            "montant estime",
            "expected revenue",
            "opportunity amount",
            "ca",
            "ca potentiel",
            "chiffre d affaires",
        ),
        "salesperson": _SALESPERSON,
        "channel": _CHANNEL,
        "customer_id": _CUSTOMER_ID,
        "product": _PRODUCT,
        "region": _REGION,
    },
    "customers": {
        "customer_id": _CUSTOMER_ID,
        "name": _CUSTOMER_NAME,
        "created_date": (
            "created_date",
            "date de creation",
            "client depuis",
            "customer since",
            "date d inscription",
            "signup date",
            "sign up date",
            "date d acquisition",
            "acquisition date",
            "created",
            "created at",
            "date premier achat",
            "first purchase",
            "first purchase date",
            "date",
        ),
        "channel": _CHANNEL,
        "segment": _SEGMENT,
        "region": _REGION,
        "salesperson": _SALESPERSON,
    },
    "spend": {
        "date": (
            "date",
            "date de depense",
            "date depense",
            "spend date",
            "mois",
            "month",
            "periode",
            "period",
            "jour",
            "day",
            "semaine",
            "week",
            "date de facture",
        ),
        "amount": (
            "amount",
            "montant",
            "montant ht",
            "depense",
            "depenses",
            "spend",
            "cost",
            "cout",
            "cout total",
            "total cost",
            "budget depense",
            "ad spend",
            "spent",
            "amount spent",
            "montant depense",
            "investissement",
        ),
        "channel": (
            "channel",
            "canal",
            "campagne",
            "campaign",
            "campaign name",
            "nom de la campagne",
            "levier",
            "support",
            "media",
            "plateforme",
            "platform",
            "source",
            "reseau",
            "network",
        ),
        "category": (
            "category",
            "categorie",
            "type de depense",
            "nature",
            "type",
            "poste",
            "poste de depense",
        ),
    },
    "activities": {
        "date": (
            "date",
            "date de l activite",
            "activity date",
            "date activite",
            "date de l action",
            "date action",
            "jour",
            "day",
            "due date",
            "echeance",
            "date du rdv",
            "date de contact",
        ),
        "type": (
            "type",
            "type d activite",
            "activity type",
            "type activite",
            "type d action",
            "action",
            "activite",
            "activity",
            "nature",
            "canal",
            "objet",
            "subject",
        ),
        "salesperson": _SALESPERSON,
        "lead_id": ("lead_id", "lead id", "id lead", "id prospect", "prospect id", "prospect", "lead"),
        "customer_id": _CUSTOMER_ID,
    },
    "surveys": {
        "date": (
            "date",
            "date de reponse",
            "response date",
            "date reponse",
            "date de l enquete",
            "survey date",
            "date enquete",
            "submitted at",
            "submission date",
            "horodatage",
            "timestamp",
            "date questionnaire",
        ),
        "score": (
            "score",
            "nps",
            "score nps",
            "nps score",
            "note",
            "note nps",
            "note de recommandation",
            "recommandation",
            "likelihood to recommend",
            "recommend",
            "probabilite de recommandation",
            "rating",
        ),
        "customer_id": (*_CUSTOMER_ID, "id", "respondent id", "id repondant"),
        "channel": _CHANNEL,
    },
    "targets": {
        "kpi": ("kpi", "indicateur", "indicator", "metric", "metrique", "kpi id", "id kpi", "mesure"),
        "period": (
            "period",
            "periode",
            "mois",
            "month",
            "trimestre",
            "quarter",
            "annee",
            "year",
            "semaine",
            "week",
        ),
        "value": ("value", "valeur", "objectif", "target", "cible", "montant", "amount", "goal", "quota"),
        "dimension": ("dimension", "axe", "par", "by"),
        "member": (
            "member",
            "membre",
            "element",
            "valeur de la dimension",
            "commercial",
            "vendeur",
            "salesperson",
        ),
    },
}

#: Words that stop a header from *partly* matching a synonym ("Prévision des ventes" is no amount).
_BLOCKERS = frozenset(
    {
        "prevision",
        "previsions",
        "previsionnel",
        "previsionnelle",
        "forecast",
        "objectif",
        "objectifs",
        "target",
        "budget",
        "cumul",
        "cumule",
        "ytd",
        "moyenne",
        "moyen",
        "average",
        "avg",
        "taux",
        "rate",
        "ratio",
        "pct",
        "percent",
        "pourcentage",
        "marge",
        "margin",
        "profit",
        "cogs",
        "remise",
        "discount",
        "discounts",
        "tva",
        "vat",
        "tax",
        "taxe",
        "gross",
        "brut",
        "manufacturing",
        "ship",
        "expedition",
        "livraison",
        "delivery",
    }
)

#: One-word synonyms specific enough to be found inside a longer header ("Quantité commandée").
#: Other one-word synonyms ("name", "total", "client"…) only match a header equal to them.
_PARTIAL_WORDS = frozenset(
    {
        "montant",
        "quantite",
        "quantity",
        "qte",
        "date",
        "ventes",
        "sales",
        "revenue",
        "facture",
        "invoice",
        "commercial",
        "vendeur",
        "produit",
        "product",
        "canal",
        "channel",
        "region",
        "segment",
        "statut",
        "status",
        "stage",
        "etape",
        "depense",
        "depenses",
        "spend",
        "cost",
        "cout",
        "nps",
        "score",
        "kpi",
        "indicateur",
        "campagne",
        "campaign",
        "periode",
        "period",
        "objectif",
        "target",
        "qualifie",
        "qualified",
        "converti",
        "converted",
    }
)

EXACT = 1000
PARTIAL = 500


@functools.lru_cache(maxsize=4096)
def normalise(header: str) -> str:
    """``header`` compared loosely: lower case, no accents, one space between words."""
    decomposed = unicodedata.normalize("NFKD", str(header).lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("°", " ").replace("º", " ")
    # "InvoiceNo" / "CustomerID" are one word to the user; so are "e-mail" and "email".
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def _compact(text: str) -> str:
    return normalise(text).replace(" ", "")


def header_signature(headers: Sequence[str]) -> str:
    """A stable hash of the normalised headers, in order (to remember a confirmed mapping)."""
    joined = "\x1f".join(_compact(h) for h in headers)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class FieldMatch:
    """How well one column matches one field."""

    field: str
    column: str
    score: int

    @property
    def exact(self) -> bool:
        return self.score >= EXACT - 100


@functools.lru_cache(maxsize=256)
def _prepared(synonyms: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each synonym as (compact form, words), normalised once."""
    return tuple((_compact(s), tuple(normalise(s).split())) for s in synonyms)


def _score(header: str, synonyms: tuple[str, ...]) -> int:
    compact = _compact(header)
    words = tuple(normalise(header).split())
    if not compact:
        return 0
    blockers = _BLOCKERS.intersection(words)
    best = 0
    for rank, (syn_compact, syn_words) in enumerate(_prepared(synonyms)):
        if compact == syn_compact:
            return EXACT - rank
        if best or not syn_words or blockers - set(syn_words):
            continue
        if len(syn_words) == 1 and syn_words[0] not in _PARTIAL_WORDS:
            continue
        size = len(syn_words)
        if any(words[i : i + size] == syn_words for i in range(len(words) - size + 1)):
            extra = len(words) - size
            best = PARTIAL - rank - 5 * extra
    return max(best, 0)


def match_columns(headers: Sequence[str], kind: str) -> dict[str, FieldMatch]:
    """The best column for each field of ``kind`` that has one (field -> match).

    Greedy on the best scores first, so each column feeds at most one field and
    each field takes at most one column.
    """
    synonyms = SYNONYMS[kind]
    spec = KINDS[kind]
    candidates: list[tuple[int, int, int, str, str]] = []
    for field in spec.field_names:
        for column_index, header in enumerate(headers):
            score = _score(header, synonyms.get(field, (field,)))
            if score > 0:
                required = 1 if field in spec.required else 0
                candidates.append((score, required, -column_index, field, header))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]), reverse=True)
    taken_fields: dict[str, FieldMatch] = {}
    taken_columns: set[str] = set()
    for score, _required, _column, field, header in candidates:
        if field in taken_fields or header in taken_columns:
            continue
        taken_fields[field] = FieldMatch(field, header, score)
        taken_columns.add(header)
    return taken_fields


@dataclass(frozen=True)
class KindGuess:
    """A kind with its score and the columns it would use."""

    kind: str
    score: float
    complete: bool
    matches: dict[str, FieldMatch]


def _satisfied(kind: str, matches: dict[str, FieldMatch]) -> bool:
    for field in KINDS[kind].required:
        if field in matches:
            continue
        if kind == "sales" and field == "amount" and {"quantity", "unit_price"} <= set(matches):
            continue
        return False
    return True


def rank_kinds(headers: Sequence[str]) -> list[KindGuess]:
    """Every kind scored against ``headers``, best first.

    A field matched exactly counts 2, partly 1; required fields count double;
    a kind missing a required field keeps a quarter of its score.
    """
    guesses = []
    for order, kind in enumerate(KIND_NAMES):
        matches = match_columns(headers, kind)
        required = set(KINDS[kind].required)
        score = 0.0
        for field, match in matches.items():
            weight = 2.0 if match.exact else 1.0
            score += weight * (2.0 if field in required else 1.0)
        complete = _satisfied(kind, matches)
        if not complete:
            score *= 0.25
        # A tiny tie-breaker keeps the catalogue order (sales first).
        guesses.append((score - order * 1e-3, KindGuess(kind, score, complete, matches)))
    guesses.sort(key=lambda g: g[0], reverse=True)
    return [g for _, g in guesses]


def detect_kind(headers: Sequence[str]) -> KindGuess | None:
    """The kind ``headers`` most likely hold, or None when nothing matches at all."""
    best = rank_kinds(headers)[0]
    return best if best.score > 0 else None
