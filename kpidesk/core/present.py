"""The one presentation of a KPI result (SPEC §3.1): change and its unit, pacing and attainment,
notes, the colour of a change by the KPI's direction, and leaderboard order.

The dashboard cards, the KPI detail, the analyses, the summary workbook and the command
line's JSON all show a :class:`~kpidesk.core.results.KpiRow` through :func:`present`, so two
screens never disagree on a number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from kpidesk import i18n
from kpidesk.core import catalog
from kpidesk.core.catalog import KpiDef
from kpidesk.core.formatting import ChangeUnit, format_change, format_value, relative_change
from kpidesk.core.results import KpiRow, Result
from kpidesk.core.targets import row_attainment, row_pacing
from kpidesk.i18n import N_
from kpidesk.labels import KIND_TITLES

__all__ = [
    "CELL_TONES",
    "PALETTE",
    "Note",
    "Presented",
    "Tone",
    "attainment_tone",
    "change",
    "change_tone",
    "change_unit",
    "coverage_text",
    "json_row",
    "leaderboard",
    "present",
    "result_json",
    "translate",
]

#: How a figure reads against the KPI's direction.
Tone = Literal["good", "bad", "neutral"]

#: The colours of the tones on screen (text of a change, of an attainment).
PALETTE: dict[Tone, str] = {"good": "#15803d", "bad": "#b91c1c", "neutral": "#64748b"}

#: The colours of the tones in the workbook: (font, fill), Excel's "Good" and "Bad" cell styles.
CELL_TONES: dict[Tone, tuple[str, str]] = {
    "good": ("006100", "C6EFCE"),
    "bad": ("9C0006", "FFC7CE"),
    "neutral": ("595959", "F2F2F2"),
}

_CHANGE_UNITS: dict[str, ChangeUnit] = {
    "currency": "percent",
    "count": "percent",
    "percent": "points",
    "score": "points",
    "days": "days",
    "ratio": "ratio",
}


def _definition(kpi: KpiDef | str) -> KpiDef:
    return kpi if isinstance(kpi, KpiDef) else catalog.get(kpi)


def translate(message: str, lang: str) -> str:
    """``message`` in ``lang``, whatever the app's own language (an export may differ)."""
    return i18n.translator(lang).gettext(message)


# -- change and colour --------------------------------------------------------------------------


def change_unit(kpi: KpiDef | str) -> ChangeUnit:
    """How a change of ``kpi`` is measured: relative for currency and counts, points for
    percents and scores, days for durations, the ratio's own difference for ratios."""
    return _CHANGE_UNITS[_definition(kpi).unit]


def change(kpi: KpiDef | str, value: float | None, comparison: float | None) -> float | None:
    """The change of ``value`` against ``comparison`` in :func:`change_unit`; None when undefined."""
    if value is None or comparison is None or not math.isfinite(value) or not math.isfinite(comparison):
        return None
    if change_unit(kpi) == "percent":
        return relative_change(value, comparison)
    return value - comparison


def change_tone(kpi: KpiDef | str, delta: float | None) -> Tone:
    """Good when the change goes the KPI's way (up, or down for lower-is-better), bad otherwise."""
    direction = _definition(kpi).direction
    if delta is None or delta == 0 or direction == "neutral":
        return "neutral"
    return "good" if (delta > 0) == (direction == "higher") else "bad"


def attainment_tone(kpi: KpiDef | str, attainment: float | None) -> Tone:
    """Good at 100 % of the pacing or more (attainment is already inverted for lower-is-better)."""
    if attainment is None or _definition(kpi).direction == "neutral":
        return "neutral"
    return "good" if attainment >= 100.0 else "bad"


# -- notes --------------------------------------------------------------------------------------

NoteKind = Literal["unavailable", "undefined", "low_confidence", "provisional", "no_comparable_data", "partial"]

_NOTE_TEXTS: dict[str, str] = {
    "undefined": N_("Not defined for this period (nothing to divide by)."),
    "low_confidence_unknown": N_("Low confidence"),
    "provisional": N_("Provisional: the observation window has not ended yet."),
    "no_comparable_data": N_("No comparable data."),
    "partial": N_("Partial period."),
    "unavailable": N_("No {kinds} data imported"),
    "unavailable_filtered": N_("Not available with the current filters"),
}


@dataclass(frozen=True)
class Note:
    """Something to say beside a value.

    Attributes:
        kind: what it says.
        count: the base of a low-confidence value.
        kinds: the kinds of data missing for an unavailable KPI (none: the filters hide it).
    """

    kind: NoteKind
    count: int | None = None
    kinds: tuple[str, ...] = ()

    def text(self, lang: str) -> str:
        if self.kind == "low_confidence":
            if self.count is None:
                return translate(_NOTE_TEXTS["low_confidence_unknown"], lang)
            return (
                i18n.translator(lang)
                .ngettext(
                    "Low confidence: based on {count} item.", "Low confidence: based on {count} items.", self.count
                )
                .format(count=self.count)
            )
        if self.kind == "unavailable":
            if not self.kinds:
                return translate(_NOTE_TEXTS["unavailable_filtered"], lang)
            kinds = ", ".join(_lower_first(translate(KIND_TITLES[k], lang)) for k in self.kinds)
            return translate(_NOTE_TEXTS["unavailable"], lang).format(kinds=kinds)
        return translate(_NOTE_TEXTS[self.kind], lang)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def notes(
    kpi: KpiDef | str, row: KpiRow, *, compared: bool = True, missing_kinds: Iterable[str] = ()
) -> tuple[Note, ...]:
    """What to say beside ``row``: unavailable (and why), undefined, low confidence, provisional,
    no comparable data (a comparison was asked and the data does not cover it), partial period."""
    if row.unavailable:
        return (Note("unavailable", kinds=tuple(missing_kinds)),)
    out: list[Note] = []
    if row.value is None:
        out.append(Note("undefined"))
    if row.low_confidence:
        out.append(Note("low_confidence", count=row.base))
    if row.provisional:
        out.append(Note("provisional"))
    if compared and row.value is not None and row.comparison is None:
        out.append(Note("no_comparable_data"))
    if row.partial:
        out.append(Note("partial"))
    return tuple(out)


def coverage_text(period: str, days: int, total: int, lang: str) -> str:
    """How much of a partial period the range and the data hold (a chart's tooltip, the
    workbook's legend): ``2026-11: 20 days of 30``."""
    text = i18n.translator(lang).ngettext("{period}: {days} day of {total}", "{period}: {days} days of {total}", days)
    return text.format(period=period, days=days, total=total)


# -- one result, presented ----------------------------------------------------------------------


@dataclass(frozen=True)
class Presented:
    """A KPI row as every screen shows it.

    Attributes:
        kpi: the KPI's definition.
        row: the engine's row.
        change: against the comparison, in ``change_unit`` (None: no comparison, or undefined).
        pacing: where the value should stand by the row's last day (see :mod:`kpidesk.core.targets`).
        attainment: value against pacing, in percent (inverted for lower-is-better).
        notes: what to say beside the value.
    """

    kpi: KpiDef
    row: KpiRow
    change: float | None
    change_unit: ChangeUnit
    pacing: float | None
    attainment: float | None
    notes: tuple[Note, ...]

    @property
    def value(self) -> float | None:
        return None if self.row.unavailable else _finite(self.row.value)

    @property
    def comparison(self) -> float | None:
        return None if self.row.unavailable else _finite(self.row.comparison)

    @property
    def target(self) -> float | None:
        return None if self.row.unavailable else _finite(self.row.target)

    @property
    def change_tone(self) -> Tone:
        return change_tone(self.kpi, self.change)

    @property
    def attainment_tone(self) -> Tone:
        return attainment_tone(self.kpi, self.attainment)

    def value_text(self, lang: str, currency: str = "EUR", compact: bool = False) -> str:
        return format_value(self.value, self.kpi.unit, lang, currency, compact=compact)

    def comparison_text(self, lang: str, currency: str = "EUR", compact: bool = False) -> str:
        return format_value(self.comparison, self.kpi.unit, lang, currency, compact=compact)

    def target_text(self, lang: str, currency: str = "EUR", compact: bool = False) -> str:
        return format_value(self.target, self.kpi.unit, lang, currency, compact=compact)

    def pacing_text(self, lang: str, currency: str = "EUR", compact: bool = False) -> str:
        pace = self.pacing
        if pace is not None and self.kpi.unit == "count":
            pace = float(round(pace))
        return format_value(pace, self.kpi.unit, lang, currency, compact=compact)

    def change_text(self, lang: str) -> str:
        return format_change(self.change, lang, self.change_unit)

    def attainment_text(self, lang: str) -> str:
        return format_value(self.attainment, "percent", lang)

    def notes_text(self, lang: str, *, skip: Sequence[NoteKind] = ()) -> str:
        return " ".join(n.text(lang) for n in self.notes if n.kind not in skip)


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def present(row: KpiRow, *, compared: bool = True, missing_kinds: Iterable[str] = ()) -> Presented:
    """``row`` as every screen shows it.

    Args:
        compared: whether a comparison was asked (without one, no "no comparable data" note).
        missing_kinds: for an unavailable KPI, the kinds of data not imported.
    """
    definition = catalog.get(row.kpi)
    unavailable = row.unavailable
    return Presented(
        kpi=definition,
        row=row,
        change=None if unavailable or not compared else change(definition, row.value, row.comparison),
        change_unit=change_unit(definition),
        pacing=None if unavailable else _finite(row_pacing(definition, row)),
        attainment=_finite(row_attainment(definition, row)),
        notes=notes(definition, row, compared=compared, missing_kinds=missing_kinds),
    )


# -- the command line's JSON --------------------------------------------------------------------


def _json_number(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 10)


def json_row(row: KpiRow, *, compared: bool = True, forecast: dict[str, Any] | None = None) -> dict[str, Any]:
    """One row of ``kpis --json`` with every field of SPEC §4."""
    p = present(row, compared=compared)
    return {
        "kpi": row.kpi,
        "period": row.period,
        "member": row.member,
        "value": _json_number(p.value),
        "target": _json_number(p.target),
        "pacing": _json_number(p.pacing),
        "attainment": _json_number(p.attainment),
        "comparison": _json_number(p.comparison),
        "change": _json_number(p.change),
        "change_unit": p.change_unit,
        "partial": bool(row.partial),
        "unavailable": bool(row.unavailable),
        "low_confidence": bool(row.low_confidence),
        "forecast": forecast,
    }


def result_json(result: Result) -> dict[str, Any]:
    """``kpis --json``: ``{"from", "to", "grain", "rows"}``, each row by :func:`json_row`."""
    compared = result.compare != "none"
    return {
        "from": result.start.isoformat(),
        "to": result.end.isoformat(),
        "grain": result.grain,
        "rows": [json_row(r, compared=compared) for r in result.rows],
    }


# -- leaderboards -------------------------------------------------------------------------------


def leaderboard(kpi: KpiDef | str, rows: Iterable[KpiRow]) -> list[KpiRow]:
    """Members best first (highest, or lowest for a lower-is-better KPI), undefined values last,
    ties by name."""
    sign = 1.0 if _definition(kpi).direction == "lower" else -1.0
    return sorted(
        rows,
        key=lambda r: (
            r.value is None or not math.isfinite(r.value),
            sign * (r.value or 0.0),
            (r.member or "").casefold(),
        ),
    )
