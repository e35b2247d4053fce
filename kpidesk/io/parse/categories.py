"""Text, yes/no flags, opportunity statuses, activity types, spend categories and target periods."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from kpidesk.core.periods import parse_label
from kpidesk.core.text import fold
from kpidesk.io.parse.column import (
    NUMERIC_KINDS,
    TEXT_MISSING,
    VALUE_MISSING,
    Column,
    Parsed,
    Uniques,
    cell_text,
    is_number,
    spread,
    uniques_of,
)
from kpidesk.io.parse.dates import MONTHS, fold_date_text


def parse_texts(values: Sequence[Any] | np.ndarray | Column) -> Parsed:
    """Text and identifiers, exactly as the user sees them.

    Strings are stripped of surrounding spaces and kept as they are (``None`` is a
    word here, not a missing value). Numbers become their shortest text:
    ``17841.0`` gives ``"17841"``, ``2.5`` gives ``"2.5"``. Dates give ISO text.
    """
    column = Column.of(values)
    if column.kind in NUMERIC_KINDS:
        codes, uniques = pd.factorize(column.numbers(), use_na_sentinel=True)
        labels = _number_texts(np.asarray(uniques, dtype=np.float64))
        out = labels[codes] if len(labels) else np.full(len(column), None, dtype=object)
        missing = np.asarray(codes < 0, dtype=bool)
        if missing.any():
            out[missing] = None
        return Parsed(out, missing, np.zeros(len(column), dtype=bool), codes, labels)
    return spread(column, TEXT_MISSING, _texts_of, None)


def _texts_of(uniq: Uniques) -> tuple[np.ndarray, np.ndarray]:
    n = len(uniq.values)
    out = uniq.text.to_numpy(dtype=object, copy=True)
    other = uniq.other
    if other.any():
        values = uniq.values[other]
        if infer_dtype(values, skipna=True) in NUMERIC_KINDS:
            out[other] = _number_texts(np.asarray(values, dtype=np.float64))
        else:
            out[other] = [cell_text(v) for v in values]
    return out, np.zeros(n, dtype=bool)


def _number_texts(numbers: np.ndarray) -> np.ndarray:
    """Numbers as the text a user reads: no ``.0`` on whole numbers."""
    out = np.empty(len(numbers), dtype=object)
    whole = np.isfinite(numbers) & (numbers == np.floor(numbers)) & (np.abs(numbers) < 2**53)
    out[whole] = numbers[whole].astype(np.int64).astype(str).astype(object)
    if (~whole).any():
        out[~whole] = [repr(float(v)) for v in numbers[~whole]]
    return out


# -- flags, statuses, activity types, spend categories, periods --------------------------

_TRUE = frozenset({"oui", "o", "yes", "y", "vrai", "true", "1", "x", "ok", "✓", "✔", "☑", "v"})
_FALSE = frozenset({"non", "n", "no", "faux", "false", "0"})
_MARKS = frozenset({"x", "✓", "✔", "☑", "v"})


def parse_bools(values: Sequence[Any] | np.ndarray | Column) -> Parsed:
    """Yes/no flags: oui/non, yes/no, vrai/faux, true/false, 1/0, boolean cells.

    A column that marks its "yes" rows with ``x`` (or a tick) and nothing else
    reads its blank cells as "no".
    """
    column = Column.of(values)
    parsed = spread(column, VALUE_MISSING, _bools_of, False)
    _codes, uniques = column.factorised()
    uniq = uniques_of(uniques, VALUE_MISSING)
    lowered = uniq.text.str.lower()
    marks = lowered.isin(_MARKS).to_numpy(dtype=bool) & uniq.strings
    others = (uniq.strings & ~marks) | uniq.other
    if marks.any() and not others.any():
        # The x/blank convention: a blank cell is a "no".
        return Parsed(parsed.values, np.zeros(len(column), dtype=bool), parsed.invalid)
    return Parsed(np.asarray(parsed.values, dtype=bool), parsed.missing, parsed.invalid)


def _bools_of(uniq: Uniques) -> tuple[np.ndarray, np.ndarray]:
    n = len(uniq.values)
    out = np.zeros(n, dtype=bool)
    invalid = np.zeros(n, dtype=bool)
    lowered = uniq.text.str.lower()
    strings = uniq.strings
    out[strings] = lowered[strings].isin(_TRUE).to_numpy(dtype=bool)
    invalid[strings] = ~(lowered[strings].isin(_TRUE) | lowered[strings].isin(_FALSE)).to_numpy(dtype=bool)
    for i in np.flatnonzero(uniq.other):
        value = uniq.values[i]
        if isinstance(value, bool | np.bool_) or (is_number(value) and float(value) in (0.0, 1.0)):
            out[i] = bool(value)
        else:
            invalid[i] = True
    return out, invalid


_WON = re.compile(
    r"\b(?:won|win|gagne|gagnee|signe|signee|conclu|conclue|remporte|remportee|accepte|acceptee|"
    r"closed won|closedwon|succes|vendu|vendue|commande)\b"
)
_LOST = re.compile(
    r"\b(?:lost|lose|perdu|perdue|closed lost|closedlost|abandon|abandonne|abandonnee|refuse|refusee|"
    r"annule|annulee|cancelled|canceled|rejected|rejete|rejetee|echec|sans suite|no go|nogo|disqualified)\b"
)


def _labels(uniq: Uniques) -> pd.Series:
    """The text of every unique value (numbers and dates as the user reads them)."""
    text = uniq.text.copy()
    other = uniq.other
    if other.any():
        text[other] = [cell_text(v) for v in uniq.values[other]]
    return text


def _classifier(classify: Callable[[pd.Series], np.ndarray]) -> Callable[[Uniques], tuple[np.ndarray, np.ndarray]]:
    def parse(uniq: Uniques) -> tuple[np.ndarray, np.ndarray]:
        folded = _labels(uniq).astype(str).map(fold)
        out = np.asarray(classify(folded), dtype=object)
        return out, np.zeros(len(out), dtype=bool)

    return parse


def parse_statuses(values: Sequence[Any] | np.ndarray | Column) -> Parsed:
    """Opportunity statuses ``open``/``won``/``lost`` from any CRM stage name.

    gagné, won, "Closed Won", signé… are won; perdu, lost, "Closed Lost",
    abandonné, annulé… are lost; every other stage (en cours, Prospecting,
    Engaging, Qualification, Proposal, Negotiation…) is open.
    """

    def classify(folded: pd.Series) -> np.ndarray:
        lost = folded.str.contains(_LOST).to_numpy(dtype=bool)
        won = folded.str.contains(_WON).to_numpy(dtype=bool) & ~lost
        return np.where(lost, "lost", np.where(won, "won", "open")).astype(object)

    return spread(Column.of(values), VALUE_MISSING, _classifier(classify), None)


_ACTIVITY_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("call", re.compile(r"\b(?:appel|appels|call|calls|phone|telephone|tel|cold call|coup de fil)\b")),
    (
        "meeting",
        re.compile(
            r"\b(?:rdv|rendez vous|rendezvous|reunion|meeting|meetings|visite|visit|demo|demonstration|"
            r"entretien|rencontre|visio|visioconference)\b"
        ),
    ),
    (
        "proposal",
        re.compile(r"\b(?:proposition|propositions|devis|proposal|proposals|offre|quote|quotation)\b"),
    ),
    ("email", re.compile(r"\b(?:e mail|email|emails|mail|mails|courriel|courriels|mailing)\b")),
)


def parse_activity_types(values: Sequence[Any] | np.ndarray | Column) -> Parsed:
    """Activity types: appel/call, RDV/rendez-vous/réunion/meeting, proposition/devis/proposal,
    e-mail/mail; anything else is ``other``."""

    def classify(folded: pd.Series) -> np.ndarray:
        result = np.full(len(folded), "other", dtype=object)
        decided = np.zeros(len(folded), dtype=bool)
        for name, pattern in _ACTIVITY_RULES:
            hit = folded.str.contains(pattern).to_numpy(dtype=bool) & ~decided
            result[hit] = name
            decided |= hit
        return result

    return spread(Column.of(values), VALUE_MISSING, _classifier(classify), None)


_SALES_SPEND = re.compile(r"\b(?:sales|vente|ventes|commercial|commerciale|commerciaux|force de vente)\b")


def parse_spend_categories(values: Sequence[Any] | np.ndarray | Column) -> Parsed:
    """Spend categories ``marketing`` or ``sales`` (ventes, commercial…); blank is marketing."""

    def classify(folded: pd.Series) -> np.ndarray:
        return np.where(folded.str.contains(_SALES_SPEND).to_numpy(dtype=bool), "sales", "marketing").astype(object)

    parsed = spread(Column.of(values), VALUE_MISSING, _classifier(classify), "marketing")
    return Parsed(parsed.values, np.zeros(len(parsed.values), dtype=bool), parsed.invalid)


def _period_of(text: str) -> str | None:
    """The canonical period label of one text, or None."""
    label = text.strip().upper()
    try:
        # The engine's own labels first (FY2025, FY2025-Q1, 2024-03-05...): stored as written, read
        # by the engine with the company's fiscal start.
        parse_label(label)
    except ValueError:
        pass
    else:
        return label
    t = fold_date_text(text).replace(" ", "")
    if m := re.fullmatch(r"(\d{4})", t):
        return m.group(1)
    if m := re.fullmatch(r"(\d{4})[-/]?[qt]([1-4])", t) or re.fullmatch(r"[qt]([1-4])[-/]?(\d{4})", t):
        year, quarter = (m.group(1), m.group(2)) if len(m.group(1)) == 4 else (m.group(2), m.group(1))
        return f"{year}-Q{quarter}"
    if m := re.fullmatch(r"(\d{4})[-/]?(?:w|s|sem)(\d{1,2})", t):
        week = int(m.group(2))
        return f"{m.group(1)}-W{week:02d}" if 1 <= week <= 53 else None
    if m := re.fullmatch(r"(\d{4})[-/](\d{1,2})", t):
        month = int(m.group(2))
        return f"{m.group(1)}-{month:02d}" if 1 <= month <= 12 else None
    if m := re.fullmatch(r"(\d{1,2})[-/](\d{4})", t):
        month = int(m.group(1))
        return f"{m.group(2)}-{month:02d}" if 1 <= month <= 12 else None
    if m := re.fullmatch(r"([a-z]{3,9})\.?-?(\d{4})", t):
        month_number = MONTHS.get(m.group(1))
        return f"{m.group(2)}-{month_number:02d}" if month_number else None
    return None


def parse_periods(values: Sequence[Any] | np.ndarray | Column) -> Parsed:
    """Target periods as labels: ``2024``, ``2024-Q1``, ``2024-03``, ``2024-W05``.

    Also reads ``T1 2024``/``Q1-2024`` (quarters), ``03/2024``, ``mars 2024``, a
    year typed as a number, and a date cell (its month).
    """

    def periods(uniq: Uniques) -> tuple[np.ndarray, np.ndarray]:
        out = np.full(len(uniq.values), None, dtype=object)
        for i in np.flatnonzero(uniq.strings):
            out[i] = _period_of(str(uniq.text.iloc[i]))
        for i in np.flatnonzero(uniq.other):
            value = uniq.values[i]
            if isinstance(value, dt.date):
                out[i] = f"{value.year:04d}-{value.month:02d}"
            elif is_number(value) and float(value).is_integer():
                out[i] = _period_of(str(int(value)))
        return out, np.asarray(pd.isna(out), dtype=bool)

    return spread(Column.of(values), VALUE_MISSING, periods, None)
