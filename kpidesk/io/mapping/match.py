"""How well a sheet's headers match each field of each kind, and the kinds ranked by how well
the file's columns fill them.

Headers are compared once normalised (:func:`kpidesk.core.text.fold`). A header equal to a synonym
beats a header that merely contains one (``Ventes`` is the amount, not ``Prévision des ventes``);
earlier synonyms beat later ones; each column feeds at most one field.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from kpidesk.core.kinds import KIND_NAMES, KINDS, missing_required
from kpidesk.core.text import fold
from kpidesk.io.mapping.synonyms import BLOCKERS, PARTIAL_WORDS, SYNONYMS

EXACT = 1000
PARTIAL = 500
#: A required field matched by one of its first synonyms names the kind outright.
NAMED_RANK = 10
#: Below this fit the best kind is a guess: the candidates are returned instead.
WEAK_FIT = 3.0
#: A second kind within this share of the best one's fit is as likely: both are candidates.
CLOSE_FIT = 0.8


@functools.lru_cache(maxsize=65536)
def normalise(header: str) -> str:
    """``header`` compared loosely: lower case, no accents, one space between words
    (``"InvoiceNo"`` and ``"Invoice No"`` differ; ``"e-mail"`` is ``"e mail"``)."""
    return fold(str(header))


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


@dataclass(frozen=True)
class _Index:
    """Every synonym of every field, found by its compact form or its words (built once)."""

    exact: dict[str, list[tuple[str, str, int]]]  # compact -> (kind, field, rank)
    partial: dict[tuple[str, ...], list[tuple[str, str, int]]]  # words -> (kind, field, rank)
    longest: int


@functools.cache
def _index() -> _Index:
    exact: dict[str, list[tuple[str, str, int]]] = {}
    partial: dict[tuple[str, ...], list[tuple[str, str, int]]] = {}
    longest = 1
    for kind in KIND_NAMES:
        synonyms = SYNONYMS[kind]
        for field in KINDS[kind].field_names:
            for rank, synonym in enumerate(synonyms.get(field, (field,))):
                compact, words = _compact(synonym), tuple(normalise(synonym).split())
                if compact:
                    exact.setdefault(compact, []).append((kind, field, rank))
                if words and (len(words) > 1 or words[0] in PARTIAL_WORDS):
                    partial.setdefault(words, []).append((kind, field, rank))
                    longest = max(longest, len(words))
    return _Index(exact, partial, longest)


@functools.lru_cache(maxsize=65536)
def _header_scores(header: str) -> dict[tuple[str, str], int]:
    """(kind, field) -> score of ``header`` for that field: EXACT - rank when the header is a
    synonym, PARTIAL - rank - 5 x extra words when it contains one (and no blocking word), best
    synonym first. Linear in the header's words: synonyms are looked up, not scanned."""
    index = _index()
    compact = _compact(header)
    if not compact:
        return {}
    scores: dict[tuple[str, str], int] = {}
    for kind, field, rank in index.exact.get(compact, ()):
        key = (kind, field)
        scores[key] = max(scores.get(key, 0), EXACT - rank)
    words = tuple(normalise(header).split())
    blockers = BLOCKERS.intersection(words)
    first: dict[tuple[str, str], tuple[int, int]] = {}  # (kind, field) -> (rank, words) of its best synonym
    for size in range(1, min(index.longest, len(words)) + 1):
        for start in range(len(words) - size + 1):
            gram = words[start : start + size]
            if gram not in index.partial or blockers - set(gram):
                continue
            for kind, field, rank in index.partial[gram]:
                key = (kind, field)
                if key not in scores and (key not in first or rank < first[key][0]):
                    first[key] = (rank, size)
    for key, (rank, size) in first.items():
        score = PARTIAL - rank - 5 * (len(words) - size)
        if score > 0:
            scores[key] = score
    return scores


def _candidates(headers: Sequence[str]) -> dict[str, list[tuple[int, int, int, str, str]]]:
    """kind -> (score, required, -column index, field, header) of every field a column may feed."""
    out: dict[str, list[tuple[int, int, int, str, str]]] = {kind: [] for kind in KIND_NAMES}
    for column_index, header in enumerate(headers):
        for (kind, field), score in _header_scores(str(header)).items():
            required = 1 if field in KINDS[kind].required else 0
            out[kind].append((score, required, -column_index, field, header))
    return out


def _assign(candidates: list[tuple[int, int, int, str, str]]) -> dict[str, FieldMatch]:
    """Greedy on the best scores first: each column feeds one field, each field takes one column."""
    candidates = sorted(candidates, key=lambda c: (c[0], c[1], c[2]), reverse=True)
    taken_fields: dict[str, FieldMatch] = {}
    taken_columns: set[str] = set()
    for score, _required, _column, field, header in candidates:
        if field in taken_fields or header in taken_columns:
            continue
        taken_fields[field] = FieldMatch(field, header, score)
        taken_columns.add(header)
    return taken_fields


def match_columns(headers: Sequence[str], kind: str) -> dict[str, FieldMatch]:
    """The best column for each field of ``kind`` that has one (field -> match)."""
    return _assign(_candidates(headers)[kind])


@dataclass(frozen=True)
class KindGuess:
    """A kind with its fit and the columns it would use."""

    kind: str
    score: float
    complete: bool
    matches: dict[str, FieldMatch]


def rank_kinds(headers: Sequence[str]) -> list[KindGuess]:
    """Every kind scored against ``headers``, best first.

    A field matched exactly counts 2, partly 1; required fields count double; a kind missing
    a required field (see :func:`kpidesk.core.kinds.missing_required`) keeps a quarter of its fit.
    """
    every = _candidates(headers)
    guesses = []
    for order, kind in enumerate(KIND_NAMES):
        matches = _assign(every[kind])
        required = set(KINDS[kind].required)
        score = 0.0
        for field, match in matches.items():
            weight = 2.0 if match.exact else 1.0
            score += weight * (2.0 if field in required else 1.0)
        complete = not missing_required(kind, matches)
        if not complete:
            score *= 0.25
        # A tiny tie-breaker keeps the catalogue order (sales first).
        guesses.append((score - order * 1e-3, KindGuess(kind, score, complete, matches)))
    guesses.sort(key=lambda g: g[0], reverse=True)
    return [g for _, g in guesses]


def kind_candidates(headers: Sequence[str]) -> list[KindGuess]:
    """The kinds ``headers`` may hold, best first: one when the best fit is clear; several when it
    is weak or a second kind comes close (the user is asked, never guessed for); none when no
    column means anything."""
    ranked = [g for g in rank_kinds(headers) if g.score > 0]
    if not ranked:
        return []
    best = ranked[0]
    complete = [g for g in ranked if g.complete]
    required = set(KINDS[best.kind].required)
    # Weak: a low fit, or no required field named outright by one of its first synonyms ("close_date"
    # is only partly a sale's date; a bare "Date" is a lead's creation date only as a last resort).
    strong = best.score >= WEAK_FIT and any(
        m.score >= EXACT - NAMED_RANK for f, m in best.matches.items() if f in required
    )
    if best.complete and strong:
        columns = {m.column for m in best.matches.values()}
        # A kind reading only columns the best one reads adds no evidence ("Date; Montant" could be
        # spend too): the catalogue order decides, and the user may still change the kind.
        close = [
            g
            for g in complete[1:]
            if g.score >= CLOSE_FIT * best.score and not {m.column for m in g.matches.values()} <= columns
        ]
        return [best, *close]
    return (complete + [g for g in ranked if not g.complete])[:3]


def detect_kind(headers: Sequence[str]) -> KindGuess | None:
    """The kind ``headers`` most likely hold, or None when nothing matches at all."""
    best = rank_kinds(headers)[0]
    return best if best.score > 0 else None
