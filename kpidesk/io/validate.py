"""Raw sheet + mapping -> the typed frame of a kind, and the rows rejected with their reasons.

A row is rejected when a required field is missing, or when a value that is
present cannot be read (an amount ``abc``, a date ``32/13/2024``, a score of
11). Each problem is reported with the sheet row number as Excel shows it,
the source column, the raw value and the reason. Blank rows are skipped
silently: they are layout, not data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from kpidesk.core import catalog
from kpidesk.core.kinds import ALTERNATIVES, KINDS, missing_required, sales_amount
from kpidesk.core.text import normalise
from kpidesk.errors import UserError
from kpidesk.i18n import _
from kpidesk.io import parse as V
from kpidesk.io.read import PreparedSheet
from kpidesk.labels import KIND_TITLES

__all__ = ["RowError", "Validation", "check_required", "columns_text", "validate"]

RowError = dict[str, Any]
ProgressCallback = Callable[[float, str], None]


class Validation(NamedTuple):
    """What :func:`validate` found.

    Attributes:
        frame: the accepted rows as the typed frame of the kind (every field a column).
        source_rows: the Excel row number of each row of ``frame``.
        errors: one entry per problem, ``{"row", "column", "value", "message"}``,
            in sheet order.
    """

    frame: pd.DataFrame
    source_rows: np.ndarray
    errors: list[RowError]

    @property
    def rejected(self) -> int:
        """The number of rejected rows (a row may have several errors)."""
        return len({e["row"] for e in self.errors})


def columns_text(headers: list[str], limit: int = 30) -> str:
    """The column titles for a message: the first ``limit`` of them (a sheet may have thousands)."""
    shown = ", ".join(headers[:limit])
    return shown if len(headers) <= limit else f"{shown}, …"


def _required_missing_error(file: str, kind: str, field: str, headers: list[str]) -> UserError:
    return UserError(
        _(
            "{file}: no column was found for '{field}', which is required for {kind}. The columns are: {columns}. "
            "Choose its column in the mapping step (on the command line: --map {field}=COLUMN), "
            "or check the kind of data."
        ).format(file=file, field=field, kind=_(KIND_TITLES[kind]).lower(), columns=columns_text(headers))
    )


def check_required(prepared: PreparedSheet, kind: str, mapping: Mapping[str, str]) -> None:
    """Raise the whole-file error when a required field has no column (counting the fields that
    stand in for it: :func:`kpidesk.core.kinds.missing_required`)."""
    missing = missing_required(kind, mapping)
    if missing:
        raise _required_missing_error(prepared.file, kind, missing[0], prepared.headers)


def _message_for(ftype: str, kind: str, field: str) -> str:
    if kind == "targets" and field == "period":
        return _("Not a period: write it as 2024, 2024-Q1, 2024-03 or 2024-W05")
    if kind == "targets" and field == "kpi":
        return _("Unknown KPI: write its id or its name, as 'kpidesk catalog' lists them")
    if kind == "targets" and field == "dimension":
        return _("Unknown dimension: write salesperson, channel, region, segment, product or customer")
    if ftype == "date":
        return _("Not a date: write it as 05/03/2024, 5 mars 2024 or 2024-03-05")
    if ftype == "number":
        return _("Not a number: write it as 1234.56, 1 234,56 or 1 234,56 €")
    if ftype == "bool":
        return _("Not a yes/no value: write oui/non, yes/no, vrai/faux, 1/0 or x")
    return _("This value cannot be read")


def _outside_message(ftype: str) -> str:
    if ftype == "date":
        return _("Date out of range: KPI Desk holds dates from 1900-01-01 to 2262-04-10")
    return _("Not a finite number: an infinite amount cannot be counted")


#: Names a targets file may give a dimension (normalised), in French or English.
_DIMENSION_NAMES: dict[str, str] = {
    normalise(name): dimension
    for dimension, names in {
        "salesperson": ("salesperson", "sales person", "commercial", "vendeur", "sales rep", "sales agent"),
        "channel": ("channel", "canal", "source"),
        "region": ("region", "région", "zone"),
        "segment": ("segment",),
        "product": ("product", "produit", "article"),
        "customer": ("customer", "client"),
    }.items()
    for name in names
}


def _canonical(raw: V.Column, lookup: Callable[[str], str | None]) -> V.Parsed:
    """Text values replaced by the id ``lookup`` finds for them; invalid where it finds none."""
    parsed = V.parse_texts(raw)
    values = parsed.values.copy()
    invalid = parsed.invalid.copy()
    for i in np.flatnonzero(~parsed.missing & ~parsed.invalid):
        found = lookup(str(values[i]))
        if found is None:
            invalid[i] = True
        else:
            values[i] = found
    return V.Parsed(values, parsed.missing, invalid)


def _kpi_id(name: str) -> str | None:
    definition = catalog.find(name)
    return definition.id if definition is not None else None


def _parse(kind: str, field: str, ftype: str, raw: V.Column) -> V.Parsed:
    if kind == "targets" and field == "period":
        return V.parse_periods(raw)
    if kind == "targets" and field == "kpi":
        return _canonical(raw, _kpi_id)
    if kind == "targets" and field == "dimension":
        return _canonical(raw, lambda name: _DIMENSION_NAMES.get(normalise(name)))
    if kind == "spend" and field == "category":
        return V.parse_spend_categories(raw)
    if ftype == "date":
        return V.parse_dates(raw)
    if ftype == "number":
        return V.parse_numbers(raw)
    if ftype == "bool":
        return V.parse_bools(raw)
    if ftype == "status":
        return V.parse_statuses(raw)
    if ftype == "activity_type":
        return V.parse_activity_types(raw)
    return V.parse_texts(raw)


def _empty_column(ftype: str, n: int) -> Any:
    if ftype == "date":
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if ftype == "number":
        return np.full(n, np.nan)
    if ftype == "bool":
        return pd.array([pd.NA] * n, dtype="boolean")
    return pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), categories=pd.Index([], dtype=object))  # type: ignore[arg-type]


def validate(
    prepared: PreparedSheet,
    kind: str,
    mapping: Mapping[str, str],
    progress: ProgressCallback | None = None,
) -> Validation:
    """Parse the mapped columns of ``prepared`` into the typed frame of ``kind``.

    Args:
        prepared: the sheet, with its header row found.
        kind: one of :data:`kpidesk.core.kinds.KIND_NAMES`.
        mapping: field -> column header (a header of ``prepared``).
        progress: called with (fraction, message) after each column.

    Raises:
        UserError: a required field has no column (see :func:`check_required`).
    """
    spec = KINDS[kind]
    check_required(prepared, kind, mapping)
    unknown = [c for c in mapping.values() if c not in prepared.headers]
    if unknown:
        raise UserError(
            _("{file}: there is no column '{column}'. The columns are: {columns}.").format(
                file=prepared.file, column=unknown[0], columns=columns_text(prepared.headers)
            )
        )
    n = prepared.row_count
    row_numbers = prepared.first_data_row + np.arange(n, dtype=np.int64)

    columns: dict[str, Any] = {}
    problems: list[tuple[np.ndarray, str, str, str]] = []  # (mask, field, column, message)
    fields = [f for f in spec.field_names if f in mapping]
    for step, field in enumerate(fields):
        column = mapping[field]
        ftype = spec.field(field).type
        parsed = _parse(kind, field, ftype, prepared.cells(column))
        invalid = parsed.invalid
        outside = parsed.outside if parsed.outside is not None else np.zeros(n, dtype=bool)
        unreadable = parsed.invalid & ~outside
        if unreadable.any():
            problems.append((unreadable, field, column, _message_for(ftype, kind, field)))
        if outside.any():
            problems.append((outside, field, column, _outside_message(ftype)))
        if kind == "surveys" and field == "score":
            out_of_range = parsed.ok & ((parsed.values < 0) | (parsed.values > 10))
            if out_of_range.any():
                problems.append((out_of_range, field, column, _("Score out of range: it must be between 0 and 10")))
                invalid = invalid | out_of_range
        categorical = parsed.categorical() if ftype in ("text", "category") else None
        if ftype == "bool":
            columns[field] = pd.arrays.BooleanArray(parsed.values.astype(bool), parsed.missing | invalid)
        elif categorical is not None:
            # Text as the store keeps it: each distinct value once (hashing and storing
            # then work on the distinct values, not on every row's object).
            columns[field] = categorical
        else:
            columns[field] = parsed.values
        if field in spec.required and parsed.missing.any() and (kind, field) not in ALTERNATIVES:
            problems.append((parsed.missing, field, column, _("Required value missing")))
        if progress is not None:
            progress((step + 1) / max(len(fields), 1), _("Checking values"))

    if kind == "sales":
        _sales_amount(columns, mapping, problems)
    overlong = prepared.overlong_rows()
    if overlong.any():
        problems.append(
            (
                overlong,
                "",
                prepared.headers[-1],
                _(
                    "This row has more values than there are column titles: a comma inside a number (1 234,56) "
                    "in a comma-separated file? Put such values in quotes, or separate the columns with ;"
                ),
            )
        )

    blank_rows = _blank_rows(prepared, list(mapping.values()))
    rejected = np.zeros(n, dtype=bool)
    for mask, _field, _column, _message in problems:
        rejected |= mask
    rejected &= ~blank_rows
    accepted = ~rejected & ~blank_rows

    data: dict[str, Any] = {}
    keep_all = bool(accepted.all())
    for field in spec.field_names:
        ftype = spec.field(field).type
        values = columns.get(field)
        if values is None:
            data[field] = _empty_column(ftype, int(accepted.sum()))
        else:
            data[field] = values if keep_all else values[accepted]
    frame = pd.DataFrame(data, columns=list(spec.field_names), copy=False)
    errors = _errors(prepared, problems, rejected, row_numbers)
    return Validation(frame, row_numbers if keep_all else row_numbers[accepted], errors)


def _blank_rows(prepared: PreparedSheet, first: list[str]) -> np.ndarray:
    """Rows with nothing in any column: layout (spacing, a sheet's tail), skipped rather than rejected."""
    blank = np.ones(prepared.row_count, dtype=bool)
    # The mapped columns first: they usually rule out every row at once.
    for header in [*first, *(h for h in prepared.headers if h not in first)]:
        if not blank.any():
            break
        if header in first:
            blank &= prepared.cells(header).blank_or_spaces()
            continue
        candidates = np.flatnonzero(blank)
        blank[candidates] = V.blank_mask(prepared.column(header)[candidates])
    return blank


def _sales_amount(
    columns: dict[str, Any], mapping: Mapping[str, str], problems: list[tuple[np.ndarray, str, str, str]]
) -> None:
    """amount = quantity x unit_price where there is no amount (:func:`kpidesk.core.kinds.sales_amount`);
    a row left without one is reported on the column that should have given it."""
    quantity, price, amount = columns.get("quantity"), columns.get("unit_price"), columns.get("amount")
    columns["amount"] = sales_amount(amount, quantity, price)
    gap = np.isnan(columns["amount"])
    if not gap.any():
        return
    if amount is not None:
        # Blank amounts that could not be computed (the unreadable ones are reported already).
        gap &= ~_flagged(problems, "amount", len(gap))
        if gap.any():
            problems.append((gap, "amount", mapping["amount"], _("Required value missing")))
        return
    for field, values in (("quantity", quantity), ("unit_price", price)):
        assert values is not None  # check_required made sure
        # A value that is there but unreadable is reported already, as such.
        mask = gap & np.isnan(values) & ~_flagged(problems, field, len(values))
        if mask.any():
            problems.append(
                (mask, field, mapping[field], _("Required value missing: the amount is quantity x unit price"))
            )


def _flagged(problems: list[tuple[np.ndarray, str, str, str]], field: str, n: int) -> np.ndarray:
    """The rows where ``field`` already has a problem."""
    flagged = np.zeros(n, dtype=bool)
    for mask, name, _column, _message in problems:
        if name == field:
            flagged |= mask
    return flagged


def _errors(
    prepared: PreparedSheet,
    problems: list[tuple[np.ndarray, str, str, str]],
    rejected: np.ndarray,
    row_numbers: np.ndarray,
) -> list[RowError]:
    """The row errors in sheet order (then column order)."""
    if not rejected.any():
        return []
    order = {h: i for i, h in enumerate(prepared.headers)}
    entries: list[tuple[int, int, RowError]] = []
    for mask, _field, column, message in problems:
        raw = prepared.column(column)
        for i in np.flatnonzero(mask & rejected):
            row = int(row_numbers[i])
            entries.append(
                (
                    row,
                    order.get(column, 0),
                    {"row": row, "column": column, "value": V.cell_text(raw[i]), "message": message},
                )
            )
    entries.sort(key=lambda e: (e[0], e[1]))
    return [e[2] for e in entries]
