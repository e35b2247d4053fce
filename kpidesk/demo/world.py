"""The demo company's world: its people, segments, regions, channels, products, seasons and names."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

COMPANY_NAME = "Fournitures Delorme SAS"

#: Months covered, the month of ``end`` included.
MONTHS = 36

#: A day offset beyond any calendar: "never".
_NEVER = 10**7

SALESPEOPLE: tuple[str, ...] = (
    "Camille Lefèvre",
    "Julien Moreau",
    "Sophie Bernard",
    "Thomas Girard",
    "Nadia Benali",
    "Antoine Rousseau",
)
#: The salesperson who clearly lags: fewer wins, lower win rate, below target.
LAGGING_SALESPERSON = "Thomas Girard"
# Per salesperson: lead conversion factor, expansion-deal win rate, churn factor
# of their customers, size factor of their customers, meeting activity factor,
# NPS shift of their customers.
_SP_CONVERSION = np.array([1.0, 1.05, 0.95, 0.45, 1.0, 1.1])
_SP_DEAL_WIN = np.array([0.62, 0.6, 0.58, 0.3, 0.6, 0.65])
_SP_CHURN = np.array([1.0, 1.0, 1.05, 1.7, 1.0, 0.9])
_SP_SIZE = np.array([1.0, 1.0, 1.0, 0.85, 1.0, 1.05])
_SP_GROWTH = np.array([0.0, 0.0, 0.0, -0.08, 0.0, 0.02])  # yearly trend of what their customers buy
_SP_MEETINGS = np.array([1.0, 1.1, 0.95, 0.55, 1.0, 1.05])
_SP_NPS = np.array([0.0, 2.0, 0.0, -15.0, 0.0, 5.0])

SEGMENTS: tuple[str, ...] = ("TPE", "PME", "Grands comptes")
_SEGMENT_SIZE = np.array([0.4, 1.0, 5.0])  # median size of a customer
_SEGMENT_CONVERSION = np.array([1.0, 1.0, 0.75])
_SEGMENT_CHURN = np.array([1.5, 0.85, 0.4])
_SEGMENT_DISCOUNT = np.array([1.0, 0.97, 0.9])
_SEGMENT_DEAL = np.array([1500.0, 5500.0, 20000.0])  # median amount of a new-customer deal
_SEGMENT_MAINTENANCE = np.array([0.05, 0.3, 0.65])  # share with a maintenance contract
_BASE_SEGMENTS = np.array([0.33, 0.52, 0.15])

REGIONS: tuple[str, ...] = (
    "Île-de-France",
    "Auvergne-Rhône-Alpes",
    "Nouvelle-Aquitaine",
    "Occitanie",
    "Hauts-de-France",
    "Grand Est",
)
_REGION_WEIGHTS = np.array([0.3, 0.2, 0.13, 0.12, 0.13, 0.12])


@dataclass(frozen=True)
class _Channel:
    """An acquisition channel: its leads, their quality and the customers they bring."""

    name: str
    leads: float  # leads a month at the start
    lead_growth: float  # yearly growth of the lead flow
    qualification: float  # share of leads qualified
    conversion: float  # share of qualified leads converted
    value: float  # size factor of the customers it brings
    churn: float  # churn factor of those customers
    base_share: float  # share of the customers that predate the data
    segments: tuple[float, float, float]  # TPE, PME, Grands comptes among its leads


_CHANNELS: tuple[_Channel, ...] = (
    _Channel("Salon professionnel", 6.0, 0.05, 0.55, 0.41, 1.25, 0.9, 0.27, (0.2, 0.55, 0.25)),
    _Channel("Site web", 11.5, 0.1, 0.35, 0.31, 0.85, 1.1, 0.15, (0.5, 0.45, 0.05)),
    _Channel("Recommandation", 2.6, 0.05, 0.75, 0.58, 1.3, 0.7, 0.28, (0.3, 0.5, 0.2)),
    _Channel("Prospection téléphonique", 8.0, 0.0, 0.4, 0.31, 1.0, 1.0, 0.22, (0.35, 0.55, 0.1)),
    _Channel("LinkedIn Ads", 13.0, 0.25, 0.2, 0.14, 0.9, 1.8, 0.0, (0.6, 0.38, 0.02)),
    _Channel("Google Ads", 9.5, 0.1, 0.35, 0.31, 0.9, 1.1, 0.08, (0.5, 0.45, 0.05)),
    _Channel("Emailing", 3.5, 0.05, 0.4, 0.29, 0.9, 1.0, 0.0, (0.4, 0.5, 0.1)),
)
CHANNELS: tuple[str, ...] = tuple(c.name for c in _CHANNELS)
#: The channel whose spend exceeds the revenue of the customers it acquired.
LOSS_MAKING_CHANNEL = "LinkedIn Ads"
_SALON = CHANNELS.index("Salon professionnel")


@dataclass(frozen=True)
class _Product:
    name: str
    price: float  # list price the first year, before tax
    quantity: float  # median quantity on a line of a median customer
    popularity: float  # share of ordinary lines (0: never on an ordinary order)
    deal: float  # weight among expansion deals (0: never)
    deal_quantity: float  # median quantity of such a deal


_PRODUCTS: tuple[_Product, ...] = (
    _Product("Papier A4 (carton)", 29.9, 8.0, 0.2, 0.0, 0.0),
    _Product("Fournitures de bureau (lot)", 64.5, 4.0, 0.17, 0.0, 0.0),
    _Product("Cartouches d'encre", 42.0, 6.0, 0.15, 0.0, 0.0),
    _Product("Produits d'entretien", 24.9, 10.0, 0.12, 0.0, 0.0),
    _Product("Équipements de protection (EPI)", 12.8, 25.0, 0.1, 0.0, 0.0),
    _Product("Emballages et cartons", 18.5, 20.0, 0.08, 0.0, 0.0),
    _Product("Outillage industriel", 189.0, 2.0, 0.07, 0.25, 8.0),
    _Product("Mobilier de bureau", 450.0, 2.0, 0.05, 0.35, 6.0),
    _Product("Fauteuil ergonomique", 289.0, 2.0, 0.04, 0.25, 10.0),
    _Product("Imprimante multifonction", 1490.0, 1.0, 0.02, 0.15, 2.0),
    _Product("Maintenance annuelle", 1800.0, 1.0, 0.0, 0.0, 0.0),
)
PRODUCTS: tuple[str, ...] = tuple(p.name for p in _PRODUCTS)
_MAINTENANCE = PRODUCTS.index("Maintenance annuelle")
_PRICE = np.array([p.price for p in _PRODUCTS])
_QUANTITY = np.array([p.quantity for p in _PRODUCTS])
_POPULARITY = np.array([p.popularity for p in _PRODUCTS])
_DEAL_WEIGHT = np.array([p.deal for p in _PRODUCTS])
_DEAL_QUANTITY = np.array([p.deal_quantity for p in _PRODUCTS])
_PRICE_GROWTH = 1.035  # yearly tariff increase, every January

# Activity factors by calendar month (January first).
_SALES_SEASON = np.array([0.95, 0.97, 1.06, 1.0, 0.93, 1.04, 0.86, 0.45, 1.22, 1.1, 1.05, 1.22])
_LEAD_SEASON = np.array([1.05, 1.0, 1.05, 1.0, 0.95, 0.95, 0.75, 0.45, 1.2, 1.15, 1.05, 0.75])
_SALON_SEASON = np.array([0.4, 0.5, 4.5, 0.6, 0.4, 0.4, 0.3, 0.2, 0.6, 4.0, 0.6, 0.3])
_SALES_GROWTH = 0.06  # yearly growth of what a customer buys, before prices

# NPS by month index (interpolated): steady, a dip in the middle year, recovery.
_NPS_CURVE = ((0.0, 33.0), (12.0, 30.0), (17.0, 17.0), (22.0, 25.0), (35.0, 45.0))

# Spend a month by channel (marketing) and sales costs.
_MONTHLY_SPEND: tuple[tuple[str, str, float, float], ...] = (
    # channel, category, amount the first month, yearly growth
    ("LinkedIn Ads", "marketing", 6500.0, 0.3),
    ("Google Ads", "marketing", 3600.0, 0.08),
    ("Site web", "marketing", 1250.0, 0.05),
    ("Emailing", "marketing", 420.0, 0.05),
    ("Prospection téléphonique", "sales", 1100.0, 0.03),
    ("Déplacements", "sales", 2900.0, 0.04),
)
_SALON_COST = {3: 19500.0, 10: 16500.0}  # trade-show months and the cost of the stand
_COMMISSION_RATE = 0.03  # of the month's revenue

_COMPANY_WORDS = (
    "Boulangerie",
    "Garage",
    "Cabinet",
    "Imprimerie",
    "Menuiserie",
    "Pharmacie",
    "Transports",
    "Plomberie",
    "Électricité",
    "Restaurant",
    "Hôtel",
    "Agence",
    "Librairie",
    "Fromagerie",
    "Atelier",
    "Carrosserie",
    "Boucherie",
    "Clinique vétérinaire",
    "Cabinet comptable",
    "Étude notariale",
    "Maçonnerie",
    "Serrurerie",
    "Auto-école",
    "Fleuriste",
    "Optique",
    "Charpente",
    "Traiteur",
    "Ébénisterie",
    "Pressing",
    "Cave",
)
_LARGE_PATTERNS = (
    "Groupe {}",
    "{} Industries",
    "Laboratoires {}",
    "{} Logistique",
    "{} Distribution",
    "Clinique privée {}",
    "{} Bâtiment",
    "Mutuelle {}",
)
_SURNAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Legrand",
    "Garnier",
    "Faure",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Boyer",
    "Denis",
    "Lemaire",
)
_SMALL_SUFFIXES = (" SARL", " SAS", "", " & Fils", " EURL")
_SMALL_SUFFIX_WEIGHTS = np.array([0.4, 0.25, 0.2, 0.08, 0.07])
_LARGE_SUFFIXES = (" SA", " SAS")
