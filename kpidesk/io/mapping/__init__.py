"""Which kind of data a sheet holds and which column feeds which field: the synonyms (data) and
the matching and ranking of kinds (match)."""

from __future__ import annotations

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
    "detect_kind",
    "header_signature",
    "kind_candidates",
    "match_columns",
    "normalise",
    "rank_kinds",
]
