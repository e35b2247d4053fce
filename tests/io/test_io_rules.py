"""The rules the readers share, each in its one home, against values worked out by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from kpidesk.core.kinds import missing_required, sales_amount
from kpidesk.core.periods import parse_label
from kpidesk.core.text import fold, normalise, unaccent
from kpidesk.io.mapping import header_signature
from kpidesk.io.mapping import normalise as header_key
from kpidesk.io.read import prepare, read_sheet
from kpidesk.io.validate import validate


def test_text_is_folded_in_one_place() -> None:
    assert unaccent("Société Générale") == "societe generale"
    assert fold(" N° de Facture ") == "n de facture"
    assert fold("E-mail") == "e mail"
    assert normalise("N° Facture ") == "nfacture"
    # The headers compare through it too.
    assert header_key("Date de Création") == fold("Date de Création") == "date de creation"
    assert header_signature(["Date", "Montant HT"]) == header_signature([" DATE ", "montant_ht"])


def test_amount_or_quantity_times_unit_price() -> None:
    amount = np.array([10.0, np.nan, np.nan])
    quantity = np.array([2.0, 3.0, np.nan])
    price = np.array([5.0, 4.0, 1.0])
    # Row 1 has its amount; row 2 is 3 x 4 = 12; row 3 has neither.
    np.testing.assert_array_equal(sales_amount(amount, quantity, price), [10.0, 12.0, np.nan])
    np.testing.assert_array_equal(sales_amount(None, quantity, price), [10.0, 12.0, np.nan])
    assert missing_required("sales", ["date", "quantity", "unit_price"]) == []
    assert missing_required("sales", ["date", "quantity"]) == ["amount"]
    assert missing_required("opportunities", ["status", "close_date"]) == ["created_date"]


def test_targets_keep_the_engine_labels(tmp_path: Path) -> None:
    path = tmp_path / "objectifs.csv"
    path.write_text(
        "KPI;Période;Objectif\nrevenue;FY2025;1000\nrevenue;fy2025-q1;250\n"
        "revenue;2024-03-05;10\nrevenue;T2 2024;300\n",
        encoding="utf-8",
    )
    prepared = prepare(read_sheet(path))
    result = validate(prepared, "targets", {"kpi": "KPI", "period": "Période", "value": "Objectif"})
    assert result.errors == []
    labels = [str(v) for v in result.frame["period"]]
    assert labels == ["FY2025", "FY2025-Q1", "2024-03-05", "2024-Q2"]
    # Read by the engine's one parser with a fiscal year starting in April: FY2025 is
    # April 2024 - March 2025 and its first quarter April - June 2024.
    assert parse_label(labels[0], fiscal_start=4)[1:] == (dt.date(2024, 4, 1), dt.date(2025, 4, 1))
    assert parse_label(labels[1], fiscal_start=4)[1:] == (dt.date(2024, 4, 1), dt.date(2024, 7, 1))
    assert parse_label(labels[2], fiscal_start=4)[1:] == (dt.date(2024, 3, 5), dt.date(2024, 3, 6))
