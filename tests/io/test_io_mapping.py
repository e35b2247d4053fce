"""Kind detection and column mapping from French and English headers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from kpidesk.app import imports as importer
from kpidesk.errors import UserError
from kpidesk.io.mapping import header_signature, match_columns, normalise, rank_kinds
from kpidesk.store.database import Store

RETAIL = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
MAVEN = [
    "opportunity_id",
    "sales_agent",
    "product",
    "account",
    "deal_stage",
    "engage_date",
    "close_date",
    "close_value",
]
HYPERMARCHE = [
    "ID ligne", "ID commande", "Date de commande", "Date d'expédition", "Mode d'expédition", "ID client",
    "Nom du client", "Segment", "Ville", "Région", "Pays", "Zone géographique", "ID produit", "Catégorie",
    "Sous-catégorie", "Nom du produit", "Montant des ventes", "Quantité", "Remise", "Profit",
]  # fmt: skip
SUPERSTORE = [
    "Row ID", "Order ID", "Order Date", "Ship Date", "Ship Mode", "Customer ID", "Customer Name", "Segment",
    "Country", "City", "State", "Postal Code", "Region", "Product ID", "Category", "Sub-Category", "Product Name",
    "Sales", "Quantity", "Discount", "Profit",
]  # fmt: skip
FINANCIAL = [
    "Segment", "Country", "Product", "Discount Band", "Units Sold", "Manufacturing Price", "Sale Price",
    "Gross Sales", "Discounts", "Sales", "COGS", "Profit", "Date", "Month Number", "Month Name", "Year",
]  # fmt: skip


def mapping_of(headers: list[str], kind: str) -> dict[str, str]:
    return {f: m.column for f, m in match_columns(headers, kind).items()}


def test_normalise_ignores_case_accents_spaces_and_punctuation() -> None:
    assert normalise(" Date de COMMANDE ") == normalise("date_de_commande") == "date de commande"
    assert normalise("Quantité") == "quantite"
    assert normalise("N° facture") == normalise("n facture")


@pytest.mark.parametrize(
    ("headers", "kind", "expected"),
    [
        (
            RETAIL,
            "sales",
            {"date": "InvoiceDate", "invoice_id": "InvoiceNo", "customer_id": "CustomerID", "product": "Description",
             "quantity": "Quantity", "unit_price": "UnitPrice", "region": "Country"},
        ),
        (
            MAVEN,
            "opportunities",
            {"created_date": "engage_date", "status": "deal_stage", "opportunity_id": "opportunity_id",
             "close_date": "close_date", "amount": "close_value", "salesperson": "sales_agent",
             "customer_id": "account", "product": "product"},
        ),
        (
            HYPERMARCHE,
            "sales",
            {"date": "Date de commande", "amount": "Montant des ventes", "invoice_id": "ID commande",
             "customer_id": "ID client", "customer_name": "Nom du client", "product": "Nom du produit",
             "quantity": "Quantité", "region": "Région", "segment": "Segment"},
        ),
        (
            SUPERSTORE,
            "sales",
            {"date": "Order Date", "amount": "Sales", "invoice_id": "Order ID", "customer_id": "Customer ID",
             "customer_name": "Customer Name", "product": "Product Name", "quantity": "Quantity",
             "region": "Region", "segment": "Segment"},
        ),
        (
            FINANCIAL,
            "sales",
            {"date": "Date", "amount": "Sales", "product": "Product", "quantity": "Units Sold",
             "unit_price": "Sale Price", "region": "Country", "segment": "Segment"},
        ),
    ],
)  # fmt: skip
def test_dataset_headers_map_to_fields(headers: list[str], kind: str, expected: dict[str, str]) -> None:
    assert mapping_of(headers, kind) == expected


@pytest.mark.parametrize(
    ("headers", "kind"),
    [(RETAIL, "sales"), (MAVEN, "opportunities"), (HYPERMARCHE, "sales"), (SUPERSTORE, "sales"),
     (FINANCIAL, "sales"), (["customerID", "gender", "tenure", "Contract", "Churn"], "customers"),
     (["Date", "Canal", "Dépense"], "spend"), (["Date", "Type d'activité", "Commercial"], "activities"),
     (["Date de réponse", "Note", "ID client"], "surveys"), (["KPI", "Période", "Objectif"], "targets"),
     (["Date de création", "Source", "Qualifié", "Converti"], "leads")],
)  # fmt: skip
def test_kind_detection(headers: list[str], kind: str) -> None:
    assert importer.detect_kind(headers) == kind


def test_exact_header_beats_a_header_containing_the_synonym() -> None:
    mapping = mapping_of(["Prévision des ventes", "Date", "Ventes"], "sales")
    assert mapping["amount"] == "Ventes"


def test_partial_match_when_nothing_is_exact() -> None:
    mapping = mapping_of(["Date de la commande client", "Quantité commandée", "Montant TTC"], "sales")
    assert mapping == {"date": "Date de la commande client", "quantity": "Quantité commandée", "amount": "Montant TTC"}


def test_generic_words_do_not_match_inside_longer_headers() -> None:
    # "Month Name" is no customer name, "Grand Total" no amount.
    assert mapping_of(["Month Name", "Grand Total"], "sales") == {}


def test_each_column_feeds_one_field() -> None:
    mapping = mapping_of(["Date", "Client", "Montant"], "sales")
    assert mapping == {"date": "Date", "customer_id": "Client", "amount": "Montant"}
    both = mapping_of(["Date", "Client", "Code client", "Montant"], "sales")
    assert both["customer_id"] == "Code client" and both["customer_name"] == "Client"


def test_country_is_the_region_only_without_a_region() -> None:
    assert mapping_of(["Date", "Ventes", "Pays"], "sales")["region"] == "Pays"
    assert mapping_of(["Date", "Ventes", "Pays", "Région"], "sales")["region"] == "Région"


def test_nothing_recognised() -> None:
    assert importer.detect_kind(["foo", "bar"]) is None
    assert rank_kinds(["foo"])[0].score == 0


def test_signature_is_stable_and_loose() -> None:
    assert header_signature(["Date", " Sales"]) == header_signature(["date", "SALES"])
    assert header_signature(["Date", "Sales"]) != header_signature(["Sales", "Date"])


def test_overrides_win_and_move_a_column(make_xlsx: Callable[..., Path]) -> None:
    mapping = {"date": "Date", "amount": "Montant"}
    headers = ["Date", "Montant", "Total TTC", "Échéance"]
    result = importer.apply_overrides(mapping, {"amount": "total ttc", "date": "D"}, headers, "sales")
    assert result == {"date": "Échéance", "amount": "Total TTC"}
    # A column taken by an override leaves the field that had it.
    result = importer.apply_overrides(mapping, {"customer_id": "Montant"}, headers, "sales")
    assert result == {"date": "Date", "customer_id": "Montant"}
    # An empty column unmaps the field.
    assert importer.apply_overrides(mapping, {"amount": ""}, headers, "sales") == {"date": "Date"}


def test_bad_overrides(make_xlsx: Callable[..., Path]) -> None:
    with pytest.raises(UserError, match="Unknown field 'montant' for sales"):
        importer.apply_overrides({}, {"montant": "Montant"}, ["Montant"], "sales", "f.xlsx")
    with pytest.raises(UserError, match=r"f\.xlsx: there is no column 'Prix'"):
        importer.apply_overrides({}, {"amount": "Prix"}, ["Montant"], "sales", "f.xlsx")


def test_confirmed_mapping_is_remembered_for_the_same_headers(store: Store, make_xlsx: Callable[..., Path]) -> None:
    rows = [["Jour", "Montant", "Montant remisé"], [dt.date(2024, 3, 1), 120.0, 100.0]]
    march = make_xlsx("mars.xlsx", Feuil1=rows)
    assert importer.propose_mapping(rows[0], "sales")["amount"] == "Montant"
    # The net amount is "Montant remisé": the user says so once.
    [first] = importer.import_file(store, march, kind="sales", overrides={"amount": "Montant remisé"})
    assert first.imported == 1
    assert store.load("sales")["amount"].tolist() == [100.0]
    assert importer.propose_mapping(rows[0], "sales", store)["amount"] == "Montant remisé"
    # Next month's file of the same shape: no kind, no override.
    april = make_xlsx("avril.xlsx", Feuil1=[rows[0], [dt.date(2024, 4, 1), 240.0, 200.0]])
    [second] = importer.import_file(store, april)
    assert (second.kind, second.imported) == ("sales", 1)
    assert store.load("sales")["amount"].tolist() == [100.0, 200.0]


def test_kind_candidates_clear_close_and_weak() -> None:
    from kpidesk.io.mapping import kind_candidates

    def kinds(headers: list[str]) -> list[str]:
        return [g.kind for g in kind_candidates(headers)]

    # Clear: dates, amounts and a customer column are sales, whatever else could read two of them.
    assert kinds(["Date", "Client", "Montant"]) == ["sales"]
    assert kinds(["Date", "Montant"]) == ["sales"]
    # Close: "Note" may be a survey score as much as the amount a sale.
    assert kinds(["Date", "Montant", "Note"]) == ["sales", "surveys"]
    # Weak: no required field is named outright; the user is asked.
    assert len(kinds(["deal_id", "deal_stage", "close_date", "declared_monthly_revenue"])) > 1
    # A bare "Date" and "Client": a lead's creation date only as a last resort, so asked.
    assert kinds(["Date", "Client"])[:2] == ["leads", "customers"]
    # Nothing means anything.
    assert kinds(["x", "y"]) == []


def test_a_customer_column_of_names_feeds_customer_name(tmp_path: Path) -> None:
    from kpidesk.io.mapping import customer_names
    from kpidesk.io.read import prepare, read_sheet

    names = tmp_path / "names.csv"
    names.write_text("Date;Client;Montant\n05/03/2024;Boulangerie Martin;10\n06/03/2024;Garage Dupont;5\n")
    ids = tmp_path / "ids.csv"
    ids.write_text("Date;Client;Montant\n05/03/2024;C-001;10\n06/03/2024;C-002;5\n")
    proposed = {"date": "Date", "customer_id": "Client", "amount": "Montant"}
    by_name = customer_names(prepare(read_sheet(names)), "sales", proposed)
    assert by_name == {"date": "Date", "customer_name": "Client", "amount": "Montant"}
    assert customer_names(prepare(read_sheet(ids)), "sales", proposed) == proposed
