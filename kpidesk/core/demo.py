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

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from kpidesk.core.kinds import KINDS

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


# -- calendar ------------------------------------------------------------------------------


def period_start(end: datetime.date) -> datetime.date:
    """The first day of the demo data ending at ``end``: the 1st, 35 months before."""
    index = end.year * 12 + end.month - 1 - (MONTHS - 1)
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class _Calendar:
    """Days are integer offsets from ``start``; months are indexed 0..MONTHS-1."""

    start: datetime.date
    n_days: int  # days from start to end, both included
    lo: IntArray  # first day of each month
    hi: IntArray  # day after the last day of each month, clipped to n_days
    length: IntArray  # full length of each month
    month: IntArray  # calendar month, 1..12
    year: IntArray  # calendar year

    @classmethod
    def build(cls, end: datetime.date) -> _Calendar:
        start = period_start(end)
        months = np.datetime64(start, "M") + np.arange(MONTHS + 1)
        bounds = (months.astype("datetime64[D]") - np.datetime64(start, "D")).astype(np.int64)
        n_days = (end - start).days + 1
        index = months[:-1].astype(np.int64)
        return cls(
            start=start,
            n_days=n_days,
            lo=bounds[:-1],
            hi=np.minimum(bounds[1:], n_days),
            length=bounds[1:] - bounds[:-1],
            month=index % 12 + 1,
            year=index // 12 + 1970,
        )

    @property
    def elapsed(self) -> FloatArray:
        """Share of each month covered (1 except for the month of ``end``)."""
        return np.asarray((self.hi - self.lo) / self.length, dtype=np.float64)

    def weekday(self, days: IntArray) -> IntArray:
        return np.asarray((days + self.start.weekday()) % 7, dtype=np.int64)

    def business(self, days: IntArray, lo: IntArray | int, hi: IntArray | int) -> IntArray:
        """Saturdays to the Friday before, Sundays to the Monday after, kept in [lo, hi)."""
        wd = self.weekday(days)
        moved = days - (wd == 5).astype(np.int64) + (wd == 6).astype(np.int64)
        return np.asarray(np.clip(moved, lo, np.asarray(hi) - 1), dtype=np.int64)

    def next_business(self, days: IntArray) -> IntArray:
        """Week-end days to the Monday after."""
        wd = self.weekday(days)
        return np.asarray(days + np.where(wd == 5, 2, np.where(wd == 6, 1, 0)), dtype=np.int64)

    def month_of(self, days: IntArray) -> IntArray:
        return np.asarray(np.searchsorted(self.lo, days, side="right") - 1, dtype=np.int64)

    def year_of(self, days: IntArray) -> IntArray:
        return np.asarray(self.year[self.month_of(days)], dtype=np.int64)

    def timestamps(self, days: IntArray, valid: BoolArray | None = None) -> npt.NDArray[np.datetime64]:
        """Midnight ``datetime64[ns]`` of each day offset; NaT where not ``valid``."""
        if valid is None:
            valid = np.ones(days.shape, dtype=np.bool_)
        offsets = np.where(valid, days, 0).astype("timedelta64[D]")
        out = (np.datetime64(self.start, "D") + offsets).astype("datetime64[ns]")
        out[~valid] = np.datetime64("NaT")
        return out


# -- small helpers -------------------------------------------------------------------------


def _choice(rng: np.random.Generator, weights: FloatArray, n: int) -> IntArray:
    p = np.asarray(weights, dtype=np.float64)
    return np.asarray(rng.choice(p.size, size=n, p=p / p.sum()), dtype=np.int64)


def _pick(rng: np.random.Generator, probs: FloatArray) -> IntArray:
    """One index per row of ``probs`` (rows of probabilities)."""
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(int(probs.shape[0]))
    return np.asarray(np.minimum((u[:, None] > cum).sum(axis=1), probs.shape[1] - 1), dtype=np.int64)


def _expand(counts: IntArray) -> tuple[IntArray, IntArray]:
    """Row and column of each event, for a (rows x columns) matrix of event counts."""
    cell = np.repeat(np.arange(counts.size, dtype=np.int64), counts.ravel())
    return cell // counts.shape[1], cell % counts.shape[1]


def _cycle(rng: np.random.Generator, n: int) -> IntArray:
    """Sales cycles in days: 10 to 120, about a month typically, a few the same day."""
    days = np.clip(np.rint(np.exp(rng.normal(np.log(32.0), 0.55, n))), 10, 120).astype(np.int64)
    days[rng.random(n) < 0.03] = 0
    return days


def _lognormal(rng: np.random.Generator, median: FloatArray, sigma: float) -> FloatArray:
    return np.asarray(median * np.exp(rng.normal(0.0, sigma, median.shape)), dtype=np.float64)


def _unit_price(cal: _Calendar, product: IntArray, day: IntArray, segment: IntArray) -> FloatArray:
    index = _PRICE_GROWTH ** (cal.year_of(day) - cal.year[0]).astype(np.float64)
    return np.asarray(np.round(_PRICE[product] * index * _SEGMENT_DISCOUNT[segment], 2), dtype=np.float64)


def _ids(prefix: str, numbers: IntArray, width: int) -> list[str]:
    return [f"{prefix}{n:0{width}d}" for n in numbers.tolist()]


def _labels(names: Sequence[str], codes: IntArray) -> npt.NDArray[np.object_]:
    """``names[code]`` per row, None where the code is -1."""
    table = np.array([*names, None], dtype=object)
    return np.asarray(table[codes], dtype=object)


def _category(names: Sequence[str], codes: IntArray) -> pd.Categorical:
    return pd.Categorical(_labels(names, codes))


def _text(values: Sequence[str | None] | npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _bools(values: BoolArray) -> pd.api.extensions.ExtensionArray:
    return pd.array(values, dtype="boolean")


def _frame(kind: str, columns: dict[str, object]) -> pd.DataFrame:
    names = list(KINDS[kind].field_names)
    return pd.DataFrame({name: columns[name] for name in names}, columns=names)


# -- leads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Leads:
    created: IntArray
    channel: IntArray
    salesperson: IntArray
    region: IntArray
    segment: IntArray
    qualified: BoolArray  # qualified by the end date
    qualified_day: IntArray
    will_convert: BoolArray  # converts, possibly after the end date
    converted: BoolArray  # converted by the end date
    converted_day: IntArray
    has_opportunity: BoolArray
    close_day: IntArray  # when its opportunity closes (won or lost)


def _make_leads(rng: np.random.Generator, cal: _Calendar) -> _Leads:
    t = np.arange(MONTHS, dtype=np.float64)
    season = _LEAD_SEASON[cal.month - 1] * cal.elapsed
    lam = np.empty((MONTHS, len(_CHANNELS)))
    for j, ch in enumerate(_CHANNELS):
        lam[:, j] = ch.leads * (1.0 + ch.lead_growth) ** (t / 12.0) * season
    lam[:, _SALON] *= _SALON_SEASON[cal.month - 1]
    month, channel = _expand(rng.poisson(lam))
    n = month.size
    created = cal.lo[month] + (rng.random(n) * (cal.hi[month] - cal.lo[month])).astype(np.int64)
    created = cal.business(created, cal.lo[month], cal.hi[month])
    order = np.lexsort((channel, created))
    created, channel = created[order], channel[order]

    salesperson = rng.integers(0, len(SALESPEOPLE), n).astype(np.int64)
    region = _choice(rng, _REGION_WEIGHTS, n)
    segment = _pick(rng, np.array([c.segments for c in _CHANNELS])[channel])

    qualification = np.array([c.qualification for c in _CHANNELS])[channel]
    qualified_day = cal.next_business(created + rng.geometric(0.2, n).astype(np.int64))
    qualified = (rng.random(n) < qualification) & (qualified_day < cal.n_days)

    conversion = (
        np.array([c.conversion for c in _CHANNELS])[channel]
        * _SP_CONVERSION[salesperson]
        * _SEGMENT_CONVERSION[segment]
    )
    will_convert = qualified & (rng.random(n) < conversion)
    close_day = cal.next_business(qualified_day + _cycle(rng, n))
    converted = will_convert & (close_day < cal.n_days)
    # Only part of the qualified leads that do not convert get as far as an opportunity.
    has_opportunity = qualified & (will_convert | (rng.random(n) < 0.45))
    return _Leads(
        created=created,
        channel=channel,
        salesperson=salesperson,
        region=region,
        segment=segment,
        qualified=qualified,
        qualified_day=qualified_day,
        will_convert=will_convert,
        converted=converted,
        converted_day=close_day,
        has_opportunity=has_opportunity,
        close_day=close_day,
    )


# -- customers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Customers:
    created: IntArray
    first: IntArray  # day of the first purchase (_NEVER: none)
    churn: IntArray  # first day without purchases (_NEVER: no churn)
    back: IntArray  # day purchases resume after churn (_NEVER: no comeback)
    segment: IntArray
    region: IntArray
    channel: IntArray
    salesperson: IntArray
    size: FloatArray
    frequency: FloatArray  # invoices a month, before seasonality and trend
    preference: FloatArray  # (customers x products) shares of ordinary lines
    maintenance: IntArray  # units under a maintenance contract (0: none)
    renewal: IntArray  # calendar month (1-12) the contract renews (0: month of the first order)
    lead: IntArray  # the lead it came from (-1: predates the data)
    names: tuple[str, ...]

    @property
    def n(self) -> int:
        return int(self.created.size)


_BASE_CUSTOMERS = 150
_NEW_SIZE = 0.45  # new customers start smaller than the established ones
_SIZE_SIGMA = 0.55  # spread of customer sizes within a segment
_FREQUENCY = 1.0  # orders a month of a median customer
_CHURN = 0.02  # monthly churn hazard of a median customer
_BASE_CHURN = 1.0  # churn factor of the customers that predate the data
_RENEWAL_MONTHS = np.array([1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12], dtype=np.int64)
_FIRST_ORDER_DELAYS = np.array([0, 0, 0, 1, 2, 3, 5, 7], dtype=np.int64)


def _make_customers(rng: np.random.Generator, cal: _Calendar, leads: _Leads) -> _Customers:
    nb = _BASE_CUSTOMERS
    base_channel = _choice(rng, np.array([c.base_share for c in _CHANNELS]), nb)
    base_segment = _choice(rng, _BASE_SEGMENTS, nb)
    base_region = _choice(rng, _REGION_WEIGHTS, nb)

    won = np.flatnonzero(leads.converted)
    nn = won.size
    new_created = leads.converted_day[won]
    new_first = cal.next_business(new_created + rng.choice(_FIRST_ORDER_DELAYS, nn))
    new_first[(rng.random(nn) < 0.04) | (new_first >= cal.n_days)] = _NEVER

    first = np.concatenate([np.zeros(nb, dtype=np.int64), new_first])
    channel = np.concatenate([base_channel, leads.channel[won]])
    segment = np.concatenate([base_segment, leads.segment[won]])
    region = np.concatenate([base_region, leads.region[won]])
    lead = np.concatenate([np.full(nb, -1, dtype=np.int64), won])
    is_base = lead < 0
    n = first.size

    value = np.array([c.value for c in _CHANNELS])[channel] * np.where(is_base, 1.0, _NEW_SIZE)
    size = _lognormal(rng, _SEGMENT_SIZE[segment] * value, _SIZE_SIGMA)
    # The established accounts are dealt out so that every portfolio starts comparable.
    sp = np.concatenate([np.zeros(nb, dtype=np.int64), leads.salesperson[won]])
    by_size = np.argsort(-size[:nb], kind="stable")
    n_sp = len(SALESPEOPLE)
    deal = np.concatenate([rng.permutation(n_sp) for _ in range(-(-nb // n_sp))])[:nb]
    sp[by_size] = deal
    size = size * _SP_SIZE[sp]
    frequency = _FREQUENCY * size**0.55
    # Established customers place their first order of the period as a steady flow
    # of orders would (memoryless), so there is no burst of orders on the first day.
    wait = np.minimum(rng.exponential(30.44 / frequency), 75.0).astype(np.int64)
    first = np.where(is_base, np.minimum(cal.next_business(wait), cal.n_days - 1), first)
    created = np.where(is_base, first, np.concatenate([np.zeros(nb, dtype=np.int64), new_created]))

    hazard = (
        _CHURN
        * _SEGMENT_CHURN[segment]
        * np.array([c.churn for c in _CHANNELS])[channel]
        * _SP_CHURN[sp]
        * np.where(is_base, _BASE_CHURN, 1.0)
    )
    months = rng.geometric(np.minimum(hazard, 0.5)).astype(np.float64)
    lifetime = np.maximum(np.rint(months * 30.44 + rng.uniform(-15.0, 15.0, n)), 45.0).astype(np.int64)
    churn = np.where(first < _NEVER, first + lifetime, _NEVER)
    churn = np.where(churn >= cal.n_days, _NEVER, churn)
    comes_back = (churn < _NEVER) & (rng.random(n) < 0.2)
    back = np.where(comes_back, churn + rng.integers(120, 400, n), _NEVER)
    back = np.where(back >= cal.n_days, _NEVER, back)

    alpha = np.where(_POPULARITY > 0, _POPULARITY * 4.0, 1.0)
    preference = rng.dirichlet(alpha, n) * (_POPULARITY > 0)
    contract = rng.random(n) < _SEGMENT_MAINTENANCE[segment]
    units = np.where(segment == 2, rng.integers(2, 6, n), 1)
    maintenance = np.where(contract, units, 0).astype(np.int64)
    # Older customers' contracts renew in any month but August (nobody signs in August);
    # newer ones on the month of their first order.
    renewal = np.where(is_base, rng.choice(_RENEWAL_MONTHS, n), 0).astype(np.int64)

    # Customer numbers follow the order of creation.
    order = np.lexsort((np.arange(n), created))
    segment = segment[order]
    names = _company_names(rng, segment)
    return _Customers(
        created=created[order],
        first=first[order],
        churn=churn[order],
        back=back[order],
        segment=segment,
        region=region[order],
        channel=channel[order],
        salesperson=sp[order],
        size=size[order],
        frequency=frequency[order],
        preference=preference[order],
        maintenance=maintenance[order],
        renewal=renewal[order],
        lead=lead[order],
        names=names,
    )


def _company_names(rng: np.random.Generator, segment: IntArray) -> tuple[str, ...]:
    """Distinct French company names; large accounts sound like groups."""
    large = segment == 2
    n_large = int(large.sum())
    n_small = int(segment.size - n_large)
    small_combo = rng.choice(len(_COMPANY_WORDS) * len(_SURNAMES), n_small, replace=False)
    small_suffix = _choice(rng, _SMALL_SUFFIX_WEIGHTS, n_small)
    large_combo = rng.choice(len(_LARGE_PATTERNS) * len(_SURNAMES), n_large, replace=False)
    large_suffix = rng.integers(0, len(_LARGE_SUFFIXES), n_large)
    small = [
        f"{_COMPANY_WORDS[c // len(_SURNAMES)]} {_SURNAMES[c % len(_SURNAMES)]}{_SMALL_SUFFIXES[s]}"
        for c, s in zip(small_combo.tolist(), small_suffix.tolist(), strict=True)
    ]
    big = [
        _LARGE_PATTERNS[c // len(_SURNAMES)].format(_SURNAMES[c % len(_SURNAMES)]) + _LARGE_SUFFIXES[s]
        for c, s in zip(large_combo.tolist(), large_suffix.tolist(), strict=True)
    ]
    names: list[str] = []
    small_iter, big_iter = iter(small), iter(big)
    for is_large in large.tolist():
        names.append(next(big_iter) if is_large else next(small_iter))
    return tuple(names)


# -- activity windows ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Cells:
    """Per customer and month, the days the customer is active (up to two intervals)."""

    start1: IntArray
    len1: IntArray
    start2: IntArray
    len2: IntArray

    @classmethod
    def build(cls, cal: _Calendar, cust: _Customers) -> _Cells:
        lo, hi = cal.lo[None, :], cal.hi[None, :]
        start1 = np.maximum(cust.first[:, None], lo)
        len1 = np.clip(np.minimum(cust.churn[:, None], hi) - start1, 0, None)
        start2 = np.maximum(cust.back[:, None], lo)
        len2 = np.clip(hi - start2, 0, None)
        return cls(start1, len1, start2, len2)

    @property
    def active(self) -> IntArray:
        return np.asarray(self.len1 + self.len2, dtype=np.int64)

    def draw(self, rng: np.random.Generator, c: IntArray, m: IntArray) -> IntArray:
        """A uniformly drawn active day of customer ``c`` in month ``m``."""
        u = (rng.random(c.size) * self.active[c, m]).astype(np.int64)
        first = self.len1[c, m]
        return np.asarray(np.where(u < first, self.start1[c, m] + u, self.start2[c, m] + u - first), dtype=np.int64)


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


# -- spend, activities, surveys, targets --------------------------------------------------


def _make_spend(rng: np.random.Generator, cal: _Calendar, revenue: FloatArray) -> pd.DataFrame:
    t = np.arange(MONTHS, dtype=np.float64)
    day: list[IntArray] = []
    amount: list[FloatArray] = []
    channel: list[str] = []
    category: list[str] = []
    for name, cat, first, growth in _MONTHLY_SPEND:
        base = first * (1.0 + growth) ** (t / 12.0) * rng.normal(1.0, 0.08, MONTHS)
        if name == "Déplacements":
            base = base * np.where(cal.month == 8, 0.3, np.where(cal.month == 7, 0.7, 1.0))
        day.append(cal.lo)
        amount.append(np.round(base * cal.elapsed, 2))
        channel += [name] * MONTHS
        category += [cat] * MONTHS
    salon = np.flatnonzero(np.isin(cal.month, list(_SALON_COST)))
    costs = np.array([_SALON_COST[int(mo)] for mo in cal.month[salon].tolist()], dtype=np.float64)
    day.append(cal.lo[salon])
    amount.append(np.round(costs * rng.normal(1.0, 0.05, salon.size) * cal.elapsed[salon], 0))
    channel += ["Salon professionnel"] * salon.size
    category += ["marketing"] * salon.size
    day.append(cal.lo)
    amount.append(np.round(np.maximum(revenue, 0.0) * _COMMISSION_RATE, 2))
    channel += ["Commissions"] * MONTHS
    category += ["sales"] * MONTHS

    days = np.concatenate(day)
    amounts = np.concatenate(amount)
    order = np.lexsort((np.arange(days.size), days))
    return _frame(
        "spend",
        {
            "date": cal.timestamps(days[order]),
            "amount": amounts[order].astype(np.float64),
            "channel": pd.Categorical(np.array(channel, dtype=object)[order]),
            "category": pd.Categorical(np.array(category, dtype=object)[order]),
        },
    )


_TYPES = ("call", "meeting", "proposal", "email", "other")
_CALL, _MEETING, _PROPOSAL, _EMAIL, _OTHER = range(5)
# Background activity a week per salesperson: calls, meetings, emails, other.
_WEEKLY = ((_CALL, 1.3), (_MEETING, 0.4), (_EMAIL, 1.6), (_OTHER, 0.15))


def _make_activities(
    rng: np.random.Generator, cal: _Calendar, leads: _Leads, cust: _Customers, opps: _Opportunities
) -> pd.DataFrame:
    parts: list[tuple[IntArray, IntArray, IntArray, IntArray, IntArray]] = []  # day, type, sp, lead, customer
    n_leads = leads.created.size
    none = -np.ones(n_leads, dtype=np.int64)

    # A first call to most leads, a meeting with many qualified ones.
    called = rng.random(n_leads) < 0.85
    call_day = cal.business(leads.created + rng.integers(0, 3, n_leads), leads.created, _NEVER)
    ok = called & (call_day < cal.n_days)
    lead_ids = np.arange(n_leads, dtype=np.int64)
    parts.append((call_day[ok], np.full(int(ok.sum()), _CALL), leads.salesperson[ok], lead_ids[ok], none[ok]))
    met = leads.qualified & (rng.random(n_leads) < 0.65 * _SP_MEETINGS[leads.salesperson])
    parts.append(
        (
            leads.qualified_day[met],
            np.full(int(met.sum()), _MEETING),
            leads.salesperson[met],
            lead_ids[met],
            none[met],
        )
    )

    # A proposal for every opportunity, a meeting before most expansion deals.
    n_opps = opps.created.size
    latest = np.where(opps.status == _OPEN, cal.n_days, np.minimum(opps.close + 1, cal.n_days))
    proposal_day = np.minimum(opps.created + rng.integers(0, 8, n_opps), latest - 1)
    proposal_day = cal.business(proposal_day, opps.created, latest)
    parts.append((proposal_day, np.full(n_opps, _PROPOSAL), opps.salesperson, opps.lead, opps.customer))
    expansion = (opps.lead < 0) & (rng.random(n_opps) < 0.8)
    parts.append(
        (
            opps.created[expansion],
            np.full(int(expansion.sum()), _MEETING),
            opps.salesperson[expansion],
            opps.lead[expansion],
            opps.customer[expansion],
        )
    )

    # Account management: calls, meetings and e-mails with the salesperson's customers.
    weeks = cal.n_days / 7.0
    for sp in range(len(SALESPEOPLE)):
        mine = np.flatnonzero(cust.salesperson == sp)  # already in creation order
        mine_created = cust.created[mine]
        for kind, rate in _WEEKLY:
            factor = _SP_MEETINGS[sp] if kind == _MEETING else 1.0
            n = int(rng.poisson(rate * factor * weeks))
            day = cal.business(rng.integers(0, cal.n_days, n).astype(np.int64), 0, cal.n_days)
            known = np.searchsorted(mine_created, day, side="right")
            pick = (rng.random(n) * known).astype(np.int64)
            with_customer = (known > 0) & (rng.random(n) < 0.8)
            customer = np.where(with_customer, mine[np.minimum(pick, max(mine.size - 1, 0))], -1)
            if mine.size == 0:
                customer = -np.ones(n, dtype=np.int64)
            parts.append(
                (
                    day,
                    np.full(n, kind),
                    np.full(n, sp),
                    -np.ones(n, dtype=np.int64),
                    customer.astype(np.int64),
                )
            )

    day = np.concatenate([p[0] for p in parts])
    kind_codes = np.concatenate([p[1] for p in parts]).astype(np.int64)
    sp_codes = np.concatenate([p[2] for p in parts]).astype(np.int64)
    lead_codes = np.concatenate([p[3] for p in parts]).astype(np.int64)
    customer_codes = np.concatenate([p[4] for p in parts]).astype(np.int64)
    order = np.lexsort((np.arange(day.size), day))
    lead_names = _ids("L", np.arange(1, n_leads + 1, dtype=np.int64), 5)
    return _frame(
        "activities",
        {
            "date": cal.timestamps(day[order]),
            "type": _category(_TYPES, kind_codes[order]),
            "salesperson": _category(SALESPEOPLE, sp_codes[order]),
            "lead_id": _labels(lead_names, lead_codes[order]),
            "customer_id": _labels(_customer_ids(cust), customer_codes[order]),
        },
    )


def _customer_ids(cust: _Customers) -> list[str]:
    return _ids("C", np.arange(1, cust.n + 1, dtype=np.int64), 4)


def _make_surveys(rng: np.random.Generator, cal: _Calendar, cust: _Customers, cells: _Cells) -> pd.DataFrame:
    active = cells.active
    xs, ys = zip(*_NPS_CURVE, strict=True)
    target = np.interp(np.arange(MONTHS, dtype=np.float64), xs, ys)
    s_customer: list[IntArray] = []
    s_month: list[IntArray] = []
    for month in range(MONTHS):
        candidates = np.flatnonzero(active[:, month] > 0)
        n = min(int(rng.poisson(35.0 * cal.elapsed[month])), candidates.size)
        s_customer.append(np.sort(rng.choice(candidates, n, replace=False)).astype(np.int64))
        s_month.append(np.full(n, month, dtype=np.int64))
    c = np.concatenate(s_customer)
    m = np.concatenate(s_month)
    day = cal.business(cells.draw(rng, c, m), cal.lo[m], cal.hi[m])

    nps = np.clip(target[m] + _SP_NPS[cust.salesperson[c]], -60.0, 60.0)
    promoter = 0.35 + nps / 200.0
    detractor = 0.35 - nps / 200.0
    u = rng.random(c.size)
    detractor_score = _choice(rng, np.array([0.02, 0.02, 0.04, 0.06, 0.1, 0.26, 0.5]), c.size)
    passive_score = 7 + rng.integers(0, 2, c.size)
    promoter_score = 9 + (rng.random(c.size) < 0.45)
    score = np.where(
        u < detractor, detractor_score, np.where(u < 1.0 - promoter, passive_score, promoter_score)
    ).astype(np.float64)

    order = np.lexsort((c, day))
    return _frame(
        "surveys",
        {
            "date": cal.timestamps(day[order]),
            "score": score[order],
            "customer_id": _labels(_customer_ids(cust), c[order]),
            "channel": _category(CHANNELS, cust.channel[c[order]]),
        },
    )


_FIRST_BUDGET = np.array([1.02, 0.98, 1.03, 1.0, 1.04, 0.99, 1.02, 1.0, 1.03, 0.98, 1.01, 1.02])


def _make_targets(cal: _Calendar, sales: _Sales, cust: _Customers) -> pd.DataFrame:
    month = cal.month_of(sales.day)
    revenue = np.bincount(month, weights=sales.amount, minlength=MONTHS)
    labels = [f"{y}-{mo:02d}" for y, mo in zip(cal.year.tolist(), cal.month.tolist(), strict=True)]
    # The first year's budget sits close to what was done; later ones ask for +12 % on last year.
    company = np.empty(MONTHS)
    company[:12] = revenue[:12] * _FIRST_BUDGET
    company[12:] = revenue[:-12] * 1.12
    company = np.round(company, -3)

    # Quotas: half each salesperson's share of the first year, half an even split.
    sp = cust.salesperson[sales.customer]
    first_year = month < 12
    share = np.bincount(sp[first_year], weights=sales.amount[first_year], minlength=len(SALESPEOPLE))
    share = 0.5 * share / share.sum() + 0.5 / len(SALESPEOPLE)

    kpi: list[str] = []
    period: list[str] = []
    value: list[float] = []
    dimension: list[str | None] = []
    member: list[str | None] = []

    def add(k: str, p: str, v: float, d: str | None = None, mbr: str | None = None) -> None:
        kpi.append(k)
        period.append(p)
        value.append(float(v))
        dimension.append(d)
        member.append(mbr)

    for i, label in enumerate(labels):
        add("revenue", label, company[i])
        for j, name in enumerate(SALESPEOPLE):
            add("revenue", label, round(company[i] * share[j], -2), "salesperson", name)
    years = sorted(set(cal.year.tolist()))
    for i, label in enumerate(labels):
        step = years.index(int(cal.year[i]))
        add("new_customers", label, 6 + step)
        add("leads", label, round(60.0 * 1.1**step * _LEAD_SEASON[cal.month[i] - 1]))
    for step, year in enumerate(years):
        add("win_rate", str(year), 50.0)
        for name in SALESPEOPLE:
            add("win_rate", str(year), 50.0, "salesperson", name)
        add("nps", str(year), 35.0 + 2.5 * step)
        add("cac", str(year), 4500.0)
    return _frame(
        "targets",
        {
            "kpi": _text(kpi),
            "period": _text(period),
            "value": np.array(value, dtype=np.float64),
            "dimension": _text(dimension),
            "member": _text(member),
        },
    )


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
