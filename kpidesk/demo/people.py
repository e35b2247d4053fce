"""The demo company's leads, customers and the months each customer is active."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kpidesk.demo.calendar import _Calendar, _choice, _cycle, _expand, _lognormal, _pick
from kpidesk.demo.world import (
    _BASE_SEGMENTS,
    _CHANNELS,
    _COMPANY_WORDS,
    _LARGE_PATTERNS,
    _LARGE_SUFFIXES,
    _LEAD_SEASON,
    _NEVER,
    _POPULARITY,
    _REGION_WEIGHTS,
    _SALON,
    _SALON_SEASON,
    _SEGMENT_CHURN,
    _SEGMENT_CONVERSION,
    _SEGMENT_MAINTENANCE,
    _SEGMENT_SIZE,
    _SMALL_SUFFIX_WEIGHTS,
    _SMALL_SUFFIXES,
    _SP_CHURN,
    _SP_CONVERSION,
    _SP_SIZE,
    _SURNAMES,
    MONTHS,
    SALESPEOPLE,
    BoolArray,
    FloatArray,
    IntArray,
)

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
