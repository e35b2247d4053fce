"""The real files users import (../shared/datasets), checked against totals computed here
straight from the raw files (csv module, python-calamine, openpyxl), not through the importer."""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from kpidesk.app import imports as importer
from kpidesk.errors import UserError
from kpidesk.io.parse import parse_texts
from kpidesk.io.read import PreparedSheet
from kpidesk.store.database import Store


def calamine_rows(path: Path, sheet: str) -> tuple[list[str], list[list[object]]]:
    rows = CalamineWorkbook.from_path(path).get_sheet_by_name(sheet).to_python()
    return [str(h) for h in rows[0]], rows[1:]


def test_online_retail(store: Store, dataset: Callable[..., Path]) -> None:
    path = dataset("online-retail-uci-sample", "Online Retail.xlsx")
    headers, rows = calamine_rows(path, "Sheet1")
    col = {h: i for i, h in enumerate(headers)}
    total = math.fsum(float(r[col["Quantity"]]) * float(r[col["UnitPrice"]]) for r in rows)  # type: ignore[arg-type]
    no_customer = sum(1 for r in rows if r[col["CustomerID"]] in ("", None))
    negatives = sum(1 for r in rows if float(r[col["Quantity"]]) < 0)  # type: ignore[arg-type]
    cancellations = sum(1 for r in rows if str(r[col["InvoiceNo"]]).startswith("C"))
    assert (len(rows), no_customer, negatives, cancellations) == (40_000, 10_057, 778, 674)
    assert total == pytest.approx(706_922, abs=1)

    [outcome] = importer.import_file(store, path)
    assert (outcome.kind, outcome.sheet, outcome.imported, outcome.rejected) == ("sales", "Sheet1", 40_000, 0)
    sales = store.load("sales")
    assert sales["amount"].sum() == pytest.approx(total, rel=1e-12)
    assert sales["customer_id"].isna().sum() == no_customer  # kept, without a customer
    assert (sales["quantity"] < 0).sum() == negatives
    assert sales["invoice_id"].astype(str).str.startswith("C").sum() == cancellations
    assert (sales.loc[sales["invoice_id"].astype(str).str.startswith("C"), "amount"] <= 0).all()
    # Ids as the user sees them: 17841, not 17841.0; 573415 as text.
    assert "17841" in set(sales["customer_id"].dropna())
    assert not sales["customer_id"].dropna().str.contains(r"\.").any()
    assert sales["invoice_id"].iloc[0] == str(int(rows[0][col["InvoiceNo"]]))  # type: ignore[call-overload]
    assert sales["date"].min() == np.datetime64("2010-12-01T08:26")
    assert sales["date"].max() == np.datetime64("2011-12-09T12:31")
    assert sales["region"].nunique() == 36
    # Descriptions lose their trailing spaces.
    assert not sales["product"].dropna().astype(str).str.endswith(" ").any()


def test_crm_pipeline_as_opportunities(store: Store, dataset: Callable[..., Path]) -> None:
    path = dataset("crm-sales-opportunities", "sales_pipeline.csv")
    with path.open(newline="", encoding="utf-8") as fh:
        records = list(csv.DictReader(fh))
    stages = Counter(r["deal_stage"] for r in records)
    assert stages == {"Won": 4238, "Lost": 2473, "Engaging": 1589, "Prospecting": 500}
    won_value = sum(float(r["close_value"]) for r in records if r["deal_stage"] == "Won")
    no_engage = [i + 2 for i, r in enumerate(records) if not r["engage_date"]]
    assert len(no_engage) == 500

    [outcome] = importer.import_file(store, path, kind="opportunities")
    opportunities = store.load("opportunities")
    assert opportunities["status"].value_counts().to_dict() == {"won": 4238, "lost": 2473, "open": 1589}
    # The 500 Prospecting deals have no engage date, which opportunities need (created_date):
    # rejected, each with its CSV line number and the reason.
    assert outcome.rejected == 500
    assert [e["row"] for e in outcome.errors] == no_engage
    assert {(e["column"], e["message"]) for e in outcome.errors} == {("engage_date", "Required value missing")}
    won = opportunities[opportunities["status"] == "won"]
    assert won["amount"].sum() == pytest.approx(won_value)
    assert won["close_date"].notna().all()
    assert opportunities.loc[opportunities["status"] == "open", "close_date"].isna().all()
    assert pytest.approx(63.2, abs=0.05) == 100 * 4238 / (4238 + 2473)  # the win rate the KPI will show
    assert opportunities["created_date"].min() == np.datetime64("2016-10-20")


def test_superstore_xls(store: Store, dataset: Callable[..., Path]) -> None:
    path = dataset("superstore", "Sample - Superstore.xls")
    headers, rows = calamine_rows(path, "Orders")
    sales_total = math.fsum(float(r[headers.index("Sales")]) for r in rows)  # type: ignore[arg-type]
    assert sales_total == pytest.approx(2_297_200.8603, abs=1e-4)

    [outcome] = importer.import_file(store, path)
    assert (outcome.sheet, outcome.kind, outcome.imported, outcome.rejected) == ("Orders", "sales", 9_994, 0)
    sales = store.load("sales")
    assert sales["amount"].sum() == pytest.approx(sales_total, abs=1e-6)
    assert sales["customer_id"].nunique() == 793
    assert sales["invoice_id"].nunique() == 5_009
    assert set(sales["segment"].astype(str)) == {"Consumer", "Corporate", "Home Office"}
    assert sales["date"].min() == np.datetime64("2014-01-03")
    assert sales["date"].max() == np.datetime64("2017-12-30")


def test_hypermarche_french_xls(store: Store, dataset: Callable[..., Path]) -> None:
    path = dataset("hypermarche-fr", "Hypermarché.xls")
    headers, rows = calamine_rows(path, "Achats")
    total = math.fsum(float(r[headers.index("Montant des ventes")]) for r in rows)  # type: ignore[arg-type]
    assert total == pytest.approx(2_938_089, abs=1)

    [outcome] = importer.import_file(store, path)
    assert (outcome.sheet, outcome.kind, outcome.imported, outcome.rejected) == ("Achats", "sales", 10_000, 0)
    sales = store.load("sales")
    assert sales["amount"].sum() == pytest.approx(total, abs=1e-6)
    assert sales["invoice_id"].nunique() == 4_593
    assert sales["customer_id"].nunique() == 795
    assert set(sales["segment"].astype(str)) == {"Entreprise", "Grand public", "Entreprise individuelle"}
    assert "Adélaïde Perreault" in set(sales["customer_name"])
    assert sales["date"].min() == np.datetime64("2011-01-01")
    assert sales["date"].max() == np.datetime64("2014-12-31")


def test_financial_sample_chooses_the_data_sheet(store: Store, dataset: Callable[..., Path]) -> None:
    path = dataset("financial-sample", "Financial Sample.xlsx")
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb["Sheet1"]
    header = [c for c in next(ws.iter_rows(values_only=True))]
    assert " Sales" in header
    raw_sales = [row[header.index(" Sales")] for row in ws.iter_rows(min_row=2, values_only=True)]
    wb.close()
    total = math.fsum(float(v) for v in raw_sales)  # type: ignore[arg-type]
    assert total == pytest.approx(118.7e6, rel=1e-3)

    assert importer.choose_sheet(path) == "Sheet1"  # not the pivot sheets Suggestion1..4
    [outcome] = importer.import_file(store, path)
    assert (outcome.sheet, outcome.kind, outcome.imported, outcome.rejected) == ("Sheet1", "sales", 700, 0)
    sales = store.load("sales")
    assert sales["amount"].sum() == pytest.approx(total, rel=1e-12)
    assert sales["region"].nunique() == 5 and sales["product"].nunique() == 6 and sales["segment"].nunique() == 5
    assert sales["date"].min() == np.datetime64("2013-09-01")
    # "None" in Discount Band is a word, not a missing value.
    prepared = importer.read_prepared(path, "Sheet1")
    bands = parse_texts(prepared.column("Discount Band"))
    assert not bands.missing.any()
    assert "None" in set(bands.values)


def _nps(scores: list[float]) -> float:
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return 100.0 * (promoters - detractors) / len(scores)


def test_nps_survey(store: Store, dataset: Callable[..., Path]) -> None:
    path = dataset("nps-botanic-fr", "nps.csv")
    # Independently: the numbers are ASCII, so latin-1 reads every line.
    with path.open(newline="", encoding="latin-1") as fh:
        records = list(csv.DictReader(fh))
    assert len(records) == 13_954
    scores = [float(r["nps"]) for r in records if r["nps"] != "NA"]
    assert len(records) - len(scores) == 342
    expected_nps = _nps(scores)
    assert round(expected_nps, 1) == 53.4

    # The file has no date column, which surveys need: one clear whole-file message.
    with pytest.raises(UserError, match=r"nps\.csv: no column was found for 'date'"):
        importer.import_file(store, path, kind="surveys")
    assert store.batches() == []

    prepared = importer.read_prepared(path)
    assert prepared.headers[:3] == ["Column A", "id", "nps"]
    # Mixed encoding: the cp1252 lines read right (line 3 of the file).
    assert prepared.preview(2)[1][5].startswith("Il y a très peu de caisse ouverte et le délai")
    # With a date column supplied (here by the test), the scores validate.
    width = len(prepared.rows[0])
    dated = PreparedSheet(
        file=prepared.file,
        sheet=None,
        headers=[*prepared.headers, "Date"],
        header_row=prepared.header_row,
        rows=[[*row, "15/01/2016"] for row in prepared.rows],
        first_data_row=prepared.first_data_row,
        positions=[*prepared.positions, width],
    )
    mapping = importer.propose_mapping(dated.headers, "surveys")
    assert mapping == {"date": "Date", "score": "nps", "customer_id": "id"}
    validation = importer.validate(dated, "surveys", mapping)
    frame, source_rows, errors = validation
    assert validation.rejected == 342
    assert {(e["column"], e["value"], e["message"]) for e in errors} == {("nps", "NA", "Required value missing")}
    assert len(frame) == len(scores) and source_rows[0] == 2
    assert _nps(frame["score"].tolist()) == pytest.approx(expected_nps)
    assert frame["date"].unique().tolist() == [np.datetime64("2016-01-15", "ns")]
    outcome = importer.commit(store, dated, "surveys", mapping, validation)
    assert (outcome.imported, outcome.rejected) == (13_612, 342)


def test_telco_churn_as_customers(store: Store, dataset: Callable[..., Path]) -> None:
    path = dataset("telco-churn", "Telco-Customer-Churn.csv")
    [outcome] = importer.import_file(store, path)
    assert (outcome.kind, outcome.imported, outcome.rejected) == ("customers", 7_043, 0)
    assert store.load("customers")["customer_id"].iloc[0] == "7590-VHVEG"


def test_the_same_dataset_twice_is_skipped(store: Store, dataset: Callable[..., Path]) -> None:
    path = dataset("hypermarche-fr", "Hypermarché.xls")
    importer.import_file(store, path)
    [again] = importer.import_file(store, path)
    assert (again.imported, again.skipped_duplicates) == (0, 10_000)
    assert store.count("sales") == 10_000
