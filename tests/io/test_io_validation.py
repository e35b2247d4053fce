"""Row validation: what is rejected, and how it is reported (row numbers as Excel shows them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np

from kpidesk.app import imports as importer
from kpidesk.store.database import Store


def test_report_gives_excel_row_column_value_and_reason(store: Store, make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx(
        Ventes=[
            ["Export des ventes"],
            [],
            ["Date", "N° facture", "Montant HT"],  # Excel row 3
            [dt.date(2024, 3, 5), "F1", 100.0],  # row 4
            ["32/13/2024", "F2", 50.0],  # row 5: impossible date
            [dt.date(2024, 3, 6), "F3", "abc"],  # row 6: not a number
            [None, "F4", 10.0],  # row 7: no date
            [],  # row 8: blank, skipped silently
            ["05/03/2024", "F5", "1 234,50 €"],  # row 9: fine
            ["x", "F6", "y"],  # row 10: two errors, one rejected row
        ]
    )
    [outcome] = importer.import_file(store, path)
    assert (outcome.imported, outcome.rejected) == (2, 4)
    assert outcome.errors == [
        {"row": 5, "column": "Date", "value": "32/13/2024",
         "message": "Not a date: write it as 05/03/2024, 5 mars 2024 or 2024-03-05"},
        {"row": 6, "column": "Montant HT", "value": "abc",
         "message": "Not a number: write it as 1234.56, 1 234,56 or 1 234,56 €"},
        {"row": 7, "column": "Date", "value": "", "message": "Required value missing"},
        {"row": 10, "column": "Date", "value": "x",
         "message": "Not a date: write it as 05/03/2024, 5 mars 2024 or 2024-03-05"},
        {"row": 10, "column": "Montant HT", "value": "y",
         "message": "Not a number: write it as 1234.56, 1 234,56 or 1 234,56 €"},
    ]  # fmt: skip
    stored = store.load("sales", provenance=True)
    assert stored["invoice_id"].tolist() == ["F1", "F5"]
    assert stored["amount"].tolist() == [100.0, 1234.5]
    assert stored["source_row"].tolist() == [4, 9]
    # The report is kept with the batch, for the window to show later.
    assert store.batches()[0].errors == outcome.errors


def test_strict_stores_nothing_from_a_file_with_rejected_rows(store: Store, make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx(Sheet1=[["Date", "Montant"], [dt.date(2024, 1, 2), 5.0], [dt.date(2024, 1, 3), "cinq"]])
    [outcome] = importer.import_file(store, path, strict=True)
    assert outcome.batch_id is None
    assert (outcome.imported, outcome.rejected, len(outcome.errors)) == (0, 1, 1)
    assert store.batches() == [] and store.count("sales") == 0
    # A clean file goes in with strict too.
    clean = make_xlsx("clean.xlsx", Sheet1=[["Date", "Montant"], [dt.date(2024, 1, 2), 5.0]])
    [outcome] = importer.import_file(store, clean, strict=True)
    assert outcome.batch_id is not None and outcome.imported == 1


def test_sales_amount_from_quantity_and_unit_price(store: Store, make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx(
        Sheet1=[
            ["InvoiceDate", "Quantity", "UnitPrice"],
            [dt.datetime(2011, 1, 2, 10, 0), 3.0, 2.5],
            [dt.datetime(2011, 1, 2, 11, 0), -2.0, 2.5],  # a return: negative, kept
            [dt.datetime(2011, 1, 2, 12, 0), None, 2.5],  # no quantity: no amount
            [dt.datetime(2011, 1, 2, 13, 0), "deux", 2.5],  # unreadable: reported once, as such
        ]
    )
    [outcome] = importer.import_file(store, path)
    assert store.load("sales")["amount"].tolist() == [7.5, -5.0]
    assert outcome.errors == [
        {"row": 4, "column": "Quantity", "value": "",
         "message": "Required value missing: the amount is quantity x unit price"},
        {"row": 5, "column": "Quantity", "value": "deux",
         "message": "Not a number: write it as 1234.56, 1 234,56 or 1 234,56 €"},
    ]  # fmt: skip


def test_blank_amount_cell_is_computed_when_possible(store: Store, make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx(
        Sheet1=[
            ["Date", "Quantité", "Prix unitaire", "Montant"],
            [dt.date(2024, 1, 2), 2.0, 10.0, 25.0],
            [dt.date(2024, 1, 2), 3.0, 10.0, None],
        ]
    )
    importer.import_file(store, path)
    assert store.load("sales")["amount"].tolist() == [25.0, 30.0]


def test_opportunities_won_or_lost_without_close_date_are_kept(store: Store, make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx(
        Pipeline=[
            ["ID affaire", "Date de création", "Étape", "Date de clôture", "Montant"],
            ["A1", "05/03/2024", "Gagné", None, "1 000 €"],
            ["A2", "06/03/2024", "Perdu", "20/03/2024", None],
            ["A3", "07/03/2024", "Négociation", None, "500"],
            ["A4", None, "Prospection", None, None],
        ]
    )
    [outcome] = importer.import_file(store, path)
    assert outcome.kind == "opportunities"
    assert (outcome.imported, outcome.rejected) == (3, 1)
    assert outcome.errors[0]["row"] == 5 and outcome.errors[0]["column"] == "Date de création"
    frame = store.load("opportunities")
    assert frame["status"].astype(str).tolist() == ["won", "lost", "open"]
    assert frame["close_date"].isna().tolist() == [True, False, True]


def test_survey_scores_must_be_0_to_10(store: Store, make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx(
        Réponses=[
            ["Date de réponse", "Note", "ID client"],
            [dt.date(2024, 1, 2), 10.0, "C1"],
            [dt.date(2024, 1, 2), 11.0, "C2"],
            [dt.date(2024, 1, 2), -1.0, "C3"],
            [dt.date(2024, 1, 2), "NA", "C4"],
            [dt.date(2024, 1, 2), 0.0, "C5"],
        ]
    )
    [outcome] = importer.import_file(store, path)
    assert outcome.kind == "surveys"
    assert store.load("surveys")["score"].tolist() == [10.0, 0.0]
    assert [(e["row"], e["value"], e["message"]) for e in outcome.errors] == [
        (3, "11", "Score out of range: it must be between 0 and 10"),
        (4, "-1", "Score out of range: it must be between 0 and 10"),
        (5, "NA", "Required value missing"),
    ]


def test_targets(store: Store, make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx(
        Objectifs=[
            ["KPI", "Période", "Valeur", "Dimension", "Membre"],
            ["revenue", 2024, "1 200 000 €", None, None],
            ["revenue", "T1 2024", 300000.0, "salesperson", "Alice"],
            ["win_rate", "2024-03", "60 %", None, None],
            ["leads", "2024-W05", 40.0, None, None],
            ["leads", "la semaine prochaine", 40.0, None, None],
        ]
    )
    [outcome] = importer.import_file(store, path)
    assert outcome.kind == "targets" and outcome.rejected == 1
    frame = store.load("targets")
    assert frame["period"].tolist() == ["2024", "2024-Q1", "2024-03", "2024-W05"]
    assert frame["value"].tolist() == [1_200_000.0, 300_000.0, 0.6, 40.0]
    assert frame["member"].astype(object).where(frame["member"].notna(), None).tolist() == [None, "Alice", None, None]


def test_leads_flags_and_activities_types(store: Store, make_xlsx: Callable[..., Path]) -> None:
    leads = make_xlsx(
        "leads.xlsx",
        Leads=[
            ["ID lead", "Date de création", "Source", "Qualifié", "Converti"],
            ["L1", "02/01/2024", "Salon", "oui", "x"],
            ["L2", "03/01/2024", "Site web", "non", None],
            ["L3", "04/01/2024", "Site web", "peut-être", None],
        ],
    )
    [outcome] = importer.import_file(store, leads)
    assert outcome.kind == "leads" and outcome.rejected == 1
    frame = store.load("leads")
    assert frame["qualified"].tolist() == [True, False]
    assert frame["converted"].tolist() == [True, False]
    activities = make_xlsx(
        "act.xlsx",
        Activités=[["Date", "Type d'activité", "Commercial"], ["02/01/2024", "Appel", "Alice"],
                   ["02/01/2024", "RDV client", "Bruno"], ["03/01/2024", "Devis", "Alice"]],
    )  # fmt: skip
    importer.import_file(store, activities)
    assert store.load("activities")["type"].astype(str).tolist() == ["call", "meeting", "proposal"]


def test_validate_step_by_step(make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx(Sheet1=[["Date", "Montant", "Client"], [dt.date(2024, 1, 2), 5.0, 17841.0], ["?", 1.0, "C2"]])
    prepared = importer.read_prepared(path)
    kind = importer.detect_kind(prepared)
    assert kind == "sales"
    mapping = importer.propose_mapping(prepared.headers, kind)
    frame, source_rows, errors = importer.validate(prepared, kind, mapping)
    assert list(frame.columns)[:3] == ["date", "amount", "invoice_id"]
    assert frame["customer_id"].tolist() == ["17841"]
    assert frame["date"].dtype == np.dtype("datetime64[ns]")
    assert frame["amount"].dtype == np.float64
    assert source_rows.tolist() == [2]
    # "?" is a "no value" marker: the row lacks its date.
    assert errors == [{"row": 3, "column": "Date", "value": "?", "message": "Required value missing"}]
