"""The data kinds of SPEC §1: their canonical fields, types and required fields.

This module is the single description of what a stored row looks like. The
importer maps spreadsheet columns onto these fields, the store creates one
table per kind from them, and the engine reads the typed frames they define.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np

FieldType = Literal["date", "number", "text", "bool", "status", "activity_type", "category"]

#: Opportunity statuses, as stored.
STATUSES: tuple[str, ...] = ("open", "won", "lost")
#: Activity types, as stored.
ACTIVITY_TYPES: tuple[str, ...] = ("call", "meeting", "proposal", "email", "other")
#: Spend categories, as stored.
SPEND_CATEGORIES: tuple[str, ...] = ("marketing", "sales")

#: Dimensions a KPI can be broken down or filtered by (SPEC §3).
DIMENSIONS: tuple[str, ...] = ("salesperson", "channel", "region", "segment", "product", "customer")


@dataclass(frozen=True)
class Field:
    """One canonical field of a kind."""

    name: str
    type: FieldType
    required: bool = False


@dataclass(frozen=True)
class Kind:
    """One data kind: a table of rows with canonical fields."""

    name: str
    fields: tuple[Field, ...]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def fields_of_type(self, *types: FieldType) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.type in types)


def _kind(name: str, *spec: tuple[str, FieldType] | tuple[str, FieldType, bool]) -> Kind:
    fields = []
    for item in spec:
        required = bool(item[2]) if len(item) == 3 else False
        fields.append(Field(item[0], item[1], required))
    return Kind(name, tuple(fields))


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        _kind(
            "sales",
            ("date", "date", True),
            # Required, but it may be derived from quantity x unit_price at import.
            ("amount", "number", True),
            ("invoice_id", "text"),
            ("customer_id", "text"),
            ("customer_name", "text"),
            ("product", "category"),
            ("quantity", "number"),
            ("unit_price", "number"),
            ("salesperson", "category"),
            ("channel", "category"),
            ("region", "category"),
            ("segment", "category"),
        ),
        _kind(
            "leads",
            ("created_date", "date", True),
            ("lead_id", "text"),
            ("channel", "category"),
            ("qualified", "bool"),
            ("qualified_date", "date"),
            ("converted", "bool"),
            ("converted_date", "date"),
            ("customer_id", "text"),
            ("salesperson", "category"),
            ("region", "category"),
            ("segment", "category"),
        ),
        _kind(
            "opportunities",
            ("created_date", "date", True),
            ("status", "status", True),
            ("opportunity_id", "text"),
            ("close_date", "date"),
            ("amount", "number"),
            ("salesperson", "category"),
            ("channel", "category"),
            ("customer_id", "text"),
            ("product", "category"),
            ("region", "category"),
        ),
        _kind(
            "customers",
            ("customer_id", "text", True),
            ("name", "text"),
            ("created_date", "date"),
            ("channel", "category"),
            ("segment", "category"),
            ("region", "category"),
            ("salesperson", "category"),
        ),
        _kind(
            "spend",
            ("date", "date", True),
            ("amount", "number", True),
            ("channel", "category"),
            ("category", "category"),
        ),
        _kind(
            "activities",
            ("date", "date", True),
            ("type", "activity_type", True),
            ("salesperson", "category"),
            ("lead_id", "text"),
            ("customer_id", "text"),
        ),
        _kind(
            "surveys",
            ("date", "date", True),
            ("score", "number", True),
            ("customer_id", "text"),
            ("channel", "category"),
        ),
        _kind(
            "targets",
            ("kpi", "text", True),
            ("period", "text", True),
            ("value", "number", True),
            ("dimension", "text"),
            ("member", "text"),
        ),
    )
}

KIND_NAMES: tuple[str, ...] = tuple(KINDS)


def date_field(kind: str) -> str | None:
    """The field that places a row of ``kind`` in time, if any."""
    return {
        "sales": "date",
        "leads": "created_date",
        "opportunities": "created_date",
        "customers": "created_date",
        "spend": "date",
        "activities": "date",
        "surveys": "date",
    }.get(kind)


def dimension_field(kind: str, dimension: str) -> str | None:
    """The field of ``kind`` that holds ``dimension``, or None when it has none."""
    names = KINDS[kind].field_names
    if dimension == "customer":
        return "customer_id" if "customer_id" in names else None
    return dimension if dimension in names else None


#: Required fields that another set of fields can stand in for: a sales amount is quantity x unit
#: price. (An opportunity with only its close date joins here once the store holds opportunities
#: without a creation date: today its column refuses them.)
ALTERNATIVES: dict[tuple[str, str], tuple[tuple[str, ...], ...]] = {
    ("sales", "amount"): (("quantity", "unit_price"),),
}


def missing_required(kind: str, fields: Iterable[str]) -> list[str]:
    """The required fields of ``kind`` that ``fields`` (the mapped ones) leave without a value,
    counting :data:`ALTERNATIVES`: ``missing_required("sales", ["date", "quantity", "unit_price"])``
    is ``[]``."""
    present = set(fields)
    missing = []
    for name in KINDS[kind].required:
        if name in present:
            continue
        if any(set(parts) <= present for parts in ALTERNATIVES.get((kind, name), ())):
            continue
        missing.append(name)
    return missing


def sales_amount(amount: np.ndarray | None, quantity: np.ndarray | None, unit_price: np.ndarray | None) -> np.ndarray:
    """The net amount of each sales line: its amount, or quantity x unit price where the amount is
    blank (NaN) or has no column. NaN where neither gives one.

    ``sales_amount([10, nan, nan], [2, 3, nan], [5, 4, 1])`` is ``[10, 12, nan]``.
    """
    computed = None
    if quantity is not None and unit_price is not None:
        computed = np.asarray(quantity, dtype=np.float64) * np.asarray(unit_price, dtype=np.float64)
    if amount is None:
        if computed is None:
            raise ValueError("a sales amount needs an amount, or a quantity and a unit price")
        return computed
    values = np.asarray(amount, dtype=np.float64)
    if computed is None:
        return values
    gap = np.isnan(values)
    return np.where(gap, computed, values) if gap.any() else values
