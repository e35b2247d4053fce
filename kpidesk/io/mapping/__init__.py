"""Which kind of data a sheet holds and which column feeds which field: the synonyms (data), the
matching and ranking of kinds by titles (match), and the choices that look at the cells (content)."""

from __future__ import annotations

from kpidesk.io.mapping.content import customer_names, looks_like_names
from kpidesk.io.mapping.match import (
    FieldMatch,
    KindGuess,
    detect_kind,
    header_signature,
    kind_candidates,
    match_columns,
    normalise,
    rank_kinds,
)
from kpidesk.io.mapping.synonyms import SYNONYMS

__all__ = [
    "SYNONYMS",
    "FieldMatch",
    "KindGuess",
    "customer_names",
    "detect_kind",
    "header_signature",
    "kind_candidates",
    "looks_like_names",
    "match_columns",
    "normalise",
    "rank_kinds",
]
