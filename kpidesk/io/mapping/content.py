"""Mapping choices that look at the cells, not only the titles: a customer column that holds names."""

from __future__ import annotations

import re
from collections.abc import Mapping

from kpidesk.io.parse import parse_texts
from kpidesk.io.read import PreparedSheet

#: Kinds whose rows may name their customer (SPEC §3.1: a customer is its id, else its name).
_NAMED = {"sales": "customer_name"}
#: An identifier: digits, or a code such as ``C-0042`` / ``CUST17`` (letters and digits, no space).
_CODE = re.compile(r"^(?=.*\d)[\w./#-]+$")


def looks_like_names(values: list[str]) -> bool:
    """True when most distinct values read as names (``Boulangerie Martin``, ``Ann Lee``) rather
    than codes (``C-0042``, ``17841``): at least two thirds hold no digit-bearing code."""
    if not values:
        return False
    codes = sum(1 for v in values if _CODE.match(v))
    return codes * 3 <= len(values)


def customer_names(prepared: PreparedSheet, kind: str, mapping: Mapping[str, str]) -> dict[str, str]:
    """``mapping``, with a customer column that holds names moved from ``customer_id`` to
    ``customer_name`` when the file has no name column: a sales file with customer names and no
    ids identifies its customers by name (SPEC §3.1)."""
    out = dict(mapping)
    name_field = _NAMED.get(kind)
    column = out.get("customer_id")
    if name_field is None or column is None or name_field in out:
        return out
    parsed = parse_texts(prepared.cells(column))
    labels = parsed.labels if parsed.labels is not None else parsed.values[parsed.ok]
    distinct = sorted({str(v) for v in labels[:5000] if v is not None})
    if looks_like_names(distinct):
        del out["customer_id"]
        out[name_field] = column
    return out
