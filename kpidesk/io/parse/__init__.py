"""Cell values to typed columns, following SPEC §1 "Value rules" and §3.1 "Blank": numbers, dates,
and categories (text, flags, statuses, activity types, spend categories, target periods)."""

from __future__ import annotations

from kpidesk.io.parse.categories import (
    parse_activity_types,
    parse_bools,
    parse_periods,
    parse_spend_categories,
    parse_statuses,
    parse_texts,
)
from kpidesk.io.parse.column import (
    TEXT_MISSING,
    VALUE_MISSING,
    Column,
    Parsed,
    as_object_array,
    blank_mask,
    cell_text,
)
from kpidesk.io.parse.dates import fold_date_text, parse_dates
from kpidesk.io.parse.numbers import parse_numbers

__all__ = [
    "TEXT_MISSING",
    "VALUE_MISSING",
    "Column",
    "Parsed",
    "as_object_array",
    "blank_mask",
    "cell_text",
    "fold_date_text",
    "parse_activity_types",
    "parse_bools",
    "parse_dates",
    "parse_numbers",
    "parse_periods",
    "parse_spend_categories",
    "parse_statuses",
    "parse_texts",
]
