"""The export's language and looks: words in the workbook's language, the number formats of
the one formatter (:mod:`kpidesk.core.formatting`) and the cell styles of every sheet."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from kpidesk.core.catalog import KpiDef
from kpidesk.core.formatting import (
    ChangeUnit,
    excel_change_format,
    excel_format,
    format_date,
    symbol,
    value_decimals,
)
from kpidesk.core.present import CELL_TONES, translate
from kpidesk.io.xlsx import PLAIN, CellStyle, Highlight

ProgressCallback = Callable[[float, str], None]
CancelledCallback = Callable[[], bool]

#: The header row of every table sheet (rows above: title, subtitle, blank).
HEADER_ROW = 4

NBSP = "\u00a0"
GOOD = Highlight(*CELL_TONES["good"])
BAD = Highlight(*CELL_TONES["bad"])
MUTED = "7F7F7F"
HEADER_FILL = "DCE6F1"
TOTAL_FILL = "F2F2F2"


class Words:
    """Translations in the export's language.

    Not the global ``_()``: the window may export in a language of its own choosing on a
    worker thread, and the global language must not change under its feet.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def tr(self, message: str) -> str:
        return translate(message, self.lang)

    def date(self, day: dt.date) -> str:
        return format_date(day, self.lang)

    def lower_first(self, text: str) -> str:
        return text[:1].lower() + text[1:]


@dataclass(frozen=True)
class Number:
    """A number format and how wide its numbers show."""

    code: str
    decimals: int = 0
    scale: float = 1.0
    affix: int = 0


def number_formats(lang: str, currency: str) -> dict[str, Number]:
    """The Excel number formats of the export (see :func:`kpidesk.core.formatting.excel_format`);
    the reader's Excel or Calc applies its own separators."""
    affix = len(symbol(currency)) + 1
    out = {
        "currency0": Number(excel_format("currency", 0, lang, currency), 0, 1.0, affix),
        "currency2": Number(excel_format("currency", 2, lang, currency), 2, 1.0, affix),
        "percent": Number(excel_format("percent", 1, lang), 1, 100.0, 2),
        "attainment": Number(excel_format("attainment", 1, lang), 1, 100.0, 2),
        "days": Number(excel_format("days", 1, lang), 1, 1.0, 2),
        "count": Number(excel_format("count", 0, lang)),
        "count1": Number(excel_format("count", 1, lang), 1),
        "decimal": Number("#,##0.00", 2),
        "integer": Number("0"),
        "score": Number(excel_format("score", 1, lang), 1),
        "ratio": Number(excel_format("ratio", 2, lang), 2),
        "date": Number("dd/mm/yyyy" if lang == "fr" else "yyyy-mm-dd"),
        "datetime": Number("dd/mm/yyyy hh:mm" if lang == "fr" else "yyyy-mm-dd hh:mm"),
        # Axis labels round what the cells show in full (no cents, no decimals of a percent).
        "axis_percent": Number(excel_format("attainment", 0, lang), 0, 100.0, 2),
    }
    units: tuple[ChangeUnit, ...] = ("percent", "points", "days", "ratio")
    for unit in units:
        decimals, scale = (2, 1.0) if unit == "ratio" else (1, 100.0 if unit == "percent" else 1.0)
        out[change_format(unit)] = Number(excel_change_format(unit, lang), decimals, scale, 5)
    return out


def value_format(definition: KpiDef, value: float | None) -> str:
    """The key of the number format of one of ``definition``'s values (one formatter: currency
    with no decimals at or above 1,000 and two below, as on a card)."""
    unit = definition.unit
    if unit == "currency":
        return "currency0" if value is not None and value_decimals("currency", value) == 0 else "currency2"
    if unit == "count":
        return "count" if value is None or value_decimals("count", value) == 0 else "count1"
    return {"percent": "percent", "days": "days", "score": "score", "ratio": "ratio"}[unit]


def change_format(unit: ChangeUnit) -> str:
    """The key of the number format of a change measured in ``unit``."""
    return f"change_{unit}"


def cell_value(definition: KpiDef, value: float | None) -> float | None:
    """A KPI value as written to a cell: percents as fractions of 1."""
    if value is None or not math.isfinite(value):
        return None
    return value / 100.0 if definition.unit == "percent" else float(value)


def change_value(unit: ChangeUnit, change: float | None) -> float | None:
    """A change as written to a cell: a relative change as a fraction of 1, points, days and
    ratios as they are."""
    if change is None or not math.isfinite(change):
        return None
    return change / 100.0 if unit == "percent" else float(change)


class Look:
    """The cell styles of the export, built once per workbook."""

    def __init__(self, lang: str, currency: str) -> None:
        self.numbers = number_formats(lang, currency)
        self.title = CellStyle(bold=True, size=14, fit=False)
        self.subtitle = CellStyle(italic=True, color="595959", wrap=True, vertical="top", fit=False)
        self.section = CellStyle(bold=True, fit=False)
        self.header = CellStyle(
            bold=True, fill=HEADER_FILL, wrap=True, vertical="center", horizontal="center", border_bottom=True
        )
        self.partial_header = CellStyle(
            bold=True,
            italic=True,
            fill=HEADER_FILL,
            wrap=True,
            vertical="center",
            horizontal="center",
            border_bottom=True,
        )
        self.text = PLAIN
        self.bold = CellStyle(bold=True)
        self.total_text = CellStyle(bold=True, fill=TOTAL_FILL)
        self.muted = CellStyle(italic=True, color=MUTED)
        self.note = CellStyle(italic=True, color=MUTED, wrap=True, vertical="top", fit=False)
        self.wrapped = CellStyle(wrap=True, vertical="top")
        self.wrapped_text = CellStyle(wrap=True)
        self.unit = CellStyle(horizontal="center")
        self.top = CellStyle(vertical="top")
        self._cache: dict[tuple[str, bool, bool, bool, bool], CellStyle] = {}

    def number(
        self, key: str, *, bold: bool = False, muted: bool = False, total: bool = False, italic: bool = False
    ) -> CellStyle:
        """The style of a number cell: ``muted`` (low confidence) greyed and in italics,
        ``italic`` (a partial period) in italics, ``total`` bold on the totals' fill."""
        found = self._cache.get((key, bold, muted, total, italic))
        if found is None:
            n = self.numbers[key]
            found = CellStyle(
                number_format=n.code,
                decimals=n.decimals,
                scale=n.scale,
                affix=n.affix,
                bold=bold or total,
                italic=muted or italic,
                color=MUTED if muted else None,
                fill=TOTAL_FILL if total else None,
            )
            self._cache[(key, bold, muted, total, italic)] = found
        return found
